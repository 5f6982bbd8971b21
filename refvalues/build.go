// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/fxamacker/cbor/v2"
	cose "github.com/veraison/go-cose"
)

// Template is the JSON a person writes (or TemplateFromClaims drafts) to
// build a CoRIM with Build. Example (TDX; testdata/template-tdx.json):
//
//	{
//	  "tee": "tdx",
//	  "id": "my-service-2026-03",
//	  "references": [
//	    {"name": "release 1.4",
//	     "values": {
//	       "mr_td": ["<96 hex>", "<96 hex>"],
//	       "rtmr_1": "<96 hex>",
//	       "xfam": {"value": "e702060000000000", "mask": "ffffffffffffffff"},
//	       "td_attributes": {"value": "0000001000000000", "mask": "ffffffffffffffff"},
//	       "tcb_svn": {"min": "<32 hex>"},
//	       "debug": false}}
//	  ]
//	}
//
// Each reference becomes one reference triple of one CoMID; within a
// reference every value must hold, and references are alternatives. Value
// forms, by claim (names as for Expect; PROFILES.md lists the mkey each
// becomes):
//
//   - digests and registers (mr_td, rtmr_0..3, mr_seam, mrsigner_seam,
//     mr_config_id, mr_owner, mr_owner_config, mr_servicetd; measurement,
//     id_key_digest, author_key_digest, host_data): "hex" or ["hex", ...]
//     (any of them)
//   - raw fields (td_attributes, xfam, seam_attributes, report_data; family_id,
//     image_id, report_data, report_id, report_id_ma, chip_id): "hex" or
//     {"value": "hex", "mask": "hex"}
//   - policy, platform_info (SNP): an integer or {"value": int, "mask": int}
//     (POLICY's DEBUG and MIGRATE_MA bits are compared whatever the mask)
//   - guest_svn, version, vmpl (SNP): an integer; guest_svn also {"min": int}
//   - tcb_svn (TDX TEE_TCB_SVN): "hex" (exact, 16 bytes) or {"min": "hex"}
//     (each byte at least)
//   - reported_tcb, current_tcb, committed_tcb, launch_tcb (SNP):
//     {"bootloader": n, "tee": n, "snp": n, "microcode": n, "fmc": n} exact,
//     or {"min": {...}}; the layout is Template.Product's
//   - current_fw, committed_fw (SNP): "major.minor.build"
//   - debug: false (or true)
type Template struct {
	TEE string `json:"tee"`
	// ID is the corim-id; empty: derived from the template's content.
	ID string `json:"id,omitempty"`
	// Profile overrides the profile written (SNP: ProfileSNP by default; use
	// ProfileSNP2024 for Veraison's sevsnp scheme; TDX: ProfileTDXGuest).
	Profile string `json:"profile,omitempty"`
	// ProfileWire is "untagged" (default: a text profile, masks as key 5,
	// what github.com/veraison/corim v1.1.3-0.20260309101151-2fa49d7c02e3
	// decodes) or "tagged" (draft-11: #6.32 profile, #6.563 masked values,
	// what corim after 2026-06 decodes).
	ProfileWire string `json:"profile_wire,omitempty"`
	// Product is the SEV-SNP product line (Milan, Genoa, Turin) whose
	// TCB_VERSION layout the *_tcb values use.
	Product string `json:"product,omitempty"`
	// SigningKey is the SEV-SNP key kind the environment's class-id names:
	// "VCEK" (default, by chip) or "VLEK" (by CSP).
	SigningKey string `json:"signing_key,omitempty"`
	// Entity names the CoMID's tag creator; optional.
	Entity string `json:"entity,omitempty"`
	// NotBefore and NotAfter are the CoRIM's rim-validity; optional.
	NotBefore *time.Time `json:"not_before,omitempty"`
	NotAfter  *time.Time `json:"not_after,omitempty"`
	// References are the alternatives: each one reference triple.
	References []TemplateReference `json:"references"`
}

// TemplateReference is one set of values that must hold together.
type TemplateReference struct {
	// Name is a note for people (kept in the template only).
	Name string `json:"name,omitempty"`
	// VeraisonInstance puts the MEASUREMENT in the SEV-SNP environment's
	// instance (#6.560), the key Veraison's sevsnp scheme looks reference
	// values up by. It needs exactly one measurement value.
	VeraisonInstance bool `json:"veraison_instance,omitempty"`
	// Values maps claim names to values in the forms Template lists.
	Values map[string]any `json:"values"`
}

// ParseTemplate reads a Template from JSON; unknown fields are refused.
func ParseTemplate(data []byte) (*Template, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: template of %d bytes (at most %d)", ErrTooLarge, len(data), MaxSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var t Template
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: template: %v", ErrValue, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: template: data after the JSON object", ErrValue)
	}
	return &t, nil
}

// Build writes an unsigned CoRIM (#6.501, deterministic CBOR) from t. The
// result decodes with Load (AllowUnsigned) and with github.com/veraison/corim.
func Build(t *Template) ([]byte, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil template", ErrValue)
	}
	tagged := false
	switch t.ProfileWire {
	case "", "untagged":
	case "tagged":
		tagged = true
	default:
		return nil, fmt.Errorf("%w: profile_wire %q (untagged or tagged)", ErrValue, t.ProfileWire)
	}
	var env map[any]any
	profile := t.Profile
	switch t.TEE {
	case TDX:
		if profile == "" {
			profile = ProfileTDXGuest
		}
		if profile != ProfileTDXGuest {
			return nil, fmt.Errorf("%w: profile %q: a TDX template writes the TD-guest mkeys of %s", ErrValue, profile, ProfileTDXGuest)
		}
		env = map[any]any{uint64(0): map[any]any{uint64(1): TDGuestVendor, uint64(2): TDGuestModel}}
	case SNP:
		if profile == "" {
			profile = ProfileSNP
		}
		if kindOfProfile(profile) != profSNP {
			return nil, fmt.Errorf("%w: profile %q is not a SEV-SNP profile (%s, %s)", ErrValue, profile, ProfileSNP, ProfileSNP2024)
		}
		oid := oidSNPChip
		switch strings.ToUpper(t.SigningKey) {
		case "", "VCEK":
		case "VLEK":
			oid = oidSNPCSP
		default:
			return nil, fmt.Errorf("%w: signing_key %q (VCEK or VLEK)", ErrValue, t.SigningKey)
		}
		ob, _ := oidBytes(oid)
		env = map[any]any{uint64(0): map[any]any{uint64(0): cbor.Tag{Number: tagOID, Content: ob}}}
	default:
		return nil, fmt.Errorf("%w: %q (tdx or snp)", ErrTEE, t.TEE)
	}
	if len(t.References) == 0 {
		return nil, fmt.Errorf("%w: template has no references", ErrValue)
	}
	product := snp.ParseProduct(t.Product)
	var triples []any
	for i, r := range t.References {
		ms, err := buildMeasurements(t.TEE, r.Values, product, tagged)
		if err != nil {
			return nil, fmt.Errorf("reference %d (%s): %w", i, r.Name, err)
		}
		e := env
		if r.VeraisonInstance {
			if t.TEE != SNP {
				return nil, fmt.Errorf("%w: reference %d: veraison_instance is for snp", ErrValue, i)
			}
			m, err := singleHex(r.Values["measurement"], 48)
			if err != nil {
				return nil, fmt.Errorf("%w: reference %d: veraison_instance needs one measurement: %v", ErrValue, i, err)
			}
			e = map[any]any{uint64(0): env[uint64(0)], uint64(1): cbor.Tag{Number: tagBytes, Content: m}}
		}
		triples = append(triples, []any{e, ms})
	}
	id := t.ID
	if id == "" {
		j, _ := json.Marshal(t)
		h := sha256.Sum256(j)
		id = "ccverify-" + t.TEE + "-" + hex.EncodeToString(h[:8])
	}
	comid := map[any]any{
		uint64(1): map[any]any{uint64(0): id},
		uint64(4): map[any]any{uint64(0): triples},
	}
	if t.Entity != "" {
		comid[uint64(2)] = []any{map[any]any{uint64(0): t.Entity, uint64(2): []any{uint64(0)}}} // tag-creator
	}
	cb, err := encMode.Marshal(comid)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrValue, err)
	}
	cm := map[any]any{
		uint64(0): id,
		uint64(1): []any{cbor.Tag{Number: tagCoMID, Content: cb}},
	}
	if tagged {
		cm[uint64(3)] = profileValue(profile)
	} else if strings.Contains(profile, ":") {
		cm[uint64(3)] = profile
	} else if ob, err := oidBytes(profile); err == nil {
		cm[uint64(3)] = ob
	} else {
		cm[uint64(3)] = profile
	}
	if t.NotAfter != nil {
		v := map[any]any{uint64(1): cbor.Tag{Number: 1, Content: t.NotAfter.Unix()}}
		if t.NotBefore != nil {
			v[uint64(0)] = cbor.Tag{Number: 1, Content: t.NotBefore.Unix()}
		}
		cm[uint64(4)] = v
	} else if t.NotBefore != nil {
		return nil, fmt.Errorf("%w: not_before without not_after", ErrValue)
	}
	out, err := encMode.Marshal(cbor.Tag{Number: tagUnsignedCorim, Content: cm})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrValue, err)
	}
	return out, nil
}

func profileValue(p string) any {
	if ob, err := oidBytes(p); err == nil && !strings.Contains(p, ":") {
		return cbor.Tag{Number: tagOID, Content: ob}
	}
	return cbor.Tag{Number: tagURI, Content: p}
}

// buildMeasurements turns a reference's values into measurement-maps, in a
// deterministic order (by mkey, then the flags).
func buildMeasurements(tee string, values map[string]any, product snp.Product, tagged bool) ([]any, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("%w: no values", ErrValue)
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	type meas struct {
		key  int64 // -1: no mkey
		mval map[any]any
	}
	var ms []meas
	regs := map[any]any{}
	for _, name := range names {
		v := values[name]
		spec, ok := resolveClaim(tee, name)
		if tee == SNP && snpWhole[name] {
			spec, ok = claimSpec{path: name, class: Hardware}, true
		}
		if !ok {
			return nil, fmt.Errorf("%w: %q is not a %s claim", ErrUnknownClaim, name, tee)
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%w: %s: %s", ErrValue, name, fmt.Sprintf(format, args...))
		}
		if spec.path == "debug" || spec.path == "td_attributes.debug" || spec.path == "policy_debug_allowed" {
			b, err := toBool(v)
			if err != nil {
				return nil, fail("%v", err)
			}
			ms = append(ms, meas{-1, map[any]any{uint64(3): map[any]any{uint64(3): b}}})
			continue
		}
		if tee == TDX && strings.HasPrefix(spec.path, "quote.body.rtmr_") {
			alts, err := hexList(v, 48)
			if err != nil {
				return nil, fail("%v", err)
			}
			idx, _ := strconv.ParseUint(strings.TrimPrefix(spec.path, "quote.body.rtmr_"), 10, 8)
			regs[idx] = digestsOf(7, alts)
			continue
		}
		if tee == TDX && spec.path == "quote.body.tcb_svn" {
			min, hv := false, v
			if m, ok := v.(map[string]any); ok && len(m) == 1 {
				if hv, min = m["min"]; !min {
					return nil, fail(`want "hex" or {"min": "hex"}`)
				}
			}
			b, err := singleHex(hv, 16)
			if err != nil {
				return nil, fail("%v", err)
			}
			for i, x := range b {
				if min && x == 0 {
					continue
				}
				svnTag := uint64(tagSVN)
				if min {
					svnTag = tagMinSVN
				}
				ms = append(ms, meas{int64(MkeyTEETCBSVN + i), map[any]any{uint64(1): cbor.Tag{Number: svnTag, Content: uint64(x)}}})
			}
			continue
		}
		key, mv, err := buildValue(tee, spec, v, product, tagged)
		if err != nil {
			return nil, fail("%v", err)
		}
		ms = append(ms, meas{key, mv})
	}
	if len(regs) > 0 {
		ms = append(ms, meas{MkeyRTMR, map[any]any{uint64(14): regs}})
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].key < ms[j].key })
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		mm := map[any]any{uint64(1): m.mval}
		if m.key >= 0 {
			mm[uint64(0)] = uint64(m.key)
		}
		out = append(out, mm)
	}
	return out, nil
}

func digestsOf(alg uint64, alts [][]byte) []any {
	out := make([]any, len(alts))
	for i, a := range alts {
		out[i] = []any{alg, a}
	}
	return out
}

// mkeys of the template's claims, per TEE.
var tdxTemplateKeys = map[string]uint64{
	"quote.body.mr_td": MkeyMRTD, "quote.body.mr_seam": MkeyMRSEAM, "quote.body.mrsigner_seam": MkeyMRSIGNERSEAM,
	"quote.body.td_attributes": MkeyTDAttributes, "quote.body.xfam": MkeyXFAM, "quote.body.mr_config_id": MkeyMRCONFIGID,
	"quote.body.mr_owner": MkeyMROWNER, "quote.body.mr_owner_config": MkeyMROWNERCONFIG,
	"quote.body.mr_servicetd": MkeyMRSERVICETD, "quote.body.report_data": MkeyReportData,
	"quote.body.seam_attributes": MkeySEAMAttributes, "report_data": MkeyReportData, "init_data": MkeyMRCONFIGID,
	"eventlog.kernel": MkeyKernel, "eventlog.initrd": MkeyInitrd, "eventlog.kernel_cmdline_digest": MkeyKernelCmdline,
}

// snpWhole are template names for values the report holds as one field
// but verify's claims split into parts.
var snpWhole = map[string]bool{"reported_tcb": true, "current_tcb": true, "committed_tcb": true,
	"launch_tcb": true, "current_fw": true, "committed_fw": true}

var snpTemplateKeys = func() map[string]uint64 {
	m := map[string]uint64{}
	for k, f := range snpFields {
		m[f.claim] = k
	}
	return m
}()

func buildValue(tee string, spec claimSpec, v any, product snp.Product, tagged bool) (int64, map[any]any, error) {
	var key uint64
	var form string
	var size int
	if tee == TDX {
		k, ok := tdxTemplateKeys[spec.path]
		if !ok {
			return 0, nil, fmt.Errorf("no TD-guest mkey carries %s (PROFILES.md)", spec.path)
		}
		f, _ := tdxFieldOf(k)
		key, form, size = k, f.form, f.size
	} else {
		k, ok := snpTemplateKeys[spec.path]
		if !ok {
			if p, found := tcbPrefix(spec.path); found {
				return 0, nil, fmt.Errorf("give %s as one object, not %s", p, spec.path)
			}
			return 0, nil, fmt.Errorf("no SEV-SNP mkey carries %s (PROFILES.md)", spec.path)
		}
		f := snpFields[k]
		key, form, size = k, f.form, f.size
	}
	mv := map[any]any{}
	switch form {
	case "digests", "raw|digests", "digest":
		alts, err := hexList(v, size)
		if err != nil {
			return 0, nil, err
		}
		mv[uint64(2)] = digestsOf(7, alts)
	case "hostdata":
		alts, err := hexList(v, size)
		if err != nil {
			return 0, nil, err
		}
		if len(alts) == 1 {
			mv[uint64(4)] = cbor.Tag{Number: tagBytes, Content: alts[0]}
		} else {
			mv[uint64(2)] = digestsOf(1, alts)
		}
	case "raw", "chipid":
		val, mask, err := rawWithMask(v, size)
		if err != nil {
			return 0, nil, err
		}
		putRaw(mv, val, mask, tagged)
	case "policy":
		val, mask, err := intWithMask(v, size)
		if err != nil {
			return 0, nil, err
		}
		putRaw(mv, val, mask, tagged)
	case "svn":
		n, min, err := intOrMin(v)
		if err != nil {
			return 0, nil, err
		}
		t := uint64(tagSVN)
		if min {
			t = tagMinSVN
		}
		mv[uint64(1)] = cbor.Tag{Number: t, Content: uint64(n)}
	case "version":
		n, err := toInt(v)
		if err != nil || n < 0 {
			return 0, nil, fmt.Errorf("want a non-negative integer")
		}
		mv[uint64(0)] = map[any]any{uint64(0): strconv.FormatInt(n, 10), uint64(1): uint64(4)} // decimal
	case "int":
		n, err := toInt(v)
		if err != nil || n < 0 || (size < 8 && n >= 1<<(8*size)) {
			return 0, nil, fmt.Errorf("want an integer of %d bytes", size)
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(n >> (8 * i))
		}
		mv[uint64(4)] = cbor.Tag{Number: tagBytes, Content: b} // Veraison's encoding; corim 2fa49d7 has no raw-int
	case "tcb":
		u, min, err := tcbValue(v, product)
		if err != nil {
			return 0, nil, err
		}
		t := uint64(tagSVN)
		if min {
			t = tagMinSVN
		}
		mv[uint64(1)] = cbor.Tag{Number: t, Content: u}
	case "semver":
		s, ok := v.(string)
		if !ok || len(strings.Split(s, ".")) != 3 {
			return 0, nil, fmt.Errorf(`want "major.minor.build"`)
		}
		mv[uint64(0)] = map[any]any{uint64(0): s, uint64(1): uint64(versionSchemeSemVer)}
	default:
		return 0, nil, fmt.Errorf("no template form for %s", spec.path)
	}
	return int64(key), mv, nil
}

func tcbPrefix(path string) (string, bool) {
	for _, p := range []string{"reported_tcb", "current_tcb", "committed_tcb", "launch_tcb"} {
		if strings.HasPrefix(path, p+"_") {
			return p, true
		}
	}
	return "", false
}

func putRaw(mv map[any]any, val, mask []byte, tagged bool) {
	switch {
	case mask == nil:
		mv[uint64(4)] = cbor.Tag{Number: tagBytes, Content: val}
	case tagged:
		mv[uint64(4)] = cbor.Tag{Number: tagMaskedRawValue, Content: []any{val, mask}}
	default:
		mv[uint64(4)] = cbor.Tag{Number: tagBytes, Content: val}
		mv[uint64(5)] = mask
	}
}

func hexList(v any, size int) ([][]byte, error) {
	var ss []string
	switch x := v.(type) {
	case string:
		ss = []string{x}
	case []string:
		ss = x
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want hex strings")
			}
			ss = append(ss, s)
		}
	default:
		return nil, fmt.Errorf(`want "hex" or ["hex", ...]`)
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("no values")
	}
	out := make([][]byte, 0, len(ss))
	for _, s := range ss {
		h, err := normHex(s, size)
		if err != nil {
			return nil, err
		}
		b, _ := hex.DecodeString(h)
		out = append(out, b)
	}
	return out, nil
}

func singleHex(v any, size int) ([]byte, error) {
	l, err := hexList(v, size)
	if err != nil {
		return nil, err
	}
	if len(l) != 1 {
		return nil, fmt.Errorf("want one value, got %d", len(l))
	}
	return l[0], nil
}

func rawWithMask(v any, size int) (val, mask []byte, err error) {
	if m, ok := v.(map[string]any); ok {
		if len(m) != 2 || m["value"] == nil || m["mask"] == nil {
			return nil, nil, fmt.Errorf(`want {"value": "hex", "mask": "hex"}`)
		}
		if val, err = singleHex(m["value"], size); err != nil {
			return nil, nil, err
		}
		if mask, err = singleHex(m["mask"], size); err != nil {
			return nil, nil, fmt.Errorf("mask: %v", err)
		}
		return val, mask, nil
	}
	val, err = singleHex(v, size)
	return val, nil, err
}

func intWithMask(v any, size int) (val, mask []byte, err error) {
	le := func(x any) ([]byte, error) {
		if s, ok := x.(string); ok && !strings.HasPrefix(strings.ToLower(s), "0x") { // hex bytes as the report holds them
			return singleHex(s, size)
		}
		n, err := toUint(x)
		if err != nil {
			return nil, err
		}
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, n)
		return b[:size], nil
	}
	if m, ok := v.(map[string]any); ok {
		if len(m) != 2 || m["value"] == nil || m["mask"] == nil {
			return nil, nil, fmt.Errorf(`want {"value": int, "mask": int}`)
		}
		if val, err = le(m["value"]); err != nil {
			return nil, nil, err
		}
		if mask, err = le(m["mask"]); err != nil {
			return nil, nil, fmt.Errorf("mask: %v", err)
		}
		return val, mask, nil
	}
	val, err = le(v)
	return val, nil, err
}

func toUint(v any) (uint64, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.ParseUint(x.String(), 10, 64)
	case string:
		s := strings.ToLower(strings.TrimSpace(x))
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			return strconv.ParseUint(h, 16, 64)
		}
		return strconv.ParseUint(s, 10, 64)
	}
	if u, ok := uinteger(v); ok {
		return u, nil
	}
	return 0, fmt.Errorf("want a non-negative integer, got %v", v)
}

func intOrMin(v any) (int64, bool, error) {
	if m, ok := v.(map[string]any); ok {
		x, found := m["min"]
		if !found || len(m) != 1 {
			return 0, false, fmt.Errorf(`want an integer or {"min": int}`)
		}
		n, err := toInt(x)
		if err != nil || n < 0 {
			return 0, false, fmt.Errorf("min: want a non-negative integer")
		}
		return n, true, nil
	}
	n, err := toInt(v)
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("want a non-negative integer")
	}
	return n, false, nil
}

func tcbValue(v any, p snp.Product) (uint64, bool, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return 0, false, fmt.Errorf(`want {"bootloader": n, "tee": n, "snp": n, "microcode": n} or {"min": {...}}`)
	}
	min := false
	if inner, found := m["min"]; found {
		if len(m) != 1 {
			return 0, false, fmt.Errorf(`"min" must be the only key`)
		}
		if m, ok = inner.(map[string]any); !ok {
			return 0, false, fmt.Errorf(`min: want {"bootloader": n, ...}`)
		}
		min = true
	}
	var t snp.TCBParts
	for k, x := range m {
		n, err := toInt(x)
		if err != nil || n < 0 || n > 255 {
			return 0, false, fmt.Errorf("%s: want 0-255", k)
		}
		switch k {
		case "bootloader":
			t.BootLoader = uint8(n)
		case "tee":
			t.TEE = uint8(n)
		case "snp":
			t.SNP = uint8(n)
		case "microcode":
			t.Microcode = uint8(n)
		case "fmc":
			if p != snp.Turin {
				return 0, false, fmt.Errorf("fmc is a Turin component: set product")
			}
			t.FMC, t.HasFMC = uint8(n), true
		default:
			return 0, false, fmt.Errorf("unknown TCB component %q", k)
		}
	}
	if p == snp.Unknown {
		return 0, false, fmt.Errorf("set the template's product (Milan, Genoa, Turin): the TCB_VERSION layout depends on it")
	}
	return uint64(t.TCBVersion(p)), min, nil
}

// TemplateFromClaims drafts the Template that approves what a golden quote or
// report measured, from the claims map verify builds (CLAIMS.md), for a
// person to review and edit. It takes the values that identify software and
// its configuration; per-launch and per-chip values (REPORT_DATA, REPORT_ID,
// CHIP_ID) are left out, and SVNs and TCBs become minimums.
func TemplateFromClaims(tee string, claims map[string]any) (*Template, error) {
	t := &Template{TEE: tee}
	vals := map[string]any{}
	str := func(path string) (string, bool) {
		v, ok := lookup(claims, splitPath(path))
		s, isStr := v.(string)
		return s, ok && isStr
	}
	switch tee {
	case TDX:
		for _, n := range []string{"mr_td", "rtmr_0", "rtmr_1", "rtmr_2", "rtmr_3", "mr_seam", "mrsigner_seam",
			"mr_config_id", "mr_owner", "mr_owner_config", "mr_servicetd"} {
			if s, ok := str("quote.body." + n); ok {
				vals[n] = s
			}
		}
		for _, n := range []string{"td_attributes", "xfam"} {
			if s, ok := str("quote.body." + n); ok {
				vals[n] = map[string]any{"value": s, "mask": strings.Repeat("f", len(s))}
			}
		}
		if s, ok := str("quote.body.tcb_svn"); ok {
			vals["tcb_svn"] = map[string]any{"min": s}
		}
		if _, ok := vals["mr_td"]; !ok {
			return nil, fmt.Errorf("%w: claims have no quote.body.mr_td", ErrValue)
		}
	case SNP:
		for _, n := range []string{"measurement", "host_data", "family_id", "image_id", "id_key_digest"} {
			if s, ok := str(n); ok {
				vals[n] = s
			}
		}
		if b, _ := claims["author_key_en"].(bool); b {
			if s, ok := str("author_key_digest"); ok {
				vals["author_key_digest"] = s
			}
		}
		if v, ok := uinteger(claims["policy"]); ok {
			vals["policy"] = v
		}
		for _, n := range []string{"vmpl", "version"} {
			if v, ok := integer(claims[n]); ok {
				vals[n] = v
			}
		}
		if v, ok := integer(claims["guest_svn"]); ok {
			vals["guest_svn"] = map[string]any{"min": v}
		}
		parts := map[string]any{}
		for _, p := range tcbParts {
			if v, ok := integer(claims["reported_tcb_"+p]); ok {
				parts[p] = v
			}
		}
		if len(parts) > 0 {
			vals["reported_tcb"] = map[string]any{"min": parts}
		}
		if p, ok := claims["product"].(string); ok && snp.ParseProduct(p) != snp.Unknown {
			t.Product = p
		} else if len(parts) > 0 {
			delete(vals, "reported_tcb") // the layout is unknown
		}
		if s, ok := claims["signing_key"].(string); ok && s == "VLEK" {
			t.SigningKey = s
		}
		if _, ok := vals["measurement"]; !ok {
			return nil, fmt.Errorf("%w: claims have no measurement", ErrValue)
		}
	default:
		return nil, fmt.Errorf("%w: %q (tdx or snp)", ErrTEE, tee)
	}
	vals["debug"] = false
	for _, p := range []string{"debug", "policy_debug_allowed", "td_attributes.debug"} {
		if d, ok := lookup(claims, splitPath(p)); ok {
			if b, isBool := d.(bool); isBool {
				vals["debug"] = b // what the golden evidence ran with: review a true
				break
			}
		}
	}
	t.References = []TemplateReference{{Name: "from evidence", Values: vals}}
	return t, nil
}

// SignOptions describe a signed CoRIM's protected header.
type SignOptions struct {
	// Signer is the corim-meta signer name (required by corim-meta; default
	// "ccverify").
	Signer string
	// NotBefore and NotAfter are the corim-meta signature-validity; NotAfter
	// zero means none.
	NotBefore time.Time
	NotAfter  time.Time
	// Chain is an optional x5chain (leaf first) for the key: Load then trusts
	// the CoRIM through LoadOptions.Roots.
	Chain []*x509.Certificate
	// Rand is the randomness for ECDSA; nil means crypto/rand.
	Rand io.Reader
}

// Sign wraps an unsigned CoRIM (as Build writes it: #6.501) in a COSE_Sign1
// (#6.18) signed with key: ECDSA P-256 (ES256), P-384 (ES384) or Ed25519
// (EdDSA). The protected header carries the algorithm, content-type
// application/rim+cbor, kid = Thumbprint of the public key, corim-meta, and
// the x5chain when given.
func Sign(unsigned []byte, key crypto.Signer, opts SignOptions) ([]byte, error) {
	if len(unsigned) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes (at most %d)", ErrTooLarge, len(unsigned), MaxSize)
	}
	v, err := decodeCBOR(unsigned)
	if err != nil {
		return nil, settle(at(err, "unsigned CoRIM"))
	}
	if !isTag(v, tagUnsignedCorim) {
		return nil, fmt.Errorf("%w: want #6.501 unsigned CoRIM, got %s", ErrMalformed, describe(v))
	}
	if _, err := parseUnsignedCorim(v); err != nil {
		return nil, settle(at(err, "unsigned CoRIM"))
	}
	if key == nil {
		return nil, fmt.Errorf("%w: nil key", ErrKey)
	}
	var alg cose.Algorithm
	switch k := key.Public().(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			alg = cose.AlgorithmES256
		case elliptic.P384():
			alg = cose.AlgorithmES384
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s (P-256 or P-384)", ErrKey, k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		alg = cose.AlgorithmEdDSA
	default:
		return nil, fmt.Errorf("%w: %T (ECDSA P-256/P-384 or Ed25519)", ErrKey, k)
	}
	signer, err := cose.NewSigner(alg, key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	kid, err := Thumbprint(key.Public())
	if err != nil {
		return nil, err
	}
	name := opts.Signer
	if name == "" {
		name = "ccverify"
	}
	meta := map[any]any{uint64(0): map[any]any{uint64(0): name}}
	if !opts.NotAfter.IsZero() {
		val := map[any]any{uint64(1): cbor.Tag{Number: 1, Content: opts.NotAfter.Unix()}}
		if !opts.NotBefore.IsZero() {
			val[uint64(0)] = cbor.Tag{Number: 1, Content: opts.NotBefore.Unix()}
		}
		meta[uint64(1)] = val
	} else if !opts.NotBefore.IsZero() {
		return nil, fmt.Errorf("%w: NotBefore without NotAfter", ErrValue)
	}
	mb, err := encMode.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrValue, err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	msg.Headers.Protected[cose.HeaderLabelContentType] = rimContentType
	msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	msg.Headers.Protected[int64(corimMetaLabel)] = mb
	if len(opts.Chain) > 0 {
		if len(opts.Chain) > maxChain {
			return nil, fmt.Errorf("%w: x5chain of %d certificates (at most %d)", ErrValue, len(opts.Chain), maxChain)
		}
		if !publicKeysEqual(opts.Chain[0].PublicKey, key.Public()) {
			return nil, fmt.Errorf("%w: the x5chain leaf is not the signing key's certificate", ErrKey)
		}
		if len(opts.Chain) == 1 {
			msg.Headers.Protected[cose.HeaderLabelX5Chain] = opts.Chain[0].Raw
		} else {
			ders := make([][]byte, len(opts.Chain))
			for i, c := range opts.Chain {
				ders[i] = c.Raw
			}
			msg.Headers.Protected[cose.HeaderLabelX5Chain] = ders
		}
	}
	msg.Payload = unsigned
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	if err := msg.Sign(r, nil, signer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrValue, err)
	}
	return out, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}
