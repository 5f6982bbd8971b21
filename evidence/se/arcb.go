// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors of this package, wrapped with the field and values that failed.
var (
	// ErrTruncated reports input shorter than its structure or its own lengths.
	ErrTruncated = errors.New("se: truncated")
	// ErrMalformed reports input whose fields are out of range or inconsistent.
	ErrMalformed = errors.New("se: malformed")
	// ErrDecrypt reports an AES-GCM open that failed: wrong key, or data
	// changed after it was sealed.
	ErrDecrypt = errors.New("se: does not decrypt")
	// ErrNoKeySlot reports an ARCB with no key slot for a host key (the
	// Ultravisor's rc 0x010c).
	ErrNoKeySlot = errors.New("se: no key slot for this host")
	// ErrUnsupported reports a version, algorithm or flag this package does not implement.
	ErrUnsupported = errors.New("se: unsupported")
)

// Sizes of the ARCB and its parts.
const (
	RequestHeaderSize  = 0x30 // generic UV request header
	ARCBVersion1       = 0x0100
	KeySlotSize        = 80
	PHKHSize           = 32 // SHA-256 of a host key's coordinates
	ARPKSize           = 32 // AES-256 key
	MeasurementKeySize = 64 // HMAC-SHA512 key
	NonceSize          = 16
	MeasurementSize    = 64 // HMAC-SHA512
	CUIDSize           = 16
	MaxUserData        = 256
	MaxKeySlots        = 255
	// MAIHMACSHA512 is the measurement algorithm id of HMAC-SHA512.
	MAIHMACSHA512 = 1

	arcbFixed   = 0xE0 // header, flags, MAI, reserved, customer key
	coordSize   = 80   // a P-521 coordinate, left-padded
	p521Size    = 66
	gcmTagSize  = 16
	gcmIVSize   = 12
	maxARCBSize = RequestHeaderSize + 16 + 2*coordSize + MaxKeySlots*KeySlotSize + MeasurementKeySize + NonceSize + gcmTagSize
)

// Flags are the plaintext attestation flags (PAF) of an ARCB: MSB0 bits of a u64.
type Flags uint64

// The attestation flags. FlagNonce is always set by [NewRequest].
const (
	FlagNonce           Flags = 1 << (63 - 1) // a nonce follows the measurement key
	FlagImagePHKH       Flags = 1 << (63 - 2) // additional data: the image's host key hash
	FlagAttestPHKH      Flags = 1 << (63 - 3) // additional data: the host key hash that opened this ARCB
	FlagSecretStoreHash Flags = 1 << (63 - 4) // additional data: SHA-512 of the secret store
	FlagFirmwareState   Flags = 1 << (63 - 5) // additional data: 320 bytes of firmware state

	knownFlags = FlagNonce | FlagImagePHKH | FlagAttestPHKH | FlagSecretStoreHash | FlagFirmwareState
)

// Sizes of the additional-data items.
const (
	SecretStoreHashSize = 64
	FirmwareStateSize   = 320
)

// AdditionalSize is the size of the additional data the flags ask for.
func (f Flags) AdditionalSize() int {
	n := 0
	if f&FlagImagePHKH != 0 {
		n += PHKHSize
	}
	if f&FlagAttestPHKH != 0 {
		n += PHKHSize
	}
	if f&FlagSecretStoreHash != 0 {
		n += SecretStoreHashSize
	}
	if f&FlagFirmwareState != 0 {
		n += FirmwareStateSize
	}
	return n
}

// Secret is what the verifier keeps of a request: the ARPK that opens the
// ARCB, and the measurement key, nonce and flags inside it. Whoever holds it
// can forge answers to the request: store it like a private key.
type Secret struct {
	ARPK           [ARPKSize]byte
	MeasurementKey [MeasurementKeySize]byte
	Nonce          [NonceSize]byte
	HasNonce       bool
	Flags          Flags
}

// Request holds the inputs of an ARCB. [NewRequest] fills it from a random
// source; tests set every field to reproduce published ARCBs byte for byte.
type Request struct {
	// Hosts are the P-521 host keys (of host key documents) that may open the request.
	Hosts []*ecdh.PublicKey
	// Customer is the verifier's ephemeral ECDH P-521 key.
	Customer *ecdh.PrivateKey
	// IV is the AES-GCM IV of the encrypted area.
	IV [gcmIVSize]byte
	// Secret holds the ARPK, measurement key, nonce and flags.
	Secret Secret
}

// NewRequest returns a Request for hosts with fresh randomness from rnd
// (crypto/rand when nil) and flags, to which FlagNonce is added.
func NewRequest(rnd io.Reader, hosts []*ecdh.PublicKey, flags Flags) (*Request, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if flags&^knownFlags != 0 {
		return nil, fmt.Errorf("%w: flags %#016x", ErrUnsupported, uint64(flags&^knownFlags))
	}
	r := &Request{Hosts: hosts}
	r.Secret.Flags = flags | FlagNonce
	r.Secret.HasNonce = true
	for _, b := range [][]byte{r.IV[:], r.Secret.ARPK[:], r.Secret.MeasurementKey[:], r.Secret.Nonce[:]} {
		if _, err := io.ReadFull(rnd, b); err != nil {
			return nil, fmt.Errorf("se: random: %w", err)
		}
	}
	k, err := ecdh.P521().GenerateKey(rnd)
	if err != nil {
		return nil, fmt.Errorf("se: customer key: %w", err)
	}
	r.Customer = k
	return r, nil
}

// HostKey converts a host key document's public key to ECDH, which must be P-521.
func HostKey(pub any) (*ecdh.PublicKey, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		e, err := k.ECDH()
		if err != nil || e.Curve() != ecdh.P521() {
			return nil, fmt.Errorf("%w: host key is not P-521", ErrUnsupported)
		}
		return e, nil
	case *ecdh.PublicKey:
		if k.Curve() != ecdh.P521() {
			return nil, fmt.Errorf("%w: host key is not P-521", ErrUnsupported)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: host key of type %T", ErrUnsupported, pub)
}

// coords returns X ‖ Y of a P-521 public key, each left-padded to 80 bytes.
func coords(pub *ecdh.PublicKey) []byte {
	b := pub.Bytes() // 04 ‖ X(66) ‖ Y(66)
	out := make([]byte, 2*coordSize)
	copy(out[coordSize-p521Size:coordSize], b[1:1+p521Size])
	copy(out[2*coordSize-p521Size:], b[1+p521Size:])
	return out
}

// parseCoords is the inverse of coords.
func parseCoords(b []byte) (*ecdh.PublicKey, error) {
	if len(b) != 2*coordSize {
		return nil, fmt.Errorf("%w: public key of %d bytes", ErrTruncated, len(b))
	}
	pad := coordSize - p521Size
	if !allZero(b[:pad]) || !allZero(b[coordSize:coordSize+pad]) {
		return nil, fmt.Errorf("%w: public key coordinate padding is not zero", ErrMalformed)
	}
	u := make([]byte, 0, 1+2*p521Size)
	u = append(u, 4)
	u = append(u, b[pad:coordSize]...)
	u = append(u, b[coordSize+pad:]...)
	k, err := ecdh.P521().NewPublicKey(u)
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not a P-521 point", ErrMalformed)
	}
	return k, nil
}

// PHKH is the public host key hash of a host key: SHA-256 of its
// coordinates, each left-padded to 80 bytes.
func PHKH(pub *ecdh.PublicKey) [PHKHSize]byte {
	return sha256.Sum256(coords(pub))
}

// exchangeKey is SHA-256(ECDH shared X ‖ 00 00 00 01).
func exchangeKey(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) ([]byte, error) {
	z, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: ECDH: %v", ErrMalformed, err)
	}
	h := sha256.New()
	h.Write(z)
	h.Write([]byte{0, 0, 0, 1})
	return h.Sum(nil), nil
}

func gcm(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // key is always 32 bytes here
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return a
}

// KeySlot returns the key slot that wraps arpk for host under the customer
// key: PHKH ‖ AES-256-GCM(K_ex, IV = 0, pt = ARPK) ‖ tag.
func KeySlot(host *ecdh.PublicKey, customer *ecdh.PrivateKey, arpk *[ARPKSize]byte) ([KeySlotSize]byte, error) {
	var slot [KeySlotSize]byte
	kex, err := exchangeKey(customer, host)
	if err != nil {
		return slot, err
	}
	phkh := PHKH(host)
	copy(slot[:], phkh[:])
	gcm(kex).Seal(slot[PHKHSize:PHKHSize], make([]byte, gcmIVSize), arpk[:], nil)
	return slot, nil
}

// Marshal builds the ARCB v1: header, flags, MAI 1, customer key, one key
// slot per host, then the measurement key and nonce sealed under the ARPK
// with everything before them as additional data.
func (r *Request) Marshal() ([]byte, error) {
	if len(r.Hosts) == 0 || len(r.Hosts) > MaxKeySlots {
		return nil, fmt.Errorf("%w: %d hosts: want 1..%d", ErrMalformed, len(r.Hosts), MaxKeySlots)
	}
	if r.Customer == nil || r.Customer.Curve() != ecdh.P521() {
		return nil, fmt.Errorf("%w: customer key is not P-521", ErrMalformed)
	}
	s := &r.Secret
	if s.Flags&^knownFlags != 0 {
		return nil, fmt.Errorf("%w: flags %#016x", ErrUnsupported, uint64(s.Flags&^knownFlags))
	}
	if s.HasNonce != (s.Flags&FlagNonce != 0) {
		return nil, fmt.Errorf("%w: HasNonce %v with flags %#016x", ErrMalformed, s.HasNonce, uint64(s.Flags))
	}
	sea := MeasurementKeySize
	if s.HasNonce {
		sea += NonceSize
	}
	size := arcbFixed + len(r.Hosts)*KeySlotSize + sea + gcmTagSize
	b := make([]byte, arcbFixed, size)
	binary.BigEndian.PutUint32(b[0x08:], ARCBVersion1)
	binary.BigEndian.PutUint32(b[0x0C:], uint32(size))
	copy(b[0x10:0x1C], r.IV[:])
	b[0x27] = byte(len(r.Hosts))
	binary.BigEndian.PutUint32(b[0x2C:], uint32(sea))
	binary.BigEndian.PutUint64(b[0x30:], uint64(s.Flags))
	binary.BigEndian.PutUint32(b[0x38:], MAIHMACSHA512)
	copy(b[0x40:0xE0], coords(r.Customer.PublicKey()))
	for i, h := range r.Hosts {
		if h == nil || h.Curve() != ecdh.P521() {
			return nil, fmt.Errorf("%w: host %d key is not P-521", ErrMalformed, i)
		}
		slot, err := KeySlot(h, r.Customer, &s.ARPK)
		if err != nil {
			return nil, err
		}
		b = append(b, slot[:]...)
	}
	pt := make([]byte, 0, sea)
	pt = append(pt, s.MeasurementKey[:]...)
	if s.HasNonce {
		pt = append(pt, s.Nonce[:]...)
	}
	aad := b
	return gcm(s.ARPK[:]).Seal(b, r.IV[:], pt, aad), nil
}

// ARCB is a parsed attestation request control block: a view over the
// caller's bytes.
type ARCB struct {
	raw []byte
	// Version is the request version (0x0100).
	Version uint32
	// Flags are the plaintext attestation flags (authenticated by the
	// GCM tag: trust them only after [ARCB.Open]).
	Flags Flags
	// MAI is the measurement algorithm id.
	MAI uint32
	// IV is the AES-GCM IV of the encrypted area.
	IV []byte
	// Customer is the verifier's ephemeral ECDH key.
	Customer *ecdh.PublicKey
	// KeySlots are the key slots, KeySlotSize bytes each.
	KeySlots [][]byte
	sea      int
}

// Raw returns the ARCB's bytes.
func (a *ARCB) Raw() []byte { return a.raw }

// ParseARCB parses an ARCB v1. It checks lengths and fields, not the GCM tag.
func ParseARCB(b []byte) (*ARCB, error) {
	if len(b) < arcbFixed {
		return nil, fmt.Errorf("%w: ARCB of %d bytes, header and key need %d", ErrTruncated, len(b), arcbFixed)
	}
	if !allZero(b[0:8]) {
		return nil, fmt.Errorf("%w: ARCB magic %x, want 8 zero bytes", ErrMalformed, b[0:8])
	}
	a := &ARCB{raw: b, Version: binary.BigEndian.Uint32(b[0x08:])}
	if a.Version != ARCBVersion1 {
		return nil, fmt.Errorf("%w: ARCB version %#x, want %#x", ErrUnsupported, a.Version, ARCBVersion1)
	}
	rql := binary.BigEndian.Uint32(b[0x0C:])
	if uint64(rql) != uint64(len(b)) {
		return nil, fmt.Errorf("%w: ARCB length field %d, have %d bytes", ErrMalformed, rql, len(b))
	}
	nks := int(b[0x27])
	if nks == 0 {
		return nil, fmt.Errorf("%w: ARCB has no key slots", ErrMalformed)
	}
	sea := binary.BigEndian.Uint32(b[0x2C:])
	a.Flags = Flags(binary.BigEndian.Uint64(b[0x30:]))
	a.MAI = binary.BigEndian.Uint32(b[0x38:])
	if a.MAI != MAIHMACSHA512 {
		return nil, fmt.Errorf("%w: ARCB measurement algorithm %d, want %d (HMAC-SHA512)", ErrUnsupported, a.MAI, MAIHMACSHA512)
	}
	if a.Flags&^knownFlags != 0 {
		return nil, fmt.Errorf("%w: ARCB flags %#016x", ErrUnsupported, uint64(a.Flags&^knownFlags))
	}
	wantSea := uint32(MeasurementKeySize)
	if a.Flags&FlagNonce != 0 {
		wantSea += NonceSize
	}
	if sea != wantSea {
		return nil, fmt.Errorf("%w: ARCB encrypted area of %d bytes, want %d for flags %#016x", ErrMalformed, sea, wantSea, uint64(a.Flags))
	}
	need := arcbFixed + nks*KeySlotSize + int(sea) + gcmTagSize
	if len(b) != need {
		return nil, fmt.Errorf("%w: ARCB of %d bytes, %d key slots and %d encrypted bytes make %d", ErrMalformed, len(b), nks, sea, need)
	}
	a.IV = b[0x10:0x1C]
	a.sea = int(sea)
	k, err := parseCoords(b[0x40:0xE0])
	if err != nil {
		return nil, fmt.Errorf("ARCB customer key: %w", err)
	}
	a.Customer = k
	for i := 0; i < nks; i++ {
		off := arcbFixed + i*KeySlotSize
		a.KeySlots = append(a.KeySlots, b[off:off+KeySlotSize:off+KeySlotSize])
	}
	return a, nil
}

// Open decrypts the ARCB with arpk and returns its secret. The flags in the
// result are authenticated.
func (a *ARCB) Open(arpk *[ARPKSize]byte) (*Secret, error) {
	encStart := len(a.raw) - a.sea - gcmTagSize
	pt, err := gcm(arpk[:]).Open(nil, a.IV, a.raw[encStart:], a.raw[:encStart])
	if err != nil {
		return nil, fmt.Errorf("%w: ARCB encrypted area (GCM tag %x)", ErrDecrypt, a.raw[len(a.raw)-gcmTagSize:])
	}
	s := &Secret{ARPK: *arpk, Flags: a.Flags}
	copy(s.MeasurementKey[:], pt)
	if a.Flags&FlagNonce != 0 {
		copy(s.Nonce[:], pt[MeasurementKeySize:])
		s.HasNonce = true
	}
	return s, nil
}

// UnwrapARPK opens the key slot for host's key, as the Ultravisor does, and
// returns the ARPK and that slot's PHKH.
func (a *ARCB) UnwrapARPK(host *ecdh.PrivateKey) (*[ARPKSize]byte, [PHKHSize]byte, error) {
	phkh := PHKH(host.PublicKey())
	for _, slot := range a.KeySlots {
		if subtle.ConstantTimeCompare(slot[:PHKHSize], phkh[:]) != 1 {
			continue
		}
		kex, err := exchangeKey(host, a.Customer)
		if err != nil {
			return nil, phkh, err
		}
		pt, err := gcm(kex).Open(nil, make([]byte, gcmIVSize), slot[PHKHSize:], nil)
		if err != nil || len(pt) != ARPKSize {
			return nil, phkh, fmt.Errorf("%w: key slot for PHKH %x", ErrDecrypt, phkh)
		}
		var arpk [ARPKSize]byte
		copy(arpk[:], pt)
		return &arpk, phkh, nil
	}
	return nil, phkh, fmt.Errorf("%w: PHKH %x", ErrNoKeySlot, phkh)
}

// SlotPHKHs returns the PHKH of each key slot.
func (a *ARCB) SlotPHKHs() [][PHKHSize]byte {
	out := make([][PHKHSize]byte, len(a.KeySlots))
	for i, s := range a.KeySlots {
		copy(out[i][:], s)
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
