// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
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

// Limits of a certificate table. Real tables hold 3 to 5 entries (VCEK or
// VLEK, ASK or ASVK, ARK, sometimes a CRL) of under 2 KiB each, and Linux
// sizes the whole table's buffer by SEV_FW_BLOB_MAX_SIZE (16 KiB); the limits
// leave a wide margin for vendor-specific entries and CRLs that grow, while
// bounding what a consumer that parses every entry spends on a hostile table.
const (
	// MaxCertTableEntries is the largest number of entries accepted (the
	// terminating zero entry not counted).
	MaxCertTableEntries = 64
	// MaxCertTableEntrySize is the largest entry accepted, in bytes: AMD's
	// certificates are under 2 KiB, and a CRL of this size lists over a
	// thousand revoked serials.
	MaxCertTableEntrySize = 64 << 10
	// MaxCertTableData is the largest sum of all entries' lengths, in bytes.
	MaxCertTableData = 1 << 20
)

// ErrCertTableTooLarge reports a certificate table over one of its limits
// ([MaxCertTableEntries], [MaxCertTableEntrySize], [MaxCertTableData]),
// wrapped with the limit and the value. Like the other sentinel errors, it is
// the only one such an error wraps: it is not also an [ErrCertTable].
var ErrCertTableTooLarge = errors.New("snp: certificate table over its limits")

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
// Each entry's data must lie after the entry list and inside b, no GUID may
// appear twice, and no two entries may share a byte: a table that points
// several entries at one blob is refused ([ErrCertTable]). The table must keep
// within [MaxCertTableEntries], [MaxCertTableEntrySize] and [MaxCertTableData]
// ([ErrCertTableTooLarge]). So every accepted table guarantees its consumer
// that the non-empty entries are distinct, disjoint ranges of b, together at
// most MaxCertTableData bytes: parsing each entry once is work linear in the
// table, and no blob needs parsing twice. ParseCertTable itself reads at most
// MaxCertTableEntries+1 entries whatever len(b) (GUIDs go through a hash set,
// data ranges through a sort of at most MaxCertTableEntries). The CertTable
// refers to b; ParseCertTable allocates nothing.
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
		if n == MaxCertTableEntries {
			return CertTable{}, fmt.Errorf("%w: more than %d entries", ErrCertTableTooLarge, MaxCertTableEntries)
		}
		n++
	}
	end := uint64(n+1) * certTableEntrySize
	var (
		set   guidSet
		spans [MaxCertTableEntries]entrySpan // the non-empty entries' data
		ns    int
		total uint64
	)
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
		if l > MaxCertTableEntrySize {
			return CertTable{}, fmt.Errorf("%w: entry %d (%v) holds %d bytes, over %d", ErrCertTableTooLarge, i, guidAt(b, i), l, MaxCertTableEntrySize)
		}
		if total += l; total > MaxCertTableData {
			return CertTable{}, fmt.Errorf("%w: entries 0-%d hold %d bytes, over %d", ErrCertTableTooLarge, i, total, MaxCertTableData)
		}
		if j, dup := set.add(b, i); dup {
			return CertTable{}, fmt.Errorf("%w: GUID %v in entries %d and %d", ErrCertTable, guidAt(b, i), j, i)
		}
		if l > 0 {
			spans[ns] = entrySpan{off: uint32(o), len: uint32(l), entry: uint8(i)}
			ns++
		}
	}
	slices.SortFunc(spans[:ns], func(x, y entrySpan) int { return cmp.Compare(x.off, y.off) })
	for k := 1; k < ns; k++ {
		if p, q := spans[k-1], spans[k]; uint64(q.off) < uint64(p.off)+uint64(p.len) {
			return CertTable{}, fmt.Errorf("%w: entries %d (%v, %d+%d) and %d (%v, %d+%d) share bytes", ErrCertTable, p.entry, guidAt(b, int(p.entry)), p.off, p.len, q.entry, guidAt(b, int(q.entry)), q.off, q.len)
		}
	}
	return CertTable{raw: b, n: n}, nil
}

// entrySpan is where one entry's data lies in the table.
type entrySpan struct {
	off, len uint32
	entry    uint8
}

// guidSeed keys the GUID set's hash, so that a table cannot choose GUIDs that
// collide (it could only slow the set down to MaxCertTableEntries² compares).
var guidSeed = maphash.MakeSeed()

// guidSet is an open-addressing set of the GUIDs of a table's entries, on
// the stack: slots hold entry index + 1, 0 is free. Twice as many slots as
// entries keeps probes short.
type guidSet [2 * MaxCertTableEntries]uint8

// add inserts entry i's GUID; if an earlier entry j has it, add returns j, true.
func (s *guidSet) add(b []byte, i int) (int, bool) {
	g := b[i*certTableEntrySize : i*certTableEntrySize+16]
	for h := maphash.Bytes(guidSeed, g) % uint64(len(s)); ; h = (h + 1) % uint64(len(s)) {
		if s[h] == 0 {
			s[h] = uint8(i + 1)
			return 0, false
		}
		if j := int(s[h] - 1); bytes.Equal(b[j*certTableEntrySize:j*certTableEntrySize+16], g) {
			return j, true
		}
	}
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
