// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/veraison/ear"
)

// VerifierDeveloper and VerifierBuild identify this verifier in the EARs it
// issues (ear.verifier-id).
const (
	VerifierDeveloper = "https://github.com/ccverify/ccverify"
	VerifierBuild     = "ccverify 0.1.0"
)

// ErrEARSignature reports an EAR whose signature does not verify with the key given.
var ErrEARSignature = errors.New("verify: EAR signature does not verify")

// EAR returns the EAT Attestation Result for r: one submodule named after the
// evidence format, with the status, the trustworthiness vector and the claims
// as annotated evidence. Its issue time (iat) is now; the verification time,
// which an offline audit sets in the past, is the claim verification_time.
func (r *Result) EAR() *ear.AttestationResult {
	name := string(r.Format)
	if name == "" {
		name = "unknown"
	}
	ar := ear.NewAttestationResult(name, VerifierBuild, VerifierDeveloper)
	sub := ar.Submods[name]
	status := r.Status
	sub.Status = &status
	vector := r.Vector
	sub.TrustVector = &vector
	claims := make(map[string]any, len(r.Claims)+1)
	for k, v := range r.Claims {
		claims[k] = v
	}
	claims["verification_time"] = r.Time.UTC().Format(time.RFC3339)
	sub.VeraisonAnnotatedEvidence = &claims
	return ar
}

// SignEAR signs ar as a JWT with key: ES256 for a P-256 key, ES384 for P-384.
func SignEAR(ar *ear.AttestationResult, key *ecdsa.PrivateKey) ([]byte, error) {
	alg, err := algFor(key.Curve)
	if err != nil {
		return nil, err
	}
	return ar.Sign(alg, key)
}

// VerifyEAR checks the signature of an EAR JWT with the verifier's public key
// and returns its claims: what a relying party calls before trusting an EAR.
func VerifyEAR(token []byte, pub crypto.PublicKey) (*ear.AttestationResult, error) {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: key type %T (want *ecdsa.PublicKey)", ErrEARSignature, pub)
	}
	alg, err := algFor(k.Curve)
	if err != nil {
		return nil, err
	}
	var ar ear.AttestationResult
	if err := ar.Verify(token, alg, k); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEARSignature, err)
	}
	return &ar, nil
}

func algFor(c elliptic.Curve) (jwa.SignatureAlgorithm, error) {
	switch c {
	case elliptic.P256():
		return jwa.ES256, nil
	case elliptic.P384():
		return jwa.ES384, nil
	}
	return "", fmt.Errorf("verify: unsupported EAR signing curve %v (want P-256 or P-384)", c.Params().Name)
}
