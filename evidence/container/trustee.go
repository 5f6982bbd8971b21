// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccverify/ccverify/evidence/azure"
)

// Trustee's evidence JSON, per TEE, as its attesters write it
// (confidential-containers/guest-components attestation-agent/attester/src)
// and its verifiers read it (confidential-containers/trustee
// deps/verifier/src):
//
//	tdx          {"cc_eventlog": base64 | null, "quote": base64}                       (tdx/mod.rs TdxEvidence)
//	snp          {"attestation_report": {…fields…}, "cert_chain": [{"cert_type", "data": [bytes]}] | null}
//	                                                                                   (snp/mod.rs SnpEvidence; sev crate serde)
//	az-snp-vtpm  v0 {"quote": {"signature","message": [bytes], "pcrs": [[32 bytes]]}, "report": [bytes], "vcek": PEM}
//	             v1, v2 {"version", "tpm_quote": {"signature","message": hex, "pcrs": [hex]},
//	                     "hcl_report": base64url, "vcek": base64url DER}               (az_snp_vtpm/compat.rs)
//	az-tdx-vtpm  v0 {"tpm_quote": {…byte arrays…}, "hcl_report": [bytes], "td_quote": [bytes]}
//	             v1, v2 {"version", "tpm_quote": {…hex…}, "hcl_report": base64url, "td_quote": base64url}
//	                                                                                   (az_tdx_vtpm/compat.rs)
//	se           {"measurement", "additional_data", "user_data", "cuid", "encr_measurement_key",
//	              "encr_request_nonce", "image_hdr_tags": base64}                      (se/ibmse.rs SeAttestationResponse)
//
// Version 2 differs from 1 only in that the HCL user data carries the report
// data (Trustee then checks it).

// seFields are the members of Trustee's SE evidence, in order.
var seFields = []string{"measurement", "additional_data", "user_data", "cuid", "encr_measurement_key", "encr_request_nonce", "image_hdr_tags"}

// trusteeShape says which Trustee evidence an object's members make it.
func trusteeShape(o object) (TEE, bool) {
	switch {
	case o.has("tpm_quote", "td_quote"):
		return AzTDXvTPM, true
	case o.has("tpm_quote", "hcl_report"), o.has("quote", "report", "vcek"):
		return AzSNPvTPM, true
	case o.has("attestation_report"):
		return SNP, true
	case o.has("quote"):
		if _, ok := jsonString(o["quote"]); ok {
			return TDX, true
		}
	case o.has(seFields...):
		return SE, true
	}
	return "", false
}

// teeByName maps Trustee's TEE names (the attestation service's "tee", and
// kbs-types' serde names in a KBS attestation's additional evidence) to ours.
func teeByName(name string) (TEE, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "tdx":
		return TDX, nil
	case "snp":
		return SNP, nil
	case "az-snp-vtpm", "azsnpvtpm":
		return AzSNPvTPM, nil
	case "az-tdx-vtpm", "aztdxvtpm":
		return AzTDXvTPM, nil
	case "se":
		return SE, nil
	}
	return "", fmt.Errorf("%w: %q (known: tdx, snp, az-snp-vtpm, az-tdx-vtpm, se)", ErrUnknownTEE, name)
}

// trustee decodes Trustee evidence of the given TEE.
func (u *unwrapper) trustee(tee TEE, o object, path []layer) error {
	var (
		e   Evidence
		err error
	)
	switch tee {
	case TDX:
		e, err = trusteeTDX(o)
	case SNP:
		e, err = u.trusteeSNP(o)
	case AzSNPvTPM:
		e, err = u.trusteeAz(o, AzSNPvTPM)
	case AzTDXvTPM:
		e, err = u.trusteeAz(o, AzTDXvTPM)
	case SE:
		e, err = trusteeSE(o)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownTEE, tee)
	}
	if err != nil {
		return err
	}
	return u.emit(path, e)
}

// trusteeNamed decodes v, the evidence a wrapper names the TEE of: a JSON
// object, or a string holding one (as JSON text or base64 of it).
func (u *unwrapper) trusteeNamed(name string, v json.RawMessage, path []layer, depth int) error {
	tee, err := teeByName(name)
	if err != nil {
		return err
	}
	where := fmt.Sprintf("evidence for tee %q", name)
	raw := []byte(v)
	if s, ok := jsonString(v); ok {
		raw = []byte(s)
		if t := strings.TrimSpace(s); !strings.HasPrefix(t, "{") {
			b, err := decodeBase64(t)
			if err != nil {
				return malformed(where, "a string that is neither JSON nor base64: %v", err)
			}
			raw = b
			path = with(path, "base64 text", nil)
			depth++
		}
	}
	if err := u.deeper(depth, path); err != nil {
		return err
	}
	o, err := decodeObject(raw)
	if err != nil {
		return malformed(where, "not a JSON object: %v", err)
	}
	if got, ok := trusteeShape(o); !ok || got != tee {
		return malformed(where, "its members %q are not Trustee's %s evidence", o.keys(), tee)
	}
	return u.trustee(tee, o, path)
}

func trusteeTDX(o object) (Evidence, error) {
	const where = "trustee-tdx"
	e := Evidence{TEE: TDX, Form: FormTrusteeTDX}
	s, err := o.str(where, "quote")
	if err != nil {
		return e, err
	}
	q, how, err := textBytes(s, isTDXQuote)
	if err != nil {
		return e, malformed(where, "quote: %v", err)
	}
	e.Pieces = append(e.Pieces, Piece{Kind: KindTDXQuote, Name: "quote", Data: q, Origin: "field quote" + how})
	if !o.isNull("cc_eventlog") {
		l, err := o.bytes(where, "cc_eventlog", encBase64)
		if err != nil {
			return e, err
		}
		e.Pieces = append(e.Pieces, Piece{Kind: KindCCEL, Name: "cc_eventlog", Data: l, Origin: "field cc_eventlog"})
	}
	return e, nil
}

func trusteeSE(o object) (Evidence, error) {
	const where = "trustee-se"
	e := Evidence{TEE: SE, Form: FormTrusteeSE}
	for _, f := range seFields {
		b, err := o.bytes(where, f, encBase64)
		if err != nil {
			return e, err
		}
		e.Pieces = append(e.Pieces, Piece{Kind: KindSE, Name: f, Data: b, Origin: "field " + f})
	}
	return e, nil
}

// trusteeAz decodes az-snp-vtpm and az-tdx-vtpm evidence of any version.
func (u *unwrapper) trusteeAz(o object, tee TEE) (Evidence, error) {
	form, want, hwField := FormTrusteeAzSNP, azure.ReportTypeSNP, "vcek"
	if tee == AzTDXvTPM {
		form, want, hwField = FormTrusteeAzTDX, azure.ReportTypeTDX, "td_quote"
	}
	where := string(form)
	version := 0
	if v, ok := o["version"]; ok {
		if err := json.Unmarshal(v, &version); err != nil || (version != 1 && version != 2) {
			return Evidence{}, fmt.Errorf("%w: %s: version %s (known: 0 without the member, 1, 2)", ErrVersion, where, v)
		}
	}
	where = fmt.Sprintf("%s v%d", form, version)
	// Field names and encodings of the version.
	quoteField, hclField, enc, hexOrArray := "tpm_quote", "hcl_report", encBase64, encHex
	if version == 0 {
		enc, hexOrArray = encArray, encArray
		if tee == AzSNPvTPM {
			quoteField, hclField = "quote", "report"
		}
	} else if !o.has("tpm_quote") {
		return Evidence{}, malformed(where, "no \"tpm_quote\"")
	}
	hcl, err := o.bytes(where, hclField, enc)
	if err != nil {
		return Evidence{}, err
	}
	e, err := hclEvidence(hcl, hclField, want)
	if err != nil {
		return Evidence{}, fmt.Errorf("%s: %w", where, err)
	}
	e.TEE, e.Form, e.Version = tee, form, version

	q, err := o.sub(where, quoteField)
	if err != nil {
		return Evidence{}, err
	}
	msg, err := q.bytes(where+" "+quoteField, "message", hexOrArray)
	if err != nil {
		return Evidence{}, err
	}
	sig, err := q.bytes(where+" "+quoteField, "signature", hexOrArray)
	if err != nil {
		return Evidence{}, err
	}
	var pcrs []json.RawMessage
	if err := json.Unmarshal(q["pcrs"], &pcrs); err != nil {
		return Evidence{}, malformed(where, "%s.pcrs is not a list", quoteField)
	}
	if len(pcrs) > u.opts.MaxEntries {
		return Evidence{}, fmt.Errorf("%w: %s: %d PCR values, at most %d", ErrTooMany, where, len(pcrs), u.opts.MaxEntries)
	}
	e.Pieces = append(e.Pieces,
		Piece{Kind: KindTPMQuote, Name: quoteField + ".message", Data: msg, Origin: "field " + quoteField + ".message"},
		Piece{Kind: KindTPMSignature, Name: quoteField + ".signature", Data: sig, Origin: "field " + quoteField + ".signature"})
	for i, p := range pcrs {
		v, err := bytesOf(p, hexOrArray)
		if err != nil {
			return Evidence{}, malformed(where, "%s.pcrs[%d]: %v", quoteField, i, err)
		}
		name := fmt.Sprintf("%s.pcrs[%d]", quoteField, i)
		e.Pieces = append(e.Pieces, Piece{Kind: KindPCR, Name: name, Data: v, Origin: "field " + name})
	}

	switch {
	case tee == AzTDXvTPM:
		tq, err := o.bytes(where, "td_quote", enc)
		if err != nil {
			return Evidence{}, err
		}
		e.Pieces = append(e.Pieces, Piece{Kind: KindTDXQuote, Name: hwField, Data: tq, Origin: "field td_quote"})
	case version == 0:
		pem, err := o.str(where, "vcek")
		if err != nil {
			return Evidence{}, err
		}
		e.Pieces = append(e.Pieces, Piece{Kind: KindVCEK, Name: hwField, Data: []byte(pem), Origin: "field vcek"})
	default:
		der, err := o.bytes(where, "vcek", encBase64)
		if err != nil {
			return Evidence{}, err
		}
		e.Pieces = append(e.Pieces, Piece{Kind: KindVCEK, Name: hwField, Data: der, Origin: "field vcek"})
	}
	return e, nil
}

// textBytes decodes a string carrying bytes: base64 as Trustee writes them,
// or hex (optionally 0x-prefixed) when the string is only hex digits and
// decodes to what isForm recognizes (as tools that print quotes in hex
// write it; a base64 TD quote or SNP report is never all hex digits). how
// says which, for the origin.
func textBytes(s string, isForm func([]byte) bool) (b []byte, how string, err error) {
	h := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	if len(h)%2 == 0 && isHex(h) {
		if b, err := hex.DecodeString(h); err == nil && isForm(b) {
			return b, " (hex)", nil
		}
	}
	b, err = decodeBase64(s)
	return b, "", err
}
