// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"crypto/x509"
	"encoding/hex"
	"sync"
	"sync/atomic"
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
// The claims of the last PCK are remembered: certs/intel hands the same
// parsed certificate for the same chain, so a platform's next quote copies
// them instead of encoding them again.
func pckClaims(c map[string]any, chain *intel.QuoteChain) {
	if m := lastPCK.Load(); m != nil && m.pck == chain.PCK && m.ca == chain.CA && m.ext == chain.Extensions {
		for _, e := range m.claims {
			c[e.k] = e.v
		}
		return
	}
	own := make(map[string]any, 16)
	AddPCKClaims(own, &chain.Extensions)
	own["pck_ca"] = chain.CA.String()
	own["pck_serial"] = chain.PCK.SerialNumber.Text(16)
	m := &pckMemo{pck: chain.PCK, ca: chain.CA, ext: chain.Extensions, claims: make([]claimKV, 0, len(own))}
	for k, v := range own {
		c[k] = v
		m.claims = append(m.claims, claimKV{k, v})
	}
	lastPCK.Store(m)
}

// pckMemo is one PCK's claims. It holds the certificate, so that its
// address cannot be another certificate's while remembered; the extensions
// are compared too (a value: the parsed certificate's own).
type pckMemo struct {
	pck    *x509.Certificate
	ca     intel.CAType
	ext    intel.SGXExtensions
	claims []claimKV
}

type claimKV struct {
	k string
	v any
}

var lastPCK atomic.Pointer[pckMemo]

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
	status := statusClaim(res.Status)
	c["tcb_status"] = status
	var date any
	if !res.TCBDate.IsZero() {
		date = timeClaim(slotTCBDate, res.TCBDate)
		c["tcb_date"] = date
	}
	ids := advisoryClaim(res.AdvisoryIDs)
	c["advisory_ids"] = ids
	// The TCB level running now (Trustee's *_current, DCAP 1.27): a TD 1.5
	// module after TD-preserving updates (TEE_TCB_SVN2), else the launch one.
	if cur := res.Current; cur != nil {
		c["tcb_status_current"] = statusClaim(cur.Status)
		if !cur.TCBDate.IsZero() {
			c["tcb_date_current"] = timeClaim(slotCurrentDate, cur.TCBDate)
		}
		c["advisory_ids_current"] = advisoryClaim(cur.AdvisoryIDs)
	} else {
		c["tcb_status_current"] = status
		if date != nil {
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
	c["platform_tcb_status"] = statusClaim(res.PlatformStatus)
	c["tdx_module_tcb_status"] = statusClaim(res.ModuleStatus)
	c["qe_tcb_status"] = statusClaim(res.QEStatus)
	if !res.EarliestIssueDate.IsZero() {
		c["collateral_earliest_issue_date"] = timeClaim(slotEarliestIssue, res.EarliestIssueDate)
	}
	if !res.LatestIssueDate.IsZero() {
		c["collateral_latest_issue_date"] = timeClaim(slotLatestIssue, res.LatestIssueDate)
	}
	if !res.EarliestExpiration.IsZero() {
		c["collateral_earliest_expiration"] = timeClaim(slotEarliestExpiration, res.EarliestExpiration)
	}
	c["revocation_checked"] = res.RevocationChecked
}

// The TCB claims of a platform's quotes repeat: the same statuses, dates and
// advisories of the same collateral. They are boxed once, not per quote.

// boxedStatuses are the TCB statuses' names as claims.
var boxedStatuses = sync.OnceValue(func() (b [32]any) {
	for i := range b {
		b[i] = intel.TCBStatus(i).String()
	}
	return b
})

func statusClaim(s intel.TCBStatus) any {
	if b := boxedStatuses(); int(s) < len(b) {
		return b[s]
	}
	return s.String()
}

// noAdvisories is the advisory_ids claim of a level without advisories.
var noAdvisories any = []string{}

// advisoryClaim is ids as a claim (the collateral's own slice, as before).
func advisoryClaim(ids []string) any {
	if ids == nil {
		return noAdvisories
	}
	return ids
}

// Slots of timeClaim: one remembered time per claim.
const (
	slotTCBDate = iota
	slotCurrentDate
	slotEarliestIssue
	slotLatestIssue
	slotEarliestExpiration
	timeSlots
)

// timeMemo is a time's RFC 3339 text (UTC), boxed.
type timeMemo struct {
	t time.Time
	v any
}

var lastTimes [timeSlots]atomic.Pointer[timeMemo]

// timeClaim is t as an RFC 3339 claim in UTC, remembered per slot.
func timeClaim(slot int, t time.Time) any {
	if m := lastTimes[slot].Load(); m != nil && m.t.Equal(t) {
		return m.v
	}
	m := &timeMemo{t: t, v: t.UTC().Format(time.RFC3339)}
	lastTimes[slot].Store(m)
	return m.v
}
