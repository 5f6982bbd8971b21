// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package amd proves that an AMD SEV-SNP attestation report is genuine: it
// checks the report's signature against a VCEK or VLEK certificate that chains,
// by RSA-PSS SHA-384 signatures valid at the verification time, to AMD's pinned
// ARK through the pinned ASK or ASVK of the report's product line (Milan,
// Genoa, Turin); it checks the certificate's KDS extensions against the report
// (TCB security patch levels, HWID = CHIP_ID, CSP ID), CRLs when given or
// required, and optional TCB and guest policies.
//
// A chain supplied with the evidence is never a root: ARKs in collateral are
// ignored, and an ASK or ASVK from collateral is used only if the pinned ARK
// signed it.
//
// The usual call, given raw report bytes, the VCEK/VLEK and any chains or CRLs
// in files (recognized by content), and a verification time:
//
//	r, err := snp.Parse(raw)
//	col, err := amd.LoadDir("collateral/")
//	res, err := amd.VerifyReport(r, col, &amd.Options{Now: t})
//	claims := snp.Claims(r, res.Product)
//
// [KDS] fetches what is missing from AMD's Key Distribution Service, with
// bounded work whatever the reports name: a cache of at most 1024 answers and
// 4 MiB (least recently used evicted; refusals kept a minute, never evicting
// answers), one request in flight per URL, and a 429/503 back-off shared by
// all callers that fails fast with [ErrRateLimited] rather than sleeping.
package amd

import "errors"

// Sentinel errors. Every error VerifyReport returns wraps one of them, with the
// certificate, field or component and the values that failed.
var (
	// ErrChain reports a certificate that does not chain to the pinned AMD root:
	// a bad signature, wrong names, wrong algorithm or key type, wrong product.
	ErrChain = errors.New("amd: certificate chain does not verify")
	// ErrExpired reports a certificate or CRL outside its validity window at the
	// verification time.
	ErrExpired = errors.New("amd: outside validity period")
	// ErrRevoked reports a certificate listed in a valid CRL.
	ErrRevoked = errors.New("amd: certificate revoked")
	// ErrExtensionMismatch reports a VCEK/VLEK KDS extension that disagrees with
	// the report (TCB component, HWID, CSP ID) or is malformed.
	ErrExtensionMismatch = errors.New("amd: certificate extension does not match the report")
	// ErrSignature reports a report signature that does not verify, or an
	// unsupported or absent signature.
	ErrSignature = errors.New("amd: report signature does not verify")
	// ErrPolicy reports a report that fails a policy check in [Policy].
	ErrPolicy = errors.New("amd: report violates policy")
	// ErrCollateralMissing reports that the VCEK/VLEK, or a required CRL, was not supplied.
	ErrCollateralMissing = errors.New("amd: collateral missing")
	// ErrCollateral reports collateral that cannot be parsed or recognized.
	ErrCollateral = errors.New("amd: malformed collateral")
	// ErrCRL reports a CRL that is malformed or not signed by the pinned ARK.
	ErrCRL = errors.New("amd: CRL does not verify")
	// ErrKDS reports a failed request to AMD's Key Distribution Service.
	ErrKDS = errors.New("amd: KDS request failed")
)
