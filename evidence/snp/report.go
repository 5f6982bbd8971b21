// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package snp parses AMD SEV-SNP attestation reports, versions 2, 3, 4 and 5,
// as AMD's "SEV Secure Nested Paging Firmware ABI Specification" (publication
// 56860, table "ATTESTATION_REPORT Structure") defines them, and the
// certificate table an extended guest request returns (GHCB specification,
// publication 56421).
//
// [Parse] returns a [Report], a view over the caller's bytes: it copies nothing
// and allocates nothing, so the bytes must not change while the Report is in
// use (use [Report.Clone] to keep one). Every length and offset is checked
// before use; any input yields a Report or an error wrapping one of the
// package's sentinel errors, never a panic. Reserved bytes are not checked by
// Parse; [Report.CheckReserved] is the optional strict check.
//
// [ParseCertTable] holds a certificate table to documented limits (at most
// [MaxCertTableEntries] entries of [MaxCertTableEntrySize] bytes,
// [MaxCertTableData] in all, no two sharing a byte), so that whoever parses
// its entries does bounded work; a table over them is [ErrCertTableTooLarge].
//
// Parsing proves nothing: the signature and the certificates that endorse it
// are checked by package certs/amd.
package snp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them, together with the field and the values that failed.
var (
	// ErrTruncated reports that the input ends before a field the format requires.
	ErrTruncated = errors.New("snp: report truncated")
	// ErrVersion reports a report version other than 2, 3, 4 or 5.
	ErrVersion = errors.New("snp: unsupported report version")
	// ErrTrailingData reports bytes after the 1184-byte report.
	ErrTrailingData = errors.New("snp: unexpected data after the report")
	// ErrReserved reports a non-zero reserved field (only from [Report.CheckReserved]).
	ErrReserved = errors.New("snp: reserved field is not zero")
	// ErrCertTable reports a malformed extended-report certificate table.
	ErrCertTable = errors.New("snp: malformed certificate table")
)

// Sizes the ABI specification fixes.
const (
	// ReportSize is the size of an attestation report: 1184 bytes.
	ReportSize = 0x4A0
	// SignedSize is the size of the signed part of the report, bytes 0x000–0x29F.
	SignedSize = 0x2A0
	// SignatureSize is the size of the signature field at 0x2A0.
	SignatureSize = 0x200
	// ChipIDSize is the size of CHIP_ID.
	ChipIDSize = 64
	// SigComponentSize is the size of each of the signature's R and S fields:
	// 72 bytes, little-endian.
	SigComponentSize = 72
)

// Supported report versions.
const (
	MinVersion = 2
	MaxVersion = 5
)

// SignatureAlgoECDSAP384SHA384 is the only SIGNATURE_ALGO value the ABI defines.
const SignatureAlgoECDSAP384SHA384 = 1

// Report is a parsed attestation report: a view over the 1184 bytes given to
// [Parse]. The zero Report is not valid; its accessors return zero values.
//
//	offset size field
//	0x000  4    VERSION
//	0x004  4    GUEST_SVN
//	0x008  8    POLICY
//	0x010  16   FAMILY_ID
//	0x020  16   IMAGE_ID
//	0x030  4    VMPL
//	0x034  4    SIGNATURE_ALGO
//	0x038  8    CURRENT_TCB
//	0x040  8    PLATFORM_INFO
//	0x048  4    AUTHOR_KEY_EN (bit 0), MASK_CHIP_KEY (bit 1), SIGNING_KEY (bits 4:2)
//	0x04C  4    reserved
//	0x050  64   REPORT_DATA
//	0x090  48   MEASUREMENT
//	0x0C0  32   HOST_DATA
//	0x0E0  48   ID_KEY_DIGEST
//	0x110  48   AUTHOR_KEY_DIGEST
//	0x140  32   REPORT_ID
//	0x160  32   REPORT_ID_MA
//	0x180  8    REPORTED_TCB
//	0x188  1    CPUID_FAM_ID  (v3+; reserved in v2)
//	0x189  1    CPUID_MOD_ID  (v3+)
//	0x18A  1    CPUID_STEP    (v3+)
//	0x18B  21   reserved
//	0x1A0  64   CHIP_ID
//	0x1E0  8    COMMITTED_TCB
//	0x1E8  1    CURRENT_BUILD
//	0x1E9  1    CURRENT_MINOR
//	0x1EA  1    CURRENT_MAJOR
//	0x1EB  1    reserved
//	0x1EC  1    COMMITTED_BUILD
//	0x1ED  1    COMMITTED_MINOR
//	0x1EE  1    COMMITTED_MAJOR
//	0x1EF  1    reserved
//	0x1F0  8    LAUNCH_TCB
//	0x1F8  8    LAUNCH_MIT_VECTOR  (v5; reserved before)
//	0x200  8    CURRENT_MIT_VECTOR (v5; reserved before)
//	0x208  152  reserved
//	0x2A0  512  SIGNATURE: R (72, little-endian) ‖ S (72, little-endian) ‖ reserved (368)
type Report struct {
	raw []byte // exactly ReportSize bytes, or nil
}

// Parse parses an attestation report of version 2, 3, 4 or 5. b must be
// exactly [ReportSize] bytes; use [ParsePrefix] for a report followed by other
// data. The Report refers to b; Parse allocates nothing.
func Parse(b []byte) (Report, error) {
	r, rest, err := ParsePrefix(b)
	if err != nil {
		return Report{}, err
	}
	if len(rest) != 0 {
		return Report{}, fmt.Errorf("%w: %d bytes after the %d-byte report", ErrTrailingData, len(rest), ReportSize)
	}
	return r, nil
}

// ParsePrefix parses the attestation report at the start of b and returns the
// bytes that follow it, which the report's signature does not cover.
func ParsePrefix(b []byte) (Report, []byte, error) {
	if len(b) < ReportSize {
		return Report{}, nil, fmt.Errorf("%w: have %d bytes, need %d", ErrTruncated, len(b), ReportSize)
	}
	v := binary.LittleEndian.Uint32(b[0x000:])
	if v < MinVersion || v > MaxVersion {
		return Report{}, nil, fmt.Errorf("%w: VERSION %d (want %d to %d)", ErrVersion, v, MinVersion, MaxVersion)
	}
	return Report{raw: b[:ReportSize:ReportSize]}, b[ReportSize:], nil
}

// Raw returns the report's 1184 bytes (a view, not a copy).
func (r Report) Raw() []byte { return r.raw }

// Clone returns a Report over a private copy of the bytes, for callers who keep
// the Report after the input buffer is reused.
func (r Report) Clone() Report {
	if r.raw == nil {
		return Report{}
	}
	return Report{raw: append([]byte(nil), r.raw...)}
}

// Signed returns bytes 0x000–0x29F: exactly what the signature covers.
func (r Report) Signed() []byte { return view(r.raw, 0x000, SignedSize) }

// Version returns VERSION.
func (r Report) Version() uint32 { return le32(r.raw, 0x000) }

// GuestSVN returns GUEST_SVN.
func (r Report) GuestSVN() uint32 { return le32(r.raw, 0x004) }

// Policy returns POLICY, the guest policy the VM was launched with.
func (r Report) Policy() Policy { return Policy(le64(r.raw, 0x008)) }

// FamilyID returns FAMILY_ID (16 bytes) from the ID block.
func (r Report) FamilyID() []byte { return view(r.raw, 0x010, 16) }

// ImageID returns IMAGE_ID (16 bytes) from the ID block.
func (r Report) ImageID() []byte { return view(r.raw, 0x020, 16) }

// VMPL returns VMPL: the privilege level that requested the report.
func (r Report) VMPL() uint32 { return le32(r.raw, 0x030) }

// SignatureAlgo returns SIGNATURE_ALGO (1: ECDSA P-384 with SHA-384).
func (r Report) SignatureAlgo() uint32 { return le32(r.raw, 0x034) }

// CurrentTCB returns CURRENT_TCB: the platform's current TCB version.
func (r Report) CurrentTCB() TCBVersion { return TCBVersion(le64(r.raw, 0x038)) }

// PlatformInfo returns PLATFORM_INFO.
func (r Report) PlatformInfo() PlatformInfo { return PlatformInfo(le64(r.raw, 0x040)) }

// SignerInfo returns the 32-bit word at 0x048: AUTHOR_KEY_EN, MASK_CHIP_KEY and SIGNING_KEY.
func (r Report) SignerInfo() uint32 { return le32(r.raw, 0x048) }

// AuthorKeyEn reports AUTHOR_KEY_EN: AUTHOR_KEY_DIGEST holds the ID block author key's digest.
func (r Report) AuthorKeyEn() bool { return r.SignerInfo()&1 != 0 }

// MaskChipKey reports MASK_CHIP_KEY: the firmware zeroed CHIP_ID and the
// signature (the guest asked for an unsigned report).
func (r Report) MaskChipKey() bool { return r.SignerInfo()&2 != 0 }

// SigningKey returns SIGNING_KEY: which key signed the report.
func (r Report) SigningKey() SigningKey { return SigningKey(r.SignerInfo() >> 2 & 7) }

// ReportData returns REPORT_DATA (64 bytes): the guest's data.
func (r Report) ReportData() []byte { return view(r.raw, 0x050, 64) }

// Measurement returns MEASUREMENT (48 bytes): the launch digest.
func (r Report) Measurement() []byte { return view(r.raw, 0x090, 48) }

// HostData returns HOST_DATA (32 bytes): data the host supplied at launch.
func (r Report) HostData() []byte { return view(r.raw, 0x0C0, 32) }

// IDKeyDigest returns ID_KEY_DIGEST (48 bytes): SHA-384 of the ID block's signing key.
func (r Report) IDKeyDigest() []byte { return view(r.raw, 0x0E0, 48) }

// AuthorKeyDigest returns AUTHOR_KEY_DIGEST (48 bytes).
func (r Report) AuthorKeyDigest() []byte { return view(r.raw, 0x110, 48) }

// ReportID returns REPORT_ID (32 bytes).
func (r Report) ReportID() []byte { return view(r.raw, 0x140, 32) }

// ReportIDMA returns REPORT_ID_MA (32 bytes): the migration agent's report ID.
func (r Report) ReportIDMA() []byte { return view(r.raw, 0x160, 32) }

// ReportedTCB returns REPORTED_TCB: the TCB the VCEK that signed the report was derived from.
func (r Report) ReportedTCB() TCBVersion { return TCBVersion(le64(r.raw, 0x180)) }

// HasCPUID reports whether the report carries the CPUID fields (version 3 and later).
func (r Report) HasCPUID() bool { return r.raw != nil && r.Version() >= 3 }

// CPUIDFamily returns CPUID_FAM_ID (family, base plus extended), or 0 before version 3.
func (r Report) CPUIDFamily() uint8 { return r.cpuidByte(0x188) }

// CPUIDModel returns CPUID_MOD_ID (extended model << 4 | base model), or 0 before version 3.
func (r Report) CPUIDModel() uint8 { return r.cpuidByte(0x189) }

// CPUIDStepping returns CPUID_STEP, or 0 before version 3.
func (r Report) CPUIDStepping() uint8 { return r.cpuidByte(0x18A) }

func (r Report) cpuidByte(off int) uint8 {
	if !r.HasCPUID() {
		return 0
	}
	return r.raw[off]
}

// ChipID returns CHIP_ID (64 bytes). Turin uses the first 8 bytes; VLEK-signed
// and MASK_CHIP_ID reports hold zeros.
func (r Report) ChipID() []byte { return view(r.raw, 0x1A0, ChipIDSize) }

// CommittedTCB returns COMMITTED_TCB.
func (r Report) CommittedTCB() TCBVersion { return TCBVersion(le64(r.raw, 0x1E0)) }

// CurrentVersion returns CURRENT_MAJOR, CURRENT_MINOR and CURRENT_BUILD: the running firmware.
func (r Report) CurrentVersion() FirmwareVersion {
	return FirmwareVersion{Major: u8(r.raw, 0x1EA), Minor: u8(r.raw, 0x1E9), Build: u8(r.raw, 0x1E8)}
}

// CommittedVersion returns COMMITTED_MAJOR, COMMITTED_MINOR and COMMITTED_BUILD.
func (r Report) CommittedVersion() FirmwareVersion {
	return FirmwareVersion{Major: u8(r.raw, 0x1EE), Minor: u8(r.raw, 0x1ED), Build: u8(r.raw, 0x1EC)}
}

// LaunchTCB returns LAUNCH_TCB: the CURRENT_TCB when the guest was launched.
func (r Report) LaunchTCB() TCBVersion { return TCBVersion(le64(r.raw, 0x1F0)) }

// HasMitigationVectors reports whether the report carries the mitigation vectors (version 5 and later).
func (r Report) HasMitigationVectors() bool { return r.raw != nil && r.Version() >= 5 }

// LaunchMitVector returns LAUNCH_MIT_VECTOR, or 0 before version 5.
func (r Report) LaunchMitVector() uint64 {
	if !r.HasMitigationVectors() {
		return 0
	}
	return le64(r.raw, 0x1F8)
}

// CurrentMitVector returns CURRENT_MIT_VECTOR, or 0 before version 5.
func (r Report) CurrentMitVector() uint64 {
	if !r.HasMitigationVectors() {
		return 0
	}
	return le64(r.raw, 0x200)
}

// Signature returns the 512-byte SIGNATURE field.
func (r Report) Signature() []byte { return view(r.raw, 0x2A0, SignatureSize) }

// SignatureR returns the signature's R component: 72 bytes, little-endian.
func (r Report) SignatureR() []byte { return view(r.raw, 0x2A0, SigComponentSize) }

// SignatureS returns the signature's S component: 72 bytes, little-endian.
func (r Report) SignatureS() []byte { return view(r.raw, 0x2E8, SigComponentSize) }

// Product returns the product line the CPUID fields name (version 3 and
// later), or [Unknown] for version 2 reports and unknown CPUs; see [ProductOf].
func (r Report) Product() Product {
	if !r.HasCPUID() {
		return Unknown
	}
	return ProductOf(r.CPUIDFamily(), r.CPUIDModel())
}

// span is a range of reserved bytes: [start, end).
type span struct{ start, end int }

// CheckReserved is the optional strict check: it returns an [ErrReserved]
// error naming the first reserved field that is not zero — the reserved bytes
// of the version's layout, POLICY bit 17 (must be one) and bits 26–63, the
// signer-info bits 5–31, and the signature's tail after S. Reports from newer
// firmware may legitimately use bytes this version calls reserved, which is
// why Parse does not check them.
func (r Report) CheckReserved() error {
	if r.raw == nil {
		return fmt.Errorf("%w: empty report", ErrTruncated)
	}
	spans := [...]span{
		{0x04C, 0x050},
		{0x18B, 0x1A0},
		{0x1EB, 0x1EC},
		{0x1EF, 0x1F0},
		{0x1F8, 0x2A0},
		{0x2A0 + 2*SigComponentSize, ReportSize},
	}
	v := r.Version()
	if v < 3 {
		spans[1].start = 0x188
	}
	if v >= 5 {
		spans[4].start = 0x208
	}
	for _, s := range spans {
		for i := s.start; i < s.end; i++ {
			if r.raw[i] != 0 {
				return fmt.Errorf("%w: byte %#x at offset %#x (reserved %#x–%#x, version %d)", ErrReserved, r.raw[i], i, s.start, s.end-1, v)
			}
		}
	}
	p := r.Policy()
	if p&(1<<17) == 0 {
		return fmt.Errorf("%w: POLICY bit 17 is 0 (must be 1), policy %#x", ErrReserved, uint64(p))
	}
	if m := uint64(p) &^ (1<<26 - 1); m != 0 {
		return fmt.Errorf("%w: POLICY bits 26–63 = %#x, policy %#x", ErrReserved, m, uint64(p))
	}
	if m := r.SignerInfo() &^ 0x1F; m != 0 {
		return fmt.Errorf("%w: signer info bits 5–31 = %#x", ErrReserved, m)
	}
	return nil
}

// FirmwareVersion is a SEV firmware version: major.minor and build.
type FirmwareVersion struct {
	Major, Minor, Build uint8
}

// String returns "major.minor build N".
func (v FirmwareVersion) String() string {
	return fmt.Sprintf("%d.%d build %d", v.Major, v.Minor, v.Build)
}

// Less reports whether v is older than w (major, then minor, then build).
func (v FirmwareVersion) Less(w FirmwareVersion) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Build < w.Build
}

// SigningKey is the SIGNING_KEY field: which key signed the report.
type SigningKey uint8

// Signing keys.
const (
	SignedByVCEK SigningKey = 0 // Versioned Chip Endorsement Key
	SignedByVLEK SigningKey = 1 // Versioned Loaded Endorsement Key
	SignedByNone SigningKey = 7 // no key: the report is unsigned
)

// String returns "VCEK", "VLEK", "none", or "SigningKey(n)".
func (k SigningKey) String() string {
	switch k {
	case SignedByVCEK:
		return "VCEK"
	case SignedByVLEK:
		return "VLEK"
	case SignedByNone:
		return "none"
	}
	return fmt.Sprintf("SigningKey(%d)", uint8(k))
}

// Policy is the 64-bit guest POLICY.
//
//	bits  field
//	7:0   ABI_MINOR
//	15:8  ABI_MAJOR
//	16    SMT: SMT may be enabled on the host
//	17    reserved, must be one
//	18    MIGRATE_MA: a migration agent may be associated
//	19    DEBUG: debugging is allowed
//	20    SINGLE_SOCKET: the guest may run on one socket only
//	21    CXL_ALLOW
//	22    MEM_AES_256_XTS
//	23    RAPL_DIS
//	24    CIPHERTEXT_HIDING
//	25    PAGE_SWAP_DISABLE
type Policy uint64

// ABIMinor returns the minimum ABI minor version the guest requires.
func (p Policy) ABIMinor() uint8 { return uint8(p) }

// ABIMajor returns the minimum ABI major version the guest requires.
func (p Policy) ABIMajor() uint8 { return uint8(p >> 8) }

// SMT reports whether SMT is allowed.
func (p Policy) SMT() bool { return p&(1<<16) != 0 }

// MigrateMA reports whether a migration agent is allowed.
func (p Policy) MigrateMA() bool { return p&(1<<18) != 0 }

// Debug reports whether debugging is allowed.
func (p Policy) Debug() bool { return p&(1<<19) != 0 }

// SingleSocket reports whether the guest is restricted to a single socket.
func (p Policy) SingleSocket() bool { return p&(1<<20) != 0 }

// CXLAllowed reports whether CXL may be populated with guest memory.
func (p Policy) CXLAllowed() bool { return p&(1<<21) != 0 }

// MemAES256XTS reports whether AES-256-XTS memory encryption is required.
func (p Policy) MemAES256XTS() bool { return p&(1<<22) != 0 }

// RAPLDis reports whether Running Average Power Limit must be disabled.
func (p Policy) RAPLDis() bool { return p&(1<<23) != 0 }

// CiphertextHiding reports whether ciphertext hiding must be enabled.
func (p Policy) CiphertextHiding() bool { return p&(1<<24) != 0 }

// PageSwapDisable reports whether guest page swapping is disabled.
func (p Policy) PageSwapDisable() bool { return p&(1<<25) != 0 }

// PlatformInfo is the 64-bit PLATFORM_INFO field.
//
//	bit  field
//	0    SMT_EN
//	1    TSME_EN
//	2    ECC_EN
//	3    RAPL_DIS
//	4    CIPHERTEXT_HIDING_EN
//	5    ALIAS_CHECK_COMPLETE
//	6    set by Turin firmware (valid; go-sev-guest v0.15.0 wrongly rejects it)
//	7    TIO_EN
type PlatformInfo uint64

// SMTEnabled reports SMT_EN: SMT is enabled on the host.
func (p PlatformInfo) SMTEnabled() bool { return p&(1<<0) != 0 }

// TSMEEnabled reports TSME_EN: transparent SME is enabled.
func (p PlatformInfo) TSMEEnabled() bool { return p&(1<<1) != 0 }

// ECCEnabled reports ECC_EN: the platform uses error-correcting memory.
func (p PlatformInfo) ECCEnabled() bool { return p&(1<<2) != 0 }

// RAPLDisabled reports RAPL_DIS.
func (p PlatformInfo) RAPLDisabled() bool { return p&(1<<3) != 0 }

// CiphertextHidingEnabled reports CIPHERTEXT_HIDING_EN.
func (p PlatformInfo) CiphertextHidingEnabled() bool { return p&(1<<4) != 0 }

// AliasCheckComplete reports ALIAS_CHECK_COMPLETE (the BadRAM alias check ran).
func (p PlatformInfo) AliasCheckComplete() bool { return p&(1<<5) != 0 }

// TIOEnabled reports TIO_EN: SEV-TIO is enabled.
func (p PlatformInfo) TIOEnabled() bool { return p&(1<<7) != 0 }

// KnownPlatformInfoBits are the PLATFORM_INFO bits the firmware is known to set
// (bits 0–7, including Turin's bit 6).
const KnownPlatformInfoBits PlatformInfo = 0xFF

func view(b []byte, off, n int) []byte {
	if off+n > len(b) {
		return nil
	}
	return b[off : off+n : off+n]
}

func u8(b []byte, off int) uint8 {
	if off >= len(b) {
		return 0
	}
	return b[off]
}

func le32(b []byte, off int) uint32 {
	if off+4 > len(b) {
		return 0
	}
	return binary.LittleEndian.Uint32(b[off:])
}

func le64(b []byte, off int) uint64 {
	if off+8 > len(b) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[off:])
}
