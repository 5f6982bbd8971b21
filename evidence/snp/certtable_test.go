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
