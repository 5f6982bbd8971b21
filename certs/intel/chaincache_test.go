// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"fmt"
	"testing"
)

// TestChainCacheExactBytes: the parsed-chain cache is keyed by the chain's
// exact text: the text verified is found, a copy of it too, and a text with
// any one byte changed (or one byte more or less) is not, whatever it
// verifies to; the look-up allocates nothing.
func TestChainCacheExactBytes(t *testing.T) {
	chainCache.reset()
	p := newTestPKI(t, pkiConfig{})
	text := p.chain()
	if _, err := VerifyPCKChain(text, p.opts(tAt)); err != nil {
		t.Fatal(err)
	}
	if _, cached, err := parseChain(bytes.Clone(text)); err != nil || !cached {
		t.Fatalf("the chain verified is not cached: %v %v", cached, err)
	}
	step := max(1, len(text)/97)
	for i := 0; i < len(text); i += step {
		mod := bytes.Clone(text)
		mod[i] ^= 0x01
		if _, cached, _ := parseChain(mod); cached {
			t.Fatalf("byte %d changed: a cache hit", i)
		}
	}
	for _, mod := range [][]byte{text[:len(text)-1], append(bytes.Clone(text), 0), append([]byte{'\n'}, text...)} {
		if _, cached, _ := parseChain(mod); cached {
			t.Fatalf("%d bytes for %d: a cache hit", len(mod), len(text))
		}
	}
	if n := testing.AllocsPerRun(100, func() { getBytes(chainCache, text) }); n != 0 {
		t.Errorf("a look-up allocates %v times", n)
	}
}

// TestChainCacheBounded: the string-keyed cache keeps its bound.
func TestChainCacheBounded(t *testing.T) {
	c := newBoundedCache[string, int](5)
	for i := range 50 {
		c.put(fmt.Sprint("chain ", i), i)
		if n := cacheLen(c); n > 5 {
			t.Fatalf("%d entries after %d puts", n, i+1)
		}
	}
	if _, ok := getBytes(c, []byte("chain 49")); !ok {
		t.Error("the last put is not found")
	}
}
