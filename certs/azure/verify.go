// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/google/go-tpm/tpm2"
)

var (
	// ErrEvidence reports Azure evidence that cannot be read: an HCL report,
	// runtime data, TPM quote or hardware report that does not parse, or a
	// TDX HCL report without its TD quote. It wraps the parser's error.
	ErrEvidence = errors.New("azure: evidence unreadable")
	// ErrHashType reports an HCL report whose runtime data hash is not
	// SHA-256, the only one the paravisor uses and Trustee accepts.
	ErrHashType = errors.New("azure: unsupported runtime data hash type")
	// ErrBinding reports a hardware report whose REPORT_DATA[0:32] is not the
	// SHA-256 of the runtime data: the vTPM keys are not the hardware's.
	ErrBinding = errors.New("azure: hardware report does not bind the runtime data")
	// ErrVMPL reports an SNP report requested from a VMPL other than 0: not
	// the paravisor's, so its REPORT_DATA proves nothing about the vTPM.
	ErrVMPL = errors.New("azure: SNP report not requested at VMPL 0")
	// ErrAK reports runtime data with no usable attestation key (HCLAkPub):
	// missing, not RSA, out of bounds, or naming an unknown algorithm.
	ErrAK = errors.New("azure: no usable attestation key in the runtime data")
	// ErrAKSignature reports a TPM quote whose signature does not verify with
	// the attestation key the runtime data names.
	ErrAKSignature = errors.New("azure: TPM quote signature does not verify with the AK")
	// ErrQuoteAltered, always with [ErrAKSignature], reports a signature the
	// AK did make, but over other bytes than the quote given: the quote was
	// altered after signing. Without it, the signature is not the AK's (a
	// different key signed, or the signature itself is damaged).
	ErrQuoteAltered = errors.New("azure: TPM quote altered after the AK signed it")
	// ErrMagic reports a TPMS_ATTEST whose magic is not TPM_GENERATED_VALUE.
	ErrMagic = errors.New("azure: TPM attestation is not TPM-generated")
	// ErrAttestType reports a TPMS_ATTEST whose type is not
	// TPM_ST_ATTEST_QUOTE.
	ErrAttestType = errors.New("azure: TPM attestation is not a quote")
	// ErrPCRSelection reports PCR values that do not match the quote's
	// selection (another count, or a value of the wrong size).
	ErrPCRSelection = errors.New("azure: PCR values do not match the quote's selection")
	// ErrPCRDigest reports PCR values that do not hash to the quote's
	// pcrDigest.
	ErrPCRDigest = errors.New("azure: PCR values do not hash to the quote's digest")
	// ErrNonce reports a quote whose extraData is not the expected nonce.
	ErrNonce = errors.New("azure: TPM quote nonce is not the expected one")
	// ErrUserData reports runtime data whose user data does not start with
	// the expected bytes.
	ErrUserData = errors.New("azure: HCL user data is not the expected one")
	// ErrInitData reports a PCR 8 that is not the one extend of the expected
	// init data digest (or a quote without PCR 8 of the SHA-256 bank).
	ErrInitData = errors.New("azure: PCR 8 does not hold the expected init data")
)

// Evidence is an Azure vTPM attestation as Trustee's az-snp-vtpm and
// az-tdx-vtpm evidence carry it (evidence/container unwraps it).
type Evidence struct {
	HCLReport    []byte   // the HCL report (hcl_report; report in version 0)
	TPMMessage   []byte   // the TPMS_ATTEST the AK signed (tpm_quote.message)
	TPMSignature []byte   // its signature (tpm_quote.signature)
	PCRs         [][]byte // the PCR values in selection order (tpm_quote.pcrs)
	// TDQuote is the TDX quote of an HCL report of type TDX (td_quote): the
	// hardware-signed form of the HCL report's TD report, whose REPORT_DATA
	// binds the runtime data. Ignored for SNP.
	TDQuote []byte
}

// Options are the expectations a verification checks besides the binding.
// The zero value checks the binding, the AK signature and the PCR digest.
type Options struct {
	// Nonce, when not nil, is the value the quote's extraData must equal,
	// byte for byte (Trustee: the expected report data).
	Nonce []byte
	// UserData, when not nil, is the prefix the runtime data's user data must
	// start with (Trustee checks it, with the expected report data, for
	// evidence of version 2 and later, whose user data carries it).
	UserData []byte
	// InitDataHash, when not nil, is the 32-byte init data digest PCR 8 of
	// the SHA-256 bank must hold as its one extend from zero:
	// SHA-256(32 zero bytes ‖ InitDataHash), as Trustee's attesters extend it
	// and its verifiers check it (verify_init_data, INITDATA_PCR).
	InitDataHash []byte
}

// Result is what a verification proved, for the caller to go on with. The
// hardware report is NOT verified here: the caller must verify exactly
// HardwareReport (with certs/amd for SNP, certs/intel for TDX) before
// trusting anything in the Result.
type Result struct {
	HCL         evazure.HCLReport   // the HCL report
	ReportType  evazure.ReportType  // SNP or TDX
	RuntimeData evazure.RuntimeData // the runtime data, bound by the hardware report
	AK          *rsa.PublicKey      // the attestation key the runtime data names
	AKJWK       evazure.JWK         // the AK as the runtime data carries it
	Quote       evazure.Quote       // the quote the AK signed
	PCRs        []evazure.PCR       // the PCR values with their bank and index
	// SNPReport is the SNP report inside the HCL report (ReportTypeSNP).
	SNPReport snp.Report
	// TDQuote is the TD quote given with a TDX HCL report (ReportTypeTDX).
	TDQuote tdx.Quote
	// HardwareReport is the bytes whose REPORT_DATA binds the runtime data:
	// the SNP report inside the HCL report, or the TD quote as given.
	HardwareReport []byte
	// Scheme names how the quote's signature verified, e.g.
	// "RSASSA-PKCS1-v1_5/SHA-256".
	Scheme string
	// NonceChecked, UserDataChecked and InitDataChecked say whether Options
	// asked for these (and so they hold).
	NonceChecked, UserDataChecked, InitDataChecked bool
}

// Verify proves the binding of an Azure vTPM to its hardware report, in this
// order, each failure its own error:
//
//  1. the HCL report and the hardware report parse ([ErrEvidence]); the
//     runtime data hash is SHA-256 ([ErrHashType]);
//  2. for SNP the report was requested at VMPL 0 ([ErrVMPL]), as the
//     paravisor does;
//  3. REPORT_DATA[0:32] of the hardware report (the SNP report in the HCL
//     report, or the TD quote) is SHA-256 of the runtime data exactly as
//     carried ([ErrBinding]); REPORT_DATA[32:64] is not bound to anything
//     and not checked, as Trustee and the Azure tooling do;
//  4. the runtime data (now known to be bound) parses ([ErrEvidence]), names
//     an RSA attestation key HCLAkPub ([ErrAK]), and it signed the TPMS_ATTEST ([ErrAKSignature], with [ErrQuoteAltered]
//     when it signed other bytes);
//  5. the TPMS_ATTEST is TPM-generated ([ErrMagic]) and a quote
//     ([ErrAttestType]);
//  6. the PCR values pair with the quote's selection ([ErrPCRSelection]) and
//     their concatenation, in selection order, hashes under the signature's
//     hash to the quote's pcrDigest ([ErrPCRDigest]);
//  7. extraData is Options.Nonce, when given ([ErrNonce]);
//  8. the user data starts with Options.UserData, when given
//     ([ErrUserData]);
//  9. PCR 8 is SHA-256(0³² ‖ Options.InitDataHash), when given
//     ([ErrInitData]).
//
// The hardware report itself is not verified; see [Result].
func Verify(e Evidence, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	hcl, err := evazure.ParseHCLReport(e.HCLReport)
	if err != nil {
		return nil, fmt.Errorf("%w: HCL report: %w", ErrEvidence, err)
	}
	r := &Result{HCL: hcl, ReportType: hcl.ReportType()}
	if ht := hcl.HashType(); ht != evazure.HashSHA256 {
		return nil, fmt.Errorf("%w: %v", ErrHashType, ht)
	}

	// 2, 3: the hardware report binds the runtime data.
	var reportData []byte
	switch r.ReportType {
	case evazure.ReportTypeSNP:
		rep, err := snp.Parse(hcl.HardwareReport())
		if err != nil {
			return nil, fmt.Errorf("%w: SNP report in the HCL report: %w", ErrEvidence, err)
		}
		if v := rep.VMPL(); v != 0 {
			return nil, fmt.Errorf("%w: VMPL %d", ErrVMPL, v)
		}
		r.SNPReport, r.HardwareReport, reportData = rep, rep.Raw(), rep.ReportData()
	case evazure.ReportTypeTDX:
		if len(e.TDQuote) == 0 {
			return nil, fmt.Errorf("%w: a TDX HCL report needs its TD quote", ErrEvidence)
		}
		q, _, err := tdx.ParsePrefix(e.TDQuote)
		if err != nil {
			return nil, fmt.Errorf("%w: TD quote: %w", ErrEvidence, err)
		}
		r.TDQuote, r.HardwareReport, reportData = q, e.TDQuote, q.Body().ReportData()
	}
	sum := sha256.Sum256(hcl.RuntimeData())
	if len(reportData) < len(sum) || !bytes.Equal(reportData[:len(sum)], sum[:]) {
		return nil, fmt.Errorf("%w: %v REPORT_DATA[0:32] %x, SHA-256 of the %d-byte runtime data %x", ErrBinding, r.ReportType, prefix(reportData, 32), len(hcl.RuntimeData()), sum)
	}
	// Only bound bytes are read from here on.
	if r.RuntimeData, err = evazure.ParseRuntimeData(hcl.RuntimeData()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvidence, err)
	}

	// 4: the AK signed the quote.
	q, err := evazure.ParseQuote(e.TPMMessage, e.TPMSignature, e.PCRs)
	if err != nil {
		return nil, fmt.Errorf("%w: TPM quote: %w", ErrEvidence, err)
	}
	r.Quote = q
	ak, jwk, err := r.RuntimeData.AK()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAK, err)
	}
	r.AK, r.AKJWK = ak, jwk
	s, err := schemeOf(q.Signature, jwk)
	if err != nil {
		return nil, err
	}
	if err := verifyRSA(ak, s, q.Attest.Raw(), q.Signature.Sig); err != nil {
		return nil, err
	}
	r.Scheme = s.String()

	// 5: a TPM-generated quote.
	if m := q.Attest.Magic(); m != uint32(tpm2.TPMGeneratedValue) {
		return nil, fmt.Errorf("%w: magic %#08x, want %#08x", ErrMagic, m, uint32(tpm2.TPMGeneratedValue))
	}
	if t := q.Attest.Type(); t != tpm2.TPMSTAttestQuote {
		return nil, fmt.Errorf("%w: type %#04x, want %#04x", ErrAttestType, uint16(t), uint16(tpm2.TPMSTAttestQuote))
	}

	// 6: the PCR values are the quoted ones.
	pcrs, err := q.PCRs()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPCRSelection, err)
	}
	if err := checkPCRDigest(q, pcrs, s.hash); err != nil {
		return nil, err
	}
	r.PCRs = pcrs

	// 7, 8: the caller's expectations.
	if opts.Nonce != nil {
		if got := q.Attest.ExtraData(); !bytes.Equal(got, opts.Nonce) {
			return nil, fmt.Errorf("%w: extraData %x, want %x", ErrNonce, got, opts.Nonce)
		}
		r.NonceChecked = true
	}
	if opts.UserData != nil {
		u, ok := r.RuntimeData.UserData()
		if !ok || len(u) < len(opts.UserData) || !bytes.Equal(u[:len(opts.UserData)], opts.UserData) {
			return nil, fmt.Errorf("%w: user-data %x, want it to start with %x", ErrUserData, u, opts.UserData)
		}
		r.UserDataChecked = true
	}
	if opts.InitDataHash != nil {
		if err := checkInitData(pcrs, opts.InitDataHash); err != nil {
			return nil, err
		}
		r.InitDataChecked = true
	}
	return r, nil
}

// checkInitData checks PCR 8 of the SHA-256 bank against one extend of the
// init data digest from zero.
func checkInitData(pcrs []evazure.PCR, digest []byte) error {
	if len(digest) != sha256.Size {
		return fmt.Errorf("%w: the expected init data digest has %d bytes, want %d", ErrInitData, len(digest), sha256.Size)
	}
	want := sha256.Sum256(append(make([]byte, sha256.Size), digest...))
	for _, p := range pcrs {
		if p.Hash == tpm2.TPMAlgSHA256 && p.Index == evazure.InitDataPCR {
			if !bytes.Equal(p.Value, want[:]) {
				return fmt.Errorf("%w: PCR 8 is %x, SHA-256(0^32 || %x) is %x", ErrInitData, p.Value, digest, want)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: the quote has no PCR 8 of the SHA-256 bank", ErrInitData)
}

// checkPCRDigest checks that the PCR values, concatenated in selection order,
// hash to the quote's pcrDigest under the signing scheme's hash (TPM 2.0 Part
// 3, TPM2_Quote: the digest uses the hash of the signing scheme).
func checkPCRDigest(q evazure.Quote, pcrs []evazure.PCR, h crypto.Hash) error {
	d := h.New()
	for _, p := range pcrs {
		d.Write(p.Value)
	}
	got := d.Sum(nil)
	if want := q.Attest.PCRDigest(); !bytes.Equal(got, want) {
		return fmt.Errorf("%w: %v of %d PCR values is %x, the quote's pcrDigest %x", ErrPCRDigest, h, len(pcrs), got, want)
	}
	return nil
}

// Claims returns the vTPM's claims with Trustee's names ([evazure.Claims]):
// "tpm" (the PCRs, "pcr00" …), "init_data" (PCR 8), "report_data" (the
// quote's nonce), and ours "hcl_user_data", "hcl_vm_configuration". They
// come from what Verify proved; they mean something only once the hardware
// report is verified too.
func (r *Result) Claims() map[string]any {
	if r == nil {
		return nil
	}
	return evazure.Claims(r.Quote, r.RuntimeData)
}

func prefix(b []byte, n int) string {
	if len(b) < n {
		n = len(b)
	}
	return hex.EncodeToString(b[:n])
}
