// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// FuzzCollateral checks that no blob panics the content recognizer, the
// endorsement parser or VerifyReport, and that nothing fuzzed verifies the
// go-sev-guest report except its real VCEK.
func FuzzCollateral(f *testing.F) {
	f.Add(gsgtestdata.VcekBytes)
	f.Add(gsgtestdata.MilanVlekBytes)
	f.Add(pemBlock("CERTIFICATE", amd.ASK(snp.Milan).Raw))
	r, _ := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize])
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = amd.ParseEndorsement(b)
		col, err := amd.ParseCollateral(b)
		if err != nil {
			return
		}
		if _, err := amd.VerifyReport(r, col, &amd.Options{Now: at}); err == nil && string(col.VCEK) != string(gsgtestdata.VcekBytes) {
			t.Fatal("a fuzzed VCEK verified the report")
		}
	})
}
