// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/fakepcs"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

var at2026 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func body(t *testing.T, r *verify.Result) map[string]any {
	t.Helper()
	q, ok := r.Claims["quote"].(map[string]any)
	if !ok {
		t.Fatalf("no quote claims in %v", r.Claims)
	}
	return q["body"].(map[string]any)
}

func TestEmbeddedQuotesWithoutCollateral(t *testing.T) {
	for name, raw := range map[string][]byte{"v4": gtdata.RawQuote, "v5": gtdata.RawQuoteV5} {
		t.Run(name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at2026})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != verify.FormatTDX {
				t.Errorf("format %q", r.Format)
			}
			// Genuine, but without collateral the TCB is unknown: never
			// affirming, and no hardware claim (AR4SI 0, insufficient to conclude).
			if r.Status != ear.TrustTierWarning || r.Vector.Hardware != ear.NoClaim {
				t.Errorf("status %v, hardware %v; want warning, no hardware claim", r.Status, r.Vector.Hardware)
			}
			if r.Vector.RuntimeOpaque != ear.EncryptedMemoryRuntimeClaim {
				t.Errorf("runtime-opaque %v", r.Vector.RuntimeOpaque)
			}
			q, _, _ := tdx.ParsePrefix(raw)
			if got := body(t, r)["mr_td"]; got != hexs(q.Body().MRTD()) {
				t.Errorf("mr_td claim %v", got)
			}
			if r.Expires.IsZero() || !r.Expires.After(at2026) {
				t.Errorf("expires %v", r.Expires)
			}
		})
	}
}

// TestCasesSignatureChain verifies every real TDX case's signature chain at its
// time (collateral is judged in certs/intel's tests and below when present).
func TestCasesSignatureChain(t *testing.T) {
	for _, c := range vectors.Cases(t, "tdx-") {
		t.Run(c.ID, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), c.EvidenceBytes(t), verify.Options{Offline: true, Time: c.At})
			if c.Expect.Debug {
				if !errors.Is(err, verify.ErrPolicy) {
					t.Errorf("debug TD: error %v, want ErrPolicy", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := body(t, r)["mr_td"]; got != c.Fact("mr_td") {
				t.Errorf("mr_td %v, want %s", got, c.Fact("mr_td"))
			}
			if got := r.Claims["fmspc"]; got != c.Fact("fmspc") {
				t.Errorf("fmspc %v, want %s", got, c.Fact("fmspc"))
			}
			debug := r.Claims["td_attributes"].(map[string]any)["debug"].(bool)
			if debug != c.Expect.Debug {
				t.Errorf("debug %v, want %v", debug, c.Expect.Debug)
			}
			if c.Expect.Debug && r.Status != ear.TrustTierContraindicated {
				t.Errorf("debug TD: status %v, want contraindicated", r.Status)
			}
			if r.Status == ear.TrustTierAffirming {
				t.Errorf("affirmed without collateral")
			}
		})
	}
}

func TestDebugTD(t *testing.T) {
	raw := vectors.Read(t, "tdx/trustee/tdx_quote_4.dat")
	at := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	r, err := verify.Evidence(context.Background(), raw, verify.Options{Time: at, Offline: true})
	// err is nil exactly when the status is affirming or warning: a debug TD
	// is contraindicated, and the error says why.
	if !errors.Is(err, verify.ErrPolicy) || !strings.Contains(err.Error(), "debug TD") || r.Err != err {
		t.Errorf("debug TD: error %v (Result.Err %v), want ErrPolicy naming the debug TD", err, r.Err)
	}
	if r.Status != ear.TrustTierContraindicated || r.Vector.RuntimeOpaque != ear.VisibleMemoryRuntimeClaim {
		t.Errorf("debug TD: %v, runtime-opaque %v", r.Status, r.Vector.RuntimeOpaque)
	}
	if !strings.Contains(r.Reasons[0], "debug TD") {
		t.Errorf("first reason %q does not name the debug TD", r.Reasons[0])
	}
	r, err = verify.Evidence(context.Background(), raw, verify.Options{Time: at, Offline: true, AllowDebug: true})
	if err != nil || r.Status != ear.TrustTierWarning {
		t.Errorf("debug TD with AllowDebug: %v, %v; want warning", r.Status, err)
	}
}

func TestFailures(t *testing.T) {
	q, _, _ := tdx.ParsePrefix(gtdata.RawQuoteV5)
	sigOff := len(q.SignedData()) + 4
	flip := func(off int) []byte {
		b := append([]byte(nil), gtdata.RawQuoteV5...)
		b[off] ^= 1
		return b
	}
	tests := []struct {
		name  string
		raw   []byte
		opts  verify.Options
		wants []error
	}{
		{"signed body bit", flip(100), verify.Options{Time: at2026}, []error{verify.ErrGenuine, intel.ErrQuoteSignature}},
		{"signature bit", flip(sigOff + 3), verify.Options{Time: at2026}, []error{verify.ErrGenuine, intel.ErrQuoteSignature}},
		{"QE report bit", flip(sigOff + 64 + 64 + 6 + 10), verify.Options{Time: at2026}, []error{verify.ErrGenuine, intel.ErrQEReportSignature}},
		{"truncated", gtdata.RawQuoteV5[:1000], verify.Options{Time: at2026}, []error{verify.ErrEvidence, tdx.ErrTruncated}},
		{"not evidence", []byte("hello, world"), verify.Options{Time: at2026}, []error{verify.ErrFormat}},
		{"PCK expired", gtdata.RawQuoteV5, verify.Options{Time: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)}, []error{verify.ErrGenuine, intel.ErrExpired}},
		{"PCK not yet valid", gtdata.RawQuoteV5, verify.Options{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, []error{verify.ErrGenuine, intel.ErrExpired}},
		{"strict trailing data", gtdata.RawQuote, verify.Options{Time: at2026, StrictTrailingData: true}, []error{verify.ErrEvidence, tdx.ErrTrailingData}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), tt.raw, tt.opts)
			for _, want := range tt.wants {
				if !errors.Is(err, want) {
					t.Errorf("error %v is not %v", err, want)
				}
			}
			if r == nil || r.Status != ear.TrustTierContraindicated || r.Err != err {
				t.Fatalf("result %+v for a failure", r)
			}
			if len(r.Reasons) == 0 || r.Reasons[0] != err.Error() {
				t.Errorf("first reason %q is not the error", r.Reasons)
			}
		})
	}
}

func TestEARRoundTrip(t *testing.T) {
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Time: at2026, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	js, err := r.EAR().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Profile string `json:"eat_profile"`
		IAT     int64  `json:"iat"`
		Submods map[string]struct {
			Status   string         `json:"ear.status"`
			Evidence map[string]any `json:"ear.veraison.annotated-evidence"`
		} `json:"submods"`
	}
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	sub, ok := m.Submods["tdx"]
	if !ok || sub.Status != "warning" || m.Profile != ear.EatProfile || time.Since(time.Unix(m.IAT, 0)) > time.Minute {
		t.Fatalf("EAR claims set %s", js)
	}
	if sub.Evidence["quote"].(map[string]any)["body"].(map[string]any)["mr_td"] != body(t, r)["mr_td"] {
		t.Error("annotated evidence lacks quote.body.mr_td")
	}
	if sub.Evidence["verification_time"] != "2026-03-01T00:00:00Z" {
		t.Errorf("verification_time %v", sub.Evidence["verification_time"])
	}

	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	token, err := verify.SignEAR(r.EAR(), key, verify.EAROptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := verify.VerifyEAR(token, &key.PublicKey, verify.EARVerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Submods["tdx"].Status != ear.TrustTierWarning {
		t.Errorf("verified EAR status %v", *got.Submods["tdx"].Status)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := verify.VerifyEAR(token, &other.PublicKey, verify.EARVerifyOptions{}); !errors.Is(err, verify.ErrEARSignature) {
		t.Errorf("EAR verified with another key: %v", err)
	}
	token[len(token)/2] ^= 1
	if _, err := verify.VerifyEAR(token, &key.PublicKey, verify.EARVerifyOptions{}); !errors.Is(err, verify.ErrEARSignature) {
		t.Errorf("tampered EAR: %v", err)
	}
}

func TestDetect(t *testing.T) {
	if f, err := verify.Detect(gtdata.RawQuote); err != nil || f != verify.FormatTDX {
		t.Errorf("v4 quote: %q, %v", f, err)
	}
	for _, b := range [][]byte{nil, {4, 0, 2, 0, 0, 0, 0, 0}, make([]byte, 2000)} {
		if _, err := verify.Detect(b); !errors.Is(err, verify.ErrFormat) {
			t.Errorf("Detect(%x…): %v", b[:min(len(b), 8)], err)
		}
	}
}

func hexs(b []byte) string {
	const d = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, d[c>>4], d[c&15])
	}
	return string(s)
}

// TestCasesWithCollateral runs every real TDX case with its collateral at its
// time: each gives its expected TCB status, or is rejected as below every TCB level.
func TestCasesWithCollateral(t *testing.T) {
	for _, c := range vectors.Cases(t, "tdx-") {
		t.Run(c.ID, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), c.EvidenceBytes(t), verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true},
				Offline: true, Time: c.At, Collateral: c.CollateralPaths(t),
			})
			want := c.Expect.TCBStatus
			if got := r.Claims["tcb_status"]; got != want {
				t.Errorf("tcb_status %v, want %s (err %v)", got, want, err)
			}
			if c.Expect.Verifies {
				switch {
				case errors.Is(err, intel.ErrCollateralExpired):
					// A case may bring pieces (CRLs of a bundle) that expired
					// before its time: applied, they fail the verdict as
					// expired collateral, which still shows the TCB status
					// it would give (checked above) and says it expired.
					if r.Claims["collateral_expiration_status"] != "1" || r.Status != ear.TrustTierContraindicated {
						t.Errorf("expired collateral: expiration status %v, status %v", r.Claims["collateral_expiration_status"], r.Status)
					}
					return
				case c.Expect.Debug:
					if !errors.Is(err, verify.ErrPolicy) {
						t.Fatalf("debug TD: error %v, want ErrPolicy", err)
					}
				case err != nil:
					t.Fatal(err)
				}
				if c.Expect.Debug != (r.Status == ear.TrustTierContraindicated) {
					t.Errorf("status %v, debug %v", r.Status, c.Expect.Debug)
				}
				if !c.Expect.Debug && want == "UpToDate" && r.Claims["revocation_checked"] == true && r.Status != ear.TrustTierAffirming {
					t.Errorf("UpToDate with CRLs checked: status %v, want affirming; %v", r.Status, r.Reasons)
				}
				return
			}
			if !errors.Is(err, verify.ErrTCB) || !errors.Is(err, intel.ErrTCBNotSupported) {
				t.Errorf("error %v, want ErrTCB and intel.ErrTCBNotSupported", err)
			}
			if r.Status != ear.TrustTierContraindicated || r.Vector.Hardware != ear.ContraindicatedHardwareClaim {
				t.Errorf("status %v, hardware %v", r.Status, r.Vector.Hardware)
			}
		})
	}
}

// TestOnlineCollateral fetches collateral from a fake PCS (the real URL
// shapes and headers), once for many verifications.
func TestOnlineCollateral(t *testing.T) {
	f := fakepcs.New(t)
	var c vectors.Case
	for _, x := range vectors.Cases(t, "tdx-phala-v4-b0c06f-uptodate") {
		c = x
	}
	v := verify.New(verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true},
		Time:  c.At,
		Intel: verify.IntelOptions{PCS: &intel.Client{BaseURL: f.URL, Getter: intel.HTTPGetter{Client: f.Client}}},
	})
	raw := c.EvidenceBytes(t)
	for i := 0; i < 3; i++ {
		r, err := v.Evidence(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != ear.TrustTierAffirming || r.Claims["tcb_status"] != "UpToDate" || r.Claims["revocation_checked"] != true {
			t.Fatalf("status %v, claims %v, reasons %v", r.Status, r.Claims["tcb_status"], r.Reasons)
		}
	}
	if n := f.Requests.Load(); n != 4 {
		t.Errorf("%d requests for 3 verifications, want 4 (TCB Info, QE Identity, PCK CRL, Root CA CRL, once)", n)
	}

	// Offline, the same Verifier options never reach the server.
	before := f.Requests.Load()
	r, err := verify.Evidence(context.Background(), raw, verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true}, Time: c.At, Offline: true,
		Intel: verify.IntelOptions{PCS: &intel.Client{BaseURL: f.URL, Getter: intel.HTTPGetter{Client: f.Client}}}})
	if err != nil || r.Status != ear.TrustTierWarning || f.Requests.Load() != before {
		t.Errorf("offline: %v %v, %d requests", r.Status, err, f.Requests.Load()-before)
	}

	// A PCS that fails is a collateral error, not a verdict on the TCB.
	f.Omit = "TCB-Info-Issuer-Chain"
	_, err = verify.Evidence(context.Background(), raw, verify.Options{Time: c.At,
		Intel: verify.IntelOptions{PCS: &intel.Client{BaseURL: f.URL, Getter: intel.HTTPGetter{Client: f.Client}}}})
	if !errors.Is(err, verify.ErrCollateral) || !errors.Is(err, intel.ErrCollateralFetch) {
		t.Errorf("PCS without issuer chain: %v", err)
	}
}
