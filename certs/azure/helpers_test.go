// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ccverify/ccverify/certs/azure"
	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tpm/tpm2"
)

var (
	keysOnce sync.Once
	keyA     *rsa.PrivateKey // the AK the synthetic runtime data names
	keyB     *rsa.PrivateKey // another key
)

func keys() (*rsa.PrivateKey, *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if keyA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keyB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return keyA, keyB
}

// spec describes synthetic Azure vTPM evidence, signed under test keys.
type spec struct {
	typ      evazure.ReportType // SNP (default) or TDX
	vmpl     uint32
	nonce    []byte
	userData []byte
	alg      string          // the AK JWK's "alg"
	scheme   tpm2.TPMAlgID   // TPMT_SIGNATURE scheme; 0 for a bare signature
	hash     crypto.Hash     // signature hash (default SHA-256)
	signer   *rsa.PrivateKey // default: the AK
	akPub    *rsa.PublicKey  // the AK the runtime data names (default keyA's)
	magic    uint32          // default TPM_GENERATED_VALUE
	attType  tpm2.TPMST      // default TPM_ST_ATTEST_QUOTE
	pcrs     int             // number of SHA-256 PCRs selected (default 24)
	hashType uint32          // HCL hash type (default 1)
	initData []byte          // when set, PCR 8 is its one extend from zero
}

func jwk(kid string, pub *rsa.PublicKey, alg string) map[string]any {
	m := map[string]any{
		"kid": kid, "key_ops": []string{"sign"}, "kty": "RSA",
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// build returns synthetic evidence for s: an HCL report whose hardware
// report binds its runtime data, and a TPM quote the AK signed.
// t may be nil (an Example): a failure then panics.
func build(t testing.TB, s spec) azure.Evidence {
	if t != nil {
		t.Helper()
	}
	a, b := keys()
	if s.signer == nil {
		s.signer = a
	}
	if s.akPub == nil {
		s.akPub = &a.PublicKey
	}
	if s.hash == 0 {
		s.hash = crypto.SHA256
	}
	if s.pcrs == 0 {
		s.pcrs = 24
	}
	if s.typ == 0 {
		s.typ = evazure.ReportTypeSNP
	}
	user := make([]byte, 64)
	copy(user, s.userData)
	rt, err := json.Marshal(map[string]any{
		"keys":             []any{jwk(evazure.AKKeyID, s.akPub, s.alg), jwk(evazure.EKKeyID, &b.PublicKey, "")},
		"vm-configuration": map[string]any{"secure-boot": true, "tpm-enabled": true, "vmUniqueId": "00000000-0000-0000-0000-000000000001"},
		"user-data":        strings.ToUpper(hex.EncodeToString(user)),
	})
	fatal(t, err)
	sum := sha256.Sum256(rt)
	var hw, tdQuote []byte
	switch s.typ {
	case evazure.ReportTypeSNP:
		hw = make([]byte, 1184)
		binary.LittleEndian.PutUint32(hw[0x00:], 3)
		binary.LittleEndian.PutUint32(hw[0x30:], s.vmpl)
		binary.LittleEndian.PutUint32(hw[0x34:], 1)
		copy(hw[0x50:], sum[:])
	default:
		hw = make([]byte, 1024)
		copy(hw[0x80:], sum[:])
		tdQuote = append([]byte(nil), gtdata.RawQuoteV5...)
		q, _, err := tdx.ParsePrefix(tdQuote)
		fatal(t, err)
		copy(q.Body().ReportData(), sum[:]) // a view into tdQuote
	}
	h := make([]byte, evazure.RuntimeDataOffset+len(rt)+64)
	le := binary.LittleEndian
	le.PutUint32(h[0x00:], evazure.HCLSignature)
	le.PutUint32(h[0x04:], 2)
	le.PutUint32(h[0x08:], uint32(evazure.RuntimeDataOffset+len(rt)))
	le.PutUint32(h[0x0C:], 2)
	copy(h[0x20:], hw)
	le.PutUint32(h[0x4C0:], uint32(20+len(rt)))
	le.PutUint32(h[0x4C4:], 1)
	le.PutUint32(h[0x4C8:], uint32(s.typ))
	hashType := s.hashType
	if hashType == 0 {
		hashType = 1
	}
	le.PutUint32(h[0x4CC:], hashType)
	le.PutUint32(h[0x4D0:], uint32(len(rt)))
	copy(h[evazure.RuntimeDataOffset:], rt)

	var pcrs [][]byte
	sel := make([]byte, 3)
	d := s.hash.New()
	for i := 0; i < s.pcrs; i++ {
		v := sha256.Sum256([]byte(fmt.Sprintf("PCR %d", i)))
		if i == 8 && s.initData != nil {
			v = sha256.Sum256(append(make([]byte, 32), s.initData...))
		}
		pcrs = append(pcrs, v[:])
		sel[i/8] |= 1 << (i % 8)
		d.Write(v[:])
	}
	msg := tpm2.Marshal(&tpm2.TPMSAttest{
		Magic:           tpm2.TPMGeneratedValue,
		Type:            tpm2.TPMSTAttestQuote,
		QualifiedSigner: tpm2.TPM2BName{Buffer: []byte{0x00, 0x0b, 0xaa}},
		ExtraData:       tpm2.TPM2BData{Buffer: s.nonce},
		ClockInfo:       tpm2.TPMSClockInfo{Clock: 1000, Safe: true},
		FirmwareVersion: 1,
		Attested: tpm2.NewTPMUAttest(tpm2.TPMSTAttestQuote, &tpm2.TPMSQuoteInfo{
			PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{Hash: tpm2.TPMAlgSHA256, PCRSelect: sel}}},
			PCRDigest: tpm2.TPM2BDigest{Buffer: d.Sum(nil)},
		}),
	})
	if s.magic != 0 {
		binary.BigEndian.PutUint32(msg[0:], s.magic)
	}
	if s.attType != 0 {
		binary.BigEndian.PutUint16(msg[4:], uint16(s.attType))
	}
	sig := sign(t, s.signer, s.hash, s.scheme == tpm2.TPMAlgRSAPSS || strings.HasPrefix(s.alg, "PS"), msg)
	if s.scheme != 0 {
		hashAlg := map[crypto.Hash]tpm2.TPMIAlgHash{crypto.SHA256: tpm2.TPMAlgSHA256, crypto.SHA384: tpm2.TPMAlgSHA384, crypto.SHA512: tpm2.TPMAlgSHA512}[s.hash]
		sig = tpm2.Marshal(&tpm2.TPMTSignature{SigAlg: s.scheme, Signature: tpm2.NewTPMUSignature(s.scheme, &tpm2.TPMSSignatureRSA{Hash: hashAlg, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: sig}})})
	}
	return azure.Evidence{HCLReport: h, TPMMessage: msg, TPMSignature: sig, PCRs: pcrs, TDQuote: tdQuote}
}

func sign(t testing.TB, k *rsa.PrivateKey, h crypto.Hash, pss bool, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	var sig []byte
	var err error
	if pss {
		sig, err = rsa.SignPSS(rand.Reader, k, h, d.Sum(nil), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, h, d.Sum(nil))
	}
	fatal(t, err)
	return sig
}

func fatal(t testing.TB, err error) {
	if err == nil {
		return
	}
	if t == nil {
		panic(err)
	}
	t.Helper()
	t.Fatal(err)
}

// azCase is Trustee az-snp-vtpm evidence from the shared vectors.
type azCase struct {
	name      string
	ev        azure.Evidence
	report    []byte // what cases.json's evidence_encoding extracts (nil if not a case)
	version   int
	nonce     []byte // the expected report data of Trustee's own tests
	pcr0      string
	container string
}

// sharedCase is the part of a cases.json entry read here (internal/vectors
// does not read "container").
type sharedCase struct {
	ID        string `json:"id"`
	Evidence  string `json:"evidence"`
	Encoding  string `json:"evidence_encoding"`
	Container string `json:"container"`
}

func evidenceOf(e container.Evidence) azure.Evidence {
	return azure.Evidence{
		HCLReport:    e.Data(container.KindHCLReport),
		TPMMessage:   e.Data(container.KindTPMQuote),
		TPMSignature: e.Data(container.KindTPMSignature),
		PCRs:         e.Values(container.KindPCR),
		TDQuote:      e.Data(container.KindTDXQuote),
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// azCases returns every container case of cases.json and the other Trustee
// az-snp-vtpm evidence files, unwrapped.
func azCases(t testing.TB) []azCase {
	t.Helper()
	const dir = "snp/confidential-containers-trustee/az-snp-vtpm/"
	trustee := map[string]azCase{ // Trustee's own test expectations (az_snp_vtpm/mod.rs)
		dir + "evidence-v0.json":    {nonce: []byte("challenge"), pcr0: "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced"},
		dir + "evidence-v1.json":    {nonce: []byte("challenge"), pcr0: "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced"},
		dir + "evidence-v2.json":    {nonce: mustHex("982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef"), pcr0: "84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7"},
		dir + "evidence-genoa.json": {nonce: mustHex("0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f"), pcr0: "afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338"},
	}
	var cases []sharedCase
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &cases); err != nil {
		t.Fatal(err)
	}
	var out []azCase
	seen := map[string]bool{}
	add := func(name, file, enc, cont string) {
		raw := vectors.Read(t, file)
		es, err := container.Unwrap(raw, nil)
		if err != nil || len(es) != 1 {
			t.Fatalf("%s: Unwrap: %d evidences, %v", name, len(es), err)
		}
		c := trustee[file]
		c.name, c.ev, c.version, c.container = name, evidenceOf(es[0]), es[0].Version, cont
		if enc != "" {
			if c.report, err = vectors.Decode(raw, enc); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		out = append(out, c)
		seen[file] = true
	}
	for _, c := range cases {
		if c.Container != "" {
			add(c.ID, c.Evidence, c.Encoding, c.Container)
		}
	}
	if len(out) == 0 {
		t.Fatal("cases.json has no container case")
	}
	for _, c := range cases {
		if !seen[c.Evidence] && strings.HasPrefix(c.Evidence, dir+"evidence-") {
			add(c.ID, c.Evidence, c.Encoding, "")
		}
	}
	for file := range trustee {
		if !seen[file] {
			add(file, file, "", "")
		}
	}
	return out
}
