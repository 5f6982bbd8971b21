// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"math/big"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/p256"
)

// VerifyQuote proves a TDX quote's signature chain, in the order of Intel's
// Quote Verification Library:
//
//  0. the header names Intel's quoting enclave as its vendor
//     ([ErrQEVendorID]; the QVL checks it with the quote's format, before any
//     signature, so a quote of another vendor gets this error and not
//     [ErrQuoteSignature]);
//  1. the PCK certificate chain in the quote verifies to a trusted root at the
//     verification time ([VerifyPCKChain]: [ErrCertificate], [ErrChain], [ErrExpired]);
//  2. the PCK signed the QE report ([ErrQEReportSignature]);
//  3. the QE report's REPORT_DATA is SHA-256(attestation key ‖ QE
//     authentication data) followed by 32 zero bytes ([ErrQEReportData]);
//  4. the attestation key is a valid P-256 point ([ErrAttestationKey]) and
//     signed the quote's header and body ([ErrQuoteSignature]).
//
// It returns the verified chain, whose PCK and intermediate certificates are
// what the PCK CRL and Root CA CRL apply to: revocation, TCB status and QE
// identity are not checked here. Verified certificate signatures are cached,
// and so is the proof of steps 2–4 short of the quote's signature (the PCK
// signed this QE report, whose REPORT_DATA binds this attestation key), by
// the SHA-256 of exactly the bytes it covers and within fixed bounds: a quote
// from a platform seen before costs one ECDSA verification, its own. Trust
// and validity of the chain are checked at every call, whatever is cached.
// Safe for concurrent use.
func VerifyQuote(q tdx.Quote, opts Options) (*QuoteChain, error) {
	if q.Raw() == nil {
		return nil, fmt.Errorf("%w: not a parsed quote (zero tdx.Quote)", ErrCertificate)
	}
	if v := q.Header().QEVendorID(); !bytes.Equal(v, tdx.IntelQEVendorID[:]) {
		return nil, fmt.Errorf("%w: header QE vendor ID %x, want Intel's %x", ErrQEVendorID, v, tdx.IntelQEVendorID)
	}
	t := opts.now()
	opts.Time = t // one time for the chain and the proof cache
	chain, err := VerifyPCKChain(q.PCKChain(), opts)
	if err != nil {
		return nil, err
	}
	ak, auth := q.AttestationKey(), q.QEAuthData()
	report, reportSig := q.QEReport().Raw(), q.QEReportSignature()
	pk := proofKey(chain.PCK.RawSubjectPublicKeyInfo, report, reportSig, ak, auth)
	key, ok := proofs.get(pk, t)
	if !ok {
		if key, err = proveQE(q, chain); err != nil {
			return nil, err
		}
	}
	if !verifyRaw(key, q.SignedData(), q.Signature()) {
		return nil, fmt.Errorf("%w: v%d quote (%d signed bytes) by attestation key %x", ErrQuoteSignature, q.Version(), len(q.SignedData()), ak)
	}
	if !ok { // remembered only once the whole quote verified: junk cannot evict genuine proofs
		proofs.put(pk, proof{ak: key, notAfter: chain.NotAfter()})
	}
	return chain, nil
}

// proveQE proves steps 2–4 of [VerifyQuote] up to the quote's own signature:
// the PCK signed the QE report, whose REPORT_DATA binds the attestation key
// and QE authentication data, and the attestation key is a valid P-256 point.
// It returns the attestation key.
func proveQE(q tdx.Quote, chain *QuoteChain) (*p256.Key, error) {
	if !verifyRaw(chain.pckKey, q.QEReport().Raw(), q.QEReportSignature()) { // VerifyPCKChain made the chain
		return nil, fmt.Errorf("%w: QE report by PCK serial %x", ErrQEReportSignature, chain.PCK.SerialNumber)
	}
	ak, auth := q.AttestationKey(), q.QEAuthData()
	h := sha256.New()
	h.Write(ak)
	h.Write(auth)
	var want [32]byte
	h.Sum(want[:0])
	rd := q.QEReport().ReportData()
	if len(rd) != 64 || !bytes.Equal(rd[:32], want[:]) {
		return nil, fmt.Errorf("%w: REPORT_DATA[0:32] %x, want SHA-256(attestation key ‖ %d bytes of QE auth data) %x", ErrQEReportData, rd[:min(32, len(rd))], len(auth), want)
	}
	if !allZero(rd[32:]) {
		return nil, fmt.Errorf("%w: REPORT_DATA[32:64] %x, want zero", ErrQEReportData, rd[32:])
	}
	return attestationKey(ak)
}

// attestationKey parses a raw P-256 public key, x ‖ y (64 bytes), checking
// that the point is on the curve.
func attestationKey(xy []byte) (*p256.Key, error) {
	if len(xy) != 64 {
		return nil, fmt.Errorf("%w: %d bytes (want 64, x ‖ y)", ErrAttestationKey, len(xy))
	}
	var u [65]byte
	u[0] = 4 // SEC 1 uncompressed point
	copy(u[1:], xy)
	k, err := p256.NewKey(u[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %x: %v", ErrAttestationKey, xy, err)
	}
	return k, nil
}

// verifyRaw reports whether rs, a raw ECDSA signature r ‖ s (32 bytes each),
// is a valid signature by k over SHA-256(msg): the QE report's and the
// quote's, by keys that recur with their platform (package p256 speeds
// those up).
func verifyRaw(k *p256.Key, msg, rs []byte) bool {
	if len(rs) != 64 {
		return false
	}
	digest := sha256.Sum256(msg)
	return k.Verify(digest[:], rs[:32], rs[32:])
}

// verifyP256 reports whether rs, a raw ECDSA signature r ‖ s (32 bytes each,
// big-endian, as Intel's quote format and PCS JSON collateral carry them), is
// a valid signature by pub over SHA-256(msg). Shared by the package's
// collateral verifiers (TCB Info, QE Identity, CRLs).
func verifyP256(pub *ecdsa.PublicKey, msg, rs []byte) bool {
	if len(rs) != 64 {
		return false
	}
	digest := sha256.Sum256(msg)
	return ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(rs[:32]), new(big.Int).SetBytes(rs[32:]))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
