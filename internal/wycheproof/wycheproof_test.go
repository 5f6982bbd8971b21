// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package wycheproof

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestHex(t *testing.T) {
	var v struct{ A, B Hex }
	if err := json.Unmarshal([]byte(`{"A": "00ff1A", "B": ""}`), &v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.A, []byte{0, 0xff, 0x1a}) || len(v.B) != 0 {
		t.Fatalf("decoded %x %x", v.A, v.B)
	}
	for _, bad := range []string{`"0"`, `"0g"`, `"zz"`, `12`, `["00"]`} {
		var h Hex
		if err := json.Unmarshal([]byte(bad), &h); err == nil {
			t.Errorf("%s: decoded %x", bad, h)
		}
	}
}

// TestECDSA decodes the P-256 SHA-256 files, DER and P1363: every field the
// tests use is filled in.
func TestECDSA(t *testing.T) {
	for _, tc := range []struct{ file, typ string }{
		{"ecdsa_secp256r1_sha256_test.json", "EcdsaVerify"},
		{"ecdsa_secp256r1_sha256_p1363_test.json", "EcdsaP1363Verify"},
	} {
		f := ECDSA(t, tc.file)
		if f.Algorithm != "ECDSA" {
			t.Errorf("%s: algorithm %q", tc.file, f.Algorithm)
		}
		results := map[string]int{}
		for _, g := range f.TestGroups {
			if g.Type != tc.typ || g.PublicKey.Curve != "secp256r1" || g.PublicKey.KeySize != 256 || g.SHA != "SHA-256" {
				t.Fatalf("%s: group %s %s/%d %s", tc.file, g.Type, g.PublicKey.Curve, g.PublicKey.KeySize, g.SHA)
			}
			if u := g.PublicKey.Uncompressed; len(u) != 65 || u[0] != 4 {
				t.Fatalf("%s: key %x", tc.file, u)
			}
			for _, v := range g.Tests {
				if v.TCID == 0 || v.Comment == "" && len(v.Flags) == 0 {
					t.Fatalf("%s: test %+v", tc.file, v)
				}
				results[v.Result]++
			}
		}
		if results[Valid] == 0 || results[Invalid] == 0 || len(results) > 3 || results[Valid]+results[Invalid]+results[Acceptable] != f.NumberOfTests {
			t.Errorf("%s: results %v", tc.file, results)
		}
		t.Logf("%s: %d groups, %d tests %v", tc.file, len(f.TestGroups), f.NumberOfTests, results)
	}
}
