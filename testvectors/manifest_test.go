// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
)

// dataDir is the committed generated vectors.
const dataDir = "data"

// sentinels maps the manifest's error names to the errors they denote.
var sentinels = map[string]error{
	"verify.ErrFormat": verify.ErrFormat, "verify.ErrEvidence": verify.ErrEvidence, "verify.ErrGenuine": verify.ErrGenuine,
	"verify.ErrCollateral": verify.ErrCollateral, "verify.ErrTCB": verify.ErrTCB, "verify.ErrPolicy": verify.ErrPolicy,
	"verify.ErrUnavailable": verify.ErrUnavailable, "verify.ErrFreshness": verify.ErrFreshness, "verify.ErrTooLarge": verify.ErrTooLarge,

	"tdx.ErrTruncated": tdx.ErrTruncated, "tdx.ErrVersion": tdx.ErrVersion, "tdx.ErrTrailingData": tdx.ErrTrailingData, "tdx.ErrLength": tdx.ErrLength,

	"intel.ErrCertificate": intel.ErrCertificate, "intel.ErrChain": intel.ErrChain, "intel.ErrExpired": intel.ErrExpired,
	"intel.ErrQEReportSignature": intel.ErrQEReportSignature, "intel.ErrQEReportData": intel.ErrQEReportData,
	"intel.ErrAttestationKey": intel.ErrAttestationKey, "intel.ErrQuoteSignature": intel.ErrQuoteSignature,
	"intel.ErrCollateralFormat": intel.ErrCollateralFormat, "intel.ErrCollateralSignature": intel.ErrCollateralSignature,
	"intel.ErrCollateralExpired": intel.ErrCollateralExpired, "intel.ErrCollateralNotYetValid": intel.ErrCollateralNotYetValid,
	"intel.ErrCollateralMissing": intel.ErrCollateralMissing, "intel.ErrRevoked": intel.ErrRevoked,
	"intel.ErrTCBInfoMismatch": intel.ErrTCBInfoMismatch, "intel.ErrFMSPCMismatch": intel.ErrFMSPCMismatch,
	"intel.ErrQEIdentityMismatch": intel.ErrQEIdentityMismatch, "intel.ErrModuleIdentityMismatch": intel.ErrModuleIdentityMismatch,
	"intel.ErrTCBNotSupported": intel.ErrTCBNotSupported, "intel.ErrTCBRevoked": intel.ErrTCBRevoked,
	"intel.ErrCollateralStale": intel.ErrCollateralStale, "intel.ErrQEVendorID": intel.ErrQEVendorID,

	"snp.ErrTruncated": snp.ErrTruncated,

	"amd.ErrChain": amd.ErrChain, "amd.ErrExpired": amd.ErrExpired, "amd.ErrRevoked": amd.ErrRevoked,
	"amd.ErrExtensionMismatch": amd.ErrExtensionMismatch, "amd.ErrSignature": amd.ErrSignature, "amd.ErrPolicy": amd.ErrPolicy,
	"amd.ErrCollateralMissing": amd.ErrCollateralMissing, "amd.ErrCollateral": amd.ErrCollateral, "amd.ErrCRL": amd.ErrCRL,
	"amd.ErrPolicyInvalid": amd.ErrPolicyInvalid,
}

func loadManifest(t testing.TB, dir string) *testvectors.Manifest {
	t.Helper()
	m, err := testvectors.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func path(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

func readCerts(t testing.TB, file string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no certificate", file)
	}
	return out
}

// outcome is what a run produced, in the manifest's terms.
type outcome struct {
	status    string
	err       error
	tcbStatus string
	claims    map[string]any // JSON-normalized
}

// check compares an outcome with the case's expectation: every named sentinel
// is wrapped (the failure is for the stated reason), none when none is named.
func check(t *testing.T, c testvectors.Case, o outcome) {
	t.Helper()
	e := c.Expect
	if len(e.Errors) == 0 && o.err != nil {
		t.Errorf("unexpected error: %v", o.err)
	}
	if len(e.Errors) > 0 && o.err == nil {
		t.Errorf("verified; want %v", e.Errors)
	}
	for _, name := range e.Errors {
		s, ok := sentinels[name]
		if !ok {
			t.Fatalf("manifest names unknown sentinel %q", name)
		}
		if o.err != nil && !errors.Is(o.err, s) {
			t.Errorf("error %v\n\tdoes not wrap %s", o.err, name)
		}
	}
	if o.err != nil && e.Message != "" && !strings.Contains(o.err.Error(), e.Message) {
		t.Errorf("error %v\n\tdoes not say %q", o.err, e.Message)
	}
	if e.Status != "" && o.status != e.Status {
		t.Errorf("status %q, want %q (error %v)", o.status, e.Status, o.err)
	}
	if o.tcbStatus != e.TCBStatus {
		t.Errorf("tcb_status %q, want %q", o.tcbStatus, e.TCBStatus)
	}
	for k, want := range e.Claims {
		got, ok := claim(o.claims, k)
		if !ok {
			t.Errorf("claim %s absent, want %v", k, want)
			continue
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("claim %s = %s, want %s", k, g, w)
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// normalize round-trips claims through JSON, as the EAR carries them.
func normalize(t testing.TB, c map[string]any) map[string]any {
	var out map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, c)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// claim looks up a dotted path: a literal key first, then through nested maps.
func claim(m map[string]any, k string) (any, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for i := range len(k) {
		if k[i] != '.' {
			continue
		}
		if sub, ok := m[k[:i]].(map[string]any); ok {
			if v, ok := claim(sub, k[i+1:]); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// verifyOptions are the public API's options for a case.
func verifyOptions(t testing.TB, dir string, c testvectors.Case) verify.Options {
	o := verify.Options{
		Time: c.At, Offline: true,
		// The generated cases judge the hardware path: no reference values.
		RefValues:  verify.RefValueOptions{HardwareOnly: true},
		AllowDebug: c.Options.AllowDebug, RequireCRLs: c.Options.RequireCRLs, RequireCollateral: c.Options.RequireCollateral,
		AllowExpiredCollateral: c.Options.AllowExpiredCollateral, StrictTrailingData: c.Options.StrictTrailingData,
	}
	for _, p := range c.Collateral {
		o.Collateral = append(o.Collateral, path(dir, p))
	}
	if c.Roots.Intel != "" {
		o.Intel.Roots = readCerts(t, path(dir, c.Roots.Intel))
	}
	if c.Roots.AMD != "" {
		o.AMD.Roots = readCerts(t, path(dir, c.Roots.AMD))
	}
	return o
}

// snpTCB turns the manifest's component map into snp.TCBParts.
func snpTCB(m map[string]int, fmc bool) *snp.TCBParts {
	if m == nil {
		return nil
	}
	return &snp.TCBParts{HasFMC: fmc, FMC: uint8(m["fmc"]), BootLoader: uint8(m["bootloader"]), TEE: uint8(m["tee"]), SNP: uint8(m["snp"]), Microcode: uint8(m["microcode"])}
}

// runEvidence verifies a case through the public API, verify.Evidence.
func runEvidence(t *testing.T, dir string, c testvectors.Case) outcome {
	raw, err := os.ReadFile(path(dir, c.Evidence))
	if err != nil {
		t.Fatal(err)
	}
	opts := verifyOptions(t, dir, c)
	if c.Options.DenyDebug || c.Options.MinimumTCB != nil {
		fmc := false
		if r, _, err := snp.ParsePrefix(raw); err == nil {
			fmc = r.Product() == snp.Turin
		}
		opts.AMD.Policy = &amd.Policy{DenyDebug: c.Options.DenyDebug, MinimumTCB: snpTCB(c.Options.MinimumTCB, fmc)}
	}
	res, err := verify.Evidence(context.Background(), raw, opts)
	if res == nil {
		t.Fatal("nil Result")
	}
	if err != nil && !errors.Is(res.Err, err) {
		t.Errorf("Result.Err %v, returned %v", res.Err, err)
	}
	if err == nil && res.Format != verify.Format(c.TEE) {
		t.Errorf("format %q, want %q", res.Format, c.TEE)
	}
	o := outcome{status: res.Status.String(), err: err, claims: normalize(t, res.Claims)}
	o.tcbStatus, _ = res.Claims["tcb_status"].(string)
	return o
}

// TestManifest runs every generated case through the public API and checks
// its outcome; each negative case must fail with every sentinel it names.
func TestManifest(t *testing.T) {
	m := loadManifest(t, dataDir)
	counts := map[string]int{}
	for _, c := range m.Cases {
		t.Run(c.ID, func(t *testing.T) {
			if c.TEE != "tdx" && c.TEE != "snp" {
				t.Fatalf("unknown TEE %q", c.TEE)
			}
			o := runEvidence(t, dataDir, c)
			check(t, c, o)
			kind := "positive"
			if len(c.Expect.Errors) > 0 {
				kind = "negative"
			}
			counts[c.TEE+" "+kind+" "+o.status]++
		})
	}
	if len(m.Cases) < 40 {
		t.Errorf("%d cases, want at least 40", len(m.Cases))
	}
	t.Logf("%d cases: %v", len(m.Cases), counts)
}

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// buildCLI builds cmd/ccverify once into a temporary directory.
func buildCLI(t *testing.T) string {
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ccverify-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "ccverify")
		if runtime.GOOS == "windows" {
			cliPath += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", cliPath, "github.com/ccverify/ccverify/cmd/ccverify").CombinedOutput()
		if err != nil {
			cliErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliPath
}

// TestManifestCLI runs the cases through `ccverify verify --output json`
// and checks the exit status, the EAR status and TCB status it prints, and
// that stderr names each expected sentinel's message.
func TestManifestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool to build the CLI")
	}
	bin := buildCLI(t)
	m := loadManifest(t, dataDir)
	n := 0
	for _, c := range m.Cases {
		n++
		t.Run(c.ID, func(t *testing.T) {
			args := []string{"verify", "--offline", "--hardware-only", "--output", "json", "--at", c.At.UTC().Format("2006-01-02T15:04:05Z07:00")}
			if c.Roots.Intel != "" {
				args = append(args, "--intel-root", path(dataDir, c.Roots.Intel))
			}
			if c.Roots.AMD != "" {
				args = append(args, "--amd-root", path(dataDir, c.Roots.AMD))
			}
			if c.Options.DenyDebug || c.Options.MinimumTCB != nil {
				args = append(args, "--snp-policy", snpPolicyFile(t, dataDir, c))
			}
			for _, p := range c.Collateral {
				args = append(args, "--collateral", path(dataDir, p))
			}
			for flag, on := range map[string]bool{"--allow-debug": c.Options.AllowDebug, "--require-crls": c.Options.RequireCRLs, "--require-collateral": c.Options.RequireCollateral,
				"--allow-expired-collateral": c.Options.AllowExpiredCollateral, "--strict-trailing": c.Options.StrictTrailingData} {
				if on {
					args = append(args, flag)
				}
			}
			args = append(args, path(dataDir, c.Evidence))
			cmd := exec.Command(bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"affirming": 0, "warning": 1, "contraindicated": 2}[c.Expect.Status]
			if code != want {
				t.Errorf("exit %d, want %d (%s)\nstderr: %s", code, want, c.Expect.Status, stderr.String())
			}
			var ar struct {
				Submods map[string]map[string]json.RawMessage `json:"submods"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &ar); err != nil {
				t.Fatalf("stdout is not an EAR claims set: %v\n%s", err, stdout.String())
			}
			sub, ok := ar.Submods[c.TEE]
			if !ok && slices.Contains(c.Expect.Errors, "verify.ErrFormat") {
				sub = ar.Submods["unknown"] // not recognized as any TEE's evidence
			}
			var status string
			_ = json.Unmarshal(sub["ear.status"], &status)
			if status != c.Expect.Status {
				t.Errorf("ear.status %q, want %q", status, c.Expect.Status)
			}
			var ev map[string]any
			_ = json.Unmarshal(sub["ear.veraison.annotated-evidence"], &ev)
			if got, _ := ev["tcb_status"].(string); got != c.Expect.TCBStatus {
				t.Errorf("tcb_status %q, want %q", got, c.Expect.TCBStatus)
			}
			for _, name := range c.Expect.Errors {
				if msg := sentinels[name].Error(); !strings.Contains(stderr.String(), msg) {
					t.Errorf("stderr does not name %s (%q):\n%s", name, msg, stderr.String())
				}
			}
			if !strings.Contains(stderr.String(), c.Expect.Message) {
				t.Errorf("stderr does not say %q:\n%s", c.Expect.Message, stderr.String())
			}
			if len(c.Expect.Errors) == 0 && strings.Contains(stderr.String(), c.Evidence) {
				t.Errorf("stderr reports a failure: %s", stderr.String())
			}
		})
	}
	t.Logf("%d cases through the CLI", n)
}

// TestRegenerate regenerates the vectors from the committed seed and
// compares every file byte for byte.
func TestRegenerate(t *testing.T) {
	m := loadManifest(t, dataDir)
	set := testvectors.Generate(m.Seed)
	if d := set.Diff(dataDir); len(d) > 0 {
		t.Fatalf("regeneration differs from the committed files (run `go run ./testvectors/cmd/tvgen`):\n%s", strings.Join(d, "\n"))
	}
	t.Logf("%d files and the manifest reproduce byte for byte", len(set.Files))
}

// TestSEPKI checks the IBM-shaped Secure Execution PKI as s390-tools checks
// HKDs: the signing key chains to the test root through the intermediate
// (code signing); each HKD's signature verifies with the signing key's key
// (not a CA: no path building), within its window at the manifest time; the
// good HKD's key is the committed host key; the signing key's CRL lists the
// revoked HKD.
func TestSEPKI(t *testing.T) {
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range readCerts(t, path(dataDir, testvectors.SERoot)) {
		roots.AddCert(c)
	}
	chain := readCerts(t, path(dataDir, testvectors.SEChain))
	signing := chain[0]
	for _, c := range chain[1:] {
		inters.AddCert(c)
	}
	at := loadManifest(t, dataDir).Cases[0].At
	if _, err := signing.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}); err != nil {
		t.Fatalf("signing key: %v", err)
	}
	if signing.Subject.OrganizationalUnit[0] != "IBM Z Host Key Signing Service" {
		t.Errorf("signing key subject %v", signing.Subject)
	}
	for _, f := range []string{testvectors.SEHKD, testvectors.SEHKDRevoked, testvectors.SEHKDExpired} {
		hkd := readCerts(t, path(dataDir, f))[0]
		if err := signing.CheckSignature(hkd.SignatureAlgorithm, hkd.RawTBSCertificate, hkd.Signature); err != nil || hkd.SignatureAlgorithm != x509.SHA512WithRSAPSS {
			t.Errorf("%s: %v signature: %v", f, hkd.SignatureAlgorithm, err)
		}
		valid := !at.Before(hkd.NotBefore) && !at.After(hkd.NotAfter)
		if valid != (f != testvectors.SEHKDExpired) {
			t.Errorf("%s: valid %v..%v at %v", f, hkd.NotBefore, hkd.NotAfter, at)
		}
	}
	b, err := os.ReadFile(path(dataDir, testvectors.SESigningKeyCRL))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.CheckSignature(crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature); err != nil {
		t.Errorf("signing key CRL signature: %v", err)
	}
	revoked := readCerts(t, path(dataDir, testvectors.SEHKDRevoked))[0]
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(revoked.SerialNumber) != 0 {
		t.Errorf("signing key CRL lists %v, want the revoked HKD %v", crl.RevokedCertificateEntries, revoked.SerialNumber)
	}
	kb, err := os.ReadFile(path(dataDir, testvectors.SEHKDKey))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(kb)
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := key.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool })
	if !pub.Equal(readCerts(t, path(dataDir, testvectors.SEHKD))[0].PublicKey) {
		t.Error("host key does not match the HKD")
	}
}

// snpPolicyFile writes the case's SNP policy as the CLI's --snp-policy JSON.
func snpPolicyFile(t *testing.T, dir string, c testvectors.Case) string {
	raw, err := os.ReadFile(path(dir, c.Evidence))
	if err != nil {
		t.Fatal(err)
	}
	fmc := false
	if r, _, err := snp.ParsePrefix(raw); err == nil {
		fmc = r.Product() == snp.Turin
	}
	b, err := json.Marshal(amd.Policy{DenyDebug: c.Options.DenyDebug, MinimumTCB: snpTCB(c.Options.MinimumTCB, fmc)})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
