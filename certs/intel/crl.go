// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// cnTCBSigning is the common name of the certificate that signs TCB Info and
// QE Identity.
const cnTCBSigning = "Intel SGX TCB Signing"

// CRL is a parsed PCK CRL (Platform or Processor CA) or Root CA CRL. Its
// revoked serials are indexed at parse time; the result of its signature check
// is remembered per signing key. Immutable and safe for concurrent use.
type CRL struct {
	// CA is CAPlatform or CAProcessor for a PCK CRL and 0 for the Root CA
	// CRL, from the issuer's common name.
	CA CAType
	// Root reports a Root CA CRL.
	Root       bool
	Issuer     pkix.Name
	ThisUpdate time.Time
	NextUpdate time.Time
	Number     *big.Int // the CRL number extension, nil when absent

	list    *x509.RevocationList
	revoked map[string]struct{} // big-endian serial bytes
	sigs    sigMemo
}

// ParseCRL parses a DER CRL issued by one of the Intel SGX CAs. Use
// [Collateral.Add] to accept PEM or hex as well. Errors wrap [ErrCollateralFormat].
func ParseCRL(der []byte) (*CRL, error) {
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: CRL: %v", ErrCollateralFormat, err)
	}
	c := &CRL{Issuer: rl.Issuer, ThisUpdate: rl.ThisUpdate.UTC(), NextUpdate: rl.NextUpdate.UTC(), Number: rl.Number, list: rl}
	switch rl.Issuer.CommonName {
	case cnPlatformCA:
		c.CA = CAPlatform
	case cnProcessorCA:
		c.CA = CAProcessor
	case cnRoot:
		c.Root = true
	default:
		// Another vendor's CRL (an AMD ARK's, say) is not Intel collateral:
		// loaders of mixed directories skip it.
		return nil, fmt.Errorf("%w: %w: CRL issuer %q is not an Intel SGX CA", ErrCollateralFormat, ErrNotCollateral, rl.Issuer.CommonName)
	}
	if rl.NextUpdate.IsZero() {
		return nil, fmt.Errorf("%w: %s has no nextUpdate", ErrCollateralFormat, c.name())
	}
	c.revoked = make(map[string]struct{}, len(rl.RevokedCertificateEntries))
	for _, e := range rl.RevokedCertificateEntries {
		if e.SerialNumber != nil {
			c.revoked[string(e.SerialNumber.Bytes())] = struct{}{}
		}
	}
	return c, nil
}

func (c *CRL) name() string {
	switch {
	case c.Root:
		return "Root CA CRL"
	case c.CA == CAPlatform:
		return "PCK platform CA CRL" // constants: no string built per look-up
	case c.CA == CAProcessor:
		return "PCK processor CA CRL"
	}
	return "PCK " + c.CA.String() + " CA CRL"
}

// Raw returns the DER bytes of the CRL.
func (c *CRL) Raw() []byte { return c.list.Raw }

// RawIssuer returns the DER issuer name of the CRL.
func (c *CRL) RawIssuer() []byte { return c.list.RawIssuer }

// Revoked reports whether the CRL lists the serial number.
func (c *CRL) Revoked(serial *big.Int) bool {
	if serial == nil || serial.Sign() < 0 {
		return false
	}
	// The serial's big-endian bytes, as the index holds them: on the stack
	// for serials of up to 64 bytes (RFC 5280 allows 20).
	var buf [64]byte
	n := (serial.BitLen() + 7) / 8
	var b []byte
	if n <= len(buf) {
		b = serial.FillBytes(buf[:n])
	} else {
		b = serial.Bytes()
	}
	_, ok := c.revoked[string(b)]
	return ok
}

// Len returns the number of revoked certificates the CRL lists.
func (c *CRL) Len() int { return len(c.revoked) }

// VerifySignature checks the CRL's signature and issuer against issuer, which
// the caller must already trust. Remembered per key.
func (c *CRL) VerifySignature(issuer *x509.Certificate) error {
	if issuer == nil {
		return fmt.Errorf("%w: %s: no issuer certificate", ErrCollateralMissing, c.name())
	}
	if !bytes.Equal(c.list.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("%w: %s issuer %q is not the certificate %q", ErrCollateralSignature, c.name(), c.Issuer.CommonName, issuer.Subject.CommonName)
	}
	return c.sigs.verifyWith(issuer, func() error { return c.list.CheckSignatureFrom(issuer) }, c.name())
}

// checkTime checks thisUpdate ≤ t < nextUpdate.
func (c *CRL) checkTime(t time.Time, allowExpired bool) error {
	return window(c.name(), c.ThisUpdate, c.NextUpdate, t, allowExpired)
}

// window checks start ≤ t < end.
func window(what string, start, end, t time.Time, allowExpired bool) error {
	if t.Before(start) {
		return fmt.Errorf("%w: %s issued %s, after the verification time %s", ErrCollateralNotYetValid, what, start.Format(time.RFC3339), t.Format(time.RFC3339))
	}
	if !t.Before(end) && !allowExpired {
		return fmt.Errorf("%w: %s nextUpdate %s, verification time %s", ErrCollateralExpired, what, end.Format(time.RFC3339), t.Format(time.RFC3339))
	}
	return nil
}

// sigMemo remembers signature checks of one signed object per signing key
// (the DER SubjectPublicKeyInfo), so that collateral is verified once.
type sigMemo struct {
	mu sync.RWMutex
	m  map[string]error
}

func (m *sigMemo) verifyWith(signer *x509.Certificate, check func() error, what string) error {
	key := signer.RawSubjectPublicKeyInfo
	m.mu.RLock()
	err, ok := m.m[string(key)]
	m.mu.RUnlock()
	if ok {
		return err
	}
	if err = check(); err != nil {
		err = fmt.Errorf("%w: %s: %v", ErrCollateralSignature, what, err)
	}
	m.mu.Lock()
	if m.m == nil {
		m.m = make(map[string]error, 1)
	}
	if len(m.m) < 16 { // a handful of keys at most; never grow without bound
		m.m[string(key)] = err
	}
	m.mu.Unlock()
	return err
}

// verify checks an ECDSA P-256 signature (r ‖ s) over SHA-256(msg).
func (m *sigMemo) verify(signer *x509.Certificate, msg, sig []byte, what string) error {
	if signer == nil {
		return fmt.Errorf("%w: %s: no signing certificate", ErrCollateralMissing, what)
	}
	return m.verifyWith(signer, func() error { return verifyP256Cert(signer, msg, sig) }, what)
}

func verifyP256Cert(signer *x509.Certificate, msg, sig []byte) error {
	pub, ok := signer.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return fmt.Errorf("signing key of %q is not ECDSA P-256", signer.Subject.CommonName)
	}
	if !verifyP256(pub, msg, sig) {
		return fmt.Errorf("ECDSA signature does not verify with the key of %q (serial %x)", signer.Subject.CommonName, signer.SerialNumber)
	}
	return nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
