// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package azure proves the binding of an Azure confidential VM's vTPM to its
// hardware report: that the hardware report's REPORT_DATA holds the SHA-256
// of the paravisor's runtime data (which names the vTPM's attestation key),
// that this attestation key signed the TPM quote, that the quote is a
// TPM-generated quote, that the PCR values given hash to the quote's digest,
// and, when asked, that the quote's nonce and the runtime data's user data are
// the expected ones. Each failure is its own sentinel error, wrapped with the
// values that failed.
//
// It does what Trustee's az-snp-vtpm and az-tdx-vtpm verifiers do
// (deps/verifier/src/az_snp_vtpm/mod.rs, az_tdx_vtpm/mod.rs), with these
// differences: the SNP report must come from VMPL 0 (Trustee checks that
// too, after the report's signature); the PCR values are paired with the
// quote's PCR selection, so that a value's PCR number is the one the quote
// says, not its position in a list; a TPMT_SIGNATURE's own scheme is honoured,
// and bare signature bytes are verified as RSASSA-PKCS1-v1_5 with SHA-256
// unless the AK's JWK names another RSA algorithm.
//
// The hardware report itself (the SNP report, the TD quote) is not verified
// here: [Verify] returns it in [Result.HardwareReport] and the caller must
// verify exactly those bytes with certs/amd or certs/intel before trusting
// anything else in the result.
package azure
