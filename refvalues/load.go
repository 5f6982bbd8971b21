// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	cose "github.com/veraison/go-cose"
)

// LoadOptions says which signers Load trusts and when it verifies. The zero
// value trusts no one and accepts nothing unsigned: every CoRIM is then
// rejected, which is the safe default.
type LoadOptions struct {
	// Name identifies the document in results and errors (a file name).
	Name string
	// Keys are the public keys trusted to sign CoRIMs (ECDSA, Ed25519, RSA
	// as COSE allows). A CoRIM verifies when its signature verifies under one.
	Keys []TrustedKey
	// Roots are the trust anchors for a CoRIM's x5chain header (COSE label
	// 33): its leaf must chain to one of them at Time (intermediates from
	// the x5chain itself). A key or certificate carried in the CoRIM is
	// never trusted on its own. To pin one signing certificate, put it in
	// Roots (or its public key in Keys).
	Roots *x509.CertPool
	// Time is the verification time for signature validity (corim-meta or CWT
	// nbf/exp), rim-validity and the x5chain; zero means time.Now().
	Time time.Time
	// AllowUnsigned accepts unsigned CoRIMs and expected-values JSON. A
	// verifier must not take unsigned reference values by accident: set it
	// only for documents whose origin the caller vouches for itself (a file
	// the operator named, a CoRIM fetched over an authenticated channel).
	AllowUnsigned bool
}

// TrustedKey is a public key trusted to sign CoRIMs.
type TrustedKey struct {
	Public crypto.PublicKey
	// KID is the COSE kid (label 4) the signer puts in its CoRIMs. When nil,
	// Thumbprint(Public) is assumed, which is what Sign writes. The kid only
	// explains a failure (wrong key or tampered payload); it never makes a
	// signature trusted.
	KID []byte
}

// Thumbprint returns the SHA-256 of a public key's DER SubjectPublicKeyInfo:
// the COSE kid Sign writes and Signer.Key reports.
func Thumbprint(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	h := sha256.Sum256(der)
	return h[:], nil
}

// Load reads one document of reference values: a CoRIM (COSE_Sign1 #6.18,
// #6.501, an untagged corim-map, or a bare CoMID #6.506 / concise-mid-tag) or
// an expected-values JSON object (see Expect), told apart by content.
// Signed CoRIMs are verified against opts; unsigned documents need
// opts.AllowUnsigned. Every error wraps one of the package's sentinels.
func Load(data []byte, opts LoadOptions) (*Document, error) {
	return load(data, opts, false)
}

// Inspect decodes a document as Load does but checks neither signature nor
// validity nor AllowUnsigned: for showing a CoRIM to a person (ccverify
// corim inspect without a key). The Document says "(not verified)" in its
// Format and Notes, and Set.Match ignores it, so inspected reference values
// never judge evidence.
func Inspect(data []byte, name string) (*Document, error) {
	return load(data, LoadOptions{Name: name, AllowUnsigned: true}, true)
}

func load(data []byte, opts LoadOptions, inspect bool) (*Document, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %s: %d bytes (at most %d)", ErrTooLarge, opts.name(), len(data), MaxSize)
	}
	now := opts.Time
	if now.IsZero() {
		now = time.Now()
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		if !opts.AllowUnsigned {
			return nil, fmt.Errorf("%w: %s: expected-values JSON is unsigned (LoadOptions.AllowUnsigned)", ErrUnsigned, opts.name())
		}
		doc, err := expectJSON(t, opts.name())
		if err == nil && inspect {
			markInspected(doc)
		}
		return doc, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: %s: empty", ErrUnknownFormat, opts.name())
	}
	top, err := decodeCBOR(data)
	if err != nil {
		if !looksLikeCorim(data) {
			return nil, fmt.Errorf("%w: %s", ErrUnknownFormat, opts.name())
		}
		return nil, settle(at(err, "%s", opts.name()))
	}
	doc := &Document{Source: opts.name()}
	var cd *corimDoc
	switch {
	case isTag(top, coseSign1Tag):
		payload, signer, nb, na, err := verifySigned(data, &opts, now, inspect)
		if err != nil {
			return nil, err
		}
		pv, err := decodeCBOR(payload)
		if err != nil {
			return nil, settle(at(err, "%s: payload", opts.name()))
		}
		if !isTag(pv, tagUnsignedCorim) {
			if !isMap(pv) {
				return nil, settle(at(bad("payload is %s, want #6.501 unsigned CoRIM", describe(pv)), "%s", opts.name()))
			}
			doc.Notes = append(doc.Notes, "payload is an untagged corim-map (corim v1.1.2); the draft asks for #6.501")
		}
		if cd, err = parseUnsignedCorim(pv); err != nil {
			return nil, settle(at(err, "%s", opts.name()))
		}
		doc.Format, doc.Signer = "signed-corim", signer
		narrow(doc, nb, na)
	case isTag(top, tagCoMID) || isComidMap(top):
		c := top
		if t, ok := tagOf(top, tagCoMID); ok {
			c = t
		}
		n := 0
		cm, err := parseComid(c, &n)
		if err != nil {
			return nil, settle(at(err, "%s: comid 0", opts.name()))
		}
		cd = &corimDoc{comids: []comidDoc{*cm}, bareComid: true}
		doc.Format = "comid"
	case isTag(top, tagUnsignedCorim) || isCorimMap(top):
		if cd, err = parseUnsignedCorim(top); err != nil {
			return nil, settle(at(err, "%s", opts.name()))
		}
		doc.Format = "corim"
	default:
		return nil, fmt.Errorf("%w: %s: CBOR %s", ErrUnknownFormat, opts.name(), describe(top))
	}
	if doc.Format != "signed-corim" && !opts.AllowUnsigned {
		return nil, fmt.Errorf("%w: %s: unsigned %s (LoadOptions.AllowUnsigned)", ErrUnsigned, opts.name(), doc.Format)
	}
	doc.ID, doc.Profile, doc.ProfileWire = cd.id, cd.profile, cd.profileWire
	narrow(doc, cd.notBefore, cd.notAfter)
	if inspect {
		if err := checkValidity(doc, now, "validity"); err != nil {
			doc.Notes = append(doc.Notes, "at "+now.UTC().Format(time.RFC3339)+": "+err.Error())
		}
	} else if err := checkValidity(doc, now, "validity"); err != nil {
		return nil, err
	}
	refs, notes, err := compile(cd, doc.Source)
	if err != nil {
		return nil, settle(at(err, "%s", opts.name()))
	}
	doc.References, doc.Notes = refs, append(doc.Notes, notes...)
	if doc.References == nil {
		doc.References = []*Reference{}
	}
	if inspect {
		markInspected(doc)
	}
	return doc, nil
}

func markInspected(doc *Document) {
	doc.inspected = true
	doc.Format += " (not verified)"
	doc.Notes = append(doc.Notes, "decoded by Inspect: signature, validity and trust not checked; Match ignores it")
}

func (o *LoadOptions) name() string {
	if o.Name == "" {
		return "CoRIM"
	}
	return o.Name
}

func isTag(v any, n uint64) bool { _, ok := tagOf(v, n); return ok }

func isMap(v any) bool { _, ok := v.(map[any]any); return ok }

// isCorimMap reports whether v is a map with a corim-map's tags array (key 1).
func isCorimMap(v any) bool {
	m, ok := v.(map[any]any)
	if !ok {
		return false
	}
	t, _ := get(m, 1)
	_, isArray := t.([]any)
	return isArray
}

// isComidMap tells a concise-mid-tag (tag-identity map at key 1, triples at
// 4) from a corim-map (tags array at key 1).
func isComidMap(v any) bool {
	m, ok := v.(map[any]any)
	if !ok {
		return false
	}
	_, hasTriples := get(m, 4)
	id, _ := get(m, 1)
	_, idIsMap := id.(map[any]any)
	return hasTriples && idIsMap
}

// looksLikeCorim reports whether data starts as a CoRIM would: a CBOR map,
// #6.18, #6.501 or #6.506.
func looksLikeCorim(data []byte) bool {
	switch {
	case data[0] >= 0xa0 && data[0] <= 0xbf, data[0] == 0xd2:
		return true
	case len(data) >= 3 && data[0] == 0xd9 && data[1] == 0x01 && (data[2] == 0xf5 || data[2] == 0xfa):
		return true
	}
	return false
}

// narrow keeps the latest not-before and the earliest not-after.
func narrow(doc *Document, nb, na time.Time) {
	if !nb.IsZero() && (doc.NotBefore == nil || nb.After(*doc.NotBefore)) {
		t := nb
		doc.NotBefore = &t
	}
	if !na.IsZero() && (doc.NotAfter == nil || na.Before(*doc.NotAfter)) {
		t := na
		doc.NotAfter = &t
	}
}

func checkValidity(doc *Document, now time.Time, what string) error {
	if doc.NotBefore != nil && now.Before(*doc.NotBefore) {
		return fmt.Errorf("%w: %s: %s not-before %s, verification time %s", ErrNotYetValid, doc.Source, what,
			doc.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if doc.NotAfter != nil && now.After(*doc.NotAfter) {
		return fmt.Errorf("%w: %s: %s not-after %s, verification time %s", ErrExpired, doc.Source, what,
			doc.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// Protected-header labels this package processes; a crit header naming any
// other label is ErrUnsupported.
var knownLabels = map[int64]bool{algHdr: true, critHdr: true, contentTypeHdr: true, kidHdr: true,
	corimMetaLabel: true, cwtClaimsLabel: true, x5chainLabel: true}

// verifySigned checks a COSE_Sign1 CoRIM against opts and returns its payload,
// who signed it and the validity its headers state.
func verifySigned(raw []byte, opts *LoadOptions, now time.Time, inspect bool) (payload []byte, signer *Signer, nb, na time.Time, err error) {
	name := opts.name()
	fail := func(e error) ([]byte, *Signer, time.Time, time.Time, error) {
		return nil, nil, time.Time{}, time.Time{}, e
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return fail(fmt.Errorf("%w: %s: COSE_Sign1: %v", ErrMalformed, name, err))
	}
	hv, err := decodeCBOR(msg.Headers.RawProtected)
	if err != nil {
		return fail(settle(at(err, "%s: protected header", name)))
	}
	hb, ok := hv.([]byte)
	if !ok {
		return fail(fmt.Errorf("%w: %s: protected header is %s, want byte string", ErrMalformed, name, describe(hv)))
	}
	hm := map[any]any{}
	if len(hb) > 0 {
		v, err := decodeCBOR(hb)
		if err != nil {
			return fail(settle(at(err, "%s: protected header", name)))
		}
		if hm, err = mapOf(v, "protected header"); err != nil {
			return fail(settle(at(err, "%s", name)))
		}
	}
	if cv, ok := get(hm, critHdr); ok {
		crit, isArray := cv.([]any)
		if !isArray || len(crit) == 0 {
			return fail(fmt.Errorf("%w: %s: crit header is %s, want a non-empty array", ErrMalformed, name, describe(cv)))
		}
		for _, l := range crit {
			if i, ok := intKey(l); !ok || !knownLabels[i] {
				return fail(fmt.Errorf("%w: %s: critical header %v", ErrUnsupported, name, l))
			}
		}
	}
	if _, ok := get(hm, payloadHashAlgHdr); ok {
		return fail(fmt.Errorf("%w: %s: hash-envelope payload (header 258): the CoRIM itself must be the payload", ErrUnsupported, name))
	}
	ct, ok := get(hm, contentTypeHdr)
	if s, isText := ct.(string); !ok || !isText || strings.TrimSpace(strings.SplitN(s, ";", 2)[0]) != rimContentType {
		return fail(fmt.Errorf("%w: %s: protected header content-type is %v, want %q", ErrMalformed, name, ct, rimContentType))
	}
	if msg.Payload == nil {
		return fail(fmt.Errorf("%w: %s: detached payload", ErrUnsupported, name))
	}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil {
		return fail(fmt.Errorf("%w: %s: protected header alg: %v", ErrMalformed, name, err))
	}
	signer = &Signer{Algorithm: alg.String()}
	if mv, ok := get(hm, corimMetaLabel); ok {
		if nb, na, signer.Name, err = parseMeta(mv); err != nil {
			return fail(settle(at(err, "%s: corim-meta", name)))
		}
	}
	if cv, ok := get(hm, cwtClaimsLabel); ok {
		cnb, cna, iss, err := parseCWT(cv)
		if err != nil {
			return fail(settle(at(err, "%s: CWT claims", name)))
		}
		if !cnb.IsZero() && cnb.After(nb) {
			nb = cnb
		}
		if !cna.IsZero() && (na.IsZero() || cna.Before(na)) {
			na = cna
		}
		if signer.Name == "" {
			signer.Name = iss
		}
	}
	kid, _ := get(hm, kidHdr)
	kidBytes, _ := kid.([]byte)
	var chain []*x509.Certificate
	if xv, ok := get(hm, x5chainLabel); ok {
		if chain, err = parseX5Chain(xv); err != nil {
			return fail(settle(at(err, "%s: x5chain", name)))
		}
	} else if xv, ok := msg.Headers.Unprotected[int64(x5chainLabel)]; ok { // unprotected x5chain: still only a candidate
		if chain, err = parseX5ChainAny(xv); err != nil {
			return fail(settle(at(err, "%s: unprotected x5chain", name)))
		}
	}

	if inspect {
		if len(chain) > 0 {
			signer.Subject = chain[0].Subject.String() + " (x5chain, not verified)"
			signer.Key = thumbHex(chain[0].PublicKey)
		}
		return msg.Payload, signer, nb, na, nil
	}
	verifies := func(pub crypto.PublicKey) bool {
		v, err := cose.NewVerifier(alg, pub)
		if err != nil {
			return false
		}
		return msg.Verify(nil, v) == nil
	}
	// 1. A trusted key.
	for _, k := range opts.Keys {
		if k.Public != nil && verifies(k.Public) {
			signer.Key = thumbHex(k.Public)
			return msg.Payload, signer, nb, na, nil
		}
	}
	// 2. An x5chain that chains to a trusted root.
	var chainErr error
	if len(chain) > 0 {
		leaf := chain[0]
		if opts.Roots != nil {
			inter := x509.NewCertPool()
			for _, c := range chain[1:] {
				inter.AddCert(c)
			}
			_, chainErr = leaf.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if chainErr == nil {
				if verifies(leaf.PublicKey) {
					signer.Key, signer.Subject = thumbHex(leaf.PublicKey), leaf.Subject.String()
					return msg.Payload, signer, nb, na, nil
				}
				return fail(fmt.Errorf("%w: %s: not under the x5chain leaf %q, which chains to a trusted root", ErrSignature, name, leaf.Subject))
			}
			var ce x509.CertificateInvalidError
			if errors.As(chainErr, &ce) && ce.Reason == x509.Expired {
				if now.Before(ce.Cert.NotBefore) {
					return fail(fmt.Errorf("%w: %s: signing certificate %q: %v", ErrNotYetValid, name, ce.Cert.Subject, chainErr))
				}
				return fail(fmt.Errorf("%w: %s: signing certificate %q: %v", ErrExpired, name, ce.Cert.Subject, chainErr))
			}
		}
		if verifies(leaf.PublicKey) {
			why := "no trust anchors given"
			if chainErr != nil {
				why = chainErr.Error()
			}
			return fail(fmt.Errorf("%w: %s: signed by x5chain leaf %q (key %s), which is not trusted: %s", ErrUntrustedSigner, name, leaf.Subject, thumbHex(leaf.PublicKey), why))
		}
	}
	if len(opts.Keys) == 0 && opts.Roots == nil {
		return fail(fmt.Errorf("%w: %s: no trusted keys or roots given (LoadOptions.Keys, LoadOptions.Roots)", ErrUntrustedSigner, name))
	}
	// 3. Tell a tampered CoRIM (its kid names a trusted key) from one signed by another key.
	if kidBytes != nil {
		for _, k := range opts.Keys {
			if bytes.Equal(kidBytes, k.kid()) {
				return fail(fmt.Errorf("%w: %s: not under the trusted key its kid %x names (tampered payload or header)", ErrSignature, name, kidBytes))
			}
		}
		return fail(fmt.Errorf("%w: %s: signed by kid %x, none of the %d trusted keys", ErrUntrustedSigner, name, kidBytes, len(opts.Keys)))
	}
	return fail(fmt.Errorf("%w: %s: under none of the %d trusted keys", ErrSignature, name, len(opts.Keys)))
}

func (k TrustedKey) kid() []byte {
	if k.KID != nil {
		return k.KID
	}
	t, _ := Thumbprint(k.Public)
	return t
}

func thumbHex(pub crypto.PublicKey) string {
	t, err := Thumbprint(pub)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(t)
}

// parseMeta reads corim-meta (a bstr .cbor {0: signer, ? 1: validity}).
func parseMeta(v any) (nb, na time.Time, signer string, err error) {
	if b, ok := v.([]byte); ok {
		if v, err = decodeCBOR(b); err != nil {
			return
		}
	}
	m, err := mapOf(v, "corim-meta")
	if err != nil {
		return
	}
	if sv, ok := get(m, 0); ok {
		sm, e := mapOf(sv, "signer")
		if e != nil {
			err = e
			return
		}
		if n, ok := get(sm, 0); ok {
			if signer, err = textOf(n, "signer name"); err != nil {
				return
			}
		}
	}
	if vv, ok := get(m, 1); ok {
		nb, na, err = parseValidity(vv)
	}
	return
}

// parseCWT reads the CWT claims header (RFC 9597): nbf (5), exp (4), iss (1).
func parseCWT(v any) (nb, na time.Time, iss string, err error) {
	m, err := mapOf(v, "CWT claims")
	if err != nil {
		return
	}
	if x, ok := get(m, 5); ok {
		if nb, err = timeOf(x, "nbf"); err != nil {
			return
		}
	}
	if x, ok := get(m, 4); ok {
		if na, err = timeOf(x, "exp"); err != nil {
			return
		}
	}
	if x, ok := get(m, 1); ok {
		iss, _ = x.(string)
	}
	return
}

// maxChain caps the x5chain's certificates.
const maxChain = 8

func parseX5Chain(v any) ([]*x509.Certificate, error) {
	var ders [][]byte
	switch x := v.(type) {
	case []byte:
		ders = [][]byte{x}
	case []any:
		if len(x) == 0 || len(x) > maxChain {
			return nil, bad("%d certificates (1 to %d)", len(x), maxChain)
		}
		for i, e := range x {
			b, ok := e.([]byte)
			if !ok {
				return nil, bad("certificate %d: want byte string, got %s", i, describe(e))
			}
			ders = append(ders, b)
		}
	default:
		return nil, bad("want byte string or array, got %s", describe(v))
	}
	out := make([]*x509.Certificate, 0, len(ders))
	for i, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, bad("certificate %d: %v", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// parseX5ChainAny reads an x5chain go-cose decoded.
func parseX5ChainAny(v any) ([]*x509.Certificate, error) {
	if a, ok := v.([]any); ok {
		return parseX5Chain(a)
	}
	if a, ok := v.([][]byte); ok {
		out := make([]any, len(a))
		for i := range a {
			out[i] = a[i]
		}
		return parseX5Chain(out)
	}
	return parseX5Chain(v)
}
