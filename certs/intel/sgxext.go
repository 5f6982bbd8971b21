// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OIDSGXExtensions is the object identifier of the SGX extensions that Intel
// puts in every PCK certificate (1.2.840.113741.1.13.1), from Intel's "SGX PCK
// Certificate and Certificate Revocation List Profile Specification".
var OIDSGXExtensions = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1}

// oidSGX is the DER content of OIDSGXExtensions; every SGX extension OID is
// this prefix followed by one arc per level (all arcs used are below 128, so
// one byte each).
var oidSGX = []byte{0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01}

// Arcs under 1.2.840.113741.1.13.1, as the PCK certificate profile numbers them.
const (
	arcPPID               = 1 // OCTET STRING (16)
	arcTCB                = 2 // SEQUENCE of 18 (OID, value)
	arcPCEID              = 3 // OCTET STRING (2)
	arcFMSPC              = 4 // OCTET STRING (6)
	arcSGXType            = 5 // ENUMERATED
	arcPlatformInstanceID = 6 // OCTET STRING (16), Platform CA PCKs only
	arcConfiguration      = 7 // SEQUENCE of up to 3 (OID, BOOLEAN), Platform CA PCKs only

	arcTCBPCESVN = 17 // under arcTCB: INTEGER 0..65535
	arcTCBCPUSVN = 18 // under arcTCB: OCTET STRING (16)

	arcConfDynamicPlatform = 1 // under arcConfiguration
	arcConfCachedKeys      = 2
	arcConfSMTEnabled      = 3
)

// SGXType is the SGX type a PCK certificate declares (extension
// 1.2.840.113741.1.13.1.5).
type SGXType int

// SGX types of the PCK certificate profile.
const (
	SGXTypeStandard              SGXType = 0
	SGXTypeScalable              SGXType = 1
	SGXTypeScalableWithIntegrity SGXType = 2
)

// String returns the name the PCK certificate profile gives the SGX type.
func (t SGXType) String() string {
	switch t {
	case SGXTypeStandard:
		return "Standard"
	case SGXTypeScalable:
		return "Scalable"
	case SGXTypeScalableWithIntegrity:
		return "ScalableWithIntegrity"
	}
	return fmt.Sprintf("SGXType(%d)", int(t))
}

// TCB is the platform TCB level the PCK certificate was issued for
// (extension 1.2.840.113741.1.13.1.2).
type TCB struct {
	// SGXComponents are the 16 SGX TCB component SVNs (arcs 2.1 to 2.16), in order.
	SGXComponents [16]uint8
	// PCESVN is the PCE security version (arc 2.17).
	PCESVN uint16
	// CPUSVN is the raw CPUSVN (arc 2.18).
	CPUSVN [16]byte
}

// Configuration holds the platform configuration flags of a Platform CA PCK
// certificate (extension 1.2.840.113741.1.13.1.7). Each flag is optional in
// the profile; the Has fields say which were present.
type Configuration struct {
	DynamicPlatform, CachedKeys, SMTEnabled          bool
	HasDynamicPlatform, HasCachedKeys, HasSMTEnabled bool
}

// SGXExtensions are the SGX extensions of a PCK certificate.
type SGXExtensions struct {
	// PPID is the platform provisioning ID (encrypted, 16 bytes).
	PPID [16]byte
	// TCB is the TCB level the certificate was issued for.
	TCB TCB
	// PCEID identifies the PCE (2 bytes, as encoded).
	PCEID [2]byte
	// FMSPC identifies the platform family (6 bytes), the key of Intel's TCB Info.
	FMSPC [6]byte
	// SGXType is Standard, Scalable or ScalableWithIntegrity.
	SGXType SGXType
	// HasPlatform reports whether PlatformInstanceID and Configuration are
	// present; Intel puts them only in PCK certificates issued by the
	// Platform CA.
	HasPlatform bool
	// PlatformInstanceID identifies the multi-package platform instance.
	PlatformInstanceID [16]byte
	// Configuration holds the platform configuration flags.
	Configuration Configuration
}

// ParsePCKExtensions parses the value (the OCTET STRING contents) of a PCK
// certificate's SGX extension, 1.2.840.113741.1.13.1. The parse is strict: DER
// only, the elements in the order the profile lists them (PPID, TCB, PCE-ID,
// FMSPC, SGX Type, then optionally Platform Instance ID and Configuration
// together), exact sizes, SVNs in range, no unknown elements and nothing after
// them. Every failure wraps [ErrCertificate]. It never panics.
func ParsePCKExtensions(value []byte) (SGXExtensions, error) {
	var e SGXExtensions
	in := cryptobyte.String(value)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return e, fmt.Errorf("%w: SGX extensions: not one DER SEQUENCE", ErrCertificate)
	}
	if err := readOctets(&seq, "PPID", e.PPID[:], arcPPID); err != nil {
		return e, err
	}
	tcb, err := readElement(&seq, "TCB", arcTCB)
	if err != nil {
		return e, err
	}
	if err := parseTCB(tcb, &e.TCB); err != nil {
		return e, err
	}
	if err := readOctets(&seq, "PCE-ID", e.PCEID[:], arcPCEID); err != nil {
		return e, err
	}
	if err := readOctets(&seq, "FMSPC", e.FMSPC[:], arcFMSPC); err != nil {
		return e, err
	}
	v, err := readElement(&seq, "SGX Type", arcSGXType)
	if err != nil {
		return e, err
	}
	var typ int
	if !v.ReadASN1Enum(&typ) || !v.Empty() || typ < 0 || typ > int(SGXTypeScalableWithIntegrity) {
		return e, fmt.Errorf("%w: SGX extensions: SGX Type is not an ENUMERATED 0, 1 or 2", ErrCertificate)
	}
	e.SGXType = SGXType(typ)
	if seq.Empty() {
		return e, nil
	}
	if err := readOctets(&seq, "Platform Instance ID", e.PlatformInstanceID[:], arcPlatformInstanceID); err != nil {
		return e, err
	}
	conf, err := readElement(&seq, "Configuration", arcConfiguration)
	if err != nil {
		return e, err
	}
	if err := parseConfiguration(conf, &e.Configuration); err != nil {
		return e, err
	}
	if !seq.Empty() {
		return e, fmt.Errorf("%w: SGX extensions: unexpected element after Configuration", ErrCertificate)
	}
	e.HasPlatform = true
	return e, nil
}

// parseTCB parses the TCB element's value: a SEQUENCE of 16 SGX TCB component
// SVNs, the PCESVN and the CPUSVN, each a SEQUENCE {OID, value}, in arc order.
func parseTCB(v cryptobyte.String, tcb *TCB) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return fmt.Errorf("%w: SGX extensions: TCB is not a SEQUENCE", ErrCertificate)
	}
	for i := range tcb.SGXComponents {
		c, err := readElement(&seq, "TCB component", arcTCB, byte(i+1))
		if err != nil {
			return err
		}
		var n int64
		if !c.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !c.Empty() || n < 0 || n > 0xff {
			return fmt.Errorf("%w: SGX extensions: TCB component %d SVN is not an INTEGER 0..255", ErrCertificate, i+1)
		}
		tcb.SGXComponents[i] = uint8(n)
	}
	c, err := readElement(&seq, "PCESVN", arcTCB, arcTCBPCESVN)
	if err != nil {
		return err
	}
	var n int64
	if !c.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !c.Empty() || n < 0 || n > 0xffff {
		return fmt.Errorf("%w: SGX extensions: PCESVN is not an INTEGER 0..65535", ErrCertificate)
	}
	tcb.PCESVN = uint16(n)
	if err := readOctets(&seq, "CPUSVN", tcb.CPUSVN[:], arcTCB, arcTCBCPUSVN); err != nil {
		return err
	}
	if !seq.Empty() {
		return fmt.Errorf("%w: SGX extensions: unexpected element after CPUSVN", ErrCertificate)
	}
	return nil
}

// parseConfiguration parses the Configuration element's value: a SEQUENCE of
// up to three SEQUENCE {OID, BOOLEAN}, each optional, in arc order.
func parseConfiguration(v cryptobyte.String, c *Configuration) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return fmt.Errorf("%w: SGX extensions: Configuration is not a SEQUENCE", ErrCertificate)
	}
	flags := [...]struct {
		arc      byte
		name     string
		val, has *bool
	}{
		{arcConfDynamicPlatform, "dynamic platform", &c.DynamicPlatform, &c.HasDynamicPlatform},
		{arcConfCachedKeys, "cached keys", &c.CachedKeys, &c.HasCachedKeys},
		{arcConfSMTEnabled, "SMT enabled", &c.SMTEnabled, &c.HasSMTEnabled},
	}
	for _, f := range flags {
		if seq.Empty() {
			return nil
		}
		if !nextOIDIs(seq, arcConfiguration, f.arc) {
			continue // this flag is absent; the next element must be a later one
		}
		b, err := readElement(&seq, f.name, arcConfiguration, f.arc)
		if err != nil {
			return err
		}
		if !b.ReadASN1Boolean(f.val) || !b.Empty() {
			return fmt.Errorf("%w: SGX extensions: Configuration %s is not a DER BOOLEAN", ErrCertificate, f.name)
		}
		*f.has = true
	}
	if !seq.Empty() {
		return fmt.Errorf("%w: SGX extensions: unknown, repeated or misordered Configuration element", ErrCertificate)
	}
	return nil
}

// nextOIDIs reports whether the next element of seq is a SEQUENCE whose OID is
// the SGX extension OID followed by arcs. It does not advance seq.
func nextOIDIs(seq cryptobyte.String, arcs ...byte) bool {
	var e, oid cryptobyte.String
	return seq.ReadASN1(&e, cbasn1.SEQUENCE) && e.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) && isSGXOID(oid, arcs)
}

// readElement reads one SEQUENCE {OBJECT IDENTIFIER, value} from seq, checks
// that the OID is the SGX extension OID followed by arcs, and returns the value.
func readElement(seq *cryptobyte.String, name string, arcs ...byte) (cryptobyte.String, error) {
	var e, oid cryptobyte.String
	if !seq.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return nil, fmt.Errorf("%w: SGX extensions: %s missing or not a SEQUENCE {OID, value}", ErrCertificate, name)
	}
	if !isSGXOID(oid, arcs) {
		return nil, fmt.Errorf("%w: SGX extensions: element with OID bytes %x where %s (arc %v) belongs", ErrCertificate, []byte(oid), name, arcs)
	}
	return e, nil
}

// readOctets reads an element whose value is an OCTET STRING of exactly len(dst) bytes.
func readOctets(seq *cryptobyte.String, name string, dst []byte, arcs ...byte) error {
	v, err := readElement(seq, name, arcs...)
	if err != nil {
		return err
	}
	var o cryptobyte.String
	if !v.ReadASN1(&o, cbasn1.OCTET_STRING) || !v.Empty() || len(o) != len(dst) {
		return fmt.Errorf("%w: SGX extensions: %s is not an OCTET STRING of %d bytes", ErrCertificate, name, len(dst))
	}
	copy(dst, o)
	return nil
}

func isSGXOID(oid cryptobyte.String, arcs []byte) bool {
	if len(oid) != len(oidSGX)+len(arcs) || string(oid[:len(oidSGX)]) != string(oidSGX) {
		return false
	}
	return string(oid[len(oidSGX):]) == string(arcs)
}

// pckExtensions finds the SGX extension of a PCK certificate and parses it.
// The extension must appear exactly once and must not be marked critical
// (Intel marks it non-critical).
func pckExtensions(c *x509.Certificate) (SGXExtensions, error) {
	var found []byte
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(OIDSGXExtensions) {
			continue
		}
		if found != nil {
			return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x: SGX extensions appear twice", ErrCertificate, c.SerialNumber)
		}
		if ext.Critical {
			return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x: SGX extensions marked critical", ErrCertificate, c.SerialNumber)
		}
		found = ext.Value
		if found == nil {
			found = []byte{}
		}
	}
	if found == nil {
		return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x has no SGX extensions (%v)", ErrCertificate, c.SerialNumber, OIDSGXExtensions)
	}
	e, err := ParsePCKExtensions(found)
	if err != nil {
		return e, fmt.Errorf("PCK certificate serial %x: %w", c.SerialNumber, err)
	}
	return e, nil
}
