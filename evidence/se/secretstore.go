// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"crypto/sha512"
	"encoding/binary"
	"fmt"
)

// RequestTag returns the GCM tag of a UV request (an add-secret request
// control block, an ARCB): the last 16 bytes of the length its generic
// header states.
func RequestTag(req []byte) ([]byte, error) {
	if len(req) < RequestHeaderSize+gcmTagSize {
		return nil, fmt.Errorf("%w: UV request of %d bytes", ErrTruncated, len(req))
	}
	rql := binary.BigEndian.Uint32(req[0x0C:])
	if rql < RequestHeaderSize+gcmTagSize || uint64(rql) > uint64(len(req)) {
		return nil, fmt.Errorf("%w: UV request length field %d, have %d bytes", ErrMalformed, rql, len(req))
	}
	return req[rql-gcmTagSize : rql : rql], nil
}

// SecretStoreHash is the secret-store hash the Ultravisor reports
// (additional data, FlagSecretStoreHash): SHA-512 over the tag of every
// successful add-secret request, in order, and one byte, 1 when the store
// is locked.
func SecretStoreHash(tags [][]byte, locked bool) [SecretStoreHashSize]byte {
	h := sha512.New()
	for _, t := range tags {
		h.Write(t)
	}
	if locked {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	var out [SecretStoreHashSize]byte
	copy(out[:], h.Sum(nil))
	return out
}
