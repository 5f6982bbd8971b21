// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"math/big"
	"time"
)

// The TDX catalog's fixed values.
var (
	tdxAt        = date(2026, 1, 15)
	tdxIssue     = date(2026, 1, 10)
	tdxNext      = date(2026, 2, 9)
	tdxFMSPC     = [6]byte{0x90, 0xc0, 0x6f, 0, 0, 0}
	tdxSGX       = [16]byte{3, 3, 2, 2, 4, 1, 0, 3}
	tdxQEMRSign  = [32]byte{0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5}
	tdxQEAttrs   = [16]byte{0x11}
	tdxQEMask    = [16]byte{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	revokedPCKSN = big.NewInt(0xdead)
)

// tee returns a TEE_TCB_SVN: module SVN, module major version, then the TDX
// late microcode SVN at index 2.
func tee(moduleSVN, major, ucode uint8) [16]byte { return [16]byte{moduleSVN, major, ucode} }

// tdxLevels are the catalog's TCB levels: one per platform status, keyed by
// TEE_TCB_SVN[2], newest first as Intel orders them.
func tdxLevels() []TCBLevel {
	lvl := func(ucode uint8, y int, m time.Month, status string, adv ...string) TCBLevel {
		return TCBLevel{SGX: tdxSGX, PCESVN: 13, TDX: [16]uint8{2, 0, ucode}, Date: date(y, m, 12), Status: status, AdvisoryIDs: adv}
	}
	return []TCBLevel{
		lvl(9, 2025, 11, "UpToDate"),
		lvl(8, 2025, 8, "SWHardeningNeeded", "INTEL-SA-90001"),
		lvl(7, 2025, 5, "ConfigurationNeeded", "INTEL-SA-90002"),
		lvl(6, 2025, 2, "ConfigurationAndSWHardeningNeeded", "INTEL-SA-90001", "INTEL-SA-90002"),
		lvl(5, 2024, 11, "OutOfDate", "INTEL-SA-90003"),
		lvl(4, 2024, 8, "OutOfDateConfigurationNeeded", "INTEL-SA-90002", "INTEL-SA-90003"),
		lvl(3, 2024, 5, "Revoked", "INTEL-SA-90004"),
	}
}

func tdxModules() map[uint8][]ModuleLevel {
	return map[uint8][]ModuleLevel{3: {
		{ISVSVN: 6, Date: date(2025, 11, 12), Status: "UpToDate"},
		{ISVSVN: 4, Date: date(2025, 2, 12), Status: "OutOfDate", AdvisoryIDs: []string{"INTEL-SA-90005"}},
		{ISVSVN: 2, Date: date(2024, 2, 12), Status: "Revoked"},
	}}
}

func qeLevels() []ModuleLevel {
	return []ModuleLevel{
		{ISVSVN: 8, Date: date(2025, 11, 12), Status: "UpToDate"},
		{ISVSVN: 6, Date: date(2025, 5, 12), Status: "OutOfDate", AdvisoryIDs: []string{"INTEL-SA-90006"}},
		{ISVSVN: 4, Date: date(2024, 5, 12), Status: "Revoked"},
	}
}

// tdxGen holds the Intel PKIs and keys of the TDX catalog.
type tdxGen struct {
	*generator
	pki, foreign  *IntelPKI
	revokedCA     *x509.Certificate // a Platform CA the root CRL lists
	revokedCAKey  *ecdsa.PrivateKey
	revokedSigner *x509.Certificate // a TCB Signing certificate the root CRL lists
	revokedSigKey *ecdsa.PrivateKey
	ak            *ecdsa.PrivateKey
}

// quoteOpts are the knobs of one TDX case's evidence.
type quoteOpts struct {
	version      uint16
	td15         bool
	tee, tee2    [16]byte
	processor    bool // PCK from the Processor CA
	pck          func(*PCKSpec)
	ca           *x509.Certificate
	caKey        *ecdsa.PrivateKey
	pki          *IntelPKI
	qeSVN        uint16
	qeMRSigner   *[32]byte
	tdAttributes uint64
	seamAttrs    uint64
	mrSignerSeam [48]byte
	brk          func(*QuoteSpec)
	post         func([]byte) []byte
}

func (g *tdxGen) quote(label string, o quoteOpts) string {
	if o.version == 0 {
		o.version = 4
	}
	if o.tee == ([16]byte{}) {
		o.tee = tee(6, 3, 9)
	}
	if o.td15 && o.tee2 == ([16]byte{}) {
		o.tee2 = o.tee
	}
	if o.qeSVN == 0 {
		o.qeSVN = 8
	}
	if o.tdAttributes == 0 {
		o.tdAttributes = 1 << 28 // SEPT_VE_DISABLE
	}
	pki := o.pki
	if pki == nil {
		pki = g.pki
	}
	spec := PCKSpec{Label: label, Serial: big.NewInt(0x100000 + int64(len(g.cases))), NotBefore: date(2025, 1, 1), NotAfter: date(2032, 1, 1),
		FMSPC: tdxFMSPC, PCESVN: 13, SGXComponents: tdxSGX, SGXType: 1, Platform: !o.processor}
	if o.pck != nil {
		o.pck(&spec)
	}
	ca, caKey := pki.PlatformCA, pki.PlatformKey
	if o.processor {
		ca, caKey = pki.ProcessorCA, pki.ProcessorKey
	}
	if o.ca != nil {
		ca, caKey = o.ca, o.caKey
	}
	pck, pckKey := pki.IssuePCK(spec, ca, caKey)
	qs := QuoteSpec{Version: o.version, TD15: o.td15, TEETCBSVN: o.tee, TEETCBSVN2: o.tee2,
		MRSignerSeam: o.mrSignerSeam, SEAMAttributes: o.seamAttrs, TDAttributes: o.tdAttributes, XFAM: 0x61ae7, Label: label,
		QEMRSigner: tdxQEMRSign, QEAttributes: tdxQEAttrs, QEISVProdID: 2, QEISVSVN: o.qeSVN,
		PCKChain: PCKChain(pck, ca, pki.Root), PCKKey: pckKey, AKKey: g.ak}
	if o.qeMRSigner != nil {
		qs.QEMRSigner = *o.qeMRSigner
	}
	if o.brk != nil {
		o.brk(&qs)
	}
	q := BuildQuote(g.seed, qs)
	if o.post != nil {
		q = o.post(q)
	}
	return g.file("tdx/"+label+".quote", q)
}

// tcbSet writes a TCB Info, QE Identity and their issuer chain into dir.
func (g *tdxGen) tcbSet(dir string, ti TCBInfoSpec, qe QEIdentitySpec, signer *x509.Certificate, key *ecdsa.PrivateKey, root *x509.Certificate, tamper bool) string {
	tiBody := SignJSON(key, "tcbInfo", TCBInfoJSON(ti))
	if tamper { // one digit of tcbEvaluationDataNumber changed after signing
		for i := range tiBody {
			if string(tiBody[i:i+26]) == `"tcbEvaluationDataNumber":` {
				tiBody[i+26]++
				break
			}
		}
	}
	g.file(dir+"/tcbinfo.json", tiBody)
	g.file(dir+"/qeidentity.json", SignJSON(key, "enclaveIdentity", QEIdentityJSON(qe)))
	g.file(dir+"/tcb-signing-chain.pem", PEM(signer, root))
	return dir
}

func (g *tdxGen) crlSet(dir string, pckThis, pckNext time.Time, platform *x509.Certificate, platformKey *ecdsa.PrivateKey) string {
	p := g.pki
	g.file(dir+"/pck-platform-crl.pem", pemCRL(p.IntelCRL(platform, platformKey, pckThis, pckNext, revokedPCKSN)))
	g.file(dir+"/pck-processor-crl.der", p.IntelCRL(p.ProcessorCA, p.ProcessorKey, pckThis, pckNext, revokedPCKSN))
	g.file(dir+"/root-crl.der", p.IntelCRL(p.Root, p.RootKey, tdxIssue, tdxNext.AddDate(0, 6, 0), g.revokedCA.SerialNumber, g.revokedSigner.SerialNumber))
	g.file(dir+"/pck-ca-chain.pem", PEM(platform, p.Root))
	return dir
}

func (g *tdxGen) tdx() {
	seed := g.seed
	g.pki = NewIntelPKI(seed, "main")
	g.foreign = NewIntelPKI(seed, "foreign")
	g.ak = seed.ECKey(elliptic.P256(), "tdx-attestation-key")
	g.revokedCAKey = seed.ECKey(elliptic.P256(), "intel-revoked-platform-ca")
	g.revokedCA = g.pki.IssueCA(IntelPlatformCACN, 6, g.revokedCAKey)
	g.revokedSigKey = seed.ECKey(elliptic.P256(), "intel-revoked-tcb-signing")
	g.revokedSigner = g.pki.IssueTCBSigning(5, g.revokedSigKey, intelCANotBefore, intelCANotAfter)
	root := g.file("intel/root.pem", PEM(g.pki.Root))
	roots := Roots{Intel: root}

	ti := TCBInfoSpec{IssueDate: tdxIssue, NextUpdate: tdxNext, FMSPC: tdxFMSPC, EvaluationDataNumber: 19, Levels: tdxLevels(), Modules: tdxModules()}
	qe := QEIdentitySpec{IssueDate: tdxIssue, NextUpdate: tdxNext, EvaluationDataNumber: 19, MRSigner: tdxQEMRSign, ISVProdID: 2,
		Attributes: tdxQEAttrs, AttributesMask: tdxQEMask, Levels: qeLevels()}
	p := g.pki
	tcbGood := g.tcbSet("intel/tcb/good", ti, qe, p.TCBSigning, p.TCBSignKey, p.Root, false)
	expTI := ti
	expTI.IssueDate, expTI.NextUpdate = date(2025, 12, 1), date(2025, 12, 31)
	tcbExpired := g.tcbSet("intel/tcb/expired-tcbinfo", expTI, qe, p.TCBSigning, p.TCBSignKey, p.Root, false)
	newTI := ti
	newTI.IssueDate, newTI.NextUpdate = date(2026, 1, 20), date(2026, 2, 19)
	tcbNotYet := g.tcbSet("intel/tcb/notyet-tcbinfo", newTI, qe, p.TCBSigning, p.TCBSignKey, p.Root, false)
	expQE := qe
	expQE.IssueDate, expQE.NextUpdate = date(2025, 12, 1), date(2026, 1, 1)
	tcbExpQE := g.tcbSet("intel/tcb/expired-qeidentity", ti, expQE, p.TCBSigning, p.TCBSignKey, p.Root, false)
	tcbRevSigner := g.tcbSet("intel/tcb/revoked-signer", ti, qe, g.revokedSigner, g.revokedSigKey, p.Root, false)
	tcbTampered := g.tcbSet("intel/tcb/tampered-tcbinfo", ti, qe, p.TCBSigning, p.TCBSignKey, p.Root, true)
	f := g.foreign
	tcbForeign := g.tcbSet("intel/tcb/foreign-signer", ti, qe, f.TCBSigning, f.TCBSignKey, f.Root, false)

	crlGood := g.crlSet("intel/crl/good", tdxIssue, tdxNext, p.PlatformCA, p.PlatformKey)
	crlExpired := g.crlSet("intel/crl/expired-pck-crl", date(2025, 12, 1), date(2026, 1, 1), p.PlatformCA, p.PlatformKey)
	crlRevokedCA := g.crlSet("intel/crl/revoked-ca", tdxIssue, tdxNext, g.revokedCA, g.revokedCAKey)

	good := []string{tcbGood, crlGood}
	type tc struct {
		id, desc   string
		q          quoteOpts
		col        []string
		opts       Options
		at         time.Time
		status     string
		tcb        string
		errs       []string
		claims     map[string]any
		noRootsOpt bool
	}
	cases := []tc{
		{id: "tdx-v4-platform-uptodate", desc: "v4 quote, Platform CA PCK, every TCB level current", col: good, status: "affirming", tcb: "UpToDate",
			claims: map[string]any{"pck_ca": "platform", "quote_version": 4, "fmspc": "90c06f000000", "revocation_checked": true, "tdx_module_tcb_status": "UpToDate", "td_attributes.debug": false, "is_dynamic_platform": true}},
		{id: "tdx-v4-processor-uptodate", desc: "v4 quote, Processor CA PCK", q: quoteOpts{processor: true}, col: good, status: "affirming", tcb: "UpToDate",
			claims: map[string]any{"pck_ca": "processor", "quote_version": 4}},
		{id: "tdx-v5-td10-uptodate", desc: "v5 quote with a TD 1.0 body", q: quoteOpts{version: 5}, col: good, status: "affirming", tcb: "UpToDate",
			claims: map[string]any{"quote_version": 5, "quote.type": "0200"}},
		{id: "tdx-v5-td15-uptodate", desc: "v5 quote with a TD 1.5 body, TEE_TCB_SVN2 = TEE_TCB_SVN", q: quoteOpts{version: 5, td15: true}, col: good, status: "affirming", tcb: "UpToDate",
			claims: map[string]any{"quote_version": 5, "quote.type": "0300"}},
		{id: "tdx-v4-module-v1-uptodate", desc: "TEE_TCB_SVN[1] = 0: the TCB Info's tdxModule applies and TDX components 0 and 1 are compared", q: quoteOpts{tee: tee(5, 0, 9)}, col: good, status: "affirming", tcb: "UpToDate",
			claims: map[string]any{"tdx_module_tcb_status": ""}},
		{id: "tdx-v4-swhardeningneeded", desc: "platform level SWHardeningNeeded", q: quoteOpts{tee: tee(6, 3, 8)}, col: good, status: "warning", tcb: "SWHardeningNeeded", claims: map[string]any{"advisory_ids": []any{"INTEL-SA-90001"}}},
		{id: "tdx-v4-configurationneeded", desc: "platform level ConfigurationNeeded", q: quoteOpts{tee: tee(6, 3, 7)}, col: good, status: "warning", tcb: "ConfigurationNeeded"},
		{id: "tdx-v4-configurationandswhardeningneeded", desc: "platform level ConfigurationAndSWHardeningNeeded", q: quoteOpts{tee: tee(6, 3, 6)}, col: good, status: "warning", tcb: "ConfigurationAndSWHardeningNeeded"},
		{id: "tdx-v4-outofdate", desc: "platform level OutOfDate", q: quoteOpts{tee: tee(6, 3, 5)}, col: good, status: "warning", tcb: "OutOfDate", claims: map[string]any{"platform_tcb_status": "OutOfDate", "tcb_date": "2024-11-12T00:00:00Z"}},
		{id: "tdx-v4-outofdateconfigurationneeded", desc: "platform level OutOfDateConfigurationNeeded", q: quoteOpts{tee: tee(6, 3, 4)}, col: good, status: "warning", tcb: "OutOfDateConfigurationNeeded"},
		{id: "tdx-v4-tcb-revoked", desc: "platform level Revoked", q: quoteOpts{tee: tee(6, 3, 3)}, col: good, status: "contraindicated", tcb: "Revoked", errs: []string{"verify.ErrTCB", "intel.ErrTCBRevoked", "intel.ErrRevoked"}},
		{id: "tdx-v4-tcb-not-supported", desc: "TEE_TCB_SVN below every platform level", q: quoteOpts{tee: tee(6, 3, 2)}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v4-pcesvn-not-supported", desc: "PCK PCESVN below every platform level", q: quoteOpts{pck: func(s *PCKSpec) { s.PCESVN = 11 }}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v4-sgx-components-not-supported", desc: "PCK SGX TCB component below every platform level", q: quoteOpts{pck: func(s *PCKSpec) { s.SGXComponents[4] = 3 }}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v4-module-outofdate", desc: "TDX module level OutOfDate converges an UpToDate platform to OutOfDate", q: quoteOpts{tee: tee(4, 3, 9)}, col: good, status: "warning", tcb: "OutOfDate",
			claims: map[string]any{"platform_tcb_status": "UpToDate", "tdx_module_tcb_status": "OutOfDate", "advisory_ids": []any{"INTEL-SA-90005"}}},
		{id: "tdx-v4-module-revoked", desc: "TDX module level Revoked", q: quoteOpts{tee: tee(2, 3, 9)}, col: good, status: "contraindicated", tcb: "Revoked", errs: []string{"verify.ErrTCB", "intel.ErrTCBRevoked"}},
		{id: "tdx-v4-module-not-supported", desc: "TDX module SVN below every module level", q: quoteOpts{tee: tee(1, 3, 9)}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v4-module-major-unknown", desc: "TEE_TCB_SVN[1] = 4: the TCB Info has no TDX_04 identity", q: quoteOpts{tee: tee(6, 4, 9)}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrModuleIdentityMismatch"}},
		{id: "tdx-v4-qe-outofdate", desc: "QE ISVSVN at the OutOfDate QE level", q: quoteOpts{qeSVN: 6}, col: good, status: "warning", tcb: "OutOfDate", claims: map[string]any{"qe_tcb_status": "OutOfDate", "qe_isvsvn": 6}},
		{id: "tdx-v4-qe-revoked", desc: "QE ISVSVN at the Revoked QE level", q: quoteOpts{qeSVN: 4}, col: good, status: "contraindicated", tcb: "Revoked", errs: []string{"verify.ErrTCB", "intel.ErrTCBRevoked"}},
		{id: "tdx-v4-qe-not-supported", desc: "QE ISVSVN below every QE level", q: quoteOpts{qeSVN: 3}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v5-td15-relaunch-advised", desc: "TD 1.5: launched on an OutOfDate module, running on an UpToDate one", q: quoteOpts{version: 5, td15: true, tee: tee(6, 3, 5), tee2: tee(6, 3, 9)}, col: good, status: "warning", tcb: "TDRelaunchAdvised"},
		{id: "tdx-v5-td15-relaunch-advised-config", desc: "TD 1.5: launched OutOfDateConfigurationNeeded, running UpToDate", q: quoteOpts{version: 5, td15: true, tee: tee(6, 3, 4), tee2: tee(6, 3, 9)}, col: good, status: "warning", tcb: "TDRelaunchAdvisedConfigurationNeeded"},
		{id: "tdx-v5-td15-module-relaunch-advised", desc: "TD 1.5: launched on an OutOfDate TDX module SVN, running on the current one", q: quoteOpts{version: 5, td15: true, tee: tee(4, 3, 9), tee2: tee(6, 3, 9)}, col: good, status: "warning", tcb: "TDRelaunchAdvised"},
		{id: "tdx-v5-td15-still-outofdate", desc: "TD 1.5: launched and running OutOfDate: no relaunch helps", q: quoteOpts{version: 5, td15: true, tee: tee(6, 3, 5), tee2: tee(6, 3, 5)}, col: good, status: "warning", tcb: "OutOfDate"},
		{id: "tdx-v5-td15-current-not-supported", desc: "TD 1.5: TEE_TCB_SVN2 below every level", q: quoteOpts{version: 5, td15: true, tee: tee(6, 3, 9), tee2: tee(6, 3, 2)}, col: good, status: "contraindicated", tcb: "TCBNotSupported", errs: []string{"verify.ErrTCB", "intel.ErrTCBNotSupported"}},
		{id: "tdx-v4-debug-td", desc: "debug TD (TD_ATTRIBUTES.DEBUG): genuine, contraindicated by policy", q: quoteOpts{tdAttributes: 1<<28 | 1}, col: good, status: "contraindicated", tcb: "UpToDate", errs: []string{"verify.ErrPolicy"}, claims: map[string]any{"td_attributes.debug": true}},
		{id: "tdx-v5-debug-td-allowed", desc: "debug TD accepted by option: a warning", q: quoteOpts{version: 5, td15: true, tdAttributes: 1<<28 | 1}, opts: Options{AllowDebug: true}, col: good, status: "warning", tcb: "UpToDate", claims: map[string]any{"td_attributes.debug": true}},
		{id: "tdx-v4-unknown-td-attributes", desc: "TD_ATTRIBUTES bit 40 (undefined) set: a warning", q: quoteOpts{tdAttributes: 1<<28 | 1<<40}, col: good, status: "warning", tcb: "UpToDate"},
		{id: "tdx-v4-pck-revoked", desc: "PCK serial listed in the Platform CA CRL", q: quoteOpts{pck: func(s *PCKSpec) { s.Serial = revokedPCKSN }}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrRevoked"}},
		{id: "tdx-v4-processor-pck-revoked", desc: "PCK serial listed in the Processor CA CRL", q: quoteOpts{processor: true, pck: func(s *PCKSpec) { s.Serial = revokedPCKSN }}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrRevoked"}},
		{id: "tdx-v4-pck-ca-revoked", desc: "PCK Platform CA listed in the Root CA CRL", q: quoteOpts{ca: g.revokedCA, caKey: g.revokedCAKey}, col: []string{tcbGood, crlRevokedCA}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrRevoked"}},
		{id: "tdx-v4-tcb-signer-revoked", desc: "TCB Signing certificate listed in the Root CA CRL", col: []string{tcbRevSigner, crlGood}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrRevoked"}},
		{id: "tdx-v4-tcbinfo-expired", desc: "TCB Info past its nextUpdate, collateral required", col: []string{tcbExpired, crlGood}, opts: Options{RequireCollateral: true}, status: "contraindicated", tcb: "UpToDate", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralExpired"}},
		{id: "tdx-v4-tcbinfo-expired-not-evaluated", desc: "TCB Info past its nextUpdate: counts as none, the TCB not evaluated (the status it would give shown), a warning", col: []string{tcbExpired, crlGood}, status: "warning", tcb: "UpToDate", claims: map[string]any{"collateral_expiration_status": "1"}},
		{id: "tdx-v4-tcbinfo-expired-allowed", desc: "TCB Info past its nextUpdate, accepted by option: a warning", col: []string{tcbExpired, crlGood}, opts: Options{AllowExpiredCollateral: true}, status: "warning", tcb: "UpToDate", claims: map[string]any{"collateral_expiration_status": "1"}},
		{id: "tdx-v4-tcbinfo-not-yet-valid", desc: "TCB Info issued after the verification time, collateral required", col: []string{tcbNotYet, crlGood}, opts: Options{RequireCollateral: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralNotYetValid"}},
		{id: "tdx-v4-qeidentity-expired", desc: "QE Identity past its nextUpdate, collateral required", col: []string{tcbExpQE, crlGood}, opts: Options{RequireCollateral: true}, status: "contraindicated", tcb: "UpToDate", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralExpired"}},
		{id: "tdx-v4-pck-crl-expired", desc: "PCK CRLs past their nextUpdate, CRLs required", col: []string{tcbGood, crlExpired}, opts: Options{RequireCRLs: true}, status: "contraindicated", tcb: "UpToDate", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralExpired"}},
		{id: "tdx-v4-pck-crl-expired-not-checked", desc: "PCK CRLs past their nextUpdate: no usable CRL, revocation not checked, a warning", col: []string{tcbGood, crlExpired}, status: "warning", tcb: "UpToDate", claims: map[string]any{"revocation_checked": false}},
		{id: "tdx-v4-tcbinfo-tampered", desc: "TCB Info changed after signing, collateral required", col: []string{tcbTampered, crlGood}, opts: Options{RequireCollateral: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralSignature"}},
		{id: "tdx-v4-tcbinfo-tampered-passed-over", desc: "TCB Info changed after signing: passed over as none, a warning", col: []string{tcbTampered, crlGood}, status: "warning"},
		{id: "tdx-v4-tcb-signer-foreign-root", desc: "TCB Info signed under another root with Intel's names, collateral required", col: []string{tcbForeign, crlGood}, opts: Options{RequireCollateral: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralSignature", "intel.ErrChain"}},
		{id: "tdx-v4-no-crls", desc: "collateral without CRLs: revocation not checked, a warning", col: []string{tcbGood}, status: "warning", tcb: "UpToDate", claims: map[string]any{"revocation_checked": false}},
		{id: "tdx-v4-no-crls-required", desc: "collateral without CRLs, CRLs required", col: []string{tcbGood}, opts: Options{RequireCRLs: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralMissing"}},
		{id: "tdx-v4-no-collateral", desc: "offline without collateral: genuine, TCB not evaluated", status: "warning", claims: map[string]any{"pck_ca": "platform"}},
		{id: "tdx-v4-pck-expired", desc: "PCK certificate expired before the verification time", q: quoteOpts{pck: func(s *PCKSpec) { s.NotAfter = date(2026, 1, 1) }}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrExpired"}},
		{id: "tdx-v4-pck-not-yet-valid", desc: "PCK certificate issued after the verification time", q: quoteOpts{pck: func(s *PCKSpec) { s.NotBefore = date(2026, 2, 1) }}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrExpired"}},
		{id: "tdx-v4-untrusted-root", desc: "PCK chain under another root with Intel's names", q: quoteOpts{pki: g.foreign}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrChain"}},
		{id: "tdx-v4-quote-signature", desc: "quote signature changed", q: quoteOpts{brk: func(s *QuoteSpec) { s.BreakQuoteSignature = true }}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrQuoteSignature"}},
		{id: "tdx-v4-qe-report-signature", desc: "QE report changed after the PCK signed it", q: quoteOpts{brk: func(s *QuoteSpec) { s.BreakQEReportSignature = true }}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrQEReportSignature"}},
		{id: "tdx-v4-qe-report-data", desc: "QE REPORT_DATA does not bind the attestation key", q: quoteOpts{brk: func(s *QuoteSpec) { s.BreakQEReportData = true }}, col: good, status: "contraindicated", errs: []string{"verify.ErrGenuine", "intel.ErrQEReportData"}},
		{id: "tdx-v4-fmspc-mismatch", desc: "PCK FMSPC has no TCB Info in the collateral (offline: the piece is missing), collateral required", q: quoteOpts{pck: func(s *PCKSpec) { s.FMSPC[5] = 1 }}, col: good, opts: Options{RequireCollateral: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrCollateralMissing"}},
		{id: "tdx-v4-pceid-mismatch", desc: "PCK PCE-ID differs from the TCB Info's, collateral required", q: quoteOpts{pck: func(s *PCKSpec) { s.PCEID[1] = 1 }}, col: good, opts: Options{RequireCollateral: true}, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrTCBInfoMismatch"}},
		{id: "tdx-v4-qe-mrsigner-mismatch", desc: "QE MRSIGNER differs from the QE Identity's", q: quoteOpts{qeMRSigner: &[32]byte{1}}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrQEIdentityMismatch"}},
		{id: "tdx-v4-mrsignerseam-mismatch", desc: "MRSIGNERSEAM is not the TDX module identity's", q: quoteOpts{mrSignerSeam: [48]byte{0xaa}}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrModuleIdentityMismatch"}},
		{id: "tdx-v4-seamattributes-nonzero", desc: "SEAMATTRIBUTES non-zero (not a production module)", q: quoteOpts{seamAttrs: 1}, col: good, status: "contraindicated", errs: []string{"verify.ErrCollateral", "intel.ErrModuleIdentityMismatch"}},
		{id: "tdx-v4-trailing-bytes", desc: "16 non-zero bytes after the quote: reported and ignored", q: quoteOpts{post: func(b []byte) []byte { return append(b, []byte("trailing garbage")...) }}, col: good, status: "affirming", tcb: "UpToDate", claims: map[string]any{"trailing_bytes": 16}},
		{id: "tdx-v4-trailing-bytes-strict", desc: "16 non-zero bytes after the quote, rejected by option", q: quoteOpts{post: func(b []byte) []byte { return append(b, []byte("trailing garbage")...) }}, opts: Options{StrictTrailingData: true}, col: good, status: "contraindicated", errs: []string{"verify.ErrEvidence", "tdx.ErrTrailingData"}},
		{id: "tdx-v4-truncated", desc: "quote cut inside its PCK chain", q: quoteOpts{post: func(b []byte) []byte { return b[:len(b)-200] }}, col: good, status: "contraindicated", errs: []string{"verify.ErrEvidence", "tdx.ErrTruncated"}},
	}
	for _, c := range cases {
		at := c.at
		if at.IsZero() {
			at = tdxAt
		}
		g.cases = append(g.cases, Case{
			ID: c.id, TEE: "tdx", Description: c.desc, Evidence: g.quote(c.id, c.q), Collateral: c.col, At: at, Roots: roots, Options: c.opts,
			Expect: Expect{Status: c.status, Errors: c.errs, TCBStatus: c.tcb, Claims: c.claims},
		})
	}
}
