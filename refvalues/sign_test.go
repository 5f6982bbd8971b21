// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
	vcorim "github.com/veraison/corim/corim"
	cose "github.com/veraison/go-cose"
)

func builtSNP(t *testing.T) []byte {
	t.Helper()
	tm, err := ParseTemplate(readTestdata(t, "template-snp.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Build(tm)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSignVerify(t *testing.T) {
	raw := builtSNP(t)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, kind := range []string{"p256", "p384", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			key, other := newKey(t, kind), newKey(t, kind)
			signed, err := Sign(raw, key, SignOptions{Signer: "Example Corp.", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Load(signed, LoadOptions{Name: kind, Keys: trusted(key.Public()), Time: now})
			if err != nil {
				t.Fatal(err)
			}
			tp, _ := Thumbprint(key.Public())
			if doc.Format != "signed-corim" || doc.Signer.Name != "Example Corp." || doc.Signer.Key != hex.EncodeToString(tp) || len(doc.References) != 1 {
				t.Errorf("document: %+v signer %+v", doc, doc.Signer)
			}
			// Several trusted keys: any one verifies.
			if _, err := Load(signed, LoadOptions{Keys: trusted(other.Public(), key.Public()), Time: now}); err != nil {
				t.Errorf("second trusted key: %v", err)
			}
			tampered := bytes.Clone(signed)
			i := bytes.Index(tampered, bytes.Repeat([]byte{0x6c}, 48))
			if i < 0 {
				t.Fatal("measurement not found in the signed CoRIM")
			}
			tampered[i+7] ^= 1
			for _, tc := range []struct {
				name string
				data []byte
				opts LoadOptions
				want error
			}{
				{"wrong key", signed, LoadOptions{Keys: trusted(other.Public()), Time: now}, ErrUntrustedSigner},
				{"no trust", signed, LoadOptions{Time: now}, ErrUntrustedSigner},
				{"tampered payload", tampered, LoadOptions{Keys: trusted(key.Public()), Time: now}, ErrSignature},
				{"expired", signed, LoadOptions{Keys: trusted(key.Public()), Time: now.Add(2 * time.Hour)}, ErrExpired},
				{"not yet valid", signed, LoadOptions{Keys: trusted(key.Public()), Time: now.Add(-2 * time.Hour)}, ErrNotYetValid},
				{"unsigned", raw, LoadOptions{Keys: trusted(key.Public()), Time: now}, ErrUnsigned},
			} {
				if _, err := Load(tc.data, tc.opts); !errors.Is(err, tc.want) {
					t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
				}
			}
			// Oracle: veraison/corim decodes what we sign and verifies it.
			if kind != "ed25519" {
				var sc vcorim.SignedCorim
				if err := sc.FromCOSE(signed); err != nil {
					t.Fatalf("corim FromCOSE: %v", err)
				}
				if err := sc.Verify(key.Public()); err != nil {
					t.Errorf("corim Verify: %v", err)
				}
				if sc.Meta.Signer.Name != "Example Corp." {
					t.Errorf("corim meta signer %q", sc.Meta.Signer.Name)
				}
			}
		})
	}
	if _, err := Sign(raw, mustRSA(t), SignOptions{}); !errors.Is(err, ErrKey) {
		t.Errorf("RSA key: %v, want ErrKey", err)
	}
	if _, err := Sign([]byte{0xa0}, newKey(t, "p256"), SignOptions{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("not a CoRIM: %v", err)
	}
}

func mustRSA(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := rsaKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRimValidity(t *testing.T) {
	tm, err := ParseTemplate(readTestdata(t, "template-snp.json"))
	if err != nil {
		t.Fatal(err)
	}
	na := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	nb := na.Add(-24 * time.Hour)
	tm.NotBefore, tm.NotAfter = &nb, &na
	raw, err := Build(tm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(raw, LoadOptions{AllowUnsigned: true, Time: na.Add(time.Second)}); !errors.Is(err, ErrExpired) {
		t.Errorf("after rim-validity: %v", err)
	}
	if _, err := Load(raw, LoadOptions{AllowUnsigned: true, Time: nb.Add(-time.Second)}); !errors.Is(err, ErrNotYetValid) {
		t.Errorf("before rim-validity: %v", err)
	}
	doc, err := Load(raw, LoadOptions{AllowUnsigned: true, Time: na.Add(-time.Hour)})
	if err != nil || !doc.NotAfter.Equal(na) {
		t.Errorf("inside rim-validity: %v", err)
	}
}

// testPKI makes a root and a leaf certificate for key, valid in [nb, na].
func testPKI(t *testing.T, key crypto.Signer, nb, na time.Time) (root, leaf *x509.Certificate) {
	t.Helper()
	rk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CoRIM root"},
		NotBefore: nb, NotAfter: na.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rder, err := x509.CreateCertificate(rand.Reader, rt, rt, rk.Public(), rk)
	if err != nil {
		t.Fatal(err)
	}
	root, _ = x509.ParseCertificate(rder)
	lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test CoRIM signer"},
		NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageDigitalSignature}
	lder, err := x509.CreateCertificate(rand.Reader, lt, root, key.Public(), rk)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(lder)
	return root, leaf
}

func TestX5Chain(t *testing.T) {
	raw := builtSNP(t)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	key := newKey(t, "p256")
	root, leaf := testPKI(t, key, now.Add(-time.Hour), now.Add(time.Hour))
	otherRoot, _ := testPKI(t, newKey(t, "p256"), now.Add(-time.Hour), now.Add(time.Hour))
	signed, err := Sign(raw, key, SignOptions{Chain: []*x509.Certificate{leaf, root}})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	doc, err := Load(signed, LoadOptions{Roots: pool, Time: now})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Signer.Subject != "CN=test CoRIM signer" {
		t.Errorf("signer %+v", doc.Signer)
	}
	other := x509.NewCertPool()
	other.AddCert(otherRoot)
	for _, tc := range []struct {
		name string
		opts LoadOptions
		want error
	}{
		{"carried key alone", LoadOptions{Time: now}, ErrUntrustedSigner},
		{"other root", LoadOptions{Roots: other, Time: now}, ErrUntrustedSigner},
		{"leaf expired", LoadOptions{Roots: pool, Time: now.Add(2 * time.Hour)}, ErrExpired},
		{"leaf not yet valid", LoadOptions{Roots: pool, Time: now.Add(-2 * time.Hour)}, ErrNotYetValid},
	} {
		if _, err := Load(signed, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Sign(raw, newKey(t, "p256"), SignOptions{Chain: []*x509.Certificate{leaf}}); !errors.Is(err, ErrKey) {
		t.Errorf("x5chain of another key: %v", err)
	}
}

// coseWith signs raw under headers of the test's choosing.
func coseWith(t *testing.T, key crypto.Signer, hdr map[any]any) []byte {
	t.Helper()
	s, err := cose.NewSigner(cose.AlgorithmES256, key)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	for k, v := range hdr {
		msg.Headers.Protected[k] = v
	}
	msg.Payload = builtSNP(t)
	if err := msg.Sign(rand.Reader, nil, s); err != nil {
		t.Fatal(err)
	}
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignedHeaders(t *testing.T) {
	key := newKey(t, "p256")
	opts := LoadOptions{Keys: trusted(key.Public()), Time: time.Date(2025, 9, 10, 16, 21, 26, 0, time.UTC)}
	cwt := map[any]any{int64(1): "ACME Ltd.", int64(4): int64(1757521287), int64(5): int64(1757521286)}
	for _, tc := range []struct {
		name string
		hdr  map[any]any
		at   time.Time
		want error
	}{
		{"cwt claims inside", map[any]any{int64(3): rimContentType, int64(15): cwt}, opts.Time.Add(500 * time.Millisecond), nil},
		{"cwt exp", map[any]any{int64(3): rimContentType, int64(15): cwt}, opts.Time.Add(time.Hour), ErrExpired},
		{"cwt nbf", map[any]any{int64(3): rimContentType, int64(15): cwt}, opts.Time.Add(-time.Hour), ErrNotYetValid},
		{"no content type", map[any]any{}, opts.Time, ErrMalformed},
		{"other content type", map[any]any{int64(3): "application/json"}, opts.Time, ErrMalformed},
		{"unknown critical", map[any]any{int64(3): rimContentType, int64(2): []any{int64(99)}, int64(99): int64(1)}, opts.Time, ErrUnsupported},
		{"hash envelope", map[any]any{int64(3): rimContentType, int64(258): int64(-16)}, opts.Time, ErrUnsupported},
	} {
		o := opts
		o.Time = tc.at
		doc, err := Load(coseWith(t, key, tc.hdr), o)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == nil && err == nil && doc.Signer.Name != "ACME Ltd." {
			t.Errorf("%s: signer %q from CWT iss", tc.name, doc.Signer.Name)
		}
	}
}

// jwkPublic reads the EC public key of a JWK file in the shared vectors.
func jwkPublic(t *testing.T, rel string) *ecdsa.PublicKey {
	t.Helper()
	var j struct{ X, Y string }
	if err := json.Unmarshal(vectors.Read(t, rel), &j); err != nil {
		t.Fatal(err)
	}
	x, err1 := base64.RawURLEncoding.DecodeString(j.X)
	y, err2 := base64.RawURLEncoding.DecodeString(j.Y)
	if err1 != nil || err2 != nil {
		t.Fatal("jwk coordinates")
	}
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
}

// TestVeraisonSigned verifies Veraison's signed test CoRIMs with the JWK they
// were made with (public test material), inside and after their validity.
func TestVeraisonSigned(t *testing.T) {
	pub := jwkPublic(t, "corim/veraison-corim@53b3014/corim/testcases/src/ec-p256.jwk")
	jwkKey := []TrustedKey{{Public: pub, KID: []byte("1")}} // the JWK's kid, which the newer CoRIMs carry
	other := newKey(t, "p256").Public()
	for _, tc := range []struct {
		file    string
		opts    LoadOptions
		want    error
		profile string
	}{
		{"veraison-corim@53b3014/corim/testcases/signed-good-corim.cbor", LoadOptions{Keys: jwkKey, Time: at2024}, nil, ""},
		{"veraison-corim@53b3014/corim/testcases/signed-good-corim.cbor", LoadOptions{Keys: jwkKey, Time: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)}, ErrExpired, ""},
		{"veraison-corim@53b3014/corim/testcases/signed-good-corim.cbor", LoadOptions{Keys: trusted(other), Time: at2024}, ErrUntrustedSigner, ""},
		{"veraison-corim@53b3014/corim/testcases/signed-example-corim.cbor", LoadOptions{Keys: jwkKey, Time: at2024}, nil, "http://example.com/example-profile"},
		{"veraison-corim@53b3014/corim/testcases/signed-corim-with-extensions.cbor", LoadOptions{Keys: jwkKey, Time: at2024}, nil, "http://example.com/test-profile"},
		{"veraison-corim@v1.1.2/cocli/data/corim/signed-corim.cbor", LoadOptions{Keys: trusted(pub), Time: at2024}, nil, "http://arm.com/psa/iot/1"},
		{"veraison-corim@v1.1.2/cocli/data/corim/signed-corim.cbor", LoadOptions{Keys: trusted(other), Time: at2024}, ErrSignature, ""},
		{"veraison-corim@v1.1.2/cocli/data/corim/signed-corim-cbor", LoadOptions{Keys: trusted(pub), Time: at2024}, nil, "http://arm.com/psa/iot/1"},
		{"veraison-corim@v1.1.2/cocli/data/corim/signed-corim-cbor", LoadOptions{Keys: trusted(pub)}, ErrExpired, ""}, // rim-validity ends 2025-12-31
	} {
		data := vectors.Read(t, filepath.Join("corim", tc.file))
		doc, err := Load(data, tc.opts)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.file, err, tc.want)
			continue
		}
		if err == nil && doc.Profile != tc.profile {
			t.Errorf("%s: profile %q, want %q", tc.file, doc.Profile, tc.profile)
		}
	}
	// A payload byte flipped: the kid names the trusted key, so it is tampering.
	data := bytes.Clone(vectors.Read(t, "corim/veraison-corim@53b3014/corim/testcases/signed-good-corim.cbor"))
	i := bytes.Index(data, []byte("RoadRunner"))
	data[i] ^= 0x20
	if _, err := Load(data, LoadOptions{Keys: jwkKey, Time: at2024}); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered signed-good-corim: %v, want ErrSignature", err)
	}
}

func TestInspect(t *testing.T) {
	raw := builtSNP(t)
	key := newKey(t, "p256")
	signed, err := Sign(raw, key, SignOptions{Signer: "Example Corp.", NotAfter: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Inspect(signed, "x.corim")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Signer.Name != "Example Corp." || len(doc.References) != 1 || doc.Format != "signed-corim (not verified)" {
		t.Errorf("inspected: %+v", doc)
	}
	var expired bool
	for _, n := range doc.Notes {
		expired = expired || strings.Contains(n, "expired")
	}
	if !expired {
		t.Errorf("notes do not say it expired: %v", doc.Notes)
	}
	claims := map[string]any{"measurement": strings.Repeat("6c", 48)}
	if r := (Set{doc}).Match(SNP, claims); r.Status != NoReferenceValues {
		t.Errorf("Match used an inspected document: %s", r.Status)
	}
}
