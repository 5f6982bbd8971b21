// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// errDuplicate marks a JSON object with a member twice: decoders disagree
// on which one counts, so such input is malformed, never guessed at.
var errDuplicate = errors.New("duplicate member")

// object is a decoded JSON object: its members as carried, in sorted order
// of their names when listed.
type object map[string]json.RawMessage

// decodeObject decodes a JSON object, refusing duplicate members and data
// after the object. Errors other than errDuplicate mean "not a JSON object".
func decodeObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	m := object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("member %q: %v", k, err)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%w %q", errDuplicate, k)
		}
		m[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

func (o object) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return true
}

func (o object) keys() []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// isNull reports whether a member is absent or JSON null.
func (o object) isNull(k string) bool {
	v, ok := o[k]
	return !ok || string(bytes.TrimSpace(v)) == "null"
}

// str returns a string member; a missing one is an error.
func (o object) str(where, k string) (string, error) {
	v, ok := o[k]
	if !ok {
		return "", malformed(where, "no %q", k)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", malformed(where, "%q is not a string", k)
	}
	return s, nil
}

// sub returns an object member.
func (o object) sub(where, k string) (object, error) {
	v, ok := o[k]
	if !ok {
		return nil, malformed(where, "no %q", k)
	}
	m, err := decodeObject(v)
	if err != nil {
		return nil, malformed(where, "%q is not a JSON object: %v", k, err)
	}
	return m, nil
}

// byteEncoding is how a JSON member carries bytes.
type byteEncoding uint8

const (
	encArray  byteEncoding = iota + 1 // a JSON array of integers 0..255 (serde's Vec<u8>)
	encHex                            // a hex string (serde_with Hex)
	encBase64                         // a base64 string, standard or URL alphabet, padded or not
)

func (e byteEncoding) String() string {
	switch e {
	case encArray:
		return "a byte array"
	case encHex:
		return "hex"
	default:
		return "base64"
	}
}

// bytesOf decodes a JSON value carrying bytes in encoding enc.
func bytesOf(v json.RawMessage, enc byteEncoding) ([]byte, error) {
	if enc == encArray {
		var a []uint16
		if err := json.Unmarshal(v, &a); err != nil {
			return nil, fmt.Errorf("not %v", enc)
		}
		b := make([]byte, len(a))
		for i, x := range a {
			if x > 0xff {
				return nil, fmt.Errorf("element %d is %d, not a byte", i, x)
			}
			b[i] = byte(x)
		}
		return b, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("not a %v string", enc)
	}
	if enc == encHex {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("not hex: %v", err)
		}
		return b, nil
	}
	return decodeBase64(s)
}

// member decodes a required bytes member.
func (o object) bytes(where, k string, enc byteEncoding) ([]byte, error) {
	v, ok := o[k]
	if !ok {
		return nil, malformed(where, "no %q", k)
	}
	b, err := bytesOf(v, enc)
	if err != nil {
		return nil, malformed(where, "%q: %v", k, err)
	}
	return b, nil
}

// decodeBase64 decodes base64 in either alphabet, with or without padding,
// ignoring line breaks (PEM-style wrapping).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', ' ', '\t':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	url := strings.ContainsAny(s, "-_")
	if url && strings.ContainsAny(s, "+/") {
		return nil, errors.New("not base64: mixes the standard and URL alphabets")
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	return b, nil
}

// jsonString returns the string a JSON value is, if it is one.
func jsonString(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
