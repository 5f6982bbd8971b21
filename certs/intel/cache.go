// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
)

// Cache keeps collateral, verified once, until its nextUpdate, keyed by
// content (SHA-256 of the signed bytes) and looked up by FMSPC and PCK CA.
// With a [Client] it fetches what is missing or expired. Signature checks are
// remembered in the cached pieces, so once a platform's collateral has been
// used the per-quote cost of [Cache.Evaluate] is comparisons and lookups.
// Safe for concurrent use.
type Cache struct {
	// Client fetches collateral on a miss; nil means offline (only what
	// [Cache.Add] put in).
	Client *Client

	mu    sync.RWMutex // read-locked for an offline look-up of a platform's set
	seen  map[[32]byte]bool
	tcb   []*TCBInfo
	qe    []*QEIdentity
	crls  []*CRL
	certs []*x509.Certificate
	sets  map[cacheKey]*Collateral
	fetch sync.Mutex // one fetch at a time
	// refetched holds, per platform fetched again because no piece on hand
	// proved itself, the verification time before which it is not fetched
	// again for that reason.
	refetched map[cacheKey]time.Time
}

// refetchInterval bounds how often a platform's collateral is fetched again
// because the pieces on hand do not prove themselves (forged, stale, …):
// once per verification time, and at most once an hour as time passes.
const refetchInterval = time.Hour

type cacheKey struct {
	fmspc [6]byte
	ca    CAType
}

// Add puts every piece of col in the cache (pieces already there are kept).
func (c *Cache) Add(col *Collateral) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = make(map[[32]byte]bool)
	}
	fresh := func(parts ...[]byte) bool {
		h := sha256.New()
		for _, p := range parts {
			h.Write(p)
		}
		var k [32]byte
		h.Sum(k[:0])
		if c.seen[k] {
			return false
		}
		c.seen[k] = true
		return true
	}
	for _, ti := range col.TCBInfos {
		if fresh([]byte("tcbInfo"), ti.raw, ti.signature[:]) {
			c.tcb = append(c.tcb, ti)
		}
	}
	for _, qe := range col.QEIdentities {
		if fresh([]byte("enclaveIdentity"), qe.raw, qe.signature[:]) {
			c.qe = append(c.qe, qe)
		}
	}
	for _, crl := range col.CRLs {
		if fresh([]byte("crl"), crl.Raw()) {
			c.crls = append(c.crls, crl)
		}
	}
	for _, x := range col.Certs {
		if fresh([]byte("cert"), x.Raw) {
			c.certs = append(c.certs, x)
		}
	}
	c.sets = nil
}

// prune drops pieces whose nextUpdate (or notAfter) is not after t. Called with mu held.
func (c *Cache) prune(t time.Time) {
	n := len(c.tcb) + len(c.qe) + len(c.crls) + len(c.certs)
	c.tcb = keep(c.tcb, func(x *TCBInfo) bool { return t.Before(x.NextUpdate) })
	c.qe = keep(c.qe, func(x *QEIdentity) bool { return t.Before(x.NextUpdate) })
	c.crls = keep(c.crls, func(x *CRL) bool { return t.Before(x.NextUpdate) })
	c.certs = keep(c.certs, func(x *x509.Certificate) bool { return !t.After(x.NotAfter) })
	if len(c.tcb)+len(c.qe)+len(c.crls)+len(c.certs) != n {
		c.sets = nil // the digests stay in seen: expired bytes are not taken again
	}
}

// keep returns the elements of s that ok accepts, in a new slice when any is
// dropped: slices handed out in earlier Collaterals are never written.
func keep[T any](s []T, ok func(T) bool) []T {
	for i, x := range s {
		if !ok(x) {
			out := append(make([]T, 0, len(s)), s[:i]...)
			for _, y := range s[i+1:] {
				if ok(y) {
					out = append(out, y)
				}
			}
			return out
		}
	}
	return s
}

// Collateral returns the cached collateral for a platform of the given
// FMSPC whose PCK the given CA issued. With a Client, pieces expired at t are
// dropped first, to be fetched again; without one (offline) they are kept, so
// that [Evaluate] names the expired piece (or accepts it, with
// AllowExpiredCollateral) instead of calling it missing. The same *Collateral
// is returned until the cache changes, so that its remembered checks are
// reused.
func (c *Cache) Collateral(fmspc [6]byte, ca CAType, t time.Time) *Collateral {
	k := cacheKey{fmspc, ca}
	if c.Client == nil { // offline: nothing is pruned, a set made is the answer until Add
		c.mu.RLock()
		col := c.sets[k]
		c.mu.RUnlock()
		if col != nil {
			return col
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Client != nil {
		c.prune(t)
	}
	if col := c.sets[k]; col != nil {
		return col
	}
	col := &Collateral{QEIdentities: c.qe[:len(c.qe):len(c.qe)], Certs: c.certs[:len(c.certs):len(c.certs)]} // capped: appends to c.* never alias
	for _, ti := range c.tcb {
		if ti.FMSPC == fmspc {
			col.TCBInfos = append(col.TCBInfos, ti)
		}
	}
	for _, crl := range c.crls {
		if crl.Root || crl.CA == ca {
			col.CRLs = append(col.CRLs, crl)
		}
	}
	if c.sets == nil {
		c.sets = make(map[cacheKey]*Collateral)
	}
	c.sets[k] = col
	return col
}

// Evaluate evaluates a quote whose chain [VerifyQuote] verified, with the
// cached collateral for its FMSPC and CA, fetching it first through Client
// when pieces are missing or expired, and once more when the pieces on hand
// for a piece all fail their proof (a forged or stale TCB Info or CRL in a
// collateral directory never shadows Intel's), at most once an hour per
// platform. See [Evaluate].
func (c *Cache) Evaluate(ctx context.Context, q tdx.Quote, chain *QuoteChain, opts EvaluateOptions) (*Result, error) {
	if chain == nil {
		return nil, fmt.Errorf("%w: no verified PCK chain", ErrCollateralMissing)
	}
	t := opts.now()
	opts.Time = t // one time for the lookup and the evaluation
	fmspc, ca := chain.Extensions.FMSPC, chain.CA
	col := c.Collateral(fmspc, ca, t)
	if c.Client != nil && col.Missing(fmspc, ca) != nil {
		c.fetch.Lock()
		col = c.Collateral(fmspc, ca, t) // another caller may have fetched it
		if col.Missing(fmspc, ca) != nil {
			fetched, err := c.Client.Fetch(ctx, fmspc, ca)
			if err != nil {
				c.fetch.Unlock()
				return nil, err
			}
			c.Add(fetched)
			col = c.Collateral(fmspc, ca, t)
		}
		c.fetch.Unlock()
	}
	res, err := Evaluate(q, chain, col, opts)
	if c.Client == nil || !unproven(res, err) {
		return res, err
	}
	k := cacheKey{fmspc, ca}
	c.fetch.Lock()
	defer c.fetch.Unlock()
	if now := c.Collateral(fmspc, ca, t); now != col { // another caller fetched meanwhile
		col = now
		if res, err = Evaluate(q, chain, col, opts); !unproven(res, err) {
			return res, err
		}
	}
	c.mu.Lock()
	until, done := c.refetched[k]
	c.mu.Unlock()
	if done && t.Before(until) {
		return res, err
	}
	fetched, ferr := c.Client.Fetch(ctx, fmspc, ca)
	c.mu.Lock()
	if c.refetched == nil {
		c.refetched = make(map[cacheKey]time.Time)
	}
	c.refetched[k] = t.Add(refetchInterval)
	if len(c.refetched) > maxRefetched { // bounded: forget the others
		c.refetched = map[cacheKey]time.Time{k: t.Add(refetchInterval)}
	}
	c.mu.Unlock()
	if ferr != nil {
		return nil, fmt.Errorf("%w (the collateral on hand: %w)", ferr, err)
	}
	c.Add(fetched)
	return Evaluate(q, chain, c.Collateral(fmspc, ca, t), opts)
}

// unproven reports an evaluation that fetching could improve although no
// piece is missing: a required piece whose candidates all failed their proof,
// or CRLs that did (revocation not checked).
func unproven(res *Result, err error) bool {
	var ie *ineligibleError
	return errors.As(err, &ie) || err == nil && res != nil && !res.RevocationChecked
}

// maxRefetched bounds the platforms whose refetch time a Cache remembers.
const maxRefetched = 1024
