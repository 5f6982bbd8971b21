// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package vectors locates the shared real test vectors (../shared/vectors from
// the module root, or $CCVERIFY_VECTORS) for tests, which skip cleanly when the
// folder is absent. Nothing from that folder is copied into the repository.
package vectors

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared vectors directory, or "" when it cannot be found.
func Dir() string {
	if d := os.Getenv("CCVERIFY_VECTORS"); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			v := filepath.Join(d, "..", "shared", "vectors")
			if isDir(v) {
				return v
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Need returns the shared vectors directory, or skips t when it is absent.
func Need(t testing.TB) string {
	t.Helper()
	d := Dir()
	if d == "" {
		t.Skip("shared vectors absent (../shared/vectors from the module root, or $CCVERIFY_VECTORS): skipping")
	}
	return d
}

// Read returns the file at rel (a path under the vectors directory), or skips t
// when the vectors are absent. A missing file inside a present folder fails t.
func Read(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Need(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("vectors: %v", err)
	}
	return b
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
