// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package p384 verifies ECDSA P-384 signatures about twice as fast as
// crypto/ecdsa on amd64 and arm64, over the assembly field arithmetic of
// github.com/cloudflare/circl's ecc/p384 (its variable-time CombinedMult,
// u1·G + u2·Q). Verification handles public data only, so variable time is
// no leak. Elsewhere (other architectures, the purego build tag) it is
// crypto/ecdsa.
//
// Everything around the scalar multiplication is done here and checked
// against crypto/ecdsa as the oracle (Wycheproof's ECDSA P-384 SHA-384
// vectors, a differential fuzz target, bit flips of real signatures): the
// key must be a P-384 point on the curve, with coordinates below p, and not
// the identity; r and s must lie in [1, n−1]; the hash is truncated to the
// order's 48 bytes and reduced mod n; a sum at infinity rejects; x(R) is
// reduced mod n before it is compared with r.
package p384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"

	"github.com/ccverify/ccverify/internal/ecdsasig"
)

// orderBytes is the length of P-384's order n in bytes (384 bits exactly, so
// truncating a hash to it needs no bit shift).
const orderBytes = 48

var (
	params = elliptic.P384().Params()
	n      = params.N
	p      = params.P
)

// Verify reports whether r and s, big-endian unsigned integers, are a valid
// ECDSA signature by pub (a P-384 key) over hash, as crypto/ecdsa.Verify
// decides. It never panics: a nil or malformed key is false.
func Verify(pub *ecdsa.PublicKey, hash, r, s []byte) bool {
	x, y, ok := point(pub)
	if !ok {
		return false
	}
	return verify(x, y, hash, r, s)
}

// VerifyASN1 is Verify with the signature as a DER ECDSA-Sig-Value,
// SEQUENCE { r INTEGER, s INTEGER }, parsed as strictly as
// crypto/ecdsa.VerifyASN1 parses it (minimal encodings, positive integers,
// nothing after the sequence).
func VerifyASN1(pub *ecdsa.PublicKey, hash, sig []byte) bool {
	r, s, ok := ecdsasig.Parse(sig)
	return ok && Verify(pub, hash, r, s)
}

// point returns pub's affine coordinates after checking that pub is a P-384
// key whose point is on the curve, has coordinates in [0, p) and is not the
// identity.
func point(pub *ecdsa.PublicKey) (x, y *big.Int, ok bool) {
	if pub == nil || pub.Curve != elliptic.P384() || pub.X == nil || pub.Y == nil {
		return nil, nil, false
	}
	u, err := pub.Bytes() // SEC 1 uncompressed: 0x04 ‖ x ‖ y; an error for an invalid key
	if err != nil || len(u) != 1+2*orderBytes || u[0] != 4 {
		return nil, nil, false
	}
	x = new(big.Int).SetBytes(u[1 : 1+orderBytes])
	y = new(big.Int).SetBytes(u[1+orderBytes:])
	if x.Cmp(p) >= 0 || y.Cmp(p) >= 0 || x.Sign() == 0 && y.Sign() == 0 || !params.IsOnCurve(x, y) {
		return nil, nil, false
	}
	return x, y, true
}

// inRange reports whether v is in [1, n−1].
func inRange(v *big.Int) bool { return v.Sign() > 0 && v.Cmp(n) < 0 }

// scalars computes u1 = e·s⁻¹ and u2 = r·s⁻¹ mod n for the checked r and s
// (big-endian), e being hash truncated to the order's length and reduced mod
// n. ok is false when r or s is outside [1, n−1].
func scalars(hash, rb, sb []byte) (r, u1, u2 *big.Int, ok bool) {
	r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
	if !inRange(r) || !inRange(s) {
		return nil, nil, nil, false
	}
	if len(hash) > orderBytes {
		hash = hash[:orderBytes]
	}
	e := new(big.Int).SetBytes(hash)
	e.Mod(e, n)
	w := new(big.Int).ModInverse(s, n) // n is prime and s in [1, n−1]: never nil
	if w == nil {
		return nil, nil, nil, false
	}
	u1 = e.Mul(e, w)
	u1.Mod(u1, n)
	u2 = w.Mul(w, r)
	u2.Mod(u2, n)
	return r, u1, u2, true
}
