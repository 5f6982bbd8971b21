// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !(amd64 || arm64) || purego

package p384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"
)

// Fast reports whether this build verifies with circl's assembly (true) or
// falls back to crypto/ecdsa (false).
const Fast = false

// verify checks the signature with crypto/ecdsa (circl's portable code is
// slower than the standard library's).
func verify(x, y *big.Int, hash, rb, sb []byte) bool {
	if _, _, _, ok := scalars(hash, rb, sb); !ok {
		return false
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P384(), X: x, Y: y}
	return ecdsa.Verify(pub, hash, new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb))
}
