// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

var backquoted = regexp.MustCompile("`([A-Za-z0-9_.*-]+)`")

// documented are the names CLAIMS.md writes in backquotes, and the
// prefixes it writes as `name_*`.
func documented(doc string) (names map[string]bool, prefixes []string) {
	names = map[string]bool{}
	for _, m := range backquoted.FindAllStringSubmatch(doc, -1) {
		if strings.HasSuffix(m[1], "*") {
			prefixes = append(prefixes, strings.TrimSuffix(m[1], "*"))
			continue
		}
		names[m[1]] = true
	}
	return names, prefixes
}

// claimSections are the sections of CLAIMS.md whose claim tables
// documentedClaims reads: every claim a TDX or SEV-SNP verification emits.
var claimSections = []string{"## `tdx`", "## `snp`", "## Every TEE"}

// docClaim is a claim a table of CLAIMS.md names.
type docClaim struct {
	line        int  // of CLAIMS.md
	conditional bool // its row's "present" starts with "only"
}

// documentedClaims reads the claim tables of claimSections: tables whose
// first column is "claim". A row's first cell names claims in backquotes:
// `a.b.c`, `d` names a.b.c and a.b.d; `x_y_z`, `_w` names x_y_z and x_y_w;
// `rtmr_0` … `rtmr_3` names rtmr_0 to rtmr_3. A "present" cell that starts
// with "only" makes the row's claims conditional: a verification need not
// emit them.
func documentedClaims(t *testing.T, doc string) map[string]docClaim {
	t.Helper()
	out := map[string]docClaim{}
	section, present := "", -1
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "## ") {
			section, present = line, -1
			continue
		}
		if !strings.HasPrefix(line, "|") || !isClaimSection(section) {
			present = -1 // the end of a table
			continue
		}
		cells := splitRow(line)
		switch {
		case strings.TrimSpace(cells[0]) == "claim": // a claim table's header
			present = len(cells) // none
			for j, c := range cells {
				if strings.TrimSpace(c) == "present" {
					present = j
				}
			}
			continue
		case present < 0 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---"):
			continue
		}
		cond := present < len(cells) && strings.HasPrefix(strings.TrimSpace(cells[present]), "only")
		names, err := expandClaims(cells[0])
		if err != nil || len(names) == 0 {
			t.Errorf("CLAIMS.md:%d: %q names no claims: %v", i+1, cells[0], err)
		}
		for _, n := range names {
			if d, dup := out[n]; dup && d.conditional != cond {
				t.Errorf("CLAIMS.md:%d: %s is conditional on line %d, not here", i+1, n, d.line)
			}
			out[n] = docClaim{line: i + 1, conditional: cond}
		}
	}
	if len(out) < 100 {
		t.Fatalf("CLAIMS.md names %d claims in its tables: its layout changed?", len(out))
	}
	return out
}

func isClaimSection(s string) bool {
	for _, c := range claimSections {
		if s == c {
			return true
		}
	}
	return false
}

// splitRow splits a table row at the | that are not escaped.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|")
	var cells []string
	start := 0
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\':
			i++
		case line[i] == '|':
			cells = append(cells, line[start:i])
			start = i + 1
		}
	}
	return append(cells, line[start:])
}

var trailingDigits = regexp.MustCompile(`[0-9]+$`)

// expandClaims lists the claims a first cell names.
func expandClaims(cell string) ([]string, error) {
	var out []string
	dotted, underscored := "", ""
	idx := backquoted.FindAllStringSubmatchIndex(cell, -1)
	for i, m := range idx {
		n := cell[m[2]:m[3]]
		switch {
		case strings.Contains(n, "."):
			dotted = n[:strings.LastIndex(n, ".")+1]
		case strings.HasPrefix(n, "_"):
			if underscored == "" {
				return nil, fmt.Errorf("%s follows no name", n)
			}
			n = underscored + n[1:]
		case dotted != "":
			n = dotted + n
		}
		if !strings.HasPrefix(cell[m[2]:m[3]], "_") {
			underscored = n[:strings.LastIndex(n, "_")+1]
		}
		if i > 0 && strings.Contains(cell[idx[i-1][1]:m[0]], "…") { // a range
			first := out[len(out)-1]
			from, _ := strconv.Atoi(trailingDigits.FindString(first))
			to, err := strconv.Atoi(trailingDigits.FindString(n))
			stem := strings.TrimSuffix(n, trailingDigits.FindString(n))
			if err != nil || stem != strings.TrimSuffix(first, trailingDigits.FindString(first)) || to <= from {
				return nil, fmt.Errorf("bad range %s … %s", first, n)
			}
			width := len(trailingDigits.FindString(n))
			for k := from + 1; k < to; k++ {
				out = append(out, fmt.Sprintf("%s%0*d", stem, width, k))
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// flatten lists a claims map's keys as dotted paths.
func flatten(prefix string, m map[string]any, out map[string]bool) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = true
	}
}

// claimsDocRun is one verification of TestClaimsDocumented.
type claimsDocRun struct {
	name string
	run  func(t *testing.T) (*verify.Result, error)
}

// claimsDocRuns are TestClaimsDocumented's verifications: between them,
// every TDX and SEV-SNP claim CLAIMS.md does not mark "only". Azure vTPM
// evidence when the shared vectors are there.
func claimsDocRuns(t *testing.T) []claimsDocRun {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	bytesRun := func(name string, raw []byte, opts verify.Options) claimsDocRun {
		return claimsDocRun{name, func(*testing.T) (*verify.Result, error) {
			return verify.Evidence(context.Background(), raw, opts)
		}}
	}
	genRun := func(id string) claimsDocRun {
		return claimsDocRun{id, func(t *testing.T) (*verify.Result, error) {
			raw, opts := generated(t, id)
			opts.AllowDebug = true
			return verify.Evidence(context.Background(), raw, opts)
		}}
	}
	runs := []claimsDocRun{
		bytesRun("go-tdx-guest v4 (a trailing newline)", gtdata.RawQuote, verify.Options{Offline: true, Time: at}),
		bytesRun("go-tdx-guest v5", gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at}),
		genRun("tdx-v4-platform-uptodate"),
		genRun("tdx-v4-processor-uptodate"),
		genRun("tdx-v5-td15-uptodate"),
		genRun("snp-turin-v5-vcek"),
		genRun("snp-genoa-v3-vcek"),
		{"configfs-tsm directory of the v5 quote", func(t *testing.T) (*verify.Result, error) {
			dir := t.TempDir()
			for name, b := range map[string][]byte{"outblob": gtdata.RawQuoteV5, "provider": []byte("tdx_guest\n"), "generation": []byte("1\n")} {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return verify.New(verify.Options{Offline: true, Time: at}).EvidenceDir(context.Background(), dir)
		}},
		{"go-sev-guest Milan v2", func(t *testing.T) (*verify.Result, error) {
			col := writeTemp(t, "vcek.der", gsgdata.VcekBytes)
			return verify.Evidence(context.Background(), gsgdata.AttestationBytes, verify.Options{Offline: true, AllowDebug: true,
				Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Collateral: []string{col}})
		}},
	}
	if vectors.Dir() != "" { // Azure vTPM evidence, passed whole
		for _, c := range azureCases(t)[:1] {
			runs = append(runs, claimsDocRun{c.ID, func(t *testing.T) (*verify.Result, error) {
				return verify.Evidence(context.Background(), vectors.Read(t, c.Evidence), verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t)})
			}})
		}
	}
	return runs
}

// TestClaimsDocumented checks CLAIMS.md against the claims verifications
// emit (the annotated evidence of their EARs), both ways. It fails when a
// verification emits a claim CLAIMS.md does not name (a claim added or
// renamed without documenting it), and when a TDX or SEV-SNP claim its
// tables name is emitted by none of the verifications unless its row says
// it is present "only" in cases they do not reach (a claim dropped or
// renamed, a stale or misspelt name). A TDX or SEV-SNP verification's claims
// must each be named in the tables of the tdx, snp and Every TEE sections;
// others' (Azure's tpm.pcrNN, hcl_vm_configuration.*) anywhere in
// backquotes, by their full path or last element, their numbered family's
// first and last, or a `prefix_*`.
func TestClaimsDocumented(t *testing.T) {
	b, err := os.ReadFile("../CLAIMS.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	table := documentedClaims(t, doc)
	names, prefixes := documented(doc)
	for n := range table {
		names[n] = true
	}
	emitted := map[string]bool{}        // every run's
	undocumented := map[string]string{} // claim: the first run that emitted it
	var loose []string                  // emitted, named nowhere
	for _, run := range claimsDocRuns(t) {
		r, _ := run.run(t)
		if r == nil || r.Format == "" {
			t.Fatalf("%s: no verdict", run.name)
		}
		keys := map[string]bool{}
		flatten("", *r.EAR().Submods[string(r.Format)].VeraisonAnnotatedEvidence, keys)
		if len(keys) < 20 {
			t.Errorf("%s: %d claims: %v", run.name, len(keys), r.Reasons)
		}
		strict := r.Format == verify.FormatTDX || r.Format == verify.FormatSNP
		for k := range keys {
			emitted[k] = true
			if _, seen := undocumented[k]; strict && !seen && !inTable(k, table) {
				undocumented[k] = run.name
			}
			if !strict && !looselyDocumented(k, names, prefixes) {
				loose = append(loose, k)
			}
		}
	}
	var missing []string
	for k, run := range undocumented {
		missing = append(missing, fmt.Sprintf("%s (%s)", k, run))
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("claims emitted (by the run named) that no claim table of CLAIMS.md's %s names: %s", strings.Join(claimSections, ", "), strings.Join(missing, ", "))
	}
	sort.Strings(loose)
	if len(loose) > 0 {
		t.Errorf("claims emitted but not named in CLAIMS.md: %s", strings.Join(loose, ", "))
	}

	var stale []string
	for n, d := range table {
		if !emitted[n] && !d.conditional {
			stale = append(stale, fmt.Sprintf("%s (line %d)", n, d.line))
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("CLAIMS.md names claims no verification emitted (mark the row's present \"only …\" if that is right): %s", strings.Join(stale, ", "))
	}
	t.Logf("%d claims emitted, %d named in CLAIMS.md's claim tables", len(emitted), len(table))
}

// inTable reports whether a claim table names k, or an object claim that
// holds it (eventlog: the Event log section lists its fields).
func inTable(k string, table map[string]docClaim) bool {
	if _, ok := table[k]; ok {
		return true
	}
	for i := range len(k) {
		if _, ok := table[k[:i]]; ok && k[i] == '.' {
			return true
		}
	}
	return false
}

var digits = regexp.MustCompile(`[0-9]+$`)

// looselyDocumented reports whether CLAIMS.md names claim k somewhere: by
// its full path or, in the tables that list a structure's fields, by its
// last element; an object claim documented as a whole
// (hcl_vm_configuration: the VM configuration Azure writes) covers its
// fields; numbered families (tpm.pcr00 …) by their first and last.
func looselyDocumented(k string, names map[string]bool, prefixes []string) bool {
	last := k[strings.LastIndex(k, ".")+1:]
	if names[k] || names[last] {
		return true
	}
	for i := range len(k) {
		if k[i] == '.' && names[k[:i]] {
			return true
		}
	}
	for _, p := range prefixes {
		if strings.HasPrefix(k, p) || strings.HasPrefix(last, p) {
			return true
		}
	}
	stem := digits.ReplaceAllString(k, "")
	if stem == k {
		return false
	}
	for n := range names {
		if strings.HasPrefix(n, stem) || strings.HasPrefix(n, digits.ReplaceAllString(last, "")) && digits.MatchString(n) {
			return true
		}
	}
	return false
}
