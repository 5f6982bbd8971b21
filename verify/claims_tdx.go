// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/hex"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
)

// tdxClaims adds what the quote alone says: evidence/tdx's claims, the
// vocabulary ccverify inspect prints too (tdx.AddClaims, CLAIMS.md). What
// only a verification can say is added below: the PCK's claims once its
// chain verifies, the TCB's once collateral evaluates it.
func tdxClaims(c map[string]any, q tdx.Quote) { tdx.AddClaims(c, q) }

// pckClaims adds what the verified PCK certificate says of the platform.
func pckClaims(c map[string]any, chain *intel.QuoteChain) {
	AddPCKClaims(c, &chain.Extensions)
	c["pck_ca"] = chain.CA.String()
	c["pck_serial"] = chain.PCK.SerialNumber.Text(16)
}

// AddPCKClaims adds to c the claims of a PCK certificate's SGX extensions,
// as verify names and encodes them once the quote's chain verifies: fmspc,
// pce_id, cpu_svn, sgx_tcb_components and ppid (hex), pce_svn (an int),
// sgx_type ([intel.SGXType.String]) and, for a Platform CA PCK,
// platform_instance_id (hex of the extension's bytes) and whichever of
// is_dynamic_platform, is_cached_keys and is_smt_enabled it has (booleans).
// ccverify inspect prints them for a PCK it has not verified, under
// inspect.sgx. CLAIMS.md says which are Trustee's.
func AddPCKClaims(c map[string]any, e *intel.SGXExtensions) {
	// The hex claims share one string: one allocation for their text.
	names := [...]string{"fmspc", "pce_id", "cpu_svn", "sgx_tcb_components", "ppid", "platform_instance_id"}
	fields := [...][]byte{e.FMSPC[:], e.PCEID[:], e.TCB.CPUSVN[:], e.TCB.SGXComponents[:], e.PPID[:], e.PlatformInstanceID[:]}
	k := len(fields)
	if !e.HasPlatform {
		k-- // platform_instance_id: Platform CA PCKs only
	}
	var buf [2 * (6 + 2 + 16 + 16 + 16 + 16)]byte
	var ends [len(fields)]int
	n := 0
	for i, f := range fields[:k] {
		n += hex.Encode(buf[n:], f)
		ends[i] = n
	}
	text, start := string(buf[:n]), 0
	for i, end := range ends[:k] {
		c[names[i]] = text[start:end]
		start = end
	}
	c["pce_svn"] = int(e.TCB.PCESVN)
	c["sgx_type"] = e.SGXType.String()
	if e.HasPlatform {
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
	status := res.Status.String()
	c["tcb_status"] = status
	var date string
	if !res.TCBDate.IsZero() {
		date = res.TCBDate.UTC().Format(time.RFC3339)
		c["tcb_date"] = date
	}
	ids := res.AdvisoryIDs
	if ids == nil {
		ids = []string{}
	}
	c["advisory_ids"] = ids
	// The TCB level running now (Trustee's *_current, DCAP 1.27): a TD 1.5
	// module after TD-preserving updates (TEE_TCB_SVN2), else the launch one.
	if cur := res.Current; cur != nil {
		c["tcb_status_current"] = cur.Status.String()
		if !cur.TCBDate.IsZero() {
			c["tcb_date_current"] = cur.TCBDate.UTC().Format(time.RFC3339)
		}
		cids := cur.AdvisoryIDs
		if cids == nil {
			cids = []string{}
		}
		c["advisory_ids_current"] = cids
	} else {
		c["tcb_status_current"] = status
		if date != "" {
			c["tcb_date_current"] = date
		}
		c["advisory_ids_current"] = ids
	}
	c["tcb_eval_num"] = res.TCBEvaluationDataNumber
	if res.PCKCRL != nil && res.PCKCRL.Number != nil && res.PCKCRL.Number.IsInt64() {
		c["pck_crl_num"] = res.PCKCRL.Number.Int64()
	}
	if res.RootCRL != nil && res.RootCRL.Number != nil && res.RootCRL.Number.IsInt64() {
		c["root_ca_crl_num"] = res.RootCRL.Number.Int64()
	}
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
	if !res.LatestIssueDate.IsZero() {
		c["collateral_latest_issue_date"] = res.LatestIssueDate.UTC().Format(time.RFC3339)
	}
	if !res.EarliestExpiration.IsZero() {
		c["collateral_earliest_expiration"] = res.EarliestExpiration.UTC().Format(time.RFC3339)
	}
	c["revocation_checked"] = res.RevocationChecked
}
