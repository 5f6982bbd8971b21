// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/ccverify/ccverify/certs/azure"
	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/internal/vectors"
)

// FuzzVerify feeds Verify arbitrary HCL reports, quotes and signatures with
// the PCR values of real (or synthetic) evidence. No input may panic, and
// whatever verifies must hold what Verify promises: REPORT_DATA[0:32] is
// SHA-256 of the runtime data and the PCR values hash to the quote's digest.
func FuzzVerify(f *testing.F) {
	pcrs := build(nil, spec{}).PCRs
	seed := func(e azure.Evidence) { f.Add(e.HCLReport, e.TPMMessage, e.TPMSignature, e.TDQuote) }
	seed(build(nil, spec{}))
	seed(build(nil, spec{typ: evazure.ReportTypeTDX}))
	if vectors.Dir() != "" {
		for _, c := range azCases(f) {
			seed(c.ev)
		}
	}
	f.Fuzz(func(t *testing.T, hcl, msg, sig, td []byte) {
		e := azure.Evidence{HCLReport: hcl, TPMMessage: msg, TPMSignature: sig, PCRs: pcrs, TDQuote: td}
		r, err := azure.Verify(e, nil)
		if err != nil {
			return
		}
		sum := sha256.Sum256(r.HCL.RuntimeData())
		var rd []byte
		if r.ReportType == evazure.ReportTypeSNP {
			rd = r.SNPReport.ReportData()
		} else {
			rd = r.TDQuote.Body().ReportData()
		}
		if !bytes.Equal(rd[:32], sum[:]) {
			t.Fatal("verified without the binding")
		}
		if len(r.PCRs) != len(r.Quote.Attest.SelectedPCRs()) {
			t.Fatal("verified PCRs that do not pair")
		}
		_ = r.Claims()
	})
}
