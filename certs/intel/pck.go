// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/ccverify/ccverify/internal/p256"
)

// Common names of the certificates in an Intel PCK chain, as Intel's PCK
// certificate profile fixes them.
const (
	cnRoot        = "Intel SGX Root CA"
	cnPlatformCA  = "Intel SGX PCK Platform CA"
	cnProcessorCA = "Intel SGX PCK Processor CA"
	cnPCK         = "Intel SGX PCK Certificate"
)

// CAType says which Intel intermediate CA issued a PCK certificate. It selects
// the PCK CRL that applies (Intel PCS: pckcrl?ca=platform or ca=processor).
type CAType int

// Intel PCK intermediate CAs.
const (
	// CAPlatform is the "Intel SGX PCK Platform CA" (multi-package platforms;
	// every TDX platform seen so far).
	CAPlatform CAType = 1
	// CAProcessor is the "Intel SGX PCK Processor CA".
	CAProcessor CAType = 2
)

// String returns "platform" or "processor", the value of Intel PCS's ca parameter.
func (t CAType) String() string {
	switch t {
	case CAPlatform:
		return "platform"
	case CAProcessor:
		return "processor"
	}
	return fmt.Sprintf("CAType(%d)", int(t))
}

// Options configure the verification of a PCK chain and a quote. The zero
// value is the safe default: the pinned Intel SGX Root CA and time.Now.
type Options struct {
	// Roots are the trusted root certificates. The root certificate in the
	// chain must be byte-equal to one of them. Nil means the pinned Intel SGX
	// Root CA ([Root]); a non-nil empty slice trusts nothing. Tests and
	// private PKIs pass their own.
	Roots []*x509.Certificate
	// Time is the verification time: every certificate must be valid at it.
	// The zero Time means time.Now().
	Time time.Time
}

// now returns the verification time of o. It is shared by the package's
// verifiers: the zero Time means time.Now().
func (o *Options) now() time.Time {
	if o.Time.IsZero() {
		return time.Now()
	}
	return o.Time
}

// trusts reports whether root is byte-equal to one of o's trusted roots.
func (o *Options) trusts(root *x509.Certificate) bool {
	if o.Roots == nil {
		return bytes.Equal(root.Raw, intelRoot.Raw)
	}
	for _, r := range o.Roots {
		if r != nil && bytes.Equal(root.Raw, r.Raw) {
			return true
		}
	}
	return false
}

// QuoteChain is a verified PCK certificate chain: the certificates of the
// chain that vouches for a quote, the CA that issued the PCK and the PCK's SGX
// extensions. The certificates are shared with the package's cache: callers
// must not modify them.
//
// Revocation is not checked here: apply the PCK CRL of issuer CA to PCK's
// serial number and the Root CA CRL to Intermediate's serial number.
type QuoteChain struct {
	// PCK is the PCK leaf certificate, "Intel SGX PCK Certificate".
	PCK *x509.Certificate
	// Intermediate is the Platform or Processor CA certificate that issued PCK.
	Intermediate *x509.Certificate
	// Root is the trusted root the chain ends in (byte-equal to a trusted root).
	Root *x509.Certificate
	// CA says which intermediate issued the PCK.
	CA CAType
	// Extensions are the PCK certificate's SGX extensions (FMSPC, TCB, ...).
	Extensions SGXExtensions

	// pckKey is PCK's key, shared by every verification of the same chain
	// so that its precomputed table (package p256) serves them all.
	pckKey *p256.Key
}

// NotAfter returns the earliest notAfter of the chain's certificates: the
// chain is valid until then (for an attestation result's expiry).
func (c *QuoteChain) NotAfter() time.Time {
	t := c.PCK.NotAfter
	for _, x := range [...]*x509.Certificate{c.Intermediate, c.Root} {
		if x.NotAfter.Before(t) {
			t = x.NotAfter
		}
	}
	return t
}

// NotBefore returns the latest notBefore of the chain's certificates: the
// chain is valid from then.
func (c *QuoteChain) NotBefore() time.Time {
	t := c.PCK.NotBefore
	for _, x := range [...]*x509.Certificate{c.Intermediate, c.Root} {
		if x.NotBefore.After(t) {
			t = x.NotBefore
		}
	}
	return t
}

// ParsePCKChain parses certification data type 5, a PCK certificate chain:
// the PEM encodings of the PCK leaf, the intermediate CA and the root CA,
// concatenated in that order, optionally followed by one NUL byte (as real
// quotes end it). The parse is strict so that no change to the text can go
// unnoticed: each block must be a "CERTIFICATE" block without headers whose
// text is byte-identical to the canonical PEM encoding of its DER
// (pem.EncodeToMemory: 64-character lines, "\n" line ends), with nothing
// before, between or after the blocks but that NUL.
//
// It proves nothing: use [VerifyPCKChain]. Errors wrap [ErrCertificate].
func ParsePCKChain(text []byte) (pck, intermediate, root *x509.Certificate, err error) {
	var certs [3]*x509.Certificate
	rest := text
	for i, role := range [...]string{"PCK", "intermediate", "root"} {
		block, _ := pem.Decode(rest)
		if block == nil {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain: %s certificate (block %d of 3) is missing or not PEM, at offset %d", ErrCertificate, role, i+1, len(text)-len(rest))
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain: %s block is %q with %d headers (want CERTIFICATE, none)", ErrCertificate, role, block.Type, len(block.Headers))
		}
		canon := pem.EncodeToMemory(block)
		if !bytes.HasPrefix(rest, canon) {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain: %s certificate text at offset %d is not the canonical PEM encoding of its DER", ErrCertificate, role, len(text)-len(rest))
		}
		rest = rest[len(canon):]
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain: %s certificate: %v", ErrCertificate, role, err)
		}
		certs[i] = c
	}
	if len(rest) > 1 || len(rest) == 1 && rest[0] != 0 {
		return nil, nil, nil, fmt.Errorf("%w: PCK chain: %d unexpected bytes after the root certificate (only one NUL may follow)", ErrCertificate, len(rest))
	}
	return certs[0], certs[1], certs[2], nil
}

// parsedChain is a strictly parsed PCK chain whose certificates passed every
// check that depends on their bytes alone (names, keys, algorithms,
// constraints, issuer names, SGX extensions). Signatures, trust and validity
// times are checked per verification.
type parsedChain struct {
	certs  [3]*x509.Certificate // PCK, intermediate, root
	hashes [3][32]byte          // SHA-256 of each certificate's DER
	ca     CAType
	ext    SGXExtensions
	pckKey *p256.Key // the PCK's key, for the QE report signatures it makes
}

// Cache bounds: enough for a large fleet, a few tens of MB at most.
const (
	maxChains = 4096 // parsed chains, about 12 KB each with their text as key
	maxLinks  = 8192 // verified signatures, 64 bytes each
)

var (
	// chainCache maps a chain's text, the exact bytes of the quote's
	// certification data, to its *parsedChain. The text itself is the key
	// (the map compares it byte for byte): a recurring chain is found by
	// hashing it with the map's hash, not SHA-256 (2 µs a quote here).
	chainCache = newBoundedCache[string, *parsedChain](maxChains)
	// linkCache holds SHA-256(child DER) ‖ SHA-256(parent DER) of every
	// certificate signature that verified.
	linkCache = newBoundedCache[[64]byte, struct{}](maxLinks)
)

// parseChain parses and statically checks a PCK chain, or returns the cached
// result for the same bytes (cached reports which). Only chains that verified
// are put in the cache (by VerifyPCKChain), so junk cannot evict them faster
// than genuine chains arrive.
func parseChain(text []byte) (p *parsedChain, cached bool, err error) {
	if p, ok := getBytes(chainCache, text); ok {
		return p, true, nil
	}
	pck, inter, root, err := ParsePCKChain(text)
	if err != nil {
		return nil, false, err
	}
	p = &parsedChain{certs: [3]*x509.Certificate{pck, inter, root}}
	for i, c := range p.certs {
		p.hashes[i] = sha256.Sum256(c.Raw)
	}
	if err := checkRoot(root); err != nil {
		return nil, false, err
	}
	if p.ca, err = checkIntermediate(inter, root); err != nil {
		return nil, false, err
	}
	if p.ext, err = checkPCK(pck, inter, p.ca); err != nil {
		return nil, false, err
	}
	if p.pckKey, err = p256.FromECDSA(pck.PublicKey.(*ecdsa.PublicKey)); err != nil { // checkCommon proved the type
		return nil, false, fmt.Errorf("%w: PCK certificate serial %x: %v", ErrChain, pck.SerialNumber, err)
	}
	return p, false, nil
}

// checkCommon checks what every certificate of the chain must satisfy:
// X.509 v3, an ECDSA P-256 key, an ECDSA-with-SHA256 signature, no critical
// extension left unhandled.
func checkCommon(c *x509.Certificate, role string) error {
	if c.Version != 3 {
		return fmt.Errorf("%w: %s certificate serial %x is X.509 v%d (want v3)", ErrChain, role, c.SerialNumber, c.Version)
	}
	if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		return fmt.Errorf("%w: %s certificate serial %x: key is not ECDSA P-256", ErrChain, role, c.SerialNumber)
	}
	if c.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		return fmt.Errorf("%w: %s certificate serial %x: signature algorithm %v (want ECDSA-SHA256)", ErrChain, role, c.SerialNumber, c.SignatureAlgorithm)
	}
	if len(c.UnhandledCriticalExtensions) != 0 {
		return fmt.Errorf("%w: %s certificate serial %x: unhandled critical extension %v", ErrChain, role, c.SerialNumber, c.UnhandledCriticalExtensions[0])
	}
	return nil
}

// checkCA checks a CA certificate's basic constraints and key usage.
func checkCA(c *x509.Certificate, role string) error {
	if !c.BasicConstraintsValid || !c.IsCA {
		return fmt.Errorf("%w: %s certificate serial %x is not a CA (basic constraints)", ErrChain, role, c.SerialNumber)
	}
	if c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%w: %s certificate serial %x: key usage %#x lacks certificate signing", ErrChain, role, c.SerialNumber, c.KeyUsage)
	}
	return nil
}

// checkRoot checks the chain's root: self-issued, Intel's root name, a CA that
// may issue an intermediate CA. Whether it is trusted is checked per call.
func checkRoot(root *x509.Certificate) error {
	if err := checkCommon(root, "root"); err != nil {
		return err
	}
	if err := checkCA(root, "root"); err != nil {
		return err
	}
	if root.Subject.CommonName != cnRoot || !bytes.Equal(root.RawIssuer, root.RawSubject) {
		return fmt.Errorf("%w: root certificate %q issued by %q (want self-issued %q)", ErrChain, root.Subject.CommonName, root.Issuer.CommonName, cnRoot)
	}
	if root.MaxPathLenZero {
		return fmt.Errorf("%w: root certificate serial %x has path length 0, cannot issue the intermediate CA", ErrChain, root.SerialNumber)
	}
	return nil
}

// checkIntermediate checks the intermediate CA: a Platform or Processor CA
// issued by the root's subject.
func checkIntermediate(inter, root *x509.Certificate) (CAType, error) {
	if err := checkCommon(inter, "intermediate"); err != nil {
		return 0, err
	}
	if err := checkCA(inter, "intermediate"); err != nil {
		return 0, err
	}
	var ca CAType
	switch inter.Subject.CommonName {
	case cnPlatformCA:
		ca = CAPlatform
	case cnProcessorCA:
		ca = CAProcessor
	default:
		return 0, fmt.Errorf("%w: intermediate certificate serial %x is %q (want %q or %q)", ErrChain, inter.SerialNumber, inter.Subject.CommonName, cnPlatformCA, cnProcessorCA)
	}
	if !bytes.Equal(inter.RawIssuer, root.RawSubject) {
		return 0, fmt.Errorf("%w: intermediate certificate serial %x issued by %q, not by the chain's root %q", ErrChain, inter.SerialNumber, inter.Issuer.CommonName, root.Subject.CommonName)
	}
	return ca, nil
}

// checkPCK checks the PCK leaf: Intel's PCK name, issued by the intermediate's
// subject, an end entity with a signing key usage, and well-formed SGX
// extensions consistent with the issuing CA.
func checkPCK(pck, inter *x509.Certificate, ca CAType) (SGXExtensions, error) {
	if err := checkCommon(pck, "PCK"); err != nil {
		return SGXExtensions{}, err
	}
	if pck.Subject.CommonName != cnPCK {
		return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x is %q (want %q)", ErrChain, pck.SerialNumber, pck.Subject.CommonName, cnPCK)
	}
	if !bytes.Equal(pck.RawIssuer, inter.RawSubject) {
		return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x issued by %q, not by the chain's intermediate %q", ErrChain, pck.SerialNumber, pck.Issuer.CommonName, inter.Subject.CommonName)
	}
	if pck.IsCA {
		return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x is a CA", ErrChain, pck.SerialNumber)
	}
	if pck.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return SGXExtensions{}, fmt.Errorf("%w: PCK certificate serial %x: key usage %#x lacks digital signature", ErrChain, pck.SerialNumber, pck.KeyUsage)
	}
	ext, err := pckExtensions(pck)
	if err != nil {
		return ext, err
	}
	if ca == CAProcessor && ext.HasPlatform {
		return ext, fmt.Errorf("%w: PCK certificate serial %x issued by the Processor CA carries Platform CA extensions (platform instance ID, configuration)", ErrChain, pck.SerialNumber)
	}
	return ext, nil
}

// verifyLink checks that parent's key signed child (ECDSA P-256, SHA-256),
// once per pair of certificates: a verified pair is cached by the SHA-256 of
// both DERs. Both certificates must have passed checkCommon.
func verifyLink(child, parent *x509.Certificate, childHash, parentHash [32]byte, role string) error {
	var key [64]byte
	copy(key[:32], childHash[:])
	copy(key[32:], parentHash[:])
	if _, ok := linkCache.get(key); ok {
		return nil
	}
	pub, ok := parent.PublicKey.(*ecdsa.PublicKey)
	digest := sha256.Sum256(child.RawTBSCertificate)
	if !ok || !ecdsa.VerifyASN1(pub, digest[:], child.Signature) {
		return fmt.Errorf("%w: %s certificate serial %x: signature by %q serial %x does not verify", ErrChain, role, child.SerialNumber, parent.Subject.CommonName, parent.SerialNumber)
	}
	linkCache.put(key, struct{}{})
	return nil
}

// checkValidity checks that c is valid at t (notBefore ≤ t ≤ notAfter, as
// crypto/x509 does). Shared by the package's verifiers; errors wrap [ErrExpired].
func checkValidity(c *x509.Certificate, role string, t time.Time) error {
	if t.Before(c.NotBefore) || t.After(c.NotAfter) {
		state := "expired"
		if t.Before(c.NotBefore) {
			state = "not yet valid"
		}
		return fmt.Errorf("%w: %s certificate %q serial %x %s: valid %s to %s, verification time %s", ErrExpired,
			role, c.Subject.CommonName, c.SerialNumber, state,
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	return nil
}

// VerifyPCKChain verifies a PCK certificate chain (certification data type 5,
// see [ParsePCKChain]) to a trusted root, in this order: strict parse and the
// checks of each certificate's names, keys, algorithms, constraints and SGX
// extensions ([ErrCertificate], [ErrChain]); the chain's root byte-equal to a
// trusted root ([ErrChain]); the intermediate's signature by the root and the
// PCK's by the intermediate ([ErrChain]); every certificate valid at the
// verification time ([ErrExpired]). Revocation is not checked.
//
// Parsed chains are cached by their exact bytes and verified signatures by
// the SHA-256 of the certificates' DER; validity and trust are checked at
// every call. Safe for concurrent use.
func VerifyPCKChain(text []byte, opts Options) (*QuoteChain, error) {
	p, cached, err := parseChain(text)
	if err != nil {
		return nil, err
	}
	pck, inter, root := p.certs[0], p.certs[1], p.certs[2]
	if !opts.trusts(root) {
		return nil, fmt.Errorf("%w: root certificate %q serial %x (key SHA-256 %x) is not a trusted root", ErrChain, root.Subject.CommonName, root.SerialNumber, sha256.Sum256(root.RawSubjectPublicKeyInfo))
	}
	if err := verifyLink(inter, root, p.hashes[1], p.hashes[2], "intermediate"); err != nil {
		return nil, err
	}
	if err := verifyLink(pck, inter, p.hashes[0], p.hashes[1], "PCK"); err != nil {
		return nil, err
	}
	if !cached {
		chainCache.put(string(text), p)
	}
	t := opts.now()
	for i, role := range [...]string{"PCK", "intermediate", "root"} {
		if err := checkValidity(p.certs[i], role, t); err != nil {
			return nil, err
		}
	}
	return &QuoteChain{PCK: pck, Intermediate: inter, Root: root, CA: p.ca, Extensions: p.ext, pckKey: p.pckKey}, nil
}

// boundedCache is a map safe for concurrent use that holds at most max
// entries: when full, putting a new entry evicts an arbitrary one.
type boundedCache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

func newBoundedCache[K comparable, V any](max int) *boundedCache[K, V] {
	return &boundedCache[K, V]{m: make(map[K]V), max: max}
}

func (c *boundedCache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// getBytes is get for a cache keyed by strings, with the key as bytes: the
// look-up neither copies nor hashes them but with the map's own hash.
func getBytes[V any](c *boundedCache[string, V], b []byte) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[string(b)]
	c.mu.RUnlock()
	return v, ok
}

func (c *boundedCache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// reset empties the cache (tests measure cold paths with it).
func (c *boundedCache[K, V]) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
