// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// reportData is REPORT_DATA of go-tdx-guest's v5 quote, read through inspect.
func reportData(t *testing.T, quote string) string {
	t.Helper()
	_, out, _ := runCLI("inspect", "--json", quote)
	var m struct {
		ReportData string `json:"report_data"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.ReportData == "" {
		t.Fatalf("%v: %s", err, out)
	}
	return m.ReportData
}

// TestNonce: with the right nonce the quote verifies and the EAR echoes it;
// with another, it is rejected (ErrFreshness, exit 2) naming both values.
func TestNonce(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q", gtdata.RawQuoteV5)
	rd := reportData(t, q)
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--nonce", rd, "--output", "json", q)
	if code != exitWarning || !strings.Contains(out, `"eat_nonce"`) {
		t.Errorf("right nonce: exit %d\n%s%s", code, out, errs)
	}
	other := "00" + rd[2:]
	if rd[:2] == "00" {
		other = "01" + rd[2:]
	}
	code, _, errs = runCLI("verify", "--offline", "--at", at, "--nonce", other, q)
	if code != exitContraindicated || !strings.Contains(errs, "not bound to this request") || !strings.Contains(errs, "REPORT_DATA "+rd) {
		t.Errorf("wrong nonce: exit %d\n%s", code, errs)
	}
	code, _, errs = runCLI("verify", "--offline", "--at", at, "--report-data-hash", "md5", "--nonce", rd, q)
	if code != exitUsage || !strings.Contains(errs, "--report-data-hash") {
		t.Errorf("bad hash: exit %d %s", code, errs)
	}
	code, _, errs = runCLI("verify", "--offline", "--at", at, "--nonce", "zz", q)
	if code != exitUsage || !strings.Contains(errs, "--nonce") {
		t.Errorf("bad nonce: exit %d %s", code, errs)
	}
}

// TestEARVerify is the relying party's side: ccverify ear verify accepts the
// EAR verify issued (exit by its status) and rejects a flipped byte, another
// key, an expired token and another nonce (exit 2), each named.
func TestEARVerify(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q", gtdata.RawQuoteV5)
	rd := reportData(t, q)
	for _, kt := range []string{"p256", "ed25519"} {
		t.Run(kt, func(t *testing.T) {
			var priv, pub []byte
			if kt == "p256" {
				k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				der, _ := x509.MarshalECPrivateKey(k)
				priv = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
				der, _ = x509.MarshalPKIXPublicKey(&k.PublicKey)
				pub = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			} else {
				p, k, _ := ed25519.GenerateKey(rand.Reader)
				der, _ := x509.MarshalPKCS8PrivateKey(k)
				priv = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
				der, _ = x509.MarshalPKIXPublicKey(p)
				pub = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			}
			keyFile := write(t, dir, kt+".key", priv)
			pubFile := write(t, dir, kt+".pub", pub)
			code, out, errs := runCLI("verify", "--offline", "--at", at, "--nonce", rd, "--output", "ear", "--signing-key", keyFile, "--key-id", "k1", "--ear-lifetime", "1h", q)
			if code != exitWarning {
				t.Fatalf("verify: exit %d %s", code, errs)
			}
			line := write(t, dir, kt+".line", []byte(out))
			var l struct{ EAR string }
			json.Unmarshal([]byte(out), &l)
			token := write(t, dir, kt+".jwt", []byte(l.EAR))

			for _, tt := range []struct {
				name  string
				args  []string
				code  int
				inErr string
			}{
				{"the JWT", []string{"ear", "verify", token, "--key", pubFile, "--nonce", rd}, exitWarning, "tdx: warning"},
				{"the JSON line", []string{"ear", "verify", "--key", pubFile, line}, exitWarning, "tdx: warning"},
				{"another nonce", []string{"ear", "verify", token, "--key", pubFile, "--nonce", "0011"}, exitContraindicated, "EAR nonce does not match"},
				{"expired", []string{"ear", "verify", token, "--key", pubFile, "--at", "2099-01-01T00:00:00Z"}, exitContraindicated, "EAR expired"},
				{"flipped byte", []string{"ear", "verify", write(t, dir, kt+".bad", flipLast(l.EAR)), "--key", pubFile}, exitContraindicated, "EAR signature does not verify"},
				{"another key", []string{"ear", "verify", token, "--key", otherPub(t, dir)}, exitContraindicated, "EAR signature does not verify"},
				{"no key", []string{"ear", "verify", token}, exitUsage, "--key PUB"},
				{"draft-03", []string{"ear", "verify", draft03(t, dir, kt, keyFile, q, rd), "--key", pubFile, "--nonce", rd}, exitWarning, "tdx: warning"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					code, out, errs := runCLI(tt.args...)
					if code != tt.code || !strings.Contains(errs, tt.inErr) {
						t.Errorf("exit %d, want %d; stderr %q lacks %q", code, tt.code, errs, tt.inErr)
					}
					if tt.code == exitWarning && !strings.Contains(out, `"eat_nonce"`) {
						t.Errorf("claims not printed: %s", out)
					}
				})
			}
		})
	}
}

func flipLast(token string) []byte {
	b := []byte(token)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

func otherPub(t *testing.T, dir string) string {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return write(t, dir, "other.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// draft03 writes an EAR in draft-ietf-rats-ear-03's form and returns its file.
func draft03(t *testing.T, dir, kt, keyFile, quote, rd string) string {
	t.Helper()
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--nonce", rd, "--output", "ear", "--ear-profile", "draft-03", "--signing-key", keyFile, quote)
	var l struct{ EAR string }
	if code != exitWarning || json.Unmarshal([]byte(out), &l) != nil {
		t.Fatalf("draft-03: exit %d %s%s", code, out, errs)
	}
	return write(t, dir, kt+"-draft03.jwt", []byte(l.EAR))
}
