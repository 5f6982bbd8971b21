// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/ccverify/ccverify/certs/azure"
	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/google/go-tpm/tpm2"
)

// TestVerifyVectors: every container case of cases.json and every other
// Trustee az-snp-vtpm evidence file binds: REPORT_DATA holds the runtime
// data's hash, the AK signed the quote, the PCRs hash to its digest; the SNP
// report returned is the one cases.json's evidence_encoding extracts; the
// claims are Trustee's.
func TestVerifyVectors(t *testing.T) {
	for _, c := range azCases(t) {
		t.Run(c.name, func(t *testing.T) {
			opts := &azure.Options{Nonce: c.nonce}
			if c.version >= 2 {
				opts.UserData = c.nonce // Trustee checks the user data from version 2 on
			}
			r, err := azure.Verify(c.ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.ReportType != evazure.ReportTypeSNP || len(r.HardwareReport) != 1184 || !r.NonceChecked || r.UserDataChecked != (c.version >= 2) {
				t.Errorf("result: %v, %d bytes, nonce %v, user data %v", r.ReportType, len(r.HardwareReport), r.NonceChecked, r.UserDataChecked)
			}
			if c.report != nil && !bytes.Equal(r.HardwareReport, c.report[:1184]) {
				t.Error("the hardware report is not what evidence_encoding extracts")
			}
			if !bytes.Equal(r.SNPReport.Raw(), r.HardwareReport) || r.SNPReport.VMPL() != 0 {
				t.Error("SNP report")
			}
			if r.Scheme != "RSASSA-PKCS1-v1_5/SHA-256" || len(r.PCRs) != 24 || r.AK.N.BitLen() != 2048 {
				t.Errorf("scheme %s, %d PCRs", r.Scheme, len(r.PCRs))
			}
			cl := r.Claims()
			tpm := cl["tpm"].(map[string]any)
			if tpm["pcr00"] != c.pcr0 || cl["report_data"] != hex.EncodeToString(c.nonce) || cl["init_data"] != tpm["pcr08"] {
				t.Errorf("claims: pcr00 %v report_data %v", tpm["pcr00"], cl["report_data"])
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

// TestVerifyVectorsNegative tampers with real evidence: each change has its
// own sentinel.
func TestVerifyVectorsNegative(t *testing.T) {
	cs := azCases(t)
	var v1, v2 azCase
	for _, c := range cs {
		switch c.version {
		case 1:
			v1 = c
		case 2:
			v2 = c
		}
	}
	if v2.ev.HCLReport == nil || v1.ev.HCLReport == nil {
		t.Fatal("no version 1 and 2 evidence")
	}
	ok := func(e azure.Evidence) azure.Evidence { return e }
	ev := v2.ev
	msgExtra := 2 + 2 + 2 + 34 + 2 // magic, type, name size, name (34), extraData size
	pcrs := func(f func([][]byte) [][]byte) [][]byte {
		c := make([][]byte, len(ev.PCRs))
		for i := range c {
			c[i] = append([]byte(nil), ev.PCRs[i]...)
		}
		return f(c)
	}
	runtime := evazure.RuntimeDataOffset + 100 // a byte inside the AK's modulus
	for _, tc := range []struct {
		name    string
		e       azure.Evidence
		opts    azure.Options
		want    error
		altered bool // errors.Is(err, ErrQuoteAltered)
	}{
		{name: "quote: a flipped byte in extraData", e: func() azure.Evidence { e := ok(ev); e.TPMMessage = flip(ev.TPMMessage, msgExtra+3); return e }(), want: azure.ErrAKSignature, altered: true},
		{name: "quote: a flipped byte in the clock", e: func() azure.Evidence {
			e := ok(ev)
			e.TPMMessage = flip(ev.TPMMessage, len(ev.TPMMessage)-60)
			return e
		}(), want: azure.ErrAKSignature, altered: true},
		{name: "quote: a flipped byte in pcrDigest", e: func() azure.Evidence { e := ok(ev); e.TPMMessage = flip(ev.TPMMessage, len(ev.TPMMessage)-1); return e }(), want: azure.ErrAKSignature, altered: true},
		{name: "quote: a flipped byte in the signature", e: func() azure.Evidence { e := ok(ev); e.TPMSignature = flip(ev.TPMSignature, 100); return e }(), want: azure.ErrAKSignature},
		{name: "quote signed by a different AK", e: func() azure.Evidence {
			e := ok(ev)
			e.TPMMessage, e.TPMSignature, e.PCRs = v1.ev.TPMMessage, v1.ev.TPMSignature, v1.ev.PCRs
			return e
		}(), want: azure.ErrAKSignature},
		{name: "a PCR value changed", e: func() azure.Evidence {
			e := ok(ev)
			e.PCRs = pcrs(func(p [][]byte) [][]byte { p[3][0] ^= 1; return p })
			return e
		}(), want: azure.ErrPCRDigest},
		{name: "PCR values swapped", e: func() azure.Evidence {
			e := ok(ev)
			e.PCRs = pcrs(func(p [][]byte) [][]byte { p[0], p[1] = p[1], p[0]; return p })
			return e
		}(), want: azure.ErrPCRDigest},
		{name: "a PCR value missing", e: func() azure.Evidence { e := ok(ev); e.PCRs = ev.PCRs[:23]; return e }(), want: azure.ErrPCRSelection},
		{name: "a PCR value short", e: func() azure.Evidence {
			e := ok(ev)
			e.PCRs = pcrs(func(p [][]byte) [][]byte { p[5] = p[5][:31]; return p })
			return e
		}(), want: azure.ErrPCRSelection},
		{name: "runtime data changed", e: func() azure.Evidence { e := ok(ev); e.HCLReport = flip(ev.HCLReport, runtime); return e }(), want: azure.ErrBinding},
		{name: "runtime data no longer JSON", e: func() azure.Evidence {
			e := ok(ev)
			e.HCLReport = flip(ev.HCLReport, evazure.RuntimeDataOffset)
			return e
		}(), want: azure.ErrBinding},
		{name: "runtime data a byte shorter", e: func() azure.Evidence {
			e := ok(ev)
			e.HCLReport = append([]byte(nil), ev.HCLReport...)
			binary.LittleEndian.PutUint32(e.HCLReport[0x4D0:], binary.LittleEndian.Uint32(e.HCLReport[0x4D0:])-1)
			return e
		}(), want: azure.ErrBinding},
		{name: "REPORT_DATA changed", e: func() azure.Evidence { e := ok(ev); e.HCLReport = flip(ev.HCLReport, 0x20+0x50); return e }(), want: azure.ErrBinding},
		{name: "SNP report from VMPL 1", e: func() azure.Evidence { e := ok(ev); e.HCLReport = flip(ev.HCLReport, 0x20+0x30); return e }(), want: azure.ErrVMPL},
		{name: "hash type SHA-384", e: func() azure.Evidence {
			e := ok(ev)
			e.HCLReport = append([]byte(nil), ev.HCLReport...)
			binary.LittleEndian.PutUint32(e.HCLReport[0x4CC:], 2)
			return e
		}(), want: azure.ErrHashType},
		{name: "not an HCL report", e: func() azure.Evidence { e := ok(ev); e.HCLReport = flip(ev.HCLReport, 0); return e }(), want: azure.ErrEvidence},
		{name: "wrong nonce", e: ev, opts: azure.Options{Nonce: []byte("challenge")}, want: azure.ErrNonce},
		{name: "nonce zero-padded", e: ev, opts: azure.Options{Nonce: append(append([]byte(nil), v2.nonce...), make([]byte, 16)...)}, want: azure.ErrNonce},
		{name: "wrong user data", e: ev, opts: azure.Options{UserData: []byte("challenge")}, want: azure.ErrUserData},
		{name: "version 1: user data all zero", e: v1.ev, opts: azure.Options{UserData: []byte("challenge")}, want: azure.ErrUserData},
		{name: "init data not in PCR 8", e: ev, opts: azure.Options{InitDataHash: make([]byte, 32)}, want: azure.ErrInitData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := azure.Verify(tc.e, &tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if got := errors.Is(err, azure.ErrQuoteAltered); got != tc.altered {
				t.Fatalf("ErrQuoteAltered %v, want %v: %v", got, tc.altered, err)
			}
		})
	}
}

// TestVerifySynthetic covers what the real vectors cannot: TDX, RSA-PSS,
// TPMT_SIGNATURE, a non-quote, a foreign magic, a foreign AK.
func TestVerifySynthetic(t *testing.T) {
	a, b := keys()
	nonce := []byte("0123456789abcdef0123456789abcdef")
	for _, tc := range []struct {
		name    string
		s       spec
		opts    azure.Options
		want    error
		altered bool
		scheme  string
		mutate  func(*azure.Evidence)
	}{
		{name: "SNP", s: spec{nonce: nonce, userData: nonce}, opts: azure.Options{Nonce: nonce, UserData: nonce}, scheme: "RSASSA-PKCS1-v1_5/SHA-256"},
		{name: "TDX", s: spec{typ: evazure.ReportTypeTDX, nonce: nonce}, opts: azure.Options{Nonce: nonce}, scheme: "RSASSA-PKCS1-v1_5/SHA-256"},
		{name: "JWK alg PS256", s: spec{alg: "PS256"}, scheme: "RSA-PSS/SHA-256"},
		{name: "JWK alg RS512", s: spec{alg: "RS512", hash: crypto.SHA512}, scheme: "RSASSA-PKCS1-v1_5/SHA-512"},
		{name: "TPMT_SIGNATURE RSASSA SHA-384", s: spec{scheme: tpm2.TPMAlgRSASSA, hash: crypto.SHA384}, scheme: "RSASSA-PKCS1-v1_5/SHA-384"},
		{name: "TPMT_SIGNATURE RSAPSS SHA-256", s: spec{scheme: tpm2.TPMAlgRSAPSS}, scheme: "RSA-PSS/SHA-256"},
		{name: "8 PCRs", s: spec{pcrs: 8}, scheme: "RSASSA-PKCS1-v1_5/SHA-256"},
		{name: "TDX without its TD quote", s: spec{typ: evazure.ReportTypeTDX}, mutate: func(e *azure.Evidence) { e.TDQuote = nil }, want: azure.ErrEvidence},
		{name: "TD quote's REPORT_DATA of other runtime data", s: spec{typ: evazure.ReportTypeTDX}, mutate: func(e *azure.Evidence) {
			off := bytes.Index(e.TDQuote, e.HCLReport[0x20+0x80:0x20+0x80+32]) // the TD report's REPORTDATA, as the quote holds it
			e.TDQuote = flip(e.TDQuote, off)
		}, want: azure.ErrBinding},
		{name: "magic not TPM_GENERATED", s: spec{magic: 0xff544348}, want: azure.ErrMagic},
		{name: "a certify attestation", s: spec{attType: tpm2.TPMSTAttestCertify}, want: azure.ErrAttestType},
		{name: "signed by another key", s: spec{signer: b}, want: azure.ErrAKSignature},
		{name: "PSS signed by another key", s: spec{alg: "PS256", signer: b}, want: azure.ErrAKSignature},
		{name: "PSS quote altered", s: spec{alg: "PS256"}, mutate: func(e *azure.Evidence) { e.TPMMessage = flip(e.TPMMessage, 20) }, want: azure.ErrAKSignature, altered: true},
		{name: "TPMT PSS quote altered", s: spec{scheme: tpm2.TPMAlgRSAPSS, hash: crypto.SHA384}, mutate: func(e *azure.Evidence) { e.TPMMessage = flip(e.TPMMessage, 20) }, want: azure.ErrAKSignature, altered: true},
		{name: "runtime data names another AK", s: spec{akPub: &b.PublicKey}, want: azure.ErrAKSignature},
		{name: "JWK alg ES256", s: spec{alg: "ES256"}, want: azure.ErrAK},
		{name: "PKCS1 signature, JWK says PS256", s: spec{alg: "PS256"}, mutate: func(e *azure.Evidence) {
			e.TPMSignature = sign(t, a, crypto.SHA256, false, e.TPMMessage)
		}, want: azure.ErrAKSignature},
		{name: "SNP VMPL 2", s: spec{vmpl: 2}, want: azure.ErrVMPL},
		{name: "init data", s: spec{initData: bytes.Repeat([]byte{7}, 32)}, opts: azure.Options{InitDataHash: bytes.Repeat([]byte{7}, 32)}, scheme: "RSASSA-PKCS1-v1_5/SHA-256"},
		{name: "other init data", s: spec{initData: bytes.Repeat([]byte{7}, 32)}, opts: azure.Options{InitDataHash: bytes.Repeat([]byte{8}, 32)}, want: azure.ErrInitData},
		{name: "init data digest of 48 bytes", s: spec{}, opts: azure.Options{InitDataHash: make([]byte, 48)}, want: azure.ErrInitData},
		{name: "init data without PCR 8", s: spec{pcrs: 8}, opts: azure.Options{InitDataHash: make([]byte, 32)}, want: azure.ErrInitData},
		{name: "hash type 4", s: spec{hashType: 4}, want: azure.ErrHashType},
		{name: "signature empty", s: spec{}, mutate: func(e *azure.Evidence) { e.TPMSignature = nil }, want: azure.ErrEvidence},
		{name: "message empty", s: spec{}, mutate: func(e *azure.Evidence) { e.TPMMessage = nil }, want: azure.ErrEvidence},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := build(t, tc.s)
			if tc.mutate != nil {
				tc.mutate(&e)
			}
			r, err := azure.Verify(e, &tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if got := errors.Is(err, azure.ErrQuoteAltered); got != tc.altered {
				t.Fatalf("ErrQuoteAltered %v, want %v: %v", got, tc.altered, err)
			}
			if err != nil {
				return
			}
			if r.Scheme != tc.scheme {
				t.Errorf("scheme %s, want %s", r.Scheme, tc.scheme)
			}
			if tc.s.typ == evazure.ReportTypeTDX {
				if r.ReportType != evazure.ReportTypeTDX || !bytes.Equal(r.HardwareReport, e.TDQuote) || r.TDQuote.Version() != 5 {
					t.Error("TDX result")
				}
			}
			cl := r.Claims()
			if n := len(cl["tpm"].(map[string]any)); n != len(e.PCRs) {
				t.Errorf("%d PCR claims, want %d", n, len(e.PCRs))
			}
		})
	}
	if (*azure.Result)(nil).Claims() != nil {
		t.Error("nil Result claims")
	}
}

// TestVerifyTrusteeTDX: synthetic az-tdx-vtpm evidence written in Trustee's
// three versions unwraps (evidence/container) and verifies.
func TestVerifyTrusteeTDX(t *testing.T) {
	nonce := []byte("a nonce of the relying party")
	e := build(t, spec{typ: evazure.ReportTypeTDX, nonce: nonce, userData: nonce})
	arr := func(b []byte) []int {
		a := make([]int, len(b))
		for i, x := range b {
			a[i] = int(x)
		}
		return a
	}
	var hexPCRs []string
	var arrPCRs [][]int
	for _, p := range e.PCRs {
		hexPCRs = append(hexPCRs, hex.EncodeToString(p))
		arrPCRs = append(arrPCRs, arr(p))
	}
	b64 := base64.URLEncoding.EncodeToString
	v1 := func(version int) map[string]any {
		return map[string]any{
			"version":    version,
			"tpm_quote":  map[string]any{"signature": hex.EncodeToString(e.TPMSignature), "message": hex.EncodeToString(e.TPMMessage), "pcrs": hexPCRs},
			"hcl_report": b64(e.HCLReport),
			"td_quote":   b64(e.TDQuote),
		}
	}
	for name, m := range map[string]map[string]any{
		"v0": {"tpm_quote": map[string]any{"signature": arr(e.TPMSignature), "message": arr(e.TPMMessage), "pcrs": arrPCRs}, "hcl_report": arr(e.HCLReport), "td_quote": arr(e.TDQuote)},
		"v1": v1(1),
		"v2": v1(2),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			es, err := container.Unwrap(b, nil)
			if err != nil || len(es) != 1 || es[0].TEE != container.AzTDXvTPM || "v"+strconv.Itoa(es[0].Version) != name {
				t.Fatalf("Unwrap: %v", err)
			}
			if !bytes.Equal(es[0].Data(container.KindTDReport), e.HCLReport[0x20:0x20+1024]) {
				t.Error("TD report")
			}
			r, err := azure.Verify(evidenceOf(es[0]), &azure.Options{Nonce: nonce, UserData: nonce})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.HardwareReport, e.TDQuote) {
				t.Error("the hardware report is not the TD quote")
			}
		})
	}
}
