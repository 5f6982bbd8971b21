// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"unicode/utf8"
)

// describe says in a few words what raw, which is not evidence, looks like.
func describe(raw []byte) string {
	t := bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "empty input"
	case len(t) == 0:
		return fmt.Sprintf("%d bytes of white space", len(raw))
	}
	if b, _ := pem.Decode(t); b != nil {
		switch b.Type {
		case "CERTIFICATE":
			return "a PEM certificate: collateral, not evidence"
		case "X509 CRL":
			return "a PEM CRL: collateral, not evidence"
		}
		return fmt.Sprintf("a PEM %q block, not evidence", b.Type)
	}
	if raw[0] == 0x30 {
		if _, err := x509.ParseCertificate(raw); err == nil {
			return "a DER certificate: collateral, not evidence"
		}
		if _, err := x509.ParseRevocationList(raw); err == nil {
			return "a DER CRL: collateral, not evidence"
		}
	}
	if (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return fmt.Sprintf("JSON (%d bytes) that is no known evidence container", len(raw))
	}
	if dec, enc := decodeText(raw); dec != nil {
		return fmt.Sprintf("%s text of %d bytes that are not evidence either (starting %x)", enc, len(dec), head(dec))
	}
	if utf8.Valid(t) && bytes.IndexFunc(t, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' && r != '\t' }) < 0 {
		return fmt.Sprintf("text (%d bytes), not evidence", len(raw))
	}
	if len(raw) >= 8 {
		// Looks binary: say what its first bytes would mean as a TDX quote
		// header or an SNP report, the two layouts recognized.
		return fmt.Sprintf("%d bytes starting %x: neither a TDX quote (version 4 or 5, key type 2, TEE type 0x81) nor an SEV-SNP report (version 2 to 5, SIGNATURE_ALGO 1 at 0x34)", len(raw), head(raw))
	}
	return fmt.Sprintf("%d bytes (%x): too short for any evidence", len(raw), raw)
}

func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// decodeText decodes raw when it is hex (with or without 0x) or base64
// (standard or URL alphabet, padded or not) text, as Trustee and Phala ship
// quotes, and names the encoding; nil when it is neither.
func decodeText(raw []byte) ([]byte, string) {
	t := bytes.TrimSpace(raw)
	if len(t) < 16 {
		return nil, ""
	}
	h := bytes.TrimPrefix(bytes.TrimPrefix(t, []byte("0x")), []byte("0X"))
	if d, err := hex.DecodeString(string(h)); err == nil {
		return d, "hex"
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(string(t)); err == nil {
			return d, "base64"
		}
	}
	return nil, ""
}
