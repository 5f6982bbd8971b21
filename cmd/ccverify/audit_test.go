// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestFromList: --from-list streams the listed files through the workers
// and reports them in list order, whatever order the workers finish in.
func TestFromList(t *testing.T) {
	dir := t.TempDir()
	var list strings.Builder
	list.WriteString("# audit list\n\n")
	const n = 60
	for i := range n {
		raw := gtdata.RawQuoteV5
		if i%3 == 1 {
			raw = gtdata.RawQuote
		}
		if i%7 == 3 {
			raw = []byte("not a quote, a note")
		}
		fmt.Fprintln(&list, write(t, dir, fmt.Sprintf("q%03d", i), raw))
	}
	lp := write(t, dir, "list.txt", []byte(list.String()))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "4", "--from-list", lp)
	if code != exitUsage { // the notes in the list are named files that are not evidence
		t.Errorf("exit %d, want %d\n%s", code, exitUsage, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	prev := ""
	for _, l := range lines {
		var m struct{ Path string }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if m.Path <= prev {
			t.Fatalf("out of order: %s after %s", m.Path, prev)
		}
		prev = m.Path
	}
	notes := 0
	for i := range n {
		if i%7 == 3 {
			notes++
		}
	}
	if len(lines) != n-notes || !strings.Contains(errs, fmt.Sprintf("%d file(s): 0 affirming, %d warning, 0 contraindicated or failed, %d unreadable or not evidence", n, n-notes, notes)) {
		t.Errorf("%d lines, summary: %s", len(lines), errs)
	}
	if code, _, errs := runCLI("verify", "--from-list", lp, filepath.Join(dir, "q000")); code != exitUsage || !strings.Contains(errs, "not both") {
		t.Errorf("files and --from-list: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI("verify", "--from-list", filepath.Join(dir, "nope")); code != exitUsage || !strings.Contains(errs, "--from-list") {
		t.Errorf("missing list: exit %d %s", code, errs)
	}
}
