// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp_test

import (
	"bytes"
	"testing"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// FuzzParse checks that no input panics, that a parsed report's views lie in
// the input, and that the accessors and the strict check never panic.
func FuzzParse(f *testing.F) {
	f.Add(gsgtestdata.AttestationBytes)
	for _, v := range []uint32{2, 3, 4, 5} {
		f.Add(synthetic(v))
	}
	if vectors.Dir() != "" {
		for _, c := range snpCases(f) {
			f.Add(c.report[:snp.ReportSize])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, rest, err := snp.ParsePrefix(b)
		if err != nil {
			return
		}
		if len(r.Raw()) != snp.ReportSize || len(rest) != len(b)-snp.ReportSize || !bytes.Equal(r.Signed(), b[:snp.SignedSize]) {
			t.Fatal("views do not match the input")
		}
		_ = r.CheckReserved()
		_ = snp.Claims(r, snp.Unknown)
		_ = r.ReportedTCB().Parts(r.Product())
		_ = r.Clone()
	})
}

// FuzzParseCertTable checks that no input panics, every entry lies inside the
// input, and every accepted table keeps the limits ParseCertTable promises.
func FuzzParseCertTable(f *testing.F) {
	f.Add([]byte{})
	f.Add(buildTable(blob{snp.GUIDVCEK, gsgtestdata.VcekBytes}, blob{snp.GUIDASK, []byte("x")}))
	f.Add(buildTable())
	f.Add(spans(8, [2]int{0, 4}, [2]int{4, 4}, [2]int{2, 0}))
	f.Add(spans(3, [2]int{0, 2}, [2]int{1, 2}))
	f.Add(spans(snp.MaxCertTableEntries+1, sequential(snp.MaxCertTableEntries+1, 1)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := snp.ParseCertTable(b)
		if err != nil {
			return
		}
		checkBounds(t, b, ct)
		for i := 0; i < ct.Len(); i++ {
			e := ct.Entry(i)
			if len(e.Data) > len(b) {
				t.Fatal("entry larger than the table")
			}
			if d, ok := ct.Find(e.GUID); !ok || !bytes.Equal(d, e.Data) {
				t.Fatal("Find disagrees with Entry")
			}
		}
	})
}
