// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ccverify/ccverify/evidence/se"
)

// Ultravisor return codes of the attestation call (s390-tools
// pv_core/src/uvdevice/attest.rs) that the simulation gives.
const (
	UVRCBadARCB   = 0x0107 // ARCB or user data malformed (length, version, sea, flags, MAI)
	UVRCNoKeySlot = 0x010c // unable to decrypt the ARCB: no key slot for this host
)

// UVError is a simulated Ultravisor's refusal, with its return code.
type UVError struct {
	RC  uint16
	Err error
}

func (e *UVError) Error() string { return fmt.Sprintf("ultravisor rc %#04x: %v", e.RC, e.Err) }
func (e *UVError) Unwrap() error { return e.Err }

// Ultravisor simulates the IBM Z Ultravisor's attestation call for one
// host: it holds the host's private key, opens ARCBs made for it, and
// answers with the measurement over the tags of the SE header the guest
// booted from.
type Ultravisor struct {
	// Key is the host's private key (the host key document's).
	Key *ecdh.PrivateKey
	// Header is the SE header of the running guest.
	Header []byte
	// CUID is the guest's configuration unique id.
	CUID [se.CUIDSize]byte
	// SecretStoreHash and FirmwareState are answered when asked for.
	SecretStoreHash [se.SecretStoreHashSize]byte
	FirmwareState   [se.FirmwareStateSize]byte
}

// Attest answers arcb for a guest that passes user data, as /dev/uv's
// UVIO_IOCTL_ATT does. The answer carries the ARCB, as pvattest's does.
func (u *Ultravisor) Attest(arcb, user []byte) (*se.Answer, error) {
	if len(user) > se.MaxUserData {
		return nil, &UVError{UVRCBadARCB, fmt.Errorf("user data of %d bytes", len(user))}
	}
	a, err := se.ParseARCB(arcb)
	if err != nil {
		return nil, &UVError{UVRCBadARCB, err}
	}
	arpk, phkh, err := a.UnwrapARPK(u.Key)
	if err != nil {
		return nil, &UVError{UVRCNoKeySlot, err}
	}
	sec, err := a.Open(arpk)
	if err != nil {
		return nil, &UVError{UVRCNoKeySlot, err}
	}
	h, err := se.ParseHeader(u.Header)
	if err != nil {
		return nil, fmt.Errorf("ultravisor: the guest's SE header: %w", err)
	}
	// The image was unpacked with this host's key slot of the header.
	var add []byte
	if sec.Flags&se.FlagImagePHKH != 0 {
		add = append(add, phkh[:]...)
	}
	if sec.Flags&se.FlagAttestPHKH != 0 {
		add = append(add, phkh[:]...)
	}
	if sec.Flags&se.FlagSecretStoreHash != 0 {
		add = append(add, u.SecretStoreHash[:]...)
	}
	if sec.Flags&se.FlagFirmwareState != 0 {
		add = append(add, u.FirmwareState[:]...)
	}
	var nonce []byte
	if sec.HasNonce {
		nonce = sec.Nonce[:]
	}
	tags := h.Tags()
	m, err := se.Measure(sec.MeasurementKey[:], &tags, u.CUID[:], user, nonce, add)
	if err != nil {
		return nil, err
	}
	return &se.Answer{ARCB: arcb, Measurement: m, AdditionalData: add, UserData: append([]byte(nil), user...), CUID: append([]byte(nil), u.CUID[:]...)}, nil
}

// SEHeader makes a version-1 SE header (640 bytes for one host) with a key
// slot per host and digests and tag from seed: only its tags and key-slot
// PHKHs mean anything (nothing decrypts it).
func SEHeader(seed *Seed, label string, hosts []*ecdh.PublicKey) []byte {
	const head, sea = 0x1A0, 128
	size := head + len(hosts)*se.KeySlotSize + sea + 16
	b := make([]byte, head, size)
	copy(b, se.HeaderMagic)
	binary.BigEndian.PutUint32(b[8:], 0x100)
	binary.BigEndian.PutUint32(b[0x0C:], uint32(size))
	copy(b[0x10:0x1C], seed.Bytes(label+"/iv", 12))
	binary.BigEndian.PutUint64(b[0x20:], uint64(len(hosts)))
	binary.BigEndian.PutUint64(b[0x28:], sea)
	binary.BigEndian.PutUint64(b[0x30:], 0xfc25)
	copy(b[0x40:0xE0], seed.Bytes(label+"/customer", 160))
	copy(b[0xE0:head], seed.Bytes(label+"/digests", 0xC0))
	for i, h := range hosts {
		p := se.PHKH(h)
		b = append(b, p[:]...)
		b = append(b, seed.Bytes(fmt.Sprintf("%s/slot%d", label, i), se.KeySlotSize-se.PHKHSize)...)
	}
	b = append(b, seed.Bytes(label+"/encrypted", sea)...)
	return append(b, seed.Bytes(label+"/tag", 16)...)
}

// SEWorld is a simulated Secure Execution deployment for end-to-end
// tests: the IBM-shaped PKI with a CRL from each CA, host key documents
// (trusted, revoked, expired, and one of a look-alike PKI), an Ultravisor
// per host, the guest's SE header (a key slot for each host), another
// header, and Trustee's KBS RSA key for stateless requests. Everything is
// valid at Time.
type SEWorld struct {
	Time time.Time
	// Root is the test root (PEM); Collateral holds the signing key, the
	// intermediate and the root's, intermediate's and signing key's CRLs (PEM).
	Root, Collateral []byte
	RootCert         *x509.Certificate
	// HKD, HKDRevoked, HKDExpired and HKDForeign are host key documents (PEM).
	HKD, HKDRevoked, HKDExpired, HKDForeign []byte
	// Host, HostRevoked, HostExpired and HostForeign are their Ultravisors.
	Host, HostRevoked, HostExpired, HostForeign *Ultravisor
	// Header is the guest's SE header; OtherHeader another image's.
	Header, OtherHeader []byte
	// KBSKey is the verifier's RSA key of Trustee's stateless mode.
	KBSKey *rsa.PrivateKey
}

var (
	seWorldOnce sync.Once
	seWorld     *SEWorld
)

// NewSEWorld returns the simulated deployment (made once, deterministically).
func NewSEWorld() *SEWorld {
	seWorldOnce.Do(func() { seWorld = makeSEWorld(NewSeed("ccverify se world")) })
	return seWorld
}

func makeSEWorld(seed *Seed) *SEWorld {
	k := NewIBMPKI(seed)
	w := &SEWorld{Time: date(2026, 6, 1), RootCert: k.Root, Root: PEM(k.Root), KBSKey: seed.RSAKey(2048, "se-kbs")}
	this, next := date(2026, 1, 1), date(2027, 1, 1)
	inter, signing := k.CRLs(this, next, nil, []int64{0x1002})
	root := seed.crl(k.Root, k.RootKey, 1, this, next, x509.SHA384WithRSA)
	w.Collateral = append(append(PEM(k.SigningKey, k.Intermediate), pemCRL(root)...), append(pemCRL(inter), pemCRL(signing)...)...)
	uv := func(c *x509.Certificate, key *ecdsa.PrivateKey) ([]byte, *Ultravisor) {
		e, err := key.ECDH()
		if err != nil {
			panic(err)
		}
		return PEM(c), &Ultravisor{Key: e}
	}
	var hosts []*Ultravisor
	c, key := k.IssueHKD("8561-0001", 0x1001, date(2025, 6, 1), date(2027, 1, 1))
	w.HKD, w.Host = uv(c, key)
	c, key = k.IssueHKD("8561-0002", 0x1002, date(2025, 6, 1), date(2027, 1, 1))
	w.HKDRevoked, w.HostRevoked = uv(c, key)
	c, key = k.IssueHKD("8561-0003", 0x1003, date(2024, 6, 1), date(2025, 6, 1))
	w.HKDExpired, w.HostExpired = uv(c, key)
	fake := NewIBMPKI(NewSeed("ccverify se look-alike"))
	c, key = fake.IssueHKD("8561-0004", 0x1004, date(2025, 6, 1), date(2027, 1, 1))
	w.HKDForeign, w.HostForeign = uv(c, key)
	hosts = []*Ultravisor{w.Host, w.HostRevoked, w.HostExpired, w.HostForeign}
	var pubs []*ecdh.PublicKey
	for _, h := range hosts {
		pubs = append(pubs, h.Key.PublicKey())
	}
	w.Header = SEHeader(seed, "se-header", pubs)
	w.OtherHeader = SEHeader(seed, "se-other-header", pubs)
	for i, h := range hosts {
		h.Header = w.Header
		copy(h.CUID[:], seed.Bytes(fmt.Sprintf("cuid%d", i), se.CUIDSize))
		copy(h.SecretStoreHash[:], seed.Bytes("secret-store", se.SecretStoreHashSize))
		copy(h.FirmwareState[:], seed.Bytes("firmware", se.FirmwareStateSize))
	}
	return w
}

// HostKey returns the P-521 host key of a host key document (PEM).
func HostKey(hkdPEM []byte) (*ecdh.PublicKey, error) {
	c, err := parsePEMCert(hkdPEM)
	if err != nil {
		return nil, err
	}
	return se.HostKey(c.PublicKey)
}

func parsePEMCert(b []byte) (*x509.Certificate, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("testvectors: no certificate in PEM")
		}
		if blk.Type == "CERTIFICATE" {
			return x509.ParseCertificate(blk.Bytes)
		}
	}
}

// Request makes an ARCB for the host key documents (PEM) with flags, its
// randomness from r (a Seed's Reader for reproducible requests).
func Request(r io.Reader, flags se.Flags, hkds ...[]byte) ([]byte, *se.Secret, error) {
	var hosts []*ecdh.PublicKey
	for _, h := range hkds {
		k, err := HostKey(h)
		if err != nil {
			return nil, nil, err
		}
		hosts = append(hosts, k)
	}
	req, err := se.NewRequest(r, hosts, flags)
	if err != nil {
		return nil, nil, err
	}
	arcb, err := req.Marshal()
	if err != nil {
		return nil, nil, err
	}
	return arcb, &req.Secret, nil
}

// Tags returns the tags of the Ultravisor's guest SE header (zero when it
// does not parse): what Trustee's guest echoes as image_hdr_tags.
func (u *Ultravisor) Tags() se.Tags {
	h, err := se.ParseHeader(u.Header)
	if err != nil {
		return se.Tags{}
	}
	return h.Tags()
}
