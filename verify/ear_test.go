// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/veraison/ear"
)

// reportDataOf is the REPORT_DATA of go-tdx-guest's v5 quote.
func reportDataOf(t *testing.T) []byte {
	t.Helper()
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026})
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(r.Claims["report_data"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBinding: evidence answers the request whose nonce its REPORT_DATA
// carries, and no other.
func TestBinding(t *testing.T) {
	rd := reportDataOf(t)
	opts := verify.Options{Offline: true, Time: at2026}
	for _, tt := range []struct {
		name    string
		binding verify.Binding
		ok      bool
	}{
		{"exact report data", verify.Binding{ReportData: rd}, true},
		{"nonce as the whole REPORT_DATA", verify.Binding{Nonce: rd}, true},
		{"other report data", verify.Binding{ReportData: flip(rd, 3)}, false},
		{"other nonce", verify.Binding{Nonce: flip(rd, 63)}, false},
		{"nonce hashed, REPORT_DATA is no hash of it", verify.Binding{Nonce: []byte("nonce-1234"), Hash: crypto.SHA384}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts.Binding = tt.binding
			r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, opts)
			if tt.ok {
				if err != nil || r.Status != ear.TrustTierWarning {
					t.Fatalf("%v, %v", r.Status, err)
				}
				if !strings.Contains(strings.Join(r.Reasons, "\n"), "REPORT_DATA binds the evidence") {
					t.Errorf("reasons %q", r.Reasons)
				}
				return
			}
			if !errors.Is(err, verify.ErrFreshness) || r.Status != ear.TrustTierContraindicated {
				t.Fatalf("%v, %v; want ErrFreshness, contraindicated", r.Status, err)
			}
			want, _ := tt.binding.Expected()
			if !strings.Contains(err.Error(), "REPORT_DATA "+hex.EncodeToString(rd)) || !strings.Contains(err.Error(), "want "+hex.EncodeToString(want)) {
				t.Errorf("error %v does not show both values", err)
			}
		})
	}
}

// TestBindingHash: REPORT_DATA = SHA-512(nonce ‖ runtime data), zero padded,
// the way Trustee binds runtime data; checked on the hash itself since real
// quotes do not carry our nonce.
func TestBindingHash(t *testing.T) {
	b := verify.Binding{Nonce: []byte("abc"), RuntimeData: []byte(`{"tee-pubkey":"x"}`), Hash: crypto.SHA512}
	got, err := b.Expected()
	sum := sha512.Sum512([]byte(`abc{"tee-pubkey":"x"}`))
	if err != nil || string(got) != string(sum[:]) {
		t.Errorf("Expected %x, %v; want %x", got, err, sum)
	}
	b = verify.Binding{Nonce: []byte("abc"), Hash: crypto.SHA256}
	got, _ = b.Expected()
	if len(got) != 64 || got[40] != 0 {
		t.Errorf("SHA-256 binding not zero padded: %x", got)
	}
	for _, bad := range []verify.Binding{
		{RuntimeData: []byte("x")},                          // runtime data without a hash
		{Nonce: make([]byte, 65)},                           // longer than REPORT_DATA
		{Nonce: []byte("n"), ReportData: []byte("r")},       // two expectations
		{Nonce: []byte("n"), Hash: crypto.MD5},              // not an allowed hash
		{ReportData: make([]byte, verify.ReportDataSize+1)}, // too long
	} {
		if _, err := bad.Expected(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
		_, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026, Binding: bad})
		if !errors.Is(err, verify.ErrFreshness) {
			t.Errorf("%+v: %v, want ErrFreshness", bad, err)
		}
	}
}

// TestEAR: the EAR carries the nonce, exp and kid; ear-go's own Verify
// accepts it; VerifyEAR refuses another key, a flipped byte, an expired
// token and another nonce, each with its own error.
func TestEAR(t *testing.T) {
	rd := reportDataOf(t)
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026, Binding: verify.Binding{Nonce: rd}})
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for _, k := range []struct {
		name string
		key  crypto.Signer
		alg  jwa.SignatureAlgorithm
	}{{"ES256", p256, jwa.ES256}, {"ES384", p384, jwa.ES384}, {"EdDSA", ed, jwa.EdDSA}} {
		t.Run(k.name, func(t *testing.T) {
			exp := time.Now().Add(time.Hour).Truncate(time.Second)
			token, err := verify.SignEAR(r.EAR(), k.key, verify.EAROptions{KeyID: "verifier-1", Expires: exp})
			if err != nil {
				t.Fatal(err)
			}
			msg, err := jws.Parse(token)
			if err != nil {
				t.Fatal(err)
			}
			if h := msg.Signatures()[0].ProtectedHeaders(); h.KeyID() != "verifier-1" || h.Algorithm() != k.alg {
				t.Errorf("header kid %q alg %v", h.KeyID(), h.Algorithm())
			}
			var payload struct {
				Exp   int64  `json:"exp"`
				Nonce string `json:"eat_nonce"`
			}
			if err := json.Unmarshal(msg.Payload(), &payload); err != nil || payload.Exp != exp.Unix() || payload.Nonce != base64.RawURLEncoding.EncodeToString(rd) {
				t.Errorf("payload exp %d nonce %q (%v)", payload.Exp, payload.Nonce, err)
			}
			// The relying party's library.
			var ar ear.AttestationResult
			if err := ar.Verify(token, k.alg, k.key.Public()); err != nil {
				t.Fatalf("ear-go Verify: %v", err)
			}
			if *ar.Submods["tdx"].Status != ear.TrustTierWarning {
				t.Errorf("status %v", *ar.Submods["tdx"].Status)
			}
			if _, err := verify.VerifyEAR(token, k.key.Public(), verify.EARVerifyOptions{Nonce: rd}); err != nil {
				t.Errorf("VerifyEAR: %v", err)
			}
			if _, err := verify.VerifyEAR(token, k.key.Public(), verify.EARVerifyOptions{Time: exp}); !errors.Is(err, verify.ErrEARExpired) {
				t.Errorf("at exp: %v, want ErrEARExpired", err)
			}
			if _, err := verify.VerifyEAR(token, k.key.Public(), verify.EARVerifyOptions{Nonce: []byte("another nonce")}); !errors.Is(err, verify.ErrEARNonce) {
				t.Errorf("another nonce: %v, want ErrEARNonce", err)
			}
			if _, err := verify.VerifyEAR(token, p384.Public(), verify.EARVerifyOptions{}); k.name != "ES384" && err == nil {
				t.Error("verified with another key")
			}
			bad := append([]byte(nil), token...)
			bad[len(bad)-10] ^= 1
			if _, err := verify.VerifyEAR(bad, k.key.Public(), verify.EARVerifyOptions{}); !errors.Is(err, verify.ErrEARSignature) {
				t.Errorf("flipped byte: %v, want ErrEARSignature", err)
			}
		})
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	token, _ := verify.SignEAR(r.EAR(), p256, verify.EAROptions{})
	if _, err := verify.VerifyEAR(token, &other.PublicKey, verify.EARVerifyOptions{}); !errors.Is(err, verify.ErrEARSignature) {
		t.Errorf("another key: %v, want ErrEARSignature", err)
	}
	if _, err := verify.SignEAR(r.EAR(), mustKey(elliptic.P521()), verify.EAROptions{}); !errors.Is(err, verify.ErrEARKey) {
		t.Errorf("P-521 key: %v, want ErrEARKey", err)
	}
}

// TestSignExpiry: a signed verdict expires no later than what it rests on.
func TestSignExpiry(t *testing.T) {
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026})
	if err != nil || r.Expires.IsZero() {
		t.Fatal(err, r.Expires)
	}
	key := mustKey(elliptic.P256())
	for _, tt := range []struct {
		lifetime time.Duration
		want     time.Time
	}{{0, r.Expires}, {time.Hour, time.Now().Add(time.Hour)}} {
		token, err := r.Sign(key, "", tt.lifetime)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := jws.Parse(token)
		var p struct{ Exp int64 }
		json.Unmarshal(msg.Payload(), &p)
		if d := time.Unix(p.Exp, 0).Sub(tt.want); d < -time.Minute || d > time.Minute {
			t.Errorf("lifetime %v: exp %v, want %v", tt.lifetime, time.Unix(p.Exp, 0), tt.want)
		}
	}
}

func mustKey(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// TestEARDraft03: with ProfileDraft03 the token carries draft-ietf-rats-ear-03's
// names and profile, a top-level ear_status no better than the worst
// submodule's, policy ids as an array and the nonce per appraisal; VerifyEAR
// reads it back to the same status, nonce and claims.
func TestEARDraft03(t *testing.T) {
	rd := reportDataOf(t)
	p, _ := verify.ParsePolicy([]byte(`{"allow_debug": false}`))
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026, Binding: verify.Binding{Nonce: rd}, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	key := mustKey(elliptic.P256())
	token, err := r.SignWith(key, verify.EAROptions{Profile: verify.ProfileDraft03}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := jws.Parse(token)
	var m struct {
		Profile string            `json:"eat_profile"`
		Status  string            `json:"ear_status"`
		Exp     int64             `json:"exp"`
		Verif   map[string]string `json:"ear_verifier_id"`
		Submods map[string]struct {
			Status   string         `json:"ear_status"`
			Vector   map[string]int `json:"ear_trustworthiness_vector"`
			Policies []string       `json:"ear_appraisal_policy_ids"`
			Nonce    string         `json:"eat_nonce"`
			Evidence map[string]any `json:"ear_veraison_annotated_evidence"`
			Old      any            `json:"ear.status"`
		} `json:"submods"`
	}
	if err := json.Unmarshal(msg.Payload(), &m); err != nil {
		t.Fatal(err)
	}
	sub := m.Submods["tdx"]
	if m.Profile != verify.EATProfileDraft03 || m.Status != "warning" || sub.Status != "warning" || sub.Old != nil ||
		len(sub.Policies) != 1 || sub.Policies[0] != r.PolicyID || sub.Nonce != base64.RawURLEncoding.EncodeToString(rd) ||
		sub.Evidence["evidence_sha256"] == nil || m.Verif["build"] != verify.VerifierBuild || m.Exp == 0 || sub.Vector["hardware"] != int(r.Vector.Hardware) {
		t.Errorf("draft-03 claims set: %s", msg.Payload())
	}
	ar, err := verify.VerifyEAR(token, &key.PublicKey, verify.EARVerifyOptions{Nonce: rd})
	if err != nil {
		t.Fatal(err)
	}
	if *ar.Submods["tdx"].Status != ear.TrustTierWarning || *ar.Submods["tdx"].AppraisalPolicyID != r.PolicyID {
		t.Errorf("read back: %+v", ar.Submods["tdx"])
	}
	if _, err := verify.SignEAR(r.EAR(), key, verify.EAROptions{Profile: "draft-99"}); err == nil {
		t.Error("unknown profile accepted")
	}
}

// TestEARJSON: the directly encoded claims set is the one ear-go writes,
// for verdicts of every kind, and ear-go reads it back.
func TestEARJSON(t *testing.T) {
	rd := reportDataOf(t)
	p, _ := verify.ParsePolicy([]byte(`{}`))
	for name, raw := range map[string][]byte{"tdx": gtdata.RawQuoteV5, "flipped": flip(gtdata.RawQuoteV5, 300), "text": []byte("not evidence")} {
		for _, opts := range []verify.Options{{Offline: true, Time: at2026}, {Offline: true, Time: at2026, Binding: verify.Binding{Nonce: rd}, Policy: p}} {
			r, _ := verify.Evidence(context.Background(), raw, opts)
			want, err := r.EAR().MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.EARJSON()
			if err != nil {
				t.Fatal(err)
			}
			var a, b map[string]any
			json.Unmarshal(want, &a)
			json.Unmarshal(got, &b)
			delete(a, "iat")
			delete(b, "iat")
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: EARJSON\n%s\nwant (ear-go)\n%s", name, got, want)
			}
			var ar ear.AttestationResult
			if err := ar.UnmarshalJSON(got); err != nil {
				t.Errorf("%s: ear-go does not read it back: %v", name, err)
			}
		}
	}
}
