// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ErrRateLimited reports that the KDS asked to be called later (HTTP 429 or
// 503) for longer than [KDS.MaxWait], or again after [KDS.MaxRetries]
// retries. Until the delay it asked for has passed, every call of that [KDS]
// that needs a request fails the same way at once, without sending one. The
// error also wraps [ErrKDS], and names the answer, its Retry-After and the
// time requests resume.
var ErrRateLimited = errors.New("amd: KDS asks to retry later")

// Defaults of the KDS fields, and the fetching layer's fixed limits.
const (
	kdsMaxEntries  = 1024
	kdsMaxBytes    = 4 << 20
	kdsMaxAge      = 24 * time.Hour
	kdsNegativeTTL = time.Minute
	kdsMaxRetries  = 3
	kdsMaxWait     = 2 * time.Second
	kdsTimeout     = 30 * time.Second

	kdsMaxBackOff = 10 * time.Minute // the longest window one answer opens
	maxKDSBody    = 1 << 20          // the largest body read
	entryOverhead = 128              // bytes accounted per cache entry besides body and URL
)

// noCache, returned by a body check as the expiry, keeps the answer out of the cache.
var noCache = time.Unix(1, 0)

// fetcher is a KDS's HTTP layer: a bounded LRU cache of answers, at most one
// request in flight per URL, and the back-off window all callers share. The
// zero value is ready to use.
//
// Refusals (404s for made-up CHIP_IDs) have their own LRU list, at most a
// quarter of the entries, and never displace a good answer: a flood of junk
// reports cannot evict the VCEKs of genuine ones.
type fetcher struct {
	mu      sync.Mutex
	good    list.List // of *cached answers, most recently used at the front
	refused list.List // of *cached refusals, most recently used at the front
	entries map[string]*list.Element
	bytes   int64 // accounted size of the entries
	calls   map[string]*call
	backOff backOff
}

// cached is one remembered answer: a good body, or a definite refusal.
type cached struct {
	url     string
	body    []byte
	err     error
	expires time.Time
	size    int64
}

// call is a request in flight; its waiters share the result.
type call struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	body    []byte
	err     error
}

// backOff is the window the KDS last asked for: no requests before until.
type backOff struct {
	until      time.Time
	at         time.Time // when it was asked
	status     int
	retryAfter string
}

func (k *KDS) clock() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

func (k *KDS) wait(ctx context.Context, d time.Duration) error {
	if k.sleep != nil {
		return k.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (k *KDS) maxWait() time.Duration {
	switch {
	case k.MaxWait == 0:
		return kdsMaxWait
	case k.MaxWait < 0:
		return 0
	}
	return k.MaxWait
}

// get returns the body at u: from the cache while it is fresh, else from the
// request in flight for u, else from a new request. check validates a 200
// body and says until when it may be kept (zero: MaxAge; noCache: not at
// all). The caller may keep and modify what it gets.
func (k *KDS) get(ctx context.Context, u string, check func([]byte) (time.Time, error)) ([]byte, error) {
	f := &k.f
	f.mu.Lock()
	if e := f.lookup(u, k.clock()); e != nil {
		f.mu.Unlock()
		return bytes.Clone(e.body), e.err
	}
	if err := ctx.Err(); err != nil {
		f.mu.Unlock()
		return nil, fmt.Errorf("%w: GET %s: %w", ErrKDS, u, err)
	}
	c := f.calls[u]
	if c == nil {
		if err := k.closedLocked(u); err != nil {
			f.mu.Unlock()
			return nil, err
		}
		// The request outlives any one caller: it ends when it is answered
		// or when every caller has given up.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call{done: make(chan struct{}), cancel: cancel}
		if f.calls == nil {
			f.calls = map[string]*call{}
		}
		f.calls[u] = c
		go k.run(fctx, u, c, check)
	}
	c.waiters++
	f.mu.Unlock()

	select {
	case <-c.done:
		return bytes.Clone(c.body), c.err
	case <-ctx.Done():
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-c.done: // answered meanwhile
		return bytes.Clone(c.body), c.err
	default:
	}
	if c.waiters--; c.waiters == 0 {
		c.cancel()
		if f.calls[u] == c {
			delete(f.calls, u) // a new caller starts afresh
		}
	}
	return nil, fmt.Errorf("%w: GET %s: %w", ErrKDS, u, ctx.Err())
}

// run makes the request for c, caches its answer and hands it to the waiters.
func (k *KDS) run(ctx context.Context, u string, c *call, check func([]byte) (time.Time, error)) {
	defer c.cancel()
	body, exp, definite, err := k.fetch(ctx, u, check)
	f := &k.f
	f.mu.Lock()
	now := k.clock()
	switch {
	case err == nil:
		maxAge := k.MaxAge
		if maxAge <= 0 {
			maxAge = kdsMaxAge
		}
		if exp.IsZero() || exp.After(now.Add(maxAge)) {
			exp = now.Add(maxAge)
		}
		k.storeLocked(&cached{url: u, body: body, expires: exp}, now)
	case definite && k.NegativeTTL >= 0:
		ttl := k.NegativeTTL
		if ttl == 0 {
			ttl = kdsNegativeTTL
		}
		k.storeLocked(&cached{url: u, err: err, expires: now.Add(ttl)}, now)
	}
	c.body, c.err = body, err
	if f.calls[u] == c {
		delete(f.calls, u)
	}
	f.mu.Unlock()
	close(c.done)
}

// fetch requests u, waiting out short back-off windows. definite says the
// error is the KDS's answer about u (a 4xx other than 429, or a body that is
// not what u serves), which may be remembered for NegativeTTL.
func (k *KDS) fetch(ctx context.Context, u string, check func([]byte) (time.Time, error)) (body []byte, exp time.Time, definite bool, err error) {
	retries := k.MaxRetries
	switch {
	case retries == 0:
		retries = kdsMaxRetries
	case retries < 0:
		retries = 0
	}
	for throttled := 0; ; throttled++ {
		if err := k.waitOpen(ctx, u); err != nil {
			return nil, time.Time{}, false, err
		}
		status, retryAfter, body, err := k.do(ctx, u)
		if err != nil {
			return nil, time.Time{}, false, err
		}
		switch {
		case status == http.StatusOK:
			exp, err := check(body)
			if err != nil {
				return nil, time.Time{}, true, fmt.Errorf("%w: GET %s: unexpected body: %v", ErrKDS, u, err)
			}
			return body, exp, false, nil
		case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
			b := k.throttle(status, retryAfter, throttled)
			if throttled >= retries {
				return nil, time.Time{}, false, fmt.Errorf("%w: %w: GET %s: HTTP %d (Retry-After %s) after %d retries; no requests before %s",
					ErrKDS, ErrRateLimited, u, status, quoteRA(retryAfter), throttled, b.until.UTC().Format(time.RFC3339))
			}
		case status >= 400 && status < 500:
			return nil, time.Time{}, true, fmt.Errorf("%w: GET %s: HTTP %d", ErrKDS, u, status)
		default:
			return nil, time.Time{}, false, fmt.Errorf("%w: GET %s: HTTP %d", ErrKDS, u, status)
		}
	}
}

// do makes one request and reads at most maxKDSBody+1 bytes of the answer.
func (k *KDS) do(ctx context.Context, u string) (status int, retryAfter string, body []byte, err error) {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = kdsTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	client := k.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%w: %v", ErrKDS, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%w: GET %s: %w", ErrKDS, u, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxKDSBody+1))
	if err != nil {
		return 0, "", nil, fmt.Errorf("%w: GET %s: %w", ErrKDS, u, err)
	}
	if len(body) > maxKDSBody {
		return 0, "", nil, fmt.Errorf("%w: GET %s: body over %d bytes", ErrKDS, u, maxKDSBody)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), body, nil
}

// throttle opens (or extends) the back-off window for an HTTP status answered
// with Retry-After ra, the n-th of this call: ra's delay, else 1 s, 2 s, 4 s …;
// at most kdsMaxBackOff.
func (k *KDS) throttle(status int, ra string, n int) backOff {
	now := k.clock()
	d := retryAfter(ra, now)
	if d < 0 {
		d = time.Second << min(n, 10)
	}
	d = min(d, kdsMaxBackOff)
	f := &k.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if until := now.Add(d); !until.Before(f.backOff.until) {
		f.backOff = backOff{until: until, at: now, status: status, retryAfter: ra}
	}
	return f.backOff
}

// waitOpen returns once the back-off window is closed, waiting for it when
// what is left is at most MaxWait, else it fails with ErrRateLimited.
func (k *KDS) waitOpen(ctx context.Context, u string) error {
	k.f.mu.Lock()
	err := k.closedLocked(u)
	d := k.f.backOff.until.Sub(k.clock())
	k.f.mu.Unlock()
	if err != nil || d <= 0 {
		return err
	}
	if err := k.wait(ctx, d); err != nil {
		return fmt.Errorf("%w: GET %s: waiting %v for the KDS: %w", ErrKDS, u, d, err)
	}
	return nil
}

// closedLocked returns the ErrRateLimited error of a request for u when the
// back-off window stays open longer than MaxWait.
func (k *KDS) closedLocked(u string) error {
	b := k.f.backOff
	if d := b.until.Sub(k.clock()); d <= k.maxWait() {
		return nil
	}
	return fmt.Errorf("%w: %w: GET %s not sent: the KDS answered HTTP %d (Retry-After %s) at %s; no requests before %s",
		ErrKDS, ErrRateLimited, u, b.status, quoteRA(b.retryAfter), b.at.UTC().Format(time.RFC3339), b.until.UTC().Format(time.RFC3339))
}

func quoteRA(ra string) string {
	if ra == "" {
		return "absent"
	}
	return strconv.Quote(ra)
}

// lookup returns u's fresh cache entry, or nil (dropping a stale one).
func (f *fetcher) lookup(u string, now time.Time) *cached {
	el, ok := f.entries[u]
	if !ok {
		return nil
	}
	e := el.Value.(*cached)
	if !now.Before(e.expires) {
		f.remove(el)
		return nil
	}
	f.list(e).MoveToFront(el)
	return e
}

func (f *fetcher) list(e *cached) *list.List {
	if e.err != nil {
		return &f.refused
	}
	return &f.good
}

// storeLocked caches e unless it is already stale or larger than the whole
// cache, evicting the least recently used entries to keep within the caps; a
// refusal evicts only refusals, and is not kept when only answers fill the cache.
func (k *KDS) storeLocked(e *cached, now time.Time) {
	maxEntries, maxBytes := k.MaxEntries, k.MaxBytes
	if maxEntries == 0 {
		maxEntries = kdsMaxEntries
	}
	if maxBytes <= 0 {
		maxBytes = kdsMaxBytes
	}
	e.size = int64(len(e.body)+len(e.url)) + entryOverhead
	if maxEntries < 0 || e.size > maxBytes || !now.Before(e.expires) {
		return
	}
	f := &k.f
	if el, ok := f.entries[e.url]; ok {
		f.remove(el)
	}
	over := func() bool { return len(f.entries) >= maxEntries || f.bytes+e.size > maxBytes }
	if e.err != nil {
		maxRefused := max(1, maxEntries/4)
		for f.refused.Len() > 0 && (over() || f.refused.Len() >= maxRefused) {
			f.remove(f.refused.Back())
		}
		if over() || f.refused.Len() >= maxRefused {
			return
		}
	} else {
		for over() {
			if f.good.Len() > 0 {
				f.remove(f.good.Back())
			} else {
				f.remove(f.refused.Back())
			}
		}
	}
	if f.entries == nil {
		f.entries = map[string]*list.Element{}
	}
	f.entries[e.url] = f.list(e).PushFront(e)
	f.bytes += e.size
}

func (f *fetcher) remove(el *list.Element) {
	e := el.Value.(*cached)
	f.list(e).Remove(el)
	delete(f.entries, e.url)
	f.bytes -= e.size
}

// retryAfter parses a Retry-After header: seconds or an HTTP date. It
// returns -1 when the header is absent or malformed.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return -1
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return -1
		}
		return time.Duration(min(s, int(kdsMaxBackOff/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return -1
}
