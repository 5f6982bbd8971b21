// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/google/go-sev-guest/abi"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

type blob struct {
	guid snp.GUID
	data []byte
}

// buildTable lays entries out as the firmware does: entry list, zero entry, data.
func buildTable(entries ...blob) []byte {
	head := (len(entries) + 1) * 24
	var data []byte
	b := make([]byte, head)
	for i, e := range entries {
		copy(b[i*24:], e.guid[:])
		binary.LittleEndian.PutUint32(b[i*24+16:], uint32(head+len(data)))
		binary.LittleEndian.PutUint32(b[i*24+20:], uint32(len(e.data)))
		data = append(data, e.data...)
	}
	return append(b, data...)
}

// TestCertTable proves the table parses back to its entries, that Find works,
// and agrees with go-sev-guest's abi.CertTable.
func TestCertTable(t *testing.T) {
	tbl := buildTable(
		blob{snp.GUIDVCEK, gsgtestdata.VcekBytes},
		blob{snp.GUIDASK, []byte("ask")},
		blob{snp.GUIDARK, []byte("ark")},
	)
	ct, err := snp.ParseCertTable(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Len() != 3 {
		t.Fatalf("len %d", ct.Len())
	}
	if d, ok := ct.Find(snp.GUIDVCEK); !ok || !bytes.Equal(d, gsgtestdata.VcekBytes) {
		t.Error("VCEK not found")
	}
	if _, ok := ct.Find(snp.GUIDVLEK); ok {
		t.Error("VLEK found")
	}
	var g abi.CertTable
	if err := g.Unmarshal(tbl); err != nil {
		t.Fatal(err)
	}
	for i, e := range g.Entries {
		if ct.Entry(i).GUID.String() != e.GUID.String() || !bytes.Equal(ct.Entry(i).Data, e.RawCert) {
			t.Errorf("entry %d differs from go-sev-guest: %v vs %v", i, ct.Entry(i).GUID, e.GUID)
		}
	}
	if snp.GUIDVCEK.String() != abi.VcekGUID || snp.GUIDARK.String() != abi.ArkGUID || snp.GUIDASK.String() != abi.AskGUID || snp.GUIDVLEK.String() != abi.VlekGUID {
		t.Error("GUID constants differ from go-sev-guest")
	}
	if e := ct.Entry(3); e.Data != nil {
		t.Error("out-of-range entry has data")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = snp.ParseCertTable(tbl) }); n != 0 {
		t.Errorf("ParseCertTable allocates %v times", n)
	}
	// Every truncation of a non-empty table is an error.
	for n := 1; n < len(tbl); n++ {
		if _, err := snp.ParseCertTable(tbl[:n]); !errors.Is(err, snp.ErrTruncated) {
			t.Fatalf("truncated to %d: %v, want ErrTruncated", n, err)
		}
	}
	if ct, err := snp.ParseCertTable(nil); err != nil || ct.Len() != 0 {
		t.Errorf("empty table: %v", err)
	}
}

// TestCertTableMalformed proves each malformed table gets its sentinel error.
func TestCertTableMalformed(t *testing.T) {
	good := buildTable(blob{snp.GUIDVCEK, []byte("vcek")})
	set := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"offset inside the entry list", set(16, 8), snp.ErrCertTable},
		{"offset beyond the end", set(16, 1000), snp.ErrTruncated},
		{"length beyond the end", set(20, 5), snp.ErrTruncated},
		{"offset+length overflows 32 bits", set(20, 0xFFFFFFFF), snp.ErrTruncated},
		{"no terminator", good[:24], snp.ErrTruncated},
		{"duplicate GUID", buildTable(blob{snp.GUIDASK, []byte("a")}, blob{snp.GUIDASK, []byte("b")}), snp.ErrCertTable},
	} {
		if _, err := snp.ParseCertTable(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// spans builds a table whose entry list is given as (offset, length) pairs
// over data of size n placed right after the list; GUIDs are distinct.
func spans(n int, ol ...[2]int) []byte {
	head := (len(ol) + 1) * 24
	b := make([]byte, head+n)
	for i, e := range ol {
		b[i*24], b[i*24+1], b[i*24+2] = byte(i), byte(i>>8), 1
		binary.LittleEndian.PutUint32(b[i*24+16:], uint32(head+e[0]))
		binary.LittleEndian.PutUint32(b[i*24+20:], uint32(e[1]))
	}
	return b
}

// sequential returns n entries of size each, laid one after the other.
func sequential(n, size int) [][2]int {
	ol := make([][2]int, n)
	for i := range ol {
		ol[i] = [2]int{i * size, size}
	}
	return ol
}

// TestCertTableLimits proves the documented limits: a table that would make
// its consumer parse more than MaxCertTableData bytes (too many entries, an
// entry too large, too much data, or entries sharing bytes) is refused with a
// named error, and every accepted table's entries are disjoint.
func TestCertTableLimits(t *testing.T) {
	const kib = 1 << 10
	same := func(n, size int) [][2]int { // n entries at one blob
		ol := make([][2]int, n)
		for i := range ol {
			ol[i] = [2]int{0, size}
		}
		return ol
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error // nil: accepted
	}{
		{"100 entries at one 257 KiB certificate", spans(257*kib, same(100, 257*kib)...), snp.ErrCertTableTooLarge},
		{"64 entries at one 257 KiB certificate", spans(257*kib, same(64, 257*kib)...), snp.ErrCertTableTooLarge},
		{"10 entries at one 60 KiB certificate", spans(60*kib, same(10, 60*kib)...), snp.ErrCertTable},
		{"two entries sharing one byte", spans(3, [2]int{0, 2}, [2]int{1, 2}), snp.ErrCertTable},
		{"65 entries", spans(65, sequential(65, 1)...), snp.ErrCertTableTooLarge},
		{"64 entries", spans(64, sequential(64, 1)...), nil},
		{"one entry of 64 KiB + 1", spans(64*kib+1, [2]int{0, 64*kib + 1}), snp.ErrCertTableTooLarge},
		{"one entry of 64 KiB", spans(64*kib, [2]int{0, 64 * kib}), nil},
		{"17 entries of 64 KiB (over 1 MiB)", spans(17*64*kib, sequential(17, 64*kib)...), snp.ErrCertTableTooLarge},
		{"16 entries of 64 KiB (1 MiB)", spans(16*64*kib, sequential(16, 64*kib)...), nil},
		{"empty entries at one offset", spans(1, [2]int{0, 0}, [2]int{0, 0}, [2]int{0, 1}), nil},
		{"adjacent entries", spans(4, [2]int{2, 2}, [2]int{0, 2}), nil},
	} {
		ct, err := snp.ParseCertTable(tc.b)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			checkBounds(t, tc.b, ct)
			continue
		}
		if !errors.Is(err, tc.want) || errors.Is(err, snp.ErrCertTable) == errors.Is(err, snp.ErrCertTableTooLarge) {
			t.Errorf("%s: %v, want only %v", tc.name, err, tc.want)
		}
	}
}

// checkBounds asserts what ParseCertTable guarantees a consumer: at most
// MaxCertTableEntries entries, each at most MaxCertTableEntrySize, the
// non-empty ones pairwise disjoint, together at most MaxCertTableData bytes.
func checkBounds(t testing.TB, b []byte, ct snp.CertTable) {
	t.Helper()
	if ct.Len() > snp.MaxCertTableEntries {
		t.Fatalf("%d entries", ct.Len())
	}
	span := func(i int) (int, int) {
		return int(binary.LittleEndian.Uint32(b[i*24+16:])), int(binary.LittleEndian.Uint32(b[i*24+20:]))
	}
	total := 0
	for i := 0; i < ct.Len(); i++ {
		o, l := span(i)
		if d := ct.Entry(i).Data; len(d) != l || l > 0 && &d[0] != &b[o] {
			t.Fatalf("entry %d is not the table's bytes %d+%d", i, o, l)
		}
		if l > snp.MaxCertTableEntrySize {
			t.Fatalf("entry %d: %d bytes", i, l)
		}
		total += l
		for j := 0; j < i; j++ {
			if o2, l2 := span(j); l > 0 && l2 > 0 && o < o2+l2 && o2 < o+l {
				t.Fatalf("entries %d (%d+%d) and %d (%d+%d) overlap", j, o2, l2, i, o, l)
			}
		}
	}
	if total > snp.MaxCertTableData || total > len(b) {
		t.Fatalf("entries hold %d bytes (table %d)", total, len(b))
	}
}

// TestCertTableManyEntries proves duplicate GUIDs are found wherever they
// are among the most entries allowed, and that such a table still parses
// without allocating.
func TestCertTableManyEntries(t *testing.T) {
	full := spans(snp.MaxCertTableEntries, sequential(snp.MaxCertTableEntries, 1)...)
	if n := testing.AllocsPerRun(100, func() { _, _ = snp.ParseCertTable(full) }); n != 0 {
		t.Errorf("ParseCertTable of %d entries allocates %v times", snp.MaxCertTableEntries, n)
	}
	for _, pair := range [][2]int{{0, 1}, {0, 63}, {31, 32}, {62, 63}} {
		b := bytes.Clone(full)
		copy(b[pair[1]*24:pair[1]*24+16], b[pair[0]*24:pair[0]*24+16])
		if _, err := snp.ParseCertTable(b); !errors.Is(err, snp.ErrCertTable) || errors.Is(err, snp.ErrCertTableTooLarge) {
			t.Errorf("GUID of entry %d repeated in %d: %v", pair[0], pair[1], err)
		}
	}
}

// BenchmarkParseCertTable parses a table of MaxCertTableEntries entries.
func BenchmarkParseCertTable(b *testing.B) {
	full := spans(snp.MaxCertTableEntries, sequential(snp.MaxCertTableEntries, 1)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := snp.ParseCertTable(full); err != nil {
			b.Fatal(err)
		}
	}
}
