// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Consistency errors of [Log.Validate].
var (
	// ErrEventDigest reports an event whose digest can be recomputed from
	// its data and is not that: the log's data is not what was measured.
	ErrEventDigest = errors.New("eventlog: event digest does not match its data")
	// ErrDuplicateSeparator reports a register with more than one
	// EV_SEPARATOR of the same value: the UEFI duplicate-separator bug, or
	// events spliced in after the boot-time boundary.
	ErrDuplicateSeparator = errors.New("eventlog: duplicate separator")
)

// CheckResult says whether an event's digest was recomputed from its data.
type CheckResult int

// Outcomes of [Event.Check].
const (
	// CheckNone: the digest cannot be recomputed from the data (an image, a
	// firmware volume, a table the data only names).
	CheckNone CheckResult = iota
	// CheckMatch: the digest is the data's.
	CheckMatch
	// CheckMismatch: the digest should be the data's and is not.
	CheckMismatch
)

// grubPrefixes are GRUB's descriptions of measured text (grub-core
// commands/tpm.c): the digest is of the text after the prefix.
var grubPrefixes = []string{"grub_cmd: ", "kernel_cmdline: ", "module_cmdline: "}

// Check recomputes e's digest in bank a from its data where the PC Client
// PFP (or GRUB, for EV_IPL text) defines it as the digest of the data:
// EV_SEPARATOR, EV_ACTION, EV_EFI_ACTION, EV_EFI_GPT_EVENT,
// EV_EFI_VARIABLE_DRIVER_CONFIG and EV_EFI_VARIABLE_AUTHORITY (the whole
// UEFI_VARIABLE_DATA), EV_EFI_VARIABLE_BOOT and EV_EFI_VARIABLE_AUTHORITY
// (the whole or its VariableData: EDK2 and shim measure either; an
// authority event matching neither is CheckNone, as older shim logs its
// vendor certificate), GRUB's
// command and command-line EV_IPL text. EV_IPL whose data is other text (a
// file path: the digest is the file's) matches when the digest is the
// text's, and is CheckNone otherwise. Other
// events are CheckNone, as are events without a digest in a, or a bank this
// package cannot compute.
func (e *Event) Check(a Alg) CheckResult {
	want := e.Digest(a)
	h, ok := a.Hash()
	if want == nil || !ok {
		return CheckNone
	}
	sum := func(b []byte) bool {
		d := h.New()
		d.Write(b)
		return bytes.Equal(d.Sum(nil), want)
	}
	verdict := func(ok bool) CheckResult {
		if ok {
			return CheckMatch
		}
		return CheckMismatch
	}
	switch e.Type {
	case EvSeparator, EvAction, EvEFIAction, EvEFIGPTEvent, EvEFIVariableDriverConfig:
		return verdict(sum(e.Data))
	case EvEFIVariableBoot, EvEFIVariableBoot2, EvEFIVariableAuthority:
		if sum(e.Data) {
			return CheckMatch
		}
		v, err := ParseVariable(e.Data)
		switch {
		case err == nil && sum(v.Data):
			return CheckMatch
		case e.Type == EvEFIVariableAuthority:
			// Older shim logs its vendor certificate with a digest of
			// neither (seen in real TPM logs): not checkable.
			return CheckNone
		}
		return CheckMismatch
	case EvIPL:
		s := string(bytes.TrimRight(e.Data, "\x00"))
		for _, p := range grubPrefixes {
			if t, ok := strings.CutPrefix(s, p); ok {
				return verdict(sum([]byte(t)) || sum(e.Data))
			}
		}
		if sum(e.Data) || sum([]byte(s)) {
			return CheckMatch
		}
	}
	return CheckNone
}

// Validate checks what a log says against itself. err joins an
// ErrEventDigest for every event Check can recompute that does not match
// in some bank: the log's data is not what was measured. warnings holds an
// ErrDuplicateSeparator for every register with two EV_SEPARATOR events of
// the same value: EDK2 TDVF logs the PCR 1–6 separator into RTMR0 as well
// as PCR 7's (the "UEFI duplicate-separator bug", seen in real OVMF logs
// that replay to their quote), so that events after the boundary cannot be
// told from events before it. It is a warning, not a rejection.
func (l *Log) Validate() (warnings []error, err error) {
	var errs []error
	type sepKey struct {
		index uint32
		data  string
	}
	seps := map[sepKey]*Event{}
	for i := range l.Events {
		e := &l.Events[i]
		for _, d := range e.Digests {
			if e.Check(d.Alg) == CheckMismatch {
				errs = append(errs, fmt.Errorf("%w: %v, %v digest %x", ErrEventDigest, e, d.Alg, d.Value))
				break
			}
		}
		if e.Type == EvSeparator {
			k := sepKey{e.Index, string(e.Data)}
			if prev, ok := seps[k]; ok {
				warnings = append(warnings, fmt.Errorf("%w: %v repeats %v (index %d)", ErrDuplicateSeparator, e, prev, e.Index))
			} else {
				seps[k] = e
			}
		}
	}
	return warnings, errors.Join(errs...)
}

// Variable is a UEFI_VARIABLE_DATA: the data of the EV_EFI_VARIABLE_*
// events.
type Variable struct {
	// GUID is the VariableName GUID as it is stored (mixed-endian).
	GUID [16]byte
	// Name is the UnicodeName.
	Name string
	// Data is the VariableData.
	Data []byte
}

// GUIDString formats the GUID in its canonical form.
func (v *Variable) GUIDString() string { return guidString(v.GUID[:]) }

// ParseVariable reads a UEFI_VARIABLE_DATA: VariableName GUID,
// UnicodeNameLength u64, VariableDataLength u64, UnicodeName (UTF-16LE),
// VariableData.
func ParseVariable(b []byte) (*Variable, error) {
	if len(b) < 32 {
		return nil, fmt.Errorf("%w: UEFI_VARIABLE_DATA of %d bytes", ErrTruncated, len(b))
	}
	v := &Variable{}
	copy(v.GUID[:], b[:16])
	nl := binary.LittleEndian.Uint64(b[16:24])
	dl := binary.LittleEndian.Uint64(b[24:32])
	rest := uint64(len(b) - 32)
	if nl > rest/2 || dl > rest-2*nl {
		return nil, fmt.Errorf("%w: UEFI_VARIABLE_DATA: name of %d chars and data of %d bytes, %d bytes left", ErrTruncated, nl, dl, rest)
	}
	p := b[32:]
	u := make([]uint16, nl)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(p[2*i:])
	}
	v.Name = string(utf16.Decode(u))
	v.Data = p[2*nl : 2*nl+dl]
	return v, nil
}

func guidString(g []byte) string {
	if len(g) != 16 {
		return ""
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(g[0:4]), binary.LittleEndian.Uint16(g[4:6]),
		binary.LittleEndian.Uint16(g[6:8]), g[8:10], g[10:16])
}

// Text returns the event data as text where the event is text (EV_IPL,
// EV_EFI_ACTION, EV_ACTION, EV_POST_CODE, EV_PLATFORM_CONFIG_FLAGS,
// EV_S_CRTM_VERSION as UTF-16), with trailing NULs removed; ok is false for
// data that is not printable text.
func (e *Event) Text() (string, bool) {
	d := e.Data
	if e.Type == EvSCRTMVersion && len(d)%2 == 0 {
		u := make([]uint16, len(d)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(d[2*i:])
		}
		d = []byte(string(utf16.Decode(u)))
	}
	s := string(bytes.TrimRight(d, "\x00"))
	for _, r := range s {
		if r == 0xFFFD || r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return "", false
		}
	}
	return s, true
}
