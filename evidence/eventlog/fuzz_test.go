// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog_test

import (
	"testing"

	"github.com/ccverify/ccverify/evidence/eventlog"
)

// FuzzParse feeds the parser, the replays, the checks and the claim
// extraction arbitrary bytes: none may panic, and a parsed log's events
// lie within its bytes. Seeded with every real log of the shared vectors
// and go-tdx-guest's cos-113 CCEL (when present) and their prefixes.
func FuzzParse(f *testing.F) {
	for _, b := range realLogs(f) {
		f.Add(b)
	}
	if raw, table, _ := goTDXGuestCCELSeed(); raw != nil {
		f.Add(raw)
		f.Add(raw[:18101])
		f.Add(table)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := eventlog.Parse(b, &eventlog.Options{MaxEvents: 4096})
		if t, err := eventlog.ParseTable(b); err == nil {
			_ = t.CheckLog(&eventlog.Log{}, len(b))
		}
		if err != nil {
			return
		}
		if len(l.Raw)+l.Padding != len(b) {
			t.Fatalf("raw %d + padding %d != %d", len(l.Raw), l.Padding, len(b))
		}
		for _, e := range l.Events {
			if e.Offset < 0 || e.Offset >= len(l.Raw) || len(e.Data) > len(l.Raw) {
				t.Fatalf("event %v outside the log", &e)
			}
		}
		l.RTMRs()
		var zero [eventlog.NumRTMRs][]byte
		l.CheckRTMRs(zero)
		for _, a := range l.Banks() {
			l.PCRs(a)
		}
		l.Validate()
		l.Boot(eventlog.AlgSHA384)
		l.TrusteeEvents()
		l.Clone()
	})
}
