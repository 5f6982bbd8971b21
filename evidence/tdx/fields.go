// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Header is the 48-byte quote header. Its accessors return views into the quote.
//
//	offset size field
//	0x00   2    version
//	0x02   2    attestation key type
//	0x04   4    TEE type
//	0x08   4    reserved (QE SVN and PCE SVN in SGX quotes)
//	0x0C   16   QE vendor ID
//	0x1C   20   user data (the first 16 bytes: the QE's platform identifier)
type Header []byte

// Version returns the quote version.
func (h Header) Version() uint16 { return le16(h, 0x00) }

// AttestationKeyType returns the attestation key type (2: ECDSA-256-with-P-256).
func (h Header) AttestationKeyType() uint16 { return le16(h, 0x02) }

// TEEType returns the TEE type (0x81: TDX).
func (h Header) TEEType() uint32 { return le32(h, 0x04) }

// Reserved returns the 4 reserved header bytes.
func (h Header) Reserved() []byte { return view(h, 0x08, 4) }

// QEVendorID returns the QE vendor ID (939a7233f79c4ca9940a0db3957f0607 for Intel's QE).
func (h Header) QEVendorID() []byte { return view(h, 0x0C, 16) }

// UserData returns the 20 bytes of user data the QE put in the header.
func (h Header) UserData() []byte { return view(h, 0x1C, 20) }

// IntelQEVendorID is the QE vendor ID of Intel's quoting enclave.
var IntelQEVendorID = [16]byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

// Body is a TD quote body: a TD report of 584 bytes (TD 1.0) or 648 bytes (TD 1.5).
//
//	offset size field
//	0x000  16   TEE_TCB_SVN
//	0x010  48   MRSEAM
//	0x040  48   MRSIGNERSEAM
//	0x070  8    SEAMATTRIBUTES
//	0x078  8    TDATTRIBUTES
//	0x080  8    XFAM
//	0x088  48   MRTD
//	0x0B8  48   MRCONFIGID
//	0x0E8  48   MROWNER
//	0x118  48   MROWNERCONFIG
//	0x148  192  RTMR0..RTMR3, 48 each
//	0x208  64   REPORTDATA
//	0x248  16   TEE_TCB_SVN2 (TD 1.5 only)
//	0x258  48   MRSERVICETD  (TD 1.5 only)
type Body []byte

// TEETCBSVN returns TEE_TCB_SVN: the TDX module's SVN components. Byte 0 is the
// module's SVN, byte 1 its major version.
func (b Body) TEETCBSVN() []byte { return view(b, 0x000, 16) }

// MRSEAM returns the measurement of the TDX module.
func (b Body) MRSEAM() []byte { return view(b, 0x010, 48) }

// MRSIGNERSEAM returns the measurement of the TDX module's signer (zero for Intel's).
func (b Body) MRSIGNERSEAM() []byte { return view(b, 0x040, 48) }

// SEAMAttributes returns the TDX module's attributes (zero for production modules).
func (b Body) SEAMAttributes() uint64 { return le64(b, 0x070) }

// TDAttributes returns the TD's attributes.
func (b Body) TDAttributes() TDAttributes { return TDAttributes(le64(b, 0x078)) }

// XFAM returns the TD's extended features available mask.
func (b Body) XFAM() XFAM { return XFAM(le64(b, 0x080)) }

// MRTD returns the measurement of the TD's initial contents.
func (b Body) MRTD() []byte { return view(b, 0x088, 48) }

// MRCONFIGID returns the software-defined ID of the TD's configuration.
func (b Body) MRCONFIGID() []byte { return view(b, 0x0B8, 48) }

// MROWNER returns the software-defined ID of the TD's owner.
func (b Body) MROWNER() []byte { return view(b, 0x0E8, 48) }

// MROWNERCONFIG returns the software-defined ID of the owner's configuration.
func (b Body) MROWNERCONFIG() []byte { return view(b, 0x118, 48) }

// RTMR returns runtime measurement register i (0 to 3), or nil for another i.
func (b Body) RTMR(i int) []byte {
	if i < 0 || i > 3 {
		return nil
	}
	return view(b, 0x148+48*i, 48)
}

// ReportData returns the 64 bytes of REPORTDATA the TD put in its report.
func (b Body) ReportData() []byte { return view(b, 0x208, 64) }

// TEETCBSVN2 returns TEE_TCB_SVN2 (TD 1.5 bodies), or nil for a TD 1.0 body.
func (b Body) TEETCBSVN2() []byte { return view(b, 0x248, 16) }

// MRSERVICETD returns the measurement of the bound service TDs (TD 1.5 bodies),
// or nil for a TD 1.0 body.
func (b Body) MRSERVICETD() []byte { return view(b, 0x258, 48) }

// EnclaveReport is an SGX report body of 384 bytes, as the QE report.
//
//	offset size field
//	0x000  16   CPUSVN
//	0x010  4    MISCSELECT
//	0x014  28   reserved
//	0x030  16   ATTRIBUTES
//	0x040  32   MRENCLAVE
//	0x060  32   reserved
//	0x080  32   MRSIGNER
//	0x0A0  96   reserved
//	0x100  2    ISVPRODID
//	0x102  2    ISVSVN
//	0x104  60   reserved
//	0x140  64   REPORTDATA
type EnclaveReport []byte

// Raw returns the report's 384 bytes: what the PCK signs.
func (r EnclaveReport) Raw() []byte { return r }

// CPUSVN returns the security version of the platform's CPU.
func (r EnclaveReport) CPUSVN() []byte { return view(r, 0x000, 16) }

// MiscSelect returns the enclave's MISCSELECT.
func (r EnclaveReport) MiscSelect() uint32 { return le32(r, 0x010) }

// Attributes returns the enclave's 16-byte ATTRIBUTES.
func (r EnclaveReport) Attributes() []byte { return view(r, 0x030, 16) }

// MREnclave returns the enclave's measurement.
func (r EnclaveReport) MREnclave() []byte { return view(r, 0x040, 32) }

// MRSigner returns the hash of the enclave signer's public key.
func (r EnclaveReport) MRSigner() []byte { return view(r, 0x080, 32) }

// ISVProdID returns the enclave's product ID.
func (r EnclaveReport) ISVProdID() uint16 { return le16(r, 0x100) }

// ISVSVN returns the enclave's security version.
func (r EnclaveReport) ISVSVN() uint16 { return le16(r, 0x102) }

// ReportData returns the enclave's 64 bytes of REPORTDATA.
func (r EnclaveReport) ReportData() []byte { return view(r, 0x140, 64) }

// Reserved returns the report's reserved regions, in order, for callers that
// want them zero.
func (r EnclaveReport) Reserved() [4][]byte {
	return [4][]byte{view(r, 0x014, 28), view(r, 0x060, 32), view(r, 0x0A0, 96), view(r, 0x104, 60)}
}

// TDAttributes is the TD_ATTRIBUTES field (Intel TDX Module ABI specification;
// bit names as Linux's arch/x86 TDX code and Trustee use them).
type TDAttributes uint64

// TD_ATTRIBUTES bits.
const (
	TDAttrDebug         TDAttributes = 1 << 0  // DEBUG: the host can read and write the TD's state
	TDAttrHGSPlusProf   TDAttributes = 1 << 4  // HGS_PLUS_PROF
	TDAttrPerfProf      TDAttributes = 1 << 5  // PERF_PROF
	TDAttrPMTProf       TDAttributes = 1 << 6  // PMT_PROF
	TDAttrICSSD         TDAttributes = 1 << 16 // ICSSD
	TDAttrLASS          TDAttributes = 1 << 27 // LASS
	TDAttrSEPTVEDisable TDAttributes = 1 << 28 // SEPT_VE_DISABLE: EPT violations are not reflected as #VE
	TDAttrMigratable    TDAttributes = 1 << 29 // MIGRATABLE
	TDAttrPKS           TDAttributes = 1 << 30 // PKS: supervisor protection keys
	TDAttrKL            TDAttributes = 1 << 31 // KL: key locker
	TDAttrTPA           TDAttributes = 1 << 62 // TPA
	TDAttrPerfMon       TDAttributes = 1 << 63 // PERFMON: the TD may use perfmon
	tdAttrKnown                      = TDAttrDebug | TDAttrHGSPlusProf | TDAttrPerfProf | TDAttrPMTProf | TDAttrICSSD | TDAttrLASS | TDAttrSEPTVEDisable | TDAttrMigratable | TDAttrPKS | TDAttrKL | TDAttrTPA | TDAttrPerfMon
)

var tdAttrNames = []struct {
	bit  TDAttributes
	name string
}{
	{TDAttrDebug, "DEBUG"}, {TDAttrHGSPlusProf, "HGS_PLUS_PROF"}, {TDAttrPerfProf, "PERF_PROF"},
	{TDAttrPMTProf, "PMT_PROF"}, {TDAttrICSSD, "ICSSD"}, {TDAttrLASS, "LASS"},
	{TDAttrSEPTVEDisable, "SEPT_VE_DISABLE"}, {TDAttrMigratable, "MIGRATABLE"}, {TDAttrPKS, "PKS"},
	{TDAttrKL, "KL"}, {TDAttrTPA, "TPA"}, {TDAttrPerfMon, "PERFMON"},
}

// Debug reports whether the TD is a debug TD, whose memory the host can read.
func (a TDAttributes) Debug() bool { return a&TDAttrDebug != 0 }

// SEPTVEDisable reports whether SEPT_VE_DISABLE is set.
func (a TDAttributes) SEPTVEDisable() bool { return a&TDAttrSEPTVEDisable != 0 }

// Migratable reports whether the TD may be migrated.
func (a TDAttributes) Migratable() bool { return a&TDAttrMigratable != 0 }

// PKS reports whether the TD may use supervisor protection keys.
func (a TDAttributes) PKS() bool { return a&TDAttrPKS != 0 }

// KL reports whether the TD may use key locker.
func (a TDAttributes) KL() bool { return a&TDAttrKL != 0 }

// PerfMon reports whether the TD may use the performance monitoring counters.
func (a TDAttributes) PerfMon() bool { return a&TDAttrPerfMon != 0 }

// Unknown returns the set bits that have no name in the specification.
func (a TDAttributes) Unknown() TDAttributes { return a &^ tdAttrKnown }

// String lists the set bits by name, as "DEBUG|SEPT_VE_DISABLE"; "0" when none is set.
func (a TDAttributes) String() string {
	var names []string
	for _, n := range tdAttrNames {
		if a&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	if u := a.Unknown(); u != 0 {
		names = append(names, fmt.Sprintf("%#x", uint64(u)))
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}

// XFAM is the TD's extended features available mask: the XSAVE state components
// (XCR0 and IA32_XSS bits) the TD may use.
type XFAM uint64

var xfamNames = [...]string{
	0: "X87", 1: "SSE", 2: "AVX", 3: "MPX_BNDREGS", 4: "MPX_BNDCSR", 5: "AVX512_OPMASK",
	6: "AVX512_ZMM_HI256", 7: "AVX512_HI16_ZMM", 8: "PT", 9: "PKRU", 10: "PASID", 11: "CET_U",
	12: "CET_S", 13: "HDC", 14: "UINTR", 15: "LBR", 16: "HWP", 17: "AMX_XTILECFG",
	18: "AMX_XTILEDATA", 19: "APX",
}

// Has reports whether XSAVE state component bit is enabled.
func (x XFAM) Has(bit uint) bool { return bit < 64 && x&(1<<bit) != 0 }

// String lists the enabled state components by name, as "X87|SSE|AVX".
func (x XFAM) String() string {
	var names []string
	for bit := uint(0); bit < 64; bit++ {
		if !x.Has(bit) {
			continue
		}
		if bit < uint(len(xfamNames)) && xfamNames[bit] != "" {
			names = append(names, xfamNames[bit])
		} else {
			names = append(names, fmt.Sprintf("BIT%d", bit))
		}
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}

// view returns b[off:off+n], or nil when b is too short (a zero Quote's parts).
func view(b []byte, off, n int) []byte {
	if off < 0 || n < 0 || len(b) < off+n {
		return nil
	}
	return b[off : off+n : off+n]
}

func le16(b []byte, off int) uint16 {
	if len(b) < off+2 {
		return 0
	}
	return binary.LittleEndian.Uint16(b[off:])
}

func le32(b []byte, off int) uint32 {
	if len(b) < off+4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b[off:])
}

func le64(b []byte, off int) uint64 {
	if len(b) < off+8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b[off:])
}
