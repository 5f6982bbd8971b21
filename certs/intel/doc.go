// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package intel proves Intel TDX evidence genuine: it walks the PCK certificate
// chain carried in a quote to the pinned Intel SGX Root CA, checks the quote's
// signature chain (attestation key, QE report, PCK), and evaluates Intel PCS
// collateral (TCB Info, QE Identity, CRLs) into a TCB status.
//
// No root is ever taken from the input: the Intel SGX Root CA is embedded and
// pinned by its public key. Every check takes its time from the options, so an
// offline audit of old evidence reproduces exactly.
//
// # Collateral chosen by proof
//
// For each piece a quote needs (the TDX TCB Info for its FMSPC, the TD_QE
// identity, the CRL of its PCK's CA, the Root CA CRL) every candidate in the
// collateral is proven on its own: its version (and, for TCB Info, PCE-ID),
// its signature and issuer chain to a trusted root (for TCB Info and QE
// Identity, by a TCB Signing certificate that no genuine Root CA CRL lists),
// its validity window at the verification time and the freshness options
// ([EvaluateOptions].MinTCBEvaluationDataNumber, MaxCollateralAge). Only the
// candidates that pass are eligible; among them the newest wins: current
// before expired (expired ones are eligible only with
// AllowExpiredCollateral), then the highest tcbEvaluationDataNumber, then
// the latest issueDate or thisUpdate. A candidate that fails is never used,
// however new it claims to be, and is named in [Result].Rejected; when none
// of a required piece's candidates is eligible, the error is that of the
// one whose proof came furthest (a genuine expired piece over a forged
// current one). Pieces of another kind are not candidates and are not
// named: SGX TCB Info or TCB Info for another FMSPC, QE and QAE identities,
// CRLs carrying another issuer's name.
//
// A CRL that is not eligible is as good as none (revocation not checked
// with AllowMissingCRLs, an error without), but every CRL whose signature
// verifies and that was issued by the verification time adds its
// revocations, even when expired, stale or superseded.
//
// # What is remembered
//
// Verified work that depends on bytes alone is cached within fixed bounds
// and looked up by exactly the bytes it covers: parsed PCK chains (by their
// text), certificate signatures (by both certificates' DER), QE proofs (the
// PCK signed this QE report, whose REPORT_DATA binds this attestation key).
// A key that has made 16 valid signatures (a platform's PCK key, its
// attestation key) verifies the next ones with a precomputed table of its
// multiples, in about half crypto/ecdsa's time; at most 64 such tables
// (78 KB each) are kept, the oldest dropped first. Trust, validity times,
// revocation and TCB status are checked at every verification, whatever is
// cached.
package intel
