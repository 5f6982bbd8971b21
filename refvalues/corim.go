// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CBOR tags of draft-ietf-rats-corim (-11) and the registries it uses.
const (
	tagURI              = 32
	tagUUID             = 37
	tagOID              = 111
	tagUnsignedCorim    = 501
	tagCoSWID           = 505
	tagCoMID            = 506
	tagSVN              = 552
	tagMinSVN           = 553
	tagUEID             = 550
	tagBytes            = 560
	tagMaskedRawValue   = 563
	tagIntRange         = 564
	tagNumericExpr      = 60010 // Intel profile numeric expression [op, value]
	tagDigestSetExpr    = 60020 // Intel profile set-of-digests expression [op, [digests]]
	tagStringSetExpr    = 60021 // Intel profile set-of-strings expression [op, [tstr]]
	intelOpEq           = 0
	intelOpGt           = 1
	intelOpGe           = 2
	intelOpLt           = 3
	intelOpLe           = 4
	intelOpMember       = 6
	intelOpNotMember    = 7
	coseSign1Tag        = 18
	cwtClaimsLabel      = 15
	corimMetaLabel      = 8
	x5chainLabel        = 33
	payloadHashAlgHdr   = 258
	contentTypeHdr      = 3
	kidHdr              = 4
	algHdr              = 1
	critHdr             = 2
	rimContentType      = "application/rim+cbor"
	versionSchemeSemVer = 16384
)

// corimDoc is a decoded unsigned CoRIM (corim-map), or a bare CoMID wrapped
// in one with no identity.
type corimDoc struct {
	id          string
	profile     string // URI, or dotted OID; "" when absent
	profileWire string // "array" (v1.1.2 / early drafts), "untagged" (corim 2fa49d7), "tagged" (draft-11)
	notBefore   time.Time
	notAfter    time.Time
	comids      []comidDoc
	otherTags   []uint64 // CoSWID, CoBOM, CoTS, ...: carried, not used
	bareComid   bool
}

type comidDoc struct {
	tagID   string
	triples []triple
	ignored []string // triple kinds present but not used for reference values
}

// triple is one reference triple: an environment and its measurements.
type triple struct {
	env  environment
	meas []measurement
}

type environment struct {
	classID  *typed
	vendor   *string
	model    *string
	layer    *uint64
	index    *uint64
	instance *typed
	group    *typed
}

// typed is a tagged identifier (class-id, instance, group, mkey).
type typed struct {
	kind string // "oid", "uuid", "bytes", "ueid", "uint", "text", "tag N"
	b    []byte
	s    string // dotted OID, uuid text, text, uint decimal
}

func (t *typed) String() string {
	switch t.kind {
	case "bytes", "ueid":
		return t.kind + ":" + hex.EncodeToString(t.b)
	case "uint":
		return t.s
	case "text":
		return strconv.Quote(t.s)
	}
	if t.s != "" {
		return t.kind + ":" + t.s
	}
	return t.kind + ":" + hex.EncodeToString(t.b)
}

type measurement struct {
	key  *typed // nil: no mkey
	vals mval
}

type mval struct {
	version   *versionVal
	svn       *svnVal
	digests   []digest
	hasDigest bool
	flags     map[int64]bool
	raw       *rawVal
	intRange  *intRange
	regs      []register
	unused    []string      // keys present that no profile maps (mac-addr, name, ...)
	ext       map[int64]any // negative keys: profile extensions, interpreted by the profile
	extOrder  []int64
}

type versionVal struct {
	v      string
	scheme int64
}

type svnVal struct {
	min bool
	v   uint64
}

type digest struct {
	alg     int64  // named-information hash id; 0 when given as text
	algName string // normalized lower-case name: "sha-256", "sha-384", ...
	v       []byte
}

type rawVal struct {
	b     []byte
	mask  []byte // nil: compare every bit
	isInt bool   // the SNP draft's `raw-value: int` (vmpl.diag); b holds nothing
	i     int64
}

type intRange struct {
	exact    bool
	v        int64 // exact
	min, max int64
	hasMin   bool
	hasMax   bool
}

type register struct {
	key     string // uint index as decimal, or text name
	isUint  bool
	idx     uint64
	digests []digest
}

// parseUnsignedCorim decodes a corim-map (with or without #6.501).
func parseUnsignedCorim(v any) (*corimDoc, error) {
	if c, ok := tagOf(v, tagUnsignedCorim); ok {
		v = c
	}
	m, err := mapOf(v, "corim-map")
	if err != nil {
		return nil, err
	}
	d := &corimDoc{}
	if idv, ok := get(m, 0); ok {
		switch x := idv.(type) {
		case string:
			d.id = x
		case []byte:
			d.id = uuidOrHex(x)
		default:
			return nil, bad("corim-map: id: want text or uuid bytes, got %s", describe(idv))
		}
	} else {
		return nil, bad("corim-map: no id (key 0)")
	}
	if pv, ok := get(m, 3); ok {
		if d.profile, d.profileWire, err = parseProfile(pv); err != nil {
			return nil, at(err, "corim-map: profile")
		}
	}
	if vv, ok := get(m, 4); ok {
		if d.notBefore, d.notAfter, err = parseValidity(vv); err != nil {
			return nil, at(err, "corim-map: rim-validity")
		}
	}
	tv, ok := get(m, 1)
	if !ok {
		return nil, bad("corim-map: no tags (key 1)")
	}
	tags, err := arrayOf(tv, "corim-map: tags")
	if err != nil {
		return nil, err
	}
	if len(tags) > maxComids {
		return nil, tooLarge("corim-map: %d tags (at most %d)", len(tags), maxComids)
	}
	nTriples := 0
	for i, t := range tags {
		num, content, err := concise(t)
		if err != nil {
			return nil, at(err, "tag %d", i)
		}
		if num != tagCoMID {
			d.otherTags = append(d.otherTags, num)
			continue
		}
		cm, err := parseComid(content, &nTriples)
		if err != nil {
			return nil, at(err, "comid %d", len(d.comids))
		}
		d.comids = append(d.comids, *cm)
	}
	return d, nil
}

// concise returns a corim tags entry's tag number and decoded content. It
// accepts draft-11's #6.506(bstr .cbor concise-mid-tag), the older
// #6.506(concise-mid-tag) and corim v1.1.2's bstr .cbor #6.506(...).
func concise(t any) (uint64, any, error) {
	if b, ok := t.([]byte); ok { // v1.1.2: the tag inside a byte string
		inner, err := decodeCBOR(b)
		if err != nil {
			return 0, nil, err
		}
		t = inner
	}
	tg, ok := t.(cbor.Tag)
	if !ok {
		return 0, nil, bad("want a tagged concise tag (#6.505/#6.506/...), got %s", describe(t))
	}
	c := tg.Content
	if b, ok := c.([]byte); ok {
		inner, err := decodeCBOR(b)
		if err != nil {
			return 0, nil, at(err, "#6.%d content", tg.Number)
		}
		c = inner
	}
	return tg.Number, c, nil
}

// parseProfile normalizes the three wire generations of corim-map key 3:
// an array of profiles (v1.1.2), an untagged URI text or OID bytes (corim
// 2fa49d7), a #6.32 URI or #6.111 OID (draft-11, corim HEAD).
func parseProfile(v any) (string, string, error) {
	wire := "untagged"
	if a, ok := v.([]any); ok {
		if len(a) != 1 {
			return "", "", bad("array of %d profiles (exactly one is supported)", len(a))
		}
		v, wire = a[0], "array"
	}
	if t, ok := v.(cbor.Tag); ok {
		if wire != "array" {
			wire = "tagged"
		}
		switch t.Number {
		case tagURI:
			s, err := textOf(t.Content, "#6.32 uri")
			return s, wire, err
		case tagOID:
			b, err := bytesOf(t.Content, "#6.111 oid")
			if err != nil {
				return "", "", err
			}
			s, err := oidString(b)
			return s, wire, err
		}
		return "", "", bad("want uri (#6.32) or oid (#6.111), got %s", describe(v))
	}
	switch x := v.(type) {
	case string:
		return x, wire, nil
	case []byte:
		s, err := oidString(x)
		return s, wire, err
	}
	return "", "", bad("want uri or oid, got %s", describe(v))
}

// parseValidity reads a validity-map {0: not-before, 1: not-after} of epoch
// (#6.1) or RFC 3339 (#6.0) times, or bare integers.
func parseValidity(v any) (nb, na time.Time, err error) {
	m, err := mapOf(v, "validity-map")
	if err != nil {
		return nb, na, err
	}
	if x, ok := get(m, 0); ok {
		if nb, err = timeOf(x, "not-before"); err != nil {
			return nb, na, err
		}
	}
	x, ok := get(m, 1)
	if !ok {
		return nb, na, bad("validity-map: no not-after (key 1)")
	}
	if na, err = timeOf(x, "not-after"); err != nil {
		return nb, na, err
	}
	return nb, na, nil
}

func timeOf(v any, what string) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case uint64:
		if x > 1<<40 {
			return time.Time{}, bad("%s: %d is out of range", what, x)
		}
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	case float64:
		if x != x || x > 1<<40 || x < -(1<<40) {
			return time.Time{}, bad("%s: %v is out of range", what, x)
		}
		return time.Unix(int64(x), 0).UTC(), nil
	}
	return time.Time{}, bad("%s: want a time, got %s", what, describe(v))
}

// parseComid decodes a concise-mid-tag. n counts reference triples over the
// whole CoRIM against maxTriples.
func parseComid(v any, n *int) (*comidDoc, error) {
	m, err := mapOf(v, "concise-mid-tag")
	if err != nil {
		return nil, err
	}
	c := &comidDoc{}
	idv, ok := get(m, 1)
	if !ok {
		return nil, bad("no tag-identity (key 1)")
	}
	idm, err := mapOf(idv, "tag-identity")
	if err != nil {
		return nil, err
	}
	tid, ok := get(idm, 0)
	if !ok {
		return nil, bad("tag-identity: no tag-id (key 0)")
	}
	switch x := tid.(type) {
	case string:
		c.tagID = x
	case []byte:
		c.tagID = uuidOrHex(x)
	default:
		return nil, bad("tag-identity: tag-id: want text or uuid bytes, got %s", describe(tid))
	}
	tv, ok := get(m, 4)
	if !ok {
		return nil, bad("no triples (key 4)")
	}
	tm, err := mapOf(tv, "triples")
	if err != nil {
		return nil, err
	}
	keys, other := sortedIntKeys(tm)
	if other {
		return nil, bad("triples: non-integer key")
	}
	for _, k := range keys {
		if k != 0 {
			c.ignored = append(c.ignored, tripleName(k))
			continue
		}
		rts, err := arrayOf(tm[uint64(0)], "triples: reference-triples")
		if err != nil {
			return nil, err
		}
		for i, rt := range rts {
			if *n++; *n > maxTriples {
				return nil, tooLarge("more than %d reference triples", maxTriples)
			}
			t, err := parseTriple(rt)
			if err != nil {
				return nil, at(err, "triples: reference-triple %d", i)
			}
			c.triples = append(c.triples, *t)
		}
	}
	return c, nil
}

func tripleName(k int64) string {
	switch k {
	case 1:
		return "endorsed-triples"
	case 2:
		return "identity-triples"
	case 3:
		return "attest-key-triples"
	case 4:
		return "dependency-triples"
	case 5:
		return "membership-triples"
	case 6:
		return "coswid-triples"
	case 8:
		return "conditional-endorsement-series-triples"
	case 10:
		return "conditional-endorsement-triples"
	}
	return fmt.Sprintf("triples key %d", k)
}

func parseTriple(v any) (*triple, error) {
	a, err := arrayOf(v, "reference-triple-record")
	if err != nil {
		return nil, err
	}
	if len(a) != 2 {
		return nil, bad("reference-triple-record: %d elements, want [environment, measurements]", len(a))
	}
	t := &triple{}
	if err := parseEnvironment(a[0], &t.env); err != nil {
		return nil, at(err, "environment")
	}
	ms, ok := a[1].([]any)
	if !ok { // a single measurement-map (some early encodings)
		if _, isMap := a[1].(map[any]any); !isMap {
			return nil, bad("measurements: want array, got %s", describe(a[1]))
		}
		ms = []any{a[1]}
	}
	if len(ms) == 0 {
		return nil, bad("measurements: empty")
	}
	if len(ms) > maxMeasurements {
		return nil, tooLarge("%d measurements (at most %d)", len(ms), maxMeasurements)
	}
	for i, mv := range ms {
		var m measurement
		if err := parseMeasurement(mv, &m); err != nil {
			return nil, at(err, "measurement %d", i)
		}
		t.meas = append(t.meas, m)
	}
	return t, nil
}

func parseEnvironment(v any, e *environment) error {
	m, err := mapOf(v, "environment-map")
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return bad("empty environment-map")
	}
	if cv, ok := get(m, 0); ok {
		cm, err := mapOf(cv, "class")
		if err != nil {
			return err
		}
		if x, ok := get(cm, 0); ok {
			if e.classID, err = parseTyped(x); err != nil {
				return at(err, "class: class-id")
			}
		}
		if x, ok := get(cm, 1); ok {
			s, err := textOf(x, "class: vendor")
			if err != nil {
				return err
			}
			e.vendor = &s
		}
		if x, ok := get(cm, 2); ok {
			s, err := textOf(x, "class: model")
			if err != nil {
				return err
			}
			e.model = &s
		}
		if x, ok := get(cm, 3); ok {
			u, err := uintOf(x, "class: layer")
			if err != nil {
				return err
			}
			e.layer = &u
		}
		if x, ok := get(cm, 4); ok {
			u, err := uintOf(x, "class: index")
			if err != nil {
				return err
			}
			e.index = &u
		}
	}
	if x, ok := get(m, 1); ok {
		if e.instance, err = parseTyped(x); err != nil {
			return at(err, "instance")
		}
	}
	if x, ok := get(m, 2); ok {
		if e.group, err = parseTyped(x); err != nil {
			return at(err, "group")
		}
	}
	return nil
}

// parseTyped reads a class-id, instance, group or mkey choice.
func parseTyped(v any) (*typed, error) {
	switch x := v.(type) {
	case uint64:
		return &typed{kind: "uint", s: strconv.FormatUint(x, 10)}, nil
	case string:
		return &typed{kind: "text", s: x}, nil
	case []byte: // untagged bytes (old encodings of instance/impl-id)
		return &typed{kind: "bytes", b: x}, nil
	case cbor.Tag:
		switch x.Number {
		case tagOID:
			b, err := bytesOf(x.Content, "#6.111 oid")
			if err != nil {
				return nil, err
			}
			s, err := oidString(b)
			if err != nil {
				return nil, err
			}
			return &typed{kind: "oid", b: b, s: s}, nil
		case tagUUID:
			b, err := bytesOf(x.Content, "#6.37 uuid")
			if err != nil {
				return nil, err
			}
			if len(b) != 16 {
				return nil, bad("#6.37 uuid: %d bytes, want 16", len(b))
			}
			return &typed{kind: "uuid", b: b, s: uuidOrHex(b)}, nil
		case tagBytes, tagUEID:
			b, err := bytesOf(x.Content, fmt.Sprintf("#6.%d", x.Number))
			if err != nil {
				return nil, err
			}
			k := "bytes"
			if x.Number == tagUEID {
				k = "ueid"
			}
			return &typed{kind: k, b: b}, nil
		default: // PSA impl-id (#6.600), keys (#6.554 pkix, ...), other profiles' types
			t := &typed{kind: fmt.Sprintf("tag %d", x.Number)}
			switch c := x.Content.(type) {
			case []byte:
				t.b = c
			case string:
				t.s = c
			}
			return t, nil
		}
	}
	return nil, bad("want an identifier, got %s", describe(v))
}

func parseMeasurement(v any, out *measurement) error {
	m, err := mapOf(v, "measurement-map")
	if err != nil {
		return err
	}
	if kv, ok := get(m, 0); ok {
		if out.key, err = parseTyped(kv); err != nil {
			return at(err, "mkey")
		}
	}
	mv, ok := get(m, 1)
	if !ok {
		return bad("no mval (key 1)")
	}
	return parseMval(mv, &out.vals)
}

func parseMval(v any, out *mval) error {
	m, err := mapOf(v, "measurement-values-map")
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return bad("empty measurement-values-map")
	}
	keys, other := sortedIntKeys(m)
	if other {
		return bad("non-integer key")
	}
	for _, k := range keys {
		x := m[keyOf(k)]
		if err := parseMvalKey(k, x, m, out); err != nil {
			return at(err, "mval key %d", k)
		}
	}
	if _, hasMask := get(m, 5); hasMask && (out.raw == nil || out.raw.isInt) {
		return bad("mval key 5: raw-value-mask without a raw-value bytes (key 4)")
	}
	return nil
}

func keyOf(k int64) any {
	if k >= 0 {
		return uint64(k)
	}
	return k
}

func parseMvalKey(k int64, x any, m map[any]any, out *mval) error {
	var err error
	switch {
	case k < 0:
		if out.ext == nil {
			out.ext = map[int64]any{}
		}
		out.ext[k] = x
		out.extOrder = append(out.extOrder, k)
	case k == 0:
		vm, err := mapOf(x, "version-map")
		if err != nil {
			return err
		}
		vs, ok := get(vm, 0)
		if !ok {
			return bad("version-map: no version (key 0)")
		}
		s, err := textOf(vs, "version")
		if err != nil {
			return err
		}
		out.version = &versionVal{v: s}
		if sc, ok := get(vm, 1); ok {
			if out.version.scheme, err = intOf(sc, "version-scheme"); err != nil {
				return err
			}
		}
	case k == 1:
		out.svn, err = parseSVN(x)
		return err
	case k == 2:
		out.digests, err = parseDigests(x)
		out.hasDigest = true
		return err
	case k == 3:
		if _, legacy := x.(uint64); legacy { // corim v1.1.2 / early drafts: a bit mask of other semantics
			out.unused = append(out.unused, "flags (3) as a legacy bit mask")
			return nil
		}
		fm, err := mapOf(x, "flags-map")
		if err != nil {
			return err
		}
		out.flags = map[int64]bool{}
		for fk, fv := range fm {
			i, ok := intKey(fk)
			if !ok {
				return bad("flags-map: non-integer key")
			}
			b, ok := fv.(bool)
			if !ok {
				return bad("flags-map: flag %d: want bool, got %s", i, describe(fv))
			}
			out.flags[i] = b
		}
	case k == 4:
		out.raw, err = parseRaw(x)
		if err != nil {
			return err
		}
		if mk, ok := get(m, 5); ok && !out.raw.isInt {
			if out.raw.mask != nil {
				return bad("masked raw value (#6.563) and raw-value-mask (key 5) both given")
			}
			mb, err := bytesOf(mk, "raw-value-mask")
			if err != nil {
				return err
			}
			out.raw.mask = mb
		}
	case k == 5:
		// handled with key 4
	case k == 14:
		out.regs, err = parseRegisters(x)
		return err
	case k == 15:
		out.intRange, err = parseIntRange(x)
		return err
	default:
		out.unused = append(out.unused, mvalKeyName(k))
	}
	return nil
}

func mvalKeyName(k int64) string {
	switch k {
	case 6:
		return "mac-addr (6)"
	case 7:
		return "ip-addr (7)"
	case 8:
		return "serial-number (8)"
	case 9:
		return "ueid (9)"
	case 10:
		return "uuid (10)"
	case 11:
		return "name (11)"
	case 13:
		return "cryptokeys (13)"
	}
	return fmt.Sprintf("mval key %d", k)
}

func parseSVN(x any) (*svnVal, error) {
	switch t := x.(type) {
	case uint64:
		return &svnVal{v: t}, nil
	case cbor.Tag:
		u, err := uintOf(t.Content, fmt.Sprintf("svn #6.%d", t.Number))
		if err != nil {
			return nil, err
		}
		switch t.Number {
		case tagSVN:
			return &svnVal{v: u}, nil
		case tagMinSVN:
			return &svnVal{v: u, min: true}, nil
		}
	}
	return nil, bad("svn: want uint, #6.552 or #6.553, got %s", describe(x))
}

func parseDigests(x any) ([]digest, error) {
	a, err := arrayOf(x, "digests")
	if err != nil {
		return nil, err
	}
	if len(a) == 0 {
		return nil, bad("digests: empty")
	}
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

func parseDigest(e any) (digest, error) {
	p, err := arrayOf(e, "digest")
	if err != nil {
		return digest{}, err
	}
	if len(p) != 2 {
		return digest{}, bad("digest: %d elements, want [alg, value]", len(p))
	}
	var d digest
	switch a := p[0].(type) {
	case uint64:
		if a > 1<<31 {
			return digest{}, bad("digest: alg %d out of range", a)
		}
		d.alg = int64(a)
		d.algName = hashName(d.alg)
	case int64:
		d.alg = a
		d.algName = hashName(a)
	case string:
		d.algName = strings.ToLower(a)
		d.alg = hashID(d.algName)
	default:
		return digest{}, bad("digest: alg: want int or text, got %s", describe(p[0]))
	}
	if d.v, err = bytesOf(p[1], "digest value"); err != nil {
		return digest{}, err
	}
	return d, nil
}

// Named Information Hash Algorithm Registry ids (RFC 6920) the profiles use.
func hashName(id int64) string {
	switch id {
	case 1:
		return "sha-256"
	case 7:
		return "sha-384"
	case 8:
		return "sha-512"
	case 2:
		return "sha-256-128"
	case 3:
		return "sha-256-120"
	case 4:
		return "sha-256-96"
	case 5:
		return "sha-256-64"
	case 6:
		return "sha-256-32"
	case 9:
		return "sha3-224"
	case 10:
		return "sha3-256"
	case 11:
		return "sha3-384"
	case 12:
		return "sha3-512"
	}
	return fmt.Sprintf("alg %d", id)
}

func hashID(name string) int64 {
	switch name {
	case "sha-256", "sha256":
		return 1
	case "sha-384", "sha384":
		return 7
	case "sha-512", "sha512":
		return 8
	}
	return 0
}

func parseRaw(x any) (*rawVal, error) {
	switch t := x.(type) {
	case []byte: // untagged (corim v1.1.2 accepted it)
		return &rawVal{b: t}, nil
	case uint64, int64: // the SNP draft's vmpl.diag: `raw-value: 2`
		i, err := intOf(t, "raw-value")
		if err != nil {
			return nil, err
		}
		return &rawVal{isInt: true, i: i}, nil
	case cbor.Tag:
		switch t.Number {
		case tagBytes:
			b, err := bytesOf(t.Content, "raw-value #6.560")
			if err != nil {
				return nil, err
			}
			return &rawVal{b: b}, nil
		case tagMaskedRawValue:
			a, err := arrayOf(t.Content, "masked-raw-value #6.563")
			if err != nil {
				return nil, err
			}
			if len(a) != 2 {
				return nil, bad("masked-raw-value #6.563: %d elements, want [value, mask]", len(a))
			}
			v, err := bytesOf(a[0], "masked-raw-value value")
			if err != nil {
				return nil, err
			}
			mk, err := bytesOf(a[1], "masked-raw-value mask")
			if err != nil {
				return nil, err
			}
			if len(v) != len(mk) {
				return nil, bad("masked-raw-value #6.563: value is %d bytes, mask %d", len(v), len(mk))
			}
			return &rawVal{b: v, mask: mk}, nil
		}
	}
	return nil, bad("raw-value: want #6.560 bytes or #6.563 [value, mask], got %s", describe(x))
}

func parseRegisters(x any) ([]register, error) {
	m, err := mapOf(x, "integrity-registers")
	if err != nil {
		return nil, err
	}
	out := make([]register, 0, len(m))
	for k, v := range m {
		var r register
		switch kk := k.(type) {
		case uint64:
			r.isUint, r.idx, r.key = true, kk, strconv.FormatUint(kk, 10)
		case string:
			r.key = kk
		default:
			return nil, bad("integrity-registers: key: want uint or text, got %s", describe(k))
		}
		if r.digests, err = parseDigests(v); err != nil {
			return nil, at(err, "integrity-registers: register %s", r.key)
		}
		out = append(out, r)
	}
	for i := 1; i < len(out); i++ { // deterministic order for messages
		for j := i; j > 0 && regLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

func regLess(a, b register) bool {
	if a.isUint != b.isUint {
		return a.isUint
	}
	if a.isUint {
		return a.idx < b.idx
	}
	return a.key < b.key
}

func parseIntRange(x any) (*intRange, error) {
	switch t := x.(type) {
	case uint64, int64:
		i, err := intOf(t, "int-range")
		if err != nil {
			return nil, err
		}
		return &intRange{exact: true, v: i}, nil
	case cbor.Tag:
		if t.Number != tagIntRange {
			break
		}
		a, err := arrayOf(t.Content, "int-range #6.564")
		if err != nil {
			return nil, err
		}
		if len(a) != 2 {
			return nil, bad("int-range #6.564: %d elements, want [min, max]", len(a))
		}
		r := &intRange{}
		if a[0] != nil {
			if r.min, err = intOf(a[0], "int-range min"); err != nil {
				return nil, err
			}
			r.hasMin = true
		}
		if a[1] != nil {
			if r.max, err = intOf(a[1], "int-range max"); err != nil {
				return nil, err
			}
			r.hasMax = true
		}
		if r.hasMin && r.hasMax && r.min > r.max {
			return nil, bad("int-range #6.564: min %d > max %d", r.min, r.max)
		}
		return r, nil
	}
	return nil, bad("int-range: want int or #6.564 [min, max], got %s", describe(x))
}

// oidString decodes BER OID content bytes (RFC 9090 #6.111) to dotted
// form. For leniency with the SEV-SNP draft's examples, which carry the DER
// tag and length (06 09 ...), a leading 0x06 whose length byte matches the
// rest is skipped: no OID this package recognizes starts with arc 0.6.
func oidString(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == 0x06 && int(b[1]) == len(b)-2 {
		b = b[2:]
	}
	if len(b) == 0 || len(b) > 64 {
		return "", bad("oid: %d bytes", len(b))
	}
	var parts []string
	var v uint64
	first := true
	for i, c := range b {
		if v > 1<<56 {
			return "", bad("oid: arc too large")
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(b)-1 {
				return "", bad("oid: truncated arc")
			}
			continue
		}
		if first {
			switch {
			case v < 40:
				parts = append(parts, "0", strconv.FormatUint(v, 10))
			case v < 80:
				parts = append(parts, "1", strconv.FormatUint(v-40, 10))
			default:
				parts = append(parts, "2", strconv.FormatUint(v-80, 10))
			}
			first = false
		} else {
			parts = append(parts, strconv.FormatUint(v, 10))
		}
		v = 0
	}
	return strings.Join(parts, "."), nil
}

// oidBytes encodes a dotted OID as BER content bytes.
func oidBytes(s string) ([]byte, error) {
	ps := strings.Split(s, ".")
	if len(ps) < 2 {
		return nil, fmt.Errorf("%w: oid %q", ErrValue, s)
	}
	arcs := make([]uint64, len(ps))
	for i, p := range ps {
		u, err := strconv.ParseUint(p, 10, 56)
		if err != nil {
			return nil, fmt.Errorf("%w: oid %q", ErrValue, s)
		}
		arcs[i] = u
	}
	if arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
		return nil, fmt.Errorf("%w: oid %q", ErrValue, s)
	}
	var out []byte
	put := func(v uint64) {
		var tmp [10]byte
		n := len(tmp)
		n--
		tmp[n] = byte(v & 0x7f)
		for v >>= 7; v > 0; v >>= 7 {
			n--
			tmp[n] = byte(v&0x7f) | 0x80
		}
		out = append(out, tmp[n:]...)
	}
	put(arcs[0]*40 + arcs[1])
	for _, a := range arcs[2:] {
		put(a)
	}
	return out, nil
}

// uuidOrHex renders 16 bytes as a UUID, anything else as hex.
func uuidOrHex(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
