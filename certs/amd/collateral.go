// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ccverify/ccverify/evidence/snp"
)

// Collateral is what proves a report: its VCEK or VLEK and, optionally, ASK,
// ASVK and ARK certificates and CRLs, all DER. ARKs here are never trusted;
// an ASK/ASVK here is used only when the pinned ARK signed it. Certificates
// need no provenance (their signatures prove them); CRLs carry theirs, which
// decides whether they can make revocation checked (see the package
// documentation, "Revocation").
type Collateral struct {
	VCEK  []byte   // a VCEK (more may be in Certs)
	VLEK  []byte   // a VLEK (more may be in Certs)
	Certs [][]byte // other certificates: ASK, ASVK, ARK, further VCEKs/VLEKs
	CRLs  []CRL    // CRLs, each with where it came from
}

// Origin says where a piece of collateral came from, which bounds what it
// may prove.
type Origin uint8

// Origins of collateral.
const (
	// FromEvidence marks a piece that arrived with the evidence (an extended
	// report's certificate table, a container): the attester chose it. A
	// CRL from the evidence can add revocations but never makes revocation
	// checked. It is the zero value.
	FromEvidence Origin = iota
	// FromCaller marks a piece the verifier's caller supplied: files,
	// [LoadDir], [ParseCollateral], [Collateral.Add].
	FromCaller
	// FromKDS marks a piece [KDS] fetched from AMD's Key Distribution Service.
	FromKDS
)

// String returns "evidence", "caller" or "KDS".
func (o Origin) String() string {
	switch o {
	case FromEvidence:
		return "evidence"
	case FromCaller:
		return "caller"
	case FromKDS:
		return "KDS"
	}
	return fmt.Sprintf("Origin(%d)", uint8(o))
}

// Chain names one of the two certificate chains under a product line's ARK.
// The ARK signs one CRL for each, under the same issuer name.
type Chain uint8

// Chains of a product line.
const (
	// ChainUnknown: the source did not say which chain a CRL is for.
	ChainUnknown Chain = iota
	// ChainVCEK is ARK → ASK → VCEK; the KDS serves its CRL at
	// /vcek/v1/{product}/crl, the CRL distribution point of the ARK and the ASK.
	ChainVCEK
	// ChainVLEK is ARK → ASVK → VLEK; the KDS serves its CRL at
	// /vlek/v1/{product}/crl, the CRL distribution point of the ASVK.
	ChainVLEK
)

// chainConflict marks a CRL whose sources name different chains: it counts
// for neither.
const chainConflict Chain = 0xFF

// String returns "VCEK", "VLEK" or "unknown".
func (c Chain) String() string {
	switch c {
	case ChainVCEK:
		return "VCEK"
	case ChainVLEK:
		return "VLEK"
	case chainConflict:
		return "contradictory"
	}
	return "unknown"
}

// chainOf returns the chain of a report signed by key.
func chainOf(key snp.SigningKey) Chain {
	if key == snp.SignedByVLEK {
		return ChainVLEK
	}
	return ChainVCEK
}

// Provenance is where a piece of collateral came from.
type Provenance struct {
	Origin Origin
	// Chain is the chain a CRL of an ARK is for, when the source says so
	// (the caller, the KDS URL it was fetched from). [Collateral.AddFrom]
	// fills an unknown Chain from Name and from the other contents of the
	// same file.
	Chain Chain
	// Name names the source in notes and errors: a file path, a URL,
	// "certificate table".
	Name string
}

// CRL is a DER certificate revocation list and where it came from.
type CRL struct {
	DER []byte
	Provenance
}

// ParseCollateral builds a Collateral from blobs the caller supplies, in any
// of the forms AMD and hosts produce, recognized by content: DER or PEM
// certificates (a KDS cert_chain is PEM ASK then ARK), DER or PEM CRLs,
// base64 DER, and an extended-report certificate table (whose pieces count
// as [FromEvidence]). A VCEK or VLEK is recognized by its subject name; when
// several are given, the first fills VCEK/VLEK and the others go to Certs,
// where [VerifyReport] also looks.
func ParseCollateral(blobs ...[]byte) (Collateral, error) {
	var c Collateral
	for i, b := range blobs {
		if err := c.Add(b); err != nil {
			return c, fmt.Errorf("blob %d: %w", i, err)
		}
	}
	return c, nil
}

// LoadDir reads every regular file in dir (not its subdirectories), in name
// order, and adds those it recognizes as collateral supplied by the caller,
// named by their path (a CRL whose file name says vcek or vlek is that
// chain's); other files are skipped.
func LoadDir(dir string) (Collateral, error) {
	var c Collateral
	ents, err := os.ReadDir(dir)
	if err != nil {
		return c, fmt.Errorf("%w: %v", ErrCollateral, err)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return c, fmt.Errorf("%w: %v", ErrCollateral, err)
		}
		_ = c.AddFrom(b, Provenance{Origin: FromCaller, Name: p}) // not collateral: skipped
	}
	return c, nil
}

// Add recognizes b (see [ParseCollateral]) as collateral the caller supplies
// and adds what it holds. It returns an [ErrCollateral] error, and adds
// nothing, when b is none of those forms.
func (c *Collateral) Add(b []byte) error {
	return c.AddFrom(b, Provenance{Origin: FromCaller})
}

// AddFrom is [Collateral.Add] for collateral of provenance p: pieces that
// arrived with the evidence are added with p.Origin [FromEvidence]. The
// pieces of a certificate table are FromEvidence whatever p says: the host
// fills the table. A CRL's chain is p.Chain when known, else the one p.Name
// names (a file or URL path with a "vcek" or "vlek" element, or a file name
// containing one of the two words, not both), else the chain whose
// intermediate (ASK or ASVK, not both) the same PEM file holds.
func (c *Collateral) AddFrom(b []byte, p Provenance) error {
	next := *c
	// Appends must never write into arrays that copies of c share.
	next.Certs = next.Certs[:len(next.Certs):len(next.Certs)]
	next.CRLs = next.CRLs[:len(next.CRLs):len(next.CRLs)]
	if p.Chain == ChainUnknown {
		p.Chain = chainFromName(p.Name)
	}
	if err := next.addFrom(b, p, 0); err != nil {
		return err
	}
	*c = next
	return nil
}

// add adds b as collateral from the caller; depth 1 does not look for a
// certificate table or base64 (b is already a table entry or decoded).
func (c *Collateral) add(b []byte, depth int) error {
	return c.addFrom(b, Provenance{Origin: FromCaller}, depth)
}

// chainFromName returns the chain a file or URL path names: a path element
// "vcek" or "vlek" (the KDS's own layout), or a last element containing one of
// the two words (vlek-crl.der). Both, or neither: ChainUnknown.
func chainFromName(name string) Chain {
	if name == "" {
		return ChainUnknown
	}
	n := strings.ToLower(filepath.ToSlash(name))
	if i := strings.IndexAny(n, "?#"); i >= 0 {
		n = n[:i]
	}
	base := path.Base(n)
	vcek, vlek := strings.Contains(base, "vcek"), strings.Contains(base, "vlek")
	for _, el := range strings.Split(path.Dir(n), "/") {
		vcek = vcek || el == "vcek"
		vlek = vlek || el == "vlek"
	}
	switch {
	case vcek && !vlek:
		return ChainVCEK
	case vlek && !vcek:
		return ChainVLEK
	}
	return ChainUnknown
}

func (c *Collateral) addFrom(b []byte, p Provenance, depth int) error {
	t := bytes.TrimSpace(b)
	if bytes.Contains(t, []byte("-----BEGIN ")) {
		return c.addPEM(t, p)
	}
	if len(b) > 0 && b[0] == 0x30 {
		if x, err := x509.ParseCertificate(b); err == nil {
			c.addCert(b, x)
			return nil
		}
		if _, err := x509.ParseRevocationList(b); err == nil {
			c.addCRL(b, p)
			return nil
		}
	}
	if depth == 0 {
		if ct, err := snp.ParseCertTable(b); err == nil && ct.Len() > 0 {
			tp := Provenance{Origin: FromEvidence, Name: "certificate table"}
			if p.Name != "" {
				tp.Name = "certificate table in " + p.Name
			}
			// snp.ParseCertTable guarantees the entries are distinct,
			// non-overlapping ranges within its limits: each is parsed once.
			for i := 0; i < ct.Len(); i++ {
				d := ct.Entry(i).Data
				if len(d) == 0 {
					continue
				}
				_ = c.addFrom(d, tp, 1) // unknown entries (e.g. platform info) are skipped
			}
			return nil
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(string(t)); err == nil && len(d) > 0 && d[0] == 0x30 {
				return c.addFrom(d, p, 1)
			}
		}
	}
	return fmt.Errorf("%w: not a certificate, CRL or certificate table (%d bytes)", ErrCollateral, len(b))
}

// addPEM adds the certificates and CRLs of PEM text t. A CRL of unknown chain
// takes the chain of the intermediate the same text holds, if one only.
func (c *Collateral) addPEM(t []byte, p Provenance) error {
	type block struct {
		der  []byte
		cert *x509.Certificate
	}
	var certs []block
	var crls [][]byte
	var vcek, vlek bool // the text holds an ASK, an ASVK
	for rest := t; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "CERTIFICATE":
			x, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrCollateral, err)
			}
			certs = append(certs, block{blk.Bytes, x})
			switch cn := x.Subject.CommonName; {
			case strings.HasPrefix(cn, "SEV-VLEK-"):
				vlek = true
			case strings.HasPrefix(cn, "SEV-") && cn != "SEV-VCEK" && cn != "SEV-VLEK":
				vcek = true
			}
		case "X509 CRL":
			if _, err := x509.ParseRevocationList(blk.Bytes); err != nil {
				return fmt.Errorf("%w: CRL: %v", ErrCollateral, err)
			}
			crls = append(crls, blk.Bytes)
		}
	}
	if len(certs)+len(crls) == 0 {
		return fmt.Errorf("%w: PEM without a certificate or CRL", ErrCollateral)
	}
	if p.Chain == ChainUnknown && vcek != vlek {
		p.Chain = ChainVCEK
		if vlek {
			p.Chain = ChainVLEK
		}
	}
	for _, b := range certs {
		c.addCert(b.der, b.cert)
	}
	for _, d := range crls {
		c.addCRL(d, p)
	}
	return nil
}

// addCert adds der, parsed as x, unless c has it.
func (c *Collateral) addCert(der []byte, x *x509.Certificate) {
	if c.has(der) {
		return
	}
	der = bytes.Clone(der)
	switch {
	case x.Subject.CommonName == "SEV-VCEK" && c.VCEK == nil:
		c.VCEK = der
	case x.Subject.CommonName == "SEV-VLEK" && c.VLEK == nil:
		c.VLEK = der
	default:
		c.Certs = append(c.Certs, der)
	}
}

// addCRL adds the parsed CRL der from p. The same CRL from two sources is
// kept once, with the more trusted origin; if two sources of the kept origin
// name different chains, it counts for neither.
func (c *Collateral) addCRL(der []byte, p Provenance) {
	for i, x := range c.CRLs {
		if !bytes.Equal(x.DER, der) {
			continue
		}
		y := x
		if p.Origin >= x.Origin {
			switch {
			case p.Chain == ChainUnknown:
			case x.Chain == ChainUnknown || p.Origin > x.Origin:
				y.Chain = p.Chain
			case p.Chain != x.Chain:
				y.Chain = chainConflict
			}
			if p.Origin > x.Origin {
				y.Origin, y.Name = p.Origin, p.Name
			}
		}
		if y.Provenance != x.Provenance { // copy on write: other copies of c share the array
			c.CRLs = append([]CRL(nil), c.CRLs...)
			c.CRLs[i] = y
		}
		return
	}
	c.CRLs = append(c.CRLs, CRL{DER: bytes.Clone(der), Provenance: p})
}

func (c *Collateral) has(der []byte) bool {
	if bytes.Equal(c.VCEK, der) || bytes.Equal(c.VLEK, der) {
		return true
	}
	for _, x := range c.Certs {
		if bytes.Equal(x, der) {
			return true
		}
	}
	return false
}
