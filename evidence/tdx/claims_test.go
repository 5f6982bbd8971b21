// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// testQuotes are go-tdx-guest's real v4 (TD 1.0) and v5 (TD 1.5) quotes.
func testQuotes(t testing.TB) []Quote {
	t.Helper()
	q4, _, err := ParsePrefix(gtdata.RawQuote) // the file ends in a newline
	if err != nil {
		t.Fatal(err)
	}
	q5, err := Parse(gtdata.RawQuoteV5)
	if err != nil {
		t.Fatal(err)
	}
	return []Quote{q4, q5}
}

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

// TestClaimsHex: the hex claims of go-tdx-guest's v4 and v5 (TD 1.5) quotes
// read as hex.EncodeToString of the fields they name, in the quote's byte
// order.
func TestClaimsHex(t *testing.T) {
	for _, q := range testQuotes(t) {
		c := Claims(q)
		b, h, qe := q.Body(), q.Header(), q.QEReport()
		quote := c["quote"].(map[string]any)
		body := quote["body"].(map[string]any)
		header := quote["header"].(map[string]any)
		for _, tc := range []struct {
			name string
			got  any
			want []byte
		}{
			{"quote.header.version", header["version"], []byte{byte(q.Version()), 0}},
			{"quote.header.att_key_type", header["att_key_type"], []byte{2, 0}},
			{"quote.header.tee_type", header["tee_type"], []byte{0x81, 0, 0, 0}},
			{"quote.header.reserved", header["reserved"], h.Reserved()},
			{"quote.header.vendor_id", header["vendor_id"], h.QEVendorID()},
			{"quote.header.user_data", header["user_data"], h.UserData()},
			{"quote.body.tcb_svn", body["tcb_svn"], b.TEETCBSVN()},
			{"quote.body.mr_seam", body["mr_seam"], b.MRSEAM()},
			{"quote.body.mrsigner_seam", body["mrsigner_seam"], b.MRSIGNERSEAM()},
			{"quote.body.seam_attributes", body["seam_attributes"], le(b.SEAMAttributes())},
			{"quote.body.td_attributes", body["td_attributes"], le(uint64(b.TDAttributes()))},
			{"quote.body.xfam", body["xfam"], le(uint64(b.XFAM()))},
			{"quote.body.mr_td", body["mr_td"], b.MRTD()},
			{"quote.body.mr_config_id", body["mr_config_id"], b.MRCONFIGID()},
			{"quote.body.mr_owner", body["mr_owner"], b.MROWNER()},
			{"quote.body.mr_owner_config", body["mr_owner_config"], b.MROWNERCONFIG()},
			{"quote.body.rtmr_0", body["rtmr_0"], b.RTMR(0)},
			{"quote.body.rtmr_3", body["rtmr_3"], b.RTMR(3)},
			{"quote.body.report_data", body["report_data"], b.ReportData()},
			{"report_data", c["report_data"], b.ReportData()},
			{"init_data", c["init_data"], b.MRCONFIGID()},
			{"qe_mrsigner", c["qe_mrsigner"], qe.MRSigner()},
			{"qe_mrenclave", c["qe_mrenclave"], qe.MREnclave()},
			{"qe_miscselect", c["qe_miscselect"], le(uint64(qe.MiscSelect()))[:4]},
			{"qe_attributes", c["qe_attributes"], qe.Attributes()},
		} {
			if tc.got != hex.EncodeToString(tc.want) {
				t.Errorf("v%d %s: %v, want %x", q.Version(), tc.name, tc.got, tc.want)
			}
		}
		if q.Version() == 5 {
			if quote["type"] != hex.EncodeToString([]byte{byte(q.BodyType()), 0}) || quote["size"] != hex.EncodeToString(le(uint64(len(b))))[:8] {
				t.Errorf("v5 quote.type %v, quote.size %v", quote["type"], quote["size"])
			}
		} else if _, ok := quote["type"]; ok {
			t.Errorf("v4 quote.type %v: a v5 descriptor field", quote["type"])
		}
		if q.BodyType() == BodyTD15 {
			if body["mr_servicetd"] != hex.EncodeToString(b.MRSERVICETD()) || body["tee_tcb_svn2"] != hex.EncodeToString(b.TEETCBSVN2()) {
				t.Errorf("TD 1.5: mr_servicetd %v, tee_tcb_svn2 %v", body["mr_servicetd"], body["tee_tcb_svn2"])
			}
		} else if _, ok := body["mr_servicetd"]; ok {
			t.Errorf("TD 1.0 body with mr_servicetd")
		}
	}
}

func le(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

// TestClaimsDecoded: the decoded claims and their Go types, which JSON and
// refvalues read (ints, bools, strings).
func TestClaimsDecoded(t *testing.T) {
	for _, q := range testQuotes(t) {
		c := Claims(q)
		a := q.Body().TDAttributes()
		want := map[string]any{
			"debug":                    a.Debug(),
			"quote_version":            int(q.Version()),
			"xfam_features":            q.Body().XFAM().String(),
			"tdx_module_svn":           int(q.Body().TEETCBSVN()[0]),
			"tdx_module_major_version": int(q.Body().TEETCBSVN()[1]),
			"qe_isvsvn":                int(q.QEReport().ISVSVN()),
			"qe_isvprodid":             int(q.QEReport().ISVProdID()),
		}
		for k, w := range want {
			if c[k] != w {
				t.Errorf("v%d %s = %#v, want %#v", q.Version(), k, c[k], w)
			}
		}
		attrs := c["td_attributes"].(map[string]any)
		for k, w := range map[string]bool{"debug": a.Debug(), "key_locker": a.KL(), "perfmon": a.PerfMon(),
			"protection_keys": a.PKS(), "septve_disable": a.SEPTVEDisable(), "migratable": a.Migratable()} {
			if attrs[k] != w {
				t.Errorf("v%d td_attributes.%s = %v, want %v", q.Version(), k, attrs[k], w)
			}
		}
	}
}

// TestClaimsSizes: the size hints hold. Claims has claimCount top-level
// claims; a TD 1.5 quote's hex fits quoteHexSize and its hex claims the
// planned references, so that AddClaims allocates its text once.
func TestClaimsSizes(t *testing.T) {
	for _, q := range testQuotes(t) {
		c := Claims(q)
		if len(c) != claimCount {
			t.Errorf("v%d: %d claims, claimCount is %d", q.Version(), len(c), claimCount)
		}
		n, digits := 0, 0
		var count func(m map[string]any)
		count = func(m map[string]any) {
			for _, v := range m {
				switch v := v.(type) {
				case map[string]any:
					count(v)
				case string:
					if _, err := hex.DecodeString(v); err == nil {
						n++
						digits += len(v)
					}
				}
			}
		}
		count(c)
		if n > len(hexClaims{}.rs) || digits > quoteHexSize {
			t.Errorf("v%d: %d hex claims, %d digits: more than planned (%d, %d)", q.Version(), n, digits, len(hexClaims{}.rs), quoteHexSize)
		}
	}
}

// TestClaimsZero: a zero Quote has no claims, and AddClaims leaves the map
// as it was.
func TestClaimsZero(t *testing.T) {
	if c := Claims(Quote{}); len(c) != 0 {
		t.Errorf("zero Quote: %v", c)
	}
	c := map[string]any{"x": 1}
	AddClaims(c, Quote{})
	if len(c) != 1 {
		t.Errorf("AddClaims(zero Quote) added %v", c)
	}
}

// BenchmarkClaims: one quote's claims, with the map.
func BenchmarkClaims(b *testing.B) {
	q := testQuotes(b)[1]
	b.ReportAllocs()
	for b.Loop() {
		_ = Claims(q)
	}
}

// Read a quote's claims, named and encoded as verify and ccverify inspect
// name them (and as Trustee does, where Trustee names the field).
func ExampleClaims() {
	q, err := Parse(gtdata.RawQuoteV5)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := Claims(q)
	body := c["quote"].(map[string]any)["body"].(map[string]any)
	fmt.Println("quote.header.version:", c["quote"].(map[string]any)["header"].(map[string]any)["version"])
	fmt.Println("quote.body.mr_td:", body["mr_td"].(string)[:16]+"…")
	fmt.Println("td_attributes.septve_disable:", c["td_attributes"].(map[string]any)["septve_disable"])
	fmt.Println("qe_isvsvn:", c["qe_isvsvn"])
	// Output:
	// quote.header.version: 0500
	// quote.body.mr_td: 7348651a34b2d2d3…
	// td_attributes.septve_disable: true
	// qe_isvsvn: 7
}

// trusteeQuote4 is what Trustee's TDX verifier makes of its test quote
// tdx_quote_4.dat (deps/verifier/test_data/parse_tdx_claims_expected.json):
// the claims CLAIMS.md marks Trustee's (its uefi_event_logs, from the event
// log, and platform_instance_id, from the PCK, left out).
const trusteeQuote4 = `{
	"init_data": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	"quote": {
		"body": {
			"mr_config_id": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"mr_owner": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"mr_owner_config": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"mr_seam": "2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656",
			"mr_td": "705ee9381b8633a9fbe532b52345e8433343d2868959f57889d84ca377c395b689cac1599ccea1b7d420483a9ce5f031",
			"mrsigner_seam": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"report_data": "7c71fe2c86eff65a7cf8dbc22b3275689fd0464a267baced1bf94fc1324656aeb755da3d44d098c0c87382f3a5f85b45c8a28fee1d3bdb38342bf96671501429",
			"rtmr_0": "e940da7c2712d2790e2961e00484f4fa8e6f9eed71361655ae22699476b14f9e63867eb41edd4b480fef0c59f496b288",
			"rtmr_1": "559cfcf42716ed6c40a48a73d5acb7da255435012f0a9f00fbe8c1c57612ede486a5684c4c9ff3ddf52315fcdca3a596",
			"rtmr_2": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"rtmr_3": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"seam_attributes": "0000000000000000",
			"tcb_svn": "03000500000000000000000000000000",
			"td_attributes": "0100001000000000",
			"xfam": "e742060000000000"
		},
		"header": {
			"att_key_type": "0200",
			"reserved": "00000000",
			"tee_type": "81000000",
			"user_data": "d099bfec0a477aa85a605dceabf2b10800000000",
			"vendor_id": "939a7233f79c4ca9940a0db3957f0607",
			"version": "0400"
		}
	},
	"report_data": "7c71fe2c86eff65a7cf8dbc22b3275689fd0464a267baced1bf94fc1324656aeb755da3d44d098c0c87382f3a5f85b45c8a28fee1d3bdb38342bf96671501429",
	"td_attributes": {
		"debug": true,
		"key_locker": false,
		"perfmon": false,
		"protection_keys": false,
		"septve_disable": true
	}
}`

// TestClaimsTrustee: for Trustee's test quote, every claim Trustee's
// verifier names has Trustee's value and JSON type (the shared vectors
// hold the quote; skipped without them).
func TestClaimsTrustee(t *testing.T) {
	q, _, err := ParsePrefix(vectors.Read(t, "tdx/trustee/tdx_quote_4.dat"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(trusteeQuote4), &want); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Claims(q))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(path string, w, g map[string]any)
	walk = func(path string, w, g map[string]any) {
		for k, wv := range w {
			if sub, ok := wv.(map[string]any); ok {
				gs, _ := g[k].(map[string]any)
				walk(path+k+".", sub, gs)
				continue
			}
			n++
			if g[k] != wv {
				t.Errorf("%s%s: %#v, Trustee's %#v", path, k, g[k], wv)
			}
		}
	}
	walk("", want, got)
	if n < 28 {
		t.Errorf("%d of Trustee's claims compared", n)
	}
}
