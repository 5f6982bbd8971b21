// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Seed derives every key, nonce, salt and filler byte of a generation from one
// secret string, by label: the same seed and label always give the same bytes.
// It is for test vectors only: nothing it derives is secret.
type Seed struct {
	prk []byte
}

// NewSeed returns the seed named by s (HKDF-SHA-256 extract of s).
func NewSeed(s string) *Seed {
	prk, err := hkdf.Extract(sha256.New, []byte(s), []byte("ccverify testvectors"))
	if err != nil {
		panic(err) // HKDF extract of a byte string does not fail
	}
	return &Seed{prk: prk}
}

// Bytes returns n bytes derived for label.
func (s *Seed) Bytes(label string, n int) []byte {
	out := make([]byte, 0, n)
	r := s.Reader(label)
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		panic(err)
	}
	return append(out, buf...)
}

// Reader returns an endless deterministic stream for label: SHA-256 in
// counter mode over the seed's key and the label.
func (s *Seed) Reader(label string) io.Reader {
	return &stream{key: s.prk, label: label}
}

type stream struct {
	key     []byte
	label   string
	counter uint64
	buf     []byte
}

func (r *stream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.buf) == 0 {
			h := sha256.New()
			h.Write(r.key)
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], r.counter)
			h.Write(c[:])
			h.Write([]byte(r.label))
			r.buf = h.Sum(nil)
			r.counter++
		}
		k := copy(p[n:], r.buf)
		r.buf = r.buf[k:]
		n += k
	}
	return n, nil
}

// ECKey derives an ECDSA key on curve for label: a scalar from the seed,
// reduced into [1, N-1], made into a key with ecdsa.ParseRawPrivateKey (Go
// 1.26's GenerateKey ignores its reader).
func (s *Seed) ECKey(curve elliptic.Curve, label string) *ecdsa.PrivateKey {
	size := (curve.Params().BitSize + 7) / 8
	n := new(big.Int).Sub(curve.Params().N, big.NewInt(1))
	d := new(big.Int).SetBytes(s.Bytes("ec-key/"+label, size+16))
	d.Mod(d, n).Add(d, big.NewInt(1))
	k, err := ecdsa.ParseRawPrivateKey(curve, d.FillBytes(make([]byte, size)))
	if err != nil {
		panic(fmt.Sprintf("testvectors: key %s: %v", label, err))
	}
	return k
}

// RSAKey derives an RSA key of the given size (e = 65537) for label: each
// prime is the first probable prime (Miller-Rabin and Baillie-PSW, as
// math/big tests them, deterministically) p with gcd(p-1, e) = 1 at or above
// a seed-derived odd number with its two top bits set. Go 1.26's rsa.GenerateKey ignores its
// reader, hence this.
func (s *Seed) RSAKey(bits int, label string) *rsa.PrivateKey {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	prime := func(which string) *big.Int {
		b := s.Bytes("rsa-prime/"+label+"/"+which, bits/16)
		b[0] |= 0xC0
		b[len(b)-1] |= 1
		return nextPrime(new(big.Int).SetBytes(b), e)
	}
	p, q := prime("p"), prime("q")
	if p.Cmp(q) == 0 {
		panic("testvectors: equal primes")
	}
	n := new(big.Int).Mul(p, q)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	d := new(big.Int).ModInverse(e, phi)
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: []*big.Int{p, q}}
	k.Precompute()
	if err := k.Validate(); err != nil {
		panic(fmt.Sprintf("testvectors: RSA key %s: %v", label, err))
	}
	return k
}

// nextPrime returns the first probable prime p ≥ base (base odd) with
// gcd(p-1, e) = 1. A sieve by the primes below 2^16 skips most composites
// before math/big's test; it changes the speed, not the result.
func nextPrime(base, e *big.Int) *big.Int {
	const window = 4096 // candidates base + 2i
	one := big.NewInt(1)
	small := smallPrimes()
	for {
		var composite [window]bool
		for _, q := range small {
			r := new(big.Int).Mod(base, big.NewInt(int64(q))).Uint64()
			// base + 2i ≡ 0 (mod q)  ⇔  i ≡ (q - r) · 2⁻¹ (mod q)
			i := (q - r) % q * ((q + 1) / 2) % q
			for ; i < window; i += q {
				composite[i] = true
			}
		}
		for i := range uint64(window) {
			if composite[i] {
				continue
			}
			c := new(big.Int).Add(base, new(big.Int).SetUint64(2*i))
			if new(big.Int).GCD(nil, nil, new(big.Int).Sub(c, one), e).Cmp(one) == 0 && c.ProbablyPrime(20) {
				return c
			}
		}
		base = new(big.Int).Add(base, big.NewInt(2*window))
	}
}

// smallPrimes returns the odd primes below 2^16.
var smallPrimes = sync.OnceValue(func() []uint64 {
	const n = 1 << 16
	var sieve [n]bool
	var out []uint64
	for i := uint64(3); i < n; i += 2 {
		if sieve[i] {
			continue
		}
		out = append(out, i)
		for j := i * i; j < n; j += 2 * i {
			sieve[j] = true
		}
	}
	return out
})

// Signer returns a crypto.Signer over key whose signatures are deterministic,
// whatever reader the caller passes: ECDSA signs with RFC 6979 nonces (Go's
// ecdsa.PrivateKey.Sign with a nil reader); RSA-PSS takes its salt from the
// seed, by the digest signed; RSA PKCS #1 v1.5 is deterministic already.
// x509.CreateCertificate and CreateRevocationList then produce the same DER
// on every run.
func (s *Seed) Signer(key crypto.Signer) crypto.Signer {
	return detSigner{key: key, seed: s}
}

type detSigner struct {
	key  crypto.Signer
	seed *Seed
}

func (d detSigner) Public() crypto.PublicKey { return d.key.Public() }

func (d detSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	switch k := d.key.(type) {
	case *ecdsa.PrivateKey:
		return k.Sign(nil, digest, opts)
	case *rsa.PrivateKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			return rsa.SignPSS(d.seed.Reader("pss-salt/"+hex.EncodeToString(digest)), k, pss.HashFunc(), digest, pss)
		}
		return rsa.SignPKCS1v15(nil, k, opts.HashFunc(), digest)
	}
	return nil, fmt.Errorf("testvectors: unsupported key %T", d.key)
}

// signRaw signs digest with key (RFC 6979) and returns r and s as
// fixed-size big-endian integers of the curve's size.
func signRaw(key *ecdsa.PrivateKey, digest []byte, h crypto.Hash) (r, s []byte) {
	sig, err := key.Sign(nil, digest, h)
	if err != nil {
		panic(err)
	}
	var rb, sb []byte
	in := cryptobyte.String(sig)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !readInt(&seq, &rb) || !readInt(&seq, &sb) {
		panic(errors.New("testvectors: malformed ECDSA signature"))
	}
	size := (key.Curve.Params().BitSize + 7) / 8
	return new(big.Int).SetBytes(rb).FillBytes(make([]byte, size)), new(big.Int).SetBytes(sb).FillBytes(make([]byte, size))
}

func readInt(s *cryptobyte.String, out *[]byte) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.INTEGER) {
		return false
	}
	*out = v
	return true
}
