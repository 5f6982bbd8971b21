// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
)

var update = flag.Bool("update", false, "rewrite data/*.corim and data/vendor.pub")

// TestAppraise runs the README's first command and checks what it prints:
// both real pieces of evidence affirming with their executables approved,
// and the changed CoRIM's MRTD named with both values.
func TestAppraise(t *testing.T) {
	var out strings.Builder
	if code := run(&out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"verdict: affirming at 2025-07-01T00:00:00Z",
		"verdict: affirming at 2025-06-01T00:00:00Z",
		"TCB status UpToDate",
		"report signature chain verifies to the pinned AMD Milan ARK",
		"executables approved: td by data/td.corim",
		"executables approved: snp-guest by data/guest.corim",
		"executables not approved",
		"quote.body.mr_td",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "verdict: affirming") != 2 {
		t.Errorf("want exactly two affirming verdicts:\n%s", s)
	}
}

// demoKey is the example's CoRIM signing key: derived from a public seed,
// so anyone can regenerate the CoRIMs. A demo key, never trust it.
func demoKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ccverify examples/appraise: demo CoRIM signing key, not a secret"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// TestCoRIMs: the committed CoRIMs are what the evidence, the template
// drafted from it and the demo key give, byte for byte (Ed25519 signatures
// are deterministic). With -update it writes them.
func TestCoRIMs(t *testing.T) {
	key := demoKey()
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"vendor.pub": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
	for _, c := range cases[:2] {
		want[c.corim] = build(t, key, c.evidence, c.collateral, c.at, false)
	}
	want["td-changed.corim"] = build(t, key, cases[0].evidence, cases[0].collateral, cases[0].at, true)
	for name, b := range want {
		p := filepath.Join("data", name)
		if *update {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s differs from what regeneration gives (go test ./examples/appraise -run TestCoRIMs -update)", p)
		}
	}
}

// build drafts the template from the evidence's verified claims, as
// ccverify corim from-evidence does, changes the MRTD's last byte when asked,
// and builds and signs the CoRIM.
func build(t *testing.T, key ed25519.PrivateKey, evidence string, collateral []string, at time.Time, change bool) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("data", evidence))
	if err != nil {
		t.Fatal(err)
	}
	opts := verify.Options{Offline: true, Time: at, RefValues: verify.RefValueOptions{HardwareOnly: true}}
	for _, c := range collateral {
		opts.Collateral = append(opts.Collateral, filepath.Join("data", c))
	}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := refvalues.TemplateFromClaims(string(r.Format), r.Claims)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.ID = "ccverify-example-" + strings.TrimSuffix(evidence, ".bin")
	if change {
		tmpl.ID += "-changed"
		v := tmpl.References[0].Values
		mrtd, _ := v["mr_td"].(string)
		if len(mrtd) != 96 {
			t.Fatalf("template MRTD %v", v["mr_td"])
		}
		last := "00"
		if mrtd[94:] == "00" {
			last = "01"
		}
		v["mr_td"] = mrtd[:94] + last
	}
	b, err := refvalues.Build(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := refvalues.Sign(b, key, refvalues.SignOptions{Signer: "ccverify example vendor (demo key)"})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}
