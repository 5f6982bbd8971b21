// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"testing"

	"github.com/ccverify/ccverify/certs/azure"
)

// BenchmarkVerify measures the binding proof of real az-snp-vtpm evidence
// (one RSA-2048 verification, three SHA-256 hashes, the parses).
func BenchmarkVerify(b *testing.B) {
	e := azCases(b)[0].ev
	b.ReportAllocs()
	for b.Loop() {
		if _, err := azure.Verify(e, nil); err != nil {
			b.Fatal(err)
		}
	}
}
