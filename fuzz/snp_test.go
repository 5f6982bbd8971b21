// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package fuzz

import (
	"testing"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/oracle"
)

// FuzzSNPDifferential parses the same bytes with ccverify and go-sev-guest:
// when both accept, every field must agree.
func FuzzSNPDifferential(f *testing.F) {
	seedSNP(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, _, err := snp.ParsePrefix(b)
		if err != nil {
			return
		}
		theirs, theirErr := oracle.ParseSNP(b[:snp.ReportSize])
		if theirErr != nil {
			return // go-sev-guest also rejects MBZ and reserved bits, which we leave to CheckReserved
		}
		if err := oracle.CompareSNP(r, theirs); err != nil {
			t.Fatal(err)
		}
	})
}
