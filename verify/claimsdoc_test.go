// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// documented are the names CLAIMS.md writes in backquotes, and the
// prefixes it writes as `name_*`.
func documented(t *testing.T) (names map[string]bool, prefixes []string) {
	b, err := os.ReadFile("../CLAIMS.md")
	if err != nil {
		t.Fatal(err)
	}
	names = map[string]bool{}
	for _, m := range regexp.MustCompile("`([A-Za-z0-9_.*-]+)`").FindAllStringSubmatch(string(b), -1) {
		if strings.HasSuffix(m[1], "*") {
			prefixes = append(prefixes, strings.TrimSuffix(m[1], "*"))
			continue
		}
		names[m[1]] = true
	}
	return names, prefixes
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

// TestClaimsDocumented fails when a verification emits a claim CLAIMS.md
// does not name: adding or renaming a claim without documenting it. A
// nested claim is documented by its full path or, in the tables that list a
// structure's fields, by its last element; numbered families (rtmr_0 …
// rtmr_3, tpm.pcr00 …) by their first and last.
func TestClaimsDocumented(t *testing.T) {
	names, prefixes := documented(t)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	keys := map[string]bool{}
	for _, raw := range [][]byte{gtdata.RawQuote, gtdata.RawQuoteV5} {
		r, _ := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at})
		flatten("", r.Claims, keys)
	}
	col := writeTemp(t, "vcek.der", gsgdata.VcekBytes)
	r, _ := verify.Evidence(context.Background(), gsgdata.AttestationBytes, verify.Options{Offline: true, AllowDebug: true,
		Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Collateral: []string{col}})
	flatten("", r.Claims, keys)
	raw, opts := generated(t, "tdx-v5-td15-uptodate")
	r, _ = verify.Evidence(context.Background(), raw, opts)
	flatten("", r.Claims, keys)
	if vectors.Dir() != "" { // Azure vTPM evidence, passed whole
		for _, c := range azureCases(t)[:1] {
			r, _ = verify.Evidence(context.Background(), vectors.Read(t, c.Evidence), verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t)})
			flatten("", r.Claims, keys)
		}
	}

	digits := regexp.MustCompile(`[0-9]+$`)
	var missing []string
	for k := range keys {
		last := k[strings.LastIndex(k, ".")+1:]
		ok := names[k] || names[last]
		// An object claim documented as a whole (hcl_vm_configuration: the
		// VM configuration Azure writes) covers its fields.
		for i := range len(k) {
			ok = ok || k[i] == '.' && names[k[:i]]
		}
		for _, p := range prefixes {
			ok = ok || strings.HasPrefix(k, p) || strings.HasPrefix(last, p)
		}
		if !ok {
			// A numbered family: the first and the last member are named.
			stem := digits.ReplaceAllString(k, "")
			for n := range names {
				if stem != k && strings.HasPrefix(n, stem) || stem != k && strings.HasPrefix(n, digits.ReplaceAllString(last, "")) && digits.MatchString(n) {
					ok = true
					break
				}
			}
		}
		if !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("claims emitted but not named in CLAIMS.md: %s", strings.Join(missing, ", "))
	}
	t.Logf("%d claims checked against CLAIMS.md", len(keys))
}
