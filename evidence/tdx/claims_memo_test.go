// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx

import (
	"encoding/hex"
	"sync"
	"testing"

	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestRecurringClaimsAlternate: quotes of two platforms in turn, from many
// goroutines, each get their own recurring claims (the remembered ones are
// replaced, never mixed up): the v4 and v5 quotes differ in their header
// version, TDX module, XFAM and QE fields.
func TestRecurringClaimsAlternate(t *testing.T) {
	q4, _, err := ParsePrefix(gtdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	q5, err := Parse(gtdata.RawQuoteV5)
	if err != nil {
		t.Fatal(err)
	}
	want := func(q Quote) map[string]string {
		h, b, qe := q.Header(), q.Body(), q.QEReport()
		return map[string]string{
			"quote.header.version": hex.EncodeToString(h[0:2]), "quote.header.vendor_id": hex.EncodeToString(h.QEVendorID()),
			"quote.body.tcb_svn": hex.EncodeToString(b.TEETCBSVN()), "quote.body.mr_seam": hex.EncodeToString(b.MRSEAM()),
			"quote.body.xfam": hex.EncodeToString(b[0x80:0x88]), "quote.body.td_attributes": hex.EncodeToString(b[0x78:0x80]),
			"qe_mrenclave": hex.EncodeToString(qe.MREnclave()), "qe_attributes": hex.EncodeToString(qe.Attributes()),
			"xfam_features": b.XFAM().String(),
		}
	}
	get := func(c map[string]any, path string) any {
		switch path[:min(len(path), 11)] {
		case "quote.heade":
			return c["quote"].(map[string]any)["header"].(map[string]any)[path[len("quote.header."):]]
		case "quote.body.":
			return c["quote"].(map[string]any)["body"].(map[string]any)[path[len("quote.body."):]]
		}
		return c[path]
	}
	quotes := []Quote{q4, q5}
	wants := []map[string]string{want(q4), want(q5)}
	if wants[0]["quote.header.version"] == wants[1]["quote.header.version"] || wants[0]["qe_mrenclave"] == wants[1]["qe_mrenclave"] {
		t.Fatal("the two quotes share the fields this test needs to differ")
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := (i + g) % 2
				c := Claims(quotes[k])
				for path, w := range wants[k] {
					if got := get(c, path); got != w {
						t.Errorf("quote %d, %s: %v, want %s", k, path, got, w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
