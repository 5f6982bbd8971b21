// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"

	_ "crypto/sha256" // SHA-256 for Binding.Hash
	_ "crypto/sha512" // SHA-384 and SHA-512 for Binding.Hash
)

// ErrFreshness reports evidence whose REPORT_DATA does not carry the nonce or
// data it must be bound to: a replayed or foreign quote or report.
var ErrFreshness = errors.New("verify: evidence not bound to this request")

// ReportDataSize is the size of REPORT_DATA in TDX quotes and SEV-SNP reports.
const ReportDataSize = 64

// Binding says what REPORT_DATA (64 bytes, in TDX quotes and SEV-SNP
// reports) must hold, so that evidence answers this request and no other.
// The zero Binding checks nothing.
//
//   - Nonce alone: REPORT_DATA is the nonce, zero padded to 64 bytes.
//   - Hash set: REPORT_DATA starts with Hash(Nonce ‖ RuntimeData), zero
//     padded: how Trustee binds its runtime data (a key, the nonce) into
//     TDX and SNP evidence, with SHA-256, SHA-384 or SHA-512.
//   - ReportData: REPORT_DATA is exactly these bytes, zero padded.
type Binding struct {
	// Nonce is the relying party's challenge, at most 64 bytes; it is
	// echoed as the EAR's eat_nonce.
	Nonce []byte
	// RuntimeData is hashed after the nonce when Hash is set.
	RuntimeData []byte
	// Hash is crypto.SHA256, crypto.SHA384 or crypto.SHA512, or zero.
	Hash crypto.Hash
	// ReportData is an exact expectation of REPORT_DATA; not with Nonce.
	ReportData []byte
}

// IsZero reports whether b checks nothing.
func (b *Binding) IsZero() bool {
	return len(b.Nonce) == 0 && len(b.RuntimeData) == 0 && b.Hash == 0 && len(b.ReportData) == 0
}

// Expected returns the REPORT_DATA that b requires (64 bytes), or an error
// for a Binding that cannot be satisfied as given.
func (b *Binding) Expected() ([]byte, error) {
	want := make([]byte, ReportDataSize)
	switch {
	case len(b.ReportData) > 0 && (len(b.Nonce) > 0 || len(b.RuntimeData) > 0 || b.Hash != 0):
		return nil, errors.New("verify: Binding.ReportData excludes Nonce, RuntimeData and Hash")
	case len(b.ReportData) > 0:
		if len(b.ReportData) > ReportDataSize {
			return nil, fmt.Errorf("verify: Binding.ReportData is %d bytes, REPORT_DATA %d", len(b.ReportData), ReportDataSize)
		}
		copy(want, b.ReportData)
	case b.Hash != 0:
		switch b.Hash {
		case crypto.SHA256, crypto.SHA384, crypto.SHA512:
		default:
			return nil, fmt.Errorf("verify: Binding.Hash %v: want SHA-256, SHA-384 or SHA-512", b.Hash)
		}
		h := b.Hash.New()
		h.Write(b.Nonce)
		h.Write(b.RuntimeData)
		copy(want, h.Sum(nil))
	case len(b.RuntimeData) > 0:
		return nil, errors.New("verify: Binding.RuntimeData needs a Hash")
	default:
		if len(b.Nonce) > ReportDataSize {
			return nil, fmt.Errorf("verify: Binding.Nonce is %d bytes, REPORT_DATA %d: bind a longer nonce with a Hash", len(b.Nonce), ReportDataSize)
		}
		copy(want, b.Nonce)
	}
	return want, nil
}

// raw is what b expects before zero padding: the nonce, the hash, or the
// exact report data. An Azure vTPM quote's extraData carries it unpadded.
func (b *Binding) raw() ([]byte, error) {
	want, err := b.Expected()
	if err != nil {
		return nil, err
	}
	switch {
	case len(b.ReportData) > 0:
		return want[:len(b.ReportData)], nil
	case b.Hash != 0:
		return want[:b.Hash.Size()], nil
	}
	return want[:len(b.Nonce)], nil
}

// checkBinding fails r when its REPORT_DATA is not what b requires.
func checkBinding(r *Result, b *Binding) error {
	if b.IsZero() || r.bindingChecked {
		return nil
	}
	want, err := b.Expected()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFreshness, err)
	}
	s, _ := r.Claims["report_data"].(string)
	got, err := hex.DecodeString(s)
	if err != nil || len(got) != ReportDataSize {
		return fmt.Errorf("%w: the evidence has no REPORT_DATA claim", ErrFreshness)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%w: REPORT_DATA %x, want %x (%s)", ErrFreshness, got, want, b.describe())
	}
	r.reason("REPORT_DATA binds the evidence to this request (%s)", b.describe())
	return nil
}

func (b *Binding) describe() string {
	switch {
	case len(b.ReportData) > 0:
		return "the expected report data"
	case b.Hash != 0:
		return fmt.Sprintf("%v of the nonce and %d bytes of runtime data", b.Hash, len(b.RuntimeData))
	}
	return "the nonce, zero padded"
}
