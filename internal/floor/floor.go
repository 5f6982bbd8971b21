// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package floor holds the benchmarks' floors: one standard-library ECDSA
// verification of the same signature a verification checks, so that bench/
// and verify's benchmarks compare against the same thing.
package floor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/ccverify/ccverify/evidence/tdx"
)

// P256 benchmarks one crypto/ecdsa P-256 verification of the TDX quote's
// signature by its attestation key, SHA-256 of the signed bytes included.
func P256(b *testing.B, raw []byte) {
	q, err := tdx.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, q.AttestationKey()...))
	if err != nil {
		b.Fatal(err)
	}
	sig := q.Signature()
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.Sum256(q.SignedData())
		if !ecdsa.Verify(pub, h[:], r, s) {
			b.Fatal("does not verify")
		}
	}
}
