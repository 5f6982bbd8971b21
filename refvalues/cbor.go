// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Caps on the input, so that any input costs bounded work. Each violation is
// ErrTooLarge with the cap named.
const (
	// MaxSize is the largest document (CoRIM or JSON) Load accepts, in bytes.
	MaxSize = 1 << 20
	// maxDepth is the deepest CBOR nesting accepted in any one decoded item
	// (the CoRIM, a CoMID, a protected header).
	maxDepth = 24
	// maxElements caps every CBOR array and map (element or pair count).
	maxElements = 16384
	// maxComids caps the CoMIDs (and other tags) of one CoRIM.
	maxComids = 256
	// maxTriples caps the reference triples of one CoRIM, over all CoMIDs.
	maxTriples = 4096
	// maxMeasurements caps the measurements of one reference triple.
	maxMeasurements = 1024
	// maxChecks caps the checks (claims compared) of one Set, over all sources.
	maxChecks = 1 << 16
)

// decMode decodes CoRIM CBOR into generic values: maps as map[any]any, non-
// negative integers as uint64, negative ones as int64, unknown tags as
// cbor.Tag. Duplicate map keys and invalid UTF-8 are errors.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  maxDepth,
		MaxArrayElements: maxElements,
		MaxMapPairs:      maxElements,
		IndefLength:      cbor.IndefLengthAllowed,
		IntDec:           cbor.IntDecConvertNone,
		DefaultMapType:   reflect.TypeOf(map[any]any(nil)),
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err) // constant options
	}
	return dm
}()

// encMode writes CBOR in core deterministic encoding (RFC 8949 §4.2.1), as
// the CoRIM draft asks of a signer.
var encMode = func() cbor.EncMode {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err) // constant options
	}
	return em
}()

// decodeCBOR decodes exactly one CBOR item (no trailing bytes).
func decodeCBOR(b []byte) (any, error) {
	var v any
	if err := decMode.Unmarshal(b, &v); err != nil {
		var me *cbor.MaxNestedLevelError
		var ae *cbor.MaxArrayElementsError
		var mp *cbor.MaxMapPairsError
		if errors.As(err, &me) || errors.As(err, &ae) || errors.As(err, &mp) {
			return nil, tooLarge("%v", err)
		}
		return nil, bad("CBOR: %v", err)
	}
	return v, nil
}

// describe names a decoded value's CBOR type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case uint64:
		return "unsigned integer"
	case int64:
		return "negative integer"
	case *big.Int, big.Int:
		return "bignum"
	case float32, float64:
		return "float"
	case string:
		return "text string"
	case []byte:
		return "byte string"
	case []any:
		return "array"
	case map[any]any:
		return "map"
	case cbor.Tag:
		return fmt.Sprintf("tag %d", x.Number)
	case time.Time:
		return "date/time tag"
	case cbor.SimpleValue:
		return "simple value"
	}
	return fmt.Sprintf("%T", v)
}

// mapOf returns v as a map.
func mapOf(v any, what string) (map[any]any, error) {
	m, ok := v.(map[any]any)
	if !ok {
		return nil, bad("%s: want map, got %s", what, describe(v))
	}
	return m, nil
}

// arrayOf returns v as an array.
func arrayOf(v any, what string) ([]any, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, bad("%s: want array, got %s", what, describe(v))
	}
	return a, nil
}

// get returns the value at integer key k of m.
func get(m map[any]any, k int64) (any, bool) {
	if k >= 0 {
		v, ok := m[uint64(k)]
		return v, ok
	}
	v, ok := m[k]
	return v, ok
}

// intKey returns a map key as an integer; ok is false for other key types.
func intKey(k any) (int64, bool) {
	switch x := k.(type) {
	case uint64:
		if x > 1<<62 {
			return 0, false
		}
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// sortedIntKeys returns m's integer keys in ascending order and whether m has
// keys of any other type.
func sortedIntKeys(m map[any]any) (keys []int64, other bool) {
	keys = make([]int64, 0, len(m))
	for k := range m {
		if i, ok := intKey(k); ok {
			keys = append(keys, i)
		} else {
			other = true
		}
	}
	for i := 1; i < len(keys); i++ { // insertion sort: maps here are small
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys, other
}

// uintOf returns v as an unsigned integer.
func uintOf(v any, what string) (uint64, error) {
	u, ok := v.(uint64)
	if !ok {
		return 0, bad("%s: want unsigned integer, got %s", what, describe(v))
	}
	return u, nil
}

// intOf returns v as a signed integer that fits int64.
func intOf(v any, what string) (int64, error) {
	switch x := v.(type) {
	case uint64:
		if x > 1<<63-1 {
			return 0, bad("%s: %d does not fit a signed 64-bit integer", what, x)
		}
		return int64(x), nil
	case int64:
		return x, nil
	}
	return 0, bad("%s: want integer, got %s", what, describe(v))
}

// textOf returns v as a text string.
func textOf(v any, what string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", bad("%s: want text string, got %s", what, describe(v))
	}
	return s, nil
}

// bytesOf returns v as a byte string.
func bytesOf(v any, what string) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, bad("%s: want byte string, got %s", what, describe(v))
	}
	return b, nil
}

// tagOf returns v's tag content if v is tag number n.
func tagOf(v any, n uint64) (any, bool) {
	t, ok := v.(cbor.Tag)
	if !ok || t.Number != n {
		return nil, false
	}
	return t.Content, true
}
