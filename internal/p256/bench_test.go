// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/ccverify/ccverify/evidence/tdx"
	tdxdata "github.com/google/go-tdx-guest/testing/testdata"
)

// benchQuote is go-tdx-guest's real v4 quote: its attestation key, the
// SHA-256 of its signed bytes and its signature.
func benchQuote(b *testing.B) (pub *ecdsa.PublicKey, hash, r, s []byte) {
	q, _, err := tdx.ParsePrefix(tdxdata.RawQuote)
	if err != nil {
		b.Fatal(err)
	}
	pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, q.AttestationKey()...))
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.Sum256(q.SignedData())
	sig := q.Signature()
	return pub, h[:], sig[:32], sig[32:]
}

// BenchmarkVerify: one verification of a real quote's signature (hash
// precomputed): ours with the key's table, ours without, crypto/ecdsa.
func BenchmarkVerify(b *testing.B) {
	pub, h, r, s := benchQuote(b)
	b.Run("table", func(b *testing.B) {
		k, err := FromECDSA(pub)
		if err != nil {
			b.Fatal(err)
		}
		k.Precompute()
		b.ReportAllocs()
		for b.Loop() {
			if !k.Verify(h, r, s) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("no-table", func(b *testing.B) {
		k, err := FromECDSA(pub)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if !k.verify(nil, h, r, s) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("crypto-ecdsa", func(b *testing.B) {
		rr, ss := new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)
		b.ReportAllocs()
		for b.Loop() {
			if !ecdsa.Verify(pub, h, rr, ss) {
				b.Fatal("does not verify")
			}
		}
	})
}

// BenchmarkPrecompute: building one key's table.
func BenchmarkPrecompute(b *testing.B) {
	pub, _, _, _ := benchQuote(b)
	k, err := FromECDSA(pub)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		newTable(k.q)
	}
}
