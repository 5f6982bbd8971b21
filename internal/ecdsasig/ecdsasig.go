// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package ecdsasig parses DER ECDSA signatures for internal/p256 and
// internal/p384, so that both read them exactly as crypto/ecdsa.VerifyASN1
// does.
package ecdsasig

import (
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// Parse returns the big-endian r and s of a DER ECDSA-Sig-Value,
// SEQUENCE { r INTEGER, s INTEGER }, parsed as strictly as
// crypto/ecdsa.VerifyASN1 parses it (minimal encodings, positive integers,
// nothing after the sequence). ok is false for anything else.
func Parse(sig []byte) (r, s []byte, ok bool) {
	var inner cryptobyte.String
	in := cryptobyte.String(sig)
	if !in.ReadASN1(&inner, asn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return nil, nil, false
	}
	return r, s, true
}
