// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// TCB Info identifiers and versions this package evaluates (Intel PCS v4, TDX).
const (
	TCBInfoIDTDX      = "TDX"   // tcbInfo.id of TDX TCB Info
	TCBInfoVersion    = 3       // tcbInfo.version required for TDX
	QEIdentityIDTDX   = "TD_QE" // enclaveIdentity.id of the TDX quoting enclave
	QEIdentityVersion = 2       // enclaveIdentity.version required for TD_QE
)

// TCBInfo is a parsed Intel TCB Info structure (PCS v4 `/tdx/certification/v4/tcb`),
// with the exact signed bytes of its `tcbInfo` object and its signature.
// A TCBInfo is immutable after parsing and safe for concurrent use; the result
// of its signature check is remembered per signing key, so it is verified once.
type TCBInfo struct {
	ID                      string
	Version                 int
	IssueDate               time.Time
	NextUpdate              time.Time
	FMSPC                   [6]byte
	PCEID                   [2]byte
	TCBType                 int
	TCBEvaluationDataNumber int
	// TDXModule is the default TDX module identity (tcbInfo.tdxModule), nil when absent.
	TDXModule *TDXModule
	// TDXModuleIdentities are the per-version module identities (TDX_01, TDX_03, …).
	TDXModuleIdentities []TDXModuleIdentity
	// TCBLevels in the QVL's evaluation order: descending SGX components,
	// then PCESVN, then TDX components.
	TCBLevels []TCBLevel

	raw       []byte   // the signed tcbInfo object, byte for byte
	signature [64]byte // ECDSA P-256 r ‖ s
	sigs      sigMemo
	fmspcHex  atomic.Pointer[fmspcHex]
}

// TDXModule is the identity the TDX module's signer and attributes must match.
type TDXModule struct {
	MRSigner       []byte // 48 bytes
	Attributes     []byte // 8 bytes
	AttributesMask []byte // 8 bytes
}

// TDXModuleIdentity is one entry of tdxModuleIdentities: the module identity
// and TCB levels for one TDX module major version (TEE_TCB_SVN[1]).
type TDXModuleIdentity struct {
	ID string // "TDX_" and the major version as two hex digits
	TDXModule
	// TCBLevels in descending ISVSVN order.
	TCBLevels []ModuleTCBLevel
}

// ModuleTCBLevel is a TCB level of a TDX module identity.
type ModuleTCBLevel struct {
	ISVSVN      uint8
	TCBDate     time.Time
	Status      TCBStatus
	StatusName  string // the status as written, kept when it is not one this package knows
	AdvisoryIDs []string
}

// TCBLevel is one platform TCB level of a TCB Info.
type TCBLevel struct {
	SGXComponents [16]uint8
	PCESVN        uint16
	TDXComponents [16]uint8
	TCBDate       time.Time
	Status        TCBStatus
	StatusName    string // the status as written, kept when it is not one this package knows
	AdvisoryIDs   []string
}

// Raw returns the exact bytes of the signed tcbInfo object. Callers must not modify them.
func (ti *TCBInfo) Raw() []byte { return ti.raw }

// Signature returns the ECDSA P-256 signature (r ‖ s) over [TCBInfo.Raw].
func (ti *TCBInfo) Signature() []byte { return ti.signature[:] }

// Body returns the PCS v4 response body for this TCB Info:
// {"tcbInfo":<raw>,"signature":"<hex>"}, the signed bytes unchanged.
func (ti *TCBInfo) Body() []byte { return pcsBody("tcbInfo", ti.raw, ti.signature[:]) }

// FMSPCString returns the FMSPC as 12 lower-case hex digits.
func (ti *TCBInfo) FMSPCString() string {
	// Remembered for the FMSPC it was made of (Evaluate names it in every
	// Result); concurrent callers may each make it, never see a torn one.
	if h := ti.fmspcHex.Load(); h != nil && h.of == ti.FMSPC {
		return h.s
	}
	h := &fmspcHex{of: ti.FMSPC, s: hex.EncodeToString(ti.FMSPC[:])}
	ti.fmspcHex.Store(h)
	return h.s
}

// fmspcHex is a TCB Info's FMSPC in hex, and the FMSPC it was made of.
type fmspcHex struct {
	of [6]byte
	s  string
}

func pcsBody(key string, raw, sig []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"`)
	b.WriteString(key)
	b.WriteString(`":`)
	b.Write(raw)
	b.WriteString(`,"signature":"`)
	b.WriteString(hex.EncodeToString(sig))
	b.WriteString(`"}`)
	return b.Bytes()
}

// ParseTCBInfo parses a PCS v4 TCB Info response body,
// {"tcbInfo":{…},"signature":"…"}. It checks the format only: use
// [Collateral] and [Evaluate] (or [TCBInfo.VerifySignature]) to prove it.
// Errors wrap [ErrCollateralFormat].
func ParseTCBInfo(body []byte) (*TCBInfo, error) {
	raw, sig, err := splitSigned(body, "tcbInfo")
	if err != nil {
		return nil, err
	}
	return ParseTCBInfoObject(raw, sig)
}

// ParseTCBInfoObject parses the signed tcbInfo object text and its signature
// (hex of r ‖ s), as Intel's QVL and Phala's dcap-qvl bundles carry them.
func ParseTCBInfoObject(raw []byte, signatureHex string) (*TCBInfo, error) {
	ti := &TCBInfo{raw: bytes.TrimSpace(raw)}
	if err := decodeSignature(&ti.signature, signatureHex, "tcbInfo"); err != nil {
		return nil, err
	}
	var j struct {
		ID                      *string        `json:"id"`
		Version                 *int           `json:"version"`
		IssueDate               *string        `json:"issueDate"`
		NextUpdate              *string        `json:"nextUpdate"`
		FMSPC                   *string        `json:"fmspc"`
		PCEID                   *string        `json:"pceId"`
		TCBType                 *int           `json:"tcbType"`
		TCBEvaluationDataNumber *int           `json:"tcbEvaluationDataNumber"`
		TDXModule               *jsonModule    `json:"tdxModule"`
		TDXModuleIdentities     []jsonModuleID `json:"tdxModuleIdentities"`
		TCBLevels               []jsonTCBLevel `json:"tcbLevels"`
	}
	if err := json.Unmarshal(ti.raw, &j); err != nil {
		return nil, fmt.Errorf("%w: tcbInfo: %v", ErrCollateralFormat, err)
	}
	switch {
	case j.ID == nil:
		return nil, missingField("tcbInfo", "id")
	case j.Version == nil:
		return nil, missingField("tcbInfo", "version")
	case j.IssueDate == nil:
		return nil, missingField("tcbInfo", "issueDate")
	case j.NextUpdate == nil:
		return nil, missingField("tcbInfo", "nextUpdate")
	case j.FMSPC == nil:
		return nil, missingField("tcbInfo", "fmspc")
	case j.PCEID == nil:
		return nil, missingField("tcbInfo", "pceId")
	case j.TCBType == nil:
		return nil, missingField("tcbInfo", "tcbType")
	case j.TCBEvaluationDataNumber == nil:
		return nil, missingField("tcbInfo", "tcbEvaluationDataNumber")
	case len(j.TCBLevels) == 0:
		return nil, missingField("tcbInfo", "tcbLevels")
	}
	ti.ID, ti.Version, ti.TCBType, ti.TCBEvaluationDataNumber = *j.ID, *j.Version, *j.TCBType, *j.TCBEvaluationDataNumber
	var err error
	if ti.IssueDate, err = parseTime("tcbInfo.issueDate", *j.IssueDate); err != nil {
		return nil, err
	}
	if ti.NextUpdate, err = parseTime("tcbInfo.nextUpdate", *j.NextUpdate); err != nil {
		return nil, err
	}
	if err := decodeFixedHex(ti.FMSPC[:], *j.FMSPC, "tcbInfo.fmspc"); err != nil {
		return nil, err
	}
	if err := decodeFixedHex(ti.PCEID[:], *j.PCEID, "tcbInfo.pceId"); err != nil {
		return nil, err
	}
	if j.TDXModule != nil {
		m, err := j.TDXModule.module("tcbInfo.tdxModule")
		if err != nil {
			return nil, err
		}
		ti.TDXModule = &m
	}
	for i, jm := range j.TDXModuleIdentities {
		what := fmt.Sprintf("tcbInfo.tdxModuleIdentities[%d]", i)
		if jm.ID == "" {
			return nil, missingField(what, "id")
		}
		m, err := jm.jsonModule.module(what)
		if err != nil {
			return nil, err
		}
		id := TDXModuleIdentity{ID: jm.ID, TDXModule: m}
		if len(jm.TCBLevels) == 0 {
			return nil, missingField(what, "tcbLevels")
		}
		for k, jl := range jm.TCBLevels {
			lw := fmt.Sprintf("%s.tcbLevels[%d]", what, k)
			if jl.TCB.ISVSVN == nil {
				return nil, missingField(lw, "tcb.isvsvn")
			}
			if *jl.TCB.ISVSVN > 0xFF {
				return nil, fmt.Errorf("%w: %s.tcb.isvsvn %d out of range", ErrCollateralFormat, lw, *jl.TCB.ISVSVN)
			}
			l := ModuleTCBLevel{ISVSVN: uint8(*jl.TCB.ISVSVN), AdvisoryIDs: jl.AdvisoryIDs}
			if l.TCBDate, l.Status, l.StatusName, err = jl.common(lw); err != nil {
				return nil, err
			}
			id.TCBLevels = append(id.TCBLevels, l)
		}
		sort.SliceStable(id.TCBLevels, func(a, b int) bool { return id.TCBLevels[a].ISVSVN > id.TCBLevels[b].ISVSVN })
		for k := 1; k < len(id.TCBLevels); k++ {
			if id.TCBLevels[k].ISVSVN == id.TCBLevels[k-1].ISVSVN {
				return nil, fmt.Errorf("%w: %s: duplicate TCB level isvsvn %d", ErrCollateralFormat, what, id.TCBLevels[k].ISVSVN)
			}
		}
		ti.TDXModuleIdentities = append(ti.TDXModuleIdentities, id)
	}
	for i, jl := range j.TCBLevels {
		lw := fmt.Sprintf("tcbInfo.tcbLevels[%d]", i)
		var l TCBLevel
		if err := svns(l.SGXComponents[:], jl.TCB.SGX, lw+".tcb.sgxtcbcomponents"); err != nil {
			return nil, err
		}
		if err := svns(l.TDXComponents[:], jl.TCB.TDX, lw+".tcb.tdxtcbcomponents"); err != nil {
			return nil, err
		}
		if jl.TCB.PCESVN == nil {
			return nil, missingField(lw, "tcb.pcesvn")
		}
		l.PCESVN = *jl.TCB.PCESVN
		l.AdvisoryIDs = jl.AdvisoryIDs
		if l.TCBDate, l.Status, l.StatusName, err = jl.common(lw); err != nil {
			return nil, err
		}
		ti.TCBLevels = append(ti.TCBLevels, l)
	}
	// The QVL keeps levels in a set ordered by (SGX components, PCESVN, TDX
	// components), highest first, and takes the first match in that order.
	sort.SliceStable(ti.TCBLevels, func(a, b int) bool { return compareLevels(&ti.TCBLevels[a], &ti.TCBLevels[b]) > 0 })
	for k := 1; k < len(ti.TCBLevels); k++ {
		if compareLevels(&ti.TCBLevels[k], &ti.TCBLevels[k-1]) == 0 {
			return nil, fmt.Errorf("%w: tcbInfo: duplicate TCB level", ErrCollateralFormat)
		}
	}
	return ti, nil
}

func compareLevels(a, b *TCBLevel) int {
	if c := bytes.Compare(a.SGXComponents[:], b.SGXComponents[:]); c != 0 {
		return c
	}
	if a.PCESVN != b.PCESVN {
		if a.PCESVN > b.PCESVN {
			return 1
		}
		return -1
	}
	return bytes.Compare(a.TDXComponents[:], b.TDXComponents[:])
}

// checkTDX reports whether ti is a TDX TCB Info this package evaluates.
func (ti *TCBInfo) checkTDX() error {
	if ti.ID != TCBInfoIDTDX || ti.Version != TCBInfoVersion {
		return fmt.Errorf("%w: tcbInfo id %q version %d, want %q version %d", ErrTCBInfoMismatch, ti.ID, ti.Version, TCBInfoIDTDX, TCBInfoVersion)
	}
	return nil
}

// VerifySignature checks the signature over the raw tcbInfo bytes with the
// key of signer, which the caller must already trust. The outcome is
// remembered per key: a second call with the same key does no ECDSA work.
func (ti *TCBInfo) VerifySignature(signer *x509.Certificate) error {
	return ti.sigs.verify(signer, ti.raw, ti.signature[:], "tcbInfo")
}

type jsonModule struct {
	MRSigner       *string `json:"mrsigner"`
	Attributes     *string `json:"attributes"`
	AttributesMask *string `json:"attributesMask"`
}

func (j *jsonModule) module(what string) (TDXModule, error) {
	var m TDXModule
	var err error
	if m.MRSigner, err = hexField(j.MRSigner, 48, what+".mrsigner"); err != nil {
		return m, err
	}
	if m.Attributes, err = hexField(j.Attributes, 8, what+".attributes"); err != nil {
		return m, err
	}
	if m.AttributesMask, err = hexField(j.AttributesMask, 8, what+".attributesMask"); err != nil {
		return m, err
	}
	return m, nil
}

type jsonModuleID struct {
	ID string `json:"id"`
	jsonModule
	TCBLevels []jsonIdentityLevel `json:"tcbLevels"`
}

type jsonLevelCommon struct {
	TCBDate     *string  `json:"tcbDate"`
	TCBStatus   *string  `json:"tcbStatus"`
	AdvisoryIDs []string `json:"advisoryIDs"`
}

func (j *jsonLevelCommon) common(what string) (time.Time, TCBStatus, string, error) {
	if j.TCBDate == nil {
		return time.Time{}, 0, "", missingField(what, "tcbDate")
	}
	if j.TCBStatus == nil {
		return time.Time{}, 0, "", missingField(what, "tcbStatus")
	}
	d, err := parseTime(what+".tcbDate", *j.TCBDate)
	if err != nil {
		return d, 0, "", err
	}
	return d, ParseTCBStatus(*j.TCBStatus), *j.TCBStatus, nil
}

type jsonIdentityLevel struct {
	TCB struct {
		ISVSVN *uint16 `json:"isvsvn"`
	} `json:"tcb"`
	jsonLevelCommon
}

type jsonTCBLevel struct {
	TCB struct {
		SGX    []jsonComponent `json:"sgxtcbcomponents"`
		PCESVN *uint16         `json:"pcesvn"`
		TDX    []jsonComponent `json:"tdxtcbcomponents"`
	} `json:"tcb"`
	jsonLevelCommon
}

type jsonComponent struct {
	SVN *uint16 `json:"svn"`
}

// svns reads 16 component SVNs. The QVL truncates SVNs to a byte; this
// package rejects values above 255 instead, since they cannot be compared
// with the platform's byte-sized components without changing their meaning.
func svns(dst []uint8, c []jsonComponent, what string) error {
	if len(c) != len(dst) {
		return fmt.Errorf("%w: %s: %d components, want %d", ErrCollateralFormat, what, len(c), len(dst))
	}
	for i := range c {
		if c[i].SVN == nil {
			return missingField(fmt.Sprintf("%s[%d]", what, i), "svn")
		}
		if *c[i].SVN > 0xFF {
			return fmt.Errorf("%w: %s[%d].svn %d out of range", ErrCollateralFormat, what, i, *c[i].SVN)
		}
		dst[i] = uint8(*c[i].SVN)
	}
	return nil
}

// splitSigned splits a PCS body {"<key>":{…},"signature":"…"} into the raw
// signed object and the signature hex.
func splitSigned(body []byte, key string) ([]byte, string, error) {
	var j map[string]json.RawMessage
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, "", fmt.Errorf("%w: %s body: %v", ErrCollateralFormat, key, err)
	}
	raw, ok := j[key]
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return nil, "", fmt.Errorf("%w: body has no %q object", ErrCollateralFormat, key)
	}
	var sig string
	if err := json.Unmarshal(j["signature"], &sig); err != nil || sig == "" {
		return nil, "", fmt.Errorf("%w: %s body has no signature string", ErrCollateralFormat, key)
	}
	return raw, sig, nil
}

func decodeSignature(dst *[64]byte, s, what string) error {
	if len(s) != 128 {
		return fmt.Errorf("%w: %s signature: %d hex digits, want 128", ErrCollateralFormat, what, len(s))
	}
	if _, err := hex.Decode(dst[:], []byte(s)); err != nil {
		return fmt.Errorf("%w: %s signature: %v", ErrCollateralFormat, what, err)
	}
	return nil
}

func decodeFixedHex(dst []byte, s, what string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("%w: %s %q: want %d hex digits", ErrCollateralFormat, what, s, 2*len(dst))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return fmt.Errorf("%w: %s %q: %v", ErrCollateralFormat, what, s, err)
	}
	return nil
}

func hexField(s *string, n int, what string) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: %s missing", ErrCollateralFormat, what)
	}
	b := make([]byte, n)
	if err := decodeFixedHex(b, *s, what); err != nil {
		return nil, err
	}
	return b, nil
}

func parseTime(what, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%w: %s %q: %v", ErrCollateralFormat, what, s, err)
	}
	return t.UTC(), nil
}

func missingField(what, field string) error {
	return fmt.Errorf("%w: %s: field %q missing", ErrCollateralFormat, what, field)
}

// moduleIdentity returns the tdxModuleIdentities entry for a TDX module major
// version, matched as the QVL matches it ("TDX_%02X", case-insensitive).
func (ti *TCBInfo) moduleIdentity(major uint8) *TDXModuleIdentity {
	for i := range ti.TDXModuleIdentities {
		id := ti.TDXModuleIdentities[i].ID
		if len(id) != 6 || !strings.EqualFold(id[:4], "TDX_") {
			continue
		}
		var v [1]byte
		if _, err := hex.Decode(v[:], []byte(id[4:])); err == nil && v[0] == major {
			return &ti.TDXModuleIdentities[i]
		}
	}
	return nil
}
