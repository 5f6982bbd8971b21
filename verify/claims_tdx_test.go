// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/ccverify/ccverify/evidence/tdx"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestHexClaims: claims set through hexClaims are exactly hex.EncodeToString
// of their bytes, whatever their length (chunks of 64 bytes and more) and
// however many (past the planned 40, they are set at once).
func TestHexClaims(t *testing.T) {
	m := map[string]any{}
	var hx hexClaims
	hx.grow(16)
	want := map[string]string{}
	for i := range 50 {
		b := make([]byte, i*7)
		for j := range b {
			b[j] = byte(i*31 + j)
		}
		k := fmt.Sprint("k", i)
		hx.add(m, k, b)
		want[k] = hex.EncodeToString(b)
	}
	hx.flush()
	if len(m) != len(want) {
		t.Fatalf("%d claims, want %d", len(m), len(want))
	}
	for k, w := range want {
		if m[k] != w {
			t.Errorf("%s = %v, want %s", k, m[k], w)
		}
	}
}

// TestTDXClaimsHex: the hex claims of go-tdx-guest's v4 and v5 (TD 1.5)
// quotes read as hex.EncodeToString of the fields they name.
func TestTDXClaimsHex(t *testing.T) {
	q4, _, err := tdx.ParsePrefix(gtdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	q5, err := tdx.Parse(gtdata.RawQuoteV5)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []tdx.Quote{q4, q5} {
		c := map[string]any{}
		tdxClaims(c, q)
		b := q.Body()
		body := c["quote"].(map[string]any)["body"].(map[string]any)
		header := c["quote"].(map[string]any)["header"].(map[string]any)
		for _, tc := range []struct {
			got  any
			want []byte
		}{
			{body["mr_td"], b.MRTD()}, {body["rtmr_3"], b.RTMR(3)}, {body["report_data"], b.ReportData()},
			{body["xfam"], b[0x80:0x88]}, {header["user_data"], q.Header().UserData()}, {header["version"], q.Header()[0:2]},
			{c["report_data"], b.ReportData()}, {c["init_data"], b.MRCONFIGID()}, {c["qe_mrsigner"], q.QEReport().MRSigner()},
			{c["qe_attributes"], q.QEReport().Attributes()},
		} {
			if tc.got != hex.EncodeToString(tc.want) {
				t.Errorf("v%d: %v, want %x", q.Version(), tc.got, tc.want)
			}
		}
		if q.BodyType() == tdx.BodyTD15 && body["mr_servicetd"] != hex.EncodeToString(b.MRSERVICETD()) {
			t.Errorf("mr_servicetd %v", body["mr_servicetd"])
		}
	}
}
