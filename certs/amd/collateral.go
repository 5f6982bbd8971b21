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
	"path/filepath"
	"sort"

	"github.com/ccverify/ccverify/evidence/snp"
)

// Collateral is what proves a report: its VCEK or VLEK and, optionally, ASK,
// ASVK and ARK certificates and CRLs, all DER. ARKs here are never trusted;
// an ASK/ASVK here is used only when the pinned ARK signed it.
type Collateral struct {
	VCEK  []byte   // the VCEK that signed the report
	VLEK  []byte   // the VLEK that signed the report
	Certs [][]byte // other certificates: ASK, ASVK, ARK, further VCEKs/VLEKs
	CRLs  [][]byte // CRLs (from the KDS: issued by the ARK)
}

// ParseCollateral builds a Collateral from blobs in any of the forms AMD and
// hosts produce, recognized by content: DER or PEM certificates (a KDS
// cert_chain is PEM ASK then ARK), DER or PEM CRLs, base64 DER, and an
// extended-report certificate table. A VCEK or VLEK is recognized by its
// subject name; when several are given, the first fills VCEK/VLEK and the
// others go to Certs, where [VerifyReport] also looks.
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
// order, and adds those it recognizes as collateral; other files are skipped.
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
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return c, fmt.Errorf("%w: %v", ErrCollateral, err)
		}
		_ = c.Add(b) // not collateral: skipped
	}
	return c, nil
}

// Add recognizes b (see [ParseCollateral]) and adds what it holds. It returns
// an [ErrCollateral] error, and adds nothing, when b is none of those forms.
func (c *Collateral) Add(b []byte) error {
	var next Collateral = *c
	if err := next.add(b, 0); err != nil {
		return err
	}
	*c = next
	return nil
}

func (c *Collateral) add(b []byte, depth int) error {
	t := bytes.TrimSpace(b)
	if bytes.Contains(t, []byte("-----BEGIN ")) {
		n := 0
		for rest := t; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			switch blk.Type {
			case "CERTIFICATE":
				if err := c.addCert(blk.Bytes); err != nil {
					return err
				}
			case "X509 CRL":
				if err := c.addCRL(blk.Bytes); err != nil {
					return err
				}
			default:
				continue
			}
			n++
		}
		if n == 0 {
			return fmt.Errorf("%w: PEM without a certificate or CRL", ErrCollateral)
		}
		return nil
	}
	if len(b) > 0 && b[0] == 0x30 {
		if _, err := x509.ParseCertificate(b); err == nil {
			return c.addCert(b)
		}
		if _, err := x509.ParseRevocationList(b); err == nil {
			return c.addCRL(b)
		}
	}
	if depth == 0 {
		if ct, err := snp.ParseCertTable(b); err == nil && ct.Len() > 0 {
			for i := 0; i < ct.Len(); i++ {
				if d := ct.Entry(i).Data; len(d) > 0 {
					_ = c.add(d, 1) // unknown entries (e.g. platform info) are skipped
				}
			}
			return nil
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(string(t)); err == nil && len(d) > 0 && d[0] == 0x30 {
				return c.add(d, 1)
			}
		}
	}
	return fmt.Errorf("%w: not a certificate, CRL or certificate table (%d bytes)", ErrCollateral, len(b))
}

func (c *Collateral) addCert(der []byte) error {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCollateral, err)
	}
	if c.has(der) {
		return nil
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
	return nil
}

func (c *Collateral) addCRL(der []byte) error {
	if _, err := x509.ParseRevocationList(der); err != nil {
		return fmt.Errorf("%w: CRL: %v", ErrCollateral, err)
	}
	for _, x := range c.CRLs {
		if bytes.Equal(x, der) {
			return nil
		}
	}
	c.CRLs = append(c.CRLs, bytes.Clone(der))
	return nil
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
