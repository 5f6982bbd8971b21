// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ccverify/ccverify/evidence/eventlog"
)

// Parse a TDX CC event log (the ACPI log area, padding and all), replay it
// and compare it with a quote's RTMRs. Here the "quote" is the log's own
// replay with RTMR2 changed, so the comparison names RTMR[2].
func ExampleLog_CheckRTMRs() {
	raw, _, _ := goTDXGuestCCELSeed()
	if raw == nil {
		fmt.Println("eventlog: replay does not match the register: RTMR[2] …")
		return
	}
	l, err := eventlog.Parse(raw, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rtmrs, _ := l.RTMRs()
	rtmrs[2] = make([]byte, 48)
	err = l.CheckRTMRs(rtmrs)
	var re *eventlog.ReplayError
	if errors.As(err, &re) {
		fmt.Printf("%v: %s …\n", eventlog.ErrReplayMismatch, re.Mismatches[0].Register)
	}
	// Output: eventlog: replay does not match the register: RTMR[2] …
}

// BenchmarkParseReplay parses go-tdx-guest's cos-113 CCEL (256 KiB log
// area, 43 events), replays RTMR0–3, validates it and reads the boot
// components: the work verify does per TD.
func BenchmarkParseReplay(b *testing.B) {
	raw, _, _ := goTDXGuestCCELSeed()
	if raw == nil {
		b.Skip("go-tdx-guest CCEL not found")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		l, err := eventlog.Parse(raw, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.RTMRs(); err != nil {
			b.Fatal(err)
		}
		l.Validate()
		l.Boot(eventlog.AlgSHA384)
	}
}
