// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLightImports: a program importing verify links no policy engine (OPA
// lives in policy/rego, which the CLI wires in).
func TestLightImports(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/ccverify/ccverify/verify").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/open-policy-agent/") || strings.HasPrefix(p, "github.com/ccverify/ccverify/policy/") {
			t.Errorf("verify depends on %s", p)
		}
	}
}
