// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import "errors"

// Sentinel errors of the quote signature chain. Every error returned by
// [VerifyQuote], [VerifyPCKChain], [ParsePCKChain] and [ParsePCKExtensions]
// wraps exactly one of them (test with errors.Is), together with the field and
// the values that failed.
var (
	// ErrQEVendorID reports a quote whose header names another quoting
	// enclave vendor than Intel's (939a7233-f79c-4ca9-940a-0db3957f0607). It
	// is checked before any signature, as Intel's QVL checks it with the
	// quote's format: a quote of another vendor gets this error, not
	// ErrQuoteSignature, although the header is signed.
	ErrQEVendorID = errors.New("intel: QE vendor ID is not Intel's")
	// ErrCertificate reports a malformed PCK certificate chain, certificate or
	// SGX extension: bad PEM, non-canonical text, trailing data, DER that does
	// not parse, a missing or malformed extension.
	ErrCertificate = errors.New("intel: malformed certificate")
	// ErrChain reports a chain that does not lead to a trusted root, or whose
	// certificates do not have the names, keys, algorithms, constraints or
	// signatures an Intel PCK chain must have.
	ErrChain = errors.New("intel: certificate chain does not verify")
	// ErrExpired reports a certificate that is not valid at the verification
	// time (expired or not yet valid).
	ErrExpired = errors.New("intel: certificate not valid at the verification time")
	// ErrQEReportSignature reports a QE report whose signature by the PCK does
	// not verify.
	ErrQEReportSignature = errors.New("intel: QE report signature does not verify")
	// ErrQEReportData reports a QE report whose REPORT_DATA does not bind the
	// attestation key and QE authentication data.
	ErrQEReportData = errors.New("intel: QE report data does not bind the attestation key")
	// ErrAttestationKey reports an attestation key that is not a valid P-256 point.
	ErrAttestationKey = errors.New("intel: attestation key is not a valid P-256 point")
	// ErrQuoteSignature reports a quote whose signature by the attestation key
	// does not verify.
	ErrQuoteSignature = errors.New("intel: quote signature does not verify")
)
