// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

//go:build (amd64 || arm64) && !purego

package p384

import (
	"math/big"

	circl "github.com/cloudflare/circl/ecc/p384"
)

// Fast reports whether this build verifies with circl's assembly (true) or
// falls back to crypto/ecdsa (false).
const Fast = true

var curve = circl.P384()

// verify checks the signature (r, s) over hash with the checked key (x, y):
// R = u1·G + u2·Q must not be the identity and x(R) mod n must equal r.
func verify(x, y *big.Int, hash, rb, sb []byte) bool {
	r, u1, u2, ok := scalars(hash, rb, sb)
	if !ok {
		return false
	}
	rx, ry := curve.CombinedMult(x, y, u1.Bytes(), u2.Bytes())
	if rx.Sign() == 0 && ry.Sign() == 0 { // the identity, as circl returns it
		return false
	}
	rx.Mod(rx, n)
	return rx.Cmp(r) == 0
}
