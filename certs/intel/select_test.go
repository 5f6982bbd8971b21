// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/testvectors"
)

// world is a synthetic TDX platform under a test PKI (testvectors'
// generator), with collateral that makes it UpToDate at w.at: every piece
// can be re-issued, forged (same names, another key) or shifted in time. It
// needs no shared vectors.
type world struct {
	pki, forger *testvectors.IntelPKI
	pck         *x509.Certificate
	q           tdx.Quote
	chain       *QuoteChain
	ti          testvectors.TCBInfoSpec
	qe          testvectors.QEIdentitySpec
	at          time.Time
}

var (
	wAt    = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	wIssue = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	wNext  = time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC)
	wFMSPC = [6]byte{0x90, 0xc0, 0x6f}
	wSGX   = [16]byte{3, 3, 2, 2, 4, 1, 0, 3}
	wQESig = [32]byte{0xdc, 0x9e, 0x2a, 0x7c}
)

// wLevels are platform levels keyed by TEE_TCB_SVN[2]: 9 UpToDate, 5 OutOfDate.
func wLevels(upToDate uint8) []testvectors.TCBLevel {
	return []testvectors.TCBLevel{
		{SGX: wSGX, PCESVN: 13, TDX: [16]uint8{2, 0, upToDate}, Date: time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC), Status: "UpToDate"},
		{SGX: wSGX, PCESVN: 13, TDX: [16]uint8{2, 0, 5}, Date: time.Date(2024, 11, 12, 0, 0, 0, 0, time.UTC), Status: "OutOfDate", AdvisoryIDs: []string{"INTEL-SA-90003"}},
	}
}

func newWorld(t testing.TB) *world {
	t.Helper()
	seed := testvectors.NewSeed("certs/intel select")
	w := &world{pki: testvectors.NewIntelPKI(seed, "genuine"), forger: testvectors.NewIntelPKI(seed, "forger"), at: wAt}
	p := w.pki
	var pckKey *ecdsa.PrivateKey
	w.pck, pckKey = p.IssuePCK(testvectors.PCKSpec{Label: "w", Serial: big.NewInt(0x5151), NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter: time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC), FMSPC: wFMSPC, PCESVN: 13, SGXComponents: wSGX, SGXType: 1, Platform: true},
		p.PlatformCA, p.PlatformKey)
	raw := testvectors.BuildQuote(seed, testvectors.QuoteSpec{Version: 4, TEETCBSVN: [16]byte{6, 3, 9}, TDAttributes: 1 << 28, XFAM: 0x61ae7, Label: "w",
		QEMRSigner: wQESig, QEAttributes: [16]byte{0x11}, QEISVProdID: 2, QEISVSVN: 8,
		PCKChain: testvectors.PCKChain(w.pck, p.PlatformCA, p.Root), PCKKey: pckKey, AKKey: seed.ECKey(pckKey.Curve, "w/ak")})
	q, err := tdx.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	w.q = q
	if w.chain, err = VerifyQuote(q, w.opts().Options); err != nil {
		t.Fatal(err)
	}
	w.ti = testvectors.TCBInfoSpec{IssueDate: wIssue, NextUpdate: wNext, FMSPC: wFMSPC, EvaluationDataNumber: 19, Levels: wLevels(9),
		Modules: map[uint8][]testvectors.ModuleLevel{3: {{ISVSVN: 6, Date: time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC), Status: "UpToDate"}}}}
	w.qe = testvectors.QEIdentitySpec{IssueDate: wIssue, NextUpdate: wNext, EvaluationDataNumber: 19, MRSigner: wQESig, ISVProdID: 2,
		Attributes: [16]byte{0x11}, AttributesMask: [16]byte{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		Levels: []testvectors.ModuleLevel{{ISVSVN: 8, Date: time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC), Status: "UpToDate"}}}
	return w
}

func (w *world) opts() EvaluateOptions {
	return EvaluateOptions{Options: Options{Roots: []*x509.Certificate{w.pki.Root}, Time: w.at}}
}

// tcbInfo signs a TCB Info object with p's TCB Signing key; edit, when set,
// changes the object text before signing.
func (w *world) tcbInfo(p *testvectors.IntelPKI, spec testvectors.TCBInfoSpec, edit func(string) string) []byte {
	obj := string(testvectors.TCBInfoJSON(spec))
	if edit != nil {
		obj = edit(obj)
	}
	return testvectors.SignJSON(p.TCBSignKey, "tcbInfo", []byte(obj))
}

func (w *world) qeIdentity(p *testvectors.IntelPKI, spec testvectors.QEIdentitySpec, edit func(string) string) []byte {
	obj := string(testvectors.QEIdentityJSON(spec))
	if edit != nil {
		obj = edit(obj)
	}
	return testvectors.SignJSON(p.TCBSignKey, "enclaveIdentity", []byte(obj))
}

// pckCRL and rootCRL are CRLs of p's Platform CA and root; with p = w.forger
// they carry the genuine CAs' names, byte for byte, under other keys.
func (w *world) pckCRL(p *testvectors.IntelPKI, this, next time.Time, revoked ...*big.Int) []byte {
	return p.IntelCRL(p.PlatformCA, p.PlatformKey, this, next, revoked...)
}

func (w *world) rootCRL(p *testvectors.IntelPKI, this, next time.Time, revoked ...*big.Int) []byte {
	return p.IntelCRL(p.Root, p.RootKey, this, next, revoked...)
}

// pieces returns the genuine collateral: TCB Info, QE Identity, the TCB
// Signing chain, the Platform CA CRL and the Root CA CRL.
func (w *world) pieces() [][]byte {
	p := w.pki
	return [][]byte{
		w.tcbInfo(p, w.ti, nil), w.qeIdentity(p, w.qe, nil), testvectors.PEM(p.TCBSigning, p.Root),
		w.pckCRL(p, wIssue, wNext), w.rootCRL(p, wIssue, wNext.AddDate(0, 6, 0)),
	}
}

func collateralOf(t testing.TB, pieces ...[]byte) *Collateral {
	t.Helper()
	col := new(Collateral)
	for _, b := range pieces {
		if err := col.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	return col
}

func (w *world) evaluate(t testing.TB, opts EvaluateOptions, pieces ...[]byte) (*Result, error) {
	t.Helper()
	return Evaluate(w.q, w.chain, collateralOf(t, pieces...), opts)
}

// rejected reports whether res names a rejected piece whose error wraps
// want and whose text holds every word.
func rejected(res *Result, want error, words ...string) bool {
	for _, e := range res.Rejected {
		ok := errors.Is(e, want)
		for _, w := range words {
			ok = ok && strings.Contains(e.Error(), w)
		}
		if ok {
			return true
		}
	}
	return false
}

func mustUpToDate(t *testing.T, res *Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if res.Status != UpToDate {
		t.Fatalf("status %s, want UpToDate", res.Status)
	}
}

// TestWorldBaseline: the synthetic world is UpToDate with revocation
// checked and nothing rejected, so that each test below fails for its one
// change only.
func TestWorldBaseline(t *testing.T) {
	w := newWorld(t)
	res, err := w.evaluate(t, w.opts(), w.pieces()...)
	mustUpToDate(t, res, err)
	if !res.RevocationChecked || len(res.Rejected) != 0 {
		t.Fatalf("revocation checked %v, rejected %v", res.RevocationChecked, res.Rejected)
	}
}

// TestSelectTCBInfoByProof: a TCB Info that does not prove itself, or is of
// another kind, never shadows the genuine one, however new it looks.
func TestSelectTCBInfoByProof(t *testing.T) {
	w := newWorld(t)
	later := w.ti
	later.IssueDate, later.EvaluationDataNumber = wIssue.Add(24*time.Hour), 20
	later.Levels = wLevels(10) // would make the quote OutOfDate
	sgx := func(s string) string { return strings.Replace(s, `"id":"TDX"`, `"id":"SGX"`, 1) }
	v4 := func(s string) string { return strings.Replace(s, `"version":3`, `"version":4`, 1) }
	for _, tc := range []struct {
		name  string
		piece []byte
		want  error // the rejection named in the result; nil: not a candidate, not named
	}{
		{"SGXSameFMSPCLater", w.tcbInfo(w.pki, later, sgx), nil},
		{"ForgedLater", w.tcbInfo(w.forger, later, nil), ErrCollateralSignature},
		{"TamperedLater", func() []byte {
			b := w.tcbInfo(w.pki, later, nil)
			return bytes.Replace(b, []byte(`"tcbEvaluationDataNumber":20`), []byte(`"tcbEvaluationDataNumber":21`), 1)
		}(), ErrCollateralSignature},
		{"OtherVersionLater", w.tcbInfo(w.pki, later, v4), ErrTCBInfoMismatch},
		{"NotYetValid", func() []byte {
			s := later
			s.IssueDate = w.at.Add(time.Hour)
			return w.tcbInfo(w.pki, s, nil)
		}(), ErrCollateralNotYetValid},
		{"ExpiredHigherNumber", func() []byte {
			s := later
			s.IssueDate, s.NextUpdate = wIssue.AddDate(0, 0, -30), w.at
			return w.tcbInfo(w.pki, s, nil)
		}(), ErrCollateralExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Either order: nothing depends on the order pieces come in.
			for _, first := range []bool{true, false} {
				pieces := append(w.pieces(), tc.piece)
				if first {
					pieces = append([][]byte{tc.piece}, w.pieces()...)
				}
				res, err := w.evaluate(t, w.opts(), pieces...)
				mustUpToDate(t, res, err)
				if res.TCBInfo.TCBEvaluationDataNumber != 19 {
					t.Fatalf("TCB Info %d used, want the genuine 19", res.TCBInfo.TCBEvaluationDataNumber)
				}
				if tc.want == nil && len(res.Rejected) != 0 {
					t.Errorf("a piece of another kind is named: %v", res.Rejected)
				}
				if tc.want != nil && !rejected(res, tc.want, "TCB Info", "90c06f000000", "20") {
					t.Errorf("rejected %v, want one naming the TCB Info (evaluation 20) with %v", res.Rejected, tc.want)
				}
			}
		})
	}
}

// TestSelectNewestEligible: among pieces that prove themselves, the highest
// tcbEvaluationDataNumber wins, then the latest issueDate.
func TestSelectNewestEligible(t *testing.T) {
	w := newWorld(t)
	newer := w.ti
	newer.EvaluationDataNumber, newer.Levels = 20, wLevels(10) // the quote's TCB is OutOfDate under it
	res, err := w.evaluate(t, w.opts(), append(w.pieces(), w.tcbInfo(w.pki, newer, nil))...)
	if err != nil || res.Status != OutOfDate || res.TCBInfo.TCBEvaluationDataNumber != 20 {
		t.Fatalf("%v %v, want OutOfDate under evaluation 20", res, err)
	}
	// Same number, issued later.
	later := w.ti
	later.IssueDate, later.Levels = wIssue.Add(time.Hour), wLevels(10)
	res, err = w.evaluate(t, w.opts(), append([][]byte{w.tcbInfo(w.pki, later, nil)}, w.pieces()...)...)
	if err != nil || res.Status != OutOfDate || !res.TCBInfo.IssueDate.Equal(later.IssueDate) {
		t.Fatalf("%v %v, want OutOfDate under the later issue", res, err)
	}
}

// TestSelectTCBInfoNothingEligible: with no candidate that proves itself,
// the error is that of the one that came closest, and names it.
func TestSelectTCBInfoNothingEligible(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	rest := [][]byte{w.qeIdentity(p, w.qe, nil), testvectors.PEM(p.TCBSigning, p.Root), w.pckCRL(p, wIssue, wNext), w.rootCRL(p, wIssue, wNext.AddDate(0, 6, 0))}
	expired := w.ti
	expired.IssueDate, expired.NextUpdate = wIssue.AddDate(0, 0, -30), w.at.Add(-time.Hour)
	for _, tc := range []struct {
		name   string
		pieces [][]byte
		want   []error
	}{
		{"OnlySGX", [][]byte{w.tcbInfo(p, w.ti, func(s string) string { return strings.Replace(s, `"id":"TDX"`, `"id":"SGX"`, 1) })}, []error{ErrCollateralMissing, ErrTCBInfoMismatch}},
		{"OnlyForged", [][]byte{w.tcbInfo(w.forger, w.ti, nil)}, []error{ErrCollateralSignature}},
		// The genuine expired one came further than the forged current one.
		{"ForgedAndExpired", [][]byte{w.tcbInfo(w.forger, w.ti, nil), w.tcbInfo(p, expired, nil)}, []error{ErrCollateralExpired}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := w.evaluate(t, w.opts(), append(tc.pieces, rest...)...)
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
			if res != nil || !strings.Contains(fmtErr(err), "TCB Info") {
				t.Errorf("result %v, err %v: want no result and the TCB Info named", res, err)
			}
		})
	}
	// Accepting expired collateral, the genuine expired piece is used.
	o := w.opts()
	o.AllowExpiredCollateral = true
	res, err := w.evaluate(t, o, append([][]byte{w.tcbInfo(w.forger, w.ti, nil), w.tcbInfo(p, expired, nil)}, rest...)...)
	mustUpToDate(t, res, err)
	if !res.CollateralExpired || !rejected(res, ErrCollateralSignature, "TCB Info") {
		t.Errorf("expired %v, rejected %v", res.CollateralExpired, res.Rejected)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestSelectQEIdentityByProof: a forged or tampered TD_QE identity, or one of
// another version, never shadows the genuine one; QE and QAE identities are
// not candidates.
func TestSelectQEIdentityByProof(t *testing.T) {
	w := newWorld(t)
	later := w.qe
	later.IssueDate, later.EvaluationDataNumber = wIssue.Add(time.Hour), 20
	later.Levels = []testvectors.ModuleLevel{{ISVSVN: 9, Date: wIssue, Status: "UpToDate"}, {ISVSVN: 8, Date: wIssue, Status: "OutOfDate"}}
	for _, tc := range []struct {
		name  string
		piece []byte
		want  error
	}{
		{"SGXQELater", w.qeIdentity(w.pki, later, func(s string) string { return strings.Replace(s, `"id":"TD_QE"`, `"id":"QE"`, 1) }), nil},
		{"QAELater", w.qeIdentity(w.pki, later, func(s string) string { return strings.Replace(s, `"id":"TD_QE"`, `"id":"QAE"`, 1) }), nil},
		{"ForgedLater", w.qeIdentity(w.forger, later, nil), ErrCollateralSignature},
		{"OtherVersionLater", w.qeIdentity(w.pki, later, func(s string) string { return strings.Replace(s, `"version":2`, `"version":3`, 1) }), ErrQEIdentityMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := w.evaluate(t, w.opts(), append([][]byte{tc.piece}, w.pieces()...)...)
			mustUpToDate(t, res, err)
			if res.QEIdentity.TCBEvaluationDataNumber != 19 {
				t.Fatalf("QE Identity %d used, want 19", res.QEIdentity.TCBEvaluationDataNumber)
			}
			if tc.want == nil && len(res.Rejected) != 0 {
				t.Errorf("a piece of another kind is named: %v", res.Rejected)
			}
			if tc.want != nil && !rejected(res, tc.want, "QE Identity") {
				t.Errorf("rejected %v, want the QE Identity with %v", res.Rejected, tc.want)
			}
		})
	}
}

// TestSelectCRLByProof: a CRL carrying the Platform CA's (or the root's) name
// under another key, with a newer thisUpdate, never shadows the genuine one;
// it is named. Alone, it is as good as no CRL: revocation not checked, or
// ErrCollateralSignature when CRLs are required.
func TestSelectCRLByProof(t *testing.T) {
	w := newWorld(t)
	f, p := w.forger, w.pki
	newer := wIssue.Add(48 * time.Hour)
	genuine := w.pieces()
	base := genuine[:3] // TCB Info, QE Identity, TCB Signing chain
	forgedPCK := w.pckCRL(f, newer, wNext, w.pck.SerialNumber)
	forgedRoot := w.rootCRL(f, newer, wNext.AddDate(0, 6, 0), p.PlatformCA.SerialNumber)
	for _, tc := range []struct {
		name, words string
		forged      []byte
	}{
		{"PCKCRL", "PCK platform CA CRL", forgedPCK},
		{"RootCRL", "Root CA CRL", forgedRoot},
	} {
		t.Run(tc.name+"/BesideGenuine", func(t *testing.T) {
			res, err := w.evaluate(t, w.opts(), append([][]byte{tc.forged}, genuine...)...)
			mustUpToDate(t, res, err)
			if !res.RevocationChecked || res.PCKCRL.ThisUpdate.Equal(newer) || res.RootCRL.ThisUpdate.Equal(newer) {
				t.Fatalf("revocation checked %v with the forged CRL", res.RevocationChecked)
			}
			if !rejected(res, ErrCollateralSignature, tc.words, newer.Format(time.RFC3339)) {
				t.Errorf("rejected %v, want the forged %s named with its thisUpdate", res.Rejected, tc.words)
			}
		})
		t.Run(tc.name+"/Alone", func(t *testing.T) {
			pieces := append([][]byte{tc.forged}, base...)
			if tc.name == "PCKCRL" {
				pieces = append(pieces, genuine[4])
			} else {
				pieces = append(pieces, genuine[3])
			}
			o := w.opts()
			o.AllowMissingCRLs = true
			res, err := w.evaluate(t, o, pieces...)
			mustUpToDate(t, res, err)
			if res.RevocationChecked || !rejected(res, ErrCollateralSignature, tc.words) {
				t.Errorf("revocation checked %v, rejected %v", res.RevocationChecked, res.Rejected)
			}
			// CRLs required: the forged one is no CRL.
			if _, err := w.evaluate(t, w.opts(), pieces...); !errors.Is(err, ErrCollateralSignature) || !strings.Contains(err.Error(), tc.words) {
				t.Errorf("CRLs required: %v, want ErrCollateralSignature naming the %s", err, tc.words)
			}
		})
	}
}

// TestRevocationStands: a genuine CRL adds its revocations even when it is
// expired or superseded: a revocation, once published, is not undone by a
// newer list that omits it or by offering an older list only.
func TestRevocationStands(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	genuine := w.pieces()
	old := w.pckCRL(p, wIssue.AddDate(0, 0, -40), wIssue.AddDate(0, 0, -10), w.pck.SerialNumber)
	res, err := w.evaluate(t, w.opts(), append(genuine, old)...)
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("%v %v, want ErrRevoked from the expired genuine CRL", res, err)
	}
	// A forged CRL cannot revoke.
	o := w.opts()
	o.AllowMissingCRLs = true
	res, err = w.evaluate(t, o, append(genuine[:3], w.pckCRL(w.forger, wIssue, wNext, w.pck.SerialNumber))...)
	mustUpToDate(t, res, err)
}

// TestExpiredCRLAloneIsNoCRL: a genuine PCK CRL past its nextUpdate is as
// good as none (revocation not checked, named) unless CRLs are required or
// expired collateral accepted.
func TestExpiredCRLAloneIsNoCRL(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	pieces := append(w.pieces()[:3], w.pckCRL(p, wIssue.AddDate(0, 0, -40), w.at.Add(-time.Hour)), w.pieces()[4])
	o := w.opts()
	o.AllowMissingCRLs = true
	res, err := w.evaluate(t, o, pieces...)
	mustUpToDate(t, res, err)
	if res.RevocationChecked || res.PCKCRL != nil || !rejected(res, ErrCollateralExpired, "PCK platform CA CRL") {
		t.Errorf("revocation checked %v, rejected %v", res.RevocationChecked, res.Rejected)
	}
	if _, err := w.evaluate(t, w.opts(), pieces...); !errors.Is(err, ErrCollateralExpired) {
		t.Errorf("CRLs required: %v, want ErrCollateralExpired", err)
	}
	o = w.opts()
	o.AllowExpiredCollateral = true
	res, err = w.evaluate(t, o, pieces...)
	mustUpToDate(t, res, err)
	if !res.RevocationChecked || !res.CollateralExpired {
		t.Errorf("expired accepted: revocation checked %v, expired %v", res.RevocationChecked, res.CollateralExpired)
	}
}

// TestMissingByKind: Missing counts only pieces of the kind Evaluate uses
// (TDX TCB Info, TD_QE identity), so an SGX TCB Info for the FMSPC does not
// stop a fetch.
func TestMissingByKind(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	g := w.pieces()
	col := collateralOf(t,
		w.tcbInfo(p, w.ti, func(s string) string { return strings.Replace(s, `"id":"TDX"`, `"id":"SGX"`, 1) }),
		w.qeIdentity(p, w.qe, func(s string) string { return strings.Replace(s, `"id":"TD_QE"`, `"id":"QE"`, 1) }),
		g[2], g[3], g[4])
	err := col.Missing(wFMSPC, CAPlatform)
	if !errors.Is(err, ErrCollateralMissing) || !strings.Contains(err.Error(), "TCB Info") || !strings.Contains(err.Error(), "TD_QE") {
		t.Fatalf("Missing = %v, want the TDX TCB Info and TD_QE identity named", err)
	}
}

// TestMinTCBEvaluationDataNumber: off by default; set, a TCB Info or QE
// Identity below it is not eligible, and with nothing eligible left the
// error is ErrCollateralStale. The attack it stops: a bundle that offers a
// genuine TCB Info from before a TCB recovery, still inside its window,
// under which the platform looks UpToDate.
func TestMinTCBEvaluationDataNumber(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	g := w.pieces()
	// The current TCB Info (evaluation 20) says OutOfDate; the attacker offers
	// only the one from before the recovery (evaluation 19, UpToDate).
	recovered := w.ti
	recovered.EvaluationDataNumber, recovered.Levels = 20, wLevels(10)
	qe20 := w.qe
	qe20.EvaluationDataNumber = 20
	res, err := w.evaluate(t, w.opts(), g...)
	mustUpToDate(t, res, err) // off by default: the old piece is accepted

	o := w.opts()
	o.MinTCBEvaluationDataNumber = 20
	_, err = w.evaluate(t, o, g...)
	if !errors.Is(err, ErrCollateralStale) || !strings.Contains(err.Error(), "TCB Info") || !strings.Contains(err.Error(), "19") {
		t.Fatalf("err = %v, want ErrCollateralStale naming the TCB Info's evaluation 19", err)
	}
	// With the current pieces offered too, they are used; the old ones named.
	res, err = w.evaluate(t, o, append(g, w.tcbInfo(p, recovered, nil), w.qeIdentity(p, qe20, nil))...)
	if err != nil || res.Status != OutOfDate || res.TCBEvaluationDataNumber != 20 {
		t.Fatalf("%v %v, want OutOfDate under evaluation 20", res, err)
	}
	if !rejected(res, ErrCollateralStale, "TCB Info") || !rejected(res, ErrCollateralStale, "QE Identity") {
		t.Errorf("rejected %v, want both pieces of evaluation 19 named", res.Rejected)
	}
	// The QE Identity is held to it as well.
	_, err = w.evaluate(t, o, append([][]byte{w.tcbInfo(p, recovered, nil)}, g[1:]...)...)
	if !errors.Is(err, ErrCollateralStale) || !strings.Contains(err.Error(), "QE Identity") {
		t.Fatalf("err = %v, want ErrCollateralStale naming the QE Identity", err)
	}
}

// TestMaxCollateralAge: off by default; set, TCB Info and QE Identity issued,
// and PCK CRLs updated, more than MaxCollateralAge before the verification
// time are not eligible; the Root CA CRL (reissued yearly) is exempt.
func TestMaxCollateralAge(t *testing.T) {
	w := newWorld(t) // everything issued 2026-01-10, verified 2026-01-15
	g := w.pieces()
	o := w.opts()
	o.MaxCollateralAge = 7 * 24 * time.Hour
	res, err := w.evaluate(t, o, g...)
	mustUpToDate(t, res, err)
	if len(res.Rejected) != 0 || !res.RevocationChecked {
		t.Fatalf("within the age: rejected %v, revocation checked %v", res.Rejected, res.RevocationChecked)
	}
	o.MaxCollateralAge = 4 * 24 * time.Hour
	if _, err = w.evaluate(t, o, g...); !errors.Is(err, ErrCollateralStale) || !strings.Contains(err.Error(), "2026-01-10") {
		t.Fatalf("err = %v, want ErrCollateralStale naming the issue date", err)
	}
	// A fresh TCB Info and QE Identity, the CRLs as they were: the PCK CRL is
	// held to the age too (not checked, or required: stale), the Root CA CRL
	// is not.
	fresh, freshQE := w.ti, w.qe
	fresh.IssueDate, freshQE.IssueDate = w.at.Add(-time.Hour), w.at.Add(-time.Hour)
	pieces := [][]byte{w.tcbInfo(w.pki, fresh, nil), w.qeIdentity(w.pki, freshQE, nil), g[2], g[3], g[4]}
	if _, err = w.evaluate(t, o, pieces...); !errors.Is(err, ErrCollateralStale) || !strings.Contains(err.Error(), "PCK platform CA CRL") {
		t.Fatalf("err = %v, want ErrCollateralStale naming the PCK CRL", err)
	}
	o.AllowMissingCRLs = true
	res, err = w.evaluate(t, o, pieces...)
	mustUpToDate(t, res, err)
	if res.RevocationChecked || res.RootCRL == nil || len(res.Rejected) != 1 || !rejected(res, ErrCollateralStale, "PCK platform CA CRL") {
		t.Errorf("revocation checked %v, root CRL %v, rejected %v", res.RevocationChecked, res.RootCRL != nil, res.Rejected)
	}
}

// pcs serves w's genuine collateral under the PCS v4 URL shapes, counting
// requests.
func (w *world) pcs(requests *atomic.Int64) *Client {
	g := w.pieces()
	chainHeader := func(name string, certs ...*x509.Certificate) http.Header {
		h := http.Header{}
		h.Set(name, url.PathEscape(string(testvectors.PEM(certs...))))
		return h
	}
	p := w.pki
	get := getterFunc(func(ctx context.Context, u string) ([]byte, http.Header, error) {
		requests.Add(1)
		switch {
		case strings.Contains(u, "/tdx/certification/v4/tcb?"):
			return g[0], chainHeader("TCB-Info-Issuer-Chain", p.TCBSigning, p.Root), nil
		case strings.Contains(u, "/tdx/certification/v4/qe/identity"):
			return g[1], chainHeader("SGX-Enclave-Identity-Issuer-Chain", p.TCBSigning, p.Root), nil
		case strings.Contains(u, "/sgx/certification/v4/pckcrl?"):
			return g[3], chainHeader("SGX-PCK-CRL-Issuer-Chain", p.PlatformCA, p.Root), nil
		case strings.HasSuffix(u, "/sgx/certification/v4/rootcacrl"):
			return g[4], nil, nil
		}
		return nil, nil, fmt.Errorf("HTTP 404 Not Found: %s", u)
	})
	return &Client{BaseURL: "https://pccs.example", Getter: get}
}

// TestCacheRefetchWhenNothingProves: online, a forged TCB Info among the
// collateral on hand (the only one for the FMSPC, so nothing is missing)
// does not fail the quote: the Cache fetches once more and uses Intel's. A
// service whose pieces do not prove themselves either is not asked again
// for the same verification time.
func TestCacheRefetchWhenNothingProves(t *testing.T) {
	w := newWorld(t)
	g := w.pieces()
	var n atomic.Int64
	cache := &Cache{Client: w.pcs(&n)}
	cache.Add(collateralOf(t, w.tcbInfo(w.forger, w.ti, nil), g[1], g[2], g[3], g[4]))
	ctx := context.Background()
	for i := range 3 {
		res, err := cache.Evaluate(ctx, w.q, w.chain, w.opts())
		mustUpToDate(t, res, err)
		if !rejected(res, ErrCollateralSignature, "TCB Info") {
			t.Errorf("evaluation %d: rejected %v, want the forged TCB Info named", i, res.Rejected)
		}
	}
	if got := n.Load(); got != 4 {
		t.Errorf("%d requests, want 4 (one fetch)", got)
	}

	// A forged PCK CRL, CRLs not required: without a fetch, revocation would
	// not be checked.
	n.Store(0)
	cache = &Cache{Client: w.pcs(&n)}
	cache.Add(collateralOf(t, g[0], g[1], g[2], w.pckCRL(w.forger, wIssue, wNext), g[4]))
	o := w.opts()
	o.AllowMissingCRLs = true
	res, err := cache.Evaluate(ctx, w.q, w.chain, o)
	mustUpToDate(t, res, err)
	if !res.RevocationChecked || !rejected(res, ErrCollateralSignature, "PCK platform CA CRL") || n.Load() != 4 {
		t.Errorf("forged CRL: revocation checked %v, rejected %v, %d requests", res.RevocationChecked, res.Rejected, n.Load())
	}

	// Freshness the service cannot meet: one fetch, then the error.
	n.Store(0)
	cache = &Cache{Client: w.pcs(&n)}
	cache.Add(collateralOf(t, g...))
	o = w.opts()
	o.MinTCBEvaluationDataNumber = 99
	for range 3 {
		if _, err := cache.Evaluate(ctx, w.q, w.chain, o); !errors.Is(err, ErrCollateralStale) {
			t.Fatalf("err = %v, want ErrCollateralStale", err)
		}
	}
	if got := n.Load(); got != 4 {
		t.Errorf("%d requests, want 4 (one fetch, not one per evaluation)", got)
	}
	// The service unreachable: its error, with the collateral on hand's.
	cache = &Cache{Client: &Client{Getter: getterFunc(func(context.Context, string) ([]byte, http.Header, error) {
		return nil, nil, errors.New("HTTP 503 Service Unavailable")
	})}}
	cache.Add(collateralOf(t, w.tcbInfo(w.forger, w.ti, nil), g[1], g[2], g[3], g[4]))
	if _, err := cache.Evaluate(ctx, w.q, w.chain, w.opts()); !errors.Is(err, ErrCollateralFetch) || !errors.Is(err, ErrCollateralSignature) {
		t.Errorf("err = %v, want ErrCollateralFetch and the forged piece's ErrCollateralSignature", err)
	}
}
