// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/hex"
	"errors"
	"fmt"

	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/eventlog"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/veraison/ear"
)

// ErrEventLog reports an event log that was supplied with TDX evidence and
// cannot be its history: it does not parse, holds no bank that can be
// replayed (SM3), does not fit its ACPI table, does not replay to the
// quote's RTMR0–3 (wrapping eventlog.ErrReplayMismatch, and
// eventlog.ErrIncomplete when it stops short), or logs data whose digest
// is not the one extended (eventlog.ErrEventDigest); or, with
// EventLogOptions.Require, no log came.
//
// What it does to the verdict: the quote may still be genuine (its
// signature chain verified before the log was looked at, and the
// hardware claim stays what the TCB gave), but the log is a cryptographic
// inconsistency with it, so nothing it says about the boot can be used.
// The verdict is contraindicated, executables 96 (contraindicated), the
// error first among the reasons, and no claim of the log is emitted.
var ErrEventLog = errors.New("verify: the event log is not the evidence's history")

// EventLogOptions give an event log to replay against the evidence's
// registers. The zero value replays the log a container carries (Trustee's
// cc_eventlog) and requires none. They apply to TDX quotes and Azure vTPM
// evidence; other evidence (SEV-SNP, SE) has no such log and ignores them.
type EventLogOptions struct {
	// Log is a TDX CC event log (CCEL): the ACPI log area
	// (/sys/firmware/acpi/tables/data/CCEL, padded or trimmed). It is
	// replayed against the quote's RTMR0–3 in place of any log a container
	// carries. With Azure vTPM evidence it is the CVM's TPM event log
	// (binary_bios_measurements), replayed against the PCRs the TPM quote
	// proved instead.
	Log []byte
	// ACPITable is the ACPI CCEL table (/sys/firmware/acpi/tables/CCEL),
	// checked against the log when given: CC type TDX, the log within LAML.
	ACPITable []byte
	// IMA is IMA's ASCII runtime log with SHA-384 template hashes, folded
	// into RTMR2 after the CCEL's events (CC-aware IMA extends RTMR2).
	IMA []byte
	// Require fails TDX evidence that comes without an event log
	// (ErrEventLog).
	Require bool
	// MaxSize bounds the log, in bytes (0: eventlog.DefaultMaxSize, 16
	// MiB); events are bounded by eventlog.DefaultMaxEvents.
	MaxSize int
}

// appraiseEventLog replays the TD's event log, when there is one, against
// the quote's RTMRs (see ErrEventLog for what a failure does) and, when it
// replays, adds its claims: uefi_event_logs (Trustee's shape) and eventlog
// (boot components, see CLAIMS.md).
func (v *Verifier) appraiseEventLog(r *Result, q tdx.Quote, carried ...container.Piece) error {
	o := &v.opts.EventLog
	if r.Format == FormatAzSNPvTPM || r.Format == FormatAzTDXvTPM {
		return nil // the log given is the vTPM's: appraiseTPMLog
	}
	raw, origin := o.Log, "the event log given (Options.EventLog)"
	if raw == nil && len(carried) > 0 {
		raw, origin = carried[0].Data, carried[0].Origin
	}
	contraindicate := func(err error) error { return r.contraindicateLog(err) }
	if raw == nil {
		if o.Require {
			return contraindicate(fmt.Errorf("%w: no event log came with the evidence (required)", ErrEventLog))
		}
		return nil
	}
	fail := func(format string, args ...any) error {
		return contraindicate(fmt.Errorf("%w: %s: "+format, append([]any{ErrEventLog, origin}, args...)...))
	}
	l, err := eventlog.Parse(raw, &eventlog.Options{MaxSize: o.MaxSize})
	if err != nil {
		return fail("%w", err)
	}
	if o.ACPITable != nil {
		t, err := eventlog.ParseTable(o.ACPITable)
		if err == nil {
			err = t.CheckLog(l, len(raw))
		}
		if err != nil {
			return fail("%w", err)
		}
	}
	var ima [][]byte
	if o.IMA != nil {
		if ima, err = eventlog.ParseIMA(o.IMA); err != nil {
			return fail("IMA log: %w", err)
		}
	}
	var want [eventlog.NumRTMRs][]byte
	for i := range want {
		want[i] = q.Body().RTMR(i)
	}
	if err := l.CheckRTMRs(want, ima...); err != nil {
		return fail("%w", err)
	}
	warnings, err := l.Validate()
	if err != nil {
		return fail("%w", err)
	}
	c := map[string]any{"replayed": true, "events": len(l.Events)}
	if ima != nil {
		c["ima_entries"] = len(ima)
	}
	dupe := false
	for _, w := range warnings {
		dupe = dupe || errors.Is(w, eventlog.ErrDuplicateSeparator)
		r.reason("event log: %v", w)
	}
	if dupe {
		c["duplicate_separator"] = true
		r.reason("event log: a register has a duplicate separator: the Secure Boot claims (secure_boot, pk, kek, db, dbx) are left out")
	}
	bootClaims(c, l.Boot(eventlog.AlgSHA384), dupe)
	r.Claims["eventlog"] = c
	r.Claims["uefi_event_logs"] = l.TrusteeEvents()
	what := ""
	if k, ok := c["kernel"].(string); ok {
		what = fmt.Sprintf(", kernel %.16s…", k)
	}
	r.reason("event log (%s): %d events replay to RTMR0–3 of the quote%s", origin, len(l.Events), what)
	return nil
}

// contraindicateLog records err, a log that is not the evidence's
// history: here, not by r.fail, so that the hardware claim stays what the
// quote's proof and TCB gave (a log cannot make the quote less genuine).
func (r *Result) contraindicateLog(err error) error {
	r.Vector.Executables = ear.ContraindicatedRuntimeClaim
	r.Err, r.Status = err, ear.TrustTierContraindicated
	r.Reasons = append([]string{err.Error()}, r.Reasons...)
	return err
}

// appraiseTPMLog replays the TPM event log given for Azure vTPM evidence
// (EventLogOptions.Log: the CVM's binary_bios_measurements) against the
// PCRs the TPM quote proved (certs/azure): PCRs 0–7 of every bank of the
// quote's selection, and the later ones the log extends; the failures and
// their effect are ErrEventLog's. When
// it replays: eventlog {replayed, events, banks} and uefi_event_logs.
func (v *Verifier) appraiseTPMLog(r *Result, pcrs []evazure.PCR) error {
	o := &v.opts.EventLog
	if o.Log == nil {
		if o.Require {
			return r.contraindicateLog(fmt.Errorf("%w: no TPM event log came with the evidence (required)", ErrEventLog))
		}
		return nil
	}
	fail := func(err error) error {
		return r.contraindicateLog(fmt.Errorf("%w: the TPM event log given (Options.EventLog): %w", ErrEventLog, err))
	}
	l, err := eventlog.Parse(o.Log, &eventlog.Options{MaxSize: o.MaxSize})
	if err != nil {
		return fail(err)
	}
	// PCRs 0-7 are the firmware's: the log must explain them all. A later
	// PCR is compared when the log extends it (the boot loader's 8, 9);
	// one it never touches is the OS's (IMA, systemd) and out of its scope.
	touched := map[uint32]bool{}
	for _, e := range l.Events {
		if e.Type != eventlog.EvNoAction {
			touched[e.Index] = true
		}
	}
	var want []eventlog.PCR
	var skipped []int
	for _, p := range pcrs {
		if p.Index > 7 && !touched[uint32(p.Index)] {
			skipped = append(skipped, p.Index)
			continue
		}
		want = append(want, eventlog.PCR{Index: uint32(p.Index), Alg: eventlog.Alg(p.Hash), Value: p.Value})
	}
	if err := l.CheckPCRs(want); err != nil {
		return fail(err)
	}
	warnings, err := l.Validate()
	if err != nil {
		return fail(err)
	}
	for _, w := range warnings {
		r.reason("TPM event log: %v", w)
	}
	r.Claims["eventlog"] = map[string]any{"replayed": true, "events": len(l.Events), "banks": fmt.Sprint(l.Banks())}
	r.Claims["uefi_event_logs"] = l.TrusteeEvents()
	r.reason("TPM event log: %d events replay to %d PCR values the vTPM quote proved (PCRs 0-7 and those the log extends; not compared, the log not extending them: %v)", len(l.Events), len(want), skipped)
	return nil
}

// bootClaims adds the boot components of b to c (CLAIMS.md, "eventlog").
func bootClaims(c map[string]any, b *eventlog.Boot, noSecureBoot bool) {
	hexList := func(ds [][]byte) []any {
		out := make([]any, len(ds))
		for i, d := range ds {
			out[i] = hex.EncodeToString(d)
		}
		return out
	}
	if b.Kernel != nil {
		c["kernel"] = hex.EncodeToString(b.Kernel.Digest)
		if b.Kernel.Path != "" {
			c["kernel_path"] = b.Kernel.Path
		}
	}
	if b.Initrd != nil {
		c["initrd"] = hex.EncodeToString(b.Initrd.Digest)
	}
	if b.HasCmdline {
		c["kernel_cmdline"] = b.Cmdline
	}
	if b.CmdlineDigest != nil {
		c["kernel_cmdline_digest"] = hex.EncodeToString(b.CmdlineDigest)
	}
	apps := make([][]byte, len(b.Applications))
	for i, a := range b.Applications {
		apps[i] = a.Digest
	}
	c["boot_applications"] = hexList(apps)
	c["firmware_blobs"] = hexList(b.Firmware)
	if len(b.GRUBCommands) > 0 {
		cmds := make([]any, len(b.GRUBCommands))
		for i, s := range b.GRUBCommands {
			cmds[i] = s
		}
		c["grub_cmds"] = cmds
	}
	if noSecureBoot {
		return
	}
	if b.SecureBoot != nil {
		c["secure_boot"] = *b.SecureBoot
	}
	for name, d := range b.Variables {
		c[map[string]string{"PK": "pk", "KEK": "kek", "db": "db", "dbx": "dbx"}[name]] = hex.EncodeToString(d)
	}
}
