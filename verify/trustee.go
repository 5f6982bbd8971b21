// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/veraison/ear"
)

// The Trustee profile of the EAR: the token shape of Confidential Containers'
// Trustee attestation service (attestation-service/src/ear_token), so that a
// KBS or a Trustee Rego policy reads ccverify's verdicts unchanged.
const (
	// ProfileTrustee selects the Trustee profile in EAROptions.Profile.
	ProfileTrustee = "trustee"
	// EATProfileTrustee is the eat_profile Trustee's tokens carry.
	EATProfileTrustee = "tag:github.com,2024:confidential-containers/Trustee"
	// TrusteeIssuer is the iss Trustee's attestation service writes by
	// default; EAROptions.Issuer replaces it.
	TrusteeIssuer = "CoCo-Attestation-Service"
	// TrusteeSubmodule is the submodule name: Trustee names submodules by
	// device class and index, and the evidence's TEE is the first CPU.
	TrusteeSubmodule = "cpu0"
	// TrusteeTokenLifetime is the lifetime of Trustee's tokens (exp = iat +
	// 5 minutes), the default of a Trustee-profile EAR.
	TrusteeTokenLifetime = 5 * time.Minute
	// TrusteeExtensionsKey is the annotated-evidence key under which a TEE's
	// claims that Trustee does not have are kept, so that they can never
	// clash with a name Trustee gives later.
	TrusteeExtensionsKey = "ccverify"
)

// TrusteeInput returns the evidence's claims as Trustee's attestation
// service hands them to its policies and writes them into its EAR's
// annotated evidence:
//
//	{"<tee>": {claims}, "report_data": hex, "init_data": hex,
//	 "init_data_claims": null, "runtime_data_claims": JSON or null}
//
// where <tee> is "tdx", "snp", "az-snp-vtpm", "az-tdx-vtpm" or "se". Under
// the TEE's name are the claims Trustee's verifier produces, with Trustee's
// names and encodings (CLAIMS.md, "Trustee profile"); the claims only
// ccverify has are under the TEE's "ccverify" key. report_data and init_data
// move from the TEE's claims to the top, as Trustee moves them.
// runtime_data_claims is Options.Binding.RuntimeData when it is JSON, as a
// KBS reads the TEE's public key from it; init_data_claims is null, as
// ccverify does not parse init data documents.
func (r *Result) TrusteeInput() map[string]any {
	tee := string(r.Format)
	schema := trusteeSchemas[r.Format]
	if tee == "" {
		tee = "unknown"
	}
	conv := trusteeConvert(r.Format, r.Claims)
	claims, ours := splitBySchema(conv, schema)
	if len(ours) > 0 {
		claims[TrusteeExtensionsKey] = ours
	}
	in := map[string]any{tee: claims}
	if v, ok := claims["init_data"]; ok {
		delete(claims, "init_data")
		in["init_data"] = v
		in["init_data_claims"] = nil
	}
	if v, ok := claims["report_data"]; ok {
		delete(claims, "report_data")
		in["report_data"] = v
		in["runtime_data_claims"] = jsonOrNil(r.runtimeData)
	}
	return in
}

// jsonOrNil decodes b when it is one JSON value, else nil.
func jsonOrNil(b []byte) any {
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	return v
}

// schema is a set of claim names; a nil value admits the whole value, a
// non-nil one the object's keys it names.
type schema map[string]schema

// leaves makes a schema of names admitted whole.
func leaves(names ...string) schema {
	s := make(schema, len(names))
	for _, n := range names {
		s[n] = nil
	}
	return s
}

// with returns s plus the entries of more (s is not modified).
func (s schema) with(more schema) schema {
	out := make(schema, len(s)+len(more))
	for k, v := range s {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// trusteeSchemas are the claims Trustee's verifiers produce (deps/verifier at
// 78962cd): tdx/claims.rs and intel_dcap/claims.rs, snp/mod.rs
// parse_tee_evidence, az_snp_vtpm/mod.rs parse_tee_evidence_az and
// extend_claim, az_tdx_vtpm/mod.rs, se/ibmse.rs SeAttestationClaims.
var trusteeSchemas = func() map[Format]schema {
	quote := schema{
		"header": leaves("version", "att_key_type", "tee_type", "reserved", "vendor_id", "user_data"),
		"body": leaves("tcb_svn", "mr_seam", "mrsigner_seam", "seam_attributes", "td_attributes", "xfam",
			"mr_td", "mr_config_id", "mr_owner", "mr_owner_config", "rtmr_0", "rtmr_1", "rtmr_2", "rtmr_3",
			"report_data", "tee_tcb_svn2", "mr_servicetd"),
		"type": nil,
		"size": nil,
	}
	dcap := leaves("earliest_issue_date", "latest_issue_date", "earliest_expiration_date", "tcb_date",
		"pck_crl_num", "root_ca_crl_num", "tcb_eval_num", "platform_provider_id", "sgx_type",
		"is_dynamic_platform", "is_cached_keys", "is_smt_enabled", "root_key_id", "tcb_status",
		"collateral_expiration_status", "advisory_ids", "tcb_date_current", "tcb_status_current",
		"advisory_ids_current")
	tdxQuote := schema{
		"quote":                quote,
		"td_attributes":        leaves("debug", "key_locker", "perfmon", "protection_keys", "septve_disable"),
		"report_data":          nil,
		"init_data":            nil,
		"platform_instance_id": nil,
	}.with(dcap)
	snpFields := leaves("policy_abi_major", "policy_abi_minor", "policy_smt_allowed", "policy_migrate_ma",
		"policy_debug_allowed", "policy_single_socket", "reported_tcb_bootloader", "reported_tcb_tee",
		"reported_tcb_snp", "reported_tcb_microcode", "platform_tsme_enabled", "platform_smt_enabled",
		"measurement", "report_data", "init_data")
	return map[Format]schema{
		FormatTDX:       tdxQuote.with(leaves("uefi_event_logs")),
		FormatSNP:       snpFields.with(leaves("chip_id")),
		FormatAzSNPvTPM: snpFields.with(leaves("tpm")),
		FormatAzTDXvTPM: tdxQuote.with(leaves("tpm")),
		FormatSE:        leaves("cuid", "report_data", "version", "image_phkh", "attestation_phkh", "tag"),
	}
}()

// splitBySchema divides m into the entries s admits and the others, keeping
// the nesting of both. A nil s admits nothing: every claim is ours.
func splitBySchema(m map[string]any, s schema) (theirs, ours map[string]any) {
	theirs = make(map[string]any, len(s))
	for k, v := range m {
		sub, ok := s[k]
		if !ok {
			if ours == nil {
				ours = make(map[string]any)
			}
			ours[k] = v
			continue
		}
		obj, isObj := v.(map[string]any)
		if sub == nil || !isObj {
			theirs[k] = v
			continue
		}
		t, o := splitBySchema(obj, sub)
		theirs[k] = t
		if len(o) > 0 {
			if ours == nil {
				ours = make(map[string]any)
			}
			ours[k] = o
		}
	}
	return theirs, ours
}

// trusteeConvert returns a copy of the claims in Trustee's encodings where
// they differ from ccverify's (the shared nested objects are copied before
// any change, so r.Claims is never modified).
func trusteeConvert(f Format, c map[string]any) map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		out[k] = v
	}
	switch f {
	case FormatTDX, FormatAzTDXvTPM:
		// The PCK certificate's PlatformInstanceID bytes, reversed as
		// Trustee's pck.rs reads them.
		if s, ok := out["platform_instance_id"].(string); ok {
			if b, err := hex.DecodeString(s); err == nil {
				for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
					b[i], b[j] = b[j], b[i]
				}
				out["platform_instance_id"] = hex.EncodeToString(b)
			}
		}
		if s, ok := out["sgx_type"].(string); ok {
			switch s {
			case "ScalableWithIntegrity":
				out["sgx_type"] = "Scalable with Integrity"
			}
		}
		renameClaim(out, "collateral_earliest_issue_date", "earliest_issue_date")
		renameClaim(out, "collateral_latest_issue_date", "latest_issue_date")
		renameClaim(out, "collateral_earliest_expiration", "earliest_expiration_date")
		if v, ok := out["ppid"]; ok {
			out["platform_provider_id"] = v // ppid stays, under ccverify
		}
	case FormatAzSNPvTPM:
		// Trustee's Azure SNP verifier writes its report fields as text
		// (format!("{}")), the digests as standard base64.
		for _, k := range []string{"policy_abi_major", "policy_abi_minor", "policy_smt_allowed",
			"policy_migrate_ma", "policy_debug_allowed", "policy_single_socket",
			"reported_tcb_bootloader", "reported_tcb_tee", "reported_tcb_snp", "reported_tcb_microcode",
			"platform_tsme_enabled", "platform_smt_enabled"} {
			switch v := out[k].(type) {
			case bool:
				out[k] = strconv.FormatBool(v)
			case int:
				out[k] = strconv.Itoa(v)
			case uint64:
				out[k] = strconv.FormatUint(v, 10)
			}
		}
		if s, ok := out["measurement"].(string); ok {
			if b, err := hex.DecodeString(s); err == nil {
				out["measurement"] = base64.StdEncoding.EncodeToString(b)
			}
		}
	}
	return out
}

// renameClaim moves claim from to to, when present.
func renameClaim(c map[string]any, from, to string) {
	if v, ok := c[from]; ok {
		delete(c, from)
		c[to] = v
	}
}

// TrusteeEAR returns r's EAR in the Trustee profile: one submodule, "cpu0",
// with the status, the trust vector, the policy ID and TrusteeInput as
// annotated evidence. [SignEAR] with Profile ProfileTrustee writes its
// eat_profile, iss and the jwk header; ear-go validates only its own
// profile, so the AttestationResult carries ear-go's until then.
func (r *Result) TrusteeEAR() *ear.AttestationResult {
	return r.attestationResult(TrusteeSubmodule, r.TrusteeInput())
}
