// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
)

// cos113Files writes go-tdx-guest's cos-113 CCEL, ACPI table and TD quote
// (its module's testing/testdata/ccel) into dir, or skips.
func cos113Files(t *testing.T, dir string) (log, table, quote string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-tdx-guest").Output()
	src := strings.TrimSpace(string(out))
	if err != nil || src == "" {
		t.Skipf("go-tdx-guest module directory not found: %v", err)
	}
	var paths [3]string
	for i, name := range []string{"ccel_data.dat", "ccel_table.dat", "cos-113-tdx-quote.dat"} {
		b, err := os.ReadFile(filepath.Join(src, "testing", "testdata", "ccel", name))
		if err != nil {
			t.Skipf("go-tdx-guest CCEL test data: %v", err)
		}
		paths[i] = write(t, dir, name, b)
	}
	return paths[0], paths[1], paths[2]
}

func TestVerifyEventLog(t *testing.T) {
	dir := t.TempDir()
	log, table, quote := cos113Files(t, dir)
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--eventlog", log, "--ccel-table", table, quote)
	if code != exitWarning {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if !strings.Contains(out, `"kernel_path":"/syslinux/vmlinuz.A"`) || !strings.Contains(out, "uefi_event_logs") {
		t.Errorf("output lacks the event log claims: %.2000s", out)
	}
	raw, _ := os.ReadFile(log)
	bad := bytes.Clone(raw)
	bad[len(bad)/32] ^= 0xFF // a Secure Boot variable's data: its digest no longer matches
	badLog := write(t, dir, "bad-ccel", bad)
	code, out, errs = runCLI("verify", "--offline", "--at", at, "--eventlog", badLog, quote)
	if code != exitContraindicated || !strings.Contains(out, "event log is not the evidence's history") || !strings.Contains(out, "digest does not match its data") {
		t.Fatalf("tampered log: exit %d: %s", code, out+errs)
	}
	for _, args := range [][]string{
		{"--ccel-table", table, quote},                                                 // a table without a log
		{"--eventlog", log, quote, quote},                                              // one log, two TDs
		{"--eventlog", log, dir},                                                       // one log, a directory
		{"--eventlog", filepath.Join(dir, "none"), quote},                              // unreadable
		{"--eventlog", log, write(t, dir, "snp.bin", gsgdata.AttestationBytes[:1184])}, // an SNP report has no CCEL
	} {
		if code, _, errs := runCLI(append([]string{"verify", "--offline", "--at", at}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d (%s), want usage", args, code, errs)
		}
	}
}

func TestInspectEventLog(t *testing.T) {
	dir := t.TempDir()
	log, _, _ := cos113Files(t, dir)
	code, out, errs := runCLI("inspect", log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"eventlog.rtmr_0", "3fa2f61f", "eventlog.kernel_path", "/syslinux/vmlinuz.A", "eventlog.event.042", "EV_EFI_ACTION", "eventlog.padding"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q", want)
		}
	}
	code, out, _ = runCLI("inspect", "--json", log)
	var j map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || j["uefi_event_logs"] == nil {
		t.Fatalf("inspect --json: exit %d, %.300s", code, out)
	}
	// A TPM log: PCRs, not RTMRs.
	if vectors.Dir() != "" {
		p := write(t, dir, "tpm.bin", vectors.Read(t, "eventlog/go-eventlog/testdata/eventlogs/tpm/ubuntu-2404-amd-sevsnp.bin"))
		code, out, errs := runCLI("inspect", p)
		if code != 0 || !strings.Contains(out, "eventlog.pcrs.sha256.07") || strings.Contains(out, "rtmr_0") {
			t.Errorf("TPM log: exit %d %s %.500s", code, errs, out)
		}
		p = write(t, dir, "csv", vectors.Read(t, "eventlog/trustee/deps/eventlog/test_data/CCEL_data_csv"))
		if code, _, errs := runCLI("inspect", p); code != exitContraindicated || !strings.Contains(errs, "unsupported digest algorithm") {
			t.Errorf("SM3 log: exit %d %s", code, errs)
		}
	}
}
