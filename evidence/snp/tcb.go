// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp

import (
	"fmt"
	"strings"
)

// Product is an AMD EPYC product line as AMD's Key Distribution Service names
// it: it selects the ARK/ASK, the KDS URL and the TCB_VERSION layout.
type Product uint8

// Product lines.
const (
	Unknown Product = iota
	Milan           // EPYC 7003, family 19h models 00h–0Fh
	Genoa           // EPYC 9004/8004, family 19h models 10h–1Fh and A0h–AFh (Siena, Bergamo)
	Turin           // EPYC 9005, family 1Ah models 00h–11h
)

// String returns the KDS product-line name ("Milan", "Genoa", "Turin") or "Unknown".
func (p Product) String() string {
	switch p {
	case Milan:
		return "Milan"
	case Genoa:
		return "Genoa"
	case Turin:
		return "Turin"
	}
	return "Unknown"
}

// ProductOf returns the product line of a CPU from its CPUID family (base plus
// extended) and model (extended << 4 | base), as the report's CPUID_FAM_ID
// and CPUID_MOD_ID hold them.
func ProductOf(family, model uint8) Product {
	switch family {
	case 0x19:
		switch {
		case model <= 0x0F:
			return Milan
		case model >= 0x10 && model <= 0x1F, model >= 0xA0 && model <= 0xAF:
			return Genoa
		}
	case 0x1A:
		if model <= 0x11 {
			return Turin
		}
	}
	return Unknown
}

// ParseProduct returns the product line named by s: a KDS product line
// ("Milan"), a VCEK productName with stepping ("Milan-B0"), or an ASK/VCEK
// issuer common name ("SEV-Milan", "SEV-VLEK-Genoa"). Case is ignored.
func ParseProduct(s string) Product {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "SEV-"), "VLEK-")
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	for _, p := range [...]Product{Milan, Genoa, Turin} {
		if strings.EqualFold(s, p.String()) {
			return p
		}
	}
	return Unknown
}

// TCBVersion is a 64-bit TCB_VERSION as the report holds it. Its layout
// depends on the product: see [TCBVersion.Parts].
//
//	byte  Milan, Genoa (legacy)   Turin
//	0     BOOT_LOADER             FMC
//	1     TEE                     BOOT_LOADER
//	2     reserved                TEE
//	3     reserved                SNP
//	4–5   reserved                reserved
//	6     SNP                     reserved
//	7     MICROCODE               MICROCODE
type TCBVersion uint64

// TCBParts are the security patch levels (SPLs) of a TCB_VERSION.
type TCBParts struct {
	HasFMC     bool  // Turin: the FMC field exists
	FMC        uint8 // Turin only
	BootLoader uint8
	TEE        uint8
	SNP        uint8
	Microcode  uint8
}

// Parts decodes v in p's layout: Turin's (FMC first) for [Turin], the legacy
// layout for every other product, including [Unknown].
func (v TCBVersion) Parts(p Product) TCBParts {
	b := func(i uint) uint8 { return uint8(v >> (8 * i)) }
	if p == Turin {
		return TCBParts{HasFMC: true, FMC: b(0), BootLoader: b(1), TEE: b(2), SNP: b(3), Microcode: b(7)}
	}
	return TCBParts{BootLoader: b(0), TEE: b(1), SNP: b(6), Microcode: b(7)}
}

// Reserved returns v's bits that are reserved in p's layout.
func (v TCBVersion) Reserved(p Product) uint64 {
	if p == Turin {
		return uint64(v) & 0x00FF_FFFF_0000_0000
	}
	return uint64(v) & 0x0000_FFFF_FFFF_0000
}

// TCBVersion composes parts in p's layout (FMC is used for Turin only).
func (t TCBParts) TCBVersion(p Product) TCBVersion {
	if p == Turin {
		return TCBVersion(uint64(t.FMC) | uint64(t.BootLoader)<<8 | uint64(t.TEE)<<16 | uint64(t.SNP)<<24 | uint64(t.Microcode)<<56)
	}
	return TCBVersion(uint64(t.BootLoader) | uint64(t.TEE)<<8 | uint64(t.SNP)<<48 | uint64(t.Microcode)<<56)
}

// AtLeast reports whether every component of t is at least the same component
// of min (FMC only when both have one), and otherwise names the first that is lower.
func (t TCBParts) AtLeast(min TCBParts) (ok bool, component string) {
	switch {
	case t.HasFMC && min.HasFMC && t.FMC < min.FMC:
		return false, "fmc"
	case t.BootLoader < min.BootLoader:
		return false, "bootloader"
	case t.TEE < min.TEE:
		return false, "tee"
	case t.SNP < min.SNP:
		return false, "snp"
	case t.Microcode < min.Microcode:
		return false, "microcode"
	}
	return true, ""
}

// String returns the parts as "fmc=F bl=B tee=T snp=S ucode=U" (fmc only on Turin).
func (t TCBParts) String() string {
	if t.HasFMC {
		return fmt.Sprintf("fmc=%d bl=%d tee=%d snp=%d ucode=%d", t.FMC, t.BootLoader, t.TEE, t.SNP, t.Microcode)
	}
	return fmt.Sprintf("bl=%d tee=%d snp=%d ucode=%d", t.BootLoader, t.TEE, t.SNP, t.Microcode)
}
