// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
)

// synth is a synthetic evaluation set: a real quote (Phala's v4 tdx_quote,
// UpToDate at 2025-07-01) with its real SGX extensions, but its PCK chain
// and collateral re-issued under a test PKI, so that any field can change.
type synth struct {
	pki     *testvectors.IntelPKI // a look-alike of Intel's: its root's subject is the real root's, byte for byte
	pck     *x509.Certificate     // under the Platform CA
	q       tdx.Quote
	chain   *QuoteChain
	tcbInfo string // the tcbInfo object text
	qeID    string // the enclaveIdentity object text
	at      time.Time
	// CRL windows and revoked serials.
	pckCRLFrom, pckCRLUntil, rootCRLFrom, rootCRLUntil time.Time
	pckRevoked, rootRevoked                            []*big.Int
}

var synthAt = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

func newSynth(t testing.TB) *synth {
	t.Helper()
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, real := caseQuote(t, c)
	var bundle map[string]string
	if err := json.Unmarshal(vectors.Read(t, "tdx/phala-dcap-qvl/tdx_quote_collateral.json"), &bundle); err != nil {
		t.Fatal(err)
	}
	p := testvectors.NewIntelPKI(testvectors.NewSeed(t.Name()), "synth", intelRoot)
	pck, _ := p.IssuePCK(testvectors.PCKSpec{Label: "synth", Serial: big.NewInt(0x4242), NotBefore: p.PlatformCA.NotBefore, NotAfter: p.PlatformCA.NotAfter},
		p.PlatformCA, p.PlatformKey)
	return &synth{
		pki: p, pck: pck, q: q, at: synthAt,
		chain:   &QuoteChain{PCK: pck, Intermediate: p.PlatformCA, Root: p.Root, CA: CAPlatform, Extensions: real.Extensions},
		tcbInfo: bundle["tcb_info"], qeID: bundle["qe_identity"],
		pckCRLFrom: synthAt.AddDate(0, 0, -10), pckCRLUntil: synthAt.AddDate(0, 0, 20),
		rootCRLFrom: synthAt.AddDate(0, -1, 0), rootCRLUntil: synthAt.AddDate(1, 0, 0),
	}
}

func findCase(t testing.TB, id string) vectorCase {
	for _, c := range tdxCases(t) {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no case %s", id)
	return vectorCase{}
}

// collateral signs and assembles the synthetic collateral as PCS bodies, PEM and DER.
func (s *synth) collateral(t testing.TB) *Collateral {
	t.Helper()
	p := s.pki
	col := new(Collateral)
	for _, piece := range [][]byte{
		testvectors.SignJSON(p.TCBSignKey, "tcbInfo", []byte(s.tcbInfo)),
		testvectors.SignJSON(p.TCBSignKey, "enclaveIdentity", []byte(s.qeID)),
		testvectors.PEM(p.TCBSigning, p.Root),
		testvectors.PEM(p.PlatformCA, p.Root),
		p.IntelCRL(p.PlatformCA, p.PlatformKey, s.pckCRLFrom, s.pckCRLUntil, s.pckRevoked...),
		p.IntelCRL(p.Root, p.RootKey, s.rootCRLFrom, s.rootCRLUntil, s.rootRevoked...),
	} {
		if err := col.Add(piece); err != nil {
			t.Fatal(err)
		}
	}
	return col
}

// opts are evaluation options trusting only the test root, at s.at.
func (s *synth) opts() EvaluateOptions {
	return EvaluateOptions{Options: Options{Roots: []*x509.Certificate{s.pki.Root}, Time: s.at}}
}

func (s *synth) evaluate(t testing.TB) (*Result, error) {
	t.Helper()
	return Evaluate(s.q, s.chain, s.collateral(t), s.opts())
}

// TestSynthBaseline proves the synthetic set verifies UpToDate, so that each
// negative test below fails for its one change only.
func TestSynthBaseline(t *testing.T) {
	s := newSynth(t)
	res, err := s.evaluate(t)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != UpToDate || !res.RevocationChecked {
		t.Fatalf("status %s, revocation checked %v", res.Status, res.RevocationChecked)
	}
}

// TestNegative changes one thing per case and checks its sentinel error.
func TestNegative(t *testing.T) {
	replace := func(p *string, old, new string) {
		if !strings.Contains(*p, old) {
			panic("test: " + old + " not found")
		}
		*p = strings.Replace(*p, old, new, 1)
	}
	tests := []struct {
		name   string
		change func(s *synth)
		want   []error
	}{
		{"TCBInfoExpired", func(s *synth) {
			replace(&s.tcbInfo, `"nextUpdate":"2025-07-19T10:16:03Z"`, `"nextUpdate":"2025-06-30T10:16:03Z"`)
		}, []error{ErrCollateralExpired}},
		{"TCBInfoNotYetValid", func(s *synth) {
			replace(&s.tcbInfo, `"issueDate":"2025-06-19T10:16:03Z"`, `"issueDate":"2025-07-02T10:16:03Z"`)
		}, []error{ErrCollateralNotYetValid}},
		{"TCBInfoExpiredAtNextUpdate", func(s *synth) { s.at = time.Date(2025, 7, 19, 10, 16, 3, 0, time.UTC) }, []error{ErrCollateralExpired}},
		{"QEIdentityExpired", func(s *synth) {
			replace(&s.qeID, `"nextUpdate":"2025-07-19T10:32:27Z"`, `"nextUpdate":"2025-06-30T10:32:27Z"`)
		}, []error{ErrCollateralExpired}},
		{"QEIdentityNotYetValid", func(s *synth) {
			replace(&s.qeID, `"issueDate":"2025-06-19T10:32:27Z"`, `"issueDate":"2025-07-01T00:00:01Z"`)
		}, []error{ErrCollateralNotYetValid}},
		{"PCKCRLExpired", func(s *synth) { s.pckCRLUntil = s.at }, []error{ErrCollateralExpired}},
		{"PCKCRLNotYetValid", func(s *synth) { s.pckCRLFrom = s.at.Add(time.Second) }, []error{ErrCollateralNotYetValid}},
		{"RootCRLExpired", func(s *synth) { s.rootCRLUntil = s.at.Add(-time.Hour) }, []error{ErrCollateralExpired}},
		{"RootCRLNotYetValid", func(s *synth) { s.rootCRLFrom = s.at.Add(time.Hour) }, []error{ErrCollateralNotYetValid}},
		{"PCKRevoked", func(s *synth) { s.pckRevoked = []*big.Int{big.NewInt(7), s.pck.SerialNumber} }, []error{ErrRevoked}},
		{"PCKCARevoked", func(s *synth) { s.rootRevoked = []*big.Int{s.pki.PlatformCA.SerialNumber} }, []error{ErrRevoked}},
		{"TCBSigningRevoked", func(s *synth) { s.rootRevoked = []*big.Int{s.pki.TCBSigning.SerialNumber} }, []error{ErrRevoked}},
		{"FMSPCMismatch", func(s *synth) { replace(&s.tcbInfo, `"fmspc":"B0C06F000000"`, `"fmspc":"B0C06F000001"`) }, []error{ErrFMSPCMismatch}},
		{"PCEIDMismatch", func(s *synth) { replace(&s.tcbInfo, `"pceId":"0000"`, `"pceId":"0001"`) }, []error{ErrTCBInfoMismatch}},
		{"TCBInfoNotTDX", func(s *synth) { replace(&s.tcbInfo, `"id":"TDX"`, `"id":"SGX"`) }, []error{ErrTCBInfoMismatch}},
		{"QEMRSignerMismatch", func(s *synth) {
			replace(&s.qeID, `"mrsigner":"DC9E`, `"mrsigner":"DD9E`)
		}, []error{ErrQEIdentityMismatch}},
		{"QEISVProdIDMismatch", func(s *synth) { replace(&s.qeID, `"isvprodid":2`, `"isvprodid":1`) }, []error{ErrQEIdentityMismatch}},
		{"QEAttributesMismatch", func(s *synth) {
			replace(&s.qeID, `"attributes":"11000000000000000000000000000000"`, `"attributes":"13000000000000000000000000000000"`)
		}, []error{ErrQEIdentityMismatch}},
		{"QEMiscSelectMismatch", func(s *synth) { replace(&s.qeID, `"miscselect":"00000000"`, `"miscselect":"01000000"`) }, []error{ErrQEIdentityMismatch}},
		{"QENotTDQE", func(s *synth) { replace(&s.qeID, `"id":"TD_QE"`, `"id":"QE"`) }, []error{ErrCollateralMissing}},
		{"QEBelowEveryLevel", func(s *synth) { replace(&s.qeID, `"isvsvn":4`, `"isvsvn":9`) }, []error{ErrTCBNotSupported}},
		{"ModuleMRSignerMismatch", func(s *synth) {
			replace(&s.tcbInfo, `"id":"TDX_01","mrsigner":"00`, `"id":"TDX_01","mrsigner":"01`)
		}, []error{ErrModuleIdentityMismatch}},
		{"ModuleAttributesNonZero", func(s *synth) {
			replace(&s.tcbInfo, `"id":"TDX_01","mrsigner":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","attributes":"0000000000000000"`,
				`"id":"TDX_01","mrsigner":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","attributes":"0100000000000000"`)
		}, []error{ErrModuleIdentityMismatch}},
		{"ModuleIdentityAbsent", func(s *synth) { replace(&s.tcbInfo, `"id":"TDX_01"`, `"id":"TDX_02"`) }, []error{ErrModuleIdentityMismatch}},
		{"CollateralMissingTCBSigning", func(s *synth) { s.pki.TCBSigning = s.pki.PlatformCA }, []error{ErrCollateralMissing}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSynth(t)
			tc.change(s)
			res, err := s.evaluate(t)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Fatalf("err = %v, want %v", err, w)
				}
			}
			if res != nil && !errors.Is(err, ErrTCBNotSupported) && !errors.Is(err, ErrTCBRevoked) {
				t.Errorf("non-nil result with error %v", err)
			}
			t.Log(err)
		})
	}
}

// TestRevokedPCKAllowMissingCRLs checks that a present CRL is applied even
// when missing CRLs are allowed.
func TestRevokedPCKAllowMissingCRLs(t *testing.T) {
	s := newSynth(t)
	s.pckRevoked = []*big.Int{s.pck.SerialNumber}
	o := s.opts()
	o.AllowMissingCRLs = true
	if _, err := Evaluate(s.q, s.chain, s.collateral(t), o); !errors.Is(err, ErrRevoked) {
		t.Fatalf("err = %v, want ErrRevoked", err)
	}
}

// TestMissingCRLs checks that CRLs are required by default and named.
func TestMissingCRLs(t *testing.T) {
	s := newSynth(t)
	col := s.collateral(t)
	col.CRLs = nil
	_, err := Evaluate(s.q, s.chain, col, s.opts())
	if !errors.Is(err, ErrCollateralMissing) || !strings.Contains(err.Error(), "PCK CRL") {
		t.Fatalf("err = %v, want ErrCollateralMissing naming the PCK CRL", err)
	}
	if err := col.Missing(s.chain.Extensions.FMSPC, CAPlatform); err == nil || !strings.Contains(err.Error(), "Root CA CRL") || !strings.Contains(err.Error(), "PCK platform CA CRL") {
		t.Fatalf("Missing = %v", err)
	}
	o := s.opts()
	o.AllowMissingCRLs = true
	res, err := Evaluate(s.q, s.chain, col, o)
	if err != nil || res.RevocationChecked {
		t.Fatalf("AllowMissingCRLs: %v, revocation checked %v", err, res != nil && res.RevocationChecked)
	}
}

// TestAllowExpiredCollateral checks the QvE-style expiration status.
func TestAllowExpiredCollateral(t *testing.T) {
	s := newSynth(t)
	s.at = time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC) // after TCB Info and QE Identity nextUpdate
	o := s.opts()
	o.AllowExpiredCollateral = true
	res, err := Evaluate(s.q, s.chain, s.collateral(t), o)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 7, 19, 10, 16, 3, 0, time.UTC)
	if !res.CollateralExpired || !res.EarliestExpiration.Equal(want) {
		t.Fatalf("expired %v, earliest expiration %s, want true, %s", res.CollateralExpired, res.EarliestExpiration, want)
	}
}

// TestTamperedTCBInfo changes one byte of the real signed TCB Info.
func TestTamperedTCBInfo(t *testing.T) {
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	raw := readRole(t, c.Roles["phala_collateral_bundle"])
	i := bytes.Index(raw, []byte(`\"tcbEvaluationDataNumber\":17`))
	if i < 0 {
		t.Fatal("field not found")
	}
	tampered := bytes.Clone(raw)
	tampered[i+len(`\"tcbEvaluationDataNumber\":1`)] = '8'
	col := new(Collateral)
	if err := col.Add(tampered); err != nil {
		t.Fatal(err)
	}
	_, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}})
	if !errors.Is(err, ErrCollateralSignature) {
		t.Fatalf("err = %v, want ErrCollateralSignature", err)
	}
}

// TestTCBSigningWrongRoot signs the real TCB Info and QE Identity with a
// TCB Signing certificate under a look-alike root (same subject as Intel's):
// with the pinned root the signing chain does not verify.
func TestTCBSigningWrongRoot(t *testing.T) {
	s := newSynth(t)
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, real := caseQuote(t, c)
	col := s.collateral(t) // TCB Info and QE Identity signed by the look-alike PKI
	real1 := readRole(t, c.Roles["phala_collateral_bundle"])
	var bundle map[string]string
	if err := json.Unmarshal(real1, &bundle); err != nil {
		t.Fatal(err)
	}
	// Real CRLs, so that only the TCB signing chain is wrong.
	for _, k := range []string{"pck_crl", "root_ca_crl", "pck_crl_issuer_chain"} {
		if err := col.Add([]byte(bundle[k])); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Evaluate(q, real, col, EvaluateOptions{Options: Options{Time: c.At}})
	if !errors.Is(err, ErrCollateralSignature) || !errors.Is(err, ErrChain) {
		t.Fatalf("err = %v, want ErrCollateralSignature and ErrChain", err)
	}
}

// TestFMSPCMismatchReal evaluates Phala's B0C06F quote against trustee's
// 00A06D TCB Info.
func TestFMSPCMismatchReal(t *testing.T) {
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	col := new(Collateral)
	for _, f := range []string{"tdx/trustee/tcbInfo.json", "tdx/trustee/enclaveIdentity.json"} {
		if err := col.Add(vectors.Read(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}})
	if !errors.Is(err, ErrFMSPCMismatch) || !strings.Contains(err.Error(), "00a06d080000") {
		t.Fatalf("err = %v, want ErrFMSPCMismatch naming both FMSPCs", err)
	}
}

// TestRealExpiry evaluates real collateral at the edges of its window: one
// second before and at the earliest expiration (here the PCK CRL's
// nextUpdate), one second before and at the latest issue date.
func TestRealExpiry(t *testing.T) {
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	col, _ := caseCollateral(t, c)
	res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}})
	if err != nil {
		t.Fatal(err)
	}
	next, issue := res.EarliestExpiration, res.LatestIssueDate
	if want := time.Date(2025, 7, 19, 10, 0, 35, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("earliest expiration %s, want %s", next, want)
	}
	for _, tc := range []struct {
		at   time.Time
		want error
	}{{next.Add(-time.Second), nil}, {next, ErrCollateralExpired}, {issue.Add(-time.Second), ErrCollateralNotYetValid}, {issue, nil}} {
		chain, err := VerifyQuote(q, Options{Time: tc.at})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: tc.at}})
		if !errors.Is(err, tc.want) || (tc.want == nil) != (res != nil) {
			t.Errorf("at %s: %v, want %v", tc.at, err, tc.want)
		}
	}
}

// TestBelowEveryLevel: a quote below every TCB level is TCBNotSupported,
// both as the status and as ErrTCBNotSupported.
func TestBelowEveryLevel(t *testing.T) {
	c := findCase(t, "tdx-phala-hex-v4-b0c06f-tcbnotsupported")
	q, chain := caseQuote(t, c)
	col, _ := caseCollateral(t, c)
	res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}})
	if !errors.Is(err, ErrTCBNotSupported) || res == nil || res.Status != TCBNotSupported {
		t.Fatalf("res %+v err %v", res, err)
	}
}

// TestConvergeOutOfDatePlatformUpToDateModule: the real trustee 00A06D quote
// matches an OutOfDate platform level (PCESVN 11 < 13) and an UpToDate
// TDX_03 module level; the converged status is OutOfDate.
func TestConvergeOutOfDatePlatformUpToDateModule(t *testing.T) {
	c := findCase(t, "tdx-trustee-v4-00a06d-tdx03-uptodate")
	q, chain := caseQuote(t, c)
	col, _ := caseCollateral(t, c)
	res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}, AllowMissingCRLs: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.PlatformStatus != OutOfDate || res.ModuleStatus != UpToDate || res.QEStatus != UpToDate || res.Status != OutOfDate {
		t.Fatalf("platform %s module %s qe %s -> %s", res.PlatformStatus, res.ModuleStatus, res.QEStatus, res.Status)
	}
	if !res.TCBDate.Equal(time.Date(2018, 1, 4, 0, 0, 0, 0, time.UTC)) || res.ModuleTCBLevel.ISVSVN != 3 {
		t.Fatalf("tcbDate %s module level %+v", res.TCBDate, res.ModuleTCBLevel)
	}
}

// TestConverge checks the QVL's convergence table.
func TestConverge(t *testing.T) {
	all := []TCBStatus{UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, Revoked}
	for _, p := range all {
		for _, m := range []TCBStatus{StatusNone, UpToDate, OutOfDate, Revoked} {
			for _, q := range []TCBStatus{UpToDate, OutOfDate, ConfigurationNeeded, OutOfDateConfigurationNeeded, Revoked} {
				want := p
				if m == OutOfDate || q == OutOfDate {
					switch p {
					case UpToDate, SWHardeningNeeded:
						want = OutOfDate
					case ConfigurationNeeded, ConfigurationAndSWHardeningNeeded:
						want = OutOfDateConfigurationNeeded
					}
				}
				if m == Revoked || q == Revoked {
					want = Revoked
				}
				if got := converge(p, m, q); got != want {
					t.Errorf("converge(%s, module %s, QE %s) = %s, want %s", p, m, q, got, want)
				}
			}
		}
	}
	// Spot checks written out.
	for _, c := range []struct{ p, m, q, want TCBStatus }{
		{OutOfDate, UpToDate, UpToDate, OutOfDate},
		{UpToDate, OutOfDate, UpToDate, OutOfDate},
		{ConfigurationNeeded, UpToDate, OutOfDate, OutOfDateConfigurationNeeded},
		{SWHardeningNeeded, StatusNone, ConfigurationNeeded, SWHardeningNeeded},
		{UpToDate, UpToDate, OutOfDateConfigurationNeeded, UpToDate}, // the QVL reacts to OutOfDate and Revoked only
		{UpToDate, Revoked, UpToDate, Revoked},
	} {
		if got := converge(c.p, c.m, c.q); got != c.want {
			t.Errorf("converge(%s, %s, %s) = %s, want %s", c.p, c.m, c.q, got, c.want)
		}
	}
}

// TestRelaunch checks the QVL's TD relaunch table.
func TestRelaunch(t *testing.T) {
	for _, c := range []struct{ launch, current, want TCBStatus }{
		{OutOfDate, UpToDate, TDRelaunchAdvised},
		{OutOfDate, SWHardeningNeeded, TDRelaunchAdvised},
		{OutOfDate, ConfigurationNeeded, TDRelaunchAdvisedConfigurationNeeded},
		{OutOfDateConfigurationNeeded, UpToDate, TDRelaunchAdvisedConfigurationNeeded},
		{OutOfDate, OutOfDate, OutOfDate},
		{OutOfDate, Revoked, OutOfDate},
		{UpToDate, OutOfDate, UpToDate},
		{ConfigurationNeeded, UpToDate, ConfigurationNeeded},
		{Revoked, UpToDate, Revoked},
	} {
		if got := relaunch(c.launch, c.current); got != c.want {
			t.Errorf("relaunch(%s, %s) = %s, want %s", c.launch, c.current, got, c.want)
		}
	}
}

// TestEvaluateTDX checks level matching on a TCB Info built in Go: the QVL
// order, components 0 and 1 skipped with a module identity, PCESVN, the
// module and QE levels, tcbDate and advisory merging.
func TestEvaluateTDX(t *testing.T) {
	d := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	lvl := func(sgx, tdx0, tdx2 uint8, pce uint16, y int, s TCBStatus, adv ...string) TCBLevel {
		l := TCBLevel{PCESVN: pce, TCBDate: d(y), Status: s, AdvisoryIDs: adv}
		for i := range l.SGXComponents {
			l.SGXComponents[i] = sgx
		}
		l.TDXComponents[0], l.TDXComponents[2] = tdx0, tdx2
		return l
	}
	ti := &TCBInfo{FMSPC: [6]byte{1}, TCBLevels: []TCBLevel{
		lvl(5, 9, 3, 13, 2024, UpToDate),
		lvl(5, 9, 2, 13, 2023, SWHardeningNeeded, "INTEL-SA-2"),
		lvl(3, 0, 1, 11, 2022, ConfigurationNeeded, "INTEL-SA-1", "INTEL-SA-2"),
		lvl(1, 0, 0, 1, 2018, Revoked),
	}, TDXModuleIdentities: []TDXModuleIdentity{{ID: "tdx_01", TCBLevels: []ModuleTCBLevel{
		{ISVSVN: 4, TCBDate: d(2024), Status: UpToDate},
		{ISVSVN: 2, TCBDate: d(2019), Status: OutOfDate, AdvisoryIDs: []string{"INTEL-SA-3"}},
	}}}}
	qe := &QEIdentity{TCBLevels: []QETCBLevel{{ISVSVN: 4, TCBDate: d(2024), Status: UpToDate}, {ISVSVN: 2, TCBDate: d(2020), Status: OutOfDate, AdvisoryIDs: []string{"INTEL-SA-1"}}}}
	all := func(v uint8) *[16]uint8 {
		var a [16]uint8
		for i := range a {
			a[i] = v
		}
		return &a
	}
	tee := func(b ...byte) []byte { t := make([]byte, 16); copy(t, b); return t }
	for _, c := range []struct {
		name         string
		sgx          *[16]uint8
		pce          uint16
		tee          []byte
		qeSVN        uint16
		want, plat   TCBStatus
		date         int
		adv          string
		notSupported bool
	}{
		{"UpToDate", all(5), 13, tee(9, 0, 3), 4, UpToDate, UpToDate, 2024, "", false},
		{"TDXComponent2Lower", all(5), 13, tee(9, 0, 2), 4, SWHardeningNeeded, SWHardeningNeeded, 2023, "INTEL-SA-2", false},
		{"PCESVNLower", all(5), 12, tee(9, 0, 3), 4, ConfigurationNeeded, ConfigurationNeeded, 2022, "INTEL-SA-1,INTEL-SA-2", false},
		// TEE_TCB_SVN[1] > 0: components 0 and 1 skipped (tee[0] = 0 < 9), the module level applies.
		{"ModuleUpToDate", all(5), 13, tee(4, 1, 3), 4, UpToDate, UpToDate, 2024, "", false},
		{"ModuleOutOfDate", all(5), 13, tee(3, 1, 3), 4, OutOfDate, UpToDate, 2019, "INTEL-SA-3", false},
		{"ModuleOutOfDateConfig", all(3), 11, tee(2, 1, 1), 4, OutOfDateConfigurationNeeded, ConfigurationNeeded, 2019, "INTEL-SA-1,INTEL-SA-2,INTEL-SA-3", false},
		{"QEOutOfDate", all(5), 13, tee(9, 0, 3), 3, OutOfDate, UpToDate, 2020, "INTEL-SA-1", false},
		{"PlatformRevoked", all(2), 5, tee(0, 0, 0), 4, Revoked, Revoked, 2018, "", false},
		{"ModuleBelowEveryLevel", all(5), 13, tee(1, 1, 3), 4, 0, 0, 0, "", true},
		{"ModuleVersionUnknown", all(5), 13, tee(9, 2, 3), 4, 0, 0, 0, "", true},
		{"PlatformBelowEveryLevel", all(0), 13, tee(9, 0, 3), 4, 0, 0, 0, "", true},
		{"QEBelowEveryLevel", all(5), 13, tee(9, 0, 3), 1, 0, 0, 0, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev, err := evaluateTDX(ti, qe, c.sgx, c.pce, c.tee, c.qeSVN)
			if c.notSupported {
				if !errors.Is(err, ErrTCBNotSupported) {
					t.Fatalf("err = %v, want ErrTCBNotSupported", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Status != c.want || ev.PlatformStatus != c.plat || !ev.TCBDate.Equal(d(c.date)) || strings.Join(ev.AdvisoryIDs, ",") != c.adv {
				t.Fatalf("got %s (platform %s) %s %v, want %s (%s) %d %s", ev.Status, ev.PlatformStatus, ev.TCBDate, ev.AdvisoryIDs, c.want, c.plat, c.date, c.adv)
			}
		})
	}
}

// TestTCBStatusNames checks Intel's names round-trip.
func TestTCBStatusNames(t *testing.T) {
	for s := UpToDate; s <= TCBNotSupported; s++ {
		if ParseTCBStatus(s.String()) != s {
			t.Errorf("%d: %q does not round-trip", s, s.String())
		}
	}
	if ParseTCBStatus("Bogus") == UpToDate || ParseTCBStatus("") != statusUnrecognized {
		t.Error("unknown names must not parse to a known status")
	}
}
