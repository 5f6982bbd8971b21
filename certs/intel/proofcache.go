// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"

	"github.com/ccverify/ccverify/internal/p256"
)

// A QE proof is what [VerifyQuote] proves about a quote before its own
// signature: this PCK key signed this QE report, whose REPORT_DATA binds this
// attestation key and this QE authentication data. It depends on those bytes
// alone, and a platform sends the same ones in every quote until its quoting
// enclave restarts, so it is proved once and remembered by the SHA-256 of
// exactly the bytes it covers. What depends on the verification time is not
// part of it: the PCK chain's trust and validity are checked by
// [VerifyPCKChain] at every call, and revocation and TCB status by
// [Evaluate].

// Proof cache bounds. An entry holds a 32-byte key, the parsed attestation
// key and an expiry: proofEntryBytes is a generous estimate of what one
// costs in memory (map slot, ring slot, p256.Key), so that maxProofBytes
// holds whatever the entry count. A key's precomputed table, once it recurs,
// is bounded by package p256 (at most p256.MaxTables, whatever the entries).
const (
	maxProofs       = 8192
	maxProofBytes   = 4 << 20
	proofEntryBytes = 400
)

// proofs is the package's QE proof cache, shared by every VerifyQuote call.
var proofs = newProofCache(maxProofs, maxProofBytes)

// proofKey returns SHA-256 over a domain label and the bytes a QE proof
// covers, each variable-length part preceded by its length so that no two
// inputs share a key: the PCK's SubjectPublicKeyInfo (the key that signed),
// the QE report (384 bytes), its signature, the attestation key and the QE
// authentication data.
func proofKey(pckSPKI, report, reportSig, ak, auth []byte) [32]byte {
	h := sha256.New()
	var n [4]byte
	h.Write([]byte("ccverify/intel QE proof v1\x00"))
	for _, p := range [...][]byte{pckSPKI, report, reportSig, ak, auth} {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// proof is one remembered QE proof: the attestation key it vouches for,
// parsed and checked on the curve, and when it stops being useful (the PCK
// chain's earliest notAfter: no verification after it can succeed).
type proof struct {
	ak       *p256.Key
	notAfter time.Time
}

// proofCache is a bounded map from proofKey to proof, safe for concurrent
// use. When an insert would pass maxEntries or maxBytes, the oldest entries
// (first in, first out) go first; entries whose notAfter has passed at a
// lookup's time are dropped then. Lookups take a read lock only.
type proofCache struct {
	mu         sync.RWMutex
	m          map[[32]byte]proof
	ring       [][32]byte // insertion order; ring[head] is the oldest when full
	head       int
	maxEntries int
	maxBytes   int
}

func newProofCache(maxEntries, maxBytes int) *proofCache {
	if n := maxBytes / proofEntryBytes; n < maxEntries {
		maxEntries = n
	}
	maxEntries = max(maxEntries, 1)
	return &proofCache{m: make(map[[32]byte]proof), ring: make([][32]byte, 0, min(maxEntries, 1024)), maxEntries: maxEntries, maxBytes: maxBytes}
}

// get returns the attestation key of the proof under k, if one is cached and
// its chain has not expired at t.
func (c *proofCache) get(k [32]byte, t time.Time) (*p256.Key, bool) {
	c.mu.RLock()
	p, ok := c.m[k]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if t.After(p.notAfter) {
		c.mu.Lock()
		delete(c.m, k) // its ring slot is reclaimed when the ring wraps
		c.mu.Unlock()
		return nil, false
	}
	return p.ak, true
}

// put remembers a proof, evicting the oldest when full.
func (c *proofCache) put(k [32]byte, p proof) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		c.m[k] = p
		return
	}
	if len(c.ring) < c.maxEntries {
		c.ring = append(c.ring, k)
	} else {
		delete(c.m, c.ring[c.head]) // a no-op if it expired and was dropped
		c.ring[c.head] = k
		c.head = (c.head + 1) % len(c.ring)
	}
	c.m[k] = p
}

// stats returns the number of entries and their estimated bytes (tests
// assert the bounds with them).
func (c *proofCache) stats() (entries, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), len(c.m) * proofEntryBytes
}

// reset empties the cache (benchmarks measure first sight with it).
func (c *proofCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.ring = c.ring[:0]
	c.head = 0
	c.mu.Unlock()
}
