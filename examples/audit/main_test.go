// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"
)

// TestAudit runs the README's first command and checks what it prints: both
// real quotes verify to the Intel root, and neither is affirmed without
// collateral.
func TestAudit(t *testing.T) {
	var out strings.Builder
	if code := run(&out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"RawQuote (TDX quote v4", "RawQuoteV5 (TDX quote v5",
		"quote signature chain verifies to the Intel SGX Root CA",
		"FMSPC 50806f000000", "FMSPC 90c06f000000",
		"39 bytes after the quote are not covered by its signature",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "verdict: affirming") {
		t.Errorf("affirmed without collateral:\n%s", s)
	}
}
