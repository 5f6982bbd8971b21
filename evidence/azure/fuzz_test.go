// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"bytes"
	"testing"

	"github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/google/go-tpm/tpm2"
)

// seeds returns the real HCL reports and quotes, when the vectors are there.
func seeds(f *testing.F) []azVector {
	if vectors.Dir() == "" {
		return nil
	}
	return azVectors(f)
}

// FuzzParseHCLReport checks that no input panics and that a parsed report's
// views lie in the input where the layout puts them.
func FuzzParseHCLReport(f *testing.F) {
	f.Add(hcl(azure.ReportTypeSNP, make([]byte, 1184), []byte(`{"keys":[]}`)))
	f.Add(hcl(azure.ReportTypeTDX, make([]byte, 1024), nil))
	for _, v := range seeds(f) {
		f.Add(v.hcl)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := azure.ParseHCLReport(b)
		if err != nil {
			return
		}
		rd := r.RuntimeData()
		if !bytes.Equal(r.HardwareReport(), b[0x20:0x20+len(r.HardwareReport())]) ||
			!bytes.Equal(rd, b[azure.RuntimeDataOffset:azure.RuntimeDataOffset+len(rd)]) ||
			len(r.Trailing()) != len(b)-azure.RuntimeDataOffset-len(rd) {
			t.Fatal("views do not match the input")
		}
		_ = r.Clone()
		_, _ = azure.ParseRuntimeData(rd)
	})
}

// FuzzParseRuntimeData checks that no input panics and that the AK, when
// there, is within bounds.
func FuzzParseRuntimeData(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kid":"HCLAkPub","kty":"RSA","e":"AQAB","n":"` + nTest + `"}],"user-data":"00"}`))
	for _, v := range seeds(f) {
		r, _ := azure.ParseHCLReport(v.hcl)
		f.Add(r.RuntimeData())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := azure.ParseRuntimeData(b)
		if err != nil {
			return
		}
		if len(rd.Keys()) > azure.MaxRuntimeDataKeys {
			t.Fatal("too many keys")
		}
		if ak, _, err := rd.AK(); err == nil && (ak.N.BitLen() < azure.MinRSABits || ak.N.BitLen() > azure.MaxRSABits || ak.E < 3) {
			t.Fatalf("AK out of bounds: %d bits, e %d", ak.N.BitLen(), ak.E)
		}
		_ = azure.Claims(azure.Quote{}, rd)
	})
}

// FuzzParseAttest checks that no input panics, and that whatever ParseAttest
// accepts with TPM_GENERATED_VALUE go-tpm decodes to the same fields.
func FuzzParseAttest(f *testing.F) {
	f.Add(quote([]byte("nonce"), []tpm2.TPMSPCRSelection{{Hash: tpm2.TPMAlgSHA256, PCRSelect: []byte{0xff, 0xff, 0xff}}}, make([]byte, 32)))
	for _, v := range seeds(f) {
		f.Add(v.msg)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := azure.ParseAttest(b)
		if err != nil {
			return
		}
		if len(a.SelectedPCRs()) > azure.MaxPCRSelections*azure.MaxPCRSelectSize*8 {
			t.Fatal("selection out of bounds")
		}
		if a.Magic() == uint32(tpm2.TPMGeneratedValue) && a.IsQuote() {
			sameAsGoTPM(t, b, a)
		}
		_, _ = (azure.Quote{Attest: a}).PCRs()
	})
}

// FuzzParseSignature checks that no input panics and that a TPMT_SIGNATURE's
// value lies at its end.
func FuzzParseSignature(f *testing.F) {
	f.Add(bytes.Repeat([]byte{1}, 256))
	f.Add(tpm2.Marshal(&tpm2.TPMTSignature{SigAlg: tpm2.TPMAlgRSASSA, Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgRSASSA, &tpm2.TPMSSignatureRSA{Hash: tpm2.TPMAlgSHA256, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: make([]byte, 256)}})}))
	for _, v := range seeds(f) {
		f.Add(v.sig)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := azure.ParseSignature(b)
		if err != nil {
			return
		}
		if !bytes.HasSuffix(b, s.Sig) || !bytes.Equal(s.Raw, b) {
			t.Fatal("signature value is not the input's end")
		}
	})
}
