// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestNewUser is the CLI as a new user meets it: each input a person may try
// gets its exit status and a message that says what the input is.
func TestNewUser(t *testing.T) {
	dir := t.TempDir()
	quote := write(t, dir, "quote.bin", gtdata.RawQuoteV5)
	certFile := write(t, dir, "cert.pem", []byte(pemCert()))
	empty := write(t, dir, "empty", nil)
	notes := write(t, dir, "notes.txt", []byte("collateral comes from the PCS\n"))
	hexQuote := write(t, dir, "quote.hex", []byte(hex.EncodeToString(gtdata.RawQuoteV5)+"\n"))
	shortSNP := write(t, dir, "short-report", gsgdata.AttestationBytes[:1000])
	report := write(t, dir, "report", gsgdata.AttestationBytes[:1184])
	vcek := write(t, dir, "vcek.der", gsgdata.VcekBytes)
	emptyDir := filepath.Join(dir, "nothing")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	onlyCerts := filepath.Join(dir, "certs")
	if err := os.Mkdir(onlyCerts, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, onlyCerts, "a.pem", []byte(pemCert()))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"help", []string{"--help"}, exitAffirming, "exit status", ""},
		{"verify -h", []string{"verify", "-h"}, exitAffirming, "verify flags", ""},
		{"inspect --help", []string{"inspect", "--help"}, exitAffirming, "usage", ""},
		{"collateral fetch -h", []string{"collateral", "fetch", "-h"}, exitAffirming, "usage", ""},
		{"version", []string{"--version"}, exitAffirming, "ccverify ", ""},
		{"flags after the file", []string{"verify", quote, "--offline", "--at", at}, exitWarning, "warning (tdx quote v5", ""},
		{"flags around the file", []string{"verify", "--offline", quote, "--at", at}, exitWarning, "warning (tdx quote v5", ""},
		{"after --", []string{"verify", "--offline", "--at", at, "--", quote}, exitWarning, "warning (tdx", ""},
		{"inspect, flag after the file", []string{"inspect", quote, "--json"}, exitAffirming, `"mr_td"`, ""},
		{"jobs 0", []string{"verify", "--jobs", "0", quote}, exitUsage, "", "--jobs 0: want at least 1"},
		{"at not RFC 3339", []string{"verify", "--at", "2026-03-01", quote}, exitUsage, "", "want an RFC 3339 time such as 2026-03-01T00:00:00Z"},
		{"empty file", []string{"verify", "--offline", empty}, exitUsage, "", "empty file"},
		{"a PEM certificate", []string{"verify", "--offline", certFile}, exitUsage, "", "a PEM certificate: collateral, not evidence (pass it with --collateral)"},
		{"inspect a PEM certificate", []string{"inspect", certFile}, exitUsage, "", "pass it with --collateral"},
		{"hex text", []string{"verify", "--offline", "--at", at, hexQuote}, exitWarning, "evidence decoded from hex text", ""},
		{"truncated SNP report", []string{"verify", "--offline", shortSNP}, exitContraindicated, "", "snp: report truncated: have 1000 bytes, need 1184"},
		{"empty directory", []string{"verify", "--offline", emptyDir}, exitUsage, "", "no evidence in " + emptyDir},
		{"directory of certificates", []string{"verify", "--offline", onlyCerts}, exitUsage, "", "no evidence in " + onlyCerts},
		{"device", []string{"verify", "--offline", "/dev/zero"}, exitUsage, "", "not a regular file"},
		{"FIFO", []string{"verify", "--offline", fifo}, exitUsage, "", "not a regular file"},
		{"too large", []string{"verify", "--offline", "--max-size", "100", quote}, exitUsage, "", "evidence too large"},
		{"unrecognized collateral", []string{"verify", "--offline", "--allow-debug", "--at", "2025-06-01T00:00:00Z", "--collateral", notes, "--collateral", vcek, report}, exitWarning, "", "--collateral " + notes + ": not collateral ccverify recognizes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var code int
			var out, errs string
			go func() {
				defer close(done)
				code, out, errs = runCLI(tt.args...)
			}()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("hangs") // a FIFO read before its type is checked
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			if !strings.Contains(out, tt.inStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.inStdout, out)
			}
			if !strings.Contains(errs, tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, errs)
			}
		})
	}
}

// TestDirectorySkipsNonEvidence audits a directory as users keep them:
// evidence beside certificates, CRLs and notes. What is not evidence is
// skipped and counted, named with --verbose, and gets no EAR.
func TestDirectorySkipsNonEvidence(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a-quote", gtdata.RawQuoteV5)
	write(t, dir, "b-cert.pem", []byte(pemCert()))
	write(t, dir, "c-README.md", []byte("# quotes from the fleet\n"))
	write(t, dir, "d-meta.json", []byte(`{"host": "x"}`))

	code, out, errs := runCLI("verify", "--offline", "--at", at, dir)
	if code != exitWarning {
		t.Errorf("exit %d, want %d (the one quote's warning)\n%s%s", code, exitWarning, out, errs)
	}
	if !strings.Contains(out, "1 file(s): 0 affirming, 1 warning, 0 contraindicated or failed, 3 skipped") {
		t.Errorf("summary:\n%s", out)
	}
	if strings.Contains(errs, "b-cert.pem") {
		t.Errorf("skipped files named without --verbose:\n%s", errs)
	}
	_, _, errs = runCLI("verify", "--offline", "--at", at, "--verbose", dir)
	for _, name := range []string{"b-cert.pem", "c-README.md", "d-meta.json"} {
		if !strings.Contains(errs, "skipped "+filepath.Join(dir, name)) {
			t.Errorf("--verbose does not name %s:\n%s", name, errs)
		}
	}
	code, out, _ = runCLI("verify", "--offline", "--at", at, "--output", "ear", dir)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "a-quote") {
		t.Errorf("ear output: %d lines, want one EAR, for the quote:\n%s", len(lines), out)
	}
	if code != exitWarning {
		t.Errorf("ear output: exit %d", code)
	}
}

// TestJSONLinesNameTheirFile: each JSON line says which file it judged and
// carries the evidence's SHA-256, whatever order the lines come in.
func TestJSONLinesNameTheirFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		write(t, dir, "v4", gtdata.RawQuote):   gtdata.RawQuote,
		write(t, dir, "v5", gtdata.RawQuoteV5): gtdata.RawQuoteV5,
	}
	_, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "2", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s%s", len(lines), out, errs)
	}
	for _, l := range lines {
		var m struct {
			Path    string
			Submods map[string]struct {
				Evidence map[string]any `json:"ear.veraison.annotated-evidence"`
			}
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		raw, ok := files[m.Path]
		if !ok {
			t.Fatalf("line names %q, not one of the files", m.Path)
		}
		sum := sha256.Sum256(raw)
		if got := m.Submods["tdx"].Evidence["evidence_sha256"]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: evidence_sha256 %v, want %x", m.Path, got, sum)
		}
	}
}

// TestSNPSummary: the text verdict of an SNP report shows what the TDX one
// shows for a quote: which platform, which key, which TCB, which data.
func TestSNPSummary(t *testing.T) {
	dir := t.TempDir()
	rep := write(t, dir, "report.bin", gsgdata.AttestationBytes[:1184])
	col := write(t, dir, "vcek.der", gsgdata.VcekBytes)
	_, out, errs := runCLI("verify", "--offline", "--allow-debug", "--at", "2025-06-01T00:00:00Z", "--collateral", col, rep)
	for _, want := range []string{"(snp report v2, Milan, VCEK, TCB bl ", " snp ", " ucode ", "report_data ", "host_data ", "measurement ", "chip_id "} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s%s", want, out, errs)
		}
	}
}

// pemCert is a real certificate (go-sev-guest's VCEK) as PEM: collateral a
// user may drop among evidence.
func pemCert() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gsgdata.VcekBytes}))
}

// TestExitUnavailable: when the verifier cannot get what it needs to judge
// (the PCS answers 503), the exit status is 4, not a verdict on the evidence.
func TestExitUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	q := write(t, t.TempDir(), "quote", gtdata.RawQuoteV5)
	code, out, errs := runCLI("verify", "--at", at, "--pcs-url", srv.URL, "--output", "json", q)
	if code != exitUnavailable || !strings.Contains(errs, "could not judge") {
		t.Errorf("exit %d, want %d\n%s%s", code, exitUnavailable, out, errs)
	}
	if !strings.Contains(out, `"hardware":-1`) && !strings.Contains(out, `"hardware": -1`) {
		t.Errorf("hardware claim is not -1 (verifier malfunction): %s", out)
	}
}

// TestPolicyFlag: --policy is read strictly (a misspelt key is a usage
// error) and its ID reaches the EAR.
func TestPolicyFlag(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q", gtdata.RawQuoteV5)
	bad := write(t, dir, "bad.json", []byte(`{"require_crl": true}`))
	code, _, errs := runCLI("verify", "--offline", "--at", at, "--policy", bad, q)
	if code != exitUsage || !strings.Contains(errs, `unknown field "require_crl"`) {
		t.Errorf("misspelt policy: exit %d, %s", code, errs)
	}
	good := write(t, dir, "good.json", []byte(`{"allow_debug": false}`))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--policy", good, "--output", "json", q)
	if code != exitWarning || !strings.Contains(out, `"ear.appraisal-policy-id":"sha256:`) {
		t.Errorf("policy id: exit %d\n%s%s", code, out, errs)
	}
}

// TestTSMReportDir: a configfs-tsm report directory, named or inside an
// audit folder, is one piece of evidence, not a folder of files.
func TestTSMReportDir(t *testing.T) {
	audit := t.TempDir()
	tsm := tsmDir(t, audit)
	write(t, audit, "quote.bin", gtdata.RawQuote)
	code, out, errs := runCLI("verify", "--offline", "--at", at, tsm)
	if code != exitWarning || !strings.Contains(out, "report0 > configfs-tsm dir") {
		t.Errorf("named tsm dir: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI("verify", "--offline", "--at", at, audit)
	if code != exitWarning || !strings.Contains(out, "2 file(s): 0 affirming, 2 warning") {
		t.Errorf("audit with a tsm dir: exit %d\n%s%s", code, out, errs)
	}
}
