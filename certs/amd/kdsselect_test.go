// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
)

// kdsStub serves request URIs from a map and counts the requests.
type kdsStub struct {
	mu     sync.Mutex
	bodies map[string][]byte
	hits   map[string]int
}

func (s *kdsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := r.URL.RequestURI()
	s.hits[u]++
	b, ok := s.bodies[u]
	if !ok {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Write(b)
}

// TestKDSFetchesWhenNoVCEKMatches proves KDS.Collateral fetches the report's
// VCEK when the supplied ones are another chip's, and does not when one
// matches.
func TestKDSFetchesWhenNoVCEKMatches(t *testing.T) {
	f := newMilanFixture(t)
	chipB := make([]byte, 64)
	copy(chipB, "chip B")
	vcekB := f.pk.leaf(false, chipB, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0))
	repB, err := snp.Parse(f.pk.report(3, false, chipB, tcbM))
	if err != nil {
		t.Fatal(err)
	}
	stub := &kdsStub{bodies: map[string][]byte{}, hits: map[string]int{}}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	uri := strings.TrimPrefix(amd.VCEKURL(srv.URL, snp.Milan, chipB, repB.ReportedTCB()), srv.URL)
	stub.bodies[uri] = vcekB
	k := &amd.KDS{BaseURL: srv.URL, Client: srv.Client()}

	col, err := k.Collateral(context.Background(), repB, snp.Unknown, f.col(false, f.vcek), false)
	if err != nil {
		t.Fatalf("Collateral: %v", err)
	}
	if stub.hits[uri] != 1 {
		t.Errorf("%d requests for chip B's VCEK, want 1", stub.hits[uri])
	}
	res, err := amd.VerifyReport(repB, col, f.opts(false))
	if err != nil {
		t.Fatalf("with the fetched VCEK: %v", err)
	}
	if string(res.Endorsement.HWID) != string(chipB) {
		t.Errorf("verified with hwID %x", res.Endorsement.HWID)
	}
	// A matching VCEK supplied: nothing fetched.
	if _, err := k.Collateral(context.Background(), f.vcekRep, snp.Unknown, f.col(false, vcekB, f.vcek), false); err != nil {
		t.Fatal(err)
	}
	for u, n := range stub.hits {
		if u != uri || n != 1 {
			t.Errorf("request %s (%d): a matching VCEK was supplied", u, n)
		}
	}
}
