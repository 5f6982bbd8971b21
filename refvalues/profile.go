// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Profile identifiers (PROFILES.md).
const (
	// ProfileTDXGuest is this package's CoRIM profile for TD guests: base
	// CoRIM types under the uint mkeys of PROFILES.md. No published profile
	// covers a TD's MRTD, RTMRs and attributes (the Intel profile describes
	// the platform's components).
	ProfileTDXGuest = "tag:github.com,2026:ccverify/ccverify#tdx-guest"
	// ProfileIntel is the Intel profile (draft-cds-rats-intel-corim-profile):
	// the tee.* measurement-values extensions (-70 ... -125).
	ProfileIntel = "2.16.840.1.113741.1.16.1"
	// ProfileSNP is the AMD SEV-SNP profile as the draft
	// (draft-deeglaze-amd-sev-snp-corim-profile) names it.
	ProfileSNP = "tag:amd.com,2025:snp-corim-profile"
	// ProfileSNP2024 is the SEV-SNP profile string Veraison's sevsnp scheme
	// uses; it is read as ProfileSNP.
	ProfileSNP2024 = "tag:amd.com,2024:snp-corim-profile"
)

// Environment class-ids.
const (
	oidSNPChip   = "1.3.6.1.4.1.3704.3.1" // SEV-SNP attestation by chip (VCEK)
	oidSNPCSP    = "1.3.6.1.4.1.3704.3.2" // SEV-SNP attestation by CSP (VLEK)
	oidIntelQE   = "2.16.840.1.113741.1.2.3.4.1"
	oidIntelSEAM = "2.16.840.1.113741.1.2.3.4.3"
	oidIntelPCE  = "2.16.840.1.113741.1.2.3.4.5"
	// TDGuestVendor and TDGuestModel name the TD-guest environment's class
	// when a CoRIM does not carry ProfileTDXGuest.
	TDGuestVendor = "Intel Corporation"
	TDGuestModel  = "TDX TD"
)

// Components of a TEE that reference values describe.
const (
	componentTD       = "td"
	componentModule   = "tdx-module"
	componentQE       = "qe"
	componentPCE      = "pce"
	componentSNP      = "snp-guest"
	componentExpected = "expected"
)

type profileKind uint8

const (
	profNone profileKind = iota
	profOther
	profTDXGuest
	profIntel
	profSNP
)

func kindOfProfile(p string) profileKind {
	switch p {
	case "":
		return profNone
	case ProfileTDXGuest:
		return profTDXGuest
	case ProfileIntel:
		return profIntel
	case ProfileSNP, ProfileSNP2024:
		return profSNP
	}
	if strings.HasPrefix(p, "tag:amd.com,") && strings.HasSuffix(p, ":snp-corim-profile") {
		return profSNP
	}
	return profOther
}

// compile turns a decoded CoRIM into references. Triples of neither TEE are
// noted, not compiled; a triple of a TEE whose measurements break the
// profile is an ErrProfile error.
func compile(d *corimDoc, source string) ([]*Reference, []string, error) {
	pk := kindOfProfile(d.profile)
	var refs []*Reference
	var notes []string
	nChecks := 0
	if len(d.otherTags) > 0 {
		notes = append(notes, fmt.Sprintf("tags not used: %v (only CoMIDs, #6.506, carry reference values)", d.otherTags))
	}
	for ci, cm := range d.comids {
		for _, ig := range cm.ignored {
			notes = append(notes, fmt.Sprintf("comid %d: %s not used (reference values only)", ci, ig))
		}
		for ti, t := range cm.triples {
			where := fmt.Sprintf("comid %d (%s) reference-triple %d", ci, cm.tagID, ti)
			tee, comp := classify(pk, &t.env)
			if tee == "" {
				notes = append(notes, where+": environment "+envString(&t.env)+" is neither a TDX nor an SEV-SNP target: not used")
				continue
			}
			ref := &Reference{TEE: tee, Component: comp, Source: source, Where: where, Environment: envString(&t.env)}
			var err error
			if tee == SNP {
				err = compileSNP(ref, &t)
			} else {
				err = compileTDX(ref, &t, pk)
			}
			if err != nil {
				return nil, nil, at(err, "comid %d: triples: reference-triple %d", ci, ti)
			}
			if len(ref.Checks) == 0 { // a reference that states nothing must not approve everything
				ref.Checks = append(ref.Checks, unsupported(tee, "quote", "reference-triple",
					"the triple states no value this package can compare"))
			}
			if nChecks += len(ref.Checks); nChecks > maxChecks {
				return nil, nil, tooLarge("more than %d checks", maxChecks)
			}
			refs = append(refs, ref)
		}
	}
	return refs, notes, nil
}

// classify decides which TEE and component a triple describes: its
// environment's class-id first (SEV-SNP OIDs, Intel's QE/SEAM/PCE OIDs),
// then the TD-guest class (vendor and model), then the CoRIM's profile.
func classify(pk profileKind, e *environment) (tee, comp string) {
	if e.classID != nil && e.classID.kind == "oid" {
		switch e.classID.s {
		case oidSNPChip, oidSNPCSP:
			return SNP, componentSNP
		case oidIntelSEAM:
			return TDX, componentModule
		case oidIntelQE:
			return TDX, componentQE
		case oidIntelPCE:
			return TDX, componentPCE
		}
	}
	if e.vendor != nil && e.model != nil && *e.vendor == TDGuestVendor && *e.model == TDGuestModel {
		return TDX, componentTD
	}
	switch pk {
	case profSNP:
		if e.classID == nil || e.classID.kind != "oid" {
			return SNP, componentSNP
		}
	case profTDXGuest, profIntel:
		return TDX, componentTD
	}
	return "", ""
}

func envString(e *environment) string {
	var parts []string
	if e.classID != nil {
		parts = append(parts, "class-id "+e.classID.String())
	}
	if e.vendor != nil {
		parts = append(parts, "vendor "+strconv.Quote(*e.vendor))
	}
	if e.model != nil {
		parts = append(parts, "model "+strconv.Quote(*e.model))
	}
	if e.layer != nil {
		parts = append(parts, "layer "+strconv.FormatUint(*e.layer, 10))
	}
	if e.index != nil {
		parts = append(parts, "index "+strconv.FormatUint(*e.index, 10))
	}
	if e.instance != nil {
		parts = append(parts, "instance "+e.instance.String())
	}
	if e.group != nil {
		parts = append(parts, "group "+e.group.String())
	}
	return strings.Join(parts, ", ")
}

// newCheck starts a check on a claim of tee's vocabulary.
func newCheck(tee, claim, key string) Check {
	s, ok := vocab[tee][claim]
	if !ok {
		panic("refvalues: profile table names unknown claim " + claim) // a table bug, caught by tests
	}
	return Check{Claim: claim, Key: key, Class: s.class, path: splitPath(claim), byteAt: -1}
}

func hexCheck(tee, claim, key string, alts [][]byte) Check {
	c := newCheck(tee, claim, key)
	c.kind = ckHex
	for _, a := range alts {
		c.strs = append(c.strs, hex.EncodeToString(a))
	}
	c.Expected = expectedList(&c)
	return c
}

func maskedCheck(tee, claim, key string, raw, mask []byte, width int) Check {
	c := newCheck(tee, claim, key)
	if mask == nil {
		c.kind, c.strs = ckHex, []string{hex.EncodeToString(raw)}
		if width > 0 { // integer claim: compare as bytes
			c.kind = ckMasked
		}
	} else {
		c.kind = ckMasked
	}
	c.raw, c.mask, c.width = raw, mask, width
	if mask == nil {
		c.Expected = hex.EncodeToString(raw)
	} else {
		c.Expected = hex.EncodeToString(raw) + " under mask " + hex.EncodeToString(mask)
	}
	return c
}

func numCheck(tee, claim, key string, n numRef) Check {
	c := newCheck(tee, claim, key)
	c.kind, c.num, c.Expected = ckNum, n, n.String()
	return c
}

func boolCheck(tee, claim, key string, b bool) Check {
	c := newCheck(tee, claim, key)
	c.kind, c.flag, c.Expected = ckBool, b, strconv.FormatBool(b)
	return c
}

func unsupported(tee, claim, key, why string) Check {
	c := Check{Claim: claim, Key: key, Class: Executables, path: splitPath(claim), byteAt: -1, kind: ckUnsupported, reason: why, Expected: "(not checkable)"}
	if s, ok := vocab[tee][claim]; ok {
		c.Class = s.class
	}
	return c
}

// digestAlts returns the values of digests whose algorithm is want (sha-384
// for every TDX and SNP measurement register); any algorithm when want is "".
func digestAlts(ds []digest, want string, size int, what string) ([][]byte, error) {
	var out [][]byte
	for _, d := range ds {
		if want != "" && d.algName != want {
			continue
		}
		if size > 0 && len(d.v) != size {
			return nil, profileErr("%s: %s digest is %d bytes, want %d", what, d.algName, len(d.v), size)
		}
		out = append(out, d.v)
	}
	if len(out) == 0 {
		var algs []string
		for _, d := range ds {
			algs = append(algs, d.algName)
		}
		return nil, profileErr("%s: no %s digest (have %s)", what, want, strings.Join(algs, ", "))
	}
	return out, nil
}

// svnRef turns an svn (exact #6.552 or bare, minimum #6.553) into a numeric reference.
func svnRef(s *svnVal) numRef {
	if s.v > 1<<63-1 {
		return numRef{op: opEq, v: -1} // holds for no claim
	}
	if s.min {
		return numRef{op: opGe, v: int64(s.v)}
	}
	return numRef{op: opEq, v: int64(s.v)}
}

func rangeRef(r *intRange) numRef {
	if r.exact {
		return numRef{op: opEq, v: r.v}
	}
	return numRef{op: opRange, r: *r}
}

// intelNum reads an Intel-profile numeric value: uint, #6.552/#6.553,
// #6.564 range, or #6.60010 [op, value].
func intelNum(v any, what string) (numRef, error) {
	switch x := v.(type) {
	case uint64:
		if x > 1<<63-1 {
			return numRef{}, profileErr("%s: %d out of range", what, x)
		}
		return numRef{op: opEq, v: int64(x)}, nil
	case cbor.Tag:
		switch x.Number {
		case tagSVN, tagMinSVN:
			s, err := parseSVN(x)
			if err != nil {
				return numRef{}, err
			}
			return svnRef(s), nil
		case tagIntRange:
			r, err := parseIntRange(x)
			if err != nil {
				return numRef{}, err
			}
			return rangeRef(r), nil
		case tagNumericExpr:
			a, ok := x.Content.([]any)
			if !ok || len(a) != 2 {
				return numRef{}, profileErr("%s: numeric expression: want [op, value]", what)
			}
			op, err := uintOf(a[0], what+": operator")
			if err != nil {
				return numRef{}, err
			}
			val, err := intOf(a[1], what+": operand")
			if err != nil {
				return numRef{}, err
			}
			switch op {
			case intelOpEq:
				return numRef{op: opEq, v: val}, nil
			case intelOpGt:
				return numRef{op: opGt, v: val}, nil
			case intelOpGe:
				return numRef{op: opGe, v: val}, nil
			case intelOpLt:
				return numRef{op: opLt, v: val}, nil
			case intelOpLe:
				return numRef{op: opLe, v: val}, nil
			}
			return numRef{}, profileErr("%s: numeric operator %d", what, op)
		}
	}
	return numRef{}, profileErr("%s: want a number or numeric expression, got %s", what, describe(v))
}

// setExpr unwraps an Intel-profile set expression #tag [op.mem / op.nmem,
// set] into the set and whether it is a membership (false for op.nmem); any
// other value is the set itself, a membership. want names the accepted forms
// for the error.
func setExpr(v any, tag uint64, want, what string) (set any, member bool, err error) {
	t, ok := v.(cbor.Tag)
	if !ok {
		return v, true, nil
	}
	if t.Number != tag {
		return nil, false, profileErr("%s: want %s, got %s", what, want, describe(v))
	}
	a, ok := t.Content.([]any)
	if !ok || len(a) != 2 {
		return nil, false, profileErr("%s: set expression: want [op, set]", what)
	}
	op, err := uintOf(a[0], what+": operator")
	if err != nil {
		return nil, false, err
	}
	switch op {
	case intelOpMember:
		return a[1], true, nil
	case intelOpNotMember:
		return a[1], false, nil
	}
	return nil, false, profileErr("%s: set operator %d", what, op)
}

// intelDigests reads an Intel-profile digest value: a digest, digests, or
// #6.60020 [op.mem / op.nmem, digests]. member is false for op.nmem.
func intelDigests(v any, what string) (ds []digest, member bool, err error) {
	if v, member, err = setExpr(v, tagDigestSetExpr, "digests or a digest set expression", what); err != nil {
		return nil, false, err
	}
	a, ok := v.([]any)
	if !ok {
		return nil, false, profileErr("%s: want digests, got %s", what, describe(v))
	}
	if len(a) == 2 { // a single digest [alg, value]?
		if _, isBytes := a[1].([]byte); isBytes {
			d, err := parseDigest(a)
			if err != nil {
				return nil, false, err
			}
			return []digest{d}, member, nil
		}
	}
	if len(a) == 0 && member {
		return nil, false, profileErr("%s: empty digest set", what)
	}
	ds, err = parseDigestsAllowEmpty(a)
	return ds, member, err
}

func parseDigestsAllowEmpty(a []any) ([]digest, error) {
	out := make([]digest, 0, len(a))
	for i, e := range a {
		d, err := parseDigest(e)
		if err != nil {
			return nil, at(err, "digest %d", i)
		}
		out = append(out, d)
	}
	return out, nil
}

// intelStrings reads a set of text (set-tstr-type) or #6.60021 [op, set].
func intelStrings(v any, what string) (set []string, member bool, err error) {
	if v, member, err = setExpr(v, tagStringSetExpr, "text set or expression", what); err != nil {
		return nil, false, err
	}
	if s, ok := v.(string); ok {
		return []string{s}, member, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, false, profileErr("%s: want a text set, got %s", what, describe(v))
	}
	for _, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, false, profileErr("%s: set member: want text, got %s", what, describe(e))
		}
		set = append(set, s)
	}
	return set, member, nil
}

// intelMasked reads tee.attributes / tee.miscselect: bytes, #6.560 or
// #6.563 [value, mask].
func intelMasked(v any, what string) (raw, mask []byte, err error) {
	if b, ok := v.([]byte); ok {
		return b, nil, nil
	}
	if _, ok := v.(cbor.Tag); ok {
		r, err := parseRaw(v)
		if err != nil || r.isInt {
			return nil, nil, profileErr("%s: want bytes or a masked raw value, got %s", what, describe(v))
		}
		return r.b, r.mask, nil
	}
	return nil, nil, profileErr("%s: want bytes or a masked raw value, got %s", what, describe(v))
}

// le16hex renders a little-endian 16-bit value as claims do (pce_id).
func le16hex(u uint64) string {
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], uint16(u))
	return hex.EncodeToString(b[:])
}
