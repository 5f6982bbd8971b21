// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto/elliptic"
	"time"
)

type snpGen struct {
	*generator
	pkis map[Product]*AMDPKI
}

var (
	snpTCBs = map[Product]TCB{
		Milan: {BootLoader: 3, TEE: 0, SNP: 20, Microcode: 209},
		Genoa: {BootLoader: 9, TEE: 0, SNP: 23, Microcode: 72},
		Turin: {FMC: 1, BootLoader: 2, TEE: 0, SNP: 3, Microcode: 77},
	}
	revokedVCEKSerial int64 = 0xdead
)

// snpCase is one SNP case of the catalog.
type snpCase struct {
	id, desc string
	product  Product
	version  uint32
	vlek     bool
	policy   uint64            // added to the base policy (bit 17, SMT)
	leaf     func(*LeafSpec)   // changes to the VCEK/VLEK
	report   func(*ReportSpec) // changes to the report
	leafFrom Product           // issue the leaf under another product's PKI
	noLeaf   bool              // no VCEK/VLEK in the collateral
	table    bool              // extended report: the certificate table carries VCEK, ASK, ARK
	crl      string            // CRL set: "good" (default), "none", "revoked-intermediates", "expired"
	noRoot   bool              // do not trust the test ARK
	opts     Options
	status   string
	errs     []string
	claims   map[string]any
}

func (g *snpGen) snp() {
	g.pkis = map[Product]*AMDPKI{}
	for _, p := range []Product{Milan, Genoa, Turin} {
		k := NewAMDPKI(g.seed, p)
		g.pkis[p] = k
		dir := "amd/" + lower(p)
		g.file(dir+"/ark.pem", PEM(k.ARK))
		g.file(dir+"/chain/cert_chain.pem", PEM(k.ASK, k.ARK))
		g.file(dir+"/chain/vlek_cert_chain.pem", PEM(k.ASVK, k.ARK))
		g.file(dir+"/crl/good/ark.crl", k.CRL(false, tdxIssue, tdxNext))
		// The ARK signs one CRL per chain under one name; the file name says
		// which (certs/amd: a CRL counts for the chain its source names).
		// Issued a second later, so that its bytes differ from the VCEK one's.
		g.file(dir+"/crl/good/vlek-ark.crl", k.CRL(false, tdxIssue.Add(time.Second), tdxNext))
		g.file(dir+"/crl/good/ask.crl", k.CRL(true, tdxIssue, tdxNext, revokedVCEKSerial))
		g.file(dir+"/crl/revoked-intermediates/ark.crl", k.CRL(false, tdxIssue, tdxNext, k.ASK.SerialNumber.Int64(), k.ASVK.SerialNumber.Int64()))
		g.file(dir+"/crl/expired/ark.crl", k.CRL(false, date(2025, 12, 1), date(2026, 1, 1)))
	}
	minTCB := func(p Product) map[string]int {
		t := snpTCBs[p]
		return map[string]int{"bootloader": int(t.BootLoader), "tee": int(t.TEE), "snp": int(t.SNP) + 1, "microcode": int(t.Microcode), "fmc": int(t.FMC)}
	}
	cases := []snpCase{
		{id: "snp-milan-v2-vcek", desc: "Milan v2 report (no CPUID): the product comes from the VCEK", product: Milan, version: 2, status: "affirming",
			claims: map[string]any{"product": "Milan", "signing_key": "VCEK", "crl_checked": true, "debug": false, "reported_tcb_snp": 20}},
		{id: "snp-milan-v3-vcek", desc: "Milan v3 report, VCEK", product: Milan, version: 3, status: "affirming", claims: map[string]any{"product": "Milan", "cpuid_mod_id": 1}},
		{id: "snp-genoa-v3-vcek", desc: "Genoa v3 report, VCEK", product: Genoa, version: 3, status: "affirming", claims: map[string]any{"product": "Genoa", "reported_tcb_microcode": 72}},
		{id: "snp-genoa-v5-vcek", desc: "Genoa v5 report (mitigation vectors), VCEK", product: Genoa, version: 5, status: "affirming", claims: map[string]any{"version": 5}},
		{id: "snp-turin-v3-vcek", desc: "Turin v3 report: 8-byte hwID, FMC SPL", product: Turin, version: 3, status: "affirming", claims: map[string]any{"product": "Turin", "reported_tcb_fmc": 1}},
		{id: "snp-turin-v5-vcek", desc: "Turin v5 report, VCEK", product: Turin, version: 5, status: "affirming", claims: map[string]any{"product": "Turin", "version": 5}},
		{id: "snp-milan-v3-vlek", desc: "Milan v3 report signed by a VLEK (ASVK chain)", product: Milan, version: 3, vlek: true, status: "affirming", claims: map[string]any{"signing_key": "VLEK"}},
		{id: "snp-genoa-v3-vlek", desc: "Genoa v3 report signed by a VLEK", product: Genoa, version: 3, vlek: true, status: "affirming", claims: map[string]any{"signing_key": "VLEK", "product": "Genoa"}},
		{id: "snp-turin-v5-vlek", desc: "Turin v5 report signed by a VLEK", product: Turin, version: 5, vlek: true, status: "affirming", claims: map[string]any{"signing_key": "VLEK", "product": "Turin"}},
		{id: "snp-genoa-extended-report", desc: "extended report: the certificate table carries VCEK, ASK and ARK", product: Genoa, version: 3, table: true, status: "affirming"},
		{id: "snp-turin-extended-vlek", desc: "extended report with a VLEK in its certificate table", product: Turin, version: 3, vlek: true, table: true, status: "affirming", claims: map[string]any{"signing_key": "VLEK"}},
		{id: "snp-milan-no-crl", desc: "no CRL: revocation not checked, a warning", product: Milan, version: 3, crl: "none", status: "warning", claims: map[string]any{"crl_checked": false}},
		{id: "snp-genoa-no-crl-required", desc: "no CRL, CRLs required", product: Genoa, version: 3, crl: "none", opts: Options{RequireCRLs: true}, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrCollateralMissing"}},
		{id: "snp-genoa-debug", desc: "debug guest (POLICY.DEBUG): genuine, contraindicated", product: Genoa, version: 3, policy: 1 << 19, status: "contraindicated", errs: []string{"verify.ErrPolicy"}, claims: map[string]any{"debug": true, "policy_debug_allowed": true}},
		{id: "snp-turin-debug-allowed", desc: "debug guest accepted by option: a warning", product: Turin, version: 5, policy: 1 << 19, opts: Options{AllowDebug: true}, status: "warning", claims: map[string]any{"debug": true}},
		{id: "snp-milan-debug-denied", desc: "debug guest refused by amd.Policy.DenyDebug", product: Milan, version: 3, policy: 1 << 19, opts: Options{DenyDebug: true}, status: "contraindicated", errs: []string{"verify.ErrPolicy", "amd.ErrPolicy"}},
		{id: "snp-genoa-minimum-tcb", desc: "REPORTED_TCB below the policy's minimum SNP SPL", product: Genoa, version: 3, opts: Options{MinimumTCB: minTCB(Genoa)}, status: "contraindicated", errs: []string{"verify.ErrPolicy", "amd.ErrPolicy"}},
		{id: "snp-milan-migrate-ma", desc: "POLICY.MIGRATE_MA set: a warning", product: Milan, version: 3, policy: 1 << 18, status: "warning", claims: map[string]any{"policy_migrate_ma": true}},
		{id: "snp-turin-reported-below-current", desc: "REPORTED_TCB below CURRENT_TCB: a warning", product: Turin, version: 3, report: func(r *ReportSpec) {
			c := *r.Reported
			c.SNP++
			r.Current, r.Committed = &c, &c
		}, status: "warning"},
		{id: "snp-milan-vcek-revoked", desc: "VCEK serial listed in the ASK's CRL", product: Milan, version: 3, leaf: func(l *LeafSpec) { l.Serial = revokedVCEKSerial }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrRevoked"}},
		{id: "snp-genoa-ask-revoked", desc: "ASK listed in the ARK's CRL", product: Genoa, version: 3, crl: "revoked-intermediates", status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrRevoked"}},
		{id: "snp-turin-asvk-revoked", desc: "ASVK listed in the ARK's CRL (VLEK chain)", product: Turin, version: 3, vlek: true, crl: "revoked-intermediates", status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrRevoked"}},
		{id: "snp-milan-vcek-expired", desc: "VCEK expired before the verification time", product: Milan, version: 3, leaf: func(l *LeafSpec) { l.NotAfter = date(2026, 1, 1) }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExpired"}},
		{id: "snp-genoa-vlek-not-yet-valid", desc: "VLEK issued after the verification time", product: Genoa, version: 3, vlek: true, leaf: func(l *LeafSpec) { l.NotBefore = date(2026, 2, 1) }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExpired"}},
		{id: "snp-turin-crl-expired", desc: "the ARK's CRL past its nextUpdate, CRLs required", product: Turin, version: 3, crl: "expired", opts: Options{RequireCRLs: true}, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExpired"}},
		{id: "snp-milan-crl-expired-only", desc: "the ARK's CRL past its nextUpdate and no current one: revocation not checked, a warning", product: Milan, version: 3, crl: "expired", status: "warning", claims: map[string]any{"crl_checked": false}},
		{id: "snp-milan-tcb-mismatch", desc: "VCEK issued for another SNP SPL than REPORTED_TCB", product: Milan, version: 3, leaf: func(l *LeafSpec) { l.TCB.SNP-- }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExtensionMismatch"}},
		{id: "snp-turin-fmc-mismatch", desc: "Turin VCEK issued for another FMC SPL", product: Turin, version: 5, leaf: func(l *LeafSpec) { l.TCB.FMC++ }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExtensionMismatch"}},
		{id: "snp-turin-chipid-mismatch", desc: "VCEK hwID is another chip's", product: Turin, version: 3, leaf: func(l *LeafSpec) { l.ChipID = append([]byte{0xee}, l.ChipID[1:]...) }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrExtensionMismatch"}},
		{id: "snp-genoa-signature", desc: "report signature changed", product: Genoa, version: 3, report: func(r *ReportSpec) { r.BreakSignature = true }, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrSignature"}},
		{id: "snp-milan-untrusted-ark", desc: "chain under a test ARK the verifier does not trust (AMD's names)", product: Milan, version: 3, noRoot: true, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrChain"}},
		{id: "snp-genoa-vlek-missing", desc: "VLEK-signed report with no VLEK in the collateral", product: Genoa, version: 3, vlek: true, noLeaf: true, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrCollateralMissing"}},
		{id: "snp-milan-report-genoa-vcek", desc: "Milan report (CPUID) with a Genoa VCEK", product: Milan, version: 3, leafFrom: Genoa, status: "contraindicated", errs: []string{"verify.ErrGenuine", "amd.ErrChain"}},
	}
	for _, c := range cases {
		g.add(c)
	}
	// A truncated report is still an SNP report (version and SIGNATURE_ALGO
	// in place): the parser names what is missing.
	var base Case
	for _, c := range g.cases {
		if c.ID == "snp-milan-v3-vcek" {
			base = c
		}
	}
	raw := g.files[base.Evidence]
	g.cases = append(g.cases, Case{ID: "snp-milan-truncated", TEE: "snp", Description: "report cut before its signature: truncated",
		Evidence: g.file("snp/snp-milan-truncated.report", raw[:0x2A0]), Collateral: base.Collateral, At: base.At, Roots: base.Roots,
		Expect: Expect{Status: "contraindicated", Errors: []string{"verify.ErrEvidence", "snp.ErrTruncated"}}})
}

func lower(p Product) string {
	b := []byte(p)
	b[0] += 'a' - 'A'
	return string(b)
}

func (g *snpGen) add(c snpCase) {
	k := g.pkis[c.product]
	tcb := snpTCBs[c.product]
	chip := g.seed.Bytes("snp-chip/"+string(c.product), 64)
	if c.product == Turin {
		clear(chip[8:])
	}
	key := g.seed.ECKey(elliptic.P384(), "snp-leaf/"+c.id)
	issuer := k
	if c.leafFrom != "" {
		issuer = g.pkis[c.leafFrom]
		tcb = snpTCBs[c.leafFrom]
	}
	leaf := LeafSpec{VLEK: c.vlek, Serial: int64(0x1000 + len(g.cases)), TCB: tcb, ChipID: chip, CSPID: "ccverify test cloud",
		NotBefore: date(2025, 1, 1), NotAfter: date(2032, 1, 1), Key: key}
	if c.leaf != nil {
		c.leaf(&leaf)
	}
	rtcb := snpTCBs[c.product]
	if c.leafFrom != "" {
		rtcb = tcb
	}
	rs := ReportSpec{Version: c.version, Product: c.product, VLEK: c.vlek, Label: c.id, Policy: 1<<17 | 1<<16 | c.policy, Reported: &rtcb, Key: key, PlatformInfo: 1}
	if !c.vlek {
		rs.ChipID = chip
	}
	if c.report != nil {
		c.report(&rs)
	}
	report := BuildReport(g.seed, rs)
	der := issuer.IssueLeaf(leaf)
	dir := "amd/" + lower(c.product)
	var col []string
	if c.table {
		inter, g1 := issuer.ASK, GUIDVCEK
		if c.vlek {
			inter, g1 = issuer.ASVK, GUIDVLEK
		}
		report = append(report, CertTable([2][]byte{g1, der}, [2][]byte{GUIDASK, inter.Raw}, [2][]byte{GUIDARK, issuer.ARK.Raw})...)
	} else {
		if !c.noLeaf {
			name := "vcek.der"
			if c.vlek {
				name = "vlek.der"
			}
			col = append(col, g.file("snp/"+c.id+"."+name, der))
		}
		col = append(col, dir+"/chain")
	}
	switch c.crl {
	case "", "good":
		col = append(col, dir+"/crl/good")
	case "none":
	default:
		col = append(col, dir+"/crl/"+c.crl)
	}
	roots := Roots{AMD: dir + "/ark.pem"}
	if c.noRoot {
		roots = Roots{}
	}
	g.cases = append(g.cases, Case{ID: c.id, TEE: "snp", Description: c.desc, Evidence: g.file("snp/"+c.id+".report", report),
		Collateral: col, At: tdxAt.Add(time.Duration(0)), Roots: roots, Options: c.opts,
		Expect: Expect{Status: c.status, Errors: c.errs, Claims: c.claims}})
}
