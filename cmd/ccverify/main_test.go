// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/fakepcs"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

const at = "2026-03-01T00:00:00Z"

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tsmDir makes a configfs-tsm report directory, dir/report0, holding go-tdx-guest's v5 quote.
func tsmDir(t *testing.T, dir string) string {
	t.Helper()
	tsm := filepath.Join(dir, "report0")
	if err := os.Mkdir(tsm, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, tsm, "outblob", gtdata.RawQuoteV5)
	write(t, tsm, "provider", []byte("tdx_guest\n"))
	write(t, tsm, "generation", []byte("1\n"))
	return tsm
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e strings.Builder
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestInspect(t *testing.T) {
	p := write(t, t.TempDir(), "q5", gtdata.RawQuoteV5)
	code, out, errs := runCLI("inspect", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"format", "tdx", "quote.body.mr_servicetd", "qe_isvsvn", "sgx.fmspc", "90c06f000000", "TD Report 1.5", "pck_chain.pck.serial"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q", want)
		}
	}
	code, out, _ = runCLI("inspect", "--json", p)
	var m map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil {
		t.Fatalf("inspect --json: exit %d, %q", code, out)
	}
	if sgx, _ := m["inspect"].(map[string]any)["sgx"].(map[string]any); sgx["fmspc"] != "90c06f000000" || m["quote"].(map[string]any)["body"].(map[string]any)["mr_td"] == nil {
		t.Errorf("inspect --json: %v", m)
	}
}

func TestVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good", gtdata.RawQuoteV5)
	bad := append([]byte(nil), gtdata.RawQuoteV5...)
	bad[100] ^= 1
	badPath := write(t, dir, "bad", bad)

	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"no command", nil, exitUsage, "", "usage"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", "unknown command"},
		{"no file", []string{"verify"}, exitUsage, "", "no evidence file"},
		{"bad flag", []string{"verify", "--output", "xml", good}, exitUsage, "", "--output"},
		{"bad time", []string{"verify", "--at", "yesterday", good}, exitUsage, "", "--at"},
		{"missing file", []string{"verify", filepath.Join(dir, "nope")}, exitUsage, "", "nope"},
		{"genuine without collateral", []string{"verify", "--offline", "--at", at, good}, exitWarning, "warning (tdx quote v5, FMSPC 90c06f000000)", ""},
		{"bit flip", []string{"verify", "--offline", "--at", at, badPath}, exitContraindicated, "contraindicated", "bad: verify: evidence is not proven genuine: intel: quote signature does not verify"},
		{"audit", []string{"verify", "--offline", "--at", at, good, badPath}, exitContraindicated, "2 file(s): 0 affirming, 1 warning, 1 contraindicated or failed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(tt.args...)
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

func TestVerifyDirectoryJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a-v4", gtdata.RawQuote)
	write(t, dir, "b-v5", gtdata.RawQuoteV5)
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "2", dir)
	if code != exitWarning {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per file:\n%s", len(lines), out)
	}
	for i, want := range []string{"50806f000000", "90c06f000000"} { // argument (lexical) order
		var ar ear.AttestationResult
		if err := ar.UnmarshalJSON([]byte(lines[i])); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		sub := ar.Submods["tdx"]
		if sub == nil || *sub.Status != ear.TrustTierWarning || (*sub.VeraisonAnnotatedEvidence)["fmspc"] != want {
			t.Errorf("line %d: %s", i, lines[i])
		}
	}
	if !strings.Contains(errs, "2 file(s)") {
		t.Errorf("no summary on stderr: %q", errs)
	}
}

func TestVerifyEAROutput(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q", gtdata.RawQuoteV5)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(key)
	kp := write(t, dir, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "ear", "--signing-key", kp, q)
	if code != exitWarning {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var line struct{ Path, Evidence_SHA256, EAR string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &line); err != nil || line.Path != q {
		t.Fatalf("ear line %q: %v (path %q, want %q)", out, err, line.Path, q)
	}
	ar, err := verify.VerifyEAR([]byte(line.EAR), &key.PublicKey, verify.EARVerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(gtdata.RawQuoteV5); line.Evidence_SHA256 != hex.EncodeToString(sum[:]) ||
		(*ar.Submods["tdx"].VeraisonAnnotatedEvidence)["evidence_sha256"] != line.Evidence_SHA256 {
		t.Errorf("evidence_sha256 %q (line) / %v (signed claims), want the file's SHA-256", line.Evidence_SHA256, (*ar.Submods["tdx"].VeraisonAnnotatedEvidence)["evidence_sha256"])
	}
	if *ar.Submods["tdx"].Status != ear.TrustTierWarning {
		t.Errorf("status %v", *ar.Submods["tdx"].Status)
	}
	// Without --signing-key: an ephemeral key, announced on stderr.
	_, _, errs = runCLI("verify", "--offline", "--at", at, "--output", "ear", q)
	if !strings.Contains(errs, "ephemeral P-256 key") || !strings.Contains(errs, "BEGIN PUBLIC KEY") {
		t.Errorf("ephemeral key not announced: %q", errs)
	}
}

// TestCollateralFetchThenVerify is the offline workflow: fetch a quote's
// collateral from a (fake) PCS into a directory, then verify offline with it.
func TestCollateralFetchThenVerify(t *testing.T) {
	f := fakepcs.New(t)
	c := vectors.Cases(t, "tdx-phala-v4-b0c06f-uptodate")[0]
	dir := t.TempDir()
	q := write(t, dir, "quote", c.EvidenceBytes(t))
	col := filepath.Join(dir, "collateral")
	code, out, errs := runCLI("collateral", "fetch", "--pcs-url", f.URL, q, "--out", col)
	if code != 0 || !strings.Contains(out, "b0c06f000000") {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errs)
	}
	// Genuine and current, but nothing says what the TD runs: a warning,
	// affirming with its MRTD expected (or --hardware-only).
	code, out, errs = runCLI("verify", "--offline", "--at", c.At.Format(time.RFC3339), "--collateral", col, q)
	if code != exitWarning || !strings.Contains(out, "warning (tdx quote v4, FMSPC b0c06f000000, TCB UpToDate)") || !strings.Contains(out, "software not appraised") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI("verify", "--offline", "--at", c.At.Format(time.RFC3339), "--collateral", col, "--expect", "mr_td="+c.Fact("mr_td"), q)
	if code != exitAffirming || !strings.Contains(out, "affirming (tdx quote v4, FMSPC b0c06f000000, TCB UpToDate)") || !strings.Contains(out, "executables approved") {
		t.Fatalf("verify --expect: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI("verify", "--offline", "--at", c.At.Format(time.RFC3339), "--collateral", col, "--hardware-only", q)
	if code != exitAffirming {
		t.Fatalf("verify --hardware-only: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("verify", "--offline", "--at", c.At.Format(time.RFC3339), "--collateral", col, "--expect", "mr_td="+strings.Repeat("00", 48), q)
	if code != exitWarning || !strings.Contains(out, "executables not approved") || !strings.Contains(out, "got "+c.Fact("mr_td")) {
		t.Fatalf("verify --expect other: exit %d\n%s", code, out)
	}
	// A year later the collateral has expired: it counts as none (a
	// warning saying why), or fails with --require-collateral.
	later := c.At.AddDate(1, 0, 0).Format(time.RFC3339)
	code, out, _ = runCLI("verify", "--offline", "--at", later, "--collateral", col, q)
	if code != exitWarning || !strings.Contains(out, "TCB status not evaluated") || !strings.Contains(out, "expired") {
		t.Errorf("expired collateral: exit %d, %s", code, out)
	}
	code, _, errs = runCLI("verify", "--offline", "--at", later, "--require-collateral", "--collateral", col, q)
	if code != exitContraindicated || !strings.Contains(errs, "expired") {
		t.Errorf("expired collateral, --require-collateral: exit %d, %s", code, errs)
	}
	code, out, _ = runCLI("verify", "--offline", "--at", later, "--allow-expired-collateral", "--collateral", col, q)
	if code != exitWarning || !strings.Contains(out, "collateral expired") {
		t.Errorf("--allow-expired-collateral: exit %d\n%s", code, out)
	}
}

func TestSNP(t *testing.T) {
	dir := t.TempDir()
	rep := write(t, dir, "report.bin", gsgdata.AttestationBytes[:snp.ReportSize])
	write(t, filepath.Join(dir), "vcek.der", gsgdata.VcekBytes)
	code, out, errs := runCLI("inspect", rep)
	if code != 0 || !strings.Contains(out, "policy_debug_allowed") || !strings.Contains(out, "measurement") {
		t.Fatalf("inspect: exit %d\n%s%s", code, out, errs)
	}
	// go-sev-guest's guest allows debugging: contraindicated unless allowed.
	col := filepath.Join(dir, "vcek.der")
	code, out, errs = runCLI("verify", "--offline", "--at", "2025-06-01T00:00:00Z", "--collateral", col, rep)
	if code != exitContraindicated || !strings.Contains(out, "debug guest") {
		t.Errorf("debug guest: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI("verify", "--offline", "--allow-debug", "--at", "2025-06-01T00:00:00Z", "--collateral", col, rep)
	if code != exitWarning || !strings.Contains(out, "pinned AMD Milan ARK") || !strings.Contains(out, "revocation not checked") {
		t.Errorf("--allow-debug: exit %d\n%s%s", code, out, errs)
	}
	// Without its VCEK, offline, the report cannot be proven.
	code, _, errs = runCLI("verify", "--offline", "--at", "2025-06-01T00:00:00Z", rep)
	if code != exitContraindicated || !strings.Contains(errs, "no VCEK") {
		t.Errorf("no VCEK: exit %d, %s", code, errs)
	}
}

// TestCollateralFetchSNP: an SNP report's VCEK and chain CRL fetched from a
// (fake) KDS, proved against the report before they are written, then read
// back by verify --offline --collateral.
func TestCollateralFetchSNP(t *testing.T) {
	rep, err := snp.Parse(gsgdata.AttestationBytes[:snp.ReportSize])
	if err != nil {
		t.Fatal(err)
	}
	crl := vectors.Read(t, "snp/amd-kds-crl/milan-crl-6.der")
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		switch {
		case r.URL.Path == "/vcek/v1/Milan/crl":
			w.Write(crl)
		case r.URL.Path == "/vcek/v1/Milan/"+hex.EncodeToString(rep.ChipID()):
			w.Write(gsgdata.VcekBytes)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	q := write(t, dir, "report", gsgdata.AttestationBytes[:snp.ReportSize])
	col := filepath.Join(dir, "collateral")
	code, out, errs := runCLI("collateral", "fetch", q, "--out", col, "--kds-url", srv.URL, "--snp-product", "Milan")
	if code != 0 || !strings.Contains(out, "Milan report") {
		t.Fatalf("fetch: exit %d %s%s (asked %v)", code, out, errs, asked)
	}
	for _, f := range []string{"vcek.der", "vcek-crl.der"} {
		if _, err := os.Stat(filepath.Join(col, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	code, out, errs = runCLI("verify", "--offline", "--allow-debug", "--hardware-only", "--at", "2025-06-01T00:00:00Z", "--collateral", col, q)
	// go-sev-guest's guest allows debugging: a warning by option, but with
	// the fetched CRL revocation is checked.
	if code != exitWarning || !strings.Contains(out, "pinned AMD Milan ARK") || strings.Contains(out, "revocation not checked") {
		t.Errorf("verify with the fetched collateral: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCLI("collateral", "fetch", q, "--out", col, "--kds-url", srv.URL, "--snp-product", "Venice")
	if code != exitUsage || !strings.Contains(errs, "--snp-product") {
		t.Errorf("bad product: exit %d %s", code, errs)
	}
}
