// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// ManifestFile is the manifest's name in the data directory.
const ManifestFile = "manifest.json"

// Manifest lists every generated case with its expected outcome. Paths are
// relative to the manifest's directory, with forward slashes.
type Manifest struct {
	// Seed is the seed the files were generated from.
	Seed string `json:"seed"`
	// Note says how to regenerate the files.
	Note  string `json:"note"`
	Cases []Case `json:"cases"`
}

// Case is one piece of evidence, what to verify it with, and what must come out.
type Case struct {
	ID          string `json:"id"`
	TEE         string `json:"tee"` // "tdx" or "snp"
	Description string `json:"description"`
	// Evidence is the raw evidence file: a TDX quote or an SNP report.
	Evidence string `json:"evidence"`
	// Collateral lists files and directories of collateral (recognized by content).
	Collateral []string `json:"collateral,omitempty"`
	// At is the verification time.
	At time.Time `json:"at"`
	// Roots are the trust anchors to use instead of the pinned vendor roots.
	Roots   Roots   `json:"roots"`
	Options Options `json:"options,omitzero"`
	Expect  Expect  `json:"expect"`
}

// Roots are PEM files of test roots: Intel roots replace the pinned Intel SGX
// Root CA (verify.Options.Intel.Roots, --intel-root); AMD ARKs are added to the
// pinned ones (amd.Options.ExtraARKs).
type Roots struct {
	Intel string `json:"intel,omitempty"`
	AMD   string `json:"amd,omitempty"`
}

// Options are the verification options a case needs beyond the defaults
// (offline, the case's time and roots).
type Options struct {
	AllowDebug             bool `json:"allow_debug,omitempty"`
	RequireCRLs            bool `json:"require_crls,omitempty"`
	RequireCollateral      bool `json:"require_collateral,omitempty"`
	AllowExpiredCollateral bool `json:"allow_expired_collateral,omitempty"`
	StrictTrailingData     bool `json:"strict_trailing_data,omitempty"`
	// DenyDebug refuses debug SNP guests (amd.Policy.DenyDebug).
	DenyDebug bool `json:"deny_debug,omitempty"`
	// MinimumTCB is amd.Policy.MinimumTCB: component name → SPL
	// (bootloader, tee, snp, microcode, fmc).
	MinimumTCB map[string]int `json:"minimum_tcb,omitempty"`
	// AllowMaskedChipID is amd.Options.AllowMaskedChipID.
	AllowMaskedChipID bool `json:"allow_masked_chip_id,omitempty"`
}

// Expect is a case's expected outcome.
type Expect struct {
	// Status is the EAR status: affirming, warning or contraindicated
	// (absent for SNP cases, whose verdict the runner takes from certs/amd).
	Status string `json:"status,omitempty"`
	// Errors are the sentinel errors the failure must wrap, named
	// package.Name (intel.ErrRevoked, verify.ErrCollateral, amd.ErrChain, …);
	// empty when the evidence verifies.
	Errors []string `json:"errors,omitempty"`
	// Message is a piece of the error's text that names what failed (the
	// certificate, collateral piece or field), so that a case fails for its
	// stated reason and not another one wrapping the same sentinels.
	Message string `json:"message,omitempty"`
	// TCBStatus is Intel's TCB status (claim tcb_status), when evaluated.
	TCBStatus string `json:"tcb_status,omitempty"`
	// Claims are claims the verdict must carry, by dotted path, with their values.
	Claims map[string]any `json:"claims,omitempty"`
}

// Set is a generation: the files, by path relative to the data directory,
// and the manifest.
type Set struct {
	Files    map[string][]byte
	Manifest Manifest
}

// ManifestJSON renders the manifest as committed: indented, one case per block.
func (s *Set) ManifestJSON() []byte {
	b, err := json.MarshalIndent(s.Manifest, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// Write writes the files and the manifest under dir, removing nothing.
func (s *Set) Write(dir string) error {
	for _, p := range s.Paths() {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, s.Files[p], 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), s.ManifestJSON(), 0o644)
}

// Paths returns the file paths in lexical order.
func (s *Set) Paths() []string {
	ps := make([]string, 0, len(s.Files))
	for p := range s.Files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// Diff compares the set with a directory written by [Set.Write] and returns
// the differences (files changed, missing or extra), or nil.
func (s *Set) Diff(dir string) []string {
	var out []string
	want := map[string][]byte{ManifestFile: s.ManifestJSON()}
	for p, b := range s.Files {
		want[p] = b
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		b, ok := want[rel]
		switch {
		case !ok:
			out = append(out, "extra file "+rel)
		default:
			got, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(got, b) {
				out = append(out, fmt.Sprintf("%s differs (%d bytes committed, %d generated)", rel, len(got), len(b)))
			}
			delete(want, rel)
		}
		return nil
	})
	for p := range want {
		out = append(out, "missing file "+p)
	}
	sort.Strings(out)
	return out
}

// Load reads the manifest of a data directory.
func Load(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("testvectors: %s: %v", ManifestFile, err)
	}
	return &m, nil
}
