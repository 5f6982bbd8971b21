// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package fuzz

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// generatedDir is the committed generated vectors (testvectors/data).
const generatedDir = "../testvectors/data"

// generatedCases returns the manifest's cases, or none when it cannot be read.
func generatedCases(f *testing.F) []testvectors.Case {
	m, err := testvectors.Load(generatedDir)
	if err != nil {
		f.Logf("generated vectors: %v", err)
		return nil
	}
	return m.Cases
}

func readGenerated(f *testing.F, rel string) []byte {
	b, err := os.ReadFile(filepath.Join(generatedDir, filepath.FromSlash(rel)))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// seedGenerated adds the evidence of every generated case of the given TEE
// ("" for all): positives, and negatives that fail deep in verification.
func seedGenerated(f *testing.F, tee string) {
	for _, c := range generatedCases(f) {
		if tee == "" || c.TEE == tee {
			f.Add(readGenerated(f, c.Evidence))
		}
	}
}

// seedSNP adds every SNP report: go-sev-guest's, the shared vectors' and the
// generated ones.
func seedSNP(f *testing.F) {
	f.Add(gsgtestdata.AttestationBytes)
	if vectors.Dir() != "" {
		for _, c := range vectors.Cases(f, "snp-") {
			f.Add(c.EvidenceBytes(f))
		}
	}
	seedGenerated(f, "snp")
}
