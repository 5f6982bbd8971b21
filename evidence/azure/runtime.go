// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Key IDs of the vTPM keys in the runtime data.
const (
	// AKKeyID is the key ID of the vTPM's attestation key.
	AKKeyID = "HCLAkPub"
	// EKKeyID is the key ID of the vTPM's endorsement key.
	EKKeyID = "HCLEkPub"
	// MaxRuntimeDataKeys bounds the keys the runtime data may list.
	MaxRuntimeDataKeys = 16
	// MinRSABits and MaxRSABits bound the RSA keys the runtime data may
	// name (vTPM keys are 2048-bit).
	MinRSABits = 2048
	MaxRSABits = 8192
)

// RuntimeData is the paravisor's runtime data (the HCL report's variable
// data): a JSON object with the vTPM keys ("keys", JWKs), the VM
// configuration ("vm-configuration") and the user data ("user-data", hex).
type RuntimeData struct {
	raw      []byte
	keys     []JWK
	vmConfig json.RawMessage
	userData []byte
	hasUser  bool
}

// JWK is one key of the runtime data, as the paravisor writes it
// ({"kid":"HCLAkPub","key_ops":["sign"],"kty":"RSA","e":"AQAB","n":"…"}).
type JWK struct {
	KeyID   string   // "kid"
	KeyType string   // "kty"
	Alg     string   // "alg", when present
	KeyOps  []string // "key_ops"
	N, E    []byte   // RSA modulus and exponent, decoded from base64url
	Raw     []byte   // the JWK's JSON, as carried
}

// ParseRuntimeData parses runtime data. It requires a JSON object with no
// duplicate members, a "keys" array (at most [MaxRuntimeDataKeys] keys, each
// an object with a unique "kid"), and, when present, "user-data" as hex. The
// RuntimeData refers to b.
func ParseRuntimeData(b []byte) (RuntimeData, error) {
	obj, err := decodeObject(b)
	if err != nil {
		return RuntimeData{}, fmt.Errorf("%w: %v", ErrRuntimeData, err)
	}
	rd := RuntimeData{raw: b}
	keys, ok := obj["keys"]
	if !ok {
		return RuntimeData{}, fmt.Errorf("%w: no \"keys\" member", ErrRuntimeData)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(keys, &list); err != nil {
		return RuntimeData{}, fmt.Errorf("%w: \"keys\": %v", ErrRuntimeData, err)
	}
	if len(list) > MaxRuntimeDataKeys {
		return RuntimeData{}, fmt.Errorf("%w: %d keys, at most %d", ErrRuntimeData, len(list), MaxRuntimeDataKeys)
	}
	seen := map[string]bool{}
	for i, k := range list {
		j, err := parseJWK(k)
		if err != nil {
			return RuntimeData{}, fmt.Errorf("%w: keys[%d]: %v", ErrRuntimeData, i, err)
		}
		if seen[j.KeyID] {
			return RuntimeData{}, fmt.Errorf("%w: keys[%d]: kid %q listed twice", ErrRuntimeData, i, j.KeyID)
		}
		seen[j.KeyID] = true
		rd.keys = append(rd.keys, j)
	}
	if v, ok := obj["vm-configuration"]; ok {
		rd.vmConfig = v
	}
	if v, ok := obj["user-data"]; ok {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return RuntimeData{}, fmt.Errorf("%w: \"user-data\": %v", ErrRuntimeData, err)
		}
		u, err := hex.DecodeString(s)
		if err != nil {
			return RuntimeData{}, fmt.Errorf("%w: \"user-data\" is not hex: %v", ErrRuntimeData, err)
		}
		rd.userData, rd.hasUser = u, true
	}
	return rd, nil
}

func parseJWK(b json.RawMessage) (JWK, error) {
	obj, err := decodeObject(b)
	if err != nil {
		return JWK{}, err
	}
	j := JWK{Raw: b}
	str := func(name string, dst *string) error {
		v, ok := obj[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("%q: %v", name, err)
		}
		return nil
	}
	if err := str("kid", &j.KeyID); err != nil {
		return JWK{}, err
	}
	if err := str("kty", &j.KeyType); err != nil {
		return JWK{}, err
	}
	if err := str("alg", &j.Alg); err != nil {
		return JWK{}, err
	}
	if v, ok := obj["key_ops"]; ok {
		if err := json.Unmarshal(v, &j.KeyOps); err != nil {
			return JWK{}, fmt.Errorf("\"key_ops\": %v", err)
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"n", &j.N}, {"e", &j.E}} {
		var s string
		if err := str(f.name, &s); err != nil {
			return JWK{}, err
		}
		if s == "" {
			continue
		}
		v, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return JWK{}, fmt.Errorf("%q is not base64url: %v", f.name, err)
		}
		*f.dst = v
	}
	return j, nil
}

// Raw returns the runtime data as carried.
func (rd RuntimeData) Raw() []byte { return rd.raw }

// Keys returns the keys the runtime data lists, in order.
func (rd RuntimeData) Keys() []JWK { return rd.keys }

// Key returns the key with the given key ID.
func (rd RuntimeData) Key(kid string) (JWK, bool) {
	for _, k := range rd.keys {
		if k.KeyID == kid {
			return k, true
		}
	}
	return JWK{}, false
}

// AK returns the vTPM's attestation key (kid [AKKeyID]) as an RSA public key.
func (rd RuntimeData) AK() (*rsa.PublicKey, JWK, error) {
	k, ok := rd.Key(AKKeyID)
	if !ok {
		return nil, JWK{}, fmt.Errorf("%w: no key with kid %q", ErrNoKey, AKKeyID)
	}
	pub, err := k.RSAPublicKey()
	if err != nil {
		return nil, k, err
	}
	return pub, k, nil
}

// UserData returns the user data (decoded from "user-data"), and whether the
// runtime data has it.
func (rd RuntimeData) UserData() ([]byte, bool) { return rd.userData, rd.hasUser }

// VMConfiguration returns the "vm-configuration" member's JSON as carried,
// or nil.
func (rd RuntimeData) VMConfiguration() json.RawMessage { return rd.vmConfig }

// RSAPublicKey returns the key as an RSA public key. It requires kty "RSA",
// a modulus of [MinRSABits] to [MaxRSABits] bits and an odd exponent of at
// least 3 that fits in 31 bits.
func (j JWK) RSAPublicKey() (*rsa.PublicKey, error) {
	if j.KeyType != "RSA" {
		return nil, fmt.Errorf("%w: key %q has kty %q, want RSA", ErrRuntimeData, j.KeyID, j.KeyType)
	}
	n := new(big.Int).SetBytes(j.N)
	if bits := n.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return nil, fmt.Errorf("%w: key %q has a %d-bit modulus (want %d to %d)", ErrRuntimeData, j.KeyID, bits, MinRSABits, MaxRSABits)
	}
	e := new(big.Int).SetBytes(j.E)
	if e.BitLen() > 31 || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: key %q has exponent %v", ErrRuntimeData, j.KeyID, e)
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// decodeObject decodes a JSON object into its members, refusing duplicate
// member names (which JSON decoders resolve differently) and anything after
// the object.
func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("member %q: %v", k, err)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("member %q appears twice", k)
		}
		m[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return m, nil
}
