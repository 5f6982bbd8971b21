// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ccverify/ccverify/certs/ibm"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/se"
	"github.com/veraison/ear"
)

// FormatSE is an IBM Secure Execution attestation answer: pvattest's
// exchange format, or Trustee's SE evidence JSON.
const FormatSE Format = "se"

// Sentinel errors of IBM Secure Execution appraisal. Each is wrapped with
// the values that failed.
var (
	// ErrSEHeader reports an answer that does not belong to the verifier's
	// SE header: the tags the guest claims differ from the header's, or
	// the image was unpacked by a host key the header has no slot for.
	ErrSEHeader = errors.New("verify: SE answer is not for the expected SE header")
	// ErrMeasurement reports an SE answer whose measurement is not the
	// HMAC-SHA512 over the header's tags, config UID, user data, nonce and
	// additional data under the request's measurement key.
	ErrMeasurement = errors.New("verify: SE measurement does not verify")
	// ErrSERequest reports an SE answer to another request than the one
	// given, or whose request secret cannot be opened.
	ErrSERequest = errors.New("verify: SE answer does not answer this request")
	// ErrReplay reports an SE request answered before: a replayed answer.
	ErrReplay = errors.New("verify: SE request already answered (replay)")
	// ErrUntrustedHost reports an SE answer from a host (attestation PHKH)
	// or an image unpacked by a host key (image PHKH) that is no trusted
	// host key document.
	ErrUntrustedHost = errors.New("verify: SE answer not from a trusted IBM Z host")
)

// SEOptions configure the appraisal of IBM Secure Execution answers. SE is
// symmetric: the verifier must hold the request's secret (stateful:
// Request) or the RSA key the secret was sealed to (Trustee's stateless
// mode: StatelessKey), and the guest's SE header.
type SEOptions struct {
	// Header is the verifier's own SE header of the guest, or the whole SE
	// image: the measurement must cover its tags. Never taken from the guest.
	Header []byte
	// Request is the request being answered (stateful mode).
	Request *SERequest
	// StatelessKey opens the measurement key and nonce that Trustee's SE
	// evidence carries, sealed to the verifier (stateless mode).
	StatelessKey *rsa.PrivateKey
	// StatelessFlags are the flags of stateless requests; zero means
	// Trustee's: image and attestation PHKH (and the nonce).
	StatelessFlags se.Flags
	// HKDs are the host key documents (PEM or DER) the verifier trusts.
	// Each is proven (certs/ibm) at the verification time; the answer's
	// attestation and image PHKH must be one of theirs.
	HKDs [][]byte
	// Collateral holds the IBM Z signing key, its intermediates and the
	// CRLs of every CA and of the signing key (PEM or DER). IBM pieces in
	// Options.Collateral join them.
	Collateral [][]byte
	// Roots replace the pinned DigiCert Trusted Root G4 (test PKIs).
	Roots []*x509.Certificate
	// Replay, when set, records answered requests: a second answer to one
	// request is ErrReplay. Without it (and without a Binding), freshness
	// is not checked and the verdict is at most warning.
	Replay SEReplayGuard
}

// SERequest is a request the verifier issued and its secret.
type SERequest struct {
	// Secret is the request's secret (se.NewRequest).
	Secret se.Secret
	// ARCB is the request as issued; when set, an answer that carries an
	// ARCB must carry this one.
	ARCB []byte
}

// SEReplayGuard remembers which SE requests were answered.
type SEReplayGuard interface {
	// Consume records the request id (se.Secret.ID) as answered, or returns
	// an error wrapping ErrReplay when it already was.
	Consume(id [32]byte) error
}

// NewSEReplayMemory returns an in-memory SEReplayGuard, safe for concurrent use.
func NewSEReplayMemory() SEReplayGuard { return &replayMemory{seen: map[[32]byte]bool{}} }

type replayMemory struct {
	mu   sync.Mutex
	seen map[[32]byte]bool
}

func (m *replayMemory) Consume(id [32]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[id] {
		return fmt.Errorf("%w: request %x", ErrReplay, id[:8])
	}
	m.seen[id] = true
	return nil
}

// SEAnswer verifies an IBM Secure Execution answer (pvattest exchange
// format or Trustee's SE evidence JSON) with Options.SE.
func (v *Verifier) SEAnswer(ctx context.Context, raw []byte) (*Result, error) {
	opts := &v.opts
	r := v.newResult()
	r.Format = FormatSE
	if max := opts.maxEvidence(); len(raw) > max {
		err := fmt.Errorf("%w: %d bytes, limit %d (Options.MaxEvidenceSize)", ErrTooLarge, len(raw), max)
		return r.fail(err), err
	}
	r.Claims["evidence_sha256"] = sha256Hex(raw)
	var a *se.Answer
	var err error
	if se.IsExchange(raw) {
		a, err = se.ParseExchange(raw)
	} else {
		a, err = se.ParseTrustee(raw)
	}
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrEvidence, err)
		r.fail(err)
		return r, r.finish(err)
	}
	return v.conclude(ctx, r, v.appraiseSE(ctx, r, a))
}

// appraiseSEContainer appraises Trustee's SE evidence unwrapped from a container.
func (v *Verifier) appraiseSEContainer(ctx context.Context, r *Result, ev *container.Evidence) error {
	f := map[string][]byte{}
	for _, p := range ev.Pieces {
		if p.Kind == container.KindSE {
			f[p.Name] = p.Data
		}
	}
	a, err := se.FromTrusteeFields(f)
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrEvidence, err)
		r.fail(err)
		return err
	}
	return v.appraiseSE(ctx, r, a)
}

// appraiseSE judges an SE answer: the verifier's header gives the tags;
// the request secret (kept, or sealed to the verifier) gives the
// measurement key, nonce and authenticated flags; user data is checked
// against the Binding; the HMAC is recomputed and compared in constant
// time; the request is consumed; the attestation and image PHKH must be
// host key documents proven now.
func (v *Verifier) appraiseSE(_ context.Context, r *Result, a *se.Answer) error {
	r.Format = FormatSE
	o := &v.opts.SE
	fail := func(err error) error { r.fail(err); return err }

	// Claims first (Trustee's names), so that a failure still shows them.
	r.Claims["version"] = 256
	r.Claims["cuid"] = hex.EncodeToString(a.CUID)
	r.Claims["user_data"] = hex.EncodeToString(a.UserData)
	rd := make([]byte, ReportDataSize)
	copy(rd, a.UserData)
	r.Claims["report_data"] = hex.EncodeToString(rd)
	r.Claims["measurement"] = hex.EncodeToString(a.Measurement)

	if len(o.Header) == 0 {
		return r.unavailable(fmt.Errorf("%w: no SE header of the guest given (SEOptions.Header, --se-header): the measurement cannot be checked", ErrSEHeader))
	}
	h, err := se.FindHeader(o.Header)
	if err != nil {
		return fail(fmt.Errorf("%w: %w: SEOptions.Header: %w", ErrCollateral, ErrSEHeader, err))
	}
	tags := h.Tags()
	r.Claims["tag"] = hex.EncodeToString(tags.Tag())
	r.Claims["image_hdr_tags"] = tags.String()
	if a.Trustee != nil && !bytes.Equal(a.Trustee.ImageHdrTags, tags[:]) {
		return fail(fmt.Errorf("%w: the guest claims SE-header tag %x, the verifier's header has %x", ErrSEHeader, a.Trustee.ImageHdrTags[se.TagsSize-16:], tags.Tag()))
	}

	sec, err := v.seSecret(r, a)
	if err != nil {
		return err
	}
	r.Claims["flags"] = fmt.Sprintf("%#016x", uint64(sec.Flags))

	// User data against the Binding before the HMAC, so that a wrong one
	// has its own name (the HMAC would fail too).
	if b := &v.opts.Binding; !b.IsZero() {
		want, err := b.Expected()
		if err != nil {
			return fail(fmt.Errorf("%w: %w", ErrFreshness, err))
		}
		if !bytes.Equal(rd, want) || len(a.UserData) < len(bytes.TrimRight(want, "\x00")) {
			return fail(fmt.Errorf("%w: SE user data %x, want %x (%s)", ErrFreshness, a.UserData, want, b.describe()))
		}
		r.bindingChecked = true
		r.reason("SE user data binds the answer to this request (%s)", b.describe())
	}

	var nonce []byte
	if sec.HasNonce {
		nonce = sec.Nonce[:]
	}
	want, err := se.Measure(sec.MeasurementKey[:], &tags, a.CUID, a.UserData, nonce, a.AdditionalData)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrEvidence, err))
	}
	if !hmac.Equal(want, a.Measurement) {
		return fail(fmt.Errorf("%w: measurement %x is not HMAC-SHA512 over SE-header tag %x, config UID %x, %d bytes of user data, the nonce and %d bytes of additional data (another SE image's header, changed user data, config UID or additional data, or a forged measurement)",
			ErrMeasurement, a.Measurement, tags.Tag(), a.CUID, len(a.UserData), len(a.AdditionalData)))
	}
	r.reason("SE measurement verifies: HMAC-SHA512 under the request's measurement key over the verifier's SE header tags (tag %x), config UID, user data, nonce and additional data", tags.Tag())

	if o.Replay != nil {
		if err := o.Replay.Consume(sec.ID()); err != nil {
			if !errors.Is(err, ErrReplay) {
				return r.unavailable(fmt.Errorf("SE replay guard: %w", err))
			}
			return fail(err)
		}
		r.reason("SE request consumed: a second answer to it is a replay")
	}

	add, err := se.SplitAdditional(sec.Flags, a.AdditionalData)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrEvidence, err))
	}
	for k, b := range map[string][]byte{"image_phkh": add.ImagePHKH, "attestation_phkh": add.AttestPHKH, "secret_store_hash": add.SecretStoreHash, "firmware_state": add.FirmwareState, "additional_unrecognized": add.Unrecognized} {
		if b != nil {
			r.Claims[k] = hex.EncodeToString(b)
		}
	}
	if err := v.seHosts(r, h, add); err != nil {
		return err
	}
	r.Vector.RuntimeOpaque = ear.EncryptedMemoryRuntimeClaim
	if o.Replay == nil && v.opts.Binding.IsZero() {
		r.incomplete("freshness not checked: no replay guard (SEOptions.Replay) and no binding of the user data: this answer would verify again")
	}
	r.settle()
	return nil
}

// seSecret returns the request secret for a: opened from the answer's ARCB
// with the kept ARPK, the kept secret itself, or the stateless secret.
func (v *Verifier) seSecret(r *Result, a *se.Answer) (*se.Secret, error) {
	o := &v.opts.SE
	fail := func(err error) (*se.Secret, error) { r.fail(err); return nil, err }
	switch {
	case o.Request != nil:
		if a.ARCB == nil {
			r.reason("the answer carries no ARCB: the flags are the kept request's")
			return &o.Request.Secret, nil
		}
		if o.Request.ARCB != nil && !bytes.Equal(a.ARCB, o.Request.ARCB) {
			return fail(fmt.Errorf("%w: the answer carries an ARCB of %d bytes (SHA-256 %s), the request issued was %s", ErrSERequest, len(a.ARCB), sha256Hex(a.ARCB), sha256Hex(o.Request.ARCB)))
		}
		arcb, err := se.ParseARCB(a.ARCB)
		if err != nil {
			return fail(fmt.Errorf("%w: %w", ErrSERequest, err))
		}
		s, err := arcb.Open(&o.Request.Secret.ARPK)
		if err != nil {
			return fail(fmt.Errorf("%w: the answer's ARCB does not open with the request's ARPK: %w", ErrSERequest, err))
		}
		if s.MeasurementKey != o.Request.Secret.MeasurementKey || s.Nonce != o.Request.Secret.Nonce {
			return fail(fmt.Errorf("%w: the answer's ARCB holds another measurement key or nonce", ErrSERequest))
		}
		r.reason("the answer's ARCB is the request issued (opened with its ARPK: flags %#016x authenticated)", uint64(s.Flags))
		return s, nil
	case o.StatelessKey != nil && a.Trustee != nil:
		flags := o.StatelessFlags
		if flags == 0 {
			flags = se.FlagImagePHKH | se.FlagAttestPHKH
		}
		s, err := se.OpenStateless(o.StatelessKey, a.Trustee, flags)
		if err != nil {
			return fail(fmt.Errorf("%w: %w", ErrSERequest, err))
		}
		r.reason("stateless SE request: measurement key and nonce opened with the verifier's RSA key")
		return s, nil
	}
	err := fmt.Errorf("%w: no request secret (SEOptions.Request, --se-request; or SEOptions.StatelessKey for Trustee's stateless evidence)", ErrSERequest)
	return nil, r.unavailable(err)
}

// seHosts proves the trusted host key documents now and requires the
// answer's attestation and image PHKH to be theirs.
func (v *Verifier) seHosts(r *Result, h *se.Header, add se.Additional) error {
	o := &v.opts.SE
	fail := func(err error) error { r.fail(err); return err }
	t, err := v.seTrusted(r.Time)
	if err != nil {
		return fail(err)
	}
	for _, n := range t.skipped {
		r.reason("%s", n)
	}
	byPHKH := t.byPHKH
	check := func(what string, phkh []byte) error {
		var p [se.PHKHSize]byte
		copy(p[:], phkh)
		hs := byPHKH[p]
		if hs == nil {
			return fail(fmt.Errorf("%w: %s %x is the key hash of none of the %d trusted host key documents", ErrUntrustedHost, what, phkh, len(o.HKDs)))
		}
		if hs.err != nil {
			err := fmt.Errorf("%w: %s %x: host key document %q (serial %x): %w", ErrGenuine, what, phkh, hs.hkd.Subject, hs.hkd.SerialNumber, hs.err)
			switch {
			case errors.Is(hs.err, ibm.ErrRevoked):
				raise(&r.Vector.Hardware, ear.ContraindicatedHardwareClaim)
			case errors.Is(hs.err, ibm.ErrExpired):
			default: // not proven IBM's (look-alike, no chain): an untrusted host
				err = fmt.Errorf("%w: %w", ErrUntrustedHost, err)
			}
			return fail(err)
		}
		r.Claims[what+"_hkd_serial"] = fmt.Sprintf("%x", hs.hkd.SerialNumber)
		if r.Expires.IsZero() || hs.res.Expires.Before(r.Expires) {
			r.Expires = hs.res.Expires
		}
		r.reason("%s %x: host key document %q (serial %x) proven to the IBM Z signing key %q, not revoked", what, phkh, hs.hkd.Subject, hs.hkd.SerialNumber, hs.res.Cert.Issuer)
		return nil
	}
	if add.ImagePHKH != nil {
		inHeader := false
		for _, p := range h.KeySlotPHKHs {
			inHeader = inHeader || bytes.Equal(p[:], add.ImagePHKH)
		}
		if !inHeader {
			return fail(fmt.Errorf("%w: image PHKH %x is none of the SE header's %d key slots", ErrSEHeader, add.ImagePHKH, len(h.KeySlotPHKHs)))
		}
		if err := check("image_phkh", add.ImagePHKH); err != nil {
			return err
		}
	}
	if add.AttestPHKH == nil {
		r.Vector.Hardware = ear.GenuineHardwareClaim
		r.incomplete("the answering host is not identified: the request did not ask for the attestation PHKH")
		return nil
	}
	if err := check("attestation_phkh", add.AttestPHKH); err != nil {
		return err
	}
	r.Vector.Hardware = ear.GenuineHardwareClaim
	return nil
}

type seHost struct {
	hkd *x509.Certificate
	res *ibm.HKD
	err error
}

// seTrust is the outcome of proving SEOptions.HKDs at one time: each host
// key document by its PHKH, with its proof or the error that denies it.
type seTrust struct {
	byPHKH  map[[se.PHKHSize]byte]*seHost
	skipped []string
}

// seTrustCache keeps recent seTrust values (read-only once made) by the
// hash of everything they rest on (time, roots, collateral, HKDs): an
// audit at one time proves the chain and host key documents once.
var seTrustCache struct {
	sync.Mutex
	m map[[32]byte]*seTrust
}

const seTrustCacheSize = 64

// seTrusted proves the host key documents of SEOptions.HKDs at now, with
// the IBM collateral of SEOptions.Collateral and Options.Collateral.
func (v *Verifier) seTrusted(now time.Time) (*seTrust, error) {
	o := &v.opts.SE
	pieces := append([][]byte{}, o.Collateral...)
	pieces = append(pieces, seCollateralFiles(v.opts.Collateral)...)
	h := sha256.New()
	put := func(tag byte, b []byte) {
		var l [9]byte
		l[0] = tag
		binary.BigEndian.PutUint64(l[1:], uint64(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	put('t', []byte(now.UTC().Format(time.RFC3339Nano)))
	for _, r := range o.Roots {
		put('r', r.Raw)
	}
	for _, p := range pieces {
		put('c', p)
	}
	for _, b := range o.HKDs {
		put('h', b)
	}
	var key [32]byte
	copy(key[:], h.Sum(nil))
	seTrustCache.Lock()
	t := seTrustCache.m[key]
	seTrustCache.Unlock()
	if t != nil {
		return t, nil
	}

	var certs []*x509.Certificate
	var crls []*x509.RevocationList
	for _, p := range pieces {
		c, l, err := ibm.Load(p)
		if err != nil {
			continue // another TEE's collateral
		}
		certs, crls = append(certs, c...), append(crls, l...)
	}
	t = &seTrust{byPHKH: map[[se.PHKHSize]byte]*seHost{}}
	var chain *ibm.Chain
	chainErr := errors.New("no IBM Z signing key, chain and CRLs given")
	if len(o.HKDs) > 0 {
		chain, chainErr = ibm.VerifyChain(certs, crls, &ibm.Options{Now: now, Roots: o.Roots})
	}
	for i, b := range o.HKDs {
		cs, _, err := ibm.Load(b)
		if err != nil || len(cs) == 0 {
			return nil, fmt.Errorf("%w: SEOptions.HKDs[%d]: not a certificate", ErrCollateral, i)
		}
		for _, c := range cs {
			k, err := se.HostKey(c.PublicKey)
			if err != nil {
				t.skipped = append(t.skipped, fmt.Sprintf("host key document %q (serial %x) skipped: %v", c.Subject, c.SerialNumber, err))
				continue
			}
			hs := &seHost{hkd: c, err: chainErr}
			if chain != nil {
				hs.res, hs.err = chain.VerifyHKD(c)
			}
			t.byPHKH[se.PHKH(k)] = hs
		}
	}
	seTrustCache.Lock()
	if seTrustCache.m == nil || len(seTrustCache.m) >= seTrustCacheSize {
		seTrustCache.m = map[[32]byte]*seTrust{}
	}
	seTrustCache.m[key] = t
	seTrustCache.Unlock()
	return t, nil
}

// seCollateralFiles reads the files of Options.Collateral (a directory's
// regular files, not recursively); what is not IBM collateral is skipped
// by the caller.
func seCollateralFiles(paths []string) [][]byte {
	var out [][]byte
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		files := []string{p}
		if fi.IsDir() {
			ents, _ := os.ReadDir(p)
			files = files[:0]
			for _, e := range ents {
				if e.Type().IsRegular() {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() <= 1<<20 {
				if b, err := os.ReadFile(f); err == nil {
					out = append(out, b)
				}
			}
		}
	}
	return out
}
