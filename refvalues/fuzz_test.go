// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
)

// sentinels lists every error Load may wrap.
var sentinels = []error{ErrUnknownFormat, ErrMalformed, ErrProfile, ErrUnsupported, ErrTooLarge, ErrUnsigned,
	ErrSignature, ErrUntrustedSigner, ErrExpired, ErrNotYetValid, ErrUnknownClaim, ErrValue}

// FuzzLoad feeds Load (the CoRIM decoder, COSE verification and the
// expected-values JSON reader) arbitrary bytes: it must never panic, must
// return a Document or an error wrapping one of the sentinels, and whatever
// it returns must match without panicking.
func FuzzLoad(f *testing.F) {
	if d := vectors.Dir(); d != "" {
		_ = filepath.Walk(filepath.Join(d, "corim"), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			switch {
			case isCBORVector(p):
				f.Add(b)
			case strings.HasSuffix(p, ".diag"):
				if c, err := ednToCBOR(string(b)); err == nil {
					f.Add(c)
				}
			case strings.HasSuffix(p, ".json"):
				f.Add(b)
			}
			return nil
		})
	}
	for _, name := range []string{"template-tdx.json", "template-snp.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		tm, err := ParseTemplate(b)
		if err != nil {
			f.Fatal(err)
		}
		for _, wire := range []string{"untagged", "tagged"} {
			tm.ProfileWire = wire
			raw, err := Build(tm)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "expected-values.json")); err == nil {
		f.Add(b)
	}
	key := newKey(f, "p256")
	tm, _ := ParseTemplate(readTestdata(f, "template-snp.json"))
	raw, _ := Build(tm)
	signed, err := Sign(raw, key, SignOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	claims := []map[string]any{snpClaims(f), tdxClaims(f)}
	opts := LoadOptions{AllowUnsigned: true, Keys: trusted(key.Public()), Time: at2024}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Load(data, opts)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		for _, c := range claims {
			_ = Set{doc}.Match(SNP, c).String()
			_ = Set{doc}.Match(TDX, c).String()
		}
	})
}
