// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/veraison/ear"
)

// VerifierDeveloper and VerifierBuild identify this verifier in the EARs it
// issues (ear.verifier-id).
const (
	VerifierDeveloper = "https://github.com/ccverify/ccverify"
	VerifierBuild     = "ccverify 0.2.0"
)

// Errors of EAR signing and verification.
var (
	// ErrEARSignature reports an EAR whose signature does not verify with
	// the key given, or that is not a well-formed EAR JWT.
	ErrEARSignature = errors.New("verify: EAR signature does not verify")
	// ErrEARExpired reports an EAR past its exp at the verification time.
	ErrEARExpired = errors.New("verify: EAR expired")
	// ErrEARNonce reports an EAR whose eat_nonce is not the one expected.
	ErrEARNonce = errors.New("verify: EAR nonce does not match")
	// ErrEARKey reports a key type or curve EARs cannot be signed with.
	ErrEARKey = errors.New("verify: unsupported EAR key")
)

// EAR returns the EAT Attestation Result for r: one submodule named after the
// evidence format, with the status, the trustworthiness vector and the claims
// as annotated evidence; the nonce of Options.Binding as eat_nonce. Its issue
// time (iat) is now; the verification time, which an offline audit sets in
// the past, is the claim verification_time. Its expiry is set when signing
// (see [EAROptions]).
func (r *Result) EAR() *ear.AttestationResult {
	name, claims := r.submodClaims()
	return r.attestationResult(name, claims)
}

// submodClaims returns the name of r's submodule (the evidence format) and
// its annotated evidence: a copy of the claims with the verification time.
func (r *Result) submodClaims() (name string, claims map[string]any) {
	name = string(r.Format)
	if name == "" {
		name = "unknown"
	}
	claims = make(map[string]any, len(r.Claims)+1)
	for k, v := range r.Claims {
		claims[k] = v
	}
	claims["verification_time"] = r.Time.UTC().Format(time.RFC3339)
	return name, claims
}

// attestationResult is r's EAR with one submodule, name, whose annotated
// evidence is evidence.
func (r *Result) attestationResult(name string, evidence map[string]any) *ear.AttestationResult {
	ar := ear.NewAttestationResult(name, VerifierBuild, VerifierDeveloper)
	sub := ar.Submods[name]
	status := r.Status
	sub.Status = &status
	vector := r.Vector
	sub.TrustVector = &vector
	if r.PolicyID != "" {
		id := r.PolicyID
		sub.AppraisalPolicyID = &id
	}
	sub.VeraisonAnnotatedEvidence = &evidence
	if len(r.Nonce) > 0 {
		n := encodeNonce(r.Nonce)
		ar.Nonce = &n
	}
	return ar
}

// encodeNonce is eat_nonce's JSON form: base64url without padding, as EAT's
// JSON serialization writes byte strings.
func encodeNonce(n []byte) string { return base64.RawURLEncoding.EncodeToString(n) }

// EAROptions configure the signed EAR.
type EAROptions struct {
	// KeyID, when set, is the JWS kid header: which of the verifier's keys
	// signed, for relying parties that rotate them.
	KeyID string
	// Expires is the EAR's exp. Zero means none. [Result.Sign] sets it to
	// the earliest of Result.Expires and now + Lifetime.
	Expires time.Time
	// Profile is the claim names and eat_profile written: "" for ear-go's
	// (tag:github.com,2023:veraison/ear, ear.status, …), which relying
	// parties use today; ProfileDraft03 for draft-ietf-rats-ear-03's
	// (tag:ietf.org,2026:rats/ear#03, ear_status, a top-level ear_status,
	// ear_appraisal_policy_ids as an array, eat_nonce per appraisal).
	Profile string
	// Issuer is the EAR's iss. The Trustee profile writes TrusteeIssuer
	// when it is empty; the others write none unless it is set.
	Issuer string
	// Extensions are claims added to the Trustee profile's submodule, by
	// name: an Appraiser's extensions ([Result.SignWith] takes them from
	// Result.Extensions).
	Extensions map[string]any
}

// EAR profiles for EAROptions.Profile.
const (
	ProfileDraft03    = "draft-03"
	EATProfileDraft03 = "tag:ietf.org,2026:rats/ear#03"
)

// draft03Names maps ear-go's claim names to draft-ietf-rats-ear-03's.
var draft03Names = map[string]string{
	"ear.status":                      "ear_status",
	"ear.trustworthiness-vector":      "ear_trustworthiness_vector",
	"ear.verifier-id":                 "ear_verifier_id",
	"ear.raw-evidence":                "ear_raw_evidence",
	"ear.veraison.annotated-evidence": "ear_veraison_annotated_evidence",
	"ear.veraison.policy-claims":      "ear_veraison_policy_claims",
	"ear.veraison.key-attestation":    "ear_veraison_key_attestation",
}

// toDraft03 rewrites ear-go's JSON claims set into draft-03's.
func toDraft03(b []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	out := map[string]any{"eat_profile": EATProfileDraft03}
	worst := ear.TrustTierNone
	for k, v := range m {
		switch k {
		case "eat_profile":
		case "submods":
			subs := map[string]any{}
			for name, a := range v.(map[string]any) {
				sub := map[string]any{}
				for ak, av := range a.(map[string]any) {
					switch {
					case ak == "ear.appraisal-policy-id":
						sub["ear_appraisal_policy_ids"] = []any{av}
					case draft03Names[ak] != "":
						sub[draft03Names[ak]] = av
					default:
						sub[ak] = av
					}
					if ak == "ear.status" {
						var t ear.TrustTier
						if s, ok := av.(string); ok && t.UnmarshalJSON([]byte(strconv.Quote(s))) == nil {
							worst = max(worst, t)
						}
					}
				}
				if n, ok := m["eat_nonce"]; ok {
					sub["eat_nonce"] = n
				}
				subs[name] = sub
			}
			out["submods"] = subs
		default:
			if n := draft03Names[k]; n != "" {
				k = n
			}
			out[k] = v
		}
	}
	out["ear_status"] = worst.String()
	return json.Marshal(out)
}

// fromDraft03 rewrites a draft-03 claims set into ear-go's, for ear-go's
// validation and types.
func fromDraft03(m map[string]any) ([]byte, error) {
	back := map[string]string{}
	for k, v := range draft03Names {
		back[v] = k
	}
	out := map[string]any{"eat_profile": ear.EatProfile}
	for k, v := range m {
		switch k {
		case "eat_profile", "ear_status", "exp":
		case "submods":
			subs, ok := v.(map[string]any)
			if !ok {
				return nil, errors.New("submods is not an object")
			}
			conv := map[string]any{}
			for name, a := range subs {
				am, ok := a.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("submod %s is not an object", name)
				}
				sub := map[string]any{}
				for ak, av := range am {
					switch {
					case ak == "eat_nonce", ak == "eat_profile":
					case ak == "ear_appraisal_policy_ids":
						if ids, ok := av.([]any); ok && len(ids) > 0 {
							sub["ear.appraisal-policy-id"] = ids[len(ids)-1]
						}
					case back[ak] != "":
						sub[back[ak]] = av
					default:
						sub[ak] = av
					}
				}
				conv[name] = sub
			}
			out["submods"] = conv
		default:
			if n := back[k]; n != "" {
				k = n
			}
			out[k] = v
		}
	}
	return json.Marshal(out)
}

// Sign returns r's EAR signed with key (see [SignEAR]), with exp the earliest
// of the expiry of everything the verdict rests on (Result.Expires) and now +
// lifetime (zero lifetime: no such bound).
func (r *Result) Sign(key crypto.Signer, keyID string, lifetime time.Duration) ([]byte, error) {
	return r.SignWith(key, EAROptions{KeyID: keyID}, lifetime)
}

// SignWith is Sign with the other EAROptions (the profile); opts.Expires is
// replaced as Sign computes it.
//
// With Profile ProfileTrustee the EAR is [Result.TrusteeEAR], its
// extensions Result.Extensions, and a zero lifetime is Trustee's
// (TrusteeTokenLifetime).
func (r *Result) SignWith(key crypto.Signer, opts EAROptions, lifetime time.Duration) ([]byte, error) {
	ar := r.EAR()
	if opts.Profile == ProfileTrustee {
		ar = r.TrusteeEAR()
		if lifetime == 0 {
			lifetime = TrusteeTokenLifetime
		}
		if opts.Extensions == nil {
			opts.Extensions = r.Extensions
		}
	}
	exp := r.Expires
	if lifetime > 0 {
		if bound := time.Now().Add(lifetime); exp.IsZero() || bound.Before(exp) {
			exp = bound
		}
	}
	opts.Expires = exp
	return SignEAR(ar, key, opts)
}

// SignEAR signs ar as a JWT with key: ES256 for a P-256 ECDSA key, ES384 for
// P-384, EdDSA for Ed25519. The claims are the EAR's (ear-go's encoding),
// plus exp when opts.Expires is set; the header carries kid when given.
// The Trustee profile writes Trustee's eat_profile, iss and extensions, and
// the public key as the header's jwk, as Trustee's token broker does.
func SignEAR(ar *ear.AttestationResult, key crypto.Signer, opts EAROptions) ([]byte, error) {
	alg, err := algFor(key.Public())
	if err != nil {
		return nil, err
	}
	// ear-go validates and encodes the claims; the token is built here so
	// that it can carry exp and kid, which ear-go v1.1 does not write.
	b, err := ar.MarshalJSON()
	if err != nil {
		return nil, err
	}
	switch opts.Profile {
	case "":
	case ProfileDraft03:
		if b, err = toDraft03(b); err != nil {
			return nil, err
		}
	case ProfileTrustee:
		if b, err = toTrustee(b, opts); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("verify: EAR profile %q: want \"\" (ear-go's), %q or %q", opts.Profile, ProfileDraft03, ProfileTrustee)
	}
	if opts.Issuer != "" && opts.Profile != ProfileTrustee {
		if b, err = setClaim(b, "iss", opts.Issuer); err != nil {
			return nil, err
		}
	}
	tok := jwt.New()
	if err := tok.(interface{ UnmarshalJSON([]byte) error }).UnmarshalJSON(b); err != nil {
		return nil, err
	}
	if !opts.Expires.IsZero() {
		if err := tok.Set(jwt.ExpirationKey, opts.Expires.Unix()); err != nil {
			return nil, err
		}
	}
	hdr := jws.NewHeaders()
	if opts.Profile == ProfileTrustee {
		pub, err := jwk.FromRaw(key.Public())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEARKey, err)
		}
		if err := hdr.Set(jws.JWKKey, pub); err != nil {
			return nil, err
		}
	}
	if opts.KeyID != "" {
		if err := hdr.Set(jws.KeyIDKey, opts.KeyID); err != nil {
			return nil, err
		}
	}
	signer := any(key)
	if k, ok := key.(*ed25519.PrivateKey); ok {
		signer = *k
	}
	return jwt.Sign(tok, jwt.WithKey(alg, signer, jws.WithProtectedHeaders(hdr)))
}

// EARVerifyOptions are the checks [VerifyEAR] makes besides the signature.
type EARVerifyOptions struct {
	// Time is when exp is checked; zero means now.
	Time time.Time
	// Nonce, when set, must be the EAR's eat_nonce: the relying party's
	// challenge, bound into the evidence and echoed by the verifier.
	Nonce []byte
}

// VerifyEAR checks an EAR JWT as a relying party must before acting on it:
// the signature with the verifier's public key (ECDSA P-256/P-384 or
// Ed25519), the expiry at opts.Time, the nonce when one is expected, and the
// EAR's own validity (profile, verifier id, status per submodule). It returns
// the claims, in ear-go's types whichever profile the token uses (ear-go's or
// draft-03's).
func VerifyEAR(token []byte, pub crypto.PublicKey, opts EARVerifyOptions) (*ear.AttestationResult, error) {
	alg, err := algFor(pub)
	if err != nil {
		return nil, err
	}
	if k, ok := pub.(*ed25519.PublicKey); ok {
		pub = *k
	}
	tok, err := jwt.Parse(token, jwt.WithKey(alg, pub), jwt.WithValidate(false))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEARSignature, err)
	}
	now := opts.Time
	if now.IsZero() {
		now = time.Now()
	}
	if exp := tok.Expiration(); !exp.IsZero() && !now.Before(exp) {
		return nil, fmt.Errorf("%w: exp %s, verification time %s", ErrEARExpired, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	msg, err := jws.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEARSignature, err)
	}
	payload := msg.Payload()
	var probe struct {
		Profile string `json:"eat_profile"`
	}
	_ = json.Unmarshal(payload, &probe) // not JSON: ear-go's UnmarshalJSON says so below
	switch probe.Profile {
	case EATProfileTrustee:
		// ear-go validates only its own profile; the claims are the same.
		if payload, err = setClaim(payload, "eat_profile", ear.EatProfile); err != nil {
			return nil, fmt.Errorf("%w: not an EAR: %w", ErrEARSignature, err)
		}
	case EATProfileDraft03:
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			return nil, fmt.Errorf("%w: not an EAR: %w", ErrEARSignature, err)
		}
		if payload, err = fromDraft03(m); err != nil {
			return nil, fmt.Errorf("%w: not a draft-03 EAR: %w", ErrEARSignature, err)
		}
	}
	var ar ear.AttestationResult
	if err := ar.UnmarshalJSON(payload); err != nil {
		return nil, fmt.Errorf("%w: not an EAR: %w", ErrEARSignature, err)
	}
	if len(opts.Nonce) > 0 {
		want := encodeNonce(opts.Nonce)
		got := "(none)"
		if ar.Nonce != nil {
			got = *ar.Nonce
		}
		if got != want {
			return nil, fmt.Errorf("%w: eat_nonce %s, want %s", ErrEARNonce, got, want)
		}
	}
	return &ar, nil
}

// algFor is the JWS algorithm of a key: ES256, ES384 or EdDSA.
func algFor(key any) (jwa.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return jwa.ES256, nil
		case elliptic.P384():
			return jwa.ES384, nil
		}
		return "", fmt.Errorf("%w: ECDSA curve %s (want P-256 or P-384)", ErrEARKey, k.Curve.Params().Name)
	case ed25519.PublicKey, *ed25519.PublicKey:
		return jwa.EdDSA, nil
	}
	return "", fmt.Errorf("%w: %T (want ECDSA P-256/P-384 or Ed25519)", ErrEARKey, key)
}

// EARJSON returns r.EAR()'s JSON claims set, the bytes ear-go's MarshalJSON
// writes (the same keys and values, sorted as it sorts them), encoded
// directly: an audit renders one per piece of evidence, and ear-go's
// reflection costs more than the verification.
func (r *Result) EARJSON() ([]byte, error) {
	name, claims := r.submodClaims()
	// Fields in the order of their JSON names, as a sorted map writes them.
	type appraisal struct {
		PolicyID string         `json:"ear.appraisal-policy-id,omitempty"`
		Status   ear.TrustTier  `json:"ear.status"`
		Vector   map[string]int `json:"ear.trustworthiness-vector,omitempty"`
		Evidence map[string]any `json:"ear.veraison.annotated-evidence"`
	}
	type result struct {
		VerifierID struct {
			Build     string `json:"build"`
			Developer string `json:"developer"`
		} `json:"ear.verifier-id"`
		Nonce   string               `json:"eat_nonce,omitempty"`
		Profile string               `json:"eat_profile"`
		IAT     int64                `json:"iat"`
		Submods map[string]appraisal `json:"submods"`
	}
	// ear-go writes every claim of the vector, zeros too.
	tv := r.Vector
	v := map[string]int{"instance-identity": int(tv.InstanceIdentity), "configuration": int(tv.Configuration),
		"executables": int(tv.Executables), "file-system": int(tv.FileSystem), "hardware": int(tv.Hardware), "runtime-opaque": int(tv.RuntimeOpaque),
		"storage-opaque": int(tv.StorageOpaque), "sourced-data": int(tv.SourcedData)}
	out := result{Profile: ear.EatProfile, IAT: time.Now().Unix(),
		Submods: map[string]appraisal{name: {PolicyID: r.PolicyID, Status: r.Status, Vector: v, Evidence: claims}}}
	out.VerifierID.Build, out.VerifierID.Developer = VerifierBuild, VerifierDeveloper
	if len(r.Nonce) > 0 {
		out.Nonce = encodeNonce(r.Nonce)
	}
	return json.Marshal(out)
}

// toTrustee rewrites ear-go's JSON claims set of a [Result.TrusteeEAR] into
// Trustee's: its eat_profile and iss, and the extensions in the submodules.
func toTrustee(b []byte, opts EAROptions) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["eat_profile"] = EATProfileTrustee
	iss := opts.Issuer
	if iss == "" {
		iss = TrusteeIssuer
	}
	m["iss"] = iss
	if len(opts.Extensions) > 0 {
		subs, _ := m["submods"].(map[string]any)
		for _, s := range subs {
			sub, ok := s.(map[string]any)
			if !ok {
				continue
			}
			for k, v := range opts.Extensions {
				if _, taken := sub[k]; !taken {
					sub[k] = v
				}
			}
		}
	}
	return json.Marshal(m)
}

// setClaim sets one top-level claim of a JSON claims set.
func setClaim(b []byte, name string, v any) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m[name] = v
	return json.Marshal(m)
}

// EARJSONWith returns r's EAR claims set in a profile, unsigned, as
// [Result.SignWith] would sign it (without exp): EARJSON for ear-go's, the
// draft-03 names, or the Trustee profile's.
func (r *Result) EARJSONWith(opts EAROptions) ([]byte, error) {
	switch opts.Profile {
	case "":
		return r.EARJSON()
	case ProfileDraft03:
		b, err := r.EARJSON()
		if err != nil {
			return nil, err
		}
		return toDraft03(b)
	case ProfileTrustee:
		b, err := r.TrusteeEAR().MarshalJSON()
		if err != nil {
			return nil, err
		}
		if opts.Extensions == nil {
			opts.Extensions = r.Extensions
		}
		return toTrustee(b, opts)
	}
	return nil, fmt.Errorf("verify: EAR profile %q: want \"\" (ear-go's), %q or %q", opts.Profile, ProfileDraft03, ProfileTrustee)
}
