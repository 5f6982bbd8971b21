// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	// ErrTruncated reports that the input ends before a field the format
	// requires.
	ErrTruncated = errors.New("azure: truncated")
	// ErrNotHCL reports bytes that do not start with the HCL report's
	// signature "HCLA".
	ErrNotHCL = errors.New("azure: not an HCL report")
	// ErrReportType reports an HCL report whose hardware report is neither
	// SEV-SNP (2) nor TDX (4).
	ErrReportType = errors.New("azure: unsupported HCL report type")
	// ErrRuntimeData reports runtime data that is not the JSON document the
	// paravisor writes (malformed JSON, duplicate members, a malformed key or
	// user data).
	ErrRuntimeData = errors.New("azure: malformed runtime data")
	// ErrNoKey reports runtime data that does not name the key asked for
	// (HCLAkPub, HCLEkPub).
	ErrNoKey = errors.New("azure: key not in runtime data")
	// ErrTPM reports a malformed TPM structure (TPMS_ATTEST, TPMT_SIGNATURE).
	ErrTPM = errors.New("azure: malformed TPM structure")
	// ErrTrailingData reports bytes after a structure that must end the input.
	ErrTrailingData = errors.New("azure: trailing data")
	// ErrPCRSelection reports PCR values that do not match the quote's PCR
	// selection: another count, or a value whose size is not its bank's
	// digest size.
	ErrPCRSelection = errors.New("azure: PCR values do not match the quote's selection")
)

// Offsets and sizes of the HCL report (see the package documentation).
const (
	// HCLSignature is the HCL report's first four bytes, "HCLA", read as a
	// little-endian uint32.
	HCLSignature = 0x414c4348
	// HardwareReportOffset is where the hardware report starts.
	HardwareReportOffset = 0x020
	// HardwareReportArea is the room the layout gives the hardware report
	// (the larger of the SNP report and the TD report).
	HardwareReportArea = 1184
	// SNPReportSize is the size of an SEV-SNP attestation report.
	SNPReportSize = 1184
	// TDReportSize is the size of a TDX TDREPORT_STRUCT.
	TDReportSize = 1024
	// RequestDataOffset is where the IGVM request data starts.
	RequestDataOffset = HardwareReportOffset + HardwareReportArea // 0x4C0
	// RuntimeDataOffset is where the variable data (the runtime data) starts.
	RuntimeDataOffset = RequestDataOffset + 20 // 0x4D4
	// MaxRuntimeDataSize bounds the runtime data an HCL report may declare.
	// The paravisor's NV index holds about 1.4 KiB of it; this leaves room.
	MaxRuntimeDataSize = 64 << 10
)

// ReportType is the kind of hardware report an HCL report carries.
type ReportType uint32

// Report types of the IGVM request data.
const (
	ReportTypeSNP ReportType = 2
	ReportTypeTDX ReportType = 4
)

// String returns "SNP", "TDX" or the number.
func (t ReportType) String() string {
	switch t {
	case ReportTypeSNP:
		return "SNP"
	case ReportTypeTDX:
		return "TDX"
	}
	return fmt.Sprintf("ReportType(%d)", uint32(t))
}

// HashType is the hash the hardware report's REPORT_DATA holds of the
// runtime data.
type HashType uint32

// Hash types of the IGVM request data.
const (
	HashSHA256 HashType = 1
	HashSHA384 HashType = 2
	HashSHA512 HashType = 3
)

// String returns "SHA-256", "SHA-384", "SHA-512" or the number.
func (h HashType) String() string {
	switch h {
	case HashSHA256:
		return "SHA-256"
	case HashSHA384:
		return "SHA-384"
	case HashSHA512:
		return "SHA-512"
	}
	return fmt.Sprintf("HashType(%d)", uint32(h))
}

// HCLReport is a view of an HCL report over the caller's bytes. Nothing in
// it is authenticated but the hardware report (by the hardware's signature or
// MAC) and the runtime data (by the hardware report's REPORT_DATA); the
// header and the request data only locate them.
type HCLReport struct {
	raw    []byte // the bytes given, or nil
	varEnd int    // end of the runtime data in raw
}

// ParseHCLReport parses an HCL report: the "HCLA" signature, a report type of
// SNP or TDX, and runtime data that fits in b. Bytes after the runtime data
// (the NV index pads the report with zeros) are allowed; see
// [HCLReport.Trailing]. The view refers to b.
func ParseHCLReport(b []byte) (HCLReport, error) {
	if len(b) < RuntimeDataOffset {
		return HCLReport{}, fmt.Errorf("%w: HCL report needs %d bytes, have %d", ErrTruncated, RuntimeDataOffset, len(b))
	}
	if sig := le32(b, 0x000); sig != HCLSignature {
		return HCLReport{}, fmt.Errorf("%w: signature %#08x, want %#08x (\"HCLA\")", ErrNotHCL, sig, uint32(HCLSignature))
	}
	switch t := ReportType(le32(b, 0x4C8)); t {
	case ReportTypeSNP, ReportTypeTDX:
	default:
		return HCLReport{}, fmt.Errorf("%w: %d (want %d SNP or %d TDX)", ErrReportType, uint32(t), uint32(ReportTypeSNP), uint32(ReportTypeTDX))
	}
	n := le32(b, 0x4D0)
	if n > MaxRuntimeDataSize {
		return HCLReport{}, fmt.Errorf("%w: variable_data_size %d exceeds %d", ErrTruncated, n, MaxRuntimeDataSize)
	}
	if uint64(len(b)-RuntimeDataOffset) < uint64(n) {
		return HCLReport{}, fmt.Errorf("%w: runtime data declares %d bytes at %#x, have %d", ErrTruncated, n, RuntimeDataOffset, len(b)-RuntimeDataOffset)
	}
	return HCLReport{raw: b, varEnd: RuntimeDataOffset + int(n)}, nil
}

// Raw returns the bytes the report was parsed from, trailing bytes included.
func (r HCLReport) Raw() []byte { return r.raw }

// Clone returns a report over a copy of its bytes.
func (r HCLReport) Clone() HCLReport {
	if r.raw == nil {
		return r
	}
	return HCLReport{raw: append([]byte(nil), r.raw...), varEnd: r.varEnd}
}

// Version returns the header's version field.
func (r HCLReport) Version() uint32 { return le32(r.raw, 0x004) }

// ReportSize returns the header's report_size field (the size of the report
// up to the end of the runtime data, as the paravisor writes it; not checked).
func (r HCLReport) ReportSize() uint32 { return le32(r.raw, 0x008) }

// RequestType returns the header's request_type field.
func (r HCLReport) RequestType() uint32 { return le32(r.raw, 0x00C) }

// Status returns the header's status field.
func (r HCLReport) Status() uint32 { return le32(r.raw, 0x010) }

// ReportType returns the kind of hardware report.
func (r HCLReport) ReportType() ReportType { return ReportType(le32(r.raw, 0x4C8)) }

// HardwareReport returns the hardware report: the 1184-byte SNP report, or
// the 1024-byte TD report (a view, not a copy).
func (r HCLReport) HardwareReport() []byte {
	if r.raw == nil {
		return nil
	}
	n := SNPReportSize
	if r.ReportType() == ReportTypeTDX {
		n = TDReportSize
	}
	return r.raw[HardwareReportOffset : HardwareReportOffset+n : HardwareReportOffset+n]
}

// RequestDataSize returns the IGVM request data's data_size field (20 plus
// the runtime data's size, as the paravisor writes it; not checked).
func (r HCLReport) RequestDataSize() uint32 { return le32(r.raw, 0x4C0) }

// RequestDataVersion returns the IGVM request data's version field.
func (r HCLReport) RequestDataVersion() uint32 { return le32(r.raw, 0x4C4) }

// HashType returns the hash of the runtime data the hardware report's
// REPORT_DATA is said to hold.
func (r HCLReport) HashType() HashType { return HashType(le32(r.raw, 0x4CC)) }

// RuntimeData returns the runtime data exactly as carried: the bytes whose
// hash the hardware report binds (a view, not a copy).
func (r HCLReport) RuntimeData() []byte {
	if r.raw == nil {
		return nil
	}
	return r.raw[RuntimeDataOffset:r.varEnd:r.varEnd]
}

// Trailing returns the bytes after the runtime data (zeros in the reports
// the paravisor writes). Nothing authenticates them.
func (r HCLReport) Trailing() []byte {
	if r.raw == nil {
		return nil
	}
	return r.raw[r.varEnd:]
}

func le32(b []byte, off int) uint32 {
	if off+4 > len(b) {
		return 0
	}
	return binary.LittleEndian.Uint32(b[off:])
}
