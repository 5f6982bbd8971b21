// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ratsdToken unwraps ratsd's legacy token (veraison/ratsd docs/ratsd-token.cddl
// ratsd-token-legacy): {"eat_profile", "eat_nonce", "cmw": base64url of a
// JSON CMW collection}. veraison/services decodes "cmw" as standard base64;
// both alphabets are read.
func (u *unwrapper) ratsdToken(o object, path []layer, depth int) error {
	const where = "ratsd token"
	meta := map[string]string{}
	for _, k := range []string{"eat_profile", "eat_nonce"} {
		if v, ok := o[k]; ok {
			if s, ok := jsonString(v); ok {
				meta[k] = s
			} else {
				meta[k] = strings.TrimSpace(string(v))
			}
		}
	}
	s, err := o.str(where, "cmw")
	if err != nil {
		return err
	}
	b, err := decodeBase64(s)
	if err != nil {
		return malformed(where, "cmw: %v", err)
	}
	c, err := decodeObject(b)
	if err != nil {
		return malformed(where, "cmw is not a JSON CMW collection: %v", err)
	}
	return u.cmwJSONCollection(c, with(path, where, meta), depth+1)
}

// kbsAttestation unwraps a KBS protocol Attestation message (trustee
// kbs/docs/kbs_attestation_protocol.md): {"runtime-data", "init-data"?,
// "tee-evidence": {"primary_evidence": evidence, "additional_evidence":
// "JSON map of TEE name to evidence"}}. Earlier protocol versions carried
// "tee-pubkey" and "tee-evidence" as the evidence itself (or its JSON text).
// The primary evidence's TEE is not in the message (the KBS session knows
// it): it is recognized by its members.
func (u *unwrapper) kbsAttestation(o object, path []layer, depth int) error {
	const where = "kbs attestation"
	meta := map[string]string{}
	for _, k := range []string{"runtime-data", "init-data", "tee-pubkey"} {
		if v, ok := o[k]; ok {
			meta["kbs."+k] = string(bytes.TrimSpace(v))
		}
	}
	te := bytes.TrimSpace(o["tee-evidence"])
	if s, ok := jsonString(te); ok {
		return u.any([]byte(s), with(path, where+" tee-evidence", meta), depth+1)
	}
	t, err := decodeObject(te)
	if err != nil {
		return malformed(where, "tee-evidence: %v", err)
	}
	if !t.has("primary_evidence") {
		return u.jsonObject(te, with(path, where+" tee-evidence", meta), depth+1)
	}
	if err := u.jsonValue(t["primary_evidence"], with(path, where+" primary_evidence", meta), depth+1); err != nil {
		return err
	}
	if t.isNull("additional_evidence") {
		return nil
	}
	s, ok := jsonString(t["additional_evidence"])
	if !ok {
		return malformed(where, "additional_evidence is not a string")
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	add, err := decodeObject([]byte(s))
	if err != nil {
		return malformed(where, "additional_evidence is not a JSON object: %v", err)
	}
	if len(add) > u.opts.MaxEntries {
		return fmt.Errorf("%w: %s: %d additional evidences, at most %d", ErrTooMany, where, len(add), u.opts.MaxEntries)
	}
	for _, name := range add.keys() {
		p := with(path, fmt.Sprintf("%s additional_evidence[%q]", where, name), meta)
		if err := u.trusteeNamed(name, add[name], p, depth+2); err != nil {
			return err
		}
	}
	return nil
}

// jsonValue unwraps a JSON value that is evidence: an object, or a string
// holding it (JSON text, or hex or base64 of it).
func (u *unwrapper) jsonValue(v json.RawMessage, path []layer, depth int) error {
	if s, ok := jsonString(v); ok {
		return u.any([]byte(s), path, depth)
	}
	return u.any(v, path, depth)
}

// asRequest unwraps an attestation-service request (trustee
// attestation-service/docs/restful-as.md): {"verification_requests":
// [{"tee", "evidence": base64url of the evidence JSON, "runtime_data"?,
// "init_data"?, "runtime_data_hash_algorithm"?, …}], "policy_ids"}.
func (u *unwrapper) asRequest(o object, path []layer, depth int) error {
	const where = "as request"
	var reqs []json.RawMessage
	if err := json.Unmarshal(o["verification_requests"], &reqs); err != nil {
		return malformed(where, "verification_requests is not a list")
	}
	if len(reqs) == 0 {
		return malformed(where, "no verification_requests")
	}
	if len(reqs) > u.opts.MaxEntries {
		return fmt.Errorf("%w: %s: %d verification requests, at most %d", ErrTooMany, where, len(reqs), u.opts.MaxEntries)
	}
	for i, r := range reqs {
		ro, err := decodeObject(r)
		if err != nil {
			return malformed(where, "verification_requests[%d]: %v", i, err)
		}
		if err := u.asSingle(ro, fmt.Sprintf("%s verification_requests[%d]", where, i), path, depth); err != nil {
			return err
		}
	}
	return nil
}

// asSingle unwraps one request: {"tee", "evidence", …}. The older single
// request form is the same object at the top.
func (u *unwrapper) asSingle(o object, label string, path []layer, depth int) error {
	tee, err := o.str(label, "tee")
	if err != nil {
		return err
	}
	meta := map[string]string{"as.tee": tee}
	for _, k := range []string{"runtime_data", "init_data", "runtime_data_hash_algorithm", "init_data_hash_algorithm", "policy_ids"} {
		if v, ok := o[k]; ok {
			meta["as."+k] = string(bytes.TrimSpace(v))
		}
	}
	return u.trusteeNamed(tee, o["evidence"], with(path, fmt.Sprintf("%s (tee %s)", label, tee), meta), depth+1)
}
