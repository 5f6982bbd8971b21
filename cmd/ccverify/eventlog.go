// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/eventlog"
	"github.com/ccverify/ccverify/verify"
)

// isEventLog reports whether raw starts like a crypto-agile TCG2 event log:
// the "Spec ID Event03" header event (a TDX CCEL, a TPM 2.0
// binary_bios_measurements).
func isEventLog(raw []byte) bool {
	const sig = "Spec ID Event03\x00"
	return len(raw) >= 32+len(sig) && bytes.Equal(raw[32:32+len(sig)], []byte(sig))
}

// eventLogOptions reads --eventlog FILE and --ccel-table FILE into opts. A
// log is one TD's: it goes with exactly one evidence file. ok is false
// (with the exit code) when the flags cannot be used.
func eventLogOptions(opts *verify.Options, logPath, tablePath string, files []string, fromList bool, stderr io.Writer) (int, bool) {
	if logPath == "" {
		if tablePath != "" {
			fmt.Fprintln(stderr, "ccverify verify: --ccel-table goes with --eventlog")
			return exitUsage, false
		}
		return 0, true
	}
	if len(files) != 1 || fromList {
		fmt.Fprintln(stderr, "ccverify verify: --eventlog is one TD's log: give exactly one evidence file")
		return exitUsage, false
	}
	if fi, err := os.Stat(files[0]); err == nil && fi.IsDir() && !verify.IsTSMReportDir(files[0]) {
		fmt.Fprintln(stderr, "ccverify verify: --eventlog is one TD's log: give one evidence file, not a directory")
		return exitUsage, false
	}
	if tee := evidenceTEE(files[0], opts.MaxEvidenceSize); tee != "" && tee != container.TDX && tee != container.AzTDXvTPM && tee != container.AzSNPvTPM {
		fmt.Fprintf(stderr, "ccverify verify: --eventlog goes with TDX or Azure vTPM evidence, not %s\n", tee)
		return exitUsage, false
	}
	log, err := readEvidence(logPath, eventlog.DefaultMaxSize)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify verify: --eventlog: %v\n", err)
		return exitUsage, false
	}
	opts.EventLog.Log = log
	if tablePath != "" {
		t, err := readEvidence(tablePath, 4096)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --ccel-table: %v\n", err)
			return exitUsage, false
		}
		opts.EventLog.ACPITable = t
	}
	return 0, true
}

// evidenceTEE says which TEE's evidence the file holds, "" when that
// cannot be told here (a directory, unreadable, not evidence: verify says
// why).
func evidenceTEE(path string, max int) container.TEE {
	if max <= 0 {
		max = verify.DefaultMaxEvidenceSize
	}
	raw, err := readEvidence(path, max)
	if err != nil {
		return ""
	}
	if f, err := verify.Detect(raw); err == nil {
		return container.TEE(f)
	}
	if evs, err := container.Unwrap(raw, nil); err == nil && len(evs) == 1 {
		return evs[0].TEE
	}
	return ""
}

// inspectEventLog prints a TCG2 event log: its format and banks, the
// registers it replays to (RTMR0–3 for a CCEL, PCRs for a TPM log), what
// Validate finds, the boot components, and every event. Nothing is
// verified: only a quote's registers make a log the TD's history.
func inspectEventLog(path string, raw []byte, asJSON bool, stdout, stderr io.Writer) int {
	l, err := eventlog.Parse(raw, nil)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify inspect: %s: %v\n", path, err)
		return exitContraindicated
	}
	fields := []field{
		{"format", "eventlog"},
		{"eventlog.banks", fmt.Sprint(l.Banks())},
		{"eventlog.events", len(l.Events)},
		{"eventlog.size", len(l.Raw)},
		{"eventlog.padding", l.Padding},
	}
	ccel := l.HasBank(eventlog.AlgSHA384)
	if ccel {
		if rtmrs, err := l.RTMRs(); err == nil {
			for i, r := range rtmrs {
				fields = append(fields, field{fmt.Sprintf("eventlog.rtmr_%d", i), hex.EncodeToString(r)})
			}
		} else {
			ccel = false // a TPM log with a SHA-384 bank: PCR numbers, not CC MR indexes
		}
	}
	if !ccel {
		for _, a := range l.Banks() {
			pcrs, err := l.PCRs(a)
			if err != nil {
				continue
			}
			idx := make([]int, 0, len(pcrs))
			for i := range pcrs {
				idx = append(idx, int(i))
			}
			sort.Ints(idx)
			for _, i := range idx {
				fields = append(fields, field{fmt.Sprintf("eventlog.pcrs.%s.%02d", bankName(a), i), hex.EncodeToString(pcrs[uint32(i)])})
			}
		}
	}
	warnings, verr := l.Validate()
	for i, w := range warnings {
		fields = append(fields, field{fmt.Sprintf("eventlog.warnings.%02d", i), w.Error()})
	}
	if verr != nil {
		fields = append(fields, field{"eventlog.errors", verr.Error()})
	}
	alg := eventlog.AlgSHA384
	if !l.HasBank(alg) {
		alg = l.Banks()[len(l.Banks())-1]
	}
	b := l.Boot(alg)
	if b.Kernel != nil {
		fields = append(fields, field{"eventlog.kernel", hex.EncodeToString(b.Kernel.Digest)})
		if b.Kernel.Path != "" {
			fields = append(fields, field{"eventlog.kernel_path", b.Kernel.Path})
		}
	}
	if b.Initrd != nil {
		fields = append(fields, field{"eventlog.initrd", hex.EncodeToString(b.Initrd.Digest)})
	}
	if b.HasCmdline {
		fields = append(fields, field{"eventlog.kernel_cmdline", b.Cmdline})
	}
	if b.CmdlineDigest != nil {
		fields = append(fields, field{"eventlog.kernel_cmdline_digest", hex.EncodeToString(b.CmdlineDigest)})
	}
	if b.SecureBoot != nil {
		fields = append(fields, field{"eventlog.secure_boot", *b.SecureBoot})
	}
	for i, a := range b.Applications {
		fields = append(fields, field{fmt.Sprintf("eventlog.boot_applications.%02d", i), fmt.Sprintf("%x %s", a.Digest, a.Path)})
	}
	for i, e := range l.Events {
		d := ""
		if v := e.Digest(alg); v != nil {
			d = hex.EncodeToString(v)
		}
		line := fmt.Sprintf("%v index %d %s", e.Type, e.Index, d)
		if s, ok := e.Text(); ok && s != "" {
			line += " " + fmt.Sprintf("%q", truncate(s, 120))
		}
		fields = append(fields, field{fmt.Sprintf("eventlog.event.%03d", i), line})
	}
	if asJSON {
		out := nest(fields)
		out["uefi_event_logs"] = l.TrusteeEvents()
		j, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "ccverify inspect: %v\n", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, string(j))
		return exitAffirming
	}
	width := 0
	for _, f := range fields {
		width = max(width, len(f.name))
	}
	for _, f := range fields {
		fmt.Fprintf(stdout, "%-*s  %v\n", width, f.name, f.value)
	}
	return exitAffirming
}

func bankName(a eventlog.Alg) string {
	switch a {
	case eventlog.AlgSHA1:
		return "sha1"
	case eventlog.AlgSHA256:
		return "sha256"
	case eventlog.AlgSHA384:
		return "sha384"
	case eventlog.AlgSHA512:
		return "sha512"
	}
	return fmt.Sprintf("alg%04x", uint16(a))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
