// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// realExtensionValues returns the SGX extension values of the real PCKs.
func realExtensionValues(t testing.TB) [][]byte {
	t.Helper()
	quotes := gotdxguestQuotes(t)
	if vectors.Dir() != "" {
		quotes = append(quotes, vectorQuotes(t)...)
	}
	var out [][]byte
	for _, rq := range quotes {
		pck, _, _, err := ParsePCKChain(mustParse(t, rq.raw).PCKChain())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range pck.Extensions {
			if e.Id.Equal(OIDSGXExtensions) {
				out = append(out, e.Value)
			}
		}
	}
	return out
}

// element encodes SEQUENCE { OID (SGX prefix ‖ arcs), value }.
func element(value func(*cryptobyte.Builder), arcs ...byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) {
			b.AddBytes(oidSGX)
			b.AddBytes(arcs)
		})
		value(b)
	})
	return b.BytesOrPanic()
}

func seqOf(parts ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, p := range parts {
			b.AddBytes(p)
		}
	})
	return b.BytesOrPanic()
}

func octets(n int) func(*cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) { b.AddASN1OctetString(make([]byte, n)) }
}

func integer(v int64) func(*cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) { b.AddASN1Int64(v) }
}

func raw(p []byte) func(*cryptobyte.Builder) { return func(b *cryptobyte.Builder) { b.AddBytes(p) } }

// extParts returns the elements of a well-formed Platform CA SGX extension,
// with tcb(i) giving component i's encoded element (1..18).
type extParts struct {
	ppid, tcb, pceid, fmspc, sgxType, instance, config []byte
	tcbElems                                           [][]byte
	confElems                                          [][]byte
}

func goodParts() *extParts {
	p := &extParts{}
	p.ppid = element(octets(16), 1)
	for i := 1; i <= 16; i++ {
		p.tcbElems = append(p.tcbElems, element(integer(int64(i)), 2, byte(i)))
	}
	p.tcbElems = append(p.tcbElems, element(integer(13), 2, 17), element(octets(16), 2, 18))
	p.pceid = element(octets(2), 3)
	p.fmspc = element(octets(6), 4)
	p.sgxType = element(func(b *cryptobyte.Builder) { b.AddASN1Enum(1) }, 5)
	p.instance = element(octets(16), 6)
	boolean := func(v bool) func(*cryptobyte.Builder) { return func(b *cryptobyte.Builder) { b.AddASN1Boolean(v) } }
	p.confElems = [][]byte{element(boolean(true), 7, 1), element(boolean(false), 7, 2), element(boolean(true), 7, 3)}
	return p
}

func (p *extParts) encode() []byte {
	tcb := element(raw(seqOf(p.tcbElems...)), 2)
	if p.tcb != nil {
		tcb = p.tcb
	}
	conf := element(raw(seqOf(p.confElems...)), 7)
	if p.config != nil {
		conf = p.config
	}
	var parts [][]byte
	for _, e := range [][]byte{p.ppid, tcb, p.pceid, p.fmspc, p.sgxType, p.instance, conf} {
		if len(e) != 0 {
			parts = append(parts, e)
		}
	}
	return seqOf(parts...)
}

// TestParsePCKExtensionsSynthetic: every deviation from the profile is ErrCertificate.
func TestParsePCKExtensionsSynthetic(t *testing.T) {
	e, err := ParsePCKExtensions(goodParts().encode())
	if err != nil {
		t.Fatalf("good: %v", err)
	}
	if !e.HasPlatform || e.TCB.SGXComponents[15] != 16 || e.TCB.PCESVN != 13 || e.SGXType != SGXTypeScalable ||
		e.Configuration != (Configuration{true, false, true, true, true, true}) {
		t.Errorf("good: %+v", e)
	}
	noPlatform := goodParts()
	noPlatform.instance, noPlatform.config = nil, []byte{}
	if e, err := ParsePCKExtensions(noPlatform.encode()); err != nil || e.HasPlatform {
		t.Errorf("processor shape: %+v, %v", e, err)
	}
	onlySMT := goodParts()
	onlySMT.confElems = onlySMT.confElems[2:]
	if e, err := ParsePCKExtensions(onlySMT.encode()); err != nil || e.Configuration != (Configuration{SMTEnabled: true, HasSMTEnabled: true}) {
		t.Errorf("configuration with SMT only: %+v, %v", e.Configuration, err)
	}

	mods := map[string]func(p *extParts){
		"PPID 15 bytes":                     func(p *extParts) { p.ppid = element(octets(15), 1) },
		"PPID missing":                      func(p *extParts) { p.ppid = nil },
		"PPID as INTEGER":                   func(p *extParts) { p.ppid = element(integer(5), 1) },
		"FMSPC 7 bytes":                     func(p *extParts) { p.fmspc = element(octets(7), 4) },
		"PCE-ID and FMSPC swapped":          func(p *extParts) { p.pceid, p.fmspc = p.fmspc, p.pceid },
		"SVN 256":                           func(p *extParts) { p.tcbElems[3] = element(integer(256), 2, 4) },
		"SVN -1":                            func(p *extParts) { p.tcbElems[0] = element(integer(-1), 2, 1) },
		"PCESVN 65536":                      func(p *extParts) { p.tcbElems[16] = element(integer(65536), 2, 17) },
		"component 5 missing":               func(p *extParts) { p.tcbElems = append(p.tcbElems[:4:4], p.tcbElems[5:]...) },
		"components swapped":                func(p *extParts) { p.tcbElems[0], p.tcbElems[1] = p.tcbElems[1], p.tcbElems[0] },
		"extra TCB element":                 func(p *extParts) { p.tcbElems = append(p.tcbElems, element(integer(1), 2, 19)) },
		"CPUSVN 17 bytes":                   func(p *extParts) { p.tcbElems[17] = element(octets(17), 2, 18) },
		"TCB not a SEQUENCE":                func(p *extParts) { p.tcb = element(octets(16), 2) },
		"SGX type 3":                        func(p *extParts) { p.sgxType = element(func(b *cryptobyte.Builder) { b.AddASN1Enum(3) }, 5) },
		"SGX type INTEGER":                  func(p *extParts) { p.sgxType = element(integer(1), 5) },
		"SGX type missing":                  func(p *extParts) { p.sgxType = nil },
		"instance ID without configuration": func(p *extParts) { p.config = []byte{} },
		"configuration without instance ID": func(p *extParts) { p.instance = nil },
		"configuration repeated flag":       func(p *extParts) { p.confElems = append(p.confElems, p.confElems[2]) },
		"configuration misordered":          func(p *extParts) { p.confElems[0], p.confElems[2] = p.confElems[2], p.confElems[0] },
		"configuration unknown flag": func(p *extParts) {
			p.confElems = append(p.confElems, element(func(b *cryptobyte.Builder) { b.AddASN1Boolean(true) }, 7, 4))
		},
		"configuration BOOLEAN 0x01": func(p *extParts) {
			p.confElems[0] = element(raw([]byte{0x01, 0x01, 0x01}), 7, 1)
		},
		"unknown element 8": func(p *extParts) {
			p.config = append(element(raw(seqOf(p.confElems...)), 7), element(octets(1), 8)...)
		},
		"OID of another arc": func(p *extParts) { p.pceid = element(octets(2), 3, 0) },
	}
	for name, mod := range mods {
		p := goodParts()
		mod(p)
		if _, err := ParsePCKExtensions(p.encode()); !errors.Is(err, ErrCertificate) {
			t.Errorf("%s: %v, want ErrCertificate", name, err)
		}
	}
	good := goodParts().encode()
	for name, b := range map[string][]byte{
		"empty":              nil,
		"trailing byte":      append(append([]byte(nil), good...), 0),
		"not a SEQUENCE":     append([]byte{0x31}, good[1:]...),
		"non-minimal length": nonMinimal(good),
	} {
		if _, err := ParsePCKExtensions(b); !errors.Is(err, ErrCertificate) {
			t.Errorf("%s: %v, want ErrCertificate", name, err)
		}
	}
}

// TestParsePCKExtensionsReal: every prefix of a real extension is rejected,
// every one-bit change either is rejected or parses to different values, and
// nothing panics.
func TestParsePCKExtensionsReal(t *testing.T) {
	vals := realExtensionValues(t)
	for _, v := range vals[:2] {
		want, err := ParsePCKExtensions(v)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(v); n++ {
			if _, err := ParsePCKExtensions(v[:n]); !errors.Is(err, ErrCertificate) {
				t.Fatalf("prefix of %d/%d bytes: %v", n, len(v), err)
			}
		}
		accepted := 0
		for i := range v {
			b := bytes.Clone(v)
			b[i] ^= 1 << (i % 8)
			got, err := ParsePCKExtensions(b)
			if err == nil {
				accepted++
				if got == want {
					t.Errorf("flip at byte %d parses to the same extensions", i)
				}
			} else if !errors.Is(err, ErrCertificate) {
				t.Errorf("flip at byte %d: %v", i, err)
			}
		}
		t.Logf("%d-byte extension: %d of %d one-bit flips still parse (value bytes), with other values", len(v), accepted, len(v))
	}
}

// FuzzParsePCKExtensions: no input panics and every error is ErrCertificate;
// what parses re-parses identically.
func FuzzParsePCKExtensions(f *testing.F) {
	for _, v := range realExtensionValues(f) {
		f.Add(v)
	}
	f.Add(goodParts().encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParsePCKExtensions(b)
		if err != nil {
			if !errors.Is(err, ErrCertificate) {
				t.Fatalf("error is not ErrCertificate: %v", err)
			}
			return
		}
		if e2, err := ParsePCKExtensions(bytes.Clone(b)); err != nil || e2 != e {
			t.Fatalf("re-parse differs: %v", err)
		}
	})
}

// nonMinimal re-encodes a DER SEQUENCE's length in 4 bytes (valid BER, not DER).
func nonMinimal(der []byte) []byte {
	var body cryptobyte.String
	in := cryptobyte.String(der)
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		panic("not a SEQUENCE")
	}
	n := len(body)
	return append([]byte{0x30, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}
