// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/google/go-tdx-guest/pcs"
)

// TestVerifyQuoteReal: every real quote verifies to the pinned Intel root at a
// time in its PCK window, with the zero Options' roots; its SGX extensions
// agree with go-tdx-guest's parser; the chain's dates bound the window.
func TestVerifyQuoteReal(t *testing.T) {
	quotes := gotdxguestQuotes(t)
	if vectors.Dir() != "" {
		quotes = append(quotes, vectorQuotes(t)...)
	} else {
		t.Log("shared vectors absent: only go-tdx-guest's quotes")
	}
	for _, rq := range quotes {
		t.Run(rq.name, func(t *testing.T) {
			q := mustParse(t, rq.raw)
			c, err := VerifyQuote(q, Options{Time: rq.at})
			if err != nil {
				t.Fatalf("VerifyQuote at %v: %v", rq.at, err)
			}
			if c.Root != Root() && !bytes.Equal(c.Root.Raw, Root().Raw) {
				t.Errorf("root is not the pinned Intel root")
			}
			if c.CA != CAPlatform || c.Intermediate.Subject.CommonName != cnPlatformCA {
				t.Errorf("CA = %v (%q), want platform", c.CA, c.Intermediate.Subject.CommonName)
			}
			if c.PCK.SerialNumber == nil || c.PCK.SerialNumber.Sign() <= 0 {
				t.Errorf("PCK serial %v", c.PCK.SerialNumber)
			}
			if na := c.NotAfter(); !na.Equal(c.PCK.NotAfter) || rq.at.After(na) {
				t.Errorf("NotAfter %v: want the PCK's %v, after %v", na, c.PCK.NotAfter, rq.at)
			}
			if nb := c.NotBefore(); !nb.Equal(c.PCK.NotBefore) {
				t.Errorf("NotBefore %v, want the PCK's %v", nb, c.PCK.NotBefore)
			}
			if !c.Extensions.HasPlatform {
				t.Errorf("Platform CA PCK without platform instance ID / configuration")
			}

			// Differential: go-tdx-guest's parser of the same certificate.
			ref, err := pcs.PckCertificateExtensions(c.PCK)
			if err != nil {
				t.Fatalf("go-tdx-guest: %v", err)
			}
			e := c.Extensions
			if got := hex.EncodeToString(e.FMSPC[:]); !strings.EqualFold(got, ref.FMSPC) {
				t.Errorf("FMSPC %s, go-tdx-guest %s", got, ref.FMSPC)
			}
			if got := hex.EncodeToString(e.PCEID[:]); !strings.EqualFold(got, ref.PCEID) {
				t.Errorf("PCE-ID %s, go-tdx-guest %s", got, ref.PCEID)
			}
			if got := hex.EncodeToString(e.PPID[:]); !strings.EqualFold(got, ref.PPID) {
				t.Errorf("PPID %s, go-tdx-guest %s", got, ref.PPID)
			}
			if e.TCB.PCESVN != ref.TCB.PCESvn {
				t.Errorf("PCESVN %d, go-tdx-guest %d", e.TCB.PCESVN, ref.TCB.PCESvn)
			}
			if !bytes.Equal(e.TCB.CPUSVN[:], ref.TCB.CPUSvn) {
				t.Errorf("CPUSVN %x, go-tdx-guest %x", e.TCB.CPUSVN, ref.TCB.CPUSvn)
			}
			if !bytes.Equal(e.TCB.SGXComponents[:], ref.TCB.CPUSvnComponents) {
				t.Errorf("SGX TCB components %v, go-tdx-guest %v", e.TCB.SGXComponents, ref.TCB.CPUSvnComponents)
			}
			// The certificate's CPUSVN is the components in order (Intel's encoding).
			if !bytes.Equal(e.TCB.CPUSVN[:], e.TCB.SGXComponents[:]) {
				t.Errorf("CPUSVN %x differs from the components %x", e.TCB.CPUSVN, e.TCB.SGXComponents)
			}
		})
	}
}

// TestVerifyQuoteRealTimes: a time outside a certificate's window, either side,
// is ErrExpired, and the message names the certificate.
func TestVerifyQuoteRealTimes(t *testing.T) {
	for _, rq := range gotdxguestQuotes(t) {
		q := mustParse(t, rq.raw)
		c, err := VerifyQuote(q, Options{Time: rq.at})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			at   time.Time
			cert string
		}{
			{"before PCK notBefore", c.PCK.NotBefore.Add(-time.Second), "PCK"},
			{"at PCK notBefore", c.PCK.NotBefore, ""},
			{"at PCK notAfter", c.PCK.NotAfter, ""},
			{"after PCK notAfter", c.PCK.NotAfter.Add(time.Second), "PCK"},
			{"before the root", c.Root.NotBefore.Add(-time.Hour), "PCK"},
			{"after the intermediate", c.Intermediate.NotAfter.Add(time.Second), "PCK"},
			{"after the root", c.Root.NotAfter.Add(time.Second), "PCK"},
		} {
			_, err := VerifyQuote(q, Options{Time: tc.at})
			if tc.cert == "" {
				if err != nil {
					t.Errorf("%s %s (%v): %v", rq.name, tc.name, tc.at, err)
				}
				continue
			}
			if !errors.Is(err, ErrExpired) || !strings.Contains(err.Error(), tc.cert) {
				t.Errorf("%s %s (%v): %v, want ErrExpired naming %s", rq.name, tc.name, tc.at, err, tc.cert)
			}
		}
	}
}

// TestVerifyQuoteZeroTime: the zero Options use time.Now (the v5 quote's
// chain is valid now, 2026-01-27..2033-01-27).
func TestVerifyQuoteZeroTime(t *testing.T) {
	rq := gotdxguestQuotes(t)[1]
	q := mustParse(t, rq.raw)
	c, err := VerifyQuote(q, Options{Time: rq.at})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, err = VerifyQuote(q, Options{})
	inWindow := !now.Before(c.NotBefore()) && !now.After(c.NotAfter())
	if inWindow && err != nil || !inWindow && !errors.Is(err, ErrExpired) {
		t.Errorf("zero Options at %v (window %v..%v): %v", now, c.NotBefore(), c.NotAfter(), err)
	}
}

// TestWrongRoot: a real chain under a root the options do not trust is ErrChain.
func TestWrongRoot(t *testing.T) {
	rq := gotdxguestQuotes(t)[0]
	q := mustParse(t, rq.raw)
	other := newTestPKI(t, pkiConfig{})
	for name, roots := range map[string][]*x509.Certificate{
		"generated root":       {other.root},
		"no root (empty)":      {},
		"nil entry":            {nil},
		"intermediate as root": {other.inter},
	} {
		_, err := VerifyQuote(q, Options{Roots: roots, Time: rq.at})
		if !errors.Is(err, ErrChain) {
			t.Errorf("%s: %v, want ErrChain", name, err)
		}
	}
	// Both roots listed: the Intel one is found.
	if _, err := VerifyQuote(q, Options{Roots: []*x509.Certificate{other.root, Root()}, Time: rq.at}); err != nil {
		t.Errorf("Intel root among others: %v", err)
	}
}

// TestQVLSyntheticQuote: Intel's QVL sample quote (own fake root, chain of the
// leaf only, in DER) never verifies, with the pinned root or with its own.
func TestQVLSyntheticQuote(t *testing.T) {
	raw := vectors.Read(t, "tdx/intel-qvl-sampledata-synthetic/quote.dat")
	q, err := tdx.Parse(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = VerifyQuote(q, Options{Time: at})
	if !errors.Is(err, ErrChain) && !errors.Is(err, ErrCertificate) {
		t.Fatalf("pinned root: %v, want ErrChain or ErrCertificate", err)
	}
	t.Logf("pinned root: %v", err)
	rootPEM := vectors.Read(t, "tdx/intel-qvl-sampledata-synthetic/trustedRootCaCert.pem")
	rc, err := x509.ParseCertificate(pemBlock(t, rootPEM))
	if err != nil {
		t.Fatal(err)
	}
	_, err = VerifyQuote(q, Options{Roots: []*x509.Certificate{rc}, Time: at})
	if !errors.Is(err, ErrCertificate) {
		t.Fatalf("its own root: %v, want ErrCertificate (the quote embeds only the PCK leaf)", err)
	}
}

// TestProcessorCA: a Processor-CA chain (which go-tdx-guest rejects) verifies
// under a trusted root, for v4 and v5 quotes, and its SGX extensions read back.
func TestProcessorCA(t *testing.T) {
	for _, cfg := range []pkiConfig{{interCN: cnProcessorCA}, {interCN: cnPlatformCA, platformExt: true}, {interCN: cnPlatformCA}} {
		p := newTestPKI(t, cfg)
		for _, v := range []uint16{4, 5} {
			raw := buildQuote(t, v, p.chain(), p.pckKey)
			q := mustParse(t, raw)
			c, err := VerifyQuote(q, p.opts(tAt))
			if err != nil {
				t.Fatalf("%s v%d: %v", cfg.interCN, v, err)
			}
			wantCA := CAProcessor
			if cfg.interCN == cnPlatformCA {
				wantCA = CAPlatform
			}
			if c.CA != wantCA || c.CA.String() != map[CAType]string{CAProcessor: "processor", CAPlatform: "platform"}[wantCA] {
				t.Errorf("CA %v, want %v", c.CA, wantCA)
			}
			e := c.Extensions
			if e.SGXType != SGXTypeScalableWithIntegrity || e.TCB.PCESVN != 300 || e.TCB.SGXComponents[15] != 240 || e.TCB.SGXComponents[0] != 15 ||
				string(e.PPID[:]) != "PPID-0123456789a" || string(e.TCB.CPUSVN[:]) != "CPUSVN-012345678" || e.FMSPC != [6]byte{0x90, 0xc0, 0x6f} {
				t.Errorf("extensions %+v", e)
			}
			if e.HasPlatform != cfg.platformExt {
				t.Errorf("HasPlatform %v", e.HasPlatform)
			}
			if cfg.platformExt && (string(e.PlatformInstanceID[:]) != "PLATFORM-INST-ID" ||
				e.Configuration != (Configuration{DynamicPlatform: true, HasDynamicPlatform: true, HasSMTEnabled: true})) {
				t.Errorf("platform extensions %+v", e)
			}
			// The same chain under the pinned Intel root: not trusted.
			if _, err := VerifyQuote(q, Options{Time: tAt}); !errors.Is(err, ErrChain) {
				t.Errorf("under the Intel root: %v, want ErrChain", err)
			}
		}
	}
}

// TestSyntheticChainChecks: names, constraints, order, validity and signature
// failures of a chain, each with its sentinel.
func TestSyntheticChainChecks(t *testing.T) {
	p := newTestPKI(t, pkiConfig{})
	other := newTestPKI(t, pkiConfig{})
	expiredPCK := newTestPKI(t, pkiConfig{pckNotAfter: tAt.Add(-time.Hour)})
	processorWithPlatform := newTestPKI(t, pkiConfig{interCN: cnProcessorCA, platformExt: true})
	wrongCA := newTestPKI(t, pkiConfig{interCN: "Intel SGX PCK Other CA"})
	nul := []byte{0}
	cases := []struct {
		name string
		text []byte
		opts Options
		want error
	}{
		{"good", p.chain(), p.opts(tAt), nil},
		{"good without NUL", pemOf(p.pck, p.inter, p.root), p.opts(tAt), nil},
		{"PCK expired", expiredPCK.chain(), expiredPCK.opts(tAt), ErrExpired},
		{"before every window", p.chain(), p.opts(tNotBefore.AddDate(-3, 0, 0)), ErrExpired},
		{"order swapped", append(pemOf(p.inter, p.pck, p.root), nul...), p.opts(tAt), ErrChain},
		{"leaf twice", append(pemOf(p.pck, p.pck, p.root), nul...), p.opts(tAt), ErrChain},
		{"PCK of another PKI", append(pemOf(other.pck, p.inter, p.root), nul...), p.opts(tAt), ErrChain},
		{"intermediate of another PKI, same names", append(pemOf(p.pck, other.inter, p.root), nul...), p.opts(tAt), ErrChain},
		{"root of another PKI, trusted", append(pemOf(p.pck, p.inter, other.root), nul...), other.opts(tAt), ErrChain},
		{"Processor CA PCK with platform elements", processorWithPlatform.chain(), processorWithPlatform.opts(tAt), ErrChain},
		{"unknown intermediate name", wrongCA.chain(), wrongCA.opts(tAt), ErrChain},
		{"root in leaf position", append(pemOf(p.root, p.inter, p.root), nul...), p.opts(tAt), ErrChain},
		{"two certificates", append(pemOf(p.pck, p.inter), nul...), p.opts(tAt), ErrCertificate},
		{"four certificates", append(pemOf(p.pck, p.inter, p.root, p.root), nul...), p.opts(tAt), ErrCertificate},
	}
	for _, tc := range cases {
		_, err := VerifyPCKChain(tc.text, tc.opts)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestPCKChainText: the chain text is parsed strictly; any deviation from the
// canonical PEM of the three certificates, plus at most one NUL, is ErrCertificate.
func TestPCKChainText(t *testing.T) {
	rq := gotdxguestQuotes(t)[1]
	good := mustParse(t, rq.raw).PCKChain()
	if good[len(good)-1] != 0 {
		t.Fatalf("real chain does not end with NUL: %q", good[len(good)-8:])
	}
	text := good[:len(good)-1]
	blocks := strings.SplitAfter(string(text), "-----END CERTIFICATE-----\n")
	if len(blocks) != 4 || blocks[3] != "" {
		t.Fatalf("real chain has %d blocks", len(blocks)-1)
	}
	withHeader := strings.Replace(blocks[1], "-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n", 1)
	cases := map[string]string{
		"empty":                             "",
		"only a NUL":                        "\x00",
		"truncated in the leaf":             string(text[:700]),
		"truncated in the root":             string(text[:len(text)-100]),
		"truncated END line":                string(text[:len(text)-2]),
		"two NULs":                          string(text) + "\x00\x00",
		"trailing newline":                  string(text) + "\n",
		"trailing garbage":                  string(text) + "\x00garbage",
		"trailing text":                     string(text) + "x",
		"trailing PEM block":                string(text) + blocks[2],
		"leading newline":                   "\n" + string(text),
		"leading text":                      "chain:" + string(text),
		"blank line between":                blocks[0] + "\n" + blocks[1] + blocks[2],
		"text between":                      blocks[0] + "junk\n" + blocks[1] + blocks[2],
		"CRLF line ends":                    strings.ReplaceAll(string(text), "\n", "\r\n"),
		"no final newline":                  strings.TrimSuffix(string(text), "\n"),
		"PEM header":                        blocks[0] + withHeader + blocks[2],
		"wrong block type":                  blocks[0] + strings.ReplaceAll(blocks[1], "CERTIFICATE", "X509 CERTIFICATE") + blocks[2],
		"long lines":                        blocks[0] + rewrap(blocks[1], 76) + blocks[2],
		"non-canonical base64 padding bits": nonCanonicalPadding(t, blocks[0]) + blocks[1] + blocks[2],
		"DER in place of PEM":               string(pemBlock(t, []byte(blocks[0]))) + blocks[1] + blocks[2],
	}
	for name, s := range cases {
		_, err := VerifyPCKChain([]byte(s), Options{Time: rq.at})
		if !errors.Is(err, ErrCertificate) {
			t.Errorf("%s: %v, want ErrCertificate", name, err)
		}
		if _, _, _, err := ParsePCKChain([]byte(s)); !errors.Is(err, ErrCertificate) {
			t.Errorf("ParsePCKChain %s: %v, want ErrCertificate", name, err)
		}
	}
	if _, err := VerifyPCKChain(text, Options{Time: rq.at}); err != nil {
		t.Errorf("without its NUL: %v", err)
	}
}

func pemBlock(t testing.TB, text []byte) []byte {
	t.Helper()
	b, _ := pem.Decode(text)
	if b == nil {
		t.Fatal("no PEM")
	}
	return b.Bytes
}

// rewrap re-wraps one PEM block's base64 at n characters per line.
func rewrap(block string, n int) string {
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	b64 := strings.Join(lines[1:len(lines)-1], "")
	var out strings.Builder
	out.WriteString(lines[0] + "\n")
	for len(b64) > n {
		out.WriteString(b64[:n] + "\n")
		b64 = b64[n:]
	}
	out.WriteString(b64 + "\n" + lines[len(lines)-1] + "\n")
	return out.String()
}

// nonCanonicalPadding sets unused bits in the last base64 quantum before the
// "=" padding: the same DER, different text.
func nonCanonicalPadding(t testing.TB, block string) string {
	t.Helper()
	i := strings.Index(block, "=")
	if i < 1 {
		t.Skip("leaf base64 has no padding")
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := strings.IndexByte(alphabet, block[i-1])
	return block[:i-1] + string(alphabet[v|1]) + block[i:]
}
