// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/google/go-tpm/tpm2"
)

const azDir = "snp/confidential-containers-trustee/az-snp-vtpm/"

// azVector is one of Trustee's az-snp-vtpm evidence files, unwrapped.
type azVector struct {
	name       string
	hcl        []byte
	msg, sig   []byte
	pcrs       [][]byte
	wantPCR0   string // Trustee's own test expectations (az_snp_vtpm/mod.rs tests)
	wantNonce  string
	runtimeLen int
}

func azVectors(t testing.TB) []azVector {
	t.Helper()
	vs := []azVector{
		{name: "evidence-v0.json", wantPCR0: "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", wantNonce: hex.EncodeToString([]byte("challenge")), runtimeLen: 1110},
		{name: "evidence-v1.json", wantPCR0: "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", wantNonce: hex.EncodeToString([]byte("challenge")), runtimeLen: 1110},
		{name: "evidence-v2.json", wantPCR0: "84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7", wantNonce: "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef", runtimeLen: 1110},
		{name: "evidence-genoa.json", wantPCR0: "afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338", wantNonce: "0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f", runtimeLen: 1200},
	}
	for i := range vs {
		es, err := container.Unwrap(vectors.Read(t, azDir+vs[i].name), nil)
		if err != nil || len(es) != 1 {
			t.Fatalf("%s: Unwrap: %d evidences, %v", vs[i].name, len(es), err)
		}
		e := es[0]
		vs[i].hcl = e.Data(container.KindHCLReport)
		vs[i].msg = e.Data(container.KindTPMQuote)
		vs[i].sig = e.Data(container.KindTPMSignature)
		vs[i].pcrs = e.Values(container.KindPCR)
	}
	return vs
}

func TestHCLReportVectors(t *testing.T) {
	hcl := vectors.Read(t, azDir+"hcl-report.bin")
	all := append(azVectors(t), azVector{name: "hcl-report.bin", hcl: hcl, runtimeLen: 1110})
	for _, v := range all {
		t.Run(v.name, func(t *testing.T) {
			r, err := azure.ParseHCLReport(v.hcl)
			if err != nil {
				t.Fatal(err)
			}
			if r.ReportType() != azure.ReportTypeSNP || r.HashType() != azure.HashSHA256 || r.RequestType() != 2 || r.Status() != 0 {
				t.Errorf("type %v, hash %v, request %d, status %d", r.ReportType(), r.HashType(), r.RequestType(), r.Status())
			}
			if got := len(r.RuntimeData()); got != v.runtimeLen {
				t.Errorf("runtime data %d bytes, want %d", got, v.runtimeLen)
			}
			if want := uint32(azure.RuntimeDataOffset - 0 + len(r.RuntimeData())); r.ReportSize() != want {
				t.Errorf("report_size %d, want %d", r.ReportSize(), want)
			}
			if r.RequestDataSize() != uint32(20+len(r.RuntimeData())) || r.RequestDataVersion() != 1 {
				t.Errorf("request data size %d version %d", r.RequestDataSize(), r.RequestDataVersion())
			}
			hw := r.HardwareReport()
			if len(hw) != azure.SNPReportSize || !bytes.Equal(hw, v.hcl[0x20:0x20+1184]) {
				t.Errorf("hardware report is not HCL[0x20:0x4C0]")
			}
			sum := sha256.Sum256(r.RuntimeData())
			if !bytes.Equal(hw[0x50:0x70], sum[:]) {
				t.Errorf("REPORT_DATA[0:32] %x is not SHA-256 of the runtime data %x", hw[0x50:0x70], sum)
			}
			if !allZero(r.Trailing()) || len(r.Trailing())+azure.RuntimeDataOffset+len(r.RuntimeData()) != len(v.hcl) {
				t.Errorf("trailing bytes: %d, not all zero", len(r.Trailing()))
			}
			if c := r.Clone(); !bytes.Equal(c.Raw(), r.Raw()) || &c.Raw()[0] == &r.Raw()[0] {
				t.Error("Clone does not copy")
			}
			rd, err := azure.ParseRuntimeData(r.RuntimeData())
			if err != nil {
				t.Fatal(err)
			}
			ak, jwk, err := rd.AK()
			if err != nil || ak.N.BitLen() != 2048 || ak.E != 65537 || jwk.KeyID != azure.AKKeyID || jwk.KeyOps[0] != "sign" {
				t.Errorf("AK: %v %v", jwk, err)
			}
			if ek, ok := rd.Key(azure.EKKeyID); !ok || ek.KeyOps[0] != "encrypt" {
				t.Errorf("EK: %v", ek)
			}
			if u, ok := rd.UserData(); !ok || len(u) != 64 {
				t.Errorf("user data %x", u)
			}
			var cfg map[string]any
			if err := json.Unmarshal(rd.VMConfiguration(), &cfg); err != nil || cfg["tpm-enabled"] != true {
				t.Errorf("vm-configuration %s", rd.VMConfiguration())
			}
		})
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// hcl builds an HCL report around hw and runtime data.
func hcl(typ azure.ReportType, hw, runtime []byte) []byte {
	b := make([]byte, azure.RuntimeDataOffset+len(runtime)+16)
	le := binary.LittleEndian
	le.PutUint32(b[0x00:], azure.HCLSignature)
	le.PutUint32(b[0x04:], 2)
	le.PutUint32(b[0x08:], uint32(azure.RuntimeDataOffset+len(runtime)))
	le.PutUint32(b[0x0C:], 2)
	copy(b[0x20:], hw)
	le.PutUint32(b[0x4C0:], uint32(20+len(runtime)))
	le.PutUint32(b[0x4C4:], 1)
	le.PutUint32(b[0x4C8:], uint32(typ))
	le.PutUint32(b[0x4CC:], 1)
	le.PutUint32(b[0x4D0:], uint32(len(runtime)))
	copy(b[azure.RuntimeDataOffset:], runtime)
	return b
}

func TestParseHCLReportErrors(t *testing.T) {
	good := hcl(azure.ReportTypeTDX, make([]byte, 1024), []byte(`{"keys":[]}`))
	if r, err := azure.ParseHCLReport(good); err != nil || r.ReportType() != azure.ReportTypeTDX || len(r.HardwareReport()) != azure.TDReportSize || string(r.RuntimeData()) != `{"keys":[]}` {
		t.Fatalf("synthetic TDX HCL report: %v", err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, azure.ErrTruncated},
		{"header only", good[:0x20], azure.ErrTruncated},
		{"no request data", good[:azure.RuntimeDataOffset-1], azure.ErrTruncated},
		{"runtime data cut", good[:azure.RuntimeDataOffset+5], azure.ErrTruncated},
		{"bad signature", mut(func(b []byte) []byte { b[0] = 'X'; return b }), azure.ErrNotHCL},
		{"report type 3", mut(func(b []byte) []byte { b[0x4C8] = 3; return b }), azure.ErrReportType},
		{"report type 0", mut(func(b []byte) []byte { b[0x4C8] = 0; return b }), azure.ErrReportType},
		{"huge runtime data", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[0x4D0:], 0xffffffff); return b }), azure.ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := azure.ParseHCLReport(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	var zero azure.HCLReport
	if zero.HardwareReport() != nil || zero.RuntimeData() != nil || zero.Trailing() != nil || zero.Version() != 0 {
		t.Error("zero HCLReport accessors")
	}
}

const (
	nTest = "mHSRbgAAhfrYaq4f0zFsxuZkkrvoJIbmndQGo6pP1X-oXc8SHHrT014FpJXAARcoNL9N5NSpbSfIZ0YFLH4qH-9jfSjeMS2ZCfGPyBnL8Jr-bAH7ExG0kzz_cXHR31pjRdr5Qt511JYAvwhroyeL1F84q5cM6cVR4sRjyrPi2pU1pWoM-5GIL1SPcxU5H4RPq1KZhXJ67dtquJUZtQhWZT6DcZrGtee-c9TAYamBW0ufyqFs38HduibveXPmEa063WtXu56tXY8EpuO3PN_6Z_tf6bNj1KqwQ316TD_lbVX_vcXmpWg35_DfsVaUcrMi8bungbhXir2nQZaRcgbfIQ"
)

func TestParseRuntimeData(t *testing.T) {
	key := func(kid string) string {
		return `{"kid":"` + kid + `","key_ops":["sign"],"kty":"RSA","e":"AQAB","n":"` + nTest + `"}`
	}
	good := `{"keys":[` + key("HCLAkPub") + `,` + key("HCLEkPub") + `],"vm-configuration":{"secure-boot":true},"user-data":"00FF"}`
	rd, err := azure.ParseRuntimeData([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := rd.UserData(); !ok || !bytes.Equal(u, []byte{0, 0xff}) {
		t.Errorf("user data %x", u)
	}
	if _, _, err := rd.AK(); err != nil {
		t.Errorf("AK: %v", err)
	}
	if len(rd.Keys()) != 2 || !bytes.Equal(rd.Raw(), []byte(good)) {
		t.Error("keys or raw")
	}
	for _, tc := range []struct {
		name, json string
		want       error
		ak         bool // the error comes from AK(), not the parse
	}{
		{"not JSON", `{"keys":`, azure.ErrRuntimeData, false},
		{"array", `[]`, azure.ErrRuntimeData, false},
		{"no keys", `{"user-data":""}`, azure.ErrRuntimeData, false},
		{"duplicate member", `{"keys":[],"keys":[]}`, azure.ErrRuntimeData, false},
		{"duplicate kid", `{"keys":[` + key("HCLAkPub") + `,` + key("HCLAkPub") + `]}`, azure.ErrRuntimeData, false},
		{"duplicate JWK member", `{"keys":[{"kid":"a","kid":"b"}]}`, azure.ErrRuntimeData, false},
		{"trailing data", `{"keys":[]} x`, azure.ErrRuntimeData, false},
		{"user data not hex", `{"keys":[],"user-data":"xyz"}`, azure.ErrRuntimeData, false},
		{"n not base64url", `{"keys":[{"kid":"HCLAkPub","kty":"RSA","n":"@@","e":"AQAB"}]}`, azure.ErrRuntimeData, false},
		{"no AK", `{"keys":[` + key("HCLEkPub") + `]}`, azure.ErrNoKey, true},
		{"AK not RSA", `{"keys":[{"kid":"HCLAkPub","kty":"EC"}]}`, azure.ErrRuntimeData, true},
		{"AK too small", `{"keys":[{"kid":"HCLAkPub","kty":"RSA","n":"AQAB","e":"AQAB"}]}`, azure.ErrRuntimeData, true},
		{"AK even exponent", `{"keys":[{"kid":"HCLAkPub","kty":"RSA","n":"` + nTest + `","e":"Ag"}]}`, azure.ErrRuntimeData, true},
		{"too many keys", `{"keys":[` + strings.Repeat(`{"kid":"x"},`, 16) + `{"kid":"y"}]}`, azure.ErrRuntimeData, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := azure.ParseRuntimeData([]byte(tc.json))
			if tc.ak {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				_, _, err = rd.AK()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// quote marshals a TPMS_ATTEST quote with go-tpm.
func quote(nonce []byte, sels []tpm2.TPMSPCRSelection, digest []byte) []byte {
	return tpm2.Marshal(&tpm2.TPMSAttest{
		Magic:           tpm2.TPMGeneratedValue,
		Type:            tpm2.TPMSTAttestQuote,
		QualifiedSigner: tpm2.TPM2BName{Buffer: []byte{0x00, 0x0b, 1, 2, 3}},
		ExtraData:       tpm2.TPM2BData{Buffer: nonce},
		ClockInfo:       tpm2.TPMSClockInfo{Clock: 12345, ResetCount: 2, RestartCount: 3, Safe: true},
		FirmwareVersion: 0x20170619,
		Attested: tpm2.NewTPMUAttest(tpm2.TPMSTAttestQuote, &tpm2.TPMSQuoteInfo{
			PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: sels},
			PCRDigest: tpm2.TPM2BDigest{Buffer: digest},
		}),
	})
}

// sameAsGoTPM checks ParseAttest's view against go-tpm's decoding.
func sameAsGoTPM(t *testing.T, b []byte, a azure.Attest) {
	t.Helper()
	g, err := tpm2.Unmarshal[tpm2.TPMSAttest](b)
	if err != nil {
		t.Fatalf("go-tpm rejects what ParseAttest accepts: %v", err)
	}
	if uint32(g.Magic) != a.Magic() || g.Type != a.Type() || !bytes.Equal(g.QualifiedSigner.Buffer, a.QualifiedSigner()) ||
		!bytes.Equal(g.ExtraData.Buffer, a.ExtraData()) || g.FirmwareVersion != a.FirmwareVersion() ||
		g.ClockInfo.Clock != a.Clock().Clock || g.ClockInfo.ResetCount != a.Clock().ResetCount ||
		g.ClockInfo.RestartCount != a.Clock().RestartCount || g.ClockInfo.Safe != a.Clock().Safe {
		t.Fatalf("go-tpm and ParseAttest differ:\n%+v\n%+v", g, a)
	}
	if !a.IsQuote() {
		return
	}
	q, err := g.Attested.Quote()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(q.PCRDigest.Buffer, a.PCRDigest()) || len(q.PCRSelect.PCRSelections) != len(a.PCRSelections()) {
		t.Fatalf("quote info differs")
	}
	for i, s := range q.PCRSelect.PCRSelections {
		if s.Hash != a.PCRSelections()[i].Hash || !bytes.Equal(s.PCRSelect, a.PCRSelections()[i].Select) {
			t.Fatalf("selection %d differs", i)
		}
	}
}

func TestParseAttestVectors(t *testing.T) {
	for _, v := range azVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			a, err := azure.ParseAttest(v.msg)
			if err != nil {
				t.Fatal(err)
			}
			sameAsGoTPM(t, v.msg, a)
			if a.Magic() != uint32(tpm2.TPMGeneratedValue) || a.Type() != tpm2.TPMSTAttestQuote || !a.IsQuote() {
				t.Errorf("magic %#x type %#x", a.Magic(), a.Type())
			}
			if got := hex.EncodeToString(a.ExtraData()); got != v.wantNonce {
				t.Errorf("extraData %s, want %s", got, v.wantNonce)
			}
			refs := a.SelectedPCRs()
			if len(refs) != 24 || len(a.PCRSelections()) != 1 || a.PCRSelections()[0].Hash != tpm2.TPMIAlgHash(tpm2.TPMAlgSHA256) {
				t.Fatalf("selection %+v", a.PCRSelections())
			}
			for i, r := range refs {
				if r.Index != i {
					t.Errorf("selected PCR %d is %d", i, r.Index)
				}
			}
			q, err := azure.ParseQuote(v.msg, v.sig, v.pcrs)
			if err != nil {
				t.Fatal(err)
			}
			if q.Signature.Scheme != tpm2.TPMAlgNull || len(q.Signature.Sig) != 256 {
				t.Errorf("signature %v %d", q.Signature.Scheme, len(q.Signature.Sig))
			}
			pcrs, err := q.PCRs()
			if err != nil || len(pcrs) != 24 || hex.EncodeToString(pcrs[0].Value) != v.wantPCR0 {
				t.Fatalf("PCRs: %v", err)
			}
			// Every cut is truncated; a byte more is trailing data.
			for n := 0; n < len(v.msg); n++ {
				if _, err := azure.ParseAttest(v.msg[:n]); !errors.Is(err, azure.ErrTruncated) {
					t.Fatalf("cut at %d: %v", n, err)
				}
			}
			if _, err := azure.ParseAttest(append(append([]byte(nil), v.msg...), 0)); !errors.Is(err, azure.ErrTrailingData) {
				t.Fatalf("trailing byte: %v", err)
			}
		})
	}
}

func TestParseAttestErrors(t *testing.T) {
	sel := []tpm2.TPMSPCRSelection{{Hash: tpm2.TPMAlgSHA256, PCRSelect: []byte{0x03}}}
	good := quote([]byte("nonce"), sel, make([]byte, 32))
	a, err := azure.ParseAttest(good)
	if err != nil {
		t.Fatal(err)
	}
	sameAsGoTPM(t, good, a)
	// Offsets in good: magic 0, type 4, signer size 6 (5 bytes), extra size
	// 13 (5 bytes), clock 20, safe 36, firmware 37, count 45.
	set := func(off int, v ...byte) []byte {
		b := append([]byte(nil), good...)
		copy(b[off:], v)
		return b
	}
	if good[36] != 1 || binary.BigEndian.Uint32(good[45:]) != 1 {
		t.Fatalf("layout assumption broken: % x", good)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"safe is 2", set(36, 2), azure.ErrTPM},
		{"17 selections", set(45, 0, 0, 0, 17), azure.ErrTPM},
		{"pcrDigest past the end", set(53, 0xff, 0xff), azure.ErrTruncated},
		{"bitmap of 33 bytes", set(51, 33), azure.ErrTPM},
		{"signer size past the end", set(6, 0xff, 0xff), azure.ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := azure.ParseAttest(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Another type: parsed up to the attested union, not judged.
	cert := set(4, 0x80, 0x17)
	a, err = azure.ParseAttest(cert)
	if err != nil || a.IsQuote() || a.Type() != tpm2.TPMSTAttestCertify || a.PCRSelections() != nil || len(a.Attested()) == 0 {
		t.Fatalf("certify attestation: %v", err)
	}
	if _, err := (azure.Quote{Attest: a}).PCRs(); !errors.Is(err, azure.ErrPCRSelection) {
		t.Fatalf("PCRs of a non-quote: %v", err)
	}
}

func TestQuotePCRs(t *testing.T) {
	sels := []tpm2.TPMSPCRSelection{
		{Hash: tpm2.TPMAlgSHA1, PCRSelect: []byte{0x01, 0x00, 0x80}},   // PCR 0, 23
		{Hash: tpm2.TPMAlgSHA256, PCRSelect: []byte{0x00, 0x01, 0x00}}, // PCR 8
	}
	msg := quote(nil, sels, make([]byte, 32))
	v := [][]byte{bytes.Repeat([]byte{1}, 20), bytes.Repeat([]byte{2}, 20), bytes.Repeat([]byte{3}, 32)}
	q, err := azure.ParseQuote(msg, []byte{1, 2, 3}, v)
	if err != nil {
		t.Fatal(err)
	}
	pcrs, err := q.PCRs()
	if err != nil {
		t.Fatal(err)
	}
	want := []azure.PCR{{Hash: tpm2.TPMIAlgHash(tpm2.TPMAlgSHA1), Index: 0}, {Hash: tpm2.TPMIAlgHash(tpm2.TPMAlgSHA1), Index: 23}, {Hash: tpm2.TPMIAlgHash(tpm2.TPMAlgSHA256), Index: 8}}
	for i, p := range pcrs {
		if p.Hash != want[i].Hash || p.Index != want[i].Index || !bytes.Equal(p.Value, v[i]) {
			t.Errorf("PCR %d: %+v, want %+v", i, p, want[i])
		}
	}
	c := azure.Claims(q, azure.RuntimeData{})
	tpm := c["tpm"].(map[string]any)
	if tpm["pcr00_sha1"] != hex.EncodeToString(v[0]) || tpm["pcr23_sha1"] != hex.EncodeToString(v[1]) || tpm["pcr08"] != hex.EncodeToString(v[2]) || c["init_data"] != tpm["pcr08"] || c["report_data"] != "" {
		t.Errorf("claims %v", c)
	}
	for _, tc := range []struct {
		name string
		v    [][]byte
	}{
		{"one value short", v[:2]},
		{"one value more", append(v[:3:3], v[0])},
		{"SHA-1 value of 32 bytes", [][]byte{v[2], v[1], v[2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q.Values = tc.v
			if _, err := q.PCRs(); !errors.Is(err, azure.ErrPCRSelection) {
				t.Fatalf("got %v", err)
			}
			if _, ok := azure.Claims(q, azure.RuntimeData{})["tpm"]; ok {
				t.Error("PCR claims from values that do not pair")
			}
		})
	}
}

func TestParseSignature(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 256)
	s, err := azure.ParseSignature(raw)
	if err != nil || s.Scheme != tpm2.TPMAlgNull || !bytes.Equal(s.Sig, raw) {
		t.Fatalf("bare: %+v %v", s, err)
	}
	for _, alg := range []tpm2.TPMAlgID{tpm2.TPMAlgRSASSA, tpm2.TPMAlgRSAPSS} {
		b := tpm2.Marshal(&tpm2.TPMTSignature{SigAlg: alg, Signature: tpm2.NewTPMUSignature(alg, &tpm2.TPMSSignatureRSA{Hash: tpm2.TPMAlgSHA384, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: raw}})})
		s, err := azure.ParseSignature(b)
		if err != nil || s.Scheme != alg || s.Hash != tpm2.TPMIAlgHash(tpm2.TPMAlgSHA384) || !bytes.Equal(s.Sig, raw) || !bytes.Equal(s.Raw, b) {
			t.Fatalf("%v: %+v %v", alg, s, err)
		}
	}
	if _, err := azure.ParseSignature(nil); !errors.Is(err, azure.ErrTPM) {
		t.Fatalf("empty: %v", err)
	}
}

func TestClaimsVectors(t *testing.T) {
	for _, v := range azVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			q, err := azure.ParseQuote(v.msg, v.sig, v.pcrs)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := azure.ParseHCLReport(v.hcl)
			rd, err := azure.ParseRuntimeData(h.RuntimeData())
			if err != nil {
				t.Fatal(err)
			}
			c := azure.Claims(q, rd)
			tpm := c["tpm"].(map[string]any)
			if len(tpm) != 24 || tpm["pcr00"] != v.wantPCR0 || c["report_data"] != v.wantNonce || c["init_data"] != tpm["pcr08"] {
				t.Errorf("claims %v", c)
			}
			for i := 0; i < 24; i++ {
				name := "pcr" + string(rune('0'+i/10)) + string(rune('0'+i%10))
				if tpm[name] != hex.EncodeToString(v.pcrs[i]) {
					t.Errorf("%s: %v", name, tpm[name])
				}
			}
			u, _ := rd.UserData()
			if c["hcl_user_data"] != hex.EncodeToString(u) {
				t.Errorf("hcl_user_data %v", c["hcl_user_data"])
			}
			if cfg, ok := c["hcl_vm_configuration"].(map[string]any); !ok || cfg["secure-boot"] != true {
				t.Errorf("hcl_vm_configuration %v", c["hcl_vm_configuration"])
			}
		})
	}
}
