// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/eventlog"
	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
)

// TestDifferentialGoEventlog parses every real crypto-agile log with
// go-eventlog v0.0.2 (on the bytes Parse keeps: go-eventlog misses 0x00
// padding, notes/eventlog.md) and compares every event: index, type, data
// and each bank's digest.
func TestDifferentialGoEventlog(t *testing.T) {
	n := 0
	for name, raw := range realLogs(t) {
		l, err := eventlog.Parse(raw, nil)
		if err != nil || !l.CryptoAgile || strings.Contains(name, ".json") {
			continue
		}
		n++
		el, err := tcg.ParseEventLog(l.Raw, tcg.ParseOpts{})
		if err != nil {
			t.Errorf("%s: go-eventlog: %v", name, err)
			continue
		}
		for _, a := range l.Banks() {
			var h register.HashAlg
			switch a {
			case eventlog.AlgSHA1:
				h = register.HashSHA1
			case eventlog.AlgSHA256:
				h = register.HashSHA256
			case eventlog.AlgSHA384:
				h = register.HashSHA384
			default:
				continue
			}
			theirs := el.Events(h)
			if len(theirs) != len(l.Events) {
				t.Errorf("%s %v: %d events, go-eventlog %d", name, a, len(l.Events), len(theirs))
				continue
			}
			for i, e := range l.Events {
				o := theirs[i]
				if uint32(o.Index) != e.Index || uint32(o.Type) != uint32(e.Type) || !bytes.Equal(o.Data, e.Data) || !bytes.Equal(o.Digest, e.Digest(a)) {
					t.Errorf("%s %v: %v differs from go-eventlog's (index %d, type %#x)", name, a, &e, o.Index, uint32(o.Type))
					break
				}
			}
		}
	}
	if n == 0 {
		t.Skip("no real logs (shared vectors absent)")
	}
}
