// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p384

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/internal/wycheproof"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
)

// TestWycheproof runs every ECDSA P-384 SHA-384 vector of Wycheproof, DER
// and IEEE P1363 (r ‖ s) signatures: ours and crypto/ecdsa must both give
// the expected result ("acceptable" vectors: ours must agree with
// crypto/ecdsa).
func TestWycheproof(t *testing.T) {
	for _, tc := range []struct {
		file  string
		p1363 bool
	}{
		{"ecdsa_secp384r1_sha384_test.json", false},
		{"ecdsa_secp384r1_sha384_p1363_test.json", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := wycheproof.ECDSA(t, tc.file)
			n, valid := 0, 0
			for _, g := range f.TestGroups {
				if g.PublicKey.Curve != "secp384r1" || g.SHA != "SHA-384" {
					t.Fatalf("group %s/%s", g.PublicKey.Curve, g.SHA)
				}
				pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), g.PublicKey.Uncompressed)
				if err != nil {
					t.Fatalf("group key: %v", err)
				}
				for _, v := range g.Tests {
					h := sha512.Sum384(v.Msg)
					sig := v.Sig
					var ours, std bool
					if tc.p1363 {
						ours = len(sig) == 96 && Verify(pub, h[:], sig[:48], sig[48:])
						std = len(sig) == 96 && ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:]))
					} else {
						ours, std = VerifyASN1(pub, h[:], sig), ecdsa.VerifyASN1(pub, h[:], sig)
					}
					if ours != std {
						t.Errorf("tcId %d (%s, %v): ours %v, crypto/ecdsa %v", v.TCID, v.Comment, v.Flags, ours, std)
					}
					if v.Result != wycheproof.Acceptable && ours != (v.Result == wycheproof.Valid) {
						t.Errorf("tcId %d (%s, %v): ours %v, want %s", v.TCID, v.Comment, v.Flags, ours, v.Result)
					}
					n++
					if ours {
						valid++
					}
				}
			}
			if n < 250 || valid == 0 {
				t.Fatalf("%d vectors, %d valid: the file is not what it was", n, valid)
			}
			t.Logf("%d vectors, %d valid", n, valid)
		})
	}
}

// testKeys are fixed keys for the edge and fuzz tests: G itself, −G, 2G (so
// that u1·G + u2·Q meets doublings and opposite points), and a random key.
func testKeys(t testing.TB) []*ecdsa.PublicKey {
	t.Helper()
	c := elliptic.P384()
	gx, gy := params.Gx, params.Gy
	negY := new(big.Int).Sub(p, gy)
	x2, y2 := c.Double(gx, gy)
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return []*ecdsa.PublicKey{
		{Curve: c, X: gx, Y: gy},
		{Curve: c, X: gx, Y: negY},
		{Curve: c, X: x2, Y: y2},
		&k.PublicKey,
	}
}

// TestKeyChecks: a key that is nil, of another curve, off the curve, with a
// coordinate not below p, or the identity never verifies, and nothing panics.
func TestKeyChecks(t *testing.T) {
	c := elliptic.P384()
	good := testKeys(t)[3]
	h := make([]byte, 48)
	one := []byte{1}
	k256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name string
		pub  *ecdsa.PublicKey
	}{
		{"nil", nil},
		{"nil curve", &ecdsa.PublicKey{X: good.X, Y: good.Y}},
		{"P-256", &k256.PublicKey},
		{"identity", &ecdsa.PublicKey{Curve: c, X: new(big.Int), Y: new(big.Int)}},
		{"nil coordinates", &ecdsa.PublicKey{Curve: c}},
		{"off the curve", &ecdsa.PublicKey{Curve: c, X: good.X, Y: new(big.Int).Add(good.Y, big.NewInt(1))}},
		{"x + p", &ecdsa.PublicKey{Curve: c, X: new(big.Int).Add(good.X, p), Y: good.Y}},
		{"y + p", &ecdsa.PublicKey{Curve: c, X: good.X, Y: new(big.Int).Add(good.Y, p)}},
		{"negative y", &ecdsa.PublicKey{Curve: c, X: good.X, Y: new(big.Int).Neg(good.Y)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if Verify(tc.pub, h, one, one) || VerifyASN1(tc.pub, h, []byte{0x30, 6, 2, 1, 1, 2, 1, 1}) {
				t.Fatal("verified")
			}
		})
	}
}

// TestScalarRanges: r and s must be in [1, n−1]; every hash length truncates
// as crypto/ecdsa truncates.
func TestScalarRanges(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	h := sha512.Sum384([]byte("ranges"))
	r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(&k.PublicKey, h[:], r.Bytes(), s.Bytes()) {
		t.Fatal("genuine signature rejected")
	}
	nm1 := new(big.Int).Sub(n, big.NewInt(1))
	for _, tc := range []struct {
		name string
		r, s *big.Int
	}{
		{"r = 0", new(big.Int), s}, {"s = 0", r, new(big.Int)},
		{"r = n", n, s}, {"s = n", r, n},
		{"r + n", new(big.Int).Add(r, n), s}, {"s + n", r, new(big.Int).Add(s, n)},
		{"r = n - 1", nm1, s}, {"s = n - 1", r, nm1},
		{"s = n - s", r, new(big.Int).Sub(n, s)}, // the other valid s: crypto/ecdsa accepts it too
		{"r = 2^384", new(big.Int).Lsh(big.NewInt(1), 384), s},
		{"r + p", new(big.Int).Add(r, p), s},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ours := Verify(&k.PublicKey, h[:], tc.r.Bytes(), tc.s.Bytes())
			if std := ecdsa.Verify(&k.PublicKey, h[:], tc.r, tc.s); ours != std {
				t.Fatalf("ours %v, crypto/ecdsa %v", ours, std)
			}
		})
	}
	for _, l := range []int{0, 1, 20, 47, 48, 49, 64, 100} {
		hh := bytes.Repeat([]byte{0xA5}, l)
		r, s, _ := ecdsa.Sign(rand.Reader, k, hh)
		if ours, std := Verify(&k.PublicKey, hh, r.Bytes(), s.Bytes()), ecdsa.Verify(&k.PublicKey, hh, r, s); ours != std || !ours {
			t.Errorf("hash of %d bytes: ours %v, crypto/ecdsa %v", l, ours, std)
		}
	}
}

// TestCombinedMultEdges compares circl's u1·G + u2·Q with crypto/elliptic on
// the sums where incomplete formulas fail: Q = ±G and 2G with u1 = ±u2, u2 =
// 2u1, zeros and ones, n − 1: the identity and doublings inside the ladder.
func TestCombinedMultEdges(t *testing.T) {
	if !Fast {
		t.Skip("purego build: crypto/ecdsa verifies")
	}
	c := elliptic.P384()
	nm1 := new(big.Int).Sub(n, big.NewInt(1))
	rnd, _ := rand.Int(rand.Reader, n)
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(63), big.NewInt(64), nm1, new(big.Int).Sub(n, big.NewInt(2)), rnd, new(big.Int).Sub(n, rnd), new(big.Int).Rsh(n, 1)}
	for ki, q := range testKeys(t) {
		for _, a := range vals {
			for _, b := range vals {
				for _, u2 := range []*big.Int{b, new(big.Int).Mod(new(big.Int).Lsh(a, 1), n), new(big.Int).Mod(new(big.Int).Sub(n, a), n)} {
					gx, gy := curve.CombinedMult(q.X, q.Y, a.Bytes(), u2.Bytes())
					x1, y1 := c.ScalarBaseMult(a.Bytes())
					x2, y2 := c.ScalarMult(q.X, q.Y, u2.Bytes())
					wx, wy := c.Add(x1, y1, x2, y2)
					if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
						t.Errorf("key %d: %x·G + %x·Q: circl (%x, %x), crypto/elliptic (%x, %x)", ki, a, u2, gx, gy, wx, wy)
					}
				}
			}
		}
	}
}

// realReport is an SNP report's signed bytes, its signature (big-endian r
// and s) and the VCEK or VLEK public key that signed it.
type realReport struct {
	name   string
	signed []byte
	r, s   []byte
	pub    *ecdsa.PublicKey
}

// be returns the 48 low bytes of a 72-byte little-endian field, big-endian.
func be(le []byte) []byte {
	out := make([]byte, 48)
	for i := range out {
		out[i] = le[47-i]
	}
	return out
}

func newRealReport(t *testing.T, name string, raw, cert []byte) (realReport, bool) {
	t.Helper()
	if len(raw) < 0x4A0 {
		t.Fatalf("%s: %d bytes", name, len(raw))
	}
	if b, _ := pem.Decode(cert); b != nil {
		cert = b.Bytes
	}
	x, err := x509.ParseCertificate(cert)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pub, ok := x.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P384() {
		return realReport{}, false
	}
	return realReport{name: name, signed: raw[:0x2A0], r: be(raw[0x2A0:0x2E8]), s: be(raw[0x2E8:0x330]), pub: pub}, true
}

// realReports are go-sev-guest's Milan report and every shared SNP report
// with its endorsement key (the shared ones are skipped when absent).
func realReports(t *testing.T) []realReport {
	t.Helper()
	rr, _ := newRealReport(t, "go-sev-guest", gsgdata.AttestationBytes, gsgdata.VcekBytes)
	out := []realReport{rr}
	if vectors.Dir() == "" {
		t.Log("shared vectors absent: go-sev-guest's report only")
		return out
	}
	seen := map[string]bool{}
	for _, c := range vectors.Cases(t, "snp-") {
		if c.Container != "" {
			continue
		}
		var certPath string
		for _, role := range []string{"vcek", "vlek", "vcek_ask_ark"} {
			if p := c.CollateralRoles[role]; p != "" {
				certPath = p
				break
			}
		}
		if certPath == "" || seen[c.Evidence+certPath] {
			continue
		}
		seen[c.Evidence+certPath] = true
		if r, ok := newRealReport(t, c.ID, c.EvidenceBytes(t), vectors.Read(t, certPath)); ok {
			out = append(out, r)
		}
	}
	return out
}

// TestBitFlipRealReports: every real report verifies with both
// implementations (or fails with both: a case's wrong key), and flipping any
// bit of r or s, or one bit of every signed byte, makes ours reject; a
// sample is checked against crypto/ecdsa too.
func TestBitFlipRealReports(t *testing.T) {
	reports := realReports(t)
	if testing.Short() {
		reports = reports[:1] // go-sev-guest's: about a second each
	}
	genuine := 0
	for _, rr := range reports {
		t.Run(rr.name, func(t *testing.T) {
			h := sha512.Sum384(rr.signed)
			ours := Verify(rr.pub, h[:], rr.r, rr.s)
			std := ecdsa.Verify(rr.pub, h[:], new(big.Int).SetBytes(rr.r), new(big.Int).SetBytes(rr.s))
			if ours != std {
				t.Fatalf("genuine: ours %v, crypto/ecdsa %v", ours, std)
			}
			if !ours {
				t.Skip("the case's key did not sign this report (a negative case)")
			}
			genuine++
			check := func(what string, i int, hash, r, s []byte) {
				if Verify(rr.pub, hash, r, s) {
					t.Fatalf("%s: flip %d verifies", what, i)
				}
				if i%16 == 0 && ecdsa.Verify(rr.pub, hash, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)) {
					t.Fatalf("%s: flip %d verifies with crypto/ecdsa", what, i)
				}
			}
			for i := range 48 * 8 {
				r := bytes.Clone(rr.r)
				r[i/8] ^= 1 << (i % 8)
				check("r", i, h[:], r, rr.s)
				s := bytes.Clone(rr.s)
				s[i/8] ^= 1 << (i % 8)
				check("s", i, h[:], rr.r, s)
			}
			msg := bytes.Clone(rr.signed)
			for i := range msg {
				bit := byte(1) << (i % 8)
				msg[i] ^= bit
				hh := sha512.Sum384(msg)
				msg[i] ^= bit
				check("signed bytes", i, hh[:], rr.r, rr.s)
			}
		})
	}
	if genuine == 0 {
		t.Fatal("no real report verified")
	}
}

// FuzzVerify is a differential fuzz target: for fixed keys (G, −G, 2G, a
// random key whose signatures seed the corpus), any hash, r and s, ours must
// decide as crypto/ecdsa does.
func FuzzVerify(f *testing.F) {
	c := elliptic.P384()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	keys := append(testKeys(f)[:3], &k.PublicKey)
	for i := range 4 {
		h := sha512.Sum384([]byte{byte(i)})
		r, s, _ := ecdsa.Sign(rand.Reader, k, h[:])
		f.Add(uint8(3), h[:], r.Bytes(), s.Bytes())
		f.Add(uint8(3), h[:], r.Bytes(), new(big.Int).Sub(n, s).Bytes())
	}
	// Signatures whose u1·G + u2·G meet the identity or a doubling: with
	// Q = G, e = 0 and r = s gives u2 = 1; r = n − s gives u1 + u2 = 0 with e = r.
	one := []byte{1}
	f.Add(uint8(0), []byte{}, one, one)
	f.Add(uint8(0), one, params.Gx.Bytes(), one)
	f.Add(uint8(1), params.Gx.Bytes(), params.Gx.Bytes(), new(big.Int).Sub(n, big.NewInt(1)).Bytes())
	f.Add(uint8(2), make([]byte, 64), n.Bytes(), one)
	f.Fuzz(func(t *testing.T, ki uint8, hash, r, s []byte) {
		if len(r) > 100 || len(s) > 100 {
			return
		}
		pub := keys[int(ki)%len(keys)]
		ours := Verify(pub, hash, r, s)
		std := ecdsa.Verify(pub, hash, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
		if ours != std {
			t.Fatalf("key %d hash %x r %x s %x: ours %v, crypto/ecdsa %v", ki%4, hash, r, s, ours, std)
		}
		var der []byte
		der = append(der, r...) // reuse the bytes as a DER candidate too
		der = append(der, s...)
		if o, w := VerifyASN1(pub, hash, der), ecdsa.VerifyASN1(pub, hash, der); o != w {
			t.Fatalf("DER %x: ours %v, crypto/ecdsa %v", der, o, w)
		}
	})
}

// FuzzCombinedMult compares circl's u1·G + u2·Q with crypto/elliptic for any
// scalars below n and Q among G, −G, 2G, a random key.
func FuzzCombinedMult(f *testing.F) {
	if !Fast {
		f.Skip("purego build")
	}
	keys := testKeys(f)
	nm1 := new(big.Int).Sub(n, big.NewInt(1)).Bytes()
	f.Add(uint8(0), []byte{1}, nm1)
	f.Add(uint8(0), []byte{1}, []byte{1})
	f.Add(uint8(1), []byte{5}, []byte{5})
	f.Add(uint8(2), []byte{2}, nm1)
	f.Add(uint8(3), []byte{}, []byte{7})
	c := elliptic.P384()
	f.Fuzz(func(t *testing.T, ki uint8, a, b []byte) {
		u1, u2 := new(big.Int).SetBytes(a), new(big.Int).SetBytes(b)
		u1.Mod(u1, n)
		u2.Mod(u2, n)
		q := keys[int(ki)%len(keys)]
		gx, gy := curve.CombinedMult(q.X, q.Y, u1.Bytes(), u2.Bytes())
		x1, y1 := c.ScalarBaseMult(u1.Bytes())
		x2, y2 := c.ScalarMult(q.X, q.Y, u2.Bytes())
		wx, wy := c.Add(x1, y1, x2, y2)
		if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
			t.Fatalf("key %d: %x·G + %x·Q: circl (%x, %x), crypto/elliptic (%x, %x)", ki%4, u1, u2, gx, gy, wx, wy)
		}
	})
}
