// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// maxExpected caps the names of one expected-values document and the values
// of one name.
const maxExpected = 1024

// Expect builds a Document of expected values without a CoRIM: claim name →
// allowed values, the shape Trustee's reference value provider hands its
// policies. Names are any claim of CLAIMS.md and resolve as follows: a dotted
// name is a path from the root of verify's claims map ("quote.body.mr_td",
// "td_attributes.debug"); a flat name is a root claim ("report_data",
// "measurement", "debug") or, for TDX, a field of quote.body ("mr_td",
// "rtmr_1", "xfam"); a "tdx." or "snp." prefix restricts a name to one TEE.
// A name applies to every TEE that has it (report_data to both); a name
// neither has is ErrUnknownClaim.
//
// Values are strings: hex for digests and raw fields (a "0x" prefix and
// upper case are accepted; the length must be the field's), decimal (or 0x
// hex) for integers, "true"/"false" for flags, text for statuses. A claim
// holds when it equals one of its values; a list claim (advisory_ids) holds
// when each of its entries is one of the values.
func Expect(values map[string][]string) (*Document, error) {
	in := make(map[string][]any, len(values))
	for k, vs := range values {
		a := make([]any, len(vs))
		for i, v := range vs {
			a[i] = v
		}
		in[k] = a
	}
	return expect(in, "expected values", "expected values")
}

// expectJSON reads {"name": value | [values...]}: values are strings,
// numbers or booleans.
func expectJSON(data []byte, source string) (*Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %s: expected-values JSON: %v", ErrUnknownFormat, source, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: %s: data after the JSON object", ErrUnknownFormat, source)
	}
	in := make(map[string][]any, len(raw))
	for k, r := range raw {
		var v any
		d := json.NewDecoder(bytes.NewReader(r))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %v", ErrValue, source, k, err)
		}
		if a, ok := v.([]any); ok {
			in[k] = a
		} else {
			in[k] = []any{v}
		}
	}
	return expect(in, source, source)
}

func expect(in map[string][]any, source, key string) (*Document, error) {
	if len(in) > maxExpected {
		return nil, fmt.Errorf("%w: %s: %d names (at most %d)", ErrTooLarge, source, len(in), maxExpected)
	}
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	doc := &Document{Source: source, Format: "expected-values", References: []*Reference{}}
	refs := map[string]*Reference{}
	for _, name := range names {
		vals := in[name]
		if len(vals) == 0 {
			return nil, fmt.Errorf("%w: %s: %s: no values", ErrValue, source, name)
		}
		if len(vals) > maxExpected {
			return nil, fmt.Errorf("%w: %s: %s: %d values (at most %d)", ErrTooLarge, source, name, len(vals), maxExpected)
		}
		applied := false
		for _, tee := range []string{TDX, SNP, SE} {
			spec, ok := resolveClaim(tee, name)
			if !ok {
				continue
			}
			c, err := expectCheck(tee, spec, vals)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %s: %v", ErrValue, source, name, err)
			}
			c.Key = key
			r := refs[tee]
			if r == nil {
				r = &Reference{TEE: tee, Component: componentExpected, Source: source, Where: "expected values"}
				refs[tee] = r
				doc.References = append(doc.References, r)
			}
			r.Checks = append(r.Checks, c)
			applied = true
		}
		if !applied {
			return nil, fmt.Errorf("%w: %s: %q is a claim of none of tdx, snp, se (CLAIMS.md)", ErrUnknownClaim, source, name)
		}
	}
	return doc, nil
}

func expectCheck(tee string, spec claimSpec, vals []any) (Check, error) {
	c := Check{Claim: spec.path, Class: spec.class, path: splitPath(spec.path), byteAt: -1}
	switch spec.kind {
	case kHex:
		c.kind = ckHex
		for _, v := range vals {
			s, ok := v.(string)
			if !ok {
				return c, fmt.Errorf("want hex string, got %v", v)
			}
			h, err := normHex(s, spec.size)
			if err != nil {
				return c, err
			}
			c.strs = union(c.strs, []string{h})
		}
	case kInt:
		c.kind, c.num.op = ckNum, opIn
		for _, v := range vals {
			n, err := toInt(v)
			if err != nil {
				return c, err
			}
			c.num.set = union(c.num.set, []int64{n})
		}
	case kBool:
		c.kind = ckBool
		seen := map[bool]bool{}
		for _, v := range vals {
			b, err := toBool(v)
			if err != nil {
				return c, err
			}
			seen[b] = true
			c.flag = b
		}
		if len(seen) > 1 {
			return c, fmt.Errorf("both true and false allowed: give one")
		}
		c.Expected = strconv.FormatBool(c.flag)
		return c, nil
	case kStr, kList:
		c.kind = ckStr
		if spec.kind == kList {
			c.kind = ckStrList
		}
		for _, v := range vals {
			s, ok := v.(string)
			if !ok {
				return c, fmt.Errorf("want string, got %v", v)
			}
			c.strs = union(c.strs, []string{s})
		}
		if spec.kind == kList {
			c.Expected = "a subset of [" + strings.Join(c.strs, ", ") + "]"
			return c, nil
		}
	default:
		return c, fmt.Errorf("claim %s has no value of its own", spec.path)
	}
	c.Expected = expectedList(&c)
	return c, nil
}

// normHex lower-cases hex, strips a 0x prefix and checks the length.
func normHex(s string, size int) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "0x")
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("%q is not hex", s)
	}
	if size > 0 && len(b) != size {
		return "", fmt.Errorf("%d bytes, want %d", len(b), size)
	}
	return s, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.ParseInt(x.String(), 10, 64)
	case string:
		s := strings.TrimSpace(x)
		if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
			u, err := strconv.ParseUint(h, 16, 63)
			return int64(u), err
		}
		return strconv.ParseInt(s, 10, 64)
	}
	if i, ok := integer(v); ok {
		return i, nil
	}
	return 0, fmt.Errorf("want integer, got %v", v)
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return strconv.ParseBool(strings.TrimSpace(x))
	}
	return false, fmt.Errorf("want true or false, got %v", v)
}
