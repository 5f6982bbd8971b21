// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package container unwraps confidential-computing evidence as it arrives
// into the pieces the per-TEE appraisal takes, each tagged with where it
// came from. It knows no trust: a piece is what the container says, and
// only the appraisal (certs/*) proves anything. A certificate, chain or CRL
// found here is collateral from the evidence: it can prove, never be a root,
// never make revocation checked.
//
// [Unwrap] detects the form from the bytes; [UnwrapType] takes a known media
// type; [UnwrapDir] reads a configfs-tsm report directory. What each form
// yields ([Evidence.TEE], the [Kind] of its pieces):
//
//	Trustee tdx           TDX: KindTDXQuote ("quote"), KindCCEL ("cc_eventlog", when not null)
//	Trustee snp           SNP: KindSNPReport ("attestation_report": rebuilt from the sev crate's
//	                      JSON fields, or its bytes), the cert_chain entries as KindVCEK, KindVLEK,
//	                      KindASK (ASK or ASVK), KindARK, KindCRL, KindOther
//	Trustee az-snp-vtpm   AzSNPvTPM (Version 0, 1, 2): KindHCLReport, the KindSNPReport inside it,
//	                      KindRuntimeData, KindAK (the HCLAkPub JWK), KindTPMQuote, KindTPMSignature,
//	                      KindPCR × n (in the quote's order), KindVCEK (v0: PEM as carried; v1, v2: DER)
//	Trustee az-tdx-vtpm   AzTDXvTPM (Version 0, 1, 2): KindHCLReport, the KindTDReport inside it,
//	                      KindRuntimeData, KindAK, KindTPMQuote, KindTPMSignature, KindPCR × n,
//	                      KindTDXQuote ("td_quote")
//	Trustee se            SE: KindSE × 7, Name the field: measurement, additional_data, user_data,
//	                      cuid, encr_measurement_key, encr_request_nonce, image_hdr_tags
//	KBS attestation       the primary evidence (by its members) and each additional evidence (by its
//	                      TEE name); Meta "kbs.runtime-data", "kbs.init-data" (JSON as carried)
//	AS request            each verification request's evidence (by its "tee"); Meta "as.tee",
//	                      "as.runtime_data", "as.init_data", "as.runtime_data_hash_algorithm", …
//	configfs-tsm          by provider: sev_guest → SNP: KindSNPReport (outblob), KindCertTable (auxblob);
//	                      tdx_guest → TDX: KindTDXQuote (outblob); KindManifest (manifestblob);
//	                      Meta "provider", "generation", "privlevel", … (directory), as present
//	CMW, ratsd tokens     what the wrapped value yields; Meta "cmw.type", "cmw.indicator",
//	                      "eat_profile", "eat_nonce", "ratsd.signature" ("not verified")
//	bare HCL report       SNP or TDX: KindHCLReport, KindSNPReport or KindTDReport, KindRuntimeData, KindAK
//	bare TD quote         TDX: KindTDXQuote (FormRaw)
//	bare SNP report       SNP: KindSNPReport (FormRaw; the bytes given, an extended report's
//	                      certificate table after the 1184 bytes included, for the SNP appraisal)
//	hex, base64 text      what the decoded bytes yield (hex first, then base64; either alphabet,
//	                      padded or not, line breaks allowed)
//
// Trustee's field names and encodings are those of confidential-containers/
// trustee deps/verifier/src (tdx/mod.rs, snp/mod.rs, az_snp_vtpm/compat.rs,
// az_tdx_vtpm/compat.rs, se/ibmse.rs) and the guest-components attesters that
// write them; az-snp-vtpm version 0 has {quote, report, vcek}, versions 1 and
// 2 {version, tpm_quote, hcl_report, vcek}; version 2 puts the report data in
// the HCL user data. The configfs-tsm JSON and CBOR forms are ratsd's
// (veraison/ratsd tokens/tsm-report.go: base64url or byte strings under the
// names auxblob, outblob, provider, manifestblob, service_provider), as
// veraison/services scheme/sevsnp reads them, also inside ratsd's legacy
// token {"eat_profile", "eat_nonce", "cmw"} and its COSE_Sign1 v2 token,
// whose signature is not verified. CMW follows draft-ietf-rats-msg-wrap;
// github.com/veraison/cmw supplies the content-format numbers and builds the
// tests' inputs.
//
// Known media types (of a CMW record, or given to [UnwrapType]):
// application/vnd.veraison.tsm-report+json and +cbor; application/cmw+json
// and +cbor; application/eat+cwt, eat+jwt, eat-ucs+json and eat+json with
// ratsd's eat_profile; application/json, application/cbor and
// application/octet-stream, whose value is then detected as [Unwrap] does.
// Any other is [ErrUnknownMediaType].
//
// Bounds ([Options]): the input's size (default 16 MiB), nesting depth
// (default 8: every text layer, CMW record or collection level, token and
// request is one), and every list's length (default 128: collection items,
// certificate chains, PCR values, requests, evidences). JSON objects with a
// member twice and CBOR maps with a key twice are malformed, never guessed
// at. Errors are the package's sentinels, wrapped with where and what;
// [ErrUnrecognized] alone means "not a container".
//
// The package imports evidence/azure, to find the pieces of an HCL report.
package container
