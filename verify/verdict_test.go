// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// signedTD builds a TDX quote under a test PKI with the given TD_ATTRIBUTES
// and SEAMATTRIBUTES, and the options that trust that PKI.
func signedTD(t *testing.T, tdAttributes, seamAttributes uint64) ([]byte, verify.Options) {
	t.Helper()
	seed := testvectors.NewSeed(t.Name())
	pki := testvectors.NewIntelPKI(seed, "verdict")
	pck, pckKey := pki.IssuePCK(testvectors.PCKSpec{Label: "pck", Serial: big.NewInt(0x1234),
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC),
		SGXType: 1, Platform: true}, pki.PlatformCA, pki.PlatformKey)
	ak := seed.ECKey(elliptic.P256(), "ak")
	q := testvectors.BuildQuote(seed, testvectors.QuoteSpec{Version: 4, Label: "verdict", XFAM: 0x61ae7,
		TDAttributes: tdAttributes, SEAMAttributes: seamAttributes, QEISVProdID: 2, QEISVSVN: 8,
		PCKChain: testvectors.PCKChain(pck, pki.PlatformCA, pki.Root), PCKKey: pckKey, AKKey: ak})
	return q, verify.Options{Offline: true, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Intel: verify.IntelOptions{Roots: []*x509.Certificate{pki.Root}}}
}

// TestClaimsOnlyGetWorse: a finding never makes a claim better than one
// already made. A debug TD (configuration 96) with an undefined TD_ATTRIBUTES
// bit or a non-zero SEAMATTRIBUTES stays 96, not "unsafe" 32.
func TestClaimsOnlyGetWorse(t *testing.T) {
	const debug, undefinedBit = 1 << 0, 1 << 20
	for _, tt := range []struct {
		name           string
		attrs, seam    uint64
		allowDebug     bool
		wantConfig     ear.TrustClaim
		wantStatus     ear.TrustTier
		wantPolicyErr  bool
		wantReasonPart string
	}{
		{"debug + undefined attribute", debug | undefinedBit, 0, false, ear.UnsupportableConfigClaim, ear.TrustTierContraindicated, true, "does not define"},
		{"debug + SEAMATTRIBUTES", debug, 1, false, ear.UnsupportableConfigClaim, ear.TrustTierContraindicated, true, "SEAMATTRIBUTES"},
		{"allowed debug + undefined attribute", debug | undefinedBit, 0, true, ear.UnsafeConfigClaim, ear.TrustTierWarning, false, "does not define"},
		{"undefined attribute", undefinedBit, 0, false, ear.UnsafeConfigClaim, ear.TrustTierWarning, false, "does not define"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, opts := signedTD(t, tt.attrs, tt.seam)
			opts.AllowDebug = tt.allowDebug
			r, err := verify.Evidence(context.Background(), q, opts)
			if r.Vector.Configuration != tt.wantConfig || r.Status != tt.wantStatus {
				t.Errorf("configuration %v, status %v; want %v, %v (err %v)", r.Vector.Configuration, r.Status, tt.wantConfig, tt.wantStatus, err)
			}
			if tt.wantPolicyErr != errors.Is(err, verify.ErrPolicy) {
				t.Errorf("error %v, want ErrPolicy: %v", err, tt.wantPolicyErr)
			}
			if !strings.Contains(strings.Join(r.Reasons, "\n"), tt.wantReasonPart) {
				t.Errorf("reasons %q lack %q", r.Reasons, tt.wantReasonPart)
			}
		})
	}
}

// TestErrorExactlyWhenContraindicated is the rule the README's example relies
// on: err is nil exactly when the status is affirming or warning.
func TestErrorExactlyWhenContraindicated(t *testing.T) {
	inputs := map[string][]byte{
		"v4": gtdata.RawQuote, "v5": gtdata.RawQuoteV5, "snp": gsgdata.AttestationBytes[:snp.ReportSize],
		"flipped": flip(gtdata.RawQuoteV5, 200), "empty": nil, "text": []byte("hello, verifier"),
	}
	debugQ, debugOpts := signedTD(t, 1, 0)
	for name, raw := range inputs {
		for _, opts := range []verify.Options{{Offline: true, Time: at2026}, {Offline: true, Time: at2026, AllowDebug: true}} {
			r, err := verify.Evidence(context.Background(), raw, opts)
			if (err != nil) != (r.Status == ear.TrustTierContraindicated) || r.Err != err {
				t.Errorf("%s: status %v with error %v (Result.Err %v)", name, r.Status, err, r.Err)
			}
		}
	}
	r, err := verify.Evidence(context.Background(), debugQ, debugOpts)
	if r.Status != ear.TrustTierContraindicated || !errors.Is(err, verify.ErrPolicy) {
		t.Errorf("debug TD: status %v, error %v; want contraindicated with ErrPolicy", r.Status, err)
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

// TestEvidenceSize: evidence over the limit is refused before parsing.
func TestEvidenceSize(t *testing.T) {
	big := make([]byte, verify.DefaultMaxEvidenceSize+1)
	copy(big, gtdata.RawQuoteV5)
	if _, err := verify.Evidence(context.Background(), big, verify.Options{Offline: true}); !errors.Is(err, verify.ErrTooLarge) {
		t.Errorf("%d bytes: %v, want ErrTooLarge", len(big), err)
	}
	_, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026, MaxEvidenceSize: 1000})
	if !errors.Is(err, verify.ErrTooLarge) || !strings.Contains(err.Error(), "limit 1000") {
		t.Errorf("MaxEvidenceSize 1000: %v, want ErrTooLarge naming the limit", err)
	}
	if _, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026, MaxEvidenceSize: len(gtdata.RawQuoteV5)}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// TestEvidenceSHA256: every verdict names the bytes it judged.
func TestEvidenceSHA256(t *testing.T) {
	for _, raw := range [][]byte{gtdata.RawQuoteV5, flip(gtdata.RawQuoteV5, 200), []byte("not evidence")} {
		r, _ := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at2026})
		sum := sha256.Sum256(raw)
		if got := r.Claims["evidence_sha256"]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("evidence_sha256 %v, want %x", got, sum)
		}
		claims := *r.EAR().Submods[subName(r)].VeraisonAnnotatedEvidence
		if claims["evidence_sha256"] != hex.EncodeToString(sum[:]) {
			t.Errorf("EAR lacks evidence_sha256")
		}
	}
}

func subName(r *verify.Result) string {
	if r.Format == "" {
		return "unknown"
	}
	return string(r.Format)
}

// TestNotEvidence: input that is not evidence is ErrFormat, saying what it is.
func TestNotEvidence(t *testing.T) {
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gsgdata.VcekBytes})
	for _, tt := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"PEM certificate", cert, "a PEM certificate: collateral, not evidence"},
		{"DER certificate", gsgdata.VcekBytes, "a DER certificate: collateral, not evidence"},
		{"JSON", []byte(`{"tee": "unknown"}`), "JSON (18 bytes) that is no known evidence container"},
		{"text", []byte("quote goes here\n"), "text (16 bytes), not evidence"},
		{"binary", make([]byte, 64), "neither a TDX quote"},
		{"hex of junk", []byte(strings.Repeat("ab", 40)), "hex text of 40 bytes that are not evidence either"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), tt.raw, verify.Options{Offline: true})
			if !errors.Is(err, verify.ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrFormat saying %q", err, tt.want)
			}
			if r.Status != ear.TrustTierContraindicated {
				t.Errorf("status %v", r.Status)
			}
		})
	}
}

// TestTextEvidence: quotes and reports shipped as hex or base64 text (as
// Trustee and Phala ship them) are decoded, and the reasons say so.
func TestTextEvidence(t *testing.T) {
	for _, tt := range []struct {
		name, text, enc string
	}{
		{"hex", hex.EncodeToString(gtdata.RawQuoteV5), "hex"},
		{"0x hex with newline", "0x" + hex.EncodeToString(gtdata.RawQuoteV5) + "\n", "hex"},
		{"base64", base64.StdEncoding.EncodeToString(gtdata.RawQuoteV5), "base64"},
		{"base64url unpadded", base64.RawURLEncoding.EncodeToString(gtdata.RawQuoteV5), "base64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), []byte(tt.text), verify.Options{Offline: true, Time: at2026})
			if err != nil || r.Format != verify.FormatTDX || r.Status != ear.TrustTierWarning {
				t.Fatalf("%v, %v, %v", r.Format, r.Status, err)
			}
			if !strings.Contains(strings.Join(r.Reasons, "\n"), "evidence decoded from "+tt.enc+" text") {
				t.Errorf("reasons %q do not say the evidence was decoded", r.Reasons)
			}
		})
	}
}

// TestTruncatedSNP: a report cut short is an SNP report that is truncated,
// not unrecognized input.
func TestTruncatedSNP(t *testing.T) {
	_, err := verify.Evidence(context.Background(), gsgdata.AttestationBytes[:1000], verify.Options{Offline: true})
	if !errors.Is(err, snp.ErrTruncated) || !strings.Contains(err.Error(), "snp: report truncated: have 1000 bytes, need 1184") {
		t.Errorf("error %v", err)
	}
}
