// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ccverify/ccverify/evidence/azure"
)

// any unwraps b, whatever form it is.
func (u *unwrapper) any(b []byte, path []layer, depth int) error {
	if err := u.deeper(depth, path); err != nil {
		return err
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return fmt.Errorf("%w: empty input", ErrUnrecognized)
	}
	switch t[0] {
	case '{':
		return u.jsonObject(t, path, depth)
	case '[':
		return u.cmwJSONRecord(t, path, depth)
	}
	if ok, err := u.raw(b, path); ok {
		return err
	}
	if ok, err := u.cbor(b, path, depth); ok {
		return err
	}
	if ok, err := u.text(t, path, depth); ok {
		return err
	}
	return fmt.Errorf("%w: %s", ErrUnrecognized, describe(b))
}

// raw recognizes the bare binary forms.
func (u *unwrapper) raw(b []byte, path []layer) (bool, error) {
	switch {
	case isTDXQuote(b):
		return true, u.emit(path, Evidence{TEE: TDX, Form: FormRaw, Pieces: []Piece{{Kind: KindTDXQuote, Data: b, Origin: "TD quote"}}})
	case isSNPReport(b):
		return true, u.emit(path, Evidence{TEE: SNP, Form: FormRaw, Pieces: []Piece{{Kind: KindSNPReport, Data: b, Origin: "SNP report"}}})
	case len(b) >= 4 && binary.LittleEndian.Uint32(b) == azure.HCLSignature:
		e, err := hclEvidence(b, "", 0)
		if err != nil {
			return true, err
		}
		e.Form = FormHCL
		return true, u.emit(path, e)
	}
	return false, nil
}

// isTDXQuote recognizes a TD quote's header: version 4 or 5, attestation key
// type 2 (ECDSA P-256), TEE type 0x81.
func isTDXQuote(b []byte) bool {
	if len(b) < 48 {
		return false
	}
	v := binary.LittleEndian.Uint16(b[0:])
	return (v == 4 || v == 5) && binary.LittleEndian.Uint16(b[2:]) == 2 && binary.LittleEndian.Uint32(b[4:]) == 0x81
}

// isSNPReport recognizes an SNP report's version (2 to 5) and
// SIGNATURE_ALGO (1, ECDSA P-384 with SHA-384), as verify.Detect does, so
// that a short one is still handed to the SNP parser to be called truncated.
func isSNPReport(b []byte) bool {
	if len(b) < 0x38 {
		return false
	}
	v := binary.LittleEndian.Uint32(b[0:])
	return v >= 2 && v <= 5 && binary.LittleEndian.Uint32(b[0x34:]) == 1
}

// hclEvidence returns the pieces of an HCL report: the report, the hardware
// report inside it, its runtime data and the attestation key the runtime
// data names (when it parses; certs/azure judges it). field names the
// container field that held it ("" for a bare report); want, when set, is
// the report type the container requires.
func hclEvidence(b []byte, field string, want azure.ReportType) (Evidence, error) {
	where := "HCL report"
	if field != "" {
		where = "field " + field
	}
	h, err := azure.ParseHCLReport(b)
	if err != nil {
		return Evidence{}, fmt.Errorf("%w: %s: %w", ErrMalformed, where, err)
	}
	if want != 0 && h.ReportType() != want {
		return Evidence{}, malformed(where, "HCL report of type %v, want %v", h.ReportType(), want)
	}
	e := Evidence{TEE: SNP}
	hw := Piece{Kind: KindSNPReport, Name: field, Data: h.HardwareReport(), Origin: where + ": SNP report at 0x20"}
	if h.ReportType() == azure.ReportTypeTDX {
		e.TEE = TDX
		hw = Piece{Kind: KindTDReport, Name: field, Data: h.HardwareReport(), Origin: where + ": TD report at 0x20"}
	}
	e.Pieces = append(e.Pieces,
		Piece{Kind: KindHCLReport, Name: field, Data: b, Origin: where},
		hw,
		Piece{Kind: KindRuntimeData, Name: field, Data: h.RuntimeData(), Origin: fmt.Sprintf("%s: runtime data at %#x", where, azure.RuntimeDataOffset)})
	if rd, err := azure.ParseRuntimeData(h.RuntimeData()); err == nil {
		if k, ok := rd.Key(azure.AKKeyID); ok {
			e.Pieces = append(e.Pieces, Piece{Kind: KindAK, Name: field, Data: k.Raw, Origin: where + ": runtime data key " + azure.AKKeyID})
		}
	}
	return e, nil
}

// text decodes hex or base64 text and unwraps what it holds.
func (u *unwrapper) text(t []byte, path []layer, depth int) (bool, error) {
	s := string(t)
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	tried := false
	if len(s) >= 16 && len(s)%2 == 0 && isHex(s) {
		tried = true
		if b, err := hex.DecodeString(s); err == nil {
			err := u.any(b, with(path, "hex text", nil), depth+1)
			if !errors.Is(err, ErrUnrecognized) {
				return true, err
			}
		}
	}
	if len(t) >= 16 && isBase64Text(t) {
		tried = true
		if b, err := decodeBase64(string(t)); err == nil {
			err := u.any(b, with(path, "base64 text", nil), depth+1)
			if !errors.Is(err, ErrUnrecognized) {
				return true, err
			}
		}
	}
	if tried {
		return true, fmt.Errorf("%w: text that decodes to no known evidence", ErrUnrecognized)
	}
	return false, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isBase64Text(t []byte) bool {
	for _, c := range t {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '+', c == '/', c == '-', c == '_', c == '=', c == '\n', c == '\r', c == ' ', c == '\t':
		default:
			return false
		}
	}
	return true
}

// describe says what unrecognized bytes look like.
func describe(b []byte) string {
	n := len(b)
	if n > 8 {
		b = b[:8]
	}
	return fmt.Sprintf("%d bytes starting %x", n, b)
}

// jsonObject unwraps a JSON object by its members.
func (u *unwrapper) jsonObject(t []byte, path []layer, depth int) error {
	o, err := decodeObject(t)
	if errors.Is(err, errDuplicate) {
		return malformed("JSON object", "%v", err)
	}
	if err != nil {
		return fmt.Errorf("%w: JSON: %v", ErrUnrecognized, err)
	}
	switch {
	case o.has(cmwCollectionType):
		return u.cmwJSONCollection(o, path, depth)
	case o.has("outblob"):
		return u.tsmJSON(o, path)
	case o.has("cmw", "eat_profile"):
		return u.ratsdToken(o, path, depth)
	case o.has("tee-evidence"):
		return u.kbsAttestation(o, path, depth)
	case o.has("verification_requests"):
		return u.asRequest(o, path, depth)
	case o.has("tee", "evidence"):
		return u.asSingle(o, "as request", path, depth)
	}
	if tee, ok := trusteeShape(o); ok {
		return u.trustee(tee, o, path)
	}
	if looksLikeCMWCollection(o) {
		return u.cmwJSONCollection(o, path, depth)
	}
	return fmt.Errorf("%w: a JSON object with members %q", ErrUnrecognized, o.keys())
}
