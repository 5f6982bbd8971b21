// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
)

// vcase is one snp-* case of ../shared/vectors/cases.json.
type vcase struct {
	ID         string            `json:"id"`
	Evidence   string            `json:"evidence"`
	Encoding   string            `json:"evidence_encoding"`
	Collateral []string          `json:"collateral"`
	Roles      map[string]string `json:"collateral_roles"`
	At         string            `json:"at"`
	Expect     map[string]any    `json:"expect"`
	Facts      map[string]any    `json:"facts"`
	report     []byte
}

// snpCases returns the snp-* cases with their reports decoded, or skips t.
func snpCases(t testing.TB) []vcase {
	t.Helper()
	dir := vectors.Need(t)
	var all []vcase
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &all); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	var out []vcase
	for _, c := range all {
		if !strings.HasPrefix(c.ID, "snp-") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Evidence)))
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		c.report = decodeEvidence(t, c.ID, b, c.Encoding)
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatal("cases.json has no snp-* case")
	}
	return out
}

// decodeEvidence applies an evidence_encoding such as "json:hcl_report|base64|offset:32".
func decodeEvidence(t testing.TB, id string, b []byte, enc string) []byte {
	if enc == "" {
		return b
	}
	for _, step := range strings.Split(enc, "|") {
		switch {
		case strings.HasPrefix(step, "json:"):
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			raw := m[strings.TrimPrefix(step, "json:")]
			var arr []int
			var s string
			if json.Unmarshal(raw, &arr) == nil {
				b = make([]byte, len(arr))
				for i, v := range arr {
					b[i] = byte(v)
				}
			} else if json.Unmarshal(raw, &s) == nil {
				b = []byte(s)
			} else {
				t.Fatalf("%s: field %s is neither a byte array nor a string", id, step)
			}
		case step == "base64":
			b = decodeBase64(t, id, string(b))
		case strings.HasPrefix(step, "offset:"):
			n, err := strconv.Atoi(strings.TrimPrefix(step, "offset:"))
			if err != nil || n > len(b) {
				t.Fatalf("%s: bad step %q", id, step)
			}
			b = b[n:]
		default:
			t.Fatalf("%s: unknown evidence encoding step %q", id, step)
		}
	}
	return b
}

func decodeBase64(t testing.TB, id, s string) []byte {
	s = strings.TrimSpace(s)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(s); err == nil {
			return b
		}
	}
	t.Fatalf("%s: not base64", id)
	return nil
}
