// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package vectors

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Case is one entry of cases.json: real evidence, the collateral that verifies
// it, the one time at which all of it is valid, and the expected outcome.
type Case struct {
	ID               string            `json:"id"`
	Evidence         string            `json:"evidence"`
	EvidenceEncoding string            `json:"evidence_encoding"`
	Collateral       []string          `json:"collateral"`
	At               time.Time         `json:"at"`
	Expect           Expect            `json:"expect"`
	Facts            map[string]any    `json:"facts"`
	CollateralRoles  map[string]string `json:"collateral_roles"`
	// Container, when set, names the container the evidence file is (e.g.
	// trustee-az-snp-vtpm): the file is passed whole, not decoded.
	Container string `json:"container"`
}

// Expect is a case's expected outcome.
type Expect struct {
	Verifies  bool   `json:"verifies"`
	TCBStatus string `json:"tcb_status"`
	Debug     bool   `json:"debug"`
	Failure   string `json:"failure"`
	// Status, when set, is the EAR status the case must get (affirming,
	// warning, contraindicated).
	Status string `json:"status"`
	// RevocationChecked, when set, says whether the case's collateral lets
	// revocation be checked.
	RevocationChecked *bool `json:"revocation_checked"`
}

// Fact returns the case's fact named k as a string ("" when absent).
func (c Case) Fact(k string) string {
	switch v := c.Facts[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// Cases returns the cases of cases.json whose id starts with prefix, or skips t
// when the vectors are absent.
func Cases(t testing.TB, prefix string) []Case {
	t.Helper()
	var all []Case
	if err := json.Unmarshal(Read(t, "cases.json"), &all); err != nil {
		t.Fatalf("vectors: cases.json: %v", err)
	}
	var out []Case
	for _, c := range all {
		if strings.HasPrefix(c.ID, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// EvidenceBytes reads and decodes the case's evidence.
func (c Case) EvidenceBytes(t testing.TB) []byte {
	t.Helper()
	raw, err := Decode(Read(t, c.Evidence), c.EvidenceEncoding)
	if err != nil {
		t.Fatalf("vectors: %s: %v", c.ID, err)
	}
	return raw
}

// CollateralPaths returns the absolute paths of the case's collateral files.
func (c Case) CollateralPaths(t testing.TB) []string {
	t.Helper()
	d := Need(t)
	var ps []string
	for _, p := range c.Collateral {
		ps = append(ps, filepath.Join(d, filepath.FromSlash(p)))
	}
	return ps
}

// Decode applies a cases.json evidence encoding: steps separated by "|", each
// one of raw, "raw(first N bytes)", hex, base64, "offset:N" or "json:a.b".
func Decode(raw []byte, enc string) ([]byte, error) {
	if enc == "" {
		return raw, nil
	}
	for _, step := range strings.Split(enc, "|") {
		switch {
		case step == "raw":
		case strings.HasPrefix(step, "raw(first "):
			f := strings.Fields(strings.TrimPrefix(step, "raw(first "))
			n, err := strconv.Atoi(strings.TrimSuffix(f[0], ")"))
			if err != nil || n > len(raw) {
				return nil, fmt.Errorf("bad step %q", step)
			}
			raw = raw[:n]
		case step == "hex":
			s := strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x")
			b, err := hex.DecodeString(s)
			if err != nil {
				return nil, err
			}
			raw = b
		case step == "base64":
			s := strings.TrimSpace(string(raw))
			s = strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
			b, err := base64.RawURLEncoding.DecodeString(s)
			if err != nil {
				return nil, err
			}
			raw = b
		case strings.HasPrefix(step, "offset:"):
			n, err := strconv.Atoi(strings.TrimPrefix(step, "offset:"))
			if err != nil || n > len(raw) {
				return nil, fmt.Errorf("bad step %q", step)
			}
			raw = raw[n:]
		case strings.HasPrefix(step, "json:"):
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, err
			}
			for _, k := range strings.Split(strings.TrimPrefix(step, "json:"), ".") {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("step %q: not an object", step)
				}
				v = m[k]
			}
			switch x := v.(type) {
			case string:
				raw = []byte(x)
			case []any:
				b := make([]byte, len(x))
				for i, e := range x {
					f, ok := e.(float64)
					if !ok {
						return nil, fmt.Errorf("step %q: not a byte array", step)
					}
					b[i] = byte(f)
				}
				raw = b
			default:
				return nil, fmt.Errorf("step %q: unexpected %T", step, v)
			}
		default:
			return nil, fmt.Errorf("unknown encoding step %q", step)
		}
	}
	return raw, nil
}
