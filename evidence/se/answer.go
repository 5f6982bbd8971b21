// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"bytes"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// ExchangeMagic starts a pvattest exchange file.
const ExchangeMagic = "pvattest"

const (
	exchangeHeader  = 0x40
	exchangeVersion = 0x0100
	maxExchange     = 1 << 22
	maxARCBLen      = 0x100000 // uvdevice limit
	maxMeasLen      = 0x8000
	maxAddLen       = 0x8000
)

// Answer is the Ultravisor's answer to an ARCB, as the guest returns it.
// Fields are views over the caller's bytes; nil means absent.
type Answer struct {
	// ARCB is the request answered (pvattest carries it; Trustee does not).
	ARCB []byte
	// Measurement is the HMAC the Ultravisor computed.
	Measurement []byte
	// AdditionalData is what the ARCB's flags asked for, in flag order.
	AdditionalData []byte
	// UserData is what the guest passed (at most 256 bytes).
	UserData []byte
	// CUID is the configuration unique id of the guest.
	CUID []byte
	// Trustee holds the fields only Trustee's JSON carries, or nil.
	Trustee *TrusteeFields
}

// TrusteeFields are the members of Trustee's SE evidence that pvattest's
// exchange format has not.
type TrusteeFields struct {
	// EncrMeasurementKey and EncrRequestNonce are the request secret,
	// RSA-PKCS#1 v1.5 encrypted to the verifier's own key (stateless mode).
	EncrMeasurementKey, EncrRequestNonce []byte
	// ImageHdrTags are the SE-header tags the guest claims (never trusted:
	// the verifier's own header decides).
	ImageHdrTags []byte
}

// IsExchange reports whether b starts like a pvattest exchange file.
func IsExchange(b []byte) bool { return bytes.HasPrefix(b, []byte(ExchangeMagic)) }

// ParseExchange parses a pvattest exchange file (version 1). Entries with a
// size but offset 0 (a request's "expected size") are reported as absent.
func ParseExchange(b []byte) (*Answer, error) {
	if len(b) < exchangeHeader {
		return nil, fmt.Errorf("%w: exchange file of %d bytes, header needs %d", ErrTruncated, len(b), exchangeHeader)
	}
	if len(b) > maxExchange {
		return nil, fmt.Errorf("%w: exchange file of %d bytes, limit %d", ErrMalformed, len(b), maxExchange)
	}
	if string(b[:8]) != ExchangeMagic {
		return nil, fmt.Errorf("%w: exchange magic %q, want %q", ErrMalformed, b[:8], ExchangeMagic)
	}
	if v := binary.BigEndian.Uint32(b[8:]); v != exchangeVersion {
		return nil, fmt.Errorf("%w: exchange version %#x, want %#x", ErrUnsupported, v, exchangeVersion)
	}
	if size := binary.BigEndian.Uint32(b[12:]); uint64(size) > uint64(len(b)) {
		return nil, fmt.Errorf("%w: exchange size field %d, have %d bytes", ErrTruncated, size, len(b))
	} else if uint64(size) != uint64(len(b)) {
		return nil, fmt.Errorf("%w: exchange size field %d, have %d bytes", ErrMalformed, size, len(b))
	}
	var a Answer
	fields := []struct {
		name string
		dst  *[]byte
		max  int
	}{
		{"arcb", &a.ARCB, maxARCBLen},
		{"measurement", &a.Measurement, maxMeasLen},
		{"additional data", &a.AdditionalData, maxAddLen},
		{"user data", &a.UserData, MaxUserData},
		{"config uid", &a.CUID, CUIDSize},
	}
	for i, f := range fields {
		e := b[24+8*i:]
		size, off := binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:])
		switch {
		case size == 0:
			continue
		case int64(size) > int64(f.max):
			return nil, fmt.Errorf("%w: exchange %s of %d bytes, limit %d", ErrMalformed, f.name, size, f.max)
		case off == 0:
			continue // a request: expected size only
		case off < exchangeHeader || uint64(off)+uint64(size) > uint64(len(b)):
			return nil, fmt.Errorf("%w: exchange %s at %d+%d, file of %d bytes", ErrTruncated, f.name, off, size, len(b))
		}
		*f.dst = b[off : off+size : off+size]
	}
	if a.CUID != nil && len(a.CUID) != CUIDSize {
		return nil, fmt.Errorf("%w: exchange config uid of %d bytes, want %d", ErrMalformed, len(a.CUID), CUIDSize)
	}
	return &a, nil
}

// MarshalExchange encodes a in pvattest's exchange format, fields in order.
func (a *Answer) MarshalExchange() []byte {
	parts := [][]byte{a.ARCB, a.Measurement, a.AdditionalData, a.UserData, a.CUID}
	out := make([]byte, exchangeHeader)
	copy(out, ExchangeMagic)
	binary.BigEndian.PutUint32(out[8:], exchangeVersion)
	for i, p := range parts {
		if len(p) == 0 {
			continue
		}
		binary.BigEndian.PutUint32(out[24+8*i:], uint32(len(p)))
		binary.BigEndian.PutUint32(out[28+8*i:], uint32(len(out)))
		out = append(out, p...)
	}
	binary.BigEndian.PutUint32(out[12:], uint32(len(out)))
	return out
}

// trusteeJSON is Trustee's SeAttestationResponse (deps/verifier/src/se).
type trusteeJSON struct {
	Measurement        *string `json:"measurement"`
	AdditionalData     *string `json:"additional_data"`
	UserData           *string `json:"user_data"`
	CUID               *string `json:"cuid"`
	EncrMeasurementKey *string `json:"encr_measurement_key"`
	EncrRequestNonce   *string `json:"encr_request_nonce"`
	ImageHdrTags       *string `json:"image_hdr_tags"`
}

// ParseTrustee parses Trustee's SE evidence JSON (every member base64).
func ParseTrustee(b []byte) (*Answer, error) {
	if len(b) > maxExchange {
		return nil, fmt.Errorf("%w: SE evidence JSON of %d bytes, limit %d", ErrMalformed, len(b), maxExchange)
	}
	var j trusteeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%w: SE evidence JSON: %v", ErrMalformed, err)
	}
	fields := map[string]*string{
		"measurement": j.Measurement, "additional_data": j.AdditionalData, "user_data": j.UserData, "cuid": j.CUID,
		"encr_measurement_key": j.EncrMeasurementKey, "encr_request_nonce": j.EncrRequestNonce, "image_hdr_tags": j.ImageHdrTags,
	}
	dec := map[string][]byte{}
	for name, v := range fields {
		if v == nil {
			return nil, fmt.Errorf("%w: SE evidence JSON lacks %s", ErrMalformed, name)
		}
		d, err := base64.StdEncoding.DecodeString(*v)
		if err != nil {
			return nil, fmt.Errorf("%w: SE evidence JSON %s: %v", ErrMalformed, name, err)
		}
		dec[name] = d
	}
	return FromTrusteeFields(dec)
}

// FromTrusteeFields builds an Answer from Trustee's SE members, already
// decoded (evidence/container hands them over so).
func FromTrusteeFields(f map[string][]byte) (*Answer, error) {
	a := &Answer{
		Measurement: f["measurement"], AdditionalData: f["additional_data"], UserData: f["user_data"], CUID: f["cuid"],
		Trustee: &TrusteeFields{EncrMeasurementKey: f["encr_measurement_key"], EncrRequestNonce: f["encr_request_nonce"], ImageHdrTags: f["image_hdr_tags"]},
	}
	switch {
	case len(a.Measurement) > maxMeasLen:
		return nil, fmt.Errorf("%w: measurement of %d bytes", ErrMalformed, len(a.Measurement))
	case len(a.AdditionalData) > maxAddLen:
		return nil, fmt.Errorf("%w: additional data of %d bytes", ErrMalformed, len(a.AdditionalData))
	case len(a.UserData) > MaxUserData:
		return nil, fmt.Errorf("%w: user data of %d bytes, limit %d", ErrMalformed, len(a.UserData), MaxUserData)
	case len(a.CUID) != CUIDSize:
		return nil, fmt.Errorf("%w: cuid of %d bytes, want %d", ErrMalformed, len(a.CUID), CUIDSize)
	case len(a.Trustee.ImageHdrTags) != TagsSize:
		return nil, fmt.Errorf("%w: image_hdr_tags of %d bytes, want %d", ErrMalformed, len(a.Trustee.ImageHdrTags), TagsSize)
	}
	return a, nil
}

// MarshalTrustee encodes a as Trustee's SE evidence JSON; t are the tags the
// guest echoes, and the encrypted secret comes from [SealStateless].
func (a *Answer) MarshalTrustee(tags Tags, encKey, encNonce []byte) []byte {
	e := base64.StdEncoding.EncodeToString
	s := func(b []byte) *string { v := e(b); return &v }
	out, _ := json.Marshal(trusteeJSON{
		Measurement: s(a.Measurement), AdditionalData: s(a.AdditionalData), UserData: s(a.UserData), CUID: s(a.CUID),
		EncrMeasurementKey: s(encKey), EncrRequestNonce: s(encNonce), ImageHdrTags: s(tags[:]),
	})
	return out
}

// SealStateless encrypts the measurement key and nonce of s to the
// verifier's own RSA key (PKCS#1 v1.5, as Trustee does), for a verifier that
// keeps no state: the guest carries them back.
func SealStateless(rnd io.Reader, pub *rsa.PublicKey, s *Secret) (encKey, encNonce []byte, err error) {
	if encKey, err = rsa.EncryptPKCS1v15(rnd, pub, s.MeasurementKey[:]); err != nil {
		return nil, nil, fmt.Errorf("se: encrypt measurement key: %w", err)
	}
	if encNonce, err = rsa.EncryptPKCS1v15(rnd, pub, s.Nonce[:]); err != nil {
		return nil, nil, fmt.Errorf("se: encrypt nonce: %w", err)
	}
	return encKey, encNonce, nil
}

// OpenStateless decrypts a stateless answer's measurement key and nonce with
// the verifier's RSA key. The flags are not carried: flags are the verifier's.
func OpenStateless(priv *rsa.PrivateKey, t *TrusteeFields, flags Flags) (*Secret, error) {
	s := &Secret{Flags: flags | FlagNonce, HasNonce: true}
	// DecryptPKCS1v15SessionKey runs in constant time and leaves no padding oracle.
	key := make([]byte, MeasurementKeySize)
	nonce := make([]byte, NonceSize)
	if len(t.EncrMeasurementKey) != priv.Size() || len(t.EncrRequestNonce) != priv.Size() {
		return nil, fmt.Errorf("%w: encrypted measurement key and nonce of %d and %d bytes, the RSA key's size is %d", ErrDecrypt, len(t.EncrMeasurementKey), len(t.EncrRequestNonce), priv.Size())
	}
	ok := rsaOpen(priv, t.EncrMeasurementKey, key) && rsaOpen(priv, t.EncrRequestNonce, nonce)
	if !ok {
		return nil, fmt.Errorf("%w: encrypted measurement key or nonce", ErrDecrypt)
	}
	copy(s.MeasurementKey[:], key)
	copy(s.Nonce[:], nonce)
	return s, nil
}

func rsaOpen(priv *rsa.PrivateKey, ct, out []byte) bool {
	pt, err := rsa.DecryptPKCS1v15(nil, priv, ct)
	return err == nil && len(pt) == len(out) && copy(out, pt) == len(out)
}

// Measure computes the measurement (MAI 1: HMAC-SHA512 under the
// measurement key) over tags ‖ cuid ‖ lengths ‖ user data ‖ nonce (when
// present) ‖ additional data.
func Measure(key []byte, tags *Tags, cuid, user, nonce, additional []byte) ([]byte, error) {
	if len(cuid) != CUIDSize {
		return nil, fmt.Errorf("%w: config uid of %d bytes, want %d", ErrMalformed, len(cuid), CUIDSize)
	}
	if len(user) > MaxUserData {
		return nil, fmt.Errorf("%w: user data of %d bytes, limit %d", ErrMalformed, len(user), MaxUserData)
	}
	if len(additional) > maxAddLen {
		return nil, fmt.Errorf("%w: additional data of %d bytes, limit %d", ErrMalformed, len(additional), maxAddLen)
	}
	if len(nonce) != 0 && len(nonce) != NonceSize {
		return nil, fmt.Errorf("%w: nonce of %d bytes, want %d", ErrMalformed, len(nonce), NonceSize)
	}
	m := hmac.New(sha512.New, key)
	m.Write(tags[:])
	m.Write(cuid)
	var l [8]byte
	binary.BigEndian.PutUint16(l[0:], uint16(len(user)))
	binary.BigEndian.PutUint32(l[4:], uint32(len(additional)))
	m.Write(l[:])
	m.Write(user)
	m.Write(nonce)
	m.Write(additional)
	return m.Sum(nil), nil
}

// Additional is additional data split by the flags that asked for it.
type Additional struct {
	ImagePHKH, AttestPHKH, SecretStoreHash, FirmwareState []byte
	// Unrecognized is what follows the items the flags account for.
	Unrecognized []byte
}

// SplitAdditional splits additional data by flags, in flag-bit order.
func SplitAdditional(flags Flags, b []byte) (Additional, error) {
	var a Additional
	items := []struct {
		f   Flags
		dst *[]byte
		n   int
		nm  string
	}{
		{FlagImagePHKH, &a.ImagePHKH, PHKHSize, "image PHKH"},
		{FlagAttestPHKH, &a.AttestPHKH, PHKHSize, "attestation PHKH"},
		{FlagSecretStoreHash, &a.SecretStoreHash, SecretStoreHashSize, "secret-store hash"},
		{FlagFirmwareState, &a.FirmwareState, FirmwareStateSize, "firmware state"},
	}
	for _, it := range items {
		if flags&it.f == 0 {
			continue
		}
		if len(b) < it.n {
			return a, fmt.Errorf("%w: additional data lacks the %s (%d bytes left, want %d)", ErrTruncated, it.nm, len(b), it.n)
		}
		*it.dst, b = b[:it.n:it.n], b[it.n:]
	}
	if len(b) > 0 {
		a.Unrecognized = b
	}
	return a, nil
}
