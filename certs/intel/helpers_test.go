// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/google/go-tdx-guest/testing/testdata"
)

// realQuote is a real TDX quote signed through the real Intel SGX Root CA,
// with a time inside its PCK chain's validity window.
type realQuote struct {
	name string
	raw  []byte // the quote's bytes (Quote.Raw), without padding or extra data
	at   time.Time
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// gotdxguestQuotes returns the quotes embedded in go-tdx-guest's testdata
// package (always available through the module). RawQuote carries 39 bytes
// of non-zero "extra bytes" after the quote: ParsePrefix drops them.
func gotdxguestQuotes(t testing.TB) []realQuote {
	t.Helper()
	q4, _, err := tdx.ParsePrefix(testdata.RawQuote)
	if err != nil {
		t.Fatalf("go-tdx-guest RawQuote: %v", err)
	}
	q5, err := tdx.Parse(testdata.RawQuoteV5)
	if err != nil {
		t.Fatalf("go-tdx-guest RawQuoteV5: %v", err)
	}
	return []realQuote{
		// PCK 2022-09-20..2029-09-20; go-tdx-guest's own test time.
		{"go-tdx-guest/RawQuote(v4)", q4.Raw(), mustTime(t, "2023-07-01T01:00:00Z")},
		// PCK 2026-01-27..2033-01-27.
		{"go-tdx-guest/RawQuoteV5", q5.Raw(), mustTime(t, "2026-03-01T00:00:00Z")},
	}
}

// vectorQuotes returns the real TDX quotes of the shared vectors: every TDX
// case of cases.json at its time, and two quotes no case lists at a time in
// their PCK windows (MANIFEST.md). Skips t when the vectors are absent.
func vectorQuotes(t testing.TB) []realQuote {
	t.Helper()
	dir := vectors.Need(t)
	var cases []struct {
		ID       string `json:"id"`
		Evidence string `json:"evidence"`
		Encoding string `json:"evidence_encoding"`
		SHA256   string `json:"evidence_sha256"`
		At       string `json:"at"`
	}
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	var out []realQuote
	add := func(name, rel, enc, sum, at string) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch enc {
		case "":
		case "hex":
			b, err = hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"))
			if err != nil {
				t.Fatalf("%s: hex: %v", name, err)
			}
		default:
			t.Fatalf("%s: unknown evidence encoding %q", name, enc)
		}
		if s := sha256.Sum256(b); sum != "" && hex.EncodeToString(s[:]) != sum {
			t.Fatalf("%s: evidence SHA-256 %x, cases.json says %s", name, s, sum)
		}
		// go-tdx-guest's SPR E4 quote is followed by "extra bytes": ParsePrefix.
		q, _, err := tdx.ParsePrefix(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, realQuote{name, q.Raw(), mustTime(t, at)})
	}
	for _, c := range cases {
		if strings.HasPrefix(c.ID, "tdx-") {
			add(c.ID, c.Evidence, c.Encoding, c.SHA256, c.At)
		}
	}
	if len(out) == 0 {
		t.Fatal("cases.json lists no TDX case")
	}
	// PCK 2023-09-13..2030-09-13 and 2024-07-02..2031-07-02.
	add("trustee/az-tdx-vtpm_td-quote.bin", "tdx/trustee/az-tdx-vtpm_td-quote.bin", "", "", "2025-02-01T00:00:00Z")
	add("go-tdx-guest/ccel/cos-113-tdx-quote.dat", "tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat", "", "", "2025-02-01T00:00:00Z")
	return out
}

func mustParse(t testing.TB, raw []byte) tdx.Quote {
	t.Helper()
	q, err := tdx.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// testPKI is an Intel-shaped PKI under a generated root: root, a Platform or
// Processor CA, and PCK leaves with SGX extensions.
type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
	pck               *x509.Certificate
	pckKey            *ecdsa.PrivateKey
}

var (
	tNotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tNotAfter  = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	tAt        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func intelName(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{"Intel Corporation"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"}, Country: []string{"US"}}
}

func genKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func createCert(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent = tmpl // self-signed
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sgxExtValue builds the DER value of a PCK's SGX extension (testvectors'
// encoder): components 15, 30, …, 240, PCESVN 300, a CPUSVN and PPID that read
// back as text, ScalableWithIntegrity and, for platform, the platform elements.
func sgxExtValue(t testing.TB, platform bool) []byte {
	t.Helper()
	spec := testvectors.PCKSpec{
		FMSPC: [6]byte{0x90, 0xc0, 0x6f}, PCESVN: 300, CPUSVN: (*[16]byte)([]byte("CPUSVN-012345678")),
		SGXType: uint8(SGXTypeScalableWithIntegrity), Platform: platform, PlatformInstanceID: []byte("PLATFORM-INST-ID"),
	}
	for i := range spec.SGXComponents {
		spec.SGXComponents[i] = byte((i + 1) * 15) // 15..240: some need a 0x00 pad
	}
	return testvectors.SGXExtensions(spec, []byte("PPID-0123456789a"))
}

// pkiConfig shapes a test PKI.
type pkiConfig struct {
	interCN     string
	pckNotAfter time.Time
	platformExt bool
}

func newTestPKI(t testing.TB, cfg pkiConfig) *testPKI {
	t.Helper()
	p := &testPKI{rootKey: genKey(t), interKey: genKey(t), pckKey: genKey(t)}
	p.root = createCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: intelName(cnRoot),
		NotBefore: tNotBefore.AddDate(-1, 0, 0), NotAfter: tNotAfter.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, &p.rootKey.PublicKey, p.rootKey)
	if cfg.interCN == "" {
		cfg.interCN = cnProcessorCA
	}
	p.inter = createCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: intelName(cfg.interCN),
		NotBefore: tNotBefore.AddDate(-1, 0, 0), NotAfter: tNotAfter.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.root, &p.interKey.PublicKey, p.rootKey)
	notAfter := cfg.pckNotAfter
	if notAfter.IsZero() {
		notAfter = tNotAfter
	}
	p.pck = createCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x1234567), Subject: intelName(cnPCK),
		NotBefore: tNotBefore, NotAfter: notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions:       []pkix.Extension{{Id: asn1.ObjectIdentifier(OIDSGXExtensions), Value: sgxExtValue(t, cfg.platformExt)}},
	}, p.inter, &p.pckKey.PublicKey, p.interKey)
	return p
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// chain returns the PCK chain text of p, NUL-terminated like real quotes.
func (p *testPKI) chain() []byte { return append(pemOf(p.pck, p.inter, p.root), 0) }

func (p *testPKI) opts(at time.Time) Options {
	return Options{Roots: []*x509.Certificate{p.root}, Time: at}
}

func signRS(t testing.TB, k *ecdsa.PrivateKey, msg []byte) []byte {
	t.Helper()
	d := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out
}

// buildQuote builds a version 4 or 5 (TD 1.5 body) TDX quote whose chain is
// chainText, QE report signed by pckKey and body signed by a fresh
// attestation key, laid out as Intel's TDX DCAP Quoting Library API specifies.
func buildQuote(t testing.TB, version uint16, chainText []byte, pckKey *ecdsa.PrivateKey) []byte {
	t.Helper()
	return buildQuoteWith(t, version, chainText, pckKey, nil)
}

// buildQuoteWith is buildQuote with a hook that may change the attestation
// key (x ‖ y) and the QE report before REPORT_DATA[0:32] is set to their hash
// (testvectors' builder, with a fresh attestation key).
func buildQuoteWith(t testing.TB, version uint16, chainText []byte, pckKey *ecdsa.PrivateKey, hook func(akRaw, report []byte)) []byte {
	t.Helper()
	return testvectors.BuildQuote(testvectors.NewSeed(t.Name()), testvectors.QuoteSpec{
		Version: version, TD15: version == 5, Label: "intel-test", XFAM: 0x61ae7,
		QEISVProdID: 2, QEISVSVN: 8, PCKChain: chainText, PCKKey: pckKey, AKKey: genKey(t), Hook: hook,
	})
}
