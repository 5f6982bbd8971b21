// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"encoding/binary"
	"fmt"

	"github.com/google/go-tpm/tpm2"
	"golang.org/x/crypto/cryptobyte"
)

// Bounds of the TPM structures parsed here.
const (
	// MaxPCRSelections bounds the PCR banks a quote may select (the TPM's
	// HASH_COUNT is at most 5 in practice; the list's count is a uint32).
	MaxPCRSelections = 16
	// MaxPCRSelectSize bounds a selection's bitmap (PCR_SELECT_MAX is 3 for
	// a TPM with 24 PCRs).
	MaxPCRSelectSize = 32
)

// Attest is a view of a TPMS_ATTEST over the caller's bytes: what a TPM
// signs in a quote. Magic and type are parsed, not judged; certs/azure
// requires TPM_GENERATED_VALUE and TPM_ST_ATTEST_QUOTE.
type Attest struct {
	raw             []byte
	magic           uint32
	typ             tpm2.TPMST
	qualifiedSigner []byte
	extraData       []byte
	clock           ClockInfo
	firmware        uint64
	attested        []byte
	quote           bool
	selections      []PCRSelection
	pcrDigest       []byte
}

// ClockInfo is a TPMS_CLOCK_INFO.
type ClockInfo struct {
	Clock        uint64 // milliseconds the TPM has been powered
	ResetCount   uint32 // TPM Resets since the last TPM2_Clear
	RestartCount uint32 // TPM2_Shutdown or _TPM_Hash_Start since the last reset
	Safe         bool   // no Clock value greater than this one was reported
}

// PCRSelection is a TPMS_PCR_SELECTION: a PCR bank and the bitmap of the PCRs
// selected in it (bit i of byte i/8 selects PCR i).
type PCRSelection struct {
	Hash   tpm2.TPMIAlgHash // the bank
	Select []byte           // the bitmap
}

// PCRRef names one selected PCR: its bank and its index.
type PCRRef struct {
	Hash  tpm2.TPMIAlgHash // the bank
	Index int              // the PCR number
}

// ParseAttest parses a TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12, big-endian):
//
//	magic            UINT32 (TPM_GENERATED_VALUE 0xff544347)
//	type             TPMI_ST_ATTEST (TPM_ST_ATTEST_QUOTE 0x8018, …)
//	qualifiedSigner  TPM2B_NAME
//	extraData        TPM2B_DATA (the nonce)
//	clockInfo        TPMS_CLOCK_INFO (UINT64, UINT32, UINT32, TPMI_YES_NO)
//	firmwareVersion  UINT64
//	attested         TPMU_ATTEST: for a quote, TPMS_QUOTE_INFO =
//	                   TPML_PCR_SELECTION (UINT32 count, then count × {TPMI_ALG_HASH, UINT8 size, size bytes})
//	                   TPM2B_DIGEST pcrDigest
//
// A quote must end where its TPMS_QUOTE_INFO ends ([ErrTrailingData]); for
// other types the attested bytes are kept unparsed. The Attest refers to b.
func ParseAttest(b []byte) (Attest, error) {
	a := Attest{raw: b}
	s := cryptobyte.String(b)
	var typ uint16
	if !s.ReadUint32(&a.magic) || !s.ReadUint16(&typ) {
		return Attest{}, fmt.Errorf("%w: TPMS_ATTEST header needs 6 bytes, have %d", ErrTruncated, len(b))
	}
	a.typ = tpm2.TPMST(typ)
	var signer, extra cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&signer) {
		return Attest{}, fmt.Errorf("%w: TPMS_ATTEST qualifiedSigner", ErrTruncated)
	}
	if !s.ReadUint16LengthPrefixed(&extra) {
		return Attest{}, fmt.Errorf("%w: TPMS_ATTEST extraData", ErrTruncated)
	}
	a.qualifiedSigner, a.extraData = signer, extra
	var safe uint8
	if !s.ReadUint64(&a.clock.Clock) || !s.ReadUint32(&a.clock.ResetCount) || !s.ReadUint32(&a.clock.RestartCount) || !s.ReadUint8(&safe) {
		return Attest{}, fmt.Errorf("%w: TPMS_ATTEST clockInfo", ErrTruncated)
	}
	if safe > 1 {
		return Attest{}, fmt.Errorf("%w: TPMS_CLOCK_INFO safe is %d (want 0 or 1)", ErrTPM, safe)
	}
	a.clock.Safe = safe == 1
	if !s.ReadUint64(&a.firmware) {
		return Attest{}, fmt.Errorf("%w: TPMS_ATTEST firmwareVersion", ErrTruncated)
	}
	a.attested = s
	if a.typ != tpm2.TPMSTAttestQuote {
		return a, nil
	}
	a.quote = true
	var count uint32
	if !s.ReadUint32(&count) {
		return Attest{}, fmt.Errorf("%w: TPML_PCR_SELECTION count", ErrTruncated)
	}
	if count > MaxPCRSelections {
		return Attest{}, fmt.Errorf("%w: TPML_PCR_SELECTION count %d exceeds %d", ErrTPM, count, MaxPCRSelections)
	}
	a.selections = make([]PCRSelection, 0, count)
	for i := uint32(0); i < count; i++ {
		var alg uint16
		var sel cryptobyte.String
		if !s.ReadUint16(&alg) || !s.ReadUint8LengthPrefixed(&sel) {
			return Attest{}, fmt.Errorf("%w: TPMS_PCR_SELECTION %d", ErrTruncated, i)
		}
		if len(sel) > MaxPCRSelectSize {
			return Attest{}, fmt.Errorf("%w: TPMS_PCR_SELECTION %d has a %d-byte bitmap (at most %d)", ErrTPM, i, len(sel), MaxPCRSelectSize)
		}
		a.selections = append(a.selections, PCRSelection{Hash: tpm2.TPMIAlgHash(alg), Select: sel})
	}
	var digest cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&digest) {
		return Attest{}, fmt.Errorf("%w: TPMS_QUOTE_INFO pcrDigest", ErrTruncated)
	}
	a.pcrDigest = digest
	if !s.Empty() {
		return Attest{}, fmt.Errorf("%w: %d bytes after TPMS_QUOTE_INFO", ErrTrailingData, len(s))
	}
	return a, nil
}

// Raw returns the TPMS_ATTEST's bytes: what the signature covers.
func (a Attest) Raw() []byte { return a.raw }

// Magic returns the magic field (TPM_GENERATED_VALUE, 0xff544347, when a TPM
// produced the structure).
func (a Attest) Magic() uint32 { return a.magic }

// Type returns the attestation type (TPM_ST_ATTEST_QUOTE for a quote).
func (a Attest) Type() tpm2.TPMST { return a.typ }

// QualifiedSigner returns the qualified name of the signing key.
func (a Attest) QualifiedSigner() []byte { return a.qualifiedSigner }

// ExtraData returns the extraData field: the nonce the quote was asked for.
func (a Attest) ExtraData() []byte { return a.extraData }

// Clock returns the clock information.
func (a Attest) Clock() ClockInfo { return a.clock }

// FirmwareVersion returns the TPM's vendor-specific firmware version.
func (a Attest) FirmwareVersion() uint64 { return a.firmware }

// Attested returns the TPMU_ATTEST bytes.
func (a Attest) Attested() []byte { return a.attested }

// IsQuote reports whether the type is TPM_ST_ATTEST_QUOTE (and the quote
// information was parsed).
func (a Attest) IsQuote() bool { return a.quote }

// PCRSelections returns a quote's PCR selection, in order (nil for other
// types).
func (a Attest) PCRSelections() []PCRSelection { return a.selections }

// PCRDigest returns a quote's pcrDigest: the hash of the selected PCRs'
// values, concatenated in selection order.
func (a Attest) PCRDigest() []byte { return a.pcrDigest }

// SelectedPCRs returns the PCRs a quote selects in the order their values
// are hashed: selections in list order, and in each the PCRs by ascending
// index (TPM 2.0 Part 1 §17.5.4).
func (a Attest) SelectedPCRs() []PCRRef {
	var out []PCRRef
	for _, s := range a.selections {
		for i := 0; i < 8*len(s.Select); i++ {
			if s.Select[i/8]&(1<<(i%8)) != 0 {
				out = append(out, PCRRef{Hash: s.Hash, Index: i})
			}
		}
	}
	return out
}

// Signature is a quote's signature: either a TPMT_SIGNATURE of an RSA scheme
// (Scheme and Hash from it), or bare signature bytes as the Azure vTPM
// tooling and Trustee carry them (Scheme and Hash are TPM_ALG_NULL; the
// verifier takes the scheme from the key).
type Signature struct {
	Scheme tpm2.TPMAlgID    // TPMAlgRSASSA, TPMAlgRSAPSS, or TPMAlgNull for bare bytes
	Hash   tpm2.TPMIAlgHash // the scheme's hash, or TPMAlgNull for bare bytes
	Sig    []byte           // the signature value
	Raw    []byte           // the bytes given
}

// ParseSignature parses a quote's signature. Bytes that frame as a
// TPMT_SIGNATURE of scheme RSASSA or RSAPSS (sigAlg, hash, then a TPM2B whose
// size is the rest of the input) are decoded as one, with go-tpm; anything
// else is taken as a bare signature value.
func ParseSignature(b []byte) (Signature, error) {
	if len(b) >= 6 {
		alg := tpm2.TPMAlgID(binary.BigEndian.Uint16(b[0:]))
		hash := tpm2.TPMIAlgHash(binary.BigEndian.Uint16(b[2:]))
		size := int(binary.BigEndian.Uint16(b[4:]))
		if (alg == tpm2.TPMAlgRSASSA || alg == tpm2.TPMAlgRSAPSS) && size == len(b)-6 {
			if _, err := hash.Hash(); err == nil {
				return parseTPMTSignature(b)
			}
		}
	}
	if len(b) == 0 {
		return Signature{}, fmt.Errorf("%w: empty signature", ErrTPM)
	}
	return Signature{Scheme: tpm2.TPMAlgNull, Hash: tpm2.TPMIAlgHash(tpm2.TPMAlgNull), Sig: b, Raw: b}, nil
}

func parseTPMTSignature(b []byte) (Signature, error) {
	t, err := tpm2.Unmarshal[tpm2.TPMTSignature](b)
	if err != nil {
		return Signature{}, fmt.Errorf("%w: TPMT_SIGNATURE: %v", ErrTPM, err)
	}
	var rs *tpm2.TPMSSignatureRSA
	switch t.SigAlg {
	case tpm2.TPMAlgRSASSA:
		rs, err = t.Signature.RSASSA()
	case tpm2.TPMAlgRSAPSS:
		rs, err = t.Signature.RSAPSS()
	default:
		err = fmt.Errorf("scheme %v", t.SigAlg)
	}
	if err != nil {
		return Signature{}, fmt.Errorf("%w: TPMT_SIGNATURE: %v", ErrTPM, err)
	}
	if 6+len(rs.Sig.Buffer) != len(b) {
		return Signature{}, fmt.Errorf("%w: TPMT_SIGNATURE holds %d bytes, have %d", ErrTrailingData, 6+len(rs.Sig.Buffer), len(b))
	}
	return Signature{Scheme: t.SigAlg, Hash: rs.Hash, Sig: rs.Sig.Buffer, Raw: b}, nil
}

// Quote is a vTPM quote as the Azure tooling and Trustee carry it: the
// signed TPMS_ATTEST ("message"), its signature, and the PCR values the
// quote's digest covers, in selection order ("pcrs").
type Quote struct {
	Attest    Attest    // the TPMS_ATTEST ("message")
	Signature Signature // its signature ("signature")
	Values    [][]byte  // the PCR values, in selection order ("pcrs")
}

// PCR is one PCR value a quote covers.
type PCR struct {
	Hash  tpm2.TPMIAlgHash // the bank
	Index int              // the PCR number
	Value []byte           // its value, the bank's digest size
}

// ParseQuote parses a quote's message and signature and keeps the PCR values
// (pairing them with the selection is [Quote.PCRs]).
func ParseQuote(message, signature []byte, pcrs [][]byte) (Quote, error) {
	a, err := ParseAttest(message)
	if err != nil {
		return Quote{}, err
	}
	s, err := ParseSignature(signature)
	if err != nil {
		return Quote{}, err
	}
	return Quote{Attest: a, Signature: s, Values: pcrs}, nil
}

// PCRs pairs the PCR values with the PCRs the quote selects. It fails with
// [ErrPCRSelection] when the attestation is not a quote, when the counts
// differ, when a bank's hash is unknown, or when a value is not its bank's
// digest size.
func (q Quote) PCRs() ([]PCR, error) {
	if !q.Attest.IsQuote() {
		return nil, fmt.Errorf("%w: attestation type %#04x is not a quote", ErrPCRSelection, uint16(q.Attest.Type()))
	}
	refs := q.Attest.SelectedPCRs()
	if len(refs) != len(q.Values) {
		return nil, fmt.Errorf("%w: the quote selects %d PCRs, %d values given", ErrPCRSelection, len(refs), len(q.Values))
	}
	out := make([]PCR, len(refs))
	for i, r := range refs {
		h, err := r.Hash.Hash()
		if err != nil {
			return nil, fmt.Errorf("%w: PCR %d: bank %#04x: %v", ErrPCRSelection, r.Index, uint16(r.Hash), err)
		}
		if len(q.Values[i]) != h.Size() {
			return nil, fmt.Errorf("%w: PCR %d (%v bank): value %d holds %d bytes, want %d", ErrPCRSelection, r.Index, h, i, len(q.Values[i]), h.Size())
		}
		out[i] = PCR{Hash: r.Hash, Index: r.Index, Value: q.Values[i]}
	}
	return out, nil
}
