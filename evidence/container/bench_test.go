// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
)

// BenchmarkUnwrap measures unwrapping Trustee's az-snp-vtpm v2 evidence and
// v0 evidence (JSON byte arrays).
func BenchmarkUnwrap(b *testing.B) {
	for _, name := range []string{"evidence-v2.json", "evidence-v0.json"} {
		raw := vectors.Read(b, "snp/confidential-containers-trustee/az-snp-vtpm/"+name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := container.Unwrap(raw, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
