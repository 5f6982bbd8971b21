// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package refvalues judges claims against reference values: CoRIMs
// (draft-ietf-rats-corim) and plain expected values. It knows claims, not
// bytes or certificate chains: its input is the claims map verify builds for
// a TEE (CLAIMS.md), its output says whether the executables are approved,
// and claim by claim which reference matched or why none did.
//
// # Loading
//
// [Load] takes one document and tells its kind by content:
//
//   - a signed CoRIM, COSE_Sign1 #6.18, verified against [LoadOptions].Keys or
//     its x5chain against [LoadOptions].Roots (a key the CoRIM carries is never
//     trusted on its own), with corim-meta's signature-validity or the CWT
//     claims' nbf/exp, and the CoRIM's rim-validity, honoured at
//     [LoadOptions].Time;
//   - an unsigned CoRIM, #6.501 or an untagged corim-map, and a bare CoMID
//     (#6.506 or concise-mid-tag), only with [LoadOptions].AllowUnsigned;
//   - an expected-values JSON object, {"mr_td": ["…", "…"], "measurement":
//     ["…"]}, also only with AllowUnsigned (see [Expect] for the names).
//
// The decoder reads every wire generation of the CoRIM profile field (an
// array, as corim v1.1.2 wrote it; an untagged URI or OID, as corim
// v1.1.3-0.20260309101151-2fa49d7c02e3 writes it; #6.32 / #6.111, as
// draft-11 and corim after 2026-06 write it), CoMIDs as #6.506(bstr),
// #6.506(map) or bstr(#6.506(map)), measurement values (version, svn exact
// #6.552 and minimum #6.553, digests with integer or text algorithms, flags,
// raw values #6.560 with the deprecated mask key 5 or masked #6.563,
// integrity registers with integer or text indices, int-range #6.564) and
// the Intel profile's tee.* extensions with their expressions (#6.60010,
// #6.60020, #6.60021). It is this package's own, on github.com/fxamacker/cbor:
// the corim module versions the Go module proxy serves cannot read the
// tagged profile, masked raw values, int ranges, text register keys or
// CWT-claims headers (notes/corim-ear.md §1.4), and Veraison ships CoRIMs of
// all three generations. The tests keep github.com/veraison/corim as an
// oracle: every vector both can read decodes alike, and every CoRIM [Build]
// and [Sign] write decodes (and verifies) with it.
//
// Errors wrap one sentinel each (ErrMalformed, ErrProfile, ErrSignature,
// ErrUntrustedSigner, ErrExpired, ...) and say where: "refvalues: malformed
// CoRIM: a.cbor: comid 0: triples: reference-triple 2: measurement 0: mval
// key 4: ...".
//
// # Profiles
//
// Each reference triple is compiled into checks on claims through the
// profile tables of PROFILES.md: this package's TD-guest mkeys
// ([ProfileTDXGuest]), the Intel profile's tee.* keys for the TD, the TDX
// module, the QE and the PCE ([ProfileIntel]), and the AMD SEV-SNP profile's
// mkeys with Veraison's environment convention ([ProfileSNP],
// [ProfileSNP2024]). A triple whose environment is neither TDX nor SEV-SNP is
// noted and not used. A triple of a TEE that breaks its profile is
// ErrProfile at load; a value the profile defines but no claim carries
// becomes a check that never holds (fail closed), and says so.
//
// # Matching
//
// [Set.Match] groups references by component (td, tdx-module, qe, pce,
// snp-guest). Within a component references are alternatives (several
// releases, several CoRIMs); a component is approved when one reference's
// every check holds. Expected values form one more component whose checks
// must all hold, each claim against the union of the values the documents
// give for it. The result is [Approved] when every component is,
// [Unrecognized] when one is not, [NoReferenceValues] when nothing applies to
// the TEE. Every check has a [Class] (executables, configuration, hardware,
// instance), so that a caller can tell a wrong image from a debug policy.
//
// # Authoring
//
// [TemplateFromClaims] drafts a [Template] from a golden quote's or report's
// claims, [ParseTemplate] reads one a person edited, [Build] writes the
// unsigned CoRIM and [Sign] the COSE_Sign1 (ES256, ES384, EdDSA).
//
// # Caps
//
// Any input costs bounded work: documents are at most [MaxSize] bytes; CBOR
// nests at most 24 levels with at most 16384 elements per array or map; a
// CoRIM has at most 256 tags, 4096 reference triples and 1024 measurements
// per triple; an x5chain at most 8 certificates; a document compiles to at most
// 65536 checks; expected values have at most 1024 names and
// 1024 values per name. Exceeding one is ErrTooLarge. A Component keeps at
// most [MaxCandidates] candidates for its explanation.
package refvalues
