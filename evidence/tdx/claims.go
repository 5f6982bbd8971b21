// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx

import (
	"encoding/hex"
	"strings"
	"sync/atomic"
)

// claimCount is the number of top-level claims of a parsed quote.
const claimCount = 15

// Claims returns what the quote alone says, as claims: the names and
// encodings verify puts in the tdx submodule and ccverify inspect --json
// prints, the one vocabulary of this module (CLAIMS.md lists them, claim by
// claim). They are Trustee's where Trustee's TDX verifier names the field
// (deps/verifier/src/tdx/claims.rs), so that a Rego policy written for
// Trustee reads them unchanged:
//
//   - quote.header.* and quote.body.* (and quote.type, quote.size for
//     version 5): objects of lowercase hex of the raw little-endian bytes;
//   - td_attributes.*: booleans;
//   - report_data and init_data (MRCONFIGID): hex.
//
// The others are in the same style, decoded so that a policy need not:
// debug, quote_version, xfam_features, tdx_module_svn,
// tdx_module_major_version and the quoting enclave's qe_isvsvn,
// qe_isvprodid, qe_mrsigner, qe_mrenclave, qe_miscselect and qe_attributes.
// Integers are ints.
//
// Parsing proves nothing: the claims are the quote's word until certs/intel
// has verified its signatures. What the PCK certificate and Intel's
// collateral say is verify's to add. A zero Quote has no claims.
func Claims(q Quote) map[string]any {
	c := make(map[string]any, claimCount)
	AddClaims(c, q)
	return c
}

// AddClaims adds the claims of [Claims] to c, for a caller that collects
// them with others in one map: it allocates no map of its own.
func AddClaims(c map[string]any, q Quote) {
	h, b := q.Header(), q.Body()
	if len(h) == 0 || len(b) == 0 {
		return
	}
	var hx hexClaims
	hx.grow(quoteHexSize)
	header := make(map[string]any, 6)
	hx.addRecurring(0, header, "version", view(h, 0x00, 2))
	hx.addRecurring(1, header, "att_key_type", view(h, 0x02, 2))
	hx.addRecurring(2, header, "tee_type", view(h, 0x04, 4))
	hx.addRecurring(3, header, "reserved", h.Reserved())
	hx.addRecurring(4, header, "vendor_id", h.QEVendorID())
	hx.add(header, "user_data", h.UserData())
	body := make(map[string]any, 17)
	hx.addRecurring(5, body, "tcb_svn", b.TEETCBSVN())
	hx.addRecurring(6, body, "mr_seam", b.MRSEAM())
	hx.addRecurring(7, body, "mrsigner_seam", b.MRSIGNERSEAM())
	hx.addRecurring(8, body, "seam_attributes", view(b, 0x70, 8))
	hx.addRecurring(9, body, "td_attributes", view(b, 0x78, 8))
	hx.addRecurring(10, body, "xfam", view(b, 0x80, 8))
	hx.add(body, "mr_td", b.MRTD())
	hx.add(body, "mr_config_id", b.MRCONFIGID())
	hx.add(body, "mr_owner", b.MROWNER())
	hx.add(body, "mr_owner_config", b.MROWNERCONFIG())
	hx.add(body, "rtmr_0", b.RTMR(0))
	hx.add(body, "rtmr_1", b.RTMR(1))
	hx.add(body, "rtmr_2", b.RTMR(2))
	hx.add(body, "rtmr_3", b.RTMR(3))
	hx.add(body, "report_data", b.ReportData())
	if q.BodyType() == BodyTD15 {
		hx.add(body, "tee_tcb_svn2", b.TEETCBSVN2())
		hx.add(body, "mr_servicetd", b.MRSERVICETD())
	}
	quote := map[string]any{"header": header, "body": body}
	if d := q.BodyDescriptor(); d != nil {
		hx.add(quote, "type", d[0:2])
		hx.add(quote, "size", d[2:6])
	}
	c["quote"] = quote

	a := b.TDAttributes()
	c["td_attributes"] = map[string]any{
		"debug":           a.Debug(),
		"key_locker":      a.KL(),
		"perfmon":         a.PerfMon(),
		"protection_keys": a.PKS(),
		"septve_disable":  a.SEPTVEDisable(),
		"migratable":      a.Migratable(),
	}
	hx.add(c, "report_data", b.ReportData())
	hx.add(c, "init_data", b.MRCONFIGID())
	c["debug"] = a.Debug() // the same claim for every TEE

	// Ours, in the same style: decoded views a policy would otherwise have
	// to compute.
	c["quote_version"] = int(q.Version())
	c["xfam_features"] = xfamText(b.XFAM())
	svn := b.TEETCBSVN()
	c["tdx_module_svn"] = int(svn[0])
	c["tdx_module_major_version"] = int(svn[1])
	qe := q.QEReport()
	c["qe_isvsvn"] = int(qe.ISVSVN())
	c["qe_isvprodid"] = int(qe.ISVProdID())
	hx.addRecurring(11, c, "qe_mrsigner", qe.MRSigner())
	hx.addRecurring(12, c, "qe_mrenclave", qe.MREnclave())
	hx.addRecurring(13, c, "qe_miscselect", view(qe, 0x10, 4)) // raw little-endian bytes, as Intel's CoRIM profile states them
	hx.addRecurring(14, c, "qe_attributes", qe.Attributes())
	hx.flush()
}

// quoteHexSize is room for a TD 1.5 quote's hex claims (AddClaims): 898
// bytes of fields, 1,796 hex digits.
const quoteHexSize = 2048

// hexClaims sets many hex claims with one allocation for all their text: each
// add appends the hex to one builder and remembers where it goes; flush takes
// the builder's string (no copy) and stores substrings of it.
// hex.EncodeToString costs two allocations a claim, about 80 a quote.
type hexClaims struct {
	sb     strings.Builder
	rs     [40]hexRef // a TD 1.5 quote has 31 hex claims
	n      int
	misses [recurringSlots]miss
	nmiss  int
}

// hexRef is where one claim's hex goes: m[k] = text[start:end].
type hexRef struct {
	m          map[string]any
	k          string
	start, end int
}

// grow makes room for n bytes of hex, the one allocation.
func (h *hexClaims) grow(n int) { h.sb.Grow(n) }

func (h *hexClaims) add(m map[string]any, k string, b []byte) {
	if h.n == len(h.rs) { // more claims than planned: set this one now
		m[k] = hex.EncodeToString(b)
		return
	}
	start := h.sb.Len()
	var chunk [128]byte
	for len(b) > 0 {
		n := hex.Encode(chunk[:], b[:min(len(b), len(chunk)/2)])
		h.sb.Write(chunk[:n])
		b = b[n/2:]
	}
	h.rs[h.n] = hexRef{m, k, start, h.sb.Len()}
	h.n++
}

// flush stores every added claim (the maps see them only now), and
// remembers the recurring ones that missed.
func (h *hexClaims) flush() {
	text := h.sb.String()
	for _, r := range h.rs[:h.n] {
		r.m[r.k] = text[r.start:r.end]
	}
	for _, mi := range h.misses[:h.nmiss] {
		recurring[mi.slot].Store(&hexMemo{raw: mi.raw, v: mi.m[mi.k]})
	}
}

// A platform's quotes share their header, the TDX module's fields, XFAM and
// attributes and the quoting enclave's report fields: recurring remembers,
// per field, the last value's hex as a boxed claim, so that a quote from a
// platform seen before costs neither its encoding nor its allocation. A
// pure function of the bytes (compared in full), safe to share: an
// interface holding a string is immutable. One entry per field keeps it
// bounded; another platform's quote replaces it.
var recurring [recurringSlots]atomic.Pointer[hexMemo]

const recurringSlots = 15

type hexMemo struct {
	raw string // the field's bytes
	v   any    // their hex
}

// miss is a recurring field encoded by this call, remembered at flush.
type miss struct {
	slot int
	raw  string
	m    map[string]any
	k    string
}

// addRecurring is add for a field that recurs across a platform's quotes.
func (h *hexClaims) addRecurring(slot int, m map[string]any, k string, b []byte) {
	if e := recurring[slot].Load(); e != nil && e.raw == string(b) {
		m[k] = e.v
		return
	}
	if h.nmiss < len(h.misses) {
		h.misses[h.nmiss] = miss{slot, string(b), m, k}
		h.nmiss++
	}
	h.add(m, k, b)
}

// xfamMemo is an XFAM's text, boxed (see recurring).
type xfamMemo struct {
	x XFAM
	v any
}

var lastXFAM atomic.Pointer[xfamMemo]

// xfamText is x.String() as a claim, remembered for the next quote.
func xfamText(x XFAM) any {
	if e := lastXFAM.Load(); e != nil && e.x == x {
		return e.v
	}
	e := &xfamMemo{x, x.String()}
	lastXFAM.Store(e)
	return e.v
}
