// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/certs/ibm"
	"github.com/ccverify/ccverify/evidence/se"
	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/veraison/ear"
)

var seFlags = se.FlagImagePHKH | se.FlagAttestPHKH

// seCase makes a request for hkd and the answer of uv to it, with user data.
func seCase(t *testing.T, label string, hkd []byte, uv *testvectors.Ultravisor, user []byte) (*SERequest, *se.Answer) {
	t.Helper()
	arcb, sec, err := testvectors.Request(testvectors.NewSeed("se test "+label).Reader("request"), seFlags, hkd)
	if err != nil {
		t.Fatal(err)
	}
	a, err := uv.Attest(arcb, user)
	if err != nil {
		t.Fatal(err)
	}
	return &SERequest{Secret: *sec, ARCB: arcb}, a
}

func seOptions(w *testvectors.SEWorld, req *SERequest, nonce []byte) Options {
	return Options{
		Time: w.Time, Offline: true,
		Binding:   Binding{Nonce: nonce},
		RefValues: RefValueOptions{HardwareOnly: true},
		SE: SEOptions{
			Header: w.Header, Request: req,
			HKDs:       [][]byte{w.HKD, w.HKDRevoked, w.HKDExpired},
			Collateral: [][]byte{w.Collateral},
			Roots:      []*x509.Certificate{w.RootCert},
			Replay:     NewSEReplayMemory(),
		},
	}
}

var seNonce = bytes.Repeat([]byte{0xc5}, 32)

func TestSEGenuine(t *testing.T) {
	w := testvectors.NewSEWorld()
	req, a := seCase(t, "genuine", w.HKD, w.Host, seNonce)
	kbsKey, kbsNonce, err := se.SealStateless(testvectors.NewSeed("kbs").Reader("seal"), &w.KBSKey.PublicKey, &req.Secret)
	if err != nil {
		t.Fatal(err)
	}
	trustee := a.MarshalTrustee(w.Host.Tags(), kbsKey, kbsNonce)
	for _, c := range []struct {
		name  string
		raw   []byte
		setup func(o *Options)
	}{
		{"pvattest exchange", a.MarshalExchange(), nil},
		{"Trustee JSON, kept request", trustee, nil},
		{"Trustee JSON, stateless", trustee, func(o *Options) { o.SE.Request = nil; o.SE.StatelessKey = w.KBSKey }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := seOptions(w, req, seNonce)
			if c.setup != nil {
				c.setup(&o)
			}
			for _, via := range []string{"Evidence", "SEAnswer"} {
				o.SE.Replay = NewSEReplayMemory()
				v := New(o)
				var r *Result
				var err error
				if via == "Evidence" {
					r, err = v.Evidence(context.Background(), c.raw)
				} else {
					r, err = v.SEAnswer(context.Background(), c.raw)
				}
				if err != nil || r.Status != ear.TrustTierAffirming || r.Vector.Hardware != ear.GenuineHardwareClaim || r.Format != FormatSE {
					t.Fatalf("%s: status %v, hardware %v, err %v\n%q", via, r.Status, r.Vector.Hardware, err, r.Reasons)
				}
				for _, k := range []string{"cuid", "tag", "image_phkh", "attestation_phkh", "report_data", "version"} {
					if r.Claims[k] == nil {
						t.Fatalf("%s: claim %s missing: %v", via, k, r.Claims)
					}
				}
				if r.Expires.IsZero() {
					t.Fatalf("%s: no expiry", via)
				}
			}
		})
	}
}

func TestSERejected(t *testing.T) {
	w := testvectors.NewSEWorld()
	ctx := context.Background()
	type tc struct {
		name     string
		raw      []byte
		opts     Options
		want     []error
		hardware ear.TrustClaim
	}
	var cases []tc
	req, a := seCase(t, "genuine", w.HKD, w.Host, seNonce)
	genuine := a.MarshalExchange()

	o := seOptions(w, req, seNonce)
	o.SE.Header = w.OtherHeader
	cases = append(cases, tc{"wrong SE header (pvattest: the HMAC fails)", genuine, o, []error{ErrMeasurement}, ear.CryptoValidationFailedClaim})
	trustee := a.MarshalTrustee(w.Host.Tags(), nil, nil)
	cases = append(cases, tc{"wrong SE header (Trustee: the guest's tags differ)", trustee, o, []error{ErrSEHeader}, ear.CryptoValidationFailedClaim})

	changed := *a
	changed.UserData = bytes.Clone(a.UserData)
	changed.UserData[3] ^= 1
	cases = append(cases, tc{"changed user-data byte, bound", changed.MarshalExchange(), seOptions(w, req, seNonce), []error{ErrFreshness}, ear.CryptoValidationFailedClaim})
	cases = append(cases, tc{"changed user-data byte, unbound", changed.MarshalExchange(), seOptions(w, req, nil), []error{ErrMeasurement}, ear.CryptoValidationFailedClaim})

	flipped := *a
	flipped.Measurement = bytes.Clone(a.Measurement)
	flipped.Measurement[63] ^= 0x80
	cases = append(cases, tc{"flipped measurement bit", flipped.MarshalExchange(), seOptions(w, req, seNonce), []error{ErrMeasurement}, ear.CryptoValidationFailedClaim})

	reqF, aF := seCase(t, "foreign", w.HKDForeign, w.HostForeign, seNonce)
	cases = append(cases, tc{"untrusted host", aF.MarshalExchange(), seOptions(w, reqF, seNonce), []error{ErrUntrustedHost}, ear.CryptoValidationFailedClaim})
	oF := seOptions(w, reqF, seNonce)
	oF.SE.HKDs = append(oF.SE.HKDs, w.HKDForeign)
	cases = append(cases, tc{"look-alike HKD among the trusted", aF.MarshalExchange(), oF, []error{ErrUntrustedHost, ErrGenuine, ibm.ErrSignature}, ear.CryptoValidationFailedClaim})

	reqR, aR := seCase(t, "revoked", w.HKDRevoked, w.HostRevoked, seNonce)
	cases = append(cases, tc{"revoked HKD", aR.MarshalExchange(), seOptions(w, reqR, seNonce), []error{ErrGenuine, ibm.ErrRevoked}, ear.ContraindicatedHardwareClaim})
	reqE, aE := seCase(t, "expired", w.HKDExpired, w.HostExpired, seNonce)
	cases = append(cases, tc{"expired HKD", aE.MarshalExchange(), seOptions(w, reqE, seNonce), []error{ErrGenuine, ibm.ErrExpired}, ear.CryptoValidationFailedClaim})

	other, _ := seCase(t, "other request", w.HKD, w.Host, seNonce)
	cases = append(cases, tc{"answer to another request", genuine, seOptions(w, other, seNonce), []error{ErrSERequest}, ear.CryptoValidationFailedClaim})
	otherNoARCB := *other
	otherNoARCB.ARCB = nil
	cases = append(cases, tc{"answer to another request (ARCB not kept)", genuine, seOptions(w, &otherNoARCB, seNonce), []error{ErrSERequest}, ear.CryptoValidationFailedClaim})

	tampered := *a
	tampered.ARCB = bytes.Clone(a.ARCB)
	tampered.ARCB[0x30] ^= 0x08 // ask for the secret-store hash after the fact
	reqNoARCB := *req
	reqNoARCB.ARCB = nil
	cases = append(cases, tc{"flipped ARCB flag", tampered.MarshalExchange(), seOptions(w, &reqNoARCB, seNonce), []error{ErrSERequest, se.ErrDecrypt}, ear.CryptoValidationFailedClaim})

	oNoHdr := seOptions(w, req, seNonce)
	oNoHdr.SE.Header = nil
	cases = append(cases, tc{"no SE header", genuine, oNoHdr, []error{ErrUnavailable, ErrSEHeader}, ear.VerifierMalfunctionClaim})
	oNoReq := seOptions(w, nil, seNonce)
	cases = append(cases, tc{"no request secret", genuine, oNoReq, []error{ErrUnavailable, ErrSERequest}, ear.VerifierMalfunctionClaim})
	oNoCRL := seOptions(w, req, seNonce)
	oNoCRL.SE.Collateral = nil
	cases = append(cases, tc{"no IBM chain or CRLs", genuine, oNoCRL, []error{ErrGenuine}, ear.CryptoValidationFailedClaim})
	cases = append(cases, tc{"truncated exchange file", genuine[:100], seOptions(w, req, seNonce), []error{ErrEvidence, se.ErrTruncated}, ear.CryptoValidationFailedClaim})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := New(c.opts).Evidence(ctx, c.raw)
			for _, want := range c.want {
				if !errors.Is(err, want) {
					t.Fatalf("err %v, want %v", err, want)
				}
			}
			if r.Status != ear.TrustTierContraindicated || r.Vector.Hardware != c.hardware {
				t.Fatalf("status %v, hardware %v (want %v)", r.Status, r.Vector.Hardware, c.hardware)
			}
		})
	}
}

func TestSEReplay(t *testing.T) {
	w := testvectors.NewSEWorld()
	req, a := seCase(t, "replay", w.HKD, w.Host, seNonce)
	v := New(seOptions(w, req, seNonce))
	if _, err := v.Evidence(context.Background(), a.MarshalExchange()); err != nil {
		t.Fatal(err)
	}
	r, err := v.Evidence(context.Background(), a.MarshalExchange())
	if !errors.Is(err, ErrReplay) || r.Status != ear.TrustTierContraindicated {
		t.Fatalf("second answer: %v, status %v", err, r.Status)
	}
}

func TestSEFreshnessNotChecked(t *testing.T) {
	w := testvectors.NewSEWorld()
	req, a := seCase(t, "unfresh", w.HKD, w.Host, nil)
	o := seOptions(w, req, nil)
	o.SE.Replay = nil
	r, err := New(o).Evidence(context.Background(), a.MarshalExchange())
	if err != nil || r.Status != ear.TrustTierWarning || r.Vector.Hardware != ear.NoClaim {
		t.Fatalf("status %v, hardware %v, err %v", r.Status, r.Vector.Hardware, err)
	}
}

func TestSEUltravisorRefusesForeignRequest(t *testing.T) {
	w := testvectors.NewSEWorld()
	arcb, _, err := testvectors.Request(nil, seFlags, w.HKD)
	if err != nil {
		t.Fatal(err)
	}
	var uvErr *testvectors.UVError
	if _, err := w.HostForeign.Attest(arcb, nil); !errors.As(err, &uvErr) || uvErr.RC != testvectors.UVRCNoKeySlot || !errors.Is(err, se.ErrNoKeySlot) {
		t.Fatalf("foreign host: %v", err)
	}
}

// TestSEReferenceValues: a genuine answer whose SE-header tag, image PHKH
// and user data match the reference values is affirming with executables
// approved, and a different tag is unrecognized. It needs the SE claims in
// refvalues' vocabulary and skips until refvalues has them.
func TestSEReferenceValues(t *testing.T) {
	w := testvectors.NewSEWorld()
	req, a := seCase(t, "refvalues", w.HKD, w.Host, seNonce)
	tags := w.Host.Tags()
	phkh := se.PHKH(w.Host.Key.PublicKey())
	expect := func(tag string) refvalues.Set {
		d, err := refvalues.Expect(map[string][]string{"se.tag": {tag}, "se.image_phkh": {hex.EncodeToString(phkh[:])}})
		if errors.Is(err, refvalues.ErrUnknownClaim) {
			t.Skipf("refvalues has no SE claims yet: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		return refvalues.Set{d}
	}
	o := seOptions(w, req, seNonce)
	o.RefValues = RefValueOptions{Set: expect(hex.EncodeToString(tags.Tag()))}
	r, err := New(o).Evidence(context.Background(), a.MarshalExchange())
	if err != nil || r.Status != ear.TrustTierAffirming || r.Vector.Executables != ear.ApprovedRuntimeClaim {
		t.Fatalf("status %v, executables %v, err %v\n%q", r.Status, r.Vector.Executables, err, r.Reasons)
	}
	o = seOptions(w, req, seNonce)
	o.RefValues = RefValueOptions{Set: expect(strings.Repeat("00", 16))}
	r, err = New(o).Evidence(context.Background(), a.MarshalExchange())
	if err != nil || r.Vector.Executables != ear.UnrecognizedRuntimeClaim {
		t.Fatalf("other tag: executables %v, err %v", r.Vector.Executables, err)
	}
}

func BenchmarkSEAnswer(b *testing.B) {
	w := testvectors.NewSEWorld()
	arcb, sec, err := testvectors.Request(testvectors.NewSeed("bench").Reader("r"), seFlags, w.HKD)
	if err != nil {
		b.Fatal(err)
	}
	a, err := w.Host.Attest(arcb, seNonce)
	if err != nil {
		b.Fatal(err)
	}
	raw := a.MarshalExchange()
	o := seOptions(w, &SERequest{Secret: *sec, ARCB: arcb}, seNonce)
	o.SE.Replay = nil
	v := New(o)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Evidence(context.Background(), raw); err != nil {
			b.Fatal(err)
		}
	}
}
