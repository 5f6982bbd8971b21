// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error Load, LoadAll, Expect, Build and Sign return
// wraps exactly one of them, with where in the input it failed and the values
// that did not fit. Branch with errors.Is; show the error text to a person.
var (
	// ErrUnknownFormat reports input that is neither a CoRIM (CBOR: COSE_Sign1
	// #6.18, #6.501 or an untagged corim-map, or a bare CoMID) nor an
	// expected-values JSON object.
	ErrUnknownFormat = errors.New("refvalues: not a CoRIM or expected-values JSON")
	// ErrMalformed reports a CoRIM whose structure does not follow the CoRIM
	// CDDL; the text says where (comid, triple, measurement, key).
	ErrMalformed = errors.New("refvalues: malformed CoRIM")
	// ErrProfile reports a CoRIM that declares (or whose environment names) the
	// TDX or SEV-SNP profile and breaks it: an mkey or value the profile does
	// not define for that field.
	ErrProfile = errors.New("refvalues: CoRIM violates its profile")
	// ErrUnsupported reports a well-formed CoRIM feature this package does not
	// implement (the hash-envelope payload, critical headers it does not know).
	ErrUnsupported = errors.New("refvalues: unsupported CoRIM feature")
	// ErrTooLarge reports input over a documented cap (size, depth, counts).
	ErrTooLarge = errors.New("refvalues: input exceeds a limit")
	// ErrUnsigned reports an unsigned CoRIM or expected-values JSON given to
	// Load without LoadOptions.AllowUnsigned.
	ErrUnsigned = errors.New("refvalues: unsigned reference values not allowed")
	// ErrSignature reports a COSE_Sign1 signature that does not verify under the
	// key it names (a tampered payload or header), or under any trusted key.
	ErrSignature = errors.New("refvalues: CoRIM signature does not verify")
	// ErrUntrustedSigner reports a CoRIM signed by a key the caller does not
	// trust: its x5chain does not chain to LoadOptions.Roots, or it names (kid,
	// x5chain) a key that is none of LoadOptions.Keys, or no trust was given.
	ErrUntrustedSigner = errors.New("refvalues: CoRIM signer not trusted")
	// ErrExpired reports a CoRIM (corim-meta signature-validity, CWT exp,
	// rim-validity, or the signing certificate) past its not-after at the
	// verification time.
	ErrExpired = errors.New("refvalues: CoRIM expired")
	// ErrNotYetValid reports a CoRIM before its not-before (corim-meta, CWT nbf,
	// rim-validity, or the signing certificate) at the verification time.
	ErrNotYetValid = errors.New("refvalues: CoRIM not yet valid")
	// ErrUnknownClaim reports an expected value or template entry for a claim
	// name that neither TEE defines (CLAIMS.md).
	ErrUnknownClaim = errors.New("refvalues: unknown claim name")
	// ErrValue reports an expected value or template value of the wrong shape
	// for its claim (not hex, wrong length, not an integer, ...).
	ErrValue = errors.New("refvalues: bad reference value")
	// ErrTEE reports a TEE name other than "tdx" or "snp".
	ErrTEE = errors.New("refvalues: unknown TEE")
	// ErrKey reports a signing key Sign cannot use (not ECDSA P-256/P-384 or
	// Ed25519).
	ErrKey = errors.New("refvalues: unsupported signing key")
)

// decodeError is an error found deep in a structure. Its text is only the
// detail; the caller that knows the whole path prefixes the sentinel. kind
// is kept out of the chain so that wrapping levels do not repeat it.
type decodeError struct {
	kind error
	msg  string
}

func (e *decodeError) Error() string { return e.msg }

// bad returns a malformed-structure error with a formatted detail.
func bad(format string, args ...any) error {
	return &decodeError{kind: ErrMalformed, msg: fmt.Sprintf(format, args...)}
}

// profileErr returns a profile violation with a formatted detail.
func profileErr(format string, args ...any) error {
	return &decodeError{kind: ErrProfile, msg: fmt.Sprintf(format, args...)}
}

// tooLarge returns a limit error with a formatted detail.
func tooLarge(format string, args ...any) error {
	return &decodeError{kind: ErrTooLarge, msg: fmt.Sprintf(format, args...)}
}

// at prefixes err with a location ("comid 0", "measurement 2").
func at(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// settle turns an error built from bad/profileErr/at into one that wraps its
// sentinel: "refvalues: malformed CoRIM: comid 0: triples: ...". Errors that
// already wrap a sentinel pass through.
func settle(err error) error {
	if err == nil {
		return nil
	}
	var de *decodeError
	if errors.As(err, &de) {
		return fmt.Errorf("%w: %s", de.kind, err.Error())
	}
	return err
}
