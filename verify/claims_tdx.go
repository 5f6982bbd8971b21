// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
)

// tdxClaims adds a quote's claims with the names and shapes Trustee's TDX
// verifier uses (deps/verifier/src/tdx/claims.rs), so that a Rego policy written
// for Trustee reads them unchanged: quote.header.* and quote.body.* as hex of
// the raw little-endian bytes, td_attributes.* as booleans.
func tdxClaims(c map[string]any, q tdx.Quote) {
	var hx hexClaims
	hx.grow(quoteHexSize)
	h, b := q.Header(), q.Body()
	header := make(map[string]any, 6)
	hx.add(header, "version", h[0x00:0x02])
	hx.add(header, "att_key_type", h[0x02:0x04])
	hx.add(header, "tee_type", h[0x04:0x08])
	hx.add(header, "reserved", h.Reserved())
	hx.add(header, "vendor_id", h.QEVendorID())
	hx.add(header, "user_data", h.UserData())
	body := make(map[string]any, 17)
	hx.add(body, "tcb_svn", b.TEETCBSVN())
	hx.add(body, "mr_seam", b.MRSEAM())
	hx.add(body, "mrsigner_seam", b.MRSIGNERSEAM())
	hx.add(body, "seam_attributes", b[0x70:0x78])
	hx.add(body, "td_attributes", b[0x78:0x80])
	hx.add(body, "xfam", b[0x80:0x88])
	hx.add(body, "mr_td", b.MRTD())
	hx.add(body, "mr_config_id", b.MRCONFIGID())
	hx.add(body, "mr_owner", b.MROWNER())
	hx.add(body, "mr_owner_config", b.MROWNERCONFIG())
	hx.add(body, "rtmr_0", b.RTMR(0))
	hx.add(body, "rtmr_1", b.RTMR(1))
	hx.add(body, "rtmr_2", b.RTMR(2))
	hx.add(body, "rtmr_3", b.RTMR(3))
	hx.add(body, "report_data", b.ReportData())
	if q.BodyType() == tdx.BodyTD15 {
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

	// Additions in the same style: decoded views a policy would otherwise
	// have to compute.
	c["quote_version"] = int(q.Version())
	c["xfam_features"] = b.XFAM().String()
	c["tdx_module_svn"] = int(b.TEETCBSVN()[0])
	c["tdx_module_major_version"] = int(b.TEETCBSVN()[1])
	qe := q.QEReport()
	c["qe_isvsvn"] = int(qe.ISVSVN())
	c["qe_isvprodid"] = int(qe.ISVProdID())
	hx.add(c, "qe_mrsigner", qe.MRSigner())
	hx.add(c, "qe_mrenclave", qe.MREnclave())
	hx.add(c, "qe_miscselect", qe.Raw()[0x10:0x14]) // raw little-endian bytes, as Intel's CoRIM profile states them
	hx.add(c, "qe_attributes", qe.Attributes())
	hx.flush()
}

// hexClaims sets many hex claims with one allocation for all their text: each
// add appends the hex to one builder and remembers where it goes; flush takes
// the builder's string (no copy) and stores substrings of it.
// hex.EncodeToString costs two allocations a claim, about 80 a quote.
type hexClaims struct {
	sb strings.Builder
	rs [40]hexRef // a TD 1.5 quote has 34 hex claims
	n  int
}

// hexRef is where one claim's hex goes: m[k] = text[start:end].
type hexRef struct {
	m          map[string]any
	k          string
	start, end int
}

// Sizes of the hex text: a TD 1.5 quote's claims (tdxClaims) and a PCK's
// (pckClaims).
const (
	quoteHexSize = 2048
	pckHexSize   = 160
)

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

// flush stores every added claim (the maps see them only now).
func (h *hexClaims) flush() {
	text := h.sb.String()
	for _, r := range h.rs[:h.n] {
		r.m[r.k] = text[r.start:r.end]
	}
}

// pckClaims adds what the verified PCK certificate says of the platform.
func pckClaims(c map[string]any, chain *intel.QuoteChain) {
	var hx hexClaims
	hx.grow(pckHexSize)
	defer hx.flush()
	e := chain.Extensions
	hx.add(c, "fmspc", e.FMSPC[:])
	hx.add(c, "pce_id", e.PCEID[:])
	c["pce_svn"] = int(e.TCB.PCESVN)
	hx.add(c, "cpu_svn", e.TCB.CPUSVN[:])
	hx.add(c, "sgx_tcb_components", e.TCB.SGXComponents[:])
	hx.add(c, "ppid", e.PPID[:])
	c["sgx_type"] = e.SGXType.String()
	c["pck_ca"] = chain.CA.String()
	c["pck_serial"] = chain.PCK.SerialNumber.Text(16)
	if e.HasPlatform {
		hx.add(c, "platform_instance_id", e.PlatformInstanceID[:])
		cfg := e.Configuration
		if cfg.HasDynamicPlatform {
			c["is_dynamic_platform"] = cfg.DynamicPlatform
		}
		if cfg.HasCachedKeys {
			c["is_cached_keys"] = cfg.CachedKeys
		}
		if cfg.HasSMTEnabled {
			c["is_smt_enabled"] = cfg.SMTEnabled
		}
	}
}

// tcbClaims adds the TCB evaluation with Trustee's names (tcb_status,
// tcb_date, advisory_ids, collateral_expiration_status, tcb_eval_num) and ours
// for the parts Trustee does not name.
func tcbClaims(c map[string]any, res *intel.Result) {
	c["tcb_status"] = res.Status.String()
	if !res.TCBDate.IsZero() {
		c["tcb_date"] = res.TCBDate.UTC().Format(time.RFC3339)
	}
	ids := res.AdvisoryIDs
	if ids == nil {
		ids = []string{}
	}
	c["advisory_ids"] = ids
	c["tcb_eval_num"] = res.TCBEvaluationDataNumber
	if res.CollateralExpired {
		c["collateral_expiration_status"] = "1"
	} else {
		c["collateral_expiration_status"] = "0"
	}
	c["platform_tcb_status"] = res.PlatformStatus.String()
	c["tdx_module_tcb_status"] = res.ModuleStatus.String()
	c["qe_tcb_status"] = res.QEStatus.String()
	if !res.EarliestIssueDate.IsZero() {
		c["collateral_earliest_issue_date"] = res.EarliestIssueDate.UTC().Format(time.RFC3339)
	}
	if !res.EarliestExpiration.IsZero() {
		c["collateral_earliest_expiration"] = res.EarliestExpiration.UTC().Format(time.RFC3339)
	}
	c["revocation_checked"] = res.RevocationChecked
}
