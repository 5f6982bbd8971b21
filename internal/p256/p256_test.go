// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p256

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"filippo.io/nistec"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/wycheproof"
	tdxdata "github.com/google/go-tdx-guest/testing/testdata"
)

// The tables ring is package-global: no test here runs in parallel, so that
// the tests that count tables see only their own.

var params = elliptic.P256().Params()

// A testKey is a P-256 public key with its Key precomputed, and, when known,
// its private scalar d (Q = d·G) for constructing signatures.
type testKey struct {
	name string
	d    *big.Int         // nil when unknown
	enc  []byte           // Q, SEC 1 uncompressed
	pub  *ecdsa.PublicKey // Q for crypto/ecdsa
	key  *Key             // Q with its table
}

// fixedD is the private scalar of the fixed test key: fixed, so that a fuzz
// failure replays.
var fixedD = func() *big.Int {
	h := sha256.Sum256([]byte("ccverify internal/p256 test key"))
	return new(big.Int).Mod(new(big.Int).SetBytes(h[:]), n)
}()

// be32 returns v, which must be in [0, 2²⁵⁶), as 32 big-endian bytes.
func be32(v *big.Int) *[32]byte {
	var b [32]byte
	v.FillBytes(b[:])
	return &b
}

// baseMult returns (k mod n)·G.
func baseMult(t testing.TB, k *big.Int) *nistec.P256Point {
	t.Helper()
	p, err := nistec.NewP256Point().ScalarBaseMult(be32(new(big.Int).Mod(k, n))[:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mult returns (k mod n)·q.
func mult(t testing.TB, q *nistec.P256Point, k *big.Int) *nistec.P256Point {
	t.Helper()
	p, err := nistec.NewP256Point().ScalarMult(q, be32(new(big.Int).Mod(k, n))[:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// keyFromBytes returns the key enc (which must be valid) precomputed,
// checking that NewKey, FromECDSA and crypto/ecdsa read the same point.
func keyFromBytes(t testing.TB, name string, enc []byte) *testKey {
	t.Helper()
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), enc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	k, err := NewKey(enc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	k2, err := FromECDSA(pub)
	if err != nil {
		t.Fatalf("%s: FromECDSA: %v", name, err)
	}
	if !bytes.Equal(k.q.Bytes(), enc) || !bytes.Equal(k2.q.Bytes(), enc) {
		t.Fatalf("%s: NewKey read %x, FromECDSA %x, want %x", name, k.q.Bytes(), k2.q.Bytes(), enc)
	}
	if k.Precomputed() {
		t.Fatalf("%s: a new key has a table", name)
	}
	k.Precompute()
	if !k.Precomputed() {
		t.Fatalf("%s: no table after Precompute", name)
	}
	return &testKey{name: name, enc: bytes.Clone(enc), pub: pub, key: k}
}

// newTestKey returns q, which must be d·G, as a testKey.
func newTestKey(t testing.TB, name string, d *big.Int, q *nistec.P256Point) *testKey {
	t.Helper()
	if got, want := q.Bytes(), baseMult(t, d).Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("%s is %x, not %x·G = %x", name, got, d, want)
	}
	k := keyFromBytes(t, name, q.Bytes())
	k.d = d
	return k
}

// testKeys are G, −G and 2G, so that u1·G + u2·Q meets doublings and
// opposite points, and the fixed key.
func testKeys(t testing.TB) []*testKey {
	t.Helper()
	g := nistec.NewP256Point().SetGenerator()
	return []*testKey{
		newTestKey(t, "G", big.NewInt(1), g),
		newTestKey(t, "−G", new(big.Int).Sub(n, big.NewInt(1)), nistec.NewP256Point().Negate(g)),
		newTestKey(t, "2G", big.NewInt(2), nistec.NewP256Point().Double(g)),
		newTestKey(t, "fixed", fixedD, baseMult(t, fixedD)),
	}
}

// priv returns k's private key.
func (k *testKey) priv(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	p, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), be32(k.d)[:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sign returns a signature by k over hash, as r and s.
func (k *testKey) sign(t testing.TB, hash []byte) (r, s *big.Int) {
	t.Helper()
	r, s, err := ecdsa.Sign(rand.Reader, k.priv(t), hash)
	if err != nil {
		t.Fatal(err)
	}
	return r, s
}

// ours returns our decisions on (r, s) over hash without a table (k.verify
// with nil: nistec's ScalarMult) and with k's table (Verify).
func (k *testKey) ours(t testing.TB, hash, r, s []byte) (noTable, withTable bool) {
	t.Helper()
	if !k.key.Precomputed() {
		t.Fatalf("key %s lost its table", k.name)
	}
	return k.key.verify(nil, hash, r, s), k.key.Verify(hash, r, s)
}

// oursASN1 returns our decisions on the DER signature sig over hash: with
// VerifyASN1 on a fresh Key (its first use, so without a table) and on k's.
func (k *testKey) oursASN1(t testing.TB, hash, sig []byte) (noTable, withTable bool) {
	t.Helper()
	fresh, err := NewKey(k.enc)
	if err != nil {
		t.Fatal(err)
	}
	noTable = fresh.VerifyASN1(hash, sig)
	if fresh.Precomputed() {
		t.Fatalf("key %s: a table at the first use", k.name)
	}
	if !k.key.Precomputed() {
		t.Fatalf("key %s lost its table", k.name)
	}
	return noTable, k.key.VerifyASN1(hash, sig)
}

// agree reports an error unless both our paths decide (r, s) over hash as
// crypto/ecdsa.Verify does, and returns crypto/ecdsa's decision.
func (k *testKey) agree(t testing.TB, what string, hash, r, s []byte) bool {
	t.Helper()
	std := ecdsa.Verify(k.pub, hash, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
	if noTable, withTable := k.ours(t, hash, r, s); noTable != std || withTable != std {
		t.Errorf("%s: key %s, hash %x, r %x, s %x: ours %v without a table, %v with; crypto/ecdsa %v", what, k.name, hash, r, s, noTable, withTable, std)
	}
	return std
}

// agreeASN1 is agree for a DER signature, against crypto/ecdsa.VerifyASN1.
func (k *testKey) agreeASN1(t testing.TB, what string, hash, sig []byte) bool {
	t.Helper()
	std := ecdsa.VerifyASN1(k.pub, hash, sig)
	if noTable, withTable := k.oursASN1(t, hash, sig); noTable != std || withTable != std {
		t.Errorf("%s: key %s, hash %x, DER %x: ours %v without a table, %v with; crypto/ecdsa %v", what, k.name, hash, sig, noTable, withTable, std)
	}
	return std
}

// TestWycheproof runs every vector of Wycheproof's ECDSA P-256 files with
// SHA-256 and SHA-512 (whose 64-byte hashes are truncated), DER and IEEE
// P1363 (r ‖ s) signatures. crypto/ecdsa and ours, both with a table and
// without, must give the expected result ("acceptable": ours as
// crypto/ecdsa). A group key NewKey rejects must be one crypto/ecdsa rejects
// too, and the other way round.
func TestWycheproof(t *testing.T) {
	for _, tc := range []struct {
		file  string
		p1363 bool
		want  int // vectors in the pinned module
	}{
		{"ecdsa_secp256r1_sha256_test.json", false, 474},
		{"ecdsa_secp256r1_sha256_p1363_test.json", true, 252},
		{"ecdsa_secp256r1_sha512_test.json", false, 544},
		{"ecdsa_secp256r1_sha512_p1363_test.json", true, 322},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := wycheproof.ECDSA(t, tc.file)
			var run, both, valid, badSize, badKey int
			for gi, g := range f.TestGroups {
				if g.PublicKey.Curve != "secp256r1" {
					t.Fatalf("group %d: curve %s", gi, g.PublicKey.Curve)
				}
				var digest func([]byte) []byte
				switch g.SHA {
				case "SHA-256":
					digest = func(m []byte) []byte { h := sha256.Sum256(m); return h[:] }
				case "SHA-512":
					digest = func(m []byte) []byte { h := sha512.Sum512(m); return h[:] }
				default:
					t.Fatalf("group %d: hash %s", gi, g.SHA)
				}
				u := g.PublicKey.Uncompressed
				_, perr := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), u)
				if _, kerr := NewKey(u); (kerr == nil) != (perr == nil) {
					t.Fatalf("group %d, key %x: NewKey %v, crypto/ecdsa %v", gi, u, kerr, perr)
				} else if kerr != nil {
					badKey++
					run += len(g.Tests)
					continue
				}
				k := keyFromBytes(t, fmt.Sprintf("group %d", gi), u)
				for _, v := range g.Tests {
					what := fmt.Sprintf("tcId %d (%s, %v)", v.TCID, v.Comment, v.Flags)
					h, sig := digest(v.Msg), v.Sig
					var std, noTable, withTable bool
					switch {
					case !tc.p1363:
						std = ecdsa.VerifyASN1(k.pub, h, sig)
						noTable, withTable = k.oursASN1(t, h, sig)
						both++
					case len(sig) == 2*orderBytes:
						r, s := sig[:orderBytes], sig[orderBytes:]
						std = ecdsa.Verify(k.pub, h, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
						noTable, withTable = k.ours(t, h, r, s)
						both++
					default:
						badSize++ // not r ‖ s: the caller rejects it (tdx.Parse fixes 64 bytes)
					}
					if noTable != std || withTable != std {
						t.Errorf("%s: ours %v without a table, %v with; crypto/ecdsa %v", what, noTable, withTable, std)
					}
					if v.Result != wycheproof.Acceptable && std != (v.Result == wycheproof.Valid) {
						t.Errorf("%s: crypto/ecdsa %v, want %s", what, std, v.Result)
					}
					run++
					if std {
						valid++
					}
				}
			}
			if run != tc.want || both == 0 || valid == 0 {
				t.Fatalf("%d vectors run (%d on both paths, %d valid), want %d: the file is not what it was", run, both, valid, tc.want)
			}
			t.Logf("%d vectors in %d groups: %d verified on both paths (%d valid), %d not 64 bytes, %d in groups of rejected keys", run, len(f.TestGroups), both, valid, badSize, badKey)
		})
	}
}

// TestKeyChecks: NewKey and FromECDSA accept P-256 points on the curve in
// canonical uncompressed form only, as crypto/ecdsa does, and a nil or zero
// Key verifies nothing without panicking.
func TestKeyChecks(t *testing.T) {
	g := nistec.NewP256Point().SetGenerator().Bytes()
	gen, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	genBytes, err := gen.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, good := range [][]byte{g, genBytes} {
		if _, err := NewKey(good); err != nil {
			t.Errorf("NewKey(%x): %v", good, err)
		}
	}

	// x0 + p, where (x0, y0) is on the curve: the same point if x were
	// reduced mod p, so only the "below p" check rejects it.
	x0, y0 := smallPoint(t, big.NewInt(0))
	xp := append(append([]byte{4}, be32(new(big.Int).Add(x0, params.P))[:]...), be32(y0)[:]...)
	if _, err := nistec.NewP256Point().SetBytes(append(append([]byte{4}, be32(x0)[:]...), be32(y0)[:]...)); err != nil {
		t.Fatalf("(%x, %x) is not on the curve: %v", x0, y0, err)
	}
	with := func(b []byte, i int, v ...byte) []byte {
		b = bytes.Clone(b)
		copy(b[i:], v)
		return b
	}
	k384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b384, _ := k384.PublicKey.Bytes()
	ff := bytes.Repeat([]byte{0xff}, 32)
	for _, tc := range []struct {
		name string
		enc  []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"identity", []byte{0}},
		{"identity as 0x04 ‖ 0 ‖ 0", with(make([]byte, 65), 0, 4)},
		{"compressed G", nistec.NewP256Point().SetGenerator().BytesCompressed()},
		{"compressed G, other parity", with(nistec.NewP256Point().SetGenerator().BytesCompressed(), 0, 1^nistec.NewP256Point().SetGenerator().BytesCompressed()[0])},
		{"hybrid G (0x06/0x07)", with(g, 0, 6|g[64]&1)},
		{"prefix 0x05", with(g, 0, 5)},
		{"64 bytes", g[:64]},
		{"66 bytes", append(bytes.Clone(g), 0)},
		{"x ‖ y without 0x04", g[1:]},
		{"off the curve", with(g, 64, g[64]^1)},
		{"x + p", xp},
		{"x = p", with(xp, 1, params.P.Bytes()...)},
		{"y = p", with(g, 33, params.P.Bytes()...)},
		{"x = 2²⁵⁶ − 1", with(g, 1, ff...)},
		{"y = 2²⁵⁶ − 1", with(g, 33, ff...)},
		{"P-384", b384},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKey(tc.enc)
			if !errors.Is(err, ErrKey) || k != nil {
				t.Fatalf("NewKey(%x) = %v, %v", tc.enc, k, err)
			}
			if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), tc.enc); err == nil {
				t.Fatalf("crypto/ecdsa accepts %x", tc.enc)
			}
		})
	}

	c := elliptic.P256()
	gx, gy := params.Gx, params.Gy
	for _, tc := range []struct {
		name string
		pub  *ecdsa.PublicKey
	}{
		{"nil", nil},
		{"nil curve", &ecdsa.PublicKey{X: gx, Y: gy}},
		{"nil coordinates", &ecdsa.PublicKey{Curve: c}},
		{"nil y", &ecdsa.PublicKey{Curve: c, X: gx}},
		{"P-384", &k384.PublicKey},
		{"P-256 parameters as a CurveParams", &ecdsa.PublicKey{Curve: params, X: gx, Y: gy}},
		{"P-256 in another Curve type", &ecdsa.PublicKey{Curve: struct{ elliptic.Curve }{c}, X: gx, Y: gy}},
		{"identity", &ecdsa.PublicKey{Curve: c, X: new(big.Int), Y: new(big.Int)}},
		{"off the curve", &ecdsa.PublicKey{Curve: c, X: gx, Y: new(big.Int).Add(gy, big.NewInt(1))}},
		{"x + p", &ecdsa.PublicKey{Curve: c, X: new(big.Int).Add(x0, params.P), Y: y0}},
		{"y + p", &ecdsa.PublicKey{Curve: c, X: gx, Y: new(big.Int).Add(gy, params.P)}},
		{"y − p", &ecdsa.PublicKey{Curve: c, X: gx, Y: new(big.Int).Sub(gy, params.P)}},
		{"negative y", &ecdsa.PublicKey{Curve: c, X: gx, Y: new(big.Int).Neg(gy)}},
	} {
		t.Run("FromECDSA/"+tc.name, func(t *testing.T) {
			k, err := FromECDSA(tc.pub)
			if !errors.Is(err, ErrKey) || k != nil {
				t.Fatalf("FromECDSA = %v, %v", k, err)
			}
		})
	}
	for _, pub := range []*ecdsa.PublicKey{{Curve: c, X: gx, Y: gy}, &gen.PublicKey} {
		k, err := FromECDSA(pub)
		if err != nil {
			t.Fatalf("FromECDSA(%x, %x): %v", pub.X, pub.Y, err)
		}
		if want, _ := pub.Bytes(); !bytes.Equal(k.q.Bytes(), want) {
			t.Fatalf("FromECDSA read %x, want %x", k.q.Bytes(), want)
		}
	}
	h := sha256.Sum256([]byte("key checks"))
	r, s, err := ecdsa.Sign(rand.Reader, gen, h[:])
	if err != nil {
		t.Fatal(err)
	}
	der, err := ecdsa.SignASN1(rand.Reader, gen, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := NewKey(genBytes); !k.Verify(h[:], r.Bytes(), s.Bytes()) || !k.VerifyASN1(h[:], der) {
		t.Fatal("a generated key's signature does not verify")
	}
	for _, k := range []*Key{nil, {}} {
		k.Precompute()
		if k.Verify(h[:], r.Bytes(), s.Bytes()) || k.VerifyASN1(h[:], der) || k.Precomputed() {
			t.Fatalf("%#v verifies", k)
		}
	}
}

// smallPoint returns the curve point (x, y) with the smallest x ≥ from.
func smallPoint(t testing.TB, from *big.Int) (x, y *big.Int) {
	t.Helper()
	p := params.P
	for x = new(big.Int).Set(from); x.Cmp(p) < 0; x.Add(x, big.NewInt(1)) {
		rhs := new(big.Int).Exp(x, big.NewInt(3), p) // x³ − 3x + b
		rhs.Sub(rhs, new(big.Int).Mul(x, big.NewInt(3)))
		rhs.Add(rhs, params.B)
		rhs.Mod(rhs, p)
		if y = new(big.Int).ModSqrt(rhs, p); y != nil {
			return x, y
		}
	}
	t.Fatalf("no point with x ≥ %x", from)
	return nil, nil
}

// TestScalarRanges: r and s outside [1, n−1] never verify, however written;
// leading zeros do not matter; hashes of any length are truncated to 32
// bytes and reduced mod n. Ours decides as crypto/ecdsa on both paths.
func TestScalarRanges(t *testing.T) {
	k := testKeys(t)[3]
	h := sha256.Sum256([]byte("ranges"))
	r, s := k.sign(t, h[:])
	one := big.NewInt(1)
	nm1 := new(big.Int).Sub(n, one)
	top := new(big.Int).Sub(new(big.Int).Lsh(one, 256), one)
	zeros := func(v *big.Int, z int) []byte { return append(make([]byte, z), v.Bytes()...) }
	for _, tc := range []struct {
		name string
		r, s []byte
		want bool
	}{
		{"genuine", r.Bytes(), s.Bytes(), true},
		{"s = n − s", r.Bytes(), new(big.Int).Sub(n, s).Bytes(), true}, // the other valid s
		{"r with 1 leading zero", zeros(r, 1), s.Bytes(), true},
		{"r and s with 40 leading zeros", zeros(r, 40), zeros(s, 40), true},
		{"s with 1000 leading zeros", r.Bytes(), zeros(s, 1000), true},
		{"r = 0", nil, s.Bytes(), false},
		{"r = 0, 32 bytes", make([]byte, 32), s.Bytes(), false},
		{"s = 0", r.Bytes(), []byte{0}, false},
		{"r = s = 0", nil, nil, false},
		{"r = n", n.Bytes(), s.Bytes(), false},
		{"s = n", r.Bytes(), n.Bytes(), false},
		{"r = n + 1", new(big.Int).Add(n, one).Bytes(), s.Bytes(), false},
		{"s = n + 1", r.Bytes(), new(big.Int).Add(n, one).Bytes(), false},
		{"r + n", new(big.Int).Add(r, n).Bytes(), s.Bytes(), false},
		{"s + n", r.Bytes(), new(big.Int).Add(s, n).Bytes(), false},
		{"r + n, 40 leading zeros", zeros(new(big.Int).Add(r, n), 40), s.Bytes(), false},
		{"r = n − 1", nm1.Bytes(), s.Bytes(), false},
		{"s = n − 1", r.Bytes(), nm1.Bytes(), false},
		{"r = 2²⁵⁶ − 1", top.Bytes(), s.Bytes(), false},
		{"s = 2²⁵⁶ − 1", r.Bytes(), top.Bytes(), false},
		{"r + 2²⁵⁶", new(big.Int).Add(r, new(big.Int).Lsh(one, 256)).Bytes(), s.Bytes(), false},
		{"s + 2²⁵⁶", r.Bytes(), new(big.Int).Add(s, new(big.Int).Lsh(one, 256)).Bytes(), false},
		{"r + p", new(big.Int).Add(r, params.P).Bytes(), s.Bytes(), false},
		{"r = 1", []byte{1}, s.Bytes(), false},
		{"r ‖ s swapped", s.Bytes(), r.Bytes(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if std := k.agree(t, tc.name, h[:], tc.r, tc.s); std != tc.want {
				t.Fatalf("crypto/ecdsa %v, want %v", std, tc.want)
			}
		})
	}

	// Hashes of every length, signed by crypto/ecdsa, and the same e written
	// otherwise: truncated, or plus n.
	for _, l := range []int{0, 1, 20, 31, 32, 33, 48, 64, 100, 1000} {
		hh := bytes.Repeat([]byte{0xA5}, l)
		r, s := k.sign(t, hh)
		if !k.agree(t, fmt.Sprintf("hash of %d bytes", l), hh, r.Bytes(), s.Bytes()) {
			t.Errorf("hash of %d bytes: genuine signature rejected", l)
		}
		if l > 32 && !k.agree(t, fmt.Sprintf("hash of %d bytes, truncated", l), hh[:32], r.Bytes(), s.Bytes()) {
			t.Errorf("hash of %d bytes: rejected when truncated by the caller", l)
		}
		if l == 32 && !k.agree(t, "hash + junk", append(bytes.Clone(hh), 1, 2, 3), r.Bytes(), s.Bytes()) {
			t.Error("junk after a 32-byte hash changed the decision")
		}
		if 0 < l && l < 32 && k.agree(t, fmt.Sprintf("hash of %d bytes, zero-padded at the end", l), append(bytes.Clone(hh), make([]byte, 32-l)...), r.Bytes(), s.Bytes()) {
			t.Errorf("hash of %d bytes: verifies padded at the end (e·2^k)", l)
		}
	}
	// e ≥ n: 0xff…ff and n itself, against e − n (and 0).
	for _, e := range []*big.Int{top, n, new(big.Int).Add(n, one)} {
		r, s := k.sign(t, e.Bytes())
		red := be32(new(big.Int).Sub(e, n))
		if !k.agree(t, fmt.Sprintf("hash %x", e), e.Bytes(), r.Bytes(), s.Bytes()) ||
			!k.agree(t, fmt.Sprintf("hash %x − n", e), red[:], r.Bytes(), s.Bytes()) {
			t.Errorf("hash %x: not reduced mod n", e)
		}
	}
	r, s = k.sign(t, nil)
	if !k.agree(t, "empty hash", nil, r.Bytes(), s.Bytes()) || !k.agree(t, "32 zero bytes for an empty hash", make([]byte, 32), r.Bytes(), s.Bytes()) {
		t.Error("empty hash: genuine signature rejected")
	}
}

// testScalars are scalars below 2²⁵⁶ that stress the recoding: small ones
// around the digit bounds, around n and 2²⁵⁶, byte patterns, for every value
// v of a window v in every window (Σ v·32^i: carries rippling through all of
// them for v > 16), and random ones from a fixed seed.
func testScalars(random int) []*[32]byte {
	one := big.NewInt(1)
	two256 := new(big.Int).Lsh(one, 256)
	var out []*[32]byte
	add := func(v *big.Int) { out = append(out, be32(new(big.Int).Mod(v, two256))) }
	for _, v := range []int64{0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 512, 513, 528} {
		add(big.NewInt(v))
	}
	for _, base := range []*big.Int{n, new(big.Int).Lsh(one, 255), two256, new(big.Int).Rsh(n, 1)} {
		for d := int64(-17); d <= 17; d++ {
			add(new(big.Int).Add(base, big.NewInt(d)))
		}
	}
	for _, b := range []byte{0x10, 0x1f, 0x0f, 0xf0, 0x80, 0x7f, 0x55, 0xaa, 0xff, 0x01} {
		add(new(big.Int).SetBytes(bytes.Repeat([]byte{b}, 32)))
	}
	for v := int64(0); v < 32; v++ {
		s := new(big.Int)
		for i := range windows {
			s.Add(s, new(big.Int).Lsh(big.NewInt(v), uint(window*i)))
		}
		add(s)
		add(new(big.Int).Mod(s, n))
	}
	rng := mrand.New(mrand.NewChaCha8([32]byte{'p', '2', '5', '6'}))
	for range random {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if rng.IntN(4) == 0 { // a short scalar: high windows zero
			clear(b[:rng.IntN(32)])
		}
		out = append(out, &b)
	}
	return out
}

// TestDigits: the signed recoding has every digit in [−15, 16] and sums back
// to the scalar.
func TestDigits(t *testing.T) {
	random := 5000
	if testing.Short() {
		random = 500
	}
	seen := map[int8]bool{}
	for _, k := range testScalars(random) {
		d := digits(k)
		sum := new(big.Int)
		for i := len(d) - 1; i >= 0; i-- {
			if d[i] < -(half-1) || d[i] > half {
				t.Fatalf("%x: digit %d is %d", k[:], i, d[i])
			}
			seen[d[i]] = true
			sum.Lsh(sum, window)
			sum.Add(sum, big.NewInt(int64(d[i])))
		}
		if want := new(big.Int).SetBytes(k[:]); sum.Cmp(want) != 0 {
			t.Fatalf("%x: digits %v sum to %x", k[:], d, sum)
		}
	}
	if len(seen) != 2*half {
		t.Fatalf("digits seen: %v, want all of [−15, 16]", seen)
	}
}

// TestNewTable: every entry of every test key's table is (j+1)·32^i·Q,
// computed as ((j+1)·32^i·d mod n)·G.
func TestNewTable(t *testing.T) {
	for _, k := range testKeys(t) {
		tab := k.key.tab.Load()
		for i := range windows {
			for j := range half {
				m := new(big.Int).Lsh(big.NewInt(int64(j+1)), uint(window*i))
				if got, want := tab[i][j].Bytes(), baseMult(t, m.Mul(m, k.d)).Bytes(); !bytes.Equal(got, want) {
					t.Fatalf("key %s: entry [%d][%d] is %x, want %x", k.name, i, j, got, want)
				}
			}
		}
	}
}

// TestTableMult: the table's k·Q equals nistec's ScalarMult and (k·d mod
// n)·G, byte for byte, the identity (k ≡ 0 mod n) included, whether the
// destination point is new or holds the previous result.
func TestTableMult(t *testing.T) {
	random := 200
	if testing.Short() {
		random = 30
	}
	scalars := testScalars(random)
	keys := testKeys(t)
	identities := 0
	for _, k := range keys {
		tab := k.key.tab.Load()
		var reused nistec.P256Point
		for _, s := range scalars {
			v := new(big.Int).SetBytes(s[:])
			var p nistec.P256Point
			if tab.mult(&p, s) != &p || tab.mult(&reused, s) != &reused {
				t.Fatal("mult does not return its destination")
			}
			got := p.Bytes()
			if again := reused.Bytes(); !bytes.Equal(got, again) {
				t.Fatalf("key %s: %x·Q is %x into a new point, %x into a used one", k.name, s[:], got, again)
			}
			want := mult(t, k.key.q, v).Bytes()
			if !bytes.Equal(got, want) {
				t.Fatalf("key %s: table %x·Q = %x, nistec %x", k.name, s[:], got, want)
			}
			if byD := baseMult(t, new(big.Int).Mul(v, k.d)).Bytes(); !bytes.Equal(got, byD) {
				t.Fatalf("key %s: table %x·Q = %x, (k·d)·G %x", k.name, s[:], got, byD)
			}
			if v.Mod(v, n).Sign() == 0 {
				if !bytes.Equal(got, []byte{0}) {
					t.Fatalf("key %s: %x·Q = %x, not the identity", k.name, s[:], got)
				}
				identities++
			}
		}
	}
	if identities < 2*len(keys) { // 0 and n at least
		t.Fatalf("%d identities", identities)
	}
}

// edgeSig returns a signature by k whose verification computes exactly
// u1·G + u2·Q (u2 ≢ 0 mod n): s = r/u2 and e = u1·s. Where the sum is a
// point, r is its x mod n and the signature is valid; at the identity, r is
// 1 and it is not.
func (k *testKey) edgeSig(t testing.TB, u1, u2 *big.Int) (hash, r, s []byte, valid bool) {
	t.Helper()
	sum := new(big.Int).Mul(u2, k.d)
	sum.Add(sum, u1).Mod(sum, n)
	rr := big.NewInt(1)
	if sum.Sign() != 0 {
		x, err := baseMult(t, sum).BytesX()
		if err != nil {
			t.Fatal(err)
		}
		rr.SetBytes(x).Mod(rr, n)
		valid = true
	}
	w := new(big.Int).ModInverse(new(big.Int).Mod(u2, n), n)
	if rr.Sign() == 0 || w == nil {
		t.Fatalf("u1 %x, u2 %x: r %x", u1, u2, rr)
	}
	ss := w.Mul(w, rr).Mod(w, n)
	e := new(big.Int).Mul(u1, ss)
	return be32(e.Mod(e, n))[:], rr.Bytes(), ss.Bytes(), valid
}

// edgeScalars are u1, u2 values around 0, 1, n and n/2, and a random one.
func edgeScalars(t testing.TB) []*big.Int {
	t.Helper()
	rnd, err := rand.Int(rand.Reader, n)
	if err != nil {
		t.Fatal(err)
	}
	v := []*big.Int{rnd, new(big.Int).Sub(n, rnd), new(big.Int).Rsh(n, 1), new(big.Int).Rsh(new(big.Int).Add(n, big.NewInt(1)), 1), new(big.Int).Lsh(big.NewInt(1), 128)}
	for _, d := range []int64{0, 1, 2, 3, 16, 17, 32} {
		v = append(v, big.NewInt(d), new(big.Int).Sub(n, big.NewInt(d)))
	}
	return v
}

// TestEdges: signatures whose u1·G + u2·Q is the identity (rejected) or a
// doubling, or has u1 = 0, u2 = ±1 or n − 1; signatures whose R has
// x(R) ≥ n (valid with r = x(R) − n only) or x(R) < p − n (never valid with
// r = x(R) + n). Ours decides as crypto/ecdsa on both paths, and both give
// the result the construction fixes.
func TestEdges(t *testing.T) {
	vals := edgeScalars(t)
	keys := testKeys(t)
	var valid, invalid int
	for _, k := range keys {
		for _, u2 := range vals {
			if new(big.Int).Mod(u2, n).Sign() == 0 {
				continue // r ≢ 0: never u2 ≡ 0
			}
			bd := new(big.Int).Mul(u2, k.d)
			us := append([]*big.Int{
				new(big.Int).Mod(bd, n),                                  // u1·G = u2·Q: a doubling
				new(big.Int).Mod(new(big.Int).Neg(bd), n),                // u1·G = −u2·Q: the identity
				new(big.Int).Mod(new(big.Int).Lsh(bd, 1), n),             // u1·G = 2·u2·Q
				new(big.Int).Mod(new(big.Int).Sub(big.NewInt(1), bd), n), // u1·G + u2·Q = G
			}, vals...)
			for _, u1 := range us {
				what := fmt.Sprintf("u1 %x, u2 %x", u1, u2)
				hash, r, s, want := k.edgeSig(t, u1, u2)
				if std := k.agree(t, what, hash, r, s); std != want {
					t.Errorf("%s: key %s: crypto/ecdsa %v, want %v", what, k.name, std, want)
				}
				if e := new(big.Int).Add(new(big.Int).SetBytes(hash), n); e.BitLen() <= 256 {
					if std := k.agree(t, what+", e + n", be32(e)[:], r, s); std != want {
						t.Errorf("%s, e + n: key %s: crypto/ecdsa %v, want %v", what, k.name, std, want)
					}
				}
				if want {
					valid++
				} else {
					invalid++
				}
			}
		}
	}
	if valid == 0 || invalid < len(keys) {
		t.Fatalf("%d valid, %d invalid signatures", valid, invalid)
	}
	t.Logf("%d valid, %d at the identity", valid, invalid)

	// R chosen first, then the key that makes (r, s) over e verify:
	// Q = r⁻¹·(s·R − e·G), so that u1·G + u2·Q = R.
	keyFor := func(name string, R *nistec.P256Point, r, s, e *big.Int) *testKey {
		q := mult(t, R, s)
		q.Add(q, nistec.NewP256Point().Negate(baseMult(t, e)))
		w := new(big.Int).ModInverse(r, n)
		if w == nil {
			t.Fatalf("%s: r = %x", name, r)
		}
		q = mult(t, q, w)
		return keyFromBytes(t, name, q.Bytes())
	}
	point := func(x, y *big.Int) *nistec.P256Point {
		p, err := nistec.NewP256Point().SetBytes(append(append([]byte{4}, be32(x)[:]...), be32(y)[:]...))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		from *big.Int
	}{
		{"x(R) ≥ n", new(big.Int).Add(n, big.NewInt(1))}, // x(R) = n would make r = 0
		{"x(R) < p − n", big.NewInt(1)},                  // x(R) = 0 would make r = 0
		{"x(R) just below n", new(big.Int).Sub(n, big.NewInt(1000))},
	} {
		x, y := smallPoint(t, tc.from)
		R := point(x, y)
		for i, se := range [][2]*big.Int{{big.NewInt(1), big.NewInt(0)}, {big.NewInt(7), big.NewInt(11)}, {new(big.Int).Rsh(n, 3), fixedD}} {
			s, e := se[0], se[1]
			r := new(big.Int).Mod(x, n)
			k := keyFor(fmt.Sprintf("%s #%d", tc.name, i), R, r, s, e)
			hash := be32(e)[:]
			if !k.agree(t, tc.name+", r = x(R) mod n", hash, r.Bytes(), s.Bytes()) {
				t.Errorf("%s: r = x(R) mod n = %x rejected", tc.name, r)
			}
			for _, bad := range []*big.Int{x, new(big.Int).Add(x, n), new(big.Int).Sub(x, n)} {
				if bad.Cmp(r) == 0 || bad.Sign() < 0 {
					continue
				}
				if k.agree(t, tc.name+", r ≢ x(R) mod n", hash, bad.Bytes(), s.Bytes()) {
					t.Errorf("%s: x(R) = %x, r = %x verifies", tc.name, x, bad)
				}
			}
		}
	}
}

// realSig is one of the ECDSA P-256 signatures of a real TDX quote.
type realSig struct {
	name   string
	key    *testKey
	signed []byte
	r, s   []byte // r ‖ s signatures (the quote's, the QE report's)
	der    []byte // or a DER one (the PCK certificate's)
}

// realSigs returns the signatures of go-tdx-guest's v4 and v5 quotes: by the
// attestation key over the header and body, by the PCK key over the QE
// report, and by the PCK's CA over the PCK certificate.
func realSigs(t *testing.T) []realSig {
	t.Helper()
	var out []realSig
	seen := map[string]bool{}
	for _, raw := range []struct {
		name string
		b    []byte
	}{{"v4", tdxdata.RawQuote}, {"v5", tdxdata.RawQuoteV5}} {
		q, _, err := tdx.ParsePrefix(raw.b)
		if err != nil {
			t.Fatalf("%s: %v", raw.name, err)
		}
		// The PEM chain: PCK, its CA, the root. (Parsed here rather than with
		// certs/intel, a package that may come to import this one.)
		var certs []*x509.Certificate
		for rest := q.PCKChain(); ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatalf("%s: %v", raw.name, err)
			}
			certs = append(certs, c)
		}
		if len(certs) != 3 {
			t.Fatalf("%s: %d certificates in the PCK chain", raw.name, len(certs))
		}
		pckKey := keyFromBytes(t, raw.name+" PCK", pubBytes(t, certs[0]))
		caKey := keyFromBytes(t, raw.name+" PCK CA", pubBytes(t, certs[1]))
		sig, qeSig := q.Signature(), q.QEReportSignature()
		for _, s := range []realSig{
			{name: raw.name + " quote", key: keyFromBytes(t, raw.name+" attestation key", append([]byte{4}, q.AttestationKey()...)), signed: q.SignedData(), r: sig[:32], s: sig[32:]},
			{name: raw.name + " QE report", key: pckKey, signed: q.QEReport().Raw(), r: qeSig[:32], s: qeSig[32:]},
			{name: raw.name + " PCK certificate", key: caKey, signed: certs[0].RawTBSCertificate, der: certs[0].Signature},
		} {
			if id := string(s.r) + string(s.s) + string(s.der); !seen[id] {
				seen[id] = true
				out = append(out, s)
			}
		}
		if certs[0].SignatureAlgorithm != x509.ECDSAWithSHA256 {
			t.Fatalf("%s: PCK certificate signed with %v", raw.name, certs[0].SignatureAlgorithm)
		}
	}
	return out
}

func pubBytes(t *testing.T, c *x509.Certificate) []byte {
	t.Helper()
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("%s: a %T key", c.Subject, c.PublicKey)
	}
	b, err := pub.Bytes()
	if err != nil {
		t.Fatalf("%s: %v", c.Subject, err)
	}
	return b
}

// TestBitFlipRealQuotes: every real signature verifies, with a table and
// without, and so does crypto/ecdsa; every single-bit flip of r and s (or of
// the DER signature) and of the signed bytes makes ours reject on both paths
// (crypto/ecdsa too, checked on every 16th). Of a certificate's signed bytes,
// and in -short mode of all, one bit a byte only.
func TestBitFlipRealQuotes(t *testing.T) {
	sigs := realSigs(t)
	if len(sigs) != 6 { // 2 quotes × (quote, QE report, PCK certificate)
		t.Fatalf("%d distinct signatures, want 6", len(sigs))
	}
	flips := 0
	for _, rs := range sigs {
		t.Run(rs.name, func(t *testing.T) {
			k := rs.key
			// verify reports ours on both paths; every 16th, crypto/ecdsa too.
			verify := func(what string, i int, hash, r, s, der []byte) bool {
				t.Helper()
				var noTable, withTable, std bool
				if der != nil {
					noTable, withTable = k.oursASN1(t, hash, der)
					if i%16 == 0 {
						std = ecdsa.VerifyASN1(k.pub, hash, der)
					}
				} else {
					noTable, withTable = k.ours(t, hash, r, s)
					if i%16 == 0 {
						std = ecdsa.Verify(k.pub, hash, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
					}
				}
				if noTable != withTable || i%16 == 0 && std != noTable {
					t.Fatalf("%s, flip %d: ours %v without a table, %v with; crypto/ecdsa %v", what, i, noTable, withTable, std)
				}
				flips++
				return noTable
			}
			h := sha256.Sum256(rs.signed)
			if !verify("genuine", 0, h[:], rs.r, rs.s, rs.der) {
				t.Fatal("genuine signature rejected")
			}
			flipped := func(b []byte, i int) []byte {
				b = bytes.Clone(b)
				b[i/8] ^= 1 << (i % 8)
				return b
			}
			if rs.der != nil {
				for i := range 8 * len(rs.der) {
					if verify("DER", i, h[:], nil, nil, flipped(rs.der, i)) {
						t.Fatalf("DER bit %d flipped verifies", i)
					}
				}
			} else {
				for i := range 8 * len(rs.r) {
					if verify("r", i, h[:], flipped(rs.r, i), rs.s, nil) || verify("s", i, h[:], rs.r, flipped(rs.s, i), nil) {
						t.Fatalf("r or s bit %d flipped verifies", i)
					}
				}
			}
			msg := bytes.Clone(rs.signed)
			for i := range 8 * len(msg) {
				if (testing.Short() || rs.der != nil) && i%8 != i/8%8 {
					continue // one bit a byte
				}
				msg[i/8] ^= 1 << (i % 8)
				hh := sha256.Sum256(msg)
				msg[i/8] ^= 1 << (i % 8)
				if verify("signed bytes", i, hh[:], rs.r, rs.s, rs.der) {
					t.Fatalf("signed bit %d flipped verifies", i)
				}
			}
		})
	}
	t.Logf("%d signatures, %d verifications on both paths", len(sigs), flips)
}

// plainKey returns the key d·G without a table, and its private key.
func plainKey(t testing.TB, d *big.Int) (*Key, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := NewKey(baseMult(t, d).Bytes())
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), be32(d)[:])
	if err != nil {
		t.Fatal(err)
	}
	return k, priv
}

// goodBad returns a signature by priv over hash and the same with a bit of s
// flipped.
func goodBad(t testing.TB, priv *ecdsa.PrivateKey, hash []byte) (r, s, badS []byte) {
	t.Helper()
	rr, ss, err := ecdsa.Sign(rand.Reader, priv, hash)
	if err != nil {
		t.Fatal(err)
	}
	badS = ss.Bytes()
	badS[len(badS)-1] ^= 4
	return rr.Bytes(), ss.Bytes(), badS
}

// TestTablesBounded: precomputing MaxTables+10 keys keeps at most MaxTables
// tables, dropping the oldest first; a key that lost its table verifies
// correctly and rebuilds it after UsesBeforeTable more valid signatures,
// which drops the then oldest; a key that lost a table it built by counting
// counts afresh.
func TestTablesBounded(t *testing.T) {
	if MaxTables*TableBytes > 6<<20 {
		t.Fatalf("%d tables of %d bytes: more than the documented 5 MB", MaxTables, TableBytes)
	}
	ResetTables()
	if c, b := Tables(); c != 0 || b != 0 {
		t.Fatalf("%d tables, %d bytes after emptying", c, b)
	}
	const extra = 10
	h := sha256.Sum256([]byte("bounded"))
	keys := make([]*Key, MaxTables+extra)
	privs := make([]*ecdsa.PrivateKey, len(keys))
	for i := range keys {
		keys[i], privs[i] = plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(1+i))))
		keys[i].Precompute()
		if !keys[i].Precomputed() {
			t.Fatalf("key %d: no table after Precompute", i)
		}
		if c, b := Tables(); c != min(i+1, MaxTables) || b != c*TableBytes {
			t.Fatalf("after %d keys: %d tables, %d bytes", i+1, c, b)
		}
	}
	check := func(when string, has func(i int) bool) {
		t.Helper()
		for i, k := range keys {
			if k.Precomputed() != has(i) {
				t.Fatalf("%s: key %d: Precomputed() = %v", when, i, k.Precomputed())
			}
		}
	}
	check("after precomputing all", func(i int) bool { return i >= extra })

	// useUntilTable verifies with key i, a wrong and the genuine signature
	// in turn: right answers, no table until the UsesBeforeTable-th genuine
	// one (the wrong ones do not count).
	useUntilTable := func(when string, i int) {
		t.Helper()
		r, s, bad := goodBad(t, privs[i], h[:])
		for use := 1; use <= UsesBeforeTable; use++ {
			if keys[i].Verify(h[:], r, bad) {
				t.Fatalf("%s: key %d, use %d: a bad signature verifies", when, i, use)
			}
			if !keys[i].Verify(h[:], r, s) {
				t.Fatalf("%s: key %d, use %d: the genuine signature is rejected", when, i, use)
			}
			if got := keys[i].Precomputed(); got != (use == UsesBeforeTable) {
				t.Fatalf("%s: key %d, use %d: Precomputed() = %v", when, i, use, got)
			}
		}
		if !keys[i].Verify(h[:], r, s) || keys[i].Verify(h[:], r, bad) {
			t.Fatalf("%s: key %d: wrong with its rebuilt table", when, i)
		}
	}
	for i := range extra {
		useUntilTable("dropped", i)
	}
	check("after rebuilding the first", func(i int) bool { return i < extra || i >= 2*extra })
	if c, b := Tables(); c != MaxTables || b != MaxTables*TableBytes {
		t.Fatalf("%d tables, %d bytes", c, b)
	}
	// A key dropped by the rebuilds still verifies right.
	r, s, bad := goodBad(t, privs[extra], h[:])
	if !keys[extra].Verify(h[:], r, s) || keys[extra].Verify(h[:], r, bad) {
		t.Fatal("a dropped key verifies wrong")
	}
	if keys[extra].Precomputed() != (UsesBeforeTable <= 1) {
		t.Fatalf("a dropped key: Precomputed() = %v after 1 valid signature", keys[extra].Precomputed())
	}

	// MaxTables other keys drop every table, those rebuilt by counting too:
	// they count from zero again.
	others := make([]*Key, MaxTables) // held: the ring holds keys weakly
	for i := range others {
		others[i], _ = plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(100+i))))
		others[i].Precompute()
	}
	check("after MaxTables more", func(int) bool { return false })
	useUntilTable("dropped after counting", 0)
	if c, b := Tables(); c != MaxTables || b != MaxTables*TableBytes {
		t.Fatalf("%d tables, %d bytes", c, b)
	}
	runtime.KeepAlive(others)
	runtime.KeepAlive(keys)
}

// TestTablesOfDroppedKeys: the ring holds its keys weakly, so the table of a
// key nothing else holds any more (a QE proof or chain the caches let go
// of) is collected without waiting to be pushed out, while the tables of
// keys still held stay.
func TestTablesOfDroppedKeys(t *testing.T) {
	ResetTables()
	held := make([]*Key, 8)
	for i := range held {
		held[i], _ = plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(3000+i))))
		held[i].Precompute()
	}
	func() {
		for i := range 20 {
			k, _ := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(4000+i))))
			k.Precompute()
		}
	}()
	if n, _ := Tables(); n > len(held)+20 || n < len(held) {
		t.Fatalf("%d tables before collection, want between %d and %d", n, len(held), len(held)+20)
	}
	var n int
	for range 10 { // a weak pointer reads nil once its key was collected
		runtime.GC()
		if n, _ = Tables(); n == len(held) {
			break
		}
	}
	if n != len(held) {
		t.Fatalf("%d tables after the other keys were dropped and collected, want the %d held", n, len(held))
	}
	for i, k := range held {
		if !k.Precomputed() {
			t.Fatalf("held key %d lost its table", i)
		}
	}
	runtime.KeepAlive(held)
}

// TestUsesBeforeTable: a fresh key has no table before its
// UsesBeforeTable-th valid signature and has one after it. Only valid
// signatures count: wrong or out-of-range signatures, and DER that does not
// parse, interleaved with them, never do.
func TestUsesBeforeTable(t *testing.T) {
	k, priv := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(1000)))
	h := sha256.Sum256([]byte("uses"))
	r, s, bad := goodBad(t, priv, h[:])
	der, err := ecdsa.SignASN1(rand.Reader, priv, h[:])
	if err != nil {
		t.Fatal(err)
	}
	genuine := []struct {
		name string
		call func() bool
	}{
		{"genuine", func() bool { return k.Verify(h[:], r, s) }},
		{"genuine DER", func() bool { return k.VerifyASN1(h[:], der) }},
	}
	junk := []struct {
		name string
		call func() bool
	}{
		{"bad s", func() bool { return k.Verify(h[:], r, bad) }},
		{"r = 0", func() bool { return k.Verify(h[:], nil, s) }},
		{"malformed DER", func() bool { return k.VerifyASN1(h[:], []byte{0x30, 0}) }},
		{"DER with a trailing byte", func() bool { return k.VerifyASN1(h[:], append(bytes.Clone(der), 0)) }},
	}
	for i := range UsesBeforeTable {
		for range UsesBeforeTable { // far more junk than the threshold: none of it counts
			for _, c := range junk {
				if c.call() {
					t.Fatalf("%s verifies", c.name)
				}
			}
		}
		if k.Precomputed() {
			t.Fatalf("a table after %d valid signatures and junk", i)
		}
		c := genuine[i%len(genuine)]
		if !c.call() {
			t.Fatalf("use %d (%s) does not verify", i+1, c.name)
		}
		if got := k.Precomputed(); got != (i+1 == UsesBeforeTable) {
			t.Fatalf("after valid signature %d (%s): Precomputed() = %v", i+1, c.name, got)
		}
	}
	for _, c := range genuine {
		if !c.call() {
			t.Fatalf("%s with the table does not verify", c.name)
		}
	}
	for _, c := range junk {
		if c.call() {
			t.Fatalf("%s with the table verifies", c.name)
		}
	}

	// Precompute builds the table at once; the key is then done counting.
	k2, _ := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(1001)))
	k2.Precompute()
	if !k2.Precomputed() {
		t.Fatal("no table after Precompute")
	}
}

// TestConcurrent: goroutines verifying genuine and wrong signatures with one
// fresh key get the right answers while its table is built; goroutines
// verifying with a few keys get them while others precompute enough keys
// for theirs to be dropped and rebuilt. Run it under -race.
func TestConcurrent(t *testing.T) {
	goroutines, rounds := 8, 40
	if testing.Short() {
		rounds = 12
	}
	h := sha256.Sum256([]byte("concurrent"))
	run := func(n int, f func(g int)) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range n {
			wg.Go(func() {
				<-start
				f(g)
			})
		}
		close(start)
		wg.Wait()
	}

	k, priv := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(2000)))
	r, s, bad := goodBad(t, priv, h[:])
	run(goroutines, func(g int) {
		for i := range rounds {
			if ok := k.Verify(h[:], r, s); !ok {
				t.Errorf("goroutine %d, round %d: genuine rejected", g, i)
			}
			if k.Verify(h[:], r, bad) || k.Verify(h[:h[0]%32], r, s) {
				t.Errorf("goroutine %d, round %d: wrong signature verifies", g, i)
			}
		}
	})
	if !k.Precomputed() {
		t.Fatal("no table after concurrent uses")
	}

	// Churn: verifiers use 4 keys while precomputers drop their tables.
	type signed struct {
		k          *Key
		r, s, badS []byte
	}
	var set []signed
	for i := range 4 {
		k, priv := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(3000+i))))
		r, s, bad := goodBad(t, priv, h[:])
		set = append(set, signed{k, r, s, bad})
	}
	churn := MaxTables + 16 // more than the ring holds
	precomputers := 2
	var churned []*Key
	for i := range churn {
		k, _ := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(int64(4000+i))))
		churned = append(churned, k)
	}
	run(goroutines, func(g int) {
		if g < precomputers {
			for i := g; i < len(churned); i += precomputers {
				churned[i].Precompute()
				if c, b := Tables(); c > MaxTables || b > MaxTables*TableBytes {
					t.Errorf("%d tables, %d bytes", c, b)
				}
			}
			return
		}
		for i := range rounds * 2 {
			x := set[(g+i)%len(set)]
			if !x.k.Verify(h[:], x.r, x.s) || x.k.Verify(h[:], x.r, x.badS) {
				t.Errorf("goroutine %d, round %d: wrong answer", g, i)
			}
		}
	})
	if c, b := Tables(); c != MaxTables || b != MaxTables*TableBytes {
		t.Fatalf("%d tables, %d bytes", c, b)
	}
	runtime.KeepAlive(churned) // held to the count: the ring holds keys weakly
	runtime.KeepAlive(set)
}

// signDER returns a DER signature of r and s (any non-negative integers, as a
// signer writes them).
func signDER(r, s []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(r))
		b.AddASN1BigInt(new(big.Int).SetBytes(s))
	})
	return b.BytesOrPanic()
}

// FuzzVerify is a differential fuzz target: for fixed keys (G, −G, 2G and
// the fixed key, whose signatures seed the corpus), any hash, r and s, ours
// must decide as crypto/ecdsa does, without a table and with one, for r and
// s as integers and as DER (well-formed from them, and their raw bytes).
func FuzzVerify(f *testing.F) {
	keys := testKeys(f)
	fixed := keys[3]
	for i := range 4 {
		h := sha256.Sum256([]byte{byte(i)})
		der, err := fixed.priv(f).Sign(nil, h[:], crypto.SHA256) // RFC 6979: deterministic seeds
		if err != nil {
			f.Fatal(err)
		}
		var r, s []byte
		in, inner := cryptobyte.String(der), cryptobyte.String(nil)
		if !in.ReadASN1(&inner, asn1.SEQUENCE) || !inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) {
			f.Fatalf("DER %x", der)
		}
		f.Add(uint8(3), h[:], r, s)
		f.Add(uint8(3), h[:], r, new(big.Int).Sub(n, new(big.Int).SetBytes(s)).Bytes())
	}
	// Sums at the identity and doublings (u1·G = ∓u2·Q), u1 = 0, u2 = 1.
	one := big.NewInt(1)
	for ki, k := range keys {
		for _, u := range [][2]*big.Int{{new(big.Int).Set(k.d), one}, {new(big.Int).Sub(n, k.d), one}, {big.NewInt(0), one}, {one, new(big.Int).Sub(n, one)}} {
			hash, r, s, _ := k.edgeSig(f, u[0], u[1])
			f.Add(uint8(ki), hash, r, s)
		}
	}
	b := []byte{1}
	f.Add(uint8(0), []byte{}, b, b)
	f.Add(uint8(0), b, params.Gx.Bytes(), b)
	f.Add(uint8(1), params.Gx.Bytes(), params.Gx.Bytes(), new(big.Int).Sub(n, one).Bytes())
	f.Add(uint8(2), make([]byte, 64), n.Bytes(), b)
	f.Add(uint8(2), n.Bytes(), b, n.Bytes())
	f.Fuzz(func(t *testing.T, ki uint8, hash, r, s []byte) {
		if len(r) > 100 || len(s) > 100 || len(hash) > 200 {
			return
		}
		k := keys[int(ki)%len(keys)]
		k.agree(t, "r, s", hash, r, s)
		k.agreeASN1(t, "DER of r, s", hash, signDER(r, s))
		k.agreeASN1(t, "r ‖ s as DER", hash, append(r[:len(r):len(r)], s...))
	})
}

// FuzzTableMult compares the table's k·Q with nistec's ScalarMult for any
// 32-byte scalar (the input zero-padded on the left or truncated) and Q
// among G, −G, 2G and the fixed key.
func FuzzTableMult(f *testing.F) {
	keys := testKeys(f)
	for i, s := range testScalars(0) {
		if i%8 == 0 {
			f.Add(uint8(i), s[:])
		}
	}
	f.Add(uint8(0), n.Bytes())
	f.Add(uint8(1), new(big.Int).Sub(n, big.NewInt(1)).Bytes())
	f.Add(uint8(2), []byte{})
	f.Add(uint8(3), bytes.Repeat([]byte{0xff}, 33))
	f.Fuzz(func(t *testing.T, ki uint8, in []byte) {
		var s [32]byte
		if len(in) > 32 {
			in = in[:32]
		}
		copy(s[32-len(in):], in)
		k := keys[int(ki)%len(keys)]
		got := k.key.tab.Load().mult(new(nistec.P256Point), &s).Bytes()
		want, err := nistec.NewP256Point().ScalarMult(k.key.q, s[:])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("key %s: table %x·Q = %x, nistec %x", k.name, s, got, want.Bytes())
		}
	})
}

// TestResetTables: after ResetTables no key has a table, and every key
// counts afresh, those that never built one too: a key one valid signature
// short of its table needs UsesBeforeTable more.
func TestResetTables(t *testing.T) {
	h := sha256.Sum256([]byte("reset"))
	with, wpriv := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(2000)))
	short, spriv := plainKey(t, new(big.Int).Add(fixedD, big.NewInt(2001)))
	with.Precompute()
	r, s, _ := goodBad(t, spriv, h[:])
	for range UsesBeforeTable - 1 {
		if !short.Verify(h[:], r, s) {
			t.Fatal("genuine signature rejected")
		}
	}
	if !with.Precomputed() || short.Precomputed() {
		t.Fatalf("before the reset: Precomputed() = %v, %v; want true, false", with.Precomputed(), short.Precomputed())
	}
	ResetTables()
	if n, b := Tables(); n != 0 || b != 0 || with.Precomputed() {
		t.Fatalf("after the reset: %d tables, %d bytes, precomputed key still has one: %v", n, b, with.Precomputed())
	}
	wr, ws, _ := goodBad(t, wpriv, h[:])
	for use := 1; use <= UsesBeforeTable; use++ {
		if !short.Verify(h[:], r, s) || !with.Verify(h[:], wr, ws) {
			t.Fatal("genuine signature rejected")
		}
		if got := short.Precomputed(); got != (use == UsesBeforeTable) {
			t.Fatalf("valid signature %d after the reset: Precomputed() = %v", use, got)
		}
		if got := with.Precomputed(); got != (use == UsesBeforeTable) {
			t.Fatalf("valid signature %d after the reset, key that had a table: Precomputed() = %v", use, got)
		}
	}
}
