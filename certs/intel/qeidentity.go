// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// QEIdentity is a parsed Intel enclave identity (PCS v4
// `/tdx/certification/v4/qe/identity`), with the exact signed bytes of its
// `enclaveIdentity` object and its signature. Immutable after parsing and safe
// for concurrent use; its signature check is remembered per signing key.
type QEIdentity struct {
	ID                      string
	Version                 int
	IssueDate               time.Time
	NextUpdate              time.Time
	TCBEvaluationDataNumber int
	MiscSelect              uint32 // as the QE report holds it (little-endian in the report)
	MiscSelectMask          uint32
	Attributes              [16]byte
	AttributesMask          [16]byte
	MRSigner                [32]byte
	ISVProdID               uint16
	// TCBLevels in the QVL's order: descending ISVSVN, then descending tcbDate.
	TCBLevels []QETCBLevel

	raw       []byte
	signature [64]byte
	sigs      sigMemo
}

// QETCBLevel is a TCB level of the quoting enclave identity.
type QETCBLevel struct {
	ISVSVN      uint16
	TCBDate     time.Time
	Status      TCBStatus
	StatusName  string
	AdvisoryIDs []string
}

// Raw returns the exact bytes of the signed enclaveIdentity object.
func (qi *QEIdentity) Raw() []byte { return qi.raw }

// Signature returns the ECDSA P-256 signature (r ‖ s) over [QEIdentity.Raw].
func (qi *QEIdentity) Signature() []byte { return qi.signature[:] }

// Body returns the PCS v4 response body: {"enclaveIdentity":<raw>,"signature":"<hex>"}.
func (qi *QEIdentity) Body() []byte { return pcsBody("enclaveIdentity", qi.raw, qi.signature[:]) }

// ParseQEIdentity parses a PCS v4 enclave identity response body,
// {"enclaveIdentity":{…},"signature":"…"}. Errors wrap [ErrCollateralFormat].
func ParseQEIdentity(body []byte) (*QEIdentity, error) {
	raw, sig, err := splitSigned(body, "enclaveIdentity")
	if err != nil {
		return nil, err
	}
	return ParseQEIdentityObject(raw, sig)
}

// ParseQEIdentityObject parses the signed enclaveIdentity object text and its
// signature (hex of r ‖ s).
func ParseQEIdentityObject(raw []byte, signatureHex string) (*QEIdentity, error) {
	qi := &QEIdentity{raw: bytes.TrimSpace(raw)}
	if err := decodeSignature(&qi.signature, signatureHex, "enclaveIdentity"); err != nil {
		return nil, err
	}
	var j struct {
		ID                      *string             `json:"id"`
		Version                 *int                `json:"version"`
		IssueDate               *string             `json:"issueDate"`
		NextUpdate              *string             `json:"nextUpdate"`
		TCBEvaluationDataNumber *int                `json:"tcbEvaluationDataNumber"`
		MiscSelect              *string             `json:"miscselect"`
		MiscSelectMask          *string             `json:"miscselectMask"`
		Attributes              *string             `json:"attributes"`
		AttributesMask          *string             `json:"attributesMask"`
		MRSigner                *string             `json:"mrsigner"`
		ISVProdID               *uint16             `json:"isvprodid"`
		TCBLevels               []jsonIdentityLevel `json:"tcbLevels"`
	}
	if err := json.Unmarshal(qi.raw, &j); err != nil {
		return nil, fmt.Errorf("%w: enclaveIdentity: %v", ErrCollateralFormat, err)
	}
	const w = "enclaveIdentity"
	switch {
	case j.ID == nil:
		return nil, missingField(w, "id")
	case j.Version == nil:
		return nil, missingField(w, "version")
	case j.IssueDate == nil:
		return nil, missingField(w, "issueDate")
	case j.NextUpdate == nil:
		return nil, missingField(w, "nextUpdate")
	case j.TCBEvaluationDataNumber == nil:
		return nil, missingField(w, "tcbEvaluationDataNumber")
	case j.ISVProdID == nil:
		return nil, missingField(w, "isvprodid")
	case len(j.TCBLevels) == 0:
		return nil, missingField(w, "tcbLevels")
	}
	qi.ID, qi.Version, qi.TCBEvaluationDataNumber, qi.ISVProdID = *j.ID, *j.Version, *j.TCBEvaluationDataNumber, *j.ISVProdID
	var err error
	if qi.IssueDate, err = parseTime(w+".issueDate", *j.IssueDate); err != nil {
		return nil, err
	}
	if qi.NextUpdate, err = parseTime(w+".nextUpdate", *j.NextUpdate); err != nil {
		return nil, err
	}
	var b []byte
	// MISCSELECT is written as the bytes of the report field: little-endian.
	if b, err = hexField(j.MiscSelect, 4, w+".miscselect"); err != nil {
		return nil, err
	}
	qi.MiscSelect = binary.LittleEndian.Uint32(b)
	if b, err = hexField(j.MiscSelectMask, 4, w+".miscselectMask"); err != nil {
		return nil, err
	}
	qi.MiscSelectMask = binary.LittleEndian.Uint32(b)
	if b, err = hexField(j.Attributes, 16, w+".attributes"); err != nil {
		return nil, err
	}
	copy(qi.Attributes[:], b)
	if b, err = hexField(j.AttributesMask, 16, w+".attributesMask"); err != nil {
		return nil, err
	}
	copy(qi.AttributesMask[:], b)
	if b, err = hexField(j.MRSigner, 32, w+".mrsigner"); err != nil {
		return nil, err
	}
	copy(qi.MRSigner[:], b)
	for i, jl := range j.TCBLevels {
		lw := fmt.Sprintf("%s.tcbLevels[%d]", w, i)
		if jl.TCB.ISVSVN == nil {
			return nil, missingField(lw, "tcb.isvsvn")
		}
		l := QETCBLevel{ISVSVN: *jl.TCB.ISVSVN, AdvisoryIDs: jl.AdvisoryIDs}
		if l.TCBDate, l.Status, l.StatusName, err = jl.common(lw); err != nil {
			return nil, err
		}
		qi.TCBLevels = append(qi.TCBLevels, l)
	}
	sort.SliceStable(qi.TCBLevels, func(a, b int) bool {
		x, y := &qi.TCBLevels[a], &qi.TCBLevels[b]
		if x.ISVSVN != y.ISVSVN {
			return x.ISVSVN > y.ISVSVN
		}
		return x.TCBDate.After(y.TCBDate)
	})
	for k := 1; k < len(qi.TCBLevels); k++ {
		x, y := &qi.TCBLevels[k], &qi.TCBLevels[k-1]
		if x.ISVSVN == y.ISVSVN && x.TCBDate.Equal(y.TCBDate) {
			return nil, fmt.Errorf("%w: %s: duplicate TCB level isvsvn %d", ErrCollateralFormat, w, x.ISVSVN)
		}
	}
	return qi, nil
}

func (qi *QEIdentity) checkTDX() error {
	if qi.ID != QEIdentityIDTDX || qi.Version != QEIdentityVersion {
		return fmt.Errorf("%w: enclaveIdentity id %q version %d, want %q version %d", ErrQEIdentityMismatch, qi.ID, qi.Version, QEIdentityIDTDX, QEIdentityVersion)
	}
	return nil
}

// VerifySignature checks the signature over the raw enclaveIdentity bytes with
// the key of signer, which the caller must already trust. Remembered per key.
func (qi *QEIdentity) VerifySignature(signer *x509.Certificate) error {
	return qi.sigs.verify(signer, qi.raw, qi.signature[:], "enclaveIdentity")
}
