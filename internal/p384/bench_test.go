// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p384

import (
	"crypto/ecdsa"
	"crypto/sha512"
	"math/big"
	"testing"

	gsgdata "github.com/google/go-sev-guest/verify/testdata"
)

// benchReport is go-sev-guest's real Milan report and its VCEK.
func benchReport(b *testing.B) (pub *ecdsa.PublicKey, hash, r, s []byte) {
	raw := gsgdata.AttestationBytes
	if len(raw) < 0x4A0 {
		b.Fatal("short report")
	}
	rr, _ := newRealReport(&testing.T{}, "go-sev-guest", raw, gsgdata.VcekBytes)
	h := sha512.Sum384(rr.signed)
	return rr.pub, h[:], rr.r, rr.s
}

// BenchmarkP384Verify: one verification of a real report's signature (hash
// precomputed), ours against crypto/ecdsa on the same inputs.
func BenchmarkP384Verify(b *testing.B) {
	pub, h, r, s := benchReport(b)
	b.Run("ccverify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !Verify(pub, h, r, s) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("crypto-ecdsa", func(b *testing.B) {
		rb, sb := new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)
		b.ReportAllocs()
		for b.Loop() {
			if !ecdsa.Verify(pub, h, rb, sb) {
				b.Fatal("does not verify")
			}
		}
	})
}
