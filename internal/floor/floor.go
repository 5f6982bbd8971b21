// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package floor holds the benchmarks' floors: one standard-library ECDSA
// verification of the same signature a verification checks, so that bench/
// and verify's benchmarks compare against the same thing; and for TDX the
// same verification with internal/p256 and the key's table, ccverify's own
// cryptographic cost for a recurring platform.
package floor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/p256"
)

// P256 benchmarks one crypto/ecdsa P-256 verification of the TDX quote's
// signature by its attestation key, SHA-256 of the signed bytes included.
func P256(b *testing.B, raw []byte) { loop(b, P256Op, raw) }

// P256Table benchmarks P256TableOp.
func P256Table(b *testing.B, raw []byte) { loop(b, P256TableOp, raw) }

// loop benchmarks the op newOp makes for raw.
func loop(b *testing.B, newOp func([]byte) (func() bool, error), raw []byte) {
	op, err := newOp(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !op() {
			b.Fatal("does not verify")
		}
	}
}

// quoteSignature returns what the quote's signature covers and is made of:
// the attestation key as a SEC 1 uncompressed point, the signed bytes, and
// r ‖ s.
func quoteSignature(raw []byte) (key, signed, sig []byte, err error) {
	q, _, err := tdx.ParsePrefix(raw)
	if err != nil {
		return nil, nil, nil, err
	}
	if sig = q.Signature(); len(sig) != 64 {
		return nil, nil, nil, errors.New("floor: quote signature is not 64 bytes")
	}
	return append([]byte{4}, q.AttestationKey()...), q.SignedData(), sig, nil
}

// P256Op returns what P256 measures as one call: SHA-256 of the quote's
// signed bytes and crypto/ecdsa's P-256 verification of its signature by its
// attestation key, reporting whether it verifies. For benchmarks that time
// the floor and a verification in turn, so that a change of load on a shared
// machine hits both alike.
func P256Op(raw []byte) (func() bool, error) {
	key, signed, sig, err := quoteSignature(raw)
	if err != nil {
		return nil, err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), key)
	if err != nil {
		return nil, err
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	return func() bool {
		h := sha256.Sum256(signed)
		return ecdsa.Verify(pub, h[:], r, s)
	}, nil
}

// P256TableOp is P256Op with internal/p256 in place of crypto/ecdsa, the
// attestation key's table built: what certs/intel pays for the signature of
// a quote from a recurring platform, the floor of ccverify's own cost.
func P256TableOp(raw []byte) (func() bool, error) {
	key, signed, sig, err := quoteSignature(raw)
	if err != nil {
		return nil, err
	}
	k, err := p256.NewKey(key)
	if err != nil {
		return nil, err
	}
	k.Precompute()
	return func() bool {
		h := sha256.Sum256(signed)
		return k.Verify(h[:], sig[:32], sig[32:])
	}, nil
}
