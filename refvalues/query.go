// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ccverify/ccverify/evidence/snp"
)

// Trustee's names of the Azure vTPM submodules, whose claims are judged by
// the SNP and TDX references (CLAIMS.md).
const (
	AzSNPvTPM = "az-snp-vtpm"
	AzTDXvTPM = "az-tdx-vtpm"
)

// rvAlias is a Trustee reference-value id that is not a claim name: the
// claim it stands for and whether Trustee's default CPU policy compares it
// with == (a single value) rather than with in (a list).
type rvAlias struct {
	claim  string
	scalar bool
}

// rvAliases are the ids of Trustee's default CPU policy
// (attestation-service/src/ear_token/ear_default_policy_cpu.rego) that are
// not claim names, by the submodule they are asked for. Ids that are claim
// names (mr_td, rtmr_1, xfam, mr_seam, measurement, ...) need no alias.
var rvAliases = map[string]map[string]rvAlias{
	TDX: {
		// The TDVF kernel and its load options, compared with == with each
		// event's digest: the event log's digests of them.
		"tdvfkernel":       {"eventlog.kernel", true},
		"tdvfkernelparams": {"eventlog.kernel_cmdline_digest", true},
	},
	SNP: {
		"snp_launch_measurement": {"measurement", false},
		"snp_bootloader":         {"reported_tcb_bootloader", false},
		"snp_microcode":          {"reported_tcb_microcode", false},
		"snp_snp_svn":            {"reported_tcb_snp", false},
		"snp_tee_svn":            {"reported_tcb_tee", false},
		"snp_smt_enabled":        {"platform_smt_enabled", true},
		"snp_tsme_enabled":       {"platform_tsme_enabled", true},
		"snp_guest_abi_major":    {"policy_abi_major", true},
		"snp_guest_abi_minor":    {"policy_abi_minor", true},
		"snp_single_socket":      {"policy_single_socket", true},
		"snp_smt_allowed":        {"policy_smt_allowed", true},
	},
	AzSNPvTPM: {
		"tcb_bootloader": {"reported_tcb_bootloader", false},
		"tcb_microcode":  {"reported_tcb_microcode", false},
		"tcb_snp":        {"reported_tcb_snp", false},
		"tcb_tee":        {"reported_tcb_tee", false},
		"smt_enabled":    {"platform_smt_enabled", false},
		"tsme_enabled":   {"platform_tsme_enabled", false},
		"abi_major":      {"policy_abi_major", false},
		"abi_minor":      {"policy_abi_minor", false},
		"single_socket":  {"policy_single_socket", false},
		"smt_allowed":    {"policy_smt_allowed", false},
	},
}

// refTEE is the TEE whose references judge submodule tee.
func refTEE(tee string) string {
	switch tee {
	case AzSNPvTPM:
		return SNP
	case AzTDXvTPM:
		return TDX
	}
	return tee
}

// resolveRVID resolves a reference-value id asked for by a policy on
// submodule tee to a claim path of refTEE(tee).
func resolveRVID(tee, id string) (claim string, scalar, ok bool) {
	if a, found := rvAliases[tee][id]; found {
		return a.claim, a.scalar, true
	}
	spec, found := resolveClaim(refTEE(tee), id)
	if !found || spec.kind == kMap {
		return "", false, false
	}
	return spec.path, false, true
}

// Query returns the reference values a Trustee policy evaluating submodule
// tee ("tdx", "snp", "se", "az-snp-vtpm", "az-tdx-vtpm") expects under id,
// as Trustee's reference value provider would return them, and false when s
// states nothing about it.
//
// An id is a claim name, resolved as [Expect] resolves names ("mr_td",
// "quote.body.rtmr_1", "measurement", "reported_tcb_snp", "snp.chip_id"),
// or one of the ids of Trustee's default CPU policy that are not claim
// names (snp_launch_measurement, snp_bootloader, snp_microcode, snp_snp_svn,
// snp_tee_svn, snp_smt_enabled, snp_tsme_enabled, snp_guest_abi_major,
// snp_guest_abi_minor, snp_single_socket, snp_smt_allowed; tdvfkernel,
// tdvfkernelparams; for az-snp-vtpm tcb_bootloader, ..., smt_allowed).
// The Azure submodules are judged by the SNP and TDX references; for
// az-snp-vtpm the values are encoded as Trustee's Azure verifier writes
// the claims: the policy_*, platform_* and reported_tcb_* fields as text
// ("3", "false"), MEASUREMENT in standard base64.
//
// Values are encoded as the claims are (CLAIMS.md): lower-case hex strings
// for digests and raw fields, integers (int64) for SVNs and versions,
// booleans for flags, strings for text. The result is a list ([]any), as
// RVPS stores values for the ids policies test with "in", except for the
// ids Trustee's default policy compares with "==" (snp_smt_enabled,
// snp_tsme_enabled, snp_guest_abi_major, snp_guest_abi_minor,
// snp_single_socket, snp_smt_allowed, tdvfkernel, tdvfkernelparams), which
// give their one value alone; with several values (or none) these too are
// a list, which equals no claim.
//
// The values are those a claim may take for s to hold on that claim alone:
// within a component (td, snp-guest, expected values, ...) the union over
// its references of what each allows, across components the intersection.
// A reference that does not name the claim leaves it free, and a component
// with such a reference constrains nothing. A check no list can state (a
// masked raw value, an excluded value, an unbounded minimum) allows nothing
// through Query, so that a policy never accepts more than s does: an empty
// list. A minimum or range on a byte-sized claim (the REPORTED_TCB parts,
// the ABI and firmware versions) becomes the list of the values it allows.
// A TCB_VERSION check from a CoRIM is decoded in the layout of [Values]'
// product, the legacy (Milan, Genoa) layout by default.
//
// Each id is answered on its own, as RVPS answers a policy: values of two
// references of one component may be combined by a policy where s's Match
// would not combine them.
func (s Set) Query(tee, id string) (any, bool) {
	return s.query(tee, id, snp.Unknown)
}

func (s Set) query(tee, id string, product snp.Product) (any, bool) {
	claim, scalar, ok := resolveRVID(tee, id)
	if !ok {
		return nil, false
	}
	vals, ok := s.allowed(refTEE(tee), claim, product)
	if !ok {
		return nil, false
	}
	if tee == AzSNPvTPM {
		for i, x := range vals.list {
			vals.list[i] = azSNPText(claim, x)
		}
	}
	if scalar && len(vals.list) == 1 {
		return vals.list[0], true
	}
	return vals.list, true
}

// azSNPText encodes a value as Trustee's Azure SNP verifier writes the
// claim (az_snp_vtpm/mod.rs parse_tee_evidence_az): the report's fields as
// text, MEASUREMENT as standard base64.
func azSNPText(claim string, v any) any {
	if claim == "measurement" {
		if s, ok := v.(string); ok {
			if b, err := hex.DecodeString(s); err == nil {
				return base64.StdEncoding.EncodeToString(b)
			}
		}
		return v
	}
	if !strings.HasPrefix(claim, "policy_") && !strings.HasPrefix(claim, "reported_tcb_") && !strings.HasPrefix(claim, "platform_") {
		return v
	}
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return v
}

// valueSet is a finite set of claim values in first-seen order.
type valueSet struct {
	list []any
	keys map[string]bool
}

func valueKey(v any) string { return fmt.Sprintf("%T:%v", v, v) }

func (vs *valueSet) add(v any) {
	k := valueKey(v)
	if vs.keys == nil {
		vs.keys = map[string]bool{}
	}
	if vs.keys[k] {
		return
	}
	vs.keys[k] = true
	vs.list = append(vs.list, v)
}

func (vs *valueSet) has(v any) bool { return vs.keys[valueKey(v)] }

func intersect(a, b *valueSet) *valueSet {
	out := &valueSet{list: []any{}}
	for _, v := range a.list {
		if b.has(v) {
			out.add(v)
		}
	}
	return out
}

// allowed returns the values claim may take for the references of refTee to
// hold on it; false when no component constrains it.
func (s Set) allowed(refTee, claim string, product snp.Product) (*valueSet, bool) {
	var result *valueSet
	for _, g := range s.components(refTee) {
		union := &valueSet{list: []any{}}
		free := false
		for _, ref := range g.refs {
			var within *valueSet
			for i := range ref.Checks {
				c := &ref.Checks[i]
				vs, on := c.values(claim, product)
				if !on {
					continue
				}
				if within == nil {
					within = vs
				} else {
					within = intersect(within, vs)
				}
			}
			if within == nil {
				free = true
				break
			}
			for _, v := range within.list {
				union.add(v)
			}
		}
		if free {
			continue
		}
		if result == nil {
			result = union
		} else {
			result = intersect(result, union)
		}
	}
	return result, result != nil
}

// byteClaim reports whether an integer claim is one byte of the report, so
// that a minimum or range on it can be listed.
func byteClaim(claim string) bool {
	for _, t := range []string{"reported_tcb_", "current_tcb_", "committed_tcb_", "launch_tcb_"} {
		if strings.HasPrefix(claim, t) {
			return true
		}
	}
	for _, p := range []string{"policy_abi_", "current_fw_", "committed_fw_", "cpuid_"} {
		if strings.HasPrefix(claim, p) {
			return true
		}
	}
	return claim == "tdx_module_svn" || claim == "tdx_module_major_version"
}

// maxListed caps the values a range may be listed as.
const maxListed = 256

// values returns the values c allows for claim; on is false when c does not
// check claim. A check no list can state allows nothing.
func (c *Check) values(claim string, product snp.Product) (vs *valueSet, on bool) {
	vs = &valueSet{list: []any{}}
	switch c.kind {
	case ckTCB:
		part, found := strings.CutPrefix(claim, c.path[0]+"_")
		if !found {
			return nil, false
		}
		p := snp.TCBVersion(c.tcb).Parts(product)
		var want uint8
		switch part {
		case "bootloader":
			want = p.BootLoader
		case "tee":
			want = p.TEE
		case "snp":
			want = p.SNP
		case "microcode":
			want = p.Microcode
		case "fmc":
			if !p.HasFMC {
				return nil, false // no FMC in this layout
			}
			want = p.FMC
		default:
			return nil, false
		}
		if !c.tcbMin {
			vs.add(int64(want))
			return vs, true
		}
		for x := int64(want); x <= 255; x++ {
			vs.add(x)
		}
		return vs, true
	case ckFW:
		part, found := strings.CutPrefix(claim, c.path[0]+"_")
		if !found {
			return nil, false
		}
		switch part {
		case "major":
			vs.add(int64(c.fw[0]))
		case "minor":
			vs.add(int64(c.fw[1]))
		case "build":
			vs.add(int64(c.fw[2]))
		default:
			return nil, false
		}
		return vs, true
	}
	if c.Claim != claim {
		return nil, false
	}
	switch c.kind {
	case ckHex:
		for _, s := range c.strs {
			vs.add(strings.ToLower(s))
		}
	case ckMasked:
		full := c.mask == nil
		if !full && len(c.mask) >= len(c.raw) {
			full = true
			for i := range c.raw {
				if c.mask[i] != 0xff {
					full = false
				}
			}
			for _, b := range c.mask[len(c.raw):] {
				if b != 0 {
					full = false
				}
			}
		}
		if !full {
			break
		}
		if c.width == 0 {
			vs.add(hex.EncodeToString(c.raw))
			break
		}
		if len(c.raw) > 8 {
			break
		}
		var u uint64
		for i := len(c.raw) - 1; i >= 0; i-- {
			u = u<<8 | uint64(c.raw[i])
		}
		if u <= math.MaxInt64 {
			vs.add(int64(u))
		}
	case ckNum:
		if c.byteAt >= 0 {
			break // one byte of a hex claim: no list of the claim's values
		}
		switch c.num.op {
		case opEq:
			vs.add(c.num.v)
		case opIn:
			for _, v := range c.num.set {
				vs.add(v)
			}
		default:
			lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
			if byteClaim(claim) {
				lo, hi = 0, 255
			}
			switch c.num.op {
			case opGe:
				lo = max(lo, c.num.v)
			case opGt:
				if c.num.v == math.MaxInt64 {
					return vs, true
				}
				lo = max(lo, c.num.v+1)
			case opLe:
				hi = min(hi, c.num.v)
			case opLt:
				if c.num.v == math.MinInt64 {
					return vs, true
				}
				hi = min(hi, c.num.v-1)
			case opRange:
				if c.num.r.hasMin {
					lo = max(lo, c.num.r.min)
				}
				if c.num.r.hasMax {
					hi = min(hi, c.num.r.max)
				}
			}
			if lo > hi {
				break
			}
			if uint64(hi-lo) >= maxListed {
				break
			}
			for x := lo; ; x++ {
				vs.add(x)
				if x == hi {
					break
				}
			}
		}
	case ckBool:
		vs.add(c.flag)
	case ckStr, ckStrList:
		if c.flag {
			break // excluded values: no list of the allowed ones
		}
		for _, s := range c.strs {
			vs.add(s)
		}
	}
	return vs, true
}

// Values are the reference values of a Set for one submodule, answering a
// policy's query_reference_value as Trustee's reference value provider
// does (see [Set.Query]); raw ids given with [Values.With] come first. A
// Values satisfies verify.ReferenceValues.
type Values struct {
	set     Set
	tee     string
	product snp.Product
	raw     RVPS
}

// For returns the reference values of s for submodule tee ("tdx", "snp",
// "se", "az-snp-vtpm", "az-tdx-vtpm").
func (s Set) For(tee string) Values { return Values{set: s, tee: tee} }

// WithProduct returns v decoding CoRIM TCB_VERSION values in the layout of
// product (the claim "product": "Milan", "Genoa", "Turin"); unknown names
// keep the legacy layout.
func (v Values) WithProduct(product string) Values {
	v.product = snp.ParseProduct(product)
	return v
}

// With returns v answering the ids of raw from raw, before the Set.
func (v Values) With(raw RVPS) Values {
	v.raw = raw
	return v
}

// Query returns the reference values stored under id, and false when there
// are none.
func (v Values) Query(id string) (any, bool) {
	if x, ok := v.raw[id]; ok {
		return x, true
	}
	return v.set.query(v.tee, id, v.product)
}

// RVPS is reference values by id as Trustee's reference value provider
// service stores them: any JSON value, usually a list (["<hex>", ...]),
// sometimes a single value (1, true). Ids need not be claim names. Numbers
// are int64 when integral, float64 otherwise.
type RVPS map[string]any

// rvpsMessageVersion is the only RVPS message version Trustee accepts.
const rvpsMessageVersion = "0.1.0"

// ParseRVPS reads reference values in one of Trustee's RVPS forms: a
// registration message of the sample extractor, {"version": "0.1.0",
// "type": "sample", "payload": "<base64 of {id: value, ...}>"}, or the
// object {id: value, ...} itself. Other message types (Trustee's corim and
// swid extractors) are ErrUnknownFormat: give a CoRIM to [Load] instead.
func ParseRVPS(data []byte) (RVPS, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: RVPS reference values of %d bytes (at most %d)", ErrTooLarge, len(data), MaxSize)
	}
	obj, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("%w: RVPS reference values: %v", ErrUnknownFormat, err)
	}
	typ, isMsg := obj["type"].(string)
	payload, hasPayload := obj["payload"].(string)
	if isMsg && hasPayload {
		if v, ok := obj["version"]; ok && v != rvpsMessageVersion {
			return nil, fmt.Errorf("%w: RVPS message version %v, want %s", ErrUnknownFormat, v, rvpsMessageVersion)
		}
		if typ != "sample" {
			return nil, fmt.Errorf("%w: RVPS message of type %q: only \"sample\" is read here", ErrUnknownFormat, typ)
		}
		raw, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return nil, fmt.Errorf("%w: RVPS sample payload: %v", ErrUnknownFormat, err)
		}
		if obj, err = decodeObject(raw); err != nil {
			return nil, fmt.Errorf("%w: RVPS sample payload: %v", ErrUnknownFormat, err)
		}
	}
	if len(obj) > maxExpected {
		return nil, fmt.Errorf("%w: RVPS reference values: %d ids (at most %d)", ErrTooLarge, len(obj), maxExpected)
	}
	return RVPS(obj), nil
}

// decodeObject decodes one JSON object, numbers as int64 or float64.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON object")
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	for k, v := range m {
		m[k] = plainJSON(v)
	}
	return m, nil
}

func plainJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = plainJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainJSON(x[k])
		}
	}
	return v
}
