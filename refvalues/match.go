// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
)

// TEE names, as Trustee and verify name the claims' submodules.
const (
	TDX = "tdx"
	SNP = "snp"
	SE  = "se" // IBM Secure Execution
)

// Class says which part of the AR4SI trustworthiness vector a check speaks
// to, so that the caller can tell an executables finding from a
// configuration one.
type Class uint8

// Classes of checks.
const (
	// Executables: what was loaded (MRTD, RTMRs, MEASUREMENT, IDs, SVNs of the guest).
	Executables Class = iota + 1
	// Configuration: how it was launched (TD_ATTRIBUTES, XFAM, POLICY, PLATFORM_INFO,
	// VMPL, MRCONFIGID/MROWNER*, HOST_DATA, debug).
	Configuration
	// Hardware: the platform's TCB (MRSEAM, TEE_TCB_SVN, REPORTED_TCB, QE, PCE,
	// firmware versions, TCB status).
	Hardware
	// Instance: per-launch or per-chip values (REPORT_DATA, REPORT_ID, CHIP_ID).
	Instance
)

var classNames = [...]string{"", "executables", "configuration", "hardware", "instance"}

// String returns "executables", "configuration", "hardware" or "instance".
func (c Class) String() string {
	if int(c) < len(classNames) && c != 0 {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// MarshalJSON writes the class name.
func (c Class) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Status is the outcome of matching.
type Status uint8

// Statuses of a Result and of each of its components.
const (
	// NoReferenceValues: nothing in the Set applies to this TEE.
	NoReferenceValues Status = iota
	// Approved: every component with reference values has a reference whose
	// every check holds (and every expected value holds).
	Approved
	// Unrecognized: some component has reference values and none of them holds.
	Unrecognized
)

// String returns "no reference values", "approved" or "unrecognized".
func (s Status) String() string {
	switch s {
	case Approved:
		return "approved"
	case Unrecognized:
		return "unrecognized"
	}
	return "no reference values"
}

// MarshalJSON writes the status name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Document is one loaded source of reference values: a CoRIM (signed or not,
// checked at load) or a set of expected values. Its References are compiled
// against the profile tables (PROFILES.md) and are what Match evaluates.
type Document struct {
	Source      string       `json:"source"`                 // LoadOptions.Name, or "expected values"
	Format      string       `json:"format"`                 // "signed-corim", "corim", "comid", "expected-values"
	ID          string       `json:"id,omitempty"`           // corim-id
	Profile     string       `json:"profile,omitempty"`      // profile URI or OID as written
	ProfileWire string       `json:"profile_wire,omitempty"` // "array", "untagged", "tagged"
	Signer      *Signer      `json:"signer,omitempty"`       // who signed, once verified
	NotBefore   *time.Time   `json:"not_before,omitempty"`   // the latest not-before found
	NotAfter    *time.Time   `json:"not_after,omitempty"`    // the earliest not-after found
	References  []*Reference `json:"references"`
	// Notes lists what the document carries that Match does not use: other
	// TEEs' triples, endorsement and key triples, CoSWID tags, ...
	Notes []string `json:"notes,omitempty"`

	inspected bool // from Inspect: never used by Match
}

// Signer says who signed a CoRIM, as verified by Load.
type Signer struct {
	Name      string `json:"name,omitempty"`    // corim-meta signer name or CWT iss
	Key       string `json:"key"`               // SHA-256 of the signing key's SubjectPublicKeyInfo, hex
	Subject   string `json:"subject,omitempty"` // the x5chain leaf's subject, when it was the anchor
	Algorithm string `json:"algorithm"`         // COSE algorithm
}

// Reference is one set of checks that must all hold together: a CoRIM
// reference triple (one environment and its measurements) or the expected
// values of a Set.
type Reference struct {
	TEE         string  `json:"tee"`       // "tdx" or "snp"
	Component   string  `json:"component"` // "td", "tdx-module", "qe", "pce", "snp-guest", "expected"
	Source      string  `json:"source"`
	Where       string  `json:"where"` // "comid 0 (tag-id) reference-triple 2"
	Environment string  `json:"environment,omitempty"`
	Checks      []Check `json:"checks"`
}

// Check is one claim compared with one reference value.
type Check struct {
	Claim    string `json:"claim"`    // the claim path in verify's map: "quote.body.mr_td", "measurement"
	Key      string `json:"key"`      // the CoRIM key it came from: "mkey 0 (MRTD) digests"
	Class    Class  `json:"class"`    // which trust-vector claim a mismatch speaks to
	Expected string `json:"expected"` // the reference value, as a person reads it

	path   []string
	kind   checkKind
	strs   []string // hex (lower-case) or text alternatives
	raw    []byte
	mask   []byte
	width  int // integer claims compared as bytes: little-endian width
	num    numRef
	byteAt int // numeric compare of one byte of a hex claim; -1: the claim itself
	flag   bool
	tcb    uint64
	tcbMin bool
	fw     [3]int
	reason string // ckUnsupported: why this can never be checked
}

type checkKind uint8

const (
	ckHex         checkKind = iota + 1 // hex claim equals one of strs
	ckMasked                           // claim bytes equal raw under mask
	ckNum                              // integer comparison
	ckBool                             // boolean equals flag
	ckStr                              // text claim is (or, with flag, is not) one of strs
	ckStrList                          // list claim is a subset of (or, with flag, disjoint from) strs
	ckTCB                              // SNP TCB_VERSION components, exact or minimum
	ckFW                               // SNP firmware version major.minor.build
	ckUnsupported                      // a reference value no claim can be checked against
)

type numOp uint8

const (
	opEq numOp = iota
	opGe
	opGt
	opLe
	opLt
	opRange
	opIn
)

type numRef struct {
	op  numOp
	v   int64
	set []int64
	r   intRange
}

func (n numRef) String() string {
	switch n.op {
	case opEq:
		return strconv.FormatInt(n.v, 10)
	case opGe:
		return "≥ " + strconv.FormatInt(n.v, 10)
	case opGt:
		return "> " + strconv.FormatInt(n.v, 10)
	case opLe:
		return "≤ " + strconv.FormatInt(n.v, 10)
	case opLt:
		return "< " + strconv.FormatInt(n.v, 10)
	case opIn:
		s := make([]string, len(n.set))
		for i, v := range n.set {
			s[i] = strconv.FormatInt(v, 10)
		}
		return "one of [" + strings.Join(s, ", ") + "]"
	}
	lo, hi := "-∞", "+∞"
	if n.r.hasMin {
		lo = strconv.FormatInt(n.r.min, 10)
	}
	if n.r.hasMax {
		hi = strconv.FormatInt(n.r.max, 10)
	}
	return "in [" + lo + ", " + hi + "]"
}

func (n numRef) holds(x int64) bool {
	switch n.op {
	case opEq:
		return x == n.v
	case opGe:
		return x >= n.v
	case opGt:
		return x > n.v
	case opLe:
		return x <= n.v
	case opLt:
		return x < n.v
	case opIn:
		for _, v := range n.set {
			if v == x {
				return true
			}
		}
		return false
	}
	return (!n.r.hasMin || x >= n.r.min) && (!n.r.hasMax || x <= n.r.max)
}

// Set is the reference values a verifier holds: documents from Load and Expect.
type Set []*Document

// Result is what Match found.
type Result struct {
	TEE    string `json:"tee"`
	Status Status `json:"status"`
	// Components has one entry per component that has reference values for
	// this TEE, in the order they first appear in the Set.
	Components []Component `json:"components,omitempty"`
}

// Component is the outcome for one target environment: the TD, the TDX
// module, the QE, the PCE, the SNP guest, or the expected values.
type Component struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Matched is the first reference whose every check holds; nil if none.
	Matched *Candidate `json:"matched,omitempty"`
	// Candidates are the references tried, closest (fewest failed checks)
	// first; at most MaxCandidates are kept, Omitted counts the rest.
	Candidates []Candidate `json:"candidates,omitempty"`
	Omitted    int         `json:"omitted,omitempty"`
}

// MaxCandidates is how many evaluated references a Component keeps for its
// explanation.
const MaxCandidates = 8

// Candidate is one reference evaluated against the claims.
type Candidate struct {
	Source      string    `json:"source"`
	Where       string    `json:"where"`
	Environment string    `json:"environment,omitempty"`
	Failed      int       `json:"failed"`
	Findings    []Finding `json:"findings"`
}

// Finding is one check's outcome: expected against got.
type Finding struct {
	Claim    string `json:"claim"`
	Key      string `json:"key"`
	Class    Class  `json:"class"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
	OK       bool   `json:"ok"`
	Reason   string `json:"reason,omitempty"` // why it does not hold
}

// Approved reports whether r's status is Approved.
func (r *Result) Approved() bool { return r != nil && r.Status == Approved }

// ExecutablesApproved reports whether r approves what the TEE runs: every
// component is approved and some check of class Executables was made.
// Reference values that state only configuration or the platform's TCB
// approve nothing about the executables; map this, not Status alone, to
// AR4SI executables "approved".
func (r *Result) ExecutablesApproved() bool { return r.Approved() && r.Checked(Executables) }

// Mismatches returns the failed findings of the closest candidate of every
// component that is not approved: what a person would change in the
// reference values (or what is wrong with the evidence).
func (r *Result) Mismatches() []Finding {
	var out []Finding
	for _, c := range r.Components {
		if c.Status == Approved || len(c.Candidates) == 0 {
			continue
		}
		for _, f := range c.Candidates[0].Findings {
			if !f.OK {
				out = append(out, f)
			}
		}
	}
	return out
}

// Checked reports whether any reference that applied has a check of class c:
// with an Approved status, whether c was judged at all (reference values
// that name only the platform's TCB say nothing of executables).
func (r *Result) Checked(c Class) bool {
	for _, comp := range r.Components {
		cands := comp.Candidates
		if comp.Matched != nil {
			cands = []Candidate{*comp.Matched}
		}
		for _, cand := range cands {
			for _, f := range cand.Findings {
				if f.Class == c {
					return true
				}
			}
		}
	}
	return false
}

// FailedClasses returns the classes of Mismatches, each once, in Class order.
func (r *Result) FailedClasses() []Class {
	var seen [len(classNames)]bool
	for _, f := range r.Mismatches() {
		if int(f.Class) < len(seen) {
			seen[f.Class] = true
		}
	}
	var out []Class
	for i, s := range seen {
		if s {
			out = append(out, Class(i))
		}
	}
	return out
}

// String explains r for a person, one line per component and one per failed
// check of its closest candidate.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.TEE, r.Status)
	for _, c := range r.Components {
		fmt.Fprintf(&b, "  %s: %s", c.Name, c.Status)
		if c.Matched != nil {
			fmt.Fprintf(&b, " by %s %s\n", c.Matched.Source, c.Matched.Where)
			continue
		}
		b.WriteString("\n")
		if len(c.Candidates) == 0 {
			continue
		}
		cand := c.Candidates[0]
		fmt.Fprintf(&b, "    closest: %s %s (%d of %d checks fail)\n", cand.Source, cand.Where, cand.Failed, len(cand.Findings))
		for _, f := range cand.Findings {
			if !f.OK {
				fmt.Fprintf(&b, "    %s [%s, %s]: %s: expected %s, got %s\n", f.Claim, f.Key, f.Class, f.Reason, f.Expected, f.Got)
			}
		}
	}
	return b.String()
}

// Match judges claims (the map verify builds for tee, see CLAIMS.md) against
// every reference in s that applies to tee.
//
// References are grouped by component. Within a component they are
// alternatives: the component is approved when one reference's every check
// holds. Expected values (Expect, expected-values JSON) form one component
// whose checks must all hold, each claim against the union of the values
// given for it. The result is Approved when every component is,
// Unrecognized when some component is not, and NoReferenceValues when no
// reference applies to tee. A claim the reference names but the map lacks
// fails its check.
func (s Set) Match(tee string, claims map[string]any) *Result {
	r := &Result{TEE: tee}
	groups := s.components(tee)
	if len(groups) == 0 {
		return r
	}
	r.Status = Approved
	for _, g := range groups {
		comp := Component{Name: g.name, Status: Unrecognized}
		for _, ref := range g.refs {
			if holds(ref, claims) {
				c := evaluate(ref, claims)
				comp.Matched, comp.Status = &c, Approved
				break
			}
		}
		if comp.Matched != nil {
			r.Components = append(r.Components, comp)
			continue
		}
		cands := make([]Candidate, 0, len(g.refs))
		for _, ref := range g.refs {
			cands = append(cands, evaluate(ref, claims))
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].Failed < cands[j].Failed })
		if len(cands) > MaxCandidates {
			comp.Omitted = len(cands) - MaxCandidates
			cands = cands[:MaxCandidates]
		}
		comp.Candidates = cands
		r.Status = Unrecognized
		r.Components = append(r.Components, comp)
	}
	return r
}

// componentRefs is one component's references for a TEE, any of which
// approves it.
type componentRefs struct {
	name string
	refs []*Reference
}

// components groups the references s holds for tee by component, in the
// order the components first appear; the expected values given for tee
// merge into the one reference of their component.
func (s Set) components(tee string) []*componentRefs {
	var groups []*componentRefs
	byName := map[string]*componentRefs{}
	var expected *Reference
	for _, d := range s {
		if d == nil || d.inspected {
			continue
		}
		for _, ref := range d.References {
			if ref.TEE != tee {
				continue
			}
			g := byName[ref.Component]
			if g == nil {
				g = &componentRefs{name: ref.Component}
				byName[ref.Component] = g
				groups = append(groups, g)
			}
			if ref.Component == componentExpected {
				expected = mergeExpected(expected, ref)
				continue
			}
			g.refs = append(g.refs, ref)
		}
	}
	if g := byName[componentExpected]; g != nil {
		g.refs = []*Reference{expected}
	}
	return groups
}

// mergeExpected unions expected-value references: one check per claim, its
// alternatives the union of all documents' values for that claim.
func mergeExpected(acc, ref *Reference) *Reference {
	if acc == nil {
		cp := *ref
		cp.Checks = append([]Check(nil), ref.Checks...)
		cp.Where = ""
		return &cp
	}
	if acc.Source != ref.Source && !strings.Contains(acc.Source, ref.Source) {
		acc.Source += ", " + ref.Source
	}
	for _, c := range ref.Checks {
		merged := false
		for i := range acc.Checks {
			a := &acc.Checks[i]
			if a.Claim == c.Claim && a.kind == c.kind && (a.kind == ckHex || a.kind == ckStr || a.kind == ckNum && a.num.op == opIn) {
				a.strs = union(a.strs, c.strs)
				a.num.set = union(a.num.set, c.num.set)
				a.Expected = expectedList(a)
				if !strings.Contains(a.Key, c.Key) {
					a.Key += ", " + c.Key
				}
				merged = true
				break
			}
		}
		if !merged {
			acc.Checks = append(acc.Checks, c)
		}
	}
	return acc
}

// union returns a with the elements of b it lacks appended, in order.
func union[T comparable](a, b []T) []T {
	out := append([]T(nil), a...)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// holds reports whether every check of ref holds, without explaining.
func holds(ref *Reference, claims map[string]any) bool {
	for i := range ref.Checks {
		if _, ok, _ := ref.Checks[i].eval(claims, false); !ok {
			return false
		}
	}
	return true
}

func evaluate(ref *Reference, claims map[string]any) Candidate {
	c := Candidate{Source: ref.Source, Where: ref.Where, Environment: ref.Environment, Findings: make([]Finding, len(ref.Checks))}
	for i := range ref.Checks {
		ch := &ref.Checks[i]
		f := &c.Findings[i]
		f.Claim, f.Key, f.Class, f.Expected = ch.Claim, ch.Key, ch.Class, ch.Expected
		f.Got, f.OK, f.Reason = ch.eval(claims, true)
		if !f.OK {
			c.Failed++
		}
	}
	return c
}

// lookup walks path through nested maps.
func lookup(claims map[string]any, path []string) (any, bool) {
	var cur any = claims
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// integer returns an integer claim of any Go integer type.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint:
		if uint64(x) > 1<<63-1 {
			return 0, false
		}
		return int64(x), true
	case uint64:
		if x > 1<<63-1 {
			return 0, false
		}
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	case float64: // claims that went through JSON
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case json.Number:
		i, err := x.Int64()
		return i, err == nil
	}
	return 0, false
}

// uinteger returns an unsigned integer claim (full 64 bits).
func uinteger(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint64:
		return x, true
	case uint:
		return uint64(x), true
	}
	i, ok := integer(v)
	if !ok || i < 0 {
		return 0, false
	}
	return uint64(i), true
}

func gotString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "absent"
	}
	if i, ok := integer(v); ok {
		return strconv.FormatInt(i, 10)
	}
	if u, ok := uinteger(v); ok {
		return strconv.FormatUint(u, 10)
	}
	return fmt.Sprint(v)
}

// eval checks claims; got is the claim as a person reads it, computed only
// when explain is set (the approving path allocates nothing for it).
func (ch *Check) eval(claims map[string]any, explain bool) (got string, ok bool, reason string) {
	gotString := func(v any) string {
		if !explain {
			return ""
		}
		return gotString(v)
	}
	if ch.kind == ckUnsupported {
		return "-", false, ch.reason
	}
	if ch.kind == ckTCB {
		return ch.evalTCB(claims, explain)
	}
	if ch.kind == ckFW {
		return ch.evalFW(claims, explain)
	}
	v, present := lookup(claims, ch.path)
	if !present {
		return "absent", false, "claim absent"
	}
	switch ch.kind {
	case ckHex:
		s, isStr := v.(string)
		if !isStr {
			return gotString(v), false, "claim is not a hex string"
		}
		for _, alt := range ch.strs {
			if strings.EqualFold(s, alt) {
				return s, true, ""
			}
		}
		return s, false, "differs"
	case ckMasked:
		var buf [128]byte
		ev, err := claimBytes(v, ch.width, buf[:0])
		if err != "" {
			return gotString(v), false, err
		}
		if maskedEqual(ch.raw, ch.mask, ev) {
			return gotString(v), true, ""
		}
		if ch.mask == nil && len(ev) != len(ch.raw) {
			return gotString(v), false, fmt.Sprintf("length differs (%d bytes, reference %d)", len(ev), len(ch.raw))
		}
		return gotString(v), false, "differs under the mask"
	case ckNum:
		var x int64
		if ch.byteAt >= 0 {
			s, isStr := v.(string)
			if !isStr || len(s) < 2*ch.byteAt+2 {
				return gotString(v), false, fmt.Sprintf("claim has no byte %d", ch.byteAt)
			}
			var b [1]byte
			if _, err := hex.Decode(b[:], []byte(s[2*ch.byteAt:2*ch.byteAt+2])); err != nil {
				return s, false, "claim is not hex"
			}
			x = int64(b[0])
			if explain {
				got = strconv.FormatInt(x, 10) + " (byte " + strconv.Itoa(ch.byteAt) + " of " + s + ")"
			}
		} else {
			var isInt bool
			if x, isInt = integer(v); !isInt {
				return gotString(v), false, "claim is not an integer"
			}
			if explain {
				got = strconv.FormatInt(x, 10)
			}
		}
		if ch.num.holds(x) {
			return got, true, ""
		}
		switch ch.num.op {
		case opGe, opGt:
			return got, false, "below the minimum"
		case opLe, opLt:
			return got, false, "above the maximum"
		case opRange:
			return got, false, "out of range"
		}
		return got, false, "differs"
	case ckBool:
		b, isBool := v.(bool)
		if !isBool {
			return gotString(v), false, "claim is not a boolean"
		}
		if b == ch.flag {
			return gotString(b), true, ""
		}
		return strconv.FormatBool(b), false, "differs"
	case ckStr:
		s, isStr := v.(string)
		if !isStr {
			return gotString(v), false, "claim is not a string"
		}
		in := false
		for _, alt := range ch.strs {
			if s == alt {
				in = true
				break
			}
		}
		if in != ch.flag {
			return s, true, ""
		}
		if ch.flag {
			return s, false, "is an excluded value"
		}
		return s, false, "differs"
	case ckStrList:
		list, isList := stringList(v)
		if !isList {
			return gotString(v), false, "claim is not a list of strings"
		}
		if explain {
			got = "[" + strings.Join(list, ", ") + "]"
		}
		for _, e := range list {
			in := false
			for _, alt := range ch.strs {
				if e == alt {
					in = true
					break
				}
			}
			if in == ch.flag { // flag: must be disjoint
				if ch.flag {
					return got, false, e + " is excluded"
				}
				return got, false, e + " is not in the reference set"
			}
		}
		return got, true, ""
	}
	return gotString(v), false, "unknown check"
}

func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// claimBytes returns a claim as bytes: hex strings decoded, integers as
// width little-endian bytes (how the report holds POLICY, PLATFORM_INFO, VMPL).
func claimBytes(v any, width int, buf []byte) ([]byte, string) {
	switch x := v.(type) {
	case string:
		if len(x)%2 != 0 {
			return nil, "claim is not hex"
		}
		n := len(x) / 2
		var out []byte
		if n <= cap(buf) {
			out = buf[:n]
		} else {
			out = make([]byte, n)
		}
		if _, err := hex.Decode(out, []byte(x)); err != nil {
			return nil, "claim is not hex"
		}
		return out, ""
	}
	u, ok := uinteger(v)
	if !ok || width == 0 {
		return nil, "claim is not bytes or an integer"
	}
	out := buf[:width]
	for i := 0; i < width; i++ {
		out[i] = byte(u >> (8 * i))
	}
	if width < 8 && u>>(8*width) != 0 {
		return nil, "claim does not fit " + strconv.Itoa(width) + " bytes"
	}
	return out, ""
}

// maskedEqual compares ev with ref on the bits set in mask (every bit when
// mask is nil, lengths included). Bytes past the end of a value count as
// zero; a mask shorter than the values leaves the rest uncompared (the Intel
// profile's rule).
func maskedEqual(ref, mask, ev []byte) bool {
	if mask == nil {
		if len(ref) != len(ev) {
			return false
		}
		for i := range ref {
			if ref[i] != ev[i] {
				return false
			}
		}
		return true
	}
	for i := range mask {
		var r, e byte
		if i < len(ref) {
			r = ref[i]
		}
		if i < len(ev) {
			e = ev[i]
		}
		if (r^e)&mask[i] != 0 {
			return false
		}
	}
	return true
}

var tcbParts = [...]string{"fmc", "bootloader", "tee", "snp", "microcode"}

func (ch *Check) evalTCB(claims map[string]any, explain bool) (string, bool, string) {
	prefix := ch.path[0]
	product := snp.Unknown
	if p, ok := claims["product"].(string); ok {
		product = snp.ParseProduct(p)
	}
	var got snp.TCBParts
	var have [5]bool
	for i, name := range tcbParts {
		v, ok := claims[prefix+"_"+name]
		if !ok {
			continue
		}
		x, ok := integer(v)
		if !ok || x < 0 || x > 255 {
			return gotString(v), false, prefix + "_" + name + " is not a byte"
		}
		have[i] = true
		switch i {
		case 0:
			got.HasFMC, got.FMC = true, uint8(x)
		case 1:
			got.BootLoader = uint8(x)
		case 2:
			got.TEE = uint8(x)
		case 3:
			got.SNP = uint8(x)
		case 4:
			got.Microcode = uint8(x)
		}
	}
	if !have[1] || !have[2] || !have[3] || !have[4] {
		return "absent", false, "claims " + prefix + "_{bootloader,tee,snp,microcode} absent"
	}
	if product == snp.Turin && !have[0] {
		return got.String(), false, prefix + "_fmc absent on Turin"
	}
	tv := snp.TCBVersion(ch.tcb)
	if res := tv.Reserved(product); res != 0 {
		return got.String(), false, fmt.Sprintf("reference TCB_VERSION %#016x sets bits reserved on %s", ch.tcb, product)
	}
	want := tv.Parts(product)
	if ch.tcbMin {
		if ok, comp := got.AtLeast(want); !ok {
			return got.String(), false, comp + " below the minimum (" + product.String() + " layout)"
		}
		if !explain {
			return "", true, ""
		}
		return got.String(), true, ""
	}
	if got != want {
		return got.String(), false, "differs (" + product.String() + " layout)"
	}
	if !explain {
		return "", true, ""
	}
	return got.String(), true, ""
}

func (ch *Check) evalFW(claims map[string]any, explain bool) (string, bool, string) {
	prefix := ch.path[0]
	var v [3]int64
	for i, name := range [...]string{"_major", "_minor", "_build"} {
		x, ok := claims[prefix+name]
		if !ok {
			return "absent", false, "claim " + prefix + name + " absent"
		}
		if v[i], ok = integer(x); !ok {
			return gotString(x), false, prefix + name + " is not an integer"
		}
	}
	if int(v[0]) == ch.fw[0] && int(v[1]) == ch.fw[1] && int(v[2]) == ch.fw[2] {
		if !explain {
			return "", true, ""
		}
		return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]), true, ""
	}
	return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]), false, "differs"
}

func expectedList(c *Check) string {
	switch c.kind {
	case ckHex, ckStr:
		if len(c.strs) == 1 {
			return c.strs[0]
		}
		return "one of [" + strings.Join(c.strs, ", ") + "]"
	case ckNum:
		return c.num.String()
	}
	return c.Expected
}
