// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	certsazure "github.com/ccverify/ccverify/certs/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/se"
)

// Formats of evidence that arrives in a container around a hardware report.
const (
	// FormatAzSNPvTPM is an Azure SEV-SNP confidential VM: an HCL report
	// holding the SNP report, a vTPM quote by the attestation key the HCL
	// report's runtime data names, and the VCEK (Trustee's az-snp-vtpm).
	FormatAzSNPvTPM Format = "az-snp-vtpm"
	// FormatAzTDXvTPM is an Azure TDX confidential VM: an HCL report, its TD
	// quote and a vTPM quote (Trustee's az-tdx-vtpm).
	FormatAzTDXvTPM Format = "az-tdx-vtpm"
)

// unwrap tries the evidence containers (Trustee's evidence JSON,
// configfs-tsm bundles, CMW, hex and base64 text of them) on input that is
// no bare quote or report, and appraises what they carry. notEvidence is
// the error for input that is no container either.
func (v *Verifier) unwrap(ctx context.Context, r *Result, raw []byte, notEvidence error) error {
	if se.IsExchange(raw) { // IBM Secure Execution: pvattest's exchange format
		a, err := se.ParseExchange(raw)
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrEvidence, err)
			r.fail(err)
			return err
		}
		return v.appraiseSE(ctx, r, a)
	}
	evs, err := container.Unwrap(raw, &container.Options{MaxSize: v.opts.maxEvidence()})
	switch {
	case errors.Is(err, container.ErrUnrecognized):
		r.fail(notEvidence)
		return notEvidence
	case err != nil:
		err = fmt.Errorf("%w: %w", ErrEvidence, err)
		r.fail(err)
		return err
	}
	return v.appraiseUnwrapped(ctx, r, evs)
}

// appraiseUnwrapped appraises the one piece of evidence a container held.
func (v *Verifier) appraiseUnwrapped(ctx context.Context, r *Result, evs []container.Evidence) error {
	if len(evs) != 1 {
		err := fmt.Errorf("%w: the container holds %d pieces of evidence: verify each on its own", ErrEvidence, len(evs))
		r.fail(err)
		return err
	}
	ev := &evs[0]
	r.Claims["evidence_container"] = ev.Origin
	r.reason("evidence unwrapped from %s", ev.Origin)
	switch ev.TEE {
	case container.TDX:
		r.Format = FormatTDX
		return v.appraiseTDX(ctx, r, ev.Data(container.KindTDXQuote), ev.All(container.KindCCEL)...)
	case container.SNP:
		r.Format = FormatSNP
		return v.appraiseSNP(ctx, r, ev.Data(container.KindSNPReport), collateralPieces(ev)...)
	case container.AzSNPvTPM, container.AzTDXvTPM:
		return v.appraiseAzure(ctx, r, ev)
	case container.SE:
		return v.appraiseSEContainer(ctx, r, ev)
	}
	err := fmt.Errorf("%w: %s evidence (%s) is not supported yet", ErrFormat, ev.TEE, ev.Origin)
	r.fail(err)
	return err
}

// collateralPieces are the pieces of ev that are collateral carried with
// the evidence.
func collateralPieces(ev *container.Evidence) []container.Piece {
	var out []container.Piece
	for _, p := range ev.Pieces {
		switch p.Kind {
		case container.KindVCEK, container.KindVLEK, container.KindASK, container.KindARK, container.KindCRL, container.KindCertTable:
			out = append(out, p)
		}
	}
	return out
}

// appraiseAzure verifies an Azure confidential VM's evidence: the vTPM
// binding (certs/azure: REPORT_DATA binds the runtime data, the AK it names
// signed the TPM quote, the PCRs hash to its digest, extraData is the
// expected nonce), then the hardware report exactly as certs/azure returns
// it, on the SNP or TDX path, with the VCEK the container carried as
// collateral from the evidence. Claims: the SNP or TDX ones, then Trustee's
// vTPM claims (tpm.pcrNN, and its report_data and init_data) over them.
func (v *Verifier) appraiseAzure(ctx context.Context, r *Result, ev *container.Evidence) error {
	r.Format = Format(ev.TEE)
	in := certsazure.Evidence{
		HCLReport:    ev.Data(container.KindHCLReport),
		TPMMessage:   ev.Data(container.KindTPMQuote),
		TPMSignature: ev.Data(container.KindTPMSignature),
		PCRs:         ev.Values(container.KindPCR),
		TDQuote:      ev.Data(container.KindTDXQuote),
	}
	var aopts certsazure.Options
	if b := &v.opts.Binding; !b.IsZero() {
		n, err := b.raw()
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrFreshness, err)
			r.fail(err)
			return err
		}
		aopts.Nonce = n
		if ev.Version >= 2 {
			aopts.UserData = n // version 2 also carries it in the HCL user data
		}
		r.bindingChecked = true
	}
	res, err := certsazure.Verify(in, &aopts)
	if err != nil {
		if errors.Is(err, certsazure.ErrNonce) || errors.Is(err, certsazure.ErrUserData) {
			err = fmt.Errorf("%w: %w", ErrFreshness, err)
		} else {
			err = fmt.Errorf("%w: %w", ErrGenuine, err)
		}
		r.fail(err)
		return err
	}
	r.reason("vTPM: the quote is signed (%s) by the attestation key the HCL report's runtime data names, its PCR digest matches %d PCR values, and REPORT_DATA binds the runtime data", res.Scheme, len(res.PCRs))
	if res.NonceChecked {
		r.reason("vTPM: the quote's extraData is the expected nonce")
	}
	switch {
	case res.SNPReport.Raw() != nil:
		err = v.appraiseSNP(ctx, r, res.HardwareReport, collateralPieces(ev)...)
	default:
		err = v.appraiseTDX(ctx, r, res.HardwareReport)
	}
	for k, c := range res.Claims() {
		r.Claims[k] = c
	}
	if err == nil {
		err = v.appraiseTPMLog(r, res.PCRs) // eventlog.go
	}
	return err
}

// refValueTEE is the TEE whose reference values judge a format: an Azure
// CVM's software is its SNP guest's or TD's.
func refValueTEE(f Format) string {
	switch f {
	case FormatAzSNPvTPM:
		return string(FormatSNP)
	case FormatAzTDXvTPM:
		return string(FormatTDX)
	}
	return string(f)
}

// EvidenceDir verifies the report of a Linux configfs-tsm report directory
// (laid out like /sys/kernel/config/tsm/report/X: outblob, auxblob,
// provider, generation), as Evidence verifies bytes. Its evidence_sha256 is
// the outblob's.
func (v *Verifier) EvidenceDir(ctx context.Context, dir string) (*Result, error) {
	opts := &v.opts
	r := v.newResult()
	evs, err := container.UnwrapDir(dir, &container.Options{MaxSize: opts.maxEvidence()})
	if err != nil {
		if errors.Is(err, container.ErrUnrecognized) {
			err = fmt.Errorf("%w: %s: not a configfs-tsm report directory: %w", ErrFormat, dir, err)
		} else {
			err = fmt.Errorf("%w: %s: %w", ErrEvidence, dir, err)
		}
		r.fail(err)
		return r, r.finish(err)
	}
	if len(evs) == 1 {
		if p, ok := evs[0].First(container.KindSNPReport); ok {
			r.Claims["evidence_sha256"] = sha256Hex(p.Data)
		} else if p, ok := evs[0].First(container.KindTDXQuote); ok {
			r.Claims["evidence_sha256"] = sha256Hex(p.Data)
		}
	}
	err = v.appraiseUnwrapped(ctx, r, evs)
	return v.conclude(ctx, r, err)
}

// IsTSMReportDir reports whether dir looks like a configfs-tsm report
// directory: it holds an outblob and a provider file.
func IsTSMReportDir(dir string) bool {
	for _, name := range []string{"outblob", "provider"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
