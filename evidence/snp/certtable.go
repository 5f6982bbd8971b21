// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp

import (
	"encoding/binary"
	"fmt"
)

// GUID is a 16-byte identifier of a certificate-table entry, in the byte order
// the table stores it (the order of its string form, as go-sev-guest and the
// Linux sev-guest driver read it).
type GUID [16]byte

// String returns the GUID in its canonical 8-4-4-4-12 hexadecimal form.
func (g GUID) String() string {
	const digits = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, c := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = digits[c>>4], digits[c&15]
		j += 2
	}
	return string(s[:])
}

func mustGUID(s string) GUID {
	var g GUID
	j := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			continue
		}
		g[j/2] |= unhex(s[i]) << (4 * (1 - j%2))
		j++
	}
	return g
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	panic("snp: bad GUID literal")
}

// GUIDs of the certificate table entries (GHCB specification, "SNP Extended
// Guest Request"; the CRL GUID as virtee/sev defines it).
var (
	GUIDVCEK = mustGUID("63da758d-e664-4564-adc5-f4b93be8accd") // VCEK certificate (DER)
	GUIDVLEK = mustGUID("a8074bc2-a25a-483e-aae6-39c045a0b8a1") // VLEK certificate (DER)
	GUIDASK  = mustGUID("4ab7b379-bbac-4fe4-a02f-05aef327c782") // ASK, or ASVK for VLEK (DER)
	GUIDARK  = mustGUID("c0b406a4-a803-4952-9743-3fb6014cd0ae") // ARK (DER)
	GUIDCRL  = mustGUID("92f81bc3-5811-4d3d-97ff-d19f88dc67ea") // CRL (DER)
)

const certTableEntrySize = 24 // GUID (16) ‖ offset (4, LE) ‖ length (4, LE)

// CertTable is a parsed extended-report certificate table: a view over the
// bytes given to [ParseCertTable].
//
//	offset size field (each entry; the table ends with an all-zero entry)
//	0x00   16   GUID
//	0x10   4    offset of the data from the start of the table
//	0x14   4    length of the data
type CertTable struct {
	raw []byte
	n   int
}

// CertTableEntry is one entry of a [CertTable]; Data is a view into the table.
type CertTableEntry struct {
	GUID GUID
	Data []byte
}

// ParseCertTable parses a certificate table. An empty input is an empty table.
// Each entry's data must lie after the entry list and inside b, and no GUID may
// appear twice. The CertTable refers to b; ParseCertTable allocates nothing.
func ParseCertTable(b []byte) (CertTable, error) {
	if len(b) == 0 {
		return CertTable{}, nil
	}
	n := 0
	for {
		off := n * certTableEntrySize
		if len(b)-off < certTableEntrySize {
			return CertTable{}, fmt.Errorf("%w: entry %d needs %d bytes at offset %d, have %d (no terminating zero entry)", ErrTruncated, n, certTableEntrySize, off, len(b)-off)
		}
		if isZero(b[off : off+certTableEntrySize]) {
			break
		}
		n++
	}
	end := uint64(n+1) * certTableEntrySize
	for i := 0; i < n; i++ {
		e := b[i*certTableEntrySize:]
		o := uint64(binary.LittleEndian.Uint32(e[16:]))
		l := uint64(binary.LittleEndian.Uint32(e[20:]))
		if o < end {
			return CertTable{}, fmt.Errorf("%w: entry %d (%v) data offset %d is inside the %d-byte entry list", ErrCertTable, i, guidAt(b, i), o, end)
		}
		if o+l > uint64(len(b)) {
			return CertTable{}, fmt.Errorf("%w: entry %d (%v) data %d+%d exceeds the table's %d bytes", ErrTruncated, i, guidAt(b, i), o, l, len(b))
		}
		for j := 0; j < i; j++ {
			if guidAt(b, j) == guidAt(b, i) {
				return CertTable{}, fmt.Errorf("%w: GUID %v in entries %d and %d", ErrCertTable, guidAt(b, i), j, i)
			}
		}
	}
	return CertTable{raw: b, n: n}, nil
}

func guidAt(b []byte, i int) GUID {
	var g GUID
	copy(g[:], b[i*certTableEntrySize:])
	return g
}

// Len returns the number of entries.
func (t CertTable) Len() int { return t.n }

// Entry returns entry i (0 ≤ i < Len), or a zero entry when i is out of range.
func (t CertTable) Entry(i int) CertTableEntry {
	if i < 0 || i >= t.n {
		return CertTableEntry{}
	}
	e := t.raw[i*certTableEntrySize:]
	o := binary.LittleEndian.Uint32(e[16:])
	l := binary.LittleEndian.Uint32(e[20:])
	s, e2 := int(o), int(o)+int(l)
	return CertTableEntry{GUID: guidAt(t.raw, i), Data: t.raw[s:e2:e2]}
}

// Find returns the data of the entry with GUID g.
func (t CertTable) Find(g GUID) ([]byte, bool) {
	for i := 0; i < t.n; i++ {
		if guidAt(t.raw, i) == g {
			return t.Entry(i).Data, true
		}
	}
	return nil, false
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
