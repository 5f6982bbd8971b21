// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestCoRIMWorkflow is the appraisal a vendor and a verifier run on real
// evidence: draft a template from a golden quote or report, build and sign
// the CoRIM, verify the evidence against it (executables approved,
// affirming); then change one measurement and the same evidence is not
// approved, the claim named with both values.
func TestCoRIMWorkflow(t *testing.T) {
	dir := t.TempDir()
	k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(k)
	key := write(t, dir, "vendor.key", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	der, _ = x509.MarshalPKIXPublicKey(&k.PublicKey)
	pub := write(t, dir, "vendor.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	for _, tc := range []struct{ id, claim string }{
		{"tdx-phala-v4-b0c06f-uptodate", "mr_td"},
		{"snp-virtee-milan-v2-crl", "measurement"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c := vectors.Cases(t, tc.id)[0]
			raw := c.EvidenceBytes(t)
			if len(raw) > 1184 && tc.claim == "measurement" {
				raw = raw[:1184]
			}
			ev := write(t, dir, tc.id+".bin", raw)
			col := filepath.Join(dir, tc.id+"-collateral")
			os.Mkdir(col, 0o755)
			for _, p := range c.CollateralPaths(t) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				write(t, col, filepath.Base(p), b)
			}
			at := c.At.Format(time.RFC3339)
			tmpl := filepath.Join(dir, tc.id+".json")
			if code, out, errs := runCLI("corim", "from-evidence", ev, "--offline", "--at", at, "--collateral", col, "-o", tmpl); code != 0 {
				t.Fatalf("from-evidence: exit %d %s%s", code, out, errs)
			}
			corim := filepath.Join(dir, tc.id+".corim")
			if code, out, errs := runCLI("corim", "build", tmpl, "-o", corim, "--sign", key, "--signer", "vendor"); code != 0 || !strings.Contains(out, "signed CoRIM") {
				t.Fatalf("build: exit %d %s%s", code, out, errs)
			}
			if code, out, errs := runCLI("corim", "inspect", corim, "--key", pub); code != 0 || !strings.Contains(out, `"signed-corim"`) {
				t.Errorf("inspect: exit %d %s%s", code, out, errs)
			}
			verifyArgs := func(corim string) []string {
				return []string{"verify", "--offline", "--at", at, "--collateral", col, "--refvalues", corim, "--refvalues-key", pub, ev}
			}
			code, out, errs := runCLI(verifyArgs(corim)...)
			if code != exitAffirming || !strings.Contains(out, "executables approved") {
				t.Fatalf("golden CoRIM: exit %d\n%s%s", code, out, errs)
			}
			// Without the vendor's key a signed CoRIM judges nothing.
			if code, _, errs := runCLI("verify", "--offline", "--at", at, "--collateral", col, "--refvalues", corim, ev); code != exitUsage || !strings.Contains(errs, "--refvalues-key") {
				t.Errorf("no key: exit %d %s", code, errs)
			}

			// One measurement changed.
			var m map[string]any
			b, _ := os.ReadFile(tmpl)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			values := m["references"].([]any)[0].(map[string]any)["values"].(map[string]any)
			got, _ := values[tc.claim].(string)
			if got == "" {
				t.Fatalf("template has no %s: %s", tc.claim, b)
			}
			want := strings.Repeat("0", len(got)-1) + "1"
			values[tc.claim] = want
			b, _ = json.Marshal(m)
			changed := write(t, dir, tc.id+"-changed.json", b)
			other := filepath.Join(dir, tc.id+"-changed.corim")
			if code, out, errs := runCLI("corim", "build", changed, "-o", other, "--sign", key); code != 0 {
				t.Fatalf("build changed: exit %d %s%s", code, out, errs)
			}
			code, out, errs = runCLI(verifyArgs(other)...)
			if code != exitWarning || !strings.Contains(out, "executables not approved") || !strings.Contains(out, "expected "+want) || !strings.Contains(out, "got "+got) {
				t.Errorf("changed CoRIM: exit %d\n%s%s", code, out, errs)
			}
		})
	}
}

// TestCoRIMCommandErrors: each subcommand refuses what it cannot use.
func TestCoRIMCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.json", []byte(`{"tee": "tdx", "refs": []}`))
	junk := write(t, dir, "junk.cbor", []byte{0xd9, 0x01, 0xf5, 0x01})
	for _, tt := range []struct {
		args  []string
		code  int
		inErr string
	}{
		{[]string{"corim"}, exitUsage, "want build"},
		{[]string{"corim", "frobnicate"}, exitUsage, "unknown subcommand"},
		{[]string{"corim", "build", bad, "-o", filepath.Join(dir, "x")}, exitUsage, "refs"},
		{[]string{"corim", "build", bad}, exitUsage, "-o FILE"},
		{[]string{"corim", "inspect", junk}, exitContraindicated, "refvalues"},
		{[]string{"corim", "from-evidence", junk, "-o", "-"}, exitUsage, "not genuine evidence"},
	} {
		code, _, errs := runCLI(tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.inErr) {
			t.Errorf("%v: exit %d (want %d), stderr %q lacks %q", tt.args, code, tt.code, errs, tt.inErr)
		}
	}
}

// TestCoRIMx5chain: a CoRIM signed with a certificate chain verifies
// through the root the verifier trusts (--refvalues-root), and not without.
func TestCoRIMx5chain(t *testing.T) {
	dir := t.TempDir()
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CoRIM root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	rootDER, _ := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	root, _ := x509.ParseCertificate(rootDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "CoRIM signer"}, KeyUsage: x509.KeyUsageDigitalSignature,
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, root, &leafKey.PublicKey, rootKey)
	der, _ := x509.MarshalECPrivateKey(leafKey)
	key := write(t, dir, "signer.key", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	chain := write(t, dir, "chain.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}))
	rootFile := write(t, dir, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}))

	q := write(t, dir, "q", gtdata.RawQuoteV5)
	tmpl := filepath.Join(dir, "t.json")
	if code, out, errs := runCLI("corim", "from-evidence", q, "--offline", "--at", at, "-o", tmpl); code != 0 {
		t.Fatalf("from-evidence: %d %s%s", code, out, errs)
	}
	corim := filepath.Join(dir, "x.corim")
	if code, out, errs := runCLI("corim", "build", tmpl, "-o", corim, "--sign", key, "--sign-chain", chain); code != 0 {
		t.Fatalf("build: %d %s%s", code, out, errs)
	}
	// The chain is checked at the verification time: valid at --at, not a
	// year later.
	if code, _, errs := runCLI("verify", "--offline", "--at", "2026-09-01T00:00:00Z", "--refvalues", corim, "--refvalues-root", rootFile, q); code != exitUsage || !strings.Contains(errs, "--refvalues") {
		t.Errorf("leaf expired at the verification time: exit %d %s", code, errs)
	}
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--refvalues", corim, "--refvalues-root", rootFile, q)
	if !strings.Contains(out, "executables approved") {
		t.Errorf("through the root: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := runCLI("verify", "--offline", "--at", at, "--refvalues", corim, q); code != exitUsage || !strings.Contains(errs, "--refvalues-root") {
		t.Errorf("without the root: exit %d %s", code, errs)
	}
}
