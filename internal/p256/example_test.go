// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p256_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/ccverify/ccverify/internal/p256"
)

// A key parsed once verifies every signature it makes: a table of its
// multiples is built at its UsesBeforeTable-th verification.
func Example() {
	// A fixed private key (never do this outside an example).
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), []byte("an example P-256 private key 32B"))
	if err != nil {
		panic(err)
	}
	pub, err := priv.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		panic(err)
	}
	key, err := p256.NewKey(pub)
	if err != nil {
		panic(err)
	}

	hash := sha256.Sum256([]byte("a quote's signed bytes"))
	r, s, err := ecdsa.Sign(rand.Reader, priv, hash[:]) // randomized: print only the results
	if err != nil {
		panic(err)
	}
	fmt.Println("genuine:", key.Verify(hash[:], r.Bytes(), s.Bytes()))

	bad := s.Bytes()
	bad[len(bad)-1] ^= 1
	fmt.Println("one bit of s flipped:", key.Verify(hash[:], r.Bytes(), bad))

	der, err := ecdsa.SignASN1(rand.Reader, priv, hash[:])
	if err != nil {
		panic(err)
	}
	fmt.Println("DER:", key.VerifyASN1(hash[:], der))
	hash[0] ^= 0x80
	fmt.Println("other hash:", key.VerifyASN1(hash[:], der))

	_, err = p256.NewKey(pub[:33]) // not a point
	fmt.Println(err)
	// Output:
	// genuine: true
	// one bit of s flipped: false
	// DER: true
	// other hash: false
	// p256: not a P-256 public key on the curve
}
