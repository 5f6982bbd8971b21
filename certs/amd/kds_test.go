// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// fakeKDS serves AMD KDS URL shapes from a map of request URI → body, and
// answers the first request of each URI in throttle with 429 Retry-After.
type fakeKDS struct {
	mu       sync.Mutex
	bodies   map[string][]byte
	throttle map[string]bool
	hits     map[string]int
}

func (f *fakeKDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := r.URL.RequestURI()
	f.hits[u]++
	if f.throttle[u] && f.hits[u] == 1 {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	b, ok := f.bodies[u]
	if !ok {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(b)
}

// TestKDS proves the client builds the KDS URL shapes (Milan with the 64-byte
// CHIP_ID, Turin with 8 bytes and fmcSPL), honours 429 Retry-After (on the
// KDS clock), caches VCEKs, and that what it fetches verifies end to end.
func TestKDS(t *testing.T) {
	gsg, _ := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize])
	milanURI := "/vcek/v1/Milan/" + hexs(gsg.ChipID()) + "?blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68"
	f := &fakeKDS{
		bodies: map[string][]byte{
			milanURI:                    gsgtestdata.VcekBytes,
			"/vcek/v1/Milan/cert_chain": append(pemBlock("CERTIFICATE", amd.ASK(snp.Milan).Raw), pemBlock("CERTIFICATE", amd.ARK(snp.Milan).Raw)...),
			"/vlek/v1/Genoa/cert_chain": append(pemBlock("CERTIFICATE", amd.ASVK(snp.Genoa).Raw), pemBlock("CERTIFICATE", amd.ARK(snp.Genoa).Raw)...),
			"/vcek/v1/Genoa/0102?blSPL=00&teeSPL=00&snpSPL=00&ucodeSPL=00": []byte("404 page"),
		},
		throttle: map[string]bool{milanURI: true},
		hits:     map[string]int{},
	}
	var turin snp.Report
	if vectors.Dir() != "" {
		for _, c := range vectors.Cases(t, "snp-oak-turin-v5") {
			turin = caseReport(t, c)
			f.bodies["/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71"] = caseCollateral(t, c).VCEK
		}
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	k := &amd.KDS{BaseURL: srv.URL, Client: srv.Client()}
	clk := newFakeClock()
	amd.SetKDSClock(k, clk.now, clk.sleep)
	ctx := context.Background()

	if got := amd.VCEKURL("", snp.Milan, gsg.ChipID(), gsg.ReportedTCB()); got != amd.DefaultKDSURL+milanURI {
		t.Errorf("Milan URL %s", got)
	}
	col, err := k.Collateral(ctx, gsg, snp.Milan, amd.Collateral{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 1 || clk.waits[0] != time.Second || f.hitsOf(milanURI) != 2 {
		t.Errorf("429 not retried after Retry-After: waits %v, %d hits", clk.waits, f.hitsOf(milanURI))
	}
	if _, err := amd.VerifyReport(gsg, col, &amd.Options{Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("fetched VCEK: %v", err)
	}
	if _, err := k.Collateral(ctx, gsg, snp.Milan, amd.Collateral{}, false); err != nil || f.hitsOf(milanURI) != 2 {
		t.Errorf("VCEK not cached: %v, %d hits", err, f.hitsOf(milanURI))
	}
	// Version 2 reports need the product.
	if _, err := k.Collateral(ctx, gsg, snp.Unknown, amd.Collateral{}, false); !errors.Is(err, amd.ErrKDS) {
		t.Errorf("v2 without product: %v", err)
	}
	chain, err := k.CertChain(ctx, snp.Milan, snp.SignedByVCEK)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := amd.ParseCollateral(chain)
	if err != nil || len(cc.Certs) != 2 || !bytes.Equal(cc.Certs[0], amd.ASK(snp.Milan).Raw) {
		t.Errorf("cert_chain: %v", err)
	}
	if _, err := k.CertChain(ctx, snp.Genoa, snp.SignedByVLEK); err != nil {
		t.Errorf("VLEK cert_chain: %v", err)
	}
	// A 404 and a 200 with a non-certificate body are errors, never a VCEK.
	if _, err := k.VCEK(ctx, snp.Turin, []byte{9}, 0); !errors.Is(err, amd.ErrKDS) {
		t.Errorf("404: %v", err)
	}
	if _, err := k.VCEK(ctx, snp.Genoa, []byte{1, 2}, 0); !errors.Is(err, amd.ErrKDS) {
		t.Errorf("bad body: %v", err)
	}
	// A CRL the KDS serves is still proven: a forged one (test key, real ARK's name) is refused.
	pk := newTestPKI(snp.Milan)
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.set("/vcek/v1/Milan/crl", pk.CRL(false, at.AddDate(0, 0, -1), at.AddDate(0, 0, 7)))
	withCRL, err := k.Collateral(ctx, gsg, snp.Milan, amd.Collateral{}, true)
	if err != nil {
		t.Fatal(err)
	}
	// (It may fail the report or be passed over; it never checks revocation.)
	if res, err := amd.VerifyReport(gsg, withCRL, &amd.Options{Now: at}); err == nil && res.CRLChecked || err != nil && !errors.Is(err, amd.ErrCRL) {
		t.Errorf("forged KDS CRL: %v, CRL checked %v; want ErrCRL or revocation not checked", err, err == nil && res.CRLChecked)
	}
	// A cancelled context sends no request.
	f.mu.Lock()
	f.throttle["/vcek/v1/Genoa/cert_chain"] = true
	f.mu.Unlock()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := k.CertChain(cctx, snp.Genoa, snp.SignedByVCEK); !errors.Is(err, amd.ErrKDS) {
		t.Errorf("cancelled: %v", err)
	}

	if turin.Raw() == nil {
		return
	}
	col, err = k.Collateral(ctx, turin, snp.Unknown, amd.Collateral{}, false)
	if err != nil {
		t.Fatalf("Turin: %v", err)
	}
	if _, err := amd.VerifyReport(turin, col, &amd.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("Turin fetched VCEK: %v", err)
	}
}

func (f *fakeKDS) hitsOf(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[u]
}

func (f *fakeKDS) set(u string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[u] = body
}

func hexs(b []byte) string {
	const d = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, d[c>>4], d[c&15])
	}
	return string(s)
}
