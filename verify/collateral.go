// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
)

// UnrecognizedCollateral names the files of Options.Collateral (given
// directly or found in a given directory) that no vendor package recognizes
// as collateral. They are skipped when verifying; a caller should say so,
// since a misplaced or mistyped file leaves a check without its input.
func (v *Verifier) UnrecognizedCollateral() ([]string, error) {
	var out []string
	for _, p := range v.opts.Collateral {
		files, err := collateralFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if !isCollateral(b) {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// collateralFiles lists path, or the regular, non-hidden files directly in
// it when it is a directory: what the vendor packages' loaders read.
func collateralFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// isCollateral reports whether Intel's or AMD's loader takes b.
func isCollateral(b []byte) bool {
	if err := new(intel.Collateral).Add(b); err == nil || !errors.Is(err, intel.ErrNotCollateral) {
		return true // Intel's (a malformed piece of it fails loading, with its name)
	}
	return new(amd.Collateral).Add(b) == nil
}
