// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/eventlog"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

// cos113 reads go-tdx-guest's cos-113 CCEL, ACPI table and TD quote from
// the module's testing/testdata/ccel (its testdata package does not embed
// them), or skips.
func cos113(t testing.TB) (log, table, quote []byte) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-tdx-guest").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("go-tdx-guest module directory not found: %v", err)
	}
	var files [3][]byte
	for i, name := range []string{"ccel_data.dat", "ccel_table.dat", "cos-113-tdx-quote.dat"} {
		b, err := os.ReadFile(filepath.Join(dir, "testing", "testdata", "ccel", name))
		if err != nil {
			t.Skipf("go-tdx-guest CCEL test data: %v", err)
		}
		files[i] = b
	}
	return files[0], files[1], files[2]
}

func eventLogClaims(t *testing.T, r *verify.Result) map[string]any {
	t.Helper()
	c, ok := r.Claims["eventlog"].(map[string]any)
	if !ok {
		t.Fatalf("no eventlog claims: %v", r.Reasons)
	}
	return c
}

func TestEventLogReplays(t *testing.T) {
	log, table, quote := cos113(t)
	opts := verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Log: log, ACPITable: table}}
	r, err := verify.Evidence(context.Background(), quote, opts)
	if err != nil {
		t.Fatalf("%v %q", err, r.Reasons)
	}
	c := eventLogClaims(t, r)
	if c["replayed"] != true || c["events"] != 43 || c["kernel_path"] != "/syslinux/vmlinuz.A" || !strings.Contains(c["kernel_cmdline"].(string), "init=/usr/lib/systemd/systemd") {
		t.Errorf("claims %v", c)
	}
	if evs, _ := r.Claims["uefi_event_logs"].([]any); len(evs) != 43 {
		t.Errorf("uefi_event_logs: %d events", len(evs))
	}
	if !strings.Contains(strings.Join(r.Reasons, "\n"), "43 events replay to RTMR0–3") {
		t.Errorf("reasons %q", r.Reasons)
	}
	// Without a log: no claims, no failure.
	r, err = verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026})
	if err != nil || r.Claims["eventlog"] != nil {
		t.Fatalf("no log: %v, claims %v", err, r.Claims["eventlog"])
	}
	// Required and absent.
	r, err = verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Require: true}})
	if !errors.Is(err, verify.ErrEventLog) || r.Status != ear.TrustTierContraindicated {
		t.Fatalf("required log absent: %v %v", err, r.Status)
	}
}

// TestEventLogMismatch: a log that does not replay to the quote makes the
// verdict contraindicated with ErrEventLog, executables 96, the hardware
// claim left as the quote's proof set it, and no log claims.
func TestEventLogMismatch(t *testing.T) {
	log, table, quote := cos113(t)
	good, err := verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026})
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Parse(log, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sep *eventlog.Event
	for i := range l.Events {
		if e := &l.Events[i]; e.Type == eventlog.EvSeparator && e.Index == 2 {
			sep = e
		}
	}
	tampered := bytes.Clone(log)
	tampered[sep.Offset+14] ^= 1
	for _, c := range []struct {
		name string
		log  []byte
		want []error
		says []string
	}{
		{"changed-digest", tampered, []error{verify.ErrEventLog, eventlog.ErrReplayMismatch}, []string{"RTMR[1]", sep.String()}},
		{"stops-short", log[:l.Events[40].Offset], []error{verify.ErrEventLog, eventlog.ErrReplayMismatch, eventlog.ErrIncomplete}, []string{"RTMR[2]"}},
		{"garbage", []byte("not a log at all, not at all"), []error{verify.ErrEventLog, eventlog.ErrTruncated}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Log: c.log}})
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("err %v, want %v", err, w)
				}
			}
			for _, s := range c.says {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("err %v does not say %q", err, s)
				}
			}
			if r.Status != ear.TrustTierContraindicated || r.Vector.Executables != ear.ContraindicatedRuntimeClaim || r.Vector.Hardware != good.Vector.Hardware {
				t.Errorf("status %v, executables %v, hardware %v (quote alone: %v)", r.Status, r.Vector.Executables, r.Vector.Hardware, good.Vector.Hardware)
			}
			if r.Claims["eventlog"] != nil || r.Claims["uefi_event_logs"] != nil {
				t.Error("claims of a log that does not replay")
			}
			if len(r.Reasons) == 0 || !strings.HasPrefix(r.Reasons[0], verify.ErrEventLog.Error()) {
				t.Errorf("first reason %q", r.Reasons)
			}
		})
	}
	// An SM3-only log (Hygon CSV): a named unsupported algorithm.
	if vectors.Dir() != "" {
		csv := vectors.Read(t, "eventlog/trustee/deps/eventlog/test_data/CCEL_data_csv")
		_, err := verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Log: csv}})
		if !errors.Is(err, verify.ErrEventLog) || !errors.Is(err, eventlog.ErrUnsupportedAlgorithm) {
			t.Errorf("SM3 log: %v", err)
		}
	}
	// A table that does not fit.
	bad := bytes.Clone(table)
	bad[0x24], bad[9] = 1, bad[9]+1
	if _, err := verify.Evidence(context.Background(), quote, verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Log: log, ACPITable: bad}}); !errors.Is(err, eventlog.ErrTable) {
		t.Errorf("SEV table: %v", err)
	}
}

// TestEventLogTrusteeContainer: Trustee's TDX evidence carries the CCEL in
// cc_eventlog; it is replayed.
func TestEventLogTrusteeContainer(t *testing.T) {
	log, _, quote := cos113(t)
	ev, _ := json.Marshal(map[string]any{"cc_eventlog": base64.StdEncoding.EncodeToString(log), "quote": base64.StdEncoding.EncodeToString(quote)})
	r, err := verify.Evidence(context.Background(), ev, verify.Options{Offline: true, Time: at2026})
	if err != nil {
		t.Fatalf("%v %q", err, r.Reasons)
	}
	eventLogClaims(t, r)
	if !strings.Contains(strings.Join(r.Reasons, "\n"), "field cc_eventlog") {
		t.Errorf("reasons %q", r.Reasons)
	}
	bad := bytes.Clone(log)
	bad[len(bad)/32] ^= 0xFF // inside an event of RTMR0
	ev, _ = json.Marshal(map[string]any{"cc_eventlog": base64.StdEncoding.EncodeToString(bad), "quote": base64.StdEncoding.EncodeToString(quote)})
	if r, err = verify.Evidence(context.Background(), ev, verify.Options{Offline: true, Time: at2026}); !errors.Is(err, verify.ErrEventLog) {
		t.Fatalf("tampered cc_eventlog: %v %q", err, r.Reasons)
	}
}

// TestKernelReferenceValue: a CoRIM (and expected values) approving a
// kernel digest, with the TD's MRTD, approves the TD that booted it and not
// one that booted another kernel, nor one whose log is absent.
func TestKernelReferenceValue(t *testing.T) {
	log, _, quote := cos113(t)
	base := verify.Options{Offline: true, Time: at2026, EventLog: verify.EventLogOptions{Log: log}}
	r, err := verify.Evidence(context.Background(), quote, base)
	if err != nil {
		t.Fatal(err)
	}
	kernel := eventLogClaims(t, r)["kernel"].(string)
	mrtd := r.Claims["quote"].(map[string]any)["body"].(map[string]any)["mr_td"].(string)
	other := strings.Repeat("ab", 48)

	corim := func(t *testing.T, k string) *refvalues.Document {
		tpl, err := refvalues.ParseTemplate([]byte(`{"tee": "tdx", "references": [{"name": "cos-113", "values": {"mr_td": "` + mrtd + `", "eventlog.kernel": "` + k + `"}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		b, err := refvalues.Build(tpl)
		if err != nil {
			t.Fatal(err)
		}
		d, err := refvalues.Load(b, refvalues.LoadOptions{AllowUnsigned: true})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	expect := func(t *testing.T, k string) *refvalues.Document {
		d, err := refvalues.Expect(map[string][]string{"mr_td": {mrtd}, "eventlog.kernel": {k}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for name, doc := range map[string]func(*testing.T, string) *refvalues.Document{"corim": corim, "expected": expect} {
		t.Run(name, func(t *testing.T) {
			opts := base
			opts.RefValues = verify.RefValueOptions{Set: refvalues.Set{doc(t, kernel)}}
			r, err := verify.Evidence(context.Background(), quote, opts)
			if err != nil || r.Vector.Executables != ear.ApprovedRuntimeClaim {
				t.Fatalf("the kernel it booted: %v, executables %v, %q", err, r.Vector.Executables, r.Reasons)
			}
			opts.RefValues = verify.RefValueOptions{Set: refvalues.Set{doc(t, other)}}
			r, err = verify.Evidence(context.Background(), quote, opts)
			if err != nil || r.Vector.Executables != ear.UnrecognizedRuntimeClaim || !strings.Contains(strings.Join(r.Reasons, "\n"), "eventlog.kernel") {
				t.Fatalf("another kernel: %v, executables %v, %q", err, r.Vector.Executables, r.Reasons)
			}
			opts.RefValues = verify.RefValueOptions{Set: refvalues.Set{doc(t, kernel)}}
			opts.EventLog = verify.EventLogOptions{}
			r, err = verify.Evidence(context.Background(), quote, opts)
			if err != nil || r.Vector.Executables == ear.ApprovedRuntimeClaim {
				t.Fatalf("no log: %v, executables %v", err, r.Vector.Executables)
			}
		})
	}
}

// TestEventLogAzure: a TPM event log given with Azure vTPM evidence is
// replayed against the PCRs the TPM quote proved; another machine's log is
// ErrEventLog naming a PCR, and the hardware claim stays the report's.
func TestEventLogAzure(t *testing.T) {
	c := azureCases(t)[0]
	raw := vectors.Read(t, c.Evidence)
	opts := verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t), RefValues: verify.RefValueOptions{HardwareOnly: true}}
	good, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.EventLog.Log = vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/tpm/ubuntu-2404-amd-sevsnp.bin")
	r, err := verify.Evidence(context.Background(), raw, opts)
	if !errors.Is(err, verify.ErrEventLog) || !errors.Is(err, eventlog.ErrReplayMismatch) || !strings.Contains(err.Error(), "PCR[0] (SHA-256)") {
		t.Fatalf("another machine's TPM log: %v", err)
	}
	if r.Status != ear.TrustTierContraindicated || r.Vector.Executables != ear.ContraindicatedRuntimeClaim || r.Vector.Hardware != good.Vector.Hardware || r.Claims["eventlog"] != nil {
		t.Errorf("status %v, vector %+v, claims %v", r.Status, r.Vector, r.Claims["eventlog"])
	}
	opts.EventLog = verify.EventLogOptions{Require: true}
	if _, err := verify.Evidence(context.Background(), raw, opts); !errors.Is(err, verify.ErrEventLog) {
		t.Fatalf("required TPM log absent: %v", err)
	}
}
