// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package rego evaluates the appraisal policies of Confidential Containers'
// Trustee attestation service: Rego policies in package policy that set an
// AR4SI trust vector from the evidence's claims and reference values. It
// uses OPA (github.com/open-policy-agent/opa/v1) where Trustee uses
// Regorus; a [Policy] is a [verify.Appraiser].
//
// # Trustee's semantics
//
// As read from Trustee at 78962cd (attestation-service/src/ear_token/broker.rs,
// deps/policy-engine/src/policy/rego.rs, rvps/src):
//
//   - The policy for policy id P and a CPU TEE is stored as "P_cpu"
//     (broker.rs:167, "<policy-id>_<class>"); the EAR names P
//     (broker.rs:287). [Load] gives "default_cpu.rego" the id "default".
//   - Two rules are evaluated: data.policy.trust_claims and
//     data.policy.extensions (broker.rs:34-36, 221-230), with no data
//     document (broker.rs:224: data is None; a policy reading
//     data.reference, as tests/policy/ear_sample.rego does, finds nothing).
//     Regorus parses Rego v1, as this package does.
//   - The input is the annotated evidence (transform_claims, broker.rs:445-500):
//     {"<tee>": {claims}, "init_data": hex, "init_data_claims": JSON,
//     "report_data": hex, "runtime_data_claims": JSON}, where <tee> is
//     Trustee's TEE name ("tdx", "snp", "az-snp-vtpm", "az-tdx-vtpm", "se",
//     "sample", ...). init_data and report_data (and their claims) are
//     there only when the verifier produced them.
//   - trust_claims is an object of AR4SI claim names ("executables",
//     "hardware", "configuration", "file-system", "instance-identity",
//     "runtime-opaque", "storage-opaque", "sourced-data") to integers, cast
//     to i8 (broker.rs:240-252). A policy with no trust_claims rule gets a
//     vector of zeros (broker.rs:254-257); one whose rule is undefined fails
//     ("not an object": Regorus gives "<undefined>"); one that sets no claim
//     fails ("At least one policy claim must be set", broker.rs:260); an
//     unknown claim name panics (mut_by_name(k).unwrap()).
//   - extensions is a list of {"name": text, "key": i32, "value": JSON};
//     each becomes an EAR extension of the appraisal (broker.rs:264-284).
//     Without the rule there are none; an undefined rule fails.
//   - Reference values reach a policy only through the built-in
//     query_reference_value(id), registered only when the attestation
//     service has a reference value provider (broker.rs:169-219; without
//     one a policy calling it fails, where here it answers null). It fails
//     the evaluation when id is not a string, and returns the value stored
//     under id, or null when there is none. RVPS stores whatever JSON a
//     provenance gives for an id (rvps/src/lib.rs:113-122,
//     reference_value.rs:52); the sample extractor keeps the value as given
//     (extractors/sample/mod.rs:35-46): lists for the ids policies test
//     with "in", single values for those they compare with "==" (Trustee's
//     own tests store ("svn", ["1"]) and ("major_version", 1),
//     integration-tests/tests/get_resource.rs:55-58); the CoRIM extractor
//     stores digests as lists of hex and raw values as one hex string
//     (extractors/corim/mod.rs:82-115).
//
// # This package
//
// [Compile] and [Load] parse a policy as Rego v1, require package policy and
// a trust_claims rule (stricter than Trustee, which would silently give a
// zero vector), and prepare the query once; errors wrap [ErrCompile] and
// name the file and line. [Policy.Appraise] evaluates both rules in one
// query, with query_reference_value answered by the [verify.ReferenceValues]
// it is given (nil: null for every id); the built-in is neither memoized
// nor nondeterministic, and a non-string id stops the evaluation, as in
// Trustee. The vector's claims must be integers in -128..127 (Trustee would
// wrap 300 to 44; here it is an error), a claim the object does not name is
// 0, and every failure Trustee reports (undefined or empty trust_claims, a
// non-integer claim, an unknown claim name, an undefined extensions rule, a
// malformed or duplicate extension) is an error wrapping
// [verify.ErrAppraiser] that names the policy and the claim. Extensions are
// returned by name; their keys are checked and dropped.
//
// # Bounds
//
// An evaluation runs under the caller's context, and under [DefaultTimeout]
// when that context has no deadline: Rego has no unbounded recursion, but a
// hostile policy can iterate for hours (nested comprehensions over
// numbers.range). OPA stops at the deadline; the error then also wraps the
// context's error (context.DeadlineExceeded). Memory is not bounded beyond
// that. The built-ins that reach the network or the verifier's environment
// (http.send, net.lookup_ip_addr, opa.runtime) are not available, as they
// are not in Trustee's Regorus; a policy calling them does not compile.
//
// # Policies
//
// [Default] is ccverify's own default CPU policy
// (policies/default_cpu.rego), written to decide exactly as Trustee's
// attestation-service/src/ear_token/ear_default_policy_cpu.rego does: the
// same rules, values (executables 33, 3 or 4; hardware 97 or 2;
// configuration 36, 2 or 3; 0 for a TPM), reference-value ids and input
// paths. The tests compare the two on every input when a Trustee checkout
// is at hand. policies/hardware_only.rego and policies/pinned.rego are
// examples in Trustee's style: one vouching only for the platform and a
// non-debug guest, one pinning MRTD and RTMRs, or MEASUREMENT, through
// query_reference_value. refvalues.Set.For answers query_reference_value
// from CoRIMs and expected values with Trustee's ids and encodings.
package rego
