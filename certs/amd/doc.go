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
// # Choosing the endorsement
//
// The report chooses its certificate: a VCEK whose hwID is CHIP_ID (its first
// 8 bytes on Turin) and whose SPLs are REPORTED_TCB's, a VLEK whose SPLs are
// REPORTED_TCB's (a report names no CSP). Another chip's or TCB's
// certificate in the collateral is passed over, never checked against the
// report; with none matching, [VerifyReport] is [ErrCollateralMissing] naming
// the CHIP_ID and TCB, and [KDS.Collateral] fetches the VCEK. Of several
// matching certificates, or ASKs, the first that passes proof is used and
// the ones that failed are named in Result.Notes: a forged piece never
// shadows a genuine one.
//
// # Revocation
//
// Each product's ARK signs two CRLs under the same issuer name: the VCEK
// chain's (it lists revoked ASKs; the KDS serves it at
// /vcek/v1/{product}/crl, the CRL distribution point of the ARK and the ASK)
// and the VLEK chain's (revoked ASVKs; /vlek/v1/{product}/crl, the ASVK's
// distribution point). Their contents cannot tell them apart: AMD's CRLs
// carry only an authority key identifier (the ARK's) and a CRL number, no
// issuing distribution point, and an empty CRL lists nothing to go by. So a
// CRL's chain is its provenance ([Provenance]):
//
//   - fetched by [KDS]: the chain of the URL (/vcek/ or /vlek/);
//   - supplied by the caller: the chain the caller names (Provenance.Chain),
//     else the one its file or URL path names (an element "vcek" or "vlek",
//     or a file name containing one of the two words: vlek-crl.der), else
//     the one whose intermediate (ASK or ASVK) the same PEM file holds, else
//     the VCEK chain: a CRL of the ARK with nothing said of its chain is the
//     one the ARK certificate itself names. A VLEK chain is therefore checked
//     only by a CRL whose source names it, and a CRL that two sources name
//     differently checks neither;
//   - arrived with the evidence (an extended report's certificate table, a
//     container: [FromEvidence]): no chain; the attester chose it.
//
// Every CRL its issuer signed adds its revocations, whatever its origin,
// chain or validity window (AMD does not un-revoke): a serial listed in any
// of them is [ErrRevoked]. Revocation is checked (Result.CRLChecked) only by
// a current CRL of the chain's ARK for the report's chain, from the caller or
// the KDS; a CRL from the evidence never makes it checked. CRLs that fail
// proof (malformed, not signed by the ARK whose name they carry), that are
// not current (past nextUpdate or not yet valid), or that are another chain's
// or from the evidence, are passed over and named in Result.Notes; none of
// them fails a verification. Only when no current CRL checks the chain is
// revocation unchecked, and with Options.RequireCRL that is an error:
// [ErrExpired] if a CRL for the chain was there but not current, [ErrCRL] if
// one failed proof, else [ErrCollateralMissing].
//
// Result.Expires, when the proof stops holding, is the earliest notAfter of
// the chain's certificates and nextUpdate of the CRLs that checked it.
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
	// ErrPolicyInvalid reports a [Policy] that cannot be applied to the
	// report's product, such as an FMC minimum for Milan or Genoa: the
	// verifier's configuration is wrong, not the report.
	ErrPolicyInvalid = errors.New("amd: policy does not apply to the report's product")
	// ErrCollateralMissing reports that the VCEK/VLEK, or a required CRL, was not supplied.
	ErrCollateralMissing = errors.New("amd: collateral missing")
	// ErrCollateral reports collateral that cannot be parsed or recognized.
	ErrCollateral = errors.New("amd: malformed collateral")
	// ErrCRL reports a CRL that is malformed or not signed by the pinned ARK.
	ErrCRL = errors.New("amd: CRL does not verify")
	// ErrKDS reports a failed request to AMD's Key Distribution Service.
	ErrKDS = errors.New("amd: KDS request failed")
)
