// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"sort"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/cmw"
)

// RATS conceptual message wrappers (draft-ietf-rats-msg-wrap):
//
//	json-record  = [type: media-type / uint, value: base64url, ? ind: uint]
//	cbor-record  = [type: media-type / uint(C-F), value: bstr, ? ind: uint]
//	cbor-tag     = #6.TN(C-F)(bstr)        ; RFC 9277 tag number of a CoAP content-format
//	collection   = { ? "__cmwc_t": tstr, + (tstr / int) => record / tag / collection }
//
// Records and collections are parsed here, strictly (a record's value must
// be a string or byte string, the indicator a small uint, collection keys
// unique); github.com/veraison/cmw supplies the CoAP content-format numbers,
// their tag numbers and their media types.

const cmwCollectionType = "__cmwc_t"

// ratsd's names (veraison/ratsd docs/ratsd-token.cddl).
const (
	ratsdLegacyProfile = "tag:github.com,2024:veraison/ratsd"
	ratsdCMWProfile    = "tag:github.com,2025:veraison/ratsd/cmw"
	ratsdV2Profile     = "tag:github.com,2026:veraison/ratsd/v2"
	ratsdClaimsKey     = "__ratsd"
)

// cborDec decodes CBOR with limits and without ambiguity: duplicate map keys
// are errors, nesting and lengths are bounded.
var cborDec = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 4096,
		MaxMapPairs:      4096,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constants
	}
	return dm
}()

// mediaType unwraps value by the media type a CMW record or a caller gave.
// Known types: application/vnd.veraison.tsm-report+json and +cbor (ratsd's
// configfs-tsm report), application/cmw+json and +cbor (a CMW), a ratsd
// token's type (application/eat+cwt, eat+jwt or eat-ucs+json with ratsd's
// eat_profile), and application/json, application/cbor and
// application/octet-stream, whose value must then be one of the forms
// [Unwrap] recognizes.
func (u *unwrapper) mediaType(mt string, value []byte, path []layer, meta map[string]string, depth int) error {
	base, params, err := mime.ParseMediaType(mt)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrUnknownMediaType, mt, err)
	}
	label := "media type " + mt
	if meta != nil {
		label = "cmw " + mt
	}
	p := with(path, label, meta)
	if err := u.deeper(depth+1, p); err != nil {
		return err
	}
	switch base {
	case "application/vnd.veraison.tsm-report+json":
		o, err := decodeObject(value)
		if err != nil {
			return malformed(mt, "not a JSON object: %v", err)
		}
		return u.tsmJSON(o, p)
	case "application/vnd.veraison.tsm-report+cbor":
		var m map[any]cbor.RawMessage
		if err := cborDec.Unmarshal(value, &m); err != nil {
			return malformed(mt, "not a CBOR map: %v", err)
		}
		return u.tsmCBOR(m, p)
	case "application/eat+cwt", "application/eat+jwt", "application/eat-ucs+json", "application/eat+json":
		switch params["eat_profile"] {
		case ratsdLegacyProfile, ratsdCMWProfile:
			o, err := decodeObject(value)
			if err != nil {
				return malformed(mt, "not a JSON object: %v", err)
			}
			return u.ratsdToken(o, p, depth+1)
		}
	case "application/cmw+json", "application/cmw+cbor", "application/json", "application/cbor", "application/octet-stream":
		return u.any(value, p, depth+1)
	}
	return fmt.Errorf("%w: %q (%s)", ErrUnknownMediaType, mt, pathString(path))
}

// cfType returns the media type of a CoAP content-format number, as
// github.com/veraison/cmw knows them, or "" for an unknown one.
func cfType(cf uint16) string {
	c, err := cmw.NewMonad(cf, []byte{0})
	if err != nil {
		return ""
	}
	t, err := c.GetMonadType()
	if err != nil || t == strconv.Itoa(int(cf)) {
		return ""
	}
	return t
}

// record is a parsed CMW record.
type record struct {
	typ   string // the media type
	cf    int    // the content-format number, or -1
	value []byte
	ind   int // the indicator, or -1
}

func (r record) meta() map[string]string {
	m := map[string]string{"cmw.type": r.typ}
	if r.ind >= 0 {
		m["cmw.indicator"] = strconv.Itoa(r.ind)
	}
	return m
}

// typed resolves a record's type: a media type, or a content-format number.
func (r *record) resolve(where string) error {
	if r.cf < 0 {
		return nil
	}
	if r.cf > int(cmw.CfMax) {
		return malformed(where, "content-format %d out of range", r.cf)
	}
	if r.typ = cfType(uint16(r.cf)); r.typ == "" {
		return fmt.Errorf("%w: CoAP content-format %d", ErrUnknownMediaType, r.cf)
	}
	return nil
}

// cmwJSONRecord unwraps a JSON record.
func (u *unwrapper) cmwJSONRecord(t []byte, path []layer, depth int) error {
	r, err := parseJSONRecord(t)
	if err != nil {
		return err
	}
	return u.mediaType(r.typ, r.value, path, r.meta(), depth)
}

func parseJSONRecord(t []byte) (record, error) {
	const where = "cmw json record"
	var a []json.RawMessage
	if err := json.Unmarshal(t, &a); err != nil {
		return record{}, fmt.Errorf("%w: a JSON array that is not a CMW record: %v", ErrUnrecognized, err)
	}
	if len(a) < 2 || len(a) > 3 {
		return record{}, fmt.Errorf("%w: a JSON array of %d elements, not a CMW record", ErrUnrecognized, len(a))
	}
	r := record{cf: -1, ind: -1}
	if s, ok := jsonString(a[0]); ok {
		r.typ = s
	} else {
		var cf uint16
		if err := json.Unmarshal(a[0], &cf); err != nil {
			return record{}, fmt.Errorf("%w: a JSON array whose first element is neither a media type nor a content-format", ErrUnrecognized)
		}
		r.cf = int(cf)
	}
	s, ok := jsonString(a[1])
	if !ok {
		if r.cf >= 0 { // [number, not a string]: just an array
			return record{}, fmt.Errorf("%w: a JSON array that is not a CMW record", ErrUnrecognized)
		}
		return record{}, malformed(where, "value is not a base64url string")
	}
	v, err := decodeBase64(s)
	if err != nil || len(v) == 0 {
		return record{}, malformed(where, "value: not base64url or empty (%v)", err)
	}
	r.value = v
	if len(a) == 3 {
		var ind uint8
		if err := json.Unmarshal(a[2], &ind); err != nil || ind > 31 {
			return record{}, malformed(where, "indicator %s is not a uint below 32", clip(a[2]))
		}
		r.ind = int(ind)
	}
	if err := r.resolve(where); err != nil {
		return record{}, err
	}
	return r, nil
}

// looksLikeCMWCollection says whether an object without a collection type is
// still a CMW collection: every member a record (an array whose first element
// is a string or number) or a collection (an object).
func looksLikeCMWCollection(o object) bool {
	if len(o) == 0 {
		return false
	}
	for _, v := range o {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			return false
		}
		switch v[0] {
		case '{':
		case '[':
			var a []json.RawMessage
			if json.Unmarshal(v, &a) != nil || len(a) < 2 || len(a) > 3 {
				return false
			}
			if _, ok := jsonString(a[1]); !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// cmwJSONCollection unwraps a JSON collection's items, in key order.
func (u *unwrapper) cmwJSONCollection(o object, path []layer, depth int) error {
	const where = "cmw json collection"
	if err := u.deeper(depth+1, path); err != nil {
		return err
	}
	if v, ok := o[cmwCollectionType]; ok {
		if _, ok := jsonString(v); !ok {
			return malformed(where, "%s is not a string", cmwCollectionType)
		}
	}
	keys := o.keys()
	if len(keys) > u.opts.MaxEntries {
		return fmt.Errorf("%w: %s of %d items, at most %d", ErrTooMany, where, len(keys), u.opts.MaxEntries)
	}
	n := 0
	for _, k := range keys {
		if k == cmwCollectionType || k == ratsdClaimsKey {
			continue
		}
		if strings.TrimSpace(k) == "" {
			return malformed(where, "an empty key")
		}
		p := with(path, fmt.Sprintf("cmw collection[%q]", k), nil)
		v := bytes.TrimSpace(o[k])
		var err error
		switch {
		case len(v) > 0 && v[0] == '[':
			var r record
			if r, err = parseJSONRecord(v); err == nil {
				err = u.mediaType(r.typ, r.value, p, r.meta(), depth+1)
			}
		case len(v) > 0 && v[0] == '{':
			var sub object
			if sub, err = decodeObject(v); err == nil {
				err = u.cmwJSONCollection(sub, p, depth+1)
			} else {
				err = malformed(where, "item %q: %v", k, err)
			}
		default:
			err = malformed(where, "item %q is neither a record nor a collection", k)
		}
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return malformed(where, "no items")
	}
	return nil
}

// cbor unwraps the CBOR forms: a configfs-tsm map, a CMW record, tag or
// collection, a COSE_Sign1 ratsd token.
func (u *unwrapper) cbor(b []byte, path []layer, depth int) (bool, error) {
	switch c := b[0]; {
	case c >= 0xa0 && c <= 0xbb || c == 0xbf: // map
		var m map[any]cbor.RawMessage
		if err := cborDec.Unmarshal(b, &m); err != nil {
			var dup *cbor.DupMapKeyError
			if errors.As(err, &dup) {
				return true, malformed("CBOR map", "%v", err)
			}
			return false, nil
		}
		if _, ok := m["outblob"]; ok {
			return true, u.tsmCBOR(m, path)
		}
		return true, u.cmwCBORCollection(m, path, depth, false)
	case c == 0x82 || c == 0x83 || c == 0x9f: // array: a record
		r, ok, err := parseCBORRecord(b)
		if !ok {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		return true, u.mediaType(r.typ, r.value, path, r.meta(), depth)
	case c >= 0xc0 && c <= 0xdb: // tag
		var tag cbor.RawTag
		if err := cborDec.Unmarshal(b, &tag); err != nil {
			return false, nil
		}
		if tag.Number == 18 {
			return true, u.coseSign1(tag.Content, path, depth)
		}
		if tag.Number < cmw.TnMin || tag.Number > cmw.TnMax {
			return false, nil
		}
		r, err := parseCBORTag(tag)
		if err != nil {
			return true, err
		}
		return true, u.mediaType(r.typ, r.value, path, r.meta(), depth)
	}
	return false, nil
}

// parseCBORRecord parses [type, bstr, ? ind]; ok is false when b is not
// shaped like a record at all.
func parseCBORRecord(b []byte) (r record, ok bool, err error) {
	const where = "cmw cbor record"
	var a []cbor.RawMessage
	if cborDec.Unmarshal(b, &a) != nil || len(a) < 2 || len(a) > 3 {
		return record{}, false, nil
	}
	r = record{cf: -1, ind: -1}
	var t any
	if cborDec.Unmarshal(a[0], &t) != nil {
		return record{}, false, nil
	}
	switch x := t.(type) {
	case string:
		r.typ = x
	case uint64:
		if x > uint64(cmw.CfMax) {
			return record{}, true, malformed(where, "content-format %d out of range", x)
		}
		r.cf = int(x)
	default:
		return record{}, false, nil
	}
	if err := cborDec.Unmarshal(a[1], &r.value); err != nil || len(r.value) == 0 {
		if r.cf >= 0 && (len(a[1]) == 0 || a[1][0]>>5 != 2) { // [uint, not a byte string]: just an array
			return record{}, false, nil
		}
		return record{}, true, malformed(where, "value is not a non-empty byte string")
	}
	if len(a) == 3 {
		var ind uint64
		if err := cborDec.Unmarshal(a[2], &ind); err != nil || ind > 31 {
			return record{}, true, malformed(where, "indicator is not a uint below 32")
		}
		r.ind = int(ind)
	}
	if err := r.resolve(where); err != nil {
		return record{}, true, err
	}
	return r, true, nil
}

// parseCBORTag parses #6.TN(bstr), TN the tag number of a content-format.
func parseCBORTag(tag cbor.RawTag) (record, error) {
	const where = "cmw cbor tag"
	if (tag.Number-cmw.TnMin)%256 == 255 {
		return record{}, malformed(where, "tag %d is no content-format's", tag.Number)
	}
	cf, err := cmw.CF(tag.Number)
	if err != nil {
		return record{}, malformed(where, "%v", err)
	}
	r := record{cf: int(cf), ind: -1}
	if err := cborDec.Unmarshal(tag.Content, &r.value); err != nil || len(r.value) == 0 {
		return record{}, malformed(where, "content is not a non-empty byte string")
	}
	if err := r.resolve(where); err != nil {
		return record{}, err
	}
	return r, nil
}

// cmwCBORCollection unwraps a CBOR collection's items, in key order. typed
// says the caller knows it is a collection (so that an odd item is malformed
// rather than the whole map unrecognized).
func (u *unwrapper) cmwCBORCollection(m map[any]cbor.RawMessage, path []layer, depth int, typed bool) error {
	const where = "cmw cbor collection"
	if err := u.deeper(depth+1, path); err != nil {
		return err
	}
	if v, ok := m[cmwCollectionType]; ok {
		typed = true
		var s string
		if err := cborDec.Unmarshal(v, &s); err != nil {
			return malformed(where, "%s is not a text string", cmwCollectionType)
		}
	}
	if len(m) > u.opts.MaxEntries {
		return fmt.Errorf("%w: %s of %d items, at most %d", ErrTooMany, where, len(m), u.opts.MaxEntries)
	}
	type item struct {
		key string
		raw cbor.RawMessage
	}
	var items []item
	for k, v := range m {
		var ks string
		switch x := k.(type) {
		case string:
			if x == cmwCollectionType || x == ratsdClaimsKey {
				continue
			}
			if strings.TrimSpace(x) == "" {
				return malformed(where, "an empty key")
			}
			ks = strconv.Quote(x)
		case uint64:
			ks = strconv.FormatUint(x, 10)
		case int64:
			ks = strconv.FormatInt(x, 10)
		default:
			if !typed {
				return fmt.Errorf("%w: a CBOR map with a %T key", ErrUnrecognized, k)
			}
			return malformed(where, "a key of type %T", k)
		}
		items = append(items, item{ks, v})
	}
	if len(items) == 0 {
		if !typed {
			return fmt.Errorf("%w: a CBOR map with no CMW items", ErrUnrecognized)
		}
		return malformed(where, "no items")
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	for _, it := range items {
		p := with(path, "cmw collection["+it.key+"]", nil)
		c := it.raw[0]
		var err error
		switch {
		case c == 0x82 || c == 0x83 || c == 0x9f:
			r, ok, perr := parseCBORRecord(it.raw)
			switch {
			case !ok:
				err = notItem(typed, where, it.key)
			case perr != nil:
				err = perr
			default:
				err = u.mediaType(r.typ, r.value, p, r.meta(), depth+1)
			}
		case c >= 0xc0 && c <= 0xdb:
			var tag cbor.RawTag
			if cborDec.Unmarshal(it.raw, &tag) != nil || tag.Number < cmw.TnMin || tag.Number > cmw.TnMax {
				err = notItem(typed, where, it.key)
				break
			}
			var r record
			if r, err = parseCBORTag(tag); err == nil {
				err = u.mediaType(r.typ, r.value, p, r.meta(), depth+1)
			}
		case c >= 0xa0 && c <= 0xbb || c == 0xbf:
			var sub map[any]cbor.RawMessage
			if cborDec.Unmarshal(it.raw, &sub) != nil {
				err = notItem(typed, where, it.key)
				break
			}
			err = u.cmwCBORCollection(sub, p, depth+1, true)
		default:
			err = notItem(typed, where, it.key)
		}
		if err != nil {
			return err
		}
		typed = true // one good item makes it a collection
	}
	return nil
}

func notItem(typed bool, where, key string) error {
	if !typed {
		return fmt.Errorf("%w: a CBOR map whose item %s is no CMW", ErrUnrecognized, key)
	}
	return malformed(where, "item %s is neither a record, a tag nor a collection", key)
}

// coseSign1 unwraps a ratsd v2 token: a COSE_Sign1 whose payload is a CBOR
// CMW collection. Its signature (ratsd's key, not the hardware's) is not
// verified: the evidence inside proves itself.
func (u *unwrapper) coseSign1(content []byte, path []layer, depth int) error {
	const where = "cose_sign1"
	var a []cbor.RawMessage
	if err := cborDec.Unmarshal(content, &a); err != nil || len(a) != 4 {
		return malformed(where, "not [protected, unprotected, payload, signature]")
	}
	var payload []byte
	if err := cborDec.Unmarshal(a[2], &payload); err != nil || len(payload) == 0 {
		return malformed(where, "no embedded payload")
	}
	var m map[any]cbor.RawMessage
	if err := cborDec.Unmarshal(payload, &m); err != nil {
		return malformed(where, "payload is not a CBOR map: %v", err)
	}
	p := with(path, "ratsd token (COSE_Sign1, signature not verified)", map[string]string{"ratsd.signature": "not verified"})
	return u.cmwCBORCollection(m, p, depth+1, true)
}
