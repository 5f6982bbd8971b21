// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// fakeClock is the KDS clock of a test: time moves only when told, and a
// wait moves it (and is recorded) instead of sleeping.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// kdsServer answers every KDS URL through answer and counts the requests.
type kdsServer struct {
	hits   atomic.Int64
	answer func(w http.ResponseWriter, r *http.Request)
}

func (s *kdsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.answer(w, r)
}

// newKDS starts s and returns a client of it on a fake clock.
func newKDS(t *testing.T, s *kdsServer, k *amd.KDS) (*amd.KDS, *fakeClock) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	k.BaseURL, k.Client = srv.URL, srv.Client()
	clk := newFakeClock()
	amd.SetKDSClock(k, clk.now, clk.sleep)
	return k, clk
}

// serveVCEK answers /vcek/v1/... with the go-sev-guest VCEK and anything else with 404.
func serveVCEK(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/vcek/v1/Milan/") || strings.HasSuffix(r.URL.Path, "/crl") {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/x-x509-ca-cert")
	w.Write(gsgtestdata.VcekBytes)
}

func serveNotFound(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "Not Found", http.StatusNotFound)
}

// junk returns the i-th attacker-chosen (CHIP_ID, REPORTED_TCB).
func junk(i int) ([]byte, snp.TCBVersion) {
	chip := make([]byte, 64)
	chip[0], chip[1] = byte(i), byte(i>>8)
	return chip, snp.TCBVersion(uint64(i) * 0x0101)
}

// TestFetchCacheBounded proves the KDS cache keeps at most MaxEntries
// responses and MaxBytes bytes, whatever CHIP_ID × REPORTED_TCB pairs the
// reports name: 1,000 distinct junk pairs, answered with VCEKs or 404s.
func TestFetchCacheBounded(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request)
	}{
		{"VCEKs", serveVCEK},
		{"404s", serveNotFound},
	} {
		s := &kdsServer{answer: tc.answer}
		maxBytes := int64(40 * len(gsgtestdata.VcekBytes))
		k, _ := newKDS(t, s, &amd.KDS{MaxEntries: 100, MaxBytes: maxBytes})
		for i := 0; i < 1000; i++ {
			chip, tcb := junk(i)
			_, err := k.VCEK(ctx, snp.Milan, chip, tcb)
			if (err == nil) != (tc.name == "VCEKs") {
				t.Fatalf("%s: request %d: %v", tc.name, i, err)
			}
			if n, b := amd.KDSCacheSize(k); n > 100 || b > maxBytes {
				t.Fatalf("%s: after %d requests the cache holds %d entries, %d bytes (caps 100, %d)", tc.name, i+1, n, b, maxBytes)
			}
		}
		if n, _ := amd.KDSCacheSize(k); n == 0 {
			t.Errorf("%s: nothing cached", tc.name)
		}
		if s.hits.Load() != 1000 {
			t.Errorf("%s: %d requests for 1,000 distinct URLs", tc.name, s.hits.Load())
		}
	}
	// The defaults bound it too.
	s := &kdsServer{answer: serveVCEK}
	k, _ := newKDS(t, s, &amd.KDS{})
	for i := 0; i < amd.DefaultKDSMaxEntries+100; i++ {
		chip, tcb := junk(i)
		if _, err := k.VCEK(ctx, snp.Milan, chip, tcb); err != nil {
			t.Fatal(err)
		}
	}
	if n, b := amd.KDSCacheSize(k); n > amd.DefaultKDSMaxEntries || b > amd.DefaultKDSMaxBytes {
		t.Errorf("defaults: %d entries, %d bytes kept (caps %d, %d)", n, b, amd.DefaultKDSMaxEntries, amd.DefaultKDSMaxBytes)
	}
}

// TestFetchCacheJunkKeepsAnswers proves refusals never displace good
// answers: after 1,000 junk reports, the VCEKs of 8 genuine chips are still
// served from a cache of 8 entries.
func TestFetchCacheJunkKeepsAnswers(t *testing.T) {
	ctx := context.Background()
	s := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "01") { // a genuine chip
			serveVCEK(w, r)
			return
		}
		serveNotFound(w, r)
	}}
	k, _ := newKDS(t, s, &amd.KDS{MaxEntries: 8})
	genuine := func(i int) ([]byte, snp.TCBVersion) {
		chip, tcb := junk(i)
		chip[63] = 1
		return chip, tcb
	}
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < 8; i++ {
			chip, tcb := genuine(i)
			if _, err := k.VCEK(ctx, snp.Milan, chip, tcb); err != nil {
				t.Fatal(err)
			}
		}
		if s.hits.Load() != 8 {
			t.Fatalf("pass %d: %d requests for 8 genuine chips, want 8", pass, s.hits.Load())
		}
		if pass == 1 {
			break
		}
		for i := 0; i < 1000; i++ {
			chip, tcb := junk(i)
			if _, err := k.VCEK(ctx, snp.Milan, chip, tcb); !errors.Is(err, amd.ErrKDS) {
				t.Fatalf("junk %d: %v", i, err)
			}
		}
		s.hits.Add(-1000)
		if n, _ := amd.KDSCacheSize(k); n > 8 {
			t.Fatalf("%d entries", n)
		}
	}
}

// TestFetchCacheEviction proves the cache drops the least recently used
// entry first, forgets a 404 after NegativeTTL and a VCEK after MaxAge.
func TestFetchCacheEviction(t *testing.T) {
	ctx := context.Background()
	s := &kdsServer{answer: serveVCEK}
	k, clk := newKDS(t, s, &amd.KDS{MaxEntries: 2})
	a, ta := junk(1)
	b, tb := junk(2)
	c, tc := junk(3)
	get := func(chip []byte, tcb snp.TCBVersion) {
		t.Helper()
		if _, err := k.VCEK(ctx, snp.Milan, chip, tcb); err != nil {
			t.Fatal(err)
		}
	}
	get(a, ta)
	get(b, tb)
	get(a, ta) // a is now the most recently used
	get(c, tc) // evicts b
	if s.hits.Load() != 3 {
		t.Fatalf("%d requests, want 3", s.hits.Load())
	}
	get(a, ta)
	if s.hits.Load() != 3 {
		t.Errorf("a was evicted: %d requests", s.hits.Load())
	}
	get(b, tb)
	if s.hits.Load() != 4 {
		t.Errorf("b was kept: %d requests", s.hits.Load())
	}
	// Ages: a positive answer lives MaxAge, a negative one NegativeTTL.
	clk.advance(amd.DefaultKDSMaxAge + time.Second)
	get(b, tb)
	if s.hits.Load() != 5 {
		t.Errorf("a VCEK older than MaxAge was served from the cache: %d requests", s.hits.Load())
	}
	nf := &kdsServer{answer: serveNotFound}
	k2, clk2 := newKDS(t, nf, &amd.KDS{})
	for i := 0; i < 3; i++ {
		if _, err := k2.VCEK(ctx, snp.Milan, a, ta); !errors.Is(err, amd.ErrKDS) {
			t.Fatalf("404: %v", err)
		}
	}
	if nf.hits.Load() != 1 {
		t.Errorf("a 404 is not remembered: %d requests", nf.hits.Load())
	}
	clk2.advance(amd.DefaultKDSNegativeTTL + time.Second)
	if _, err := k2.VCEK(ctx, snp.Milan, a, ta); !errors.Is(err, amd.ErrKDS) || nf.hits.Load() != 2 {
		t.Errorf("a 404 is remembered past NegativeTTL: %v, %d requests", err, nf.hits.Load())
	}
	// A server error (500) is not remembered at all.
	se := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }}
	k3, _ := newKDS(t, se, &amd.KDS{})
	for i := 0; i < 2; i++ {
		if _, err := k3.VCEK(ctx, snp.Milan, a, ta); !errors.Is(err, amd.ErrKDS) {
			t.Fatalf("500: %v", err)
		}
	}
	if se.hits.Load() != 2 {
		t.Errorf("a 500 was cached: %d requests", se.hits.Load())
	}
}

// waitFor polls until cond holds (the goroutines it waits for run on their own).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 1e6 {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestFetchSingleflight proves concurrent callers of one URL share one
// request: 50 callers, 1 request, everyone gets the VCEK; a caller that gives
// up returns its context's error without disturbing the others; when every
// caller has given up, the request is cancelled.
func TestFetchSingleflight(t *testing.T) {
	release := make(chan struct{})
	cancelled := make(chan struct{}, 1)
	s := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
			serveVCEK(w, r)
		case <-r.Context().Done():
			cancelled <- struct{}{}
		}
	}}
	k, _ := newKDS(t, s, &amd.KDS{MaxEntries: -1}) // no cache: sharing must come from the flight
	chip, tcb := junk(7)
	u := amd.VCEKURL(k.BaseURL, snp.Milan, chip, tcb)

	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	quitter, quit := context.WithCancel(context.Background())
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx := context.Background()
			if i == 0 {
				ctx = quitter
			}
			der, err := k.VCEK(ctx, snp.Milan, chip, tcb)
			if err == nil && !bytes.Equal(der, gsgtestdata.VcekBytes) {
				err = errors.New("wrong body")
			}
			errs[i] = err
		}(i)
	}
	waitFor(t, "50 callers waiting", func() bool { return amd.KDSWaiters(k, u) == n })
	quit()
	waitFor(t, "the quitter to leave", func() bool { return amd.KDSWaiters(k, u) == n-1 })
	close(release)
	wg.Wait()
	if !errors.Is(errs[0], context.Canceled) || !errors.Is(errs[0], amd.ErrKDS) {
		t.Errorf("caller that gave up: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Errorf("caller %d: %v", i+1, err)
		}
	}
	if s.hits.Load() != 1 {
		t.Errorf("%d upstream requests for %d concurrent callers, want 1", s.hits.Load(), n)
	}

	// Everyone gives up: the request in flight is cancelled.
	never := make(chan struct{})
	s2 := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-never:
		case <-r.Context().Done():
			cancelled <- struct{}{}
		}
	}}
	k2, _ := newKDS(t, s2, &amd.KDS{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { _, err := k2.VCEK(ctx, snp.Milan, chip, tcb); done <- err }()
	}
	u2 := amd.VCEKURL(k2.BaseURL, snp.Milan, chip, tcb)
	waitFor(t, "3 callers waiting", func() bool { return amd.KDSWaiters(k2, u2) == 3 && s2.hits.Load() == 1 })
	cancel()
	for i := 0; i < 3; i++ {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: %v", err)
		}
	}
	<-cancelled // the server saw the request end
}

// TestFetchBackOff proves a 429 or 503 opens a back-off window shared by all
// callers: a Retry-After longer than MaxWait fails at once with
// ErrRateLimited, every later call fails the same way without a request
// reaching the server, and once the window has passed requests flow again.
func TestFetchBackOff(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var throttle atomic.Bool
			throttle.Store(true)
			s := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
				if throttle.Load() {
					w.Header().Set("Retry-After", "60")
					http.Error(w, "slow down", status)
					return
				}
				serveVCEK(w, r)
			}}
			k, clk := newKDS(t, s, &amd.KDS{})
			ctx := context.Background()
			a, ta := junk(1)
			_, err := k.VCEK(ctx, snp.Milan, a, ta)
			if !errors.Is(err, amd.ErrRateLimited) || !errors.Is(err, amd.ErrKDS) || !strings.Contains(err.Error(), "60") {
				t.Fatalf("first caller: %v, want ErrRateLimited naming Retry-After 60", err)
			}
			if len(clk.waits) != 0 {
				t.Errorf("waited %v for a Retry-After over MaxWait", clk.waits)
			}
			// Other callers, other URLs, concurrently: no request leaves.
			var wg sync.WaitGroup
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					chip, tcb := junk(100 + i%5)
					if _, err := k.VCEK(ctx, snp.Milan, chip, tcb); !errors.Is(err, amd.ErrRateLimited) {
						t.Errorf("caller %d during the back-off: %v", i, err)
					}
				}(i)
			}
			wg.Wait()
			if _, err := k.CRL(ctx, snp.Milan, snp.SignedByVCEK); !errors.Is(err, amd.ErrRateLimited) {
				t.Errorf("CRL during the back-off: %v", err)
			}
			if s.hits.Load() != 1 {
				t.Errorf("%d requests reached the server, want 1", s.hits.Load())
			}
			throttle.Store(false)
			clk.advance(30 * time.Second)
			if _, err := k.VCEK(ctx, snp.Milan, a, ta); !errors.Is(err, amd.ErrRateLimited) || s.hits.Load() != 1 {
				t.Errorf("30 s before the window closes: %v, %d requests", err, s.hits.Load())
			}
			// Once what is left of the window is within MaxWait, a caller waits it out.
			clk.advance(29 * time.Second)
			if _, err := k.VCEK(ctx, snp.Milan, a, ta); err != nil || s.hits.Load() != 2 || len(clk.waits) != 1 || clk.waits[0] != time.Second {
				t.Errorf("1 s before the window closes: %v, %d requests, waits %v", err, s.hits.Load(), clk.waits)
			}
			b, tb := junk(2)
			if _, err := k.VCEK(ctx, snp.Milan, b, tb); err != nil || s.hits.Load() != 3 || len(clk.waits) != 1 {
				t.Errorf("after the window: %v, %d requests, waits %v", err, s.hits.Load(), clk.waits)
			}
		})
	}
}

// TestFetchBackOffShortWait proves a Retry-After within MaxWait is waited
// for (on the KDS clock) and retried, at most MaxRetries times, and that a
// server answering 429 without end costs MaxRetries+1 requests, not more.
func TestFetchBackOffShortWait(t *testing.T) {
	ctx := context.Background()
	var n atomic.Int64
	s := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		serveVCEK(w, r)
	}}
	k, clk := newKDS(t, s, &amd.KDS{})
	a, ta := junk(1)
	if _, err := k.VCEK(ctx, snp.Milan, a, ta); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 || len(clk.waits) != 1 || clk.waits[0] != time.Second {
		t.Errorf("%d requests, waits %v; want 2 requests after one 1 s wait", s.hits.Load(), clk.waits)
	}

	for _, ra := range []string{"0", "", "Thu, 01 Jan 1970 00:00:00 GMT"} {
		always := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}}
		k, clk := newKDS(t, always, &amd.KDS{MaxRetries: 2, MaxWait: time.Hour})
		if _, err := k.VCEK(ctx, snp.Milan, a, ta); !errors.Is(err, amd.ErrRateLimited) {
			t.Errorf("Retry-After %q forever: %v", ra, err)
		}
		if always.hits.Load() != 3 {
			t.Errorf("Retry-After %q forever: %d requests, want MaxRetries+1 = 3 (waits %v)", ra, always.hits.Load(), clk.waits)
		}
	}

	// A cancelled context ends the wait.
	block := &kdsServer{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	}}
	k2, _ := newKDS(t, block, &amd.KDS{})
	cctx, cancel := context.WithCancel(ctx)
	amd.SetKDSClock(k2, time.Now, func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})
	if _, err := k2.VCEK(cctx, snp.Milan, a, ta); !errors.Is(err, context.Canceled) || !errors.Is(err, amd.ErrKDS) {
		t.Errorf("cancelled during the wait: %v", err)
	}
}
