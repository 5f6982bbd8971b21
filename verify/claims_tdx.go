// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/hex"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
)

// tdxClaims adds a quote's claims with the names and shapes Trustee's TDX
// verifier uses (deps/verifier/src/tdx/claims.rs), so that a Rego policy written
// for Trustee reads them unchanged: quote.header.* and quote.body.* as hex of
// the raw little-endian bytes, td_attributes.* as booleans.
func tdxClaims(c map[string]any, q tdx.Quote) {
	h, b := q.Header(), q.Body()
	header := map[string]any{
		"version":      hex.EncodeToString(h[0x00:0x02]),
		"att_key_type": hex.EncodeToString(h[0x02:0x04]),
		"tee_type":     hex.EncodeToString(h[0x04:0x08]),
		"reserved":     hex.EncodeToString(h.Reserved()),
		"vendor_id":    hex.EncodeToString(h.QEVendorID()),
		"user_data":    hex.EncodeToString(h.UserData()),
	}
	body := map[string]any{
		"tcb_svn":         hex.EncodeToString(b.TEETCBSVN()),
		"mr_seam":         hex.EncodeToString(b.MRSEAM()),
		"mrsigner_seam":   hex.EncodeToString(b.MRSIGNERSEAM()),
		"seam_attributes": hex.EncodeToString(b[0x70:0x78]),
		"td_attributes":   hex.EncodeToString(b[0x78:0x80]),
		"xfam":            hex.EncodeToString(b[0x80:0x88]),
		"mr_td":           hex.EncodeToString(b.MRTD()),
		"mr_config_id":    hex.EncodeToString(b.MRCONFIGID()),
		"mr_owner":        hex.EncodeToString(b.MROWNER()),
		"mr_owner_config": hex.EncodeToString(b.MROWNERCONFIG()),
		"rtmr_0":          hex.EncodeToString(b.RTMR(0)),
		"rtmr_1":          hex.EncodeToString(b.RTMR(1)),
		"rtmr_2":          hex.EncodeToString(b.RTMR(2)),
		"rtmr_3":          hex.EncodeToString(b.RTMR(3)),
		"report_data":     hex.EncodeToString(b.ReportData()),
	}
	if q.BodyType() == tdx.BodyTD15 {
		body["tee_tcb_svn2"] = hex.EncodeToString(b.TEETCBSVN2())
		body["mr_servicetd"] = hex.EncodeToString(b.MRSERVICETD())
	}
	quote := map[string]any{"header": header, "body": body}
	if d := q.BodyDescriptor(); d != nil {
		quote["type"] = hex.EncodeToString(d[0:2])
		quote["size"] = hex.EncodeToString(d[2:6])
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
	c["report_data"] = hex.EncodeToString(b.ReportData())
	c["init_data"] = hex.EncodeToString(b.MRCONFIGID())
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
	c["qe_mrsigner"] = hex.EncodeToString(qe.MRSigner())
	c["qe_mrenclave"] = hex.EncodeToString(qe.MREnclave())
	c["qe_miscselect"] = hex.EncodeToString(qe.Raw()[0x10:0x14]) // raw little-endian bytes, as Intel's CoRIM profile states them
	c["qe_attributes"] = hex.EncodeToString(qe.Attributes())
}

// pckClaims adds what the verified PCK certificate says of the platform.
func pckClaims(c map[string]any, chain *intel.QuoteChain) {
	e := chain.Extensions
	c["fmspc"] = hex.EncodeToString(e.FMSPC[:])
	c["pce_id"] = hex.EncodeToString(e.PCEID[:])
	c["pce_svn"] = int(e.TCB.PCESVN)
	c["cpu_svn"] = hex.EncodeToString(e.TCB.CPUSVN[:])
	c["sgx_tcb_components"] = hex.EncodeToString(e.TCB.SGXComponents[:])
	c["ppid"] = hex.EncodeToString(e.PPID[:])
	c["sgx_type"] = e.SGXType.String()
	c["pck_ca"] = chain.CA.String()
	c["pck_serial"] = chain.PCK.SerialNumber.Text(16)
	if e.HasPlatform {
		c["platform_instance_id"] = hex.EncodeToString(e.PlatformInstanceID[:])
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
