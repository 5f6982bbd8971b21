// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

type secretJSON struct {
	ARPK           string `json:"arpk"`
	MeasurementKey string `json:"measurement_key"`
	Nonce          string `json:"nonce,omitempty"`
	Flags          string `json:"flags"`
}

// MarshalJSON encodes the secret in hex, for a verifier that stores it.
func (s *Secret) MarshalJSON() ([]byte, error) {
	j := secretJSON{ARPK: hex.EncodeToString(s.ARPK[:]), MeasurementKey: hex.EncodeToString(s.MeasurementKey[:]), Flags: fmt.Sprintf("%#016x", uint64(s.Flags))}
	if s.HasNonce {
		j.Nonce = hex.EncodeToString(s.Nonce[:])
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var j secretJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: request secret: %v", ErrMalformed, err)
	}
	var out Secret
	for _, f := range []struct {
		name, v string
		dst     []byte
	}{{"arpk", j.ARPK, out.ARPK[:]}, {"measurement_key", j.MeasurementKey, out.MeasurementKey[:]}} {
		d, err := hex.DecodeString(f.v)
		if err != nil || len(d) != len(f.dst) {
			return fmt.Errorf("%w: request secret %s: want %d hex bytes", ErrMalformed, f.name, len(f.dst))
		}
		copy(f.dst, d)
	}
	fl, err := strconv.ParseUint(j.Flags, 0, 64)
	if err != nil {
		return fmt.Errorf("%w: request secret flags %q", ErrMalformed, j.Flags)
	}
	out.Flags = Flags(fl)
	if j.Nonce != "" {
		d, err := hex.DecodeString(j.Nonce)
		if err != nil || len(d) != NonceSize {
			return fmt.Errorf("%w: request secret nonce: want %d hex bytes", ErrMalformed, NonceSize)
		}
		copy(out.Nonce[:], d)
		out.HasNonce = true
	}
	if out.HasNonce != (out.Flags&FlagNonce != 0) {
		return fmt.Errorf("%w: request secret: nonce present %v, flags %#016x", ErrMalformed, out.HasNonce, fl)
	}
	*s = out
	return nil
}

// ID names the request the secret belongs to without revealing it:
// SHA-256 over a domain label, the measurement key and the nonce. A replay
// guard keys on it.
func (s *Secret) ID() [32]byte {
	h := sha256.New()
	h.Write([]byte("ccverify se request id\x00"))
	h.Write(s.MeasurementKey[:])
	h.Write(s.Nonce[:])
	var id [32]byte
	copy(id[:], h.Sum(nil))
	return id
}
