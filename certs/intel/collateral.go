// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Collateral is a set of Intel PCS collateral: TCB Infos (one or more
// FMSPCs), QE Identities, CRLs and the issuer-chain certificates that came
// with them. Nothing in it is trusted until [Evaluate] verifies it against the
// trusted roots of its options; the certificates are candidates only, and a
// root certificate in the input is never trusted for being there.
//
// A Collateral remembers the signature checks it has made, so evaluating many
// quotes against it verifies each piece once. It is safe for concurrent use
// once built; [Collateral.Add] must not run concurrently with [Evaluate].
type Collateral struct {
	TCBInfos     []*TCBInfo
	QEIdentities []*QEIdentity
	CRLs         []*CRL
	// Certs are the certificates of the issuer chains (TCB Signing, PCK CAs,
	// roots); only certificates that verify to a trusted root are used.
	Certs []*x509.Certificate

	seen  map[[32]byte]bool // digests of pieces already added
	links sync.Map          // [2]*x509.Certificate{child, parent} → error
}

// Add recognizes one piece of collateral by its content and adds it:
//   - a PCS v4 TCB Info or QE Identity response body (JSON with a "tcbInfo"
//     or "enclaveIdentity" object and a "signature");
//   - a collateral bundle as Intel's QVL (sgx_ql_qve_collateral_t fields) and
//     Phala's dcap-qvl write it: tcb_info, tcb_info_signature,
//     tcb_info_issuer_chain, qe_identity, qe_identity_signature,
//     qe_identity_issuer_chain, pck_crl, pck_crl_issuer_chain, root_ca_crl
//     (camelCase names too), each a string or an embedded object;
//   - PEM certificates (issuer chains) and CRLs, also URL-encoded as PCS
//     sends them in headers;
//   - a DER certificate or CRL, or either as hex text.
//
// Unrecognized data is an [ErrCollateralFormat] error. Adding the same bytes
// twice adds them once.
func (c *Collateral) Add(data []byte) error {
	return c.add(data, 0)
}

func (c *Collateral) add(data []byte, depth int) error {
	if depth > 2 {
		return fmt.Errorf("%w: collateral nested too deeply", ErrCollateralFormat)
	}
	d := data
	if len(d) == 0 || d[0] != 0x30 { // text: trim; DER: never (its last bytes may look like spaces)
		d = bytes.TrimSpace(data)
	}
	if len(d) == 0 {
		return fmt.Errorf("%w: empty collateral", ErrCollateralFormat)
	}
	if c.seen == nil {
		c.seen = make(map[[32]byte]bool)
	}
	sum := sha256Sum(d)
	if c.seen[sum] {
		return nil
	}
	err := c.addNew(d, depth)
	if err == nil {
		c.seen[sum] = true
	}
	return err
}

func (c *Collateral) addNew(d []byte, depth int) error {
	switch {
	case d[0] == '{':
		return c.addJSON(d, depth)
	case bytes.HasPrefix(d, []byte("-----BEGIN ")):
		return c.addPEM(d)
	case bytes.HasPrefix(d, []byte("-----BEGIN%20")):
		s, err := url.PathUnescape(string(d))
		if err != nil {
			return fmt.Errorf("%w: URL-encoded PEM: %v", ErrCollateralFormat, err)
		}
		return c.addPEM([]byte(s))
	}
	if h, ok := hexText(d); ok { // before DER: hex text may start with '0' (0x30)
		if len(h) == 0 || h[0] != 0x30 {
			return fmt.Errorf("%w: %w (hex of %d bytes, not DER)", ErrCollateralFormat, ErrNotCollateral, len(h))
		}
		return c.addDER(h)
	}
	if d[0] == 0x30 {
		return c.addDER(d)
	}
	return fmt.Errorf("%w: %w (starts %q)", ErrCollateralFormat, ErrNotCollateral, d[:min(len(d), 16)])
}

// ErrNotCollateral marks data that is no kind of Intel collateral at all (as opposed
// to a recognized piece that is malformed); LoadCollateral skips such files.
var ErrNotCollateral = errors.New("intel: not TCB Info, QE Identity, a CRL, a certificate or a collateral bundle")

// hexText decodes hex text (optionally 0x-prefixed, whitespace ignored);
// ok is false when d is not hex text.
func hexText(d []byte) (b []byte, ok bool) {
	s := strings.Join(strings.Fields(string(d)), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) < 2 || len(s)%2 != 0 {
		return nil, false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

func (c *Collateral) addDER(der []byte) error {
	if crl, err := ParseCRL(der); err == nil {
		c.CRLs = append(c.CRLs, crl)
		return nil
	} else if _, cerr := x509.ParseCertificate(der); cerr != nil {
		if errors.Is(err, ErrNotCollateral) {
			return err // a well-formed CRL of another issuer
		}
		return fmt.Errorf("%w: DER is neither an Intel SGX CA CRL (%v) nor a certificate (%v)", ErrCollateralFormat, err, cerr)
	}
	cert, _ := x509.ParseCertificate(der)
	c.addCert(cert)
	return nil
}

func (c *Collateral) addCert(cert *x509.Certificate) {
	for _, x := range c.Certs {
		if bytes.Equal(x.Raw, cert.Raw) {
			return
		}
	}
	c.Certs = append(c.Certs, cert)
}

func (c *Collateral) addPEM(d []byte) error {
	n := 0
	for {
		var b *pem.Block
		b, d = pem.Decode(d)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return fmt.Errorf("%w: PEM certificate: %v", ErrCollateralFormat, err)
			}
			c.addCert(cert)
		case "X509 CRL":
			crl, err := ParseCRL(b.Bytes)
			if err != nil {
				return err
			}
			c.CRLs = append(c.CRLs, crl)
		default:
			return fmt.Errorf("%w: unexpected PEM block %q", ErrCollateralFormat, b.Type)
		}
		n++
	}
	if n == 0 || len(bytes.TrimSpace(bytes.Trim(d, "\x00"))) != 0 {
		return fmt.Errorf("%w: PEM with no blocks or trailing data", ErrCollateralFormat)
	}
	return nil
}

// bundleFields maps the field names of QVL/dcap-qvl collateral bundles.
var bundleFields = map[string]string{
	"tcb_info": "tcbInfo", "tcbinfo": "tcbInfo",
	"tcb_info_signature": "tcbInfoSig", "tcbinfosignature": "tcbInfoSig",
	"tcb_info_issuer_chain": "chain", "tcbinfoissuerchain": "chain",
	"qe_identity": "qeIdentity", "qeidentity": "qeIdentity",
	"qe_identity_signature": "qeIdentitySig", "qeidentitysignature": "qeIdentitySig",
	"qe_identity_issuer_chain": "chain", "qeidentityissuerchain": "chain",
	"pck_crl_issuer_chain": "chain", "pckcrlissuerchain": "chain",
	"pck_crl": "crl", "pckcrl": "crl",
	"root_ca_crl": "crl", "rootcacrl": "crl",
	"pck_certificate_chain": "chain", // dcap-qvl may carry the PCK chain; only CA certs are used
	"version":               "ignore", "tee_type": "ignore", "major_version": "ignore", "minor_version": "ignore",
}

func (c *Collateral) addJSON(d []byte, depth int) (err error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(d, &top); err != nil {
		return fmt.Errorf("%w: JSON: %v", ErrCollateralFormat, err)
	}
	if _, ok := top["tcbInfo"]; ok {
		if _, ok := top["signature"]; ok {
			ti, err := ParseTCBInfo(d)
			if err != nil {
				return err
			}
			c.TCBInfos = append(c.TCBInfos, ti)
			return nil
		}
	}
	if _, ok := top["enclaveIdentity"]; ok {
		qe, err := ParseQEIdentity(d)
		if err != nil {
			return err
		}
		c.QEIdentities = append(c.QEIdentities, qe)
		return nil
	}
	// A bundle of pieces.
	before := len(c.TCBInfos) + len(c.QEIdentities) + len(c.CRLs) + len(c.Certs)
	defer func() {
		if err == nil && len(c.TCBInfos)+len(c.QEIdentities)+len(c.CRLs)+len(c.Certs) == before {
			err = fmt.Errorf("%w: collateral bundle without any piece", ErrCollateralFormat)
		}
	}()
	fields := map[string][]byte{}
	var sigs = map[string]string{}
	known := 0
	for k, v := range top {
		role, ok := bundleFields[strings.ToLower(strings.ReplaceAll(k, "-", "_"))]
		if !ok {
			role, ok = bundleFields[strings.ToLower(strings.ReplaceAll(k, "_", ""))]
		}
		if !ok || role == "ignore" { // unknown fields are ignored, as JSON readers do
			continue
		}
		known++
		b, ferr := fieldBytes(v)
		if ferr != nil {
			return fmt.Errorf("%w: bundle field %q: %v", ErrCollateralFormat, k, ferr)
		}
		switch role {
		case "tcbInfoSig", "qeIdentitySig":
			sigs[role] = string(bytes.TrimSpace(b))
		case "tcbInfo", "qeIdentity":
			fields[role] = b
		default:
			if len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			if err := c.add(b, depth+1); err != nil {
				return fmt.Errorf("bundle field %q: %w", k, err)
			}
		}
	}
	if known == 0 {
		return fmt.Errorf("%w: %w: JSON without any collateral field", ErrCollateralFormat, ErrNotCollateral)
	}
	for _, p := range [...]struct{ obj, sig, key string }{{"tcbInfo", "tcbInfoSig", "tcbInfo"}, {"qeIdentity", "qeIdentitySig", "enclaveIdentity"}} {
		raw, ok := fields[p.obj]
		if !ok {
			continue
		}
		raw = bytes.TrimSpace(raw)
		sig, hasSig := sigs[p.sig]
		var err error
		switch {
		case !hasSig: // the full PCS body, as sgx_ql_qve_collateral_t carries it
			err = c.add(raw, depth+1)
		case p.obj == "tcbInfo":
			var ti *TCBInfo
			if ti, err = ParseTCBInfoObject(raw, sig); err == nil {
				c.TCBInfos = append(c.TCBInfos, ti)
			}
		default:
			var qe *QEIdentity
			if qe, err = ParseQEIdentityObject(raw, sig); err == nil {
				c.QEIdentities = append(c.QEIdentities, qe)
			}
		}
		if err != nil {
			return fmt.Errorf("bundle %s: %w", p.key, err)
		}
	}
	return nil
}

// fieldBytes returns a bundle field's content: a JSON string's text or an
// embedded object's exact bytes.
func fieldBytes(v json.RawMessage) ([]byte, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		return []byte(strings.TrimRight(s, "\x00")), nil
	}
	if len(v) > 0 && v[0] == '{' {
		return v, nil
	}
	if string(v) == "null" {
		return nil, nil
	}
	return nil, errors.New("neither a string nor an object")
}

// LoadCollateral reads collateral from a file or a directory (not recursive:
// every regular file in it), recognizing each piece by its content, whatever
// its name ([Collateral.Add]). In a directory, files that are no kind of
// collateral (quotes, notes) are skipped; a recognized piece that is
// malformed fails the load. Pieces that are missing are named by
// [Collateral.Missing] and by [Evaluate]'s error.
func LoadCollateral(path string) (*Collateral, error) {
	c := new(Collateral)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := c.Add(b); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return c, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(path, name)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := c.Add(b); err != nil && !errors.Is(err, ErrNotCollateral) {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return c, nil
}

// Missing names the pieces the collateral lacks to evaluate a quote of the
// given FMSPC whose PCK the given CA issued, or returns nil.
func (c *Collateral) Missing(fmspc [6]byte, ca CAType) error {
	var miss []string
	if c.tcbInfo(fmspc) == nil {
		miss = append(miss, fmt.Sprintf("TCB Info (TDX) for FMSPC %x", fmspc))
	}
	if !c.hasQEIdentity() {
		miss = append(miss, "QE Identity (TD_QE)")
	}
	var pck, root bool
	for _, crl := range c.CRLs {
		pck = pck || (!crl.Root && crl.CA == ca)
		root = root || crl.Root
	}
	if !pck {
		miss = append(miss, "PCK "+ca.String()+" CA CRL")
	}
	if !root {
		miss = append(miss, "Root CA CRL")
	}
	if !c.hasCN(cnTCBSigning) {
		miss = append(miss, "TCB Signing certificate (TCB Info issuer chain)")
	}
	if len(miss) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrCollateralMissing, strings.Join(miss, ", "))
}

func (c *Collateral) hasCN(cn string) bool {
	for _, x := range c.Certs {
		if x.Subject.CommonName == cn {
			return true
		}
	}
	return false
}

// tcbInfo returns a TDX TCB Info for fmspc, without regard to proof or time
// (for Missing).
func (c *Collateral) tcbInfo(fmspc [6]byte) *TCBInfo {
	for _, ti := range c.TCBInfos {
		if ti.FMSPC == fmspc && ti.ID == TCBInfoIDTDX {
			return ti
		}
	}
	return nil
}

// hasQEIdentity reports whether the collateral has a TD_QE identity.
func (c *Collateral) hasQEIdentity() bool {
	for _, qe := range c.QEIdentities {
		if qe.ID == QEIdentityIDTDX {
			return true
		}
	}
	return false
}

// signedBy finds a TCB Signing certificate in the collateral that verifies
// to a trusted root, is valid at t, is not revoked (revoked, when not nil,
// says whether a genuine Root CA CRL lists it) and whose key verifies the
// signature (check). The chain and signature checks are remembered.
func (c *Collateral) signedBy(check func(*x509.Certificate) error, revoked func(*x509.Certificate) error, opts EvaluateOptions, t time.Time, what func() string) (*x509.Certificate, error) {
	var firstErr error
	// The error kept names the certificate that came closest: revoked, then
	// a signature or validity failure, then a chain that does not verify.
	prio := func(err error) int {
		switch {
		case errors.Is(err, ErrRevoked):
			return 2
		case errors.Is(err, ErrChain):
			return 0
		}
		return 1
	}
	keep := func(err error) {
		if firstErr == nil || prio(err) > prio(firstErr) {
			firstErr = err
		}
	}
	for _, s := range c.Certs {
		if s.Subject.CommonName != cnTCBSigning {
			continue
		}
		if err := c.chainsToRoot(s, opts); err != nil {
			keep(fmt.Errorf("%w: %s: %w", ErrCollateralSignature, what(), err))
			continue
		}
		if err := check(s); err != nil {
			keep(fmt.Errorf("%s: %w", what(), err))
			continue
		}
		if t.Before(s.NotBefore) || t.After(s.NotAfter) {
			keep(fmt.Errorf("%w: %s: TCB Signing certificate serial %x valid %s to %s, verification time %s", ErrExpired, what(), s.SerialNumber,
				s.NotBefore.Format(time.RFC3339), s.NotAfter.Format(time.RFC3339), t.Format(time.RFC3339)))
			continue
		}
		if revoked != nil {
			if err := revoked(s); err != nil {
				keep(fmt.Errorf("%s: %w", what(), err))
				continue
			}
		}
		return s, nil
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("%w: %s: no TCB Signing certificate (TCB Info / QE Identity issuer chain)", ErrCollateralMissing, what())
	}
	return nil, firstErr
}

// chainsToRoot checks that cert is signed by a trusted root of opts that is
// valid at the verification time (remembered per certificate pair).
func (c *Collateral) chainsToRoot(cert *x509.Certificate, opts EvaluateOptions) error {
	roots := opts.Roots
	if roots == nil {
		roots = intelRoots
	}
	t := opts.now()
	var last error // built only when no root will do
	for _, r := range roots {
		if r == nil || !bytes.Equal(cert.RawIssuer, r.RawSubject) {
			continue
		}
		key := [2]*x509.Certificate{cert, r}
		var err error
		if e, ok := c.links.Load(key); ok {
			err, _ = e.(error)
		} else {
			if err = cert.CheckSignatureFrom(r); err != nil {
				err = fmt.Errorf("%w: %q not signed by root %q: %v", ErrChain, cert.Subject.CommonName, r.Subject.CommonName, err)
			}
			c.links.Store(key, err)
		}
		if err != nil {
			last = err
			continue
		}
		if t.Before(r.NotBefore) || t.After(r.NotAfter) {
			last = fmt.Errorf("%w: root %q valid %s to %s", ErrExpired, r.Subject.CommonName, r.NotBefore.Format(time.RFC3339), r.NotAfter.Format(time.RFC3339))
			continue
		}
		return nil
	}
	if last == nil {
		last = fmt.Errorf("%w: %q issuer %q is not a trusted root", ErrChain, cert.Subject.CommonName, cert.Issuer.CommonName)
	}
	return last
}

// intelRoots is the default of Options.Roots for chainsToRoot.
var intelRoots = []*x509.Certificate{intelRoot}
