// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package p256 verifies ECDSA P-256 signatures, faster than crypto/ecdsa for
// keys that sign again and again: a platform's PCK key and its quoting
// enclave's attestation key sign every QE report and quote it sends.
//
// It uses the standard library's own P-256 arithmetic, exported as
// filippo.io/nistec (assembly on amd64, arm64, ppc64le and s390x; formally
// verified fiat-crypto elsewhere). A [Key] counts its verifications; at the
// [UsesBeforeTable]th valid signature it precomputes a table of its multiples, 16 for each
// of 52 windows of 5 bits (about 78 KB), after which u2·Q costs 52 point
// additions instead of 256 doublings and 52 additions. At most [MaxTables]
// tables are kept, the oldest dropped first, so memory stays bounded whatever
// the number of keys; and a key nothing else holds any more (its QE proof
// expired, its chain evicted) is collected with its table. Verification handles public data only, so the table's
// variable-time look-ups leak nothing.
//
// Everything around the scalar multiplications is done here and checked
// against crypto/ecdsa as the oracle (Wycheproof's ECDSA P-256 SHA-256
// vectors, a differential fuzz target, bit flips of real quotes'
// signatures), with and without a table: the key must be an uncompressed
// P-256 point on the curve with coordinates below p (so never the identity);
// r and s must lie in [1, n−1]; the hash is truncated to the order's 32
// bytes and reduced mod n; a sum at infinity rejects; x(R) is reduced mod n
// before it is compared with r.
package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"math/big"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"

	"filippo.io/nistec"

	"github.com/ccverify/ccverify/internal/ecdsasig"
)

const (
	// UsesBeforeTable is the number of valid signatures a key verifies
	// before its table is built (the last of them builds it).
	// Building costs about three verifications: a key seen a few times (a
	// new platform's attestation key) never pays for one, and a key that
	// stops at exactly this many uses costs at most a fifth more than
	// without tables, while a key that recurs saves 40 % of each
	// verification after it.
	UsesBeforeTable = 16
	// MaxTables bounds the tables kept at once (about 5 MB).
	MaxTables = 64
	// TableBytes is the size of one key's table.
	TableBytes = int(unsafe.Sizeof(table{}))
)

// orderBytes is the length of P-256's order n in bytes (256 bits exactly, so
// truncating a hash to it needs no bit shift).
const orderBytes = 32

var n = elliptic.P256().Params().N

// ErrKey is returned by [NewKey] and [FromECDSA] for a key that is not a
// P-256 point on the curve.
var ErrKey = errors.New("p256: not a P-256 public key on the curve")

// A Key is a P-256 public key checked on the curve. Its methods are safe
// for concurrent use.
type Key struct {
	q        *nistec.P256Point // never modified after NewKey
	uses     atomic.Uint32     // valid signatures so far, counted until the table is built
	gen      atomic.Uint32     // the generation (ResetTables) uses counts in
	building atomic.Bool       // a goroutine has claimed building the table
	tab      atomic.Pointer[table]
}

// NewKey parses a SEC 1 uncompressed point, 0x04 ‖ x ‖ y (65 bytes),
// checking that both coordinates are below p and that it is on the curve.
func NewKey(uncompressed []byte) (*Key, error) {
	if len(uncompressed) != 1+2*orderBytes || uncompressed[0] != 4 {
		return nil, ErrKey // the identity (0x00) and compressed points too
	}
	q, err := nistec.NewP256Point().SetBytes(uncompressed)
	if err != nil {
		return nil, ErrKey
	}
	k := &Key{q: q}
	k.gen.Store(generation.Load())
	return k, nil
}

// FromECDSA returns pub as a Key; pub must be a valid P-256 key.
func FromECDSA(pub *ecdsa.PublicKey) (*Key, error) {
	if pub == nil || pub.Curve != elliptic.P256() || pub.X == nil || pub.Y == nil {
		return nil, ErrKey
	}
	u, err := pub.Bytes() // an error for a point off the curve
	if err != nil {
		return nil, ErrKey
	}
	return NewKey(u)
}

// Verify reports whether r and s, big-endian unsigned integers, are a valid
// ECDSA signature by k over hash, as crypto/ecdsa.Verify decides. It never
// panics: a nil key is false.
func (k *Key) Verify(hash, r, s []byte) bool {
	if k == nil || k.q == nil {
		return false
	}
	t := k.tab.Load()
	ok := k.verify(t, hash, r, s)
	if ok && t == nil {
		k.count()
	}
	return ok
}

// VerifyASN1 is Verify with the signature as a DER ECDSA-Sig-Value,
// SEQUENCE { r INTEGER, s INTEGER }, parsed as strictly as
// crypto/ecdsa.VerifyASN1 parses it (minimal encodings, positive integers,
// nothing after the sequence).
func (k *Key) VerifyASN1(hash, sig []byte) bool {
	r, s, ok := ecdsasig.Parse(sig)
	return ok && k.Verify(hash, r, s)
}

// Precompute builds k's table now, whatever its uses so far (for a key known
// to recur, and for tests).
func (k *Key) Precompute() {
	if k == nil || k.q == nil || k.tab.Load() != nil || !k.building.CompareAndSwap(false, true) {
		return
	}
	k.publish(newTable(k.q))
}

// Precomputed reports whether k has a table.
func (k *Key) Precomputed() bool { return k != nil && k.tab.Load() != nil }

// Tables returns the number of tables kept and their bytes (tests assert the
// bounds with them).
func Tables() (count, bytes int) {
	tables.mu.Lock()
	defer tables.mu.Unlock()
	for _, w := range tables.ring[:tables.n] {
		if k := w.Value(); k != nil && k.tab.Load() != nil {
			count++
		}
	}
	return count, count * TableBytes
}

// generation is bumped by ResetTables: a key whose count began in an
// earlier generation counts afresh.
var generation atomic.Uint32

// ResetTables drops every key's table, and every key, with a table or not,
// counts its valid signatures afresh: for benchmarks that measure keys at
// first sight.
func ResetTables() {
	tables.mu.Lock()
	defer tables.mu.Unlock()
	generation.Add(1)
	for _, w := range tables.ring[:tables.n] {
		if k := w.Value(); k != nil {
			k.drop()
		}
	}
	tables.ring = [MaxTables]weak.Pointer[Key]{}
	tables.n, tables.head = 0, 0
}

// drop takes k's table away; k counts its valid signatures afresh.
func (k *Key) drop() {
	k.tab.Store(nil)
	k.uses.Store(0)
	k.building.Store(false)
}

// count counts a signature k made, building k's table at the
// UsesBeforeTable-th unless another goroutine has claimed it. Only verified
// signatures count: junk sent in a key's name never buys it a table.
func (k *Key) count() {
	if g := generation.Load(); k.gen.Load() != g { // ResetTables since the last count
		k.gen.Store(g)
		k.uses.Store(0)
	}
	if k.uses.Add(1) >= UsesBeforeTable && k.building.CompareAndSwap(false, true) {
		k.publish(newTable(k.q))
	}
}

// tables is the ring of keys that hold a table, oldest at head once full.
// It holds them weakly: a key the caches have let go of (an expired QE
// proof, an evicted chain) is collected with its table, without waiting to
// be pushed out.
var tables struct {
	mu      sync.Mutex
	ring    [MaxTables]weak.Pointer[Key]
	n, head int
}

// publish gives k its table and enters k in the ring, dropping the oldest
// key's table when the ring is full (that key counts its uses afresh).
func (k *Key) publish(t *table) {
	k.tab.Store(t)
	tables.mu.Lock()
	defer tables.mu.Unlock()
	if tables.n < MaxTables {
		tables.ring[tables.n] = weak.Make(k)
		tables.n++
		return
	}
	if old := tables.ring[tables.head].Value(); old != nil {
		old.drop()
	}
	tables.ring[tables.head] = weak.Make(k)
	tables.head = (tables.head + 1) % MaxTables
}

// verify checks (r, s) over hash: r and s in [1, n−1], R = u1·G + u2·Q not
// the identity, x(R) mod n = r. t, when not nil, is k's table.
func (k *Key) verify(t *table, hash, rb, sb []byte) bool {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	if !sc.scalars(hash, rb, sb) {
		return false
	}
	var s1, s2 [orderBytes]byte
	sc.u1.FillBytes(s1[:])
	sc.u2.FillBytes(s2[:])
	var p1, p2 nistec.P256Point
	if _, err := p1.ScalarBaseMult(s1[:]); err != nil {
		return false
	}
	if t != nil {
		t.mult(&p2, &s2)
	} else if _, err := p2.ScalarMult(k.q, s2[:]); err != nil {
		return false
	}
	x, err := p1.Add(&p1, &p2).BytesX() // an error at infinity
	if err != nil {
		return false
	}
	v := sc.e.SetBytes(x)
	if v.Cmp(n) >= 0 {
		v.Sub(v, n) // x < p < 2n
	}
	return v.Cmp(&sc.r) == 0
}

// scratch holds one verification's integers, pooled so that their words
// are reused.
type scratch struct{ r, s, e, w, u1, u2 big.Int }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// inRange reports whether v is in [1, n−1].
func inRange(v *big.Int) bool { return v.Sign() > 0 && v.Cmp(n) < 0 }

// scalars sets r and s from the big-endian rb and sb and computes
// u1 = e·s⁻¹ and u2 = r·s⁻¹ mod n, e being hash truncated to the order's
// length and reduced mod n. It is false when r or s is outside [1, n−1].
func (sc *scratch) scalars(hash, rb, sb []byte) bool {
	sc.r.SetBytes(rb)
	sc.s.SetBytes(sb)
	if !inRange(&sc.r) || !inRange(&sc.s) {
		return false
	}
	if len(hash) > orderBytes {
		hash = hash[:orderBytes]
	}
	sc.e.SetBytes(hash)
	sc.e.Mod(&sc.e, n)
	if sc.w.ModInverse(&sc.s, n) == nil { // n is prime and s in [1, n−1]: never nil
		return false
	}
	sc.u1.Mul(&sc.e, &sc.w)
	sc.u1.Mod(&sc.u1, n)
	sc.u2.Mul(&sc.r, &sc.w)
	sc.u2.Mod(&sc.u2, n)
	return true
}
