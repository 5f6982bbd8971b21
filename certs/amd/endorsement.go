// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/ccverify/ccverify/evidence/snp"
)

// KDS extension OIDs, 1.3.6.1.4.1.3704.1.* (AMD "Versioned Chip Endorsement
// Key (VCEK) Certificate and KDS Interface Specification", publication 57230).
var (
	oidKDS           = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}
	oidStructVersion = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 1}
	oidProductName   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 2}
	oidBlSPL         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 1}
	oidTeeSPL        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 2}
	oidSnpSPL        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 3}
	oidUcodeSPL      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 8}
	oidFmcSPL        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 9} // Turin
	oidHWID          = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 4}
	oidCSPID         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 5}
)

// Endorsement is a parsed VCEK or VLEK certificate with its KDS extensions.
type Endorsement struct {
	Cert          *x509.Certificate
	Key           snp.SigningKey // SignedByVCEK or SignedByVLEK, from the subject name
	Product       snp.Product    // from the issuer name (SEV-Milan, SEV-VLEK-Genoa, …)
	StructVersion int            // 0 for Milan/Genoa, 1 for Turin
	ProductName   string         // productName extension: "Milan-B0", "Genoa", "Turin"
	TCB           snp.TCBParts   // blSPL, teeSPL, snpSPL, ucodeSPL and, on Turin, fmcSPL
	HWID          []byte         // VCEK: CHIP_ID (64 bytes; 8 on Turin)
	CSPID         string         // VLEK: the cloud provider's ID
}

// ParseEndorsement parses a VCEK or VLEK certificate (DER) and its KDS
// extensions. It checks form, not trust: the subject and issuer are AMD's, the
// key is ECDSA P-384, the signature algorithm is RSA-PSS SHA-384 and each KDS
// extension is well formed. Errors wrap [ErrChain] or [ErrExtensionMismatch].
func ParseEndorsement(der []byte) (*Endorsement, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: VCEK/VLEK: %v", ErrChain, err)
	}
	e := &Endorsement{Cert: c}
	switch c.Subject.CommonName {
	case "SEV-VCEK":
		e.Key = snp.SignedByVCEK
	case "SEV-VLEK":
		e.Key = snp.SignedByVLEK
	default:
		return nil, fmt.Errorf("%w: subject CN %q is neither SEV-VCEK nor SEV-VLEK", ErrChain, c.Subject.CommonName)
	}
	if err := amdName(c.Subject, "subject"); err != nil {
		return nil, err
	}
	if err := amdName(c.Issuer, "issuer"); err != nil {
		return nil, err
	}
	e.Product = snp.ParseProduct(c.Issuer.CommonName)
	want := "SEV-" + e.Product.String()
	if e.Key == snp.SignedByVLEK {
		want = "SEV-VLEK-" + e.Product.String()
	}
	if e.Product == snp.Unknown || c.Issuer.CommonName != want {
		return nil, fmt.Errorf("%w: %s issuer CN %q names no known product line", ErrChain, c.Subject.CommonName, c.Issuer.CommonName)
	}
	if c.SignatureAlgorithm != x509.SHA384WithRSAPSS {
		return nil, fmt.Errorf("%w: %s signature algorithm %v (want SHA384-RSAPSS)", ErrChain, c.Subject.CommonName, c.SignatureAlgorithm)
	}
	if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P384() {
		return nil, fmt.Errorf("%w: %s public key %T is not ECDSA P-384", ErrChain, c.Subject.CommonName, c.PublicKey)
	}
	if len(c.UnhandledCriticalExtensions) > 0 {
		return nil, fmt.Errorf("%w: %s has unhandled critical extension %v", ErrChain, c.Subject.CommonName, c.UnhandledCriticalExtensions[0])
	}
	if err := e.parseExtensions(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Endorsement) parseExtensions() error {
	seen := map[string]bool{}
	var have struct{ bl, tee, snp, ucode, sv, name bool }
	for _, x := range e.Cert.Extensions {
		if !hasPrefix(x.Id, oidKDS) {
			continue
		}
		id := x.Id.String()
		if seen[id] {
			return fmt.Errorf("%w: extension %s appears twice", ErrExtensionMismatch, id)
		}
		seen[id] = true
		var err error
		switch {
		case x.Id.Equal(oidStructVersion):
			var v int
			v, err = extInt(x, 0xFF)
			e.StructVersion, have.sv = v, true
		case x.Id.Equal(oidProductName):
			e.ProductName, err = extIA5(x)
			have.name = true
		case x.Id.Equal(oidBlSPL):
			e.TCB.BootLoader, err = extSPL(x)
			have.bl = true
		case x.Id.Equal(oidTeeSPL):
			e.TCB.TEE, err = extSPL(x)
			have.tee = true
		case x.Id.Equal(oidSnpSPL):
			e.TCB.SNP, err = extSPL(x)
			have.snp = true
		case x.Id.Equal(oidUcodeSPL):
			e.TCB.Microcode, err = extSPL(x)
			have.ucode = true
		case x.Id.Equal(oidFmcSPL):
			e.TCB.FMC, err = extSPL(x)
			e.TCB.HasFMC = true
		case x.Id.Equal(oidHWID):
			e.HWID, err = extHWID(x)
		case x.Id.Equal(oidCSPID):
			e.CSPID, err = extIA5(x)
		}
		if err != nil {
			return fmt.Errorf("%w: %s extension %s: %v", ErrExtensionMismatch, e.Cert.Subject.CommonName, id, err)
		}
	}
	switch {
	case !have.bl, !have.tee, !have.snp, !have.ucode:
		return fmt.Errorf("%w: %s lacks a blSPL/teeSPL/snpSPL/ucodeSPL extension", ErrExtensionMismatch, e.Cert.Subject.CommonName)
	case e.Product == snp.Turin && !e.TCB.HasFMC:
		return fmt.Errorf("%w: Turin %s lacks the fmcSPL extension", ErrExtensionMismatch, e.Cert.Subject.CommonName)
	case e.Product != snp.Turin && e.TCB.HasFMC:
		return fmt.Errorf("%w: %v %s has an fmcSPL extension (Turin only)", ErrExtensionMismatch, e.Product, e.Cert.Subject.CommonName)
	case e.Key == snp.SignedByVCEK && e.HWID == nil:
		return fmt.Errorf("%w: VCEK lacks the hwID extension", ErrExtensionMismatch)
	case e.Key == snp.SignedByVCEK && e.CSPID != "":
		return fmt.Errorf("%w: VCEK has a CSP ID extension %q", ErrExtensionMismatch, e.CSPID)
	case e.Key == snp.SignedByVLEK && e.CSPID == "":
		return fmt.Errorf("%w: VLEK lacks the CSP ID extension", ErrExtensionMismatch)
	case e.Key == snp.SignedByVLEK && e.HWID != nil:
		return fmt.Errorf("%w: VLEK has a hwID extension", ErrExtensionMismatch)
	}
	if e.HWID != nil && len(e.HWID) != snp.ChipIDSize && !(e.Product == snp.Turin && len(e.HWID) == 8) {
		return fmt.Errorf("%w: %v VCEK hwID is %d bytes (want 64, or 8 on Turin)", ErrExtensionMismatch, e.Product, len(e.HWID))
	}
	return nil
}

// CheckReport checks the extensions against report r of product p: each SPL
// equals the REPORTED_TCB component (fmcSPL too on Turin), the VCEK's hwID
// equals CHIP_ID (its first 8 bytes on Turin), and the report's signing key
// is the certificate's kind. Errors wrap [ErrExtensionMismatch] and name the
// component and both values.
func (e *Endorsement) CheckReport(r snp.Report, p snp.Product) error {
	if r.SigningKey() != e.Key {
		return fmt.Errorf("%w: report SIGNING_KEY is %v, certificate is a %v", ErrExtensionMismatch, r.SigningKey(), e.Key)
	}
	if p != e.Product {
		return fmt.Errorf("%w: report product %v, %v issued by %s", ErrExtensionMismatch, p, e.Key, e.Cert.Issuer.CommonName)
	}
	rep := r.ReportedTCB().Parts(p)
	for _, c := range []struct {
		name      string
		cert, rep uint8
	}{
		{"fmcSPL", e.TCB.FMC, rep.FMC},
		{"blSPL", e.TCB.BootLoader, rep.BootLoader},
		{"teeSPL", e.TCB.TEE, rep.TEE},
		{"snpSPL", e.TCB.SNP, rep.SNP},
		{"ucodeSPL", e.TCB.Microcode, rep.Microcode},
	} {
		if c.cert != c.rep {
			return fmt.Errorf("%w: %s %s=%d, REPORTED_TCB %d (report TCB %v)", ErrExtensionMismatch, e.Key, c.name, c.cert, c.rep, rep)
		}
	}
	if e.Key == snp.SignedByVCEK {
		chip := r.ChipID()[:len(e.HWID)]
		if !bytes.Equal(e.HWID, chip) {
			return fmt.Errorf("%w: VCEK hwID %x, CHIP_ID %x", ErrExtensionMismatch, e.HWID, chip)
		}
	}
	return nil
}

func amdName(n pkix.Name, which string) error {
	ok := len(n.Organization) == 1 && n.Organization[0] == "Advanced Micro Devices" &&
		len(n.Country) == 1 && n.Country[0] == "US" &&
		len(n.Locality) == 1 && n.Locality[0] == "Santa Clara" &&
		len(n.Province) == 1 && n.Province[0] == "CA" &&
		len(n.OrganizationalUnit) == 1 && n.OrganizationalUnit[0] == "Engineering"
	if !ok {
		return fmt.Errorf("%w: %s %q is not an AMD name (O=Advanced Micro Devices, OU=Engineering, L=Santa Clara, ST=CA, C=US)", ErrChain, which, n.String())
	}
	return nil
}

func hasPrefix(id, prefix asn1.ObjectIdentifier) bool {
	return len(id) > len(prefix) && id[:len(prefix)].Equal(prefix)
}

func extInt(x pkix.Extension, max int) (int, error) {
	var v int
	rest, err := asn1.Unmarshal(x.Value, &v)
	if err != nil {
		return 0, err
	}
	if len(rest) != 0 {
		return 0, fmt.Errorf("%d trailing bytes", len(rest))
	}
	if v < 0 || v > max {
		return 0, fmt.Errorf("value %d out of range 0..%d", v, max)
	}
	return v, nil
}

func extSPL(x pkix.Extension) (uint8, error) {
	v, err := extInt(x, 0xFF)
	return uint8(v), err
}

func extIA5(x pkix.Extension) (string, error) {
	if len(x.Value) == 0 || x.Value[0] != asn1.TagIA5String {
		return "", fmt.Errorf("not an IA5String")
	}
	var s string
	rest, err := asn1.UnmarshalWithParams(x.Value, &s, "ia5")
	if err != nil {
		return "", err
	}
	if len(rest) != 0 {
		return "", fmt.Errorf("%d trailing bytes", len(rest))
	}
	return s, nil
}

// extHWID accepts the raw value the KDS issues (64 bytes, or 8 on Turin) and a
// DER OCTET STRING wrapping it.
func extHWID(x pkix.Extension) ([]byte, error) {
	v := x.Value
	if len(v) == snp.ChipIDSize || len(v) == 8 {
		return v, nil
	}
	var o []byte
	rest, err := asn1.Unmarshal(v, &o)
	if err != nil {
		return nil, fmt.Errorf("hwID is %d bytes and not an OCTET STRING: %v", len(v), err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(rest))
	}
	return o, nil
}
