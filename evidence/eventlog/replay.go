// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Replay errors.
var (
	// ErrReplayMismatch reports a register whose replay from the log is not
	// the value the quote (or TPM quote) reports: the log is not the
	// register's history.
	ErrReplayMismatch = errors.New("eventlog: replay does not match the register")
	// ErrIncomplete reports a log that stops short of a register: it has no
	// event for a register whose reported value is not its reset value, or
	// it ends without padding or end marker on an event of the register
	// that does not replay. It is reported together with ErrReplayMismatch.
	ErrIncomplete = errors.New("eventlog: the log stops short of the register")
	// ErrIndex reports a CCEL event that extends no RTMR (CC MR index 0,
	// MRTD, which is measured at build time, or beyond 4), other than
	// EV_NO_ACTION.
	ErrIndex = errors.New("eventlog: event extends no RTMR")
)

// NumRTMRs is the number of TDX runtime measurement registers.
const NumRTMRs = 4

// RTMRName names RTMR i for messages ("RTMR[2]").
func RTMRName(i int) string { return fmt.Sprintf("RTMR[%d]", i) }

// RTMRs replays a CCEL into RTMR0–3 with its SHA-384 bank: each register
// starts at 48 zero bytes, and every event but EV_NO_ACTION with CC MR
// index n+1 extends RTMR[n]: RTMR = SHA-384(RTMR ‖ digest). extra are
// further SHA-384 digests extended into RTMR[2] after the log's own (the
// template hashes of IMA's runtime log, see [ParseIMA]).
func (l *Log) RTMRs(extra ...[]byte) ([NumRTMRs][]byte, error) {
	var out [NumRTMRs][]byte
	if !l.HasBank(AlgSHA384) {
		return out, fmt.Errorf("%w: the log has no SHA-384 bank (banks %v): RTMRs cannot be replayed", ErrUnsupportedAlgorithm, l.Banks())
	}
	h, _ := AlgSHA384.Hash()
	for i := range out {
		out[i] = make([]byte, 48)
	}
	for i := range l.Events {
		e := &l.Events[i]
		if e.Type == EvNoAction {
			continue
		}
		if e.Index < 1 || e.Index > NumRTMRs {
			return out, fmt.Errorf("%w: %v has CC MR index %d (1 to 4 are RTMR0 to RTMR3)", ErrIndex, e, e.Index)
		}
		d := e.Digest(AlgSHA384)
		if d == nil {
			return out, fmt.Errorf("%w: %v has no SHA-384 digest", ErrMalformed, e)
		}
		r := int(e.Index - 1)
		out[r] = extend(h.New(), out[r], d)
	}
	for _, d := range extra {
		if len(d) != 48 {
			return out, fmt.Errorf("%w: an extra RTMR[2] digest of %d bytes, want 48", ErrUnsupportedAlgorithm, len(d))
		}
		out[2] = extend(h.New(), out[2], d)
	}
	return out, nil
}

type hasher interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

func extend(h hasher, reg, d []byte) []byte {
	h.Write(reg)
	h.Write(d)
	return h.Sum(nil)
}

// Mismatch is one register whose replay differs from its reported value.
type Mismatch struct {
	// Register names it: "RTMR[1]", "PCR[7] (SHA-256)".
	Register string
	// Replayed is the value the log gives; Want the reported one.
	Replayed, Want []byte
	// Events are the events that extend the register, in order.
	Events []*Event
	// First is the first of them whose digest does not match its data (see
	// [Event.Check]); nil when every checkable one matches.
	First *Event
	// Short is true when the log stops short of the register (see
	// ErrIncomplete).
	Short bool
}

func (m *Mismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s replays to %s from %d events, the quote has %s", m.Register, hexShort(m.Replayed), len(m.Events), hexShort(m.Want))
	switch {
	case m.First != nil:
		fmt.Fprintf(&b, "; first event that differs: %v, its digest is not that of its data", m.First)
	case m.Short && len(m.Events) == 0:
		b.WriteString("; the log has no event for it")
	case m.Short:
		fmt.Fprintf(&b, "; the log ends on %v without an end marker: events are missing after it", m.Events[len(m.Events)-1])
	default:
		fmt.Fprintf(&b, "; one of %v … %v differs (a measured image or data not in the log), or events are missing", m.Events[0], m.Events[len(m.Events)-1])
	}
	return b.String()
}

func hexShort(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// ReplayError is the error of [Log.CheckRTMRs] and [Log.CheckPCRs]: every
// register that differs. It matches ErrReplayMismatch, and ErrIncomplete
// when a register's log stops short.
type ReplayError struct {
	Mismatches []Mismatch
}

func (e *ReplayError) Error() string {
	parts := make([]string, len(e.Mismatches))
	for i := range e.Mismatches {
		parts[i] = e.Mismatches[i].String()
	}
	prefix := ErrReplayMismatch.Error()
	if e.short() {
		prefix += ": " + strings.TrimPrefix(ErrIncomplete.Error(), "eventlog: ")
	}
	return prefix + ": " + strings.Join(parts, "; ")
}

func (e *ReplayError) short() bool {
	for _, m := range e.Mismatches {
		if m.Short {
			return true
		}
	}
	return false
}

// Is makes errors.Is match ErrReplayMismatch, and ErrIncomplete when a log
// stops short.
func (e *ReplayError) Is(target error) bool {
	return target == ErrReplayMismatch || target == ErrIncomplete && e.short()
}

// CheckRTMRs replays the log (and extra, as [Log.RTMRs]) and compares
// RTMR0–3 with want (the quote's, 48 bytes each). A *ReplayError names
// every register that differs, the first event of it whose digest does not
// match its data where there is one, and whether the log stops short.
func (l *Log) CheckRTMRs(want [NumRTMRs][]byte, extra ...[]byte) error {
	got, err := l.RTMRs(extra...)
	if err != nil {
		return err
	}
	var re ReplayError
	for i := 0; i < NumRTMRs; i++ {
		if bytes.Equal(got[i], want[i]) {
			continue
		}
		m := Mismatch{Register: RTMRName(i), Replayed: got[i], Want: want[i]}
		m.Events = l.eventsOf(uint32(i+1), func(e *Event) bool { return e.Type != EvNoAction })
		m.First = firstBad(m.Events, AlgSHA384)
		m.Short = l.short(m.Events, want[i], 48) && (i != 2 || len(extra) == 0)
		re.Mismatches = append(re.Mismatches, m)
	}
	if len(re.Mismatches) > 0 {
		return &re
	}
	return nil
}

// short reports whether the log stops short of a register with events evs
// and reported value want: it has no event for it and want is not all
// zero, or its last event is the log's last and the log had no end marker
// (no padding), so that more events may have followed.
func (l *Log) short(evs []*Event, want []byte, size int) bool {
	if len(evs) == 0 {
		return !bytes.Equal(want, make([]byte, size))
	}
	return l.Padding == 0 && evs[len(evs)-1].Seq == len(l.Events)-1
}

func (l *Log) eventsOf(index uint32, keep func(*Event) bool) []*Event {
	var out []*Event
	for i := range l.Events {
		e := &l.Events[i]
		if e.Index == index && keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func firstBad(evs []*Event, a Alg) *Event {
	for _, e := range evs {
		if e.Check(a) == CheckMismatch {
			return e
		}
	}
	return nil
}

// PCR is one reported TPM PCR value.
type PCR struct {
	Index uint32
	Alg   Alg
	Value []byte
}

// PCRs replays a TPM log's bank alg into PCRs 0–23: each starts at zero
// (PCR 0 at the locality of an EV_NO_ACTION "StartupLocality" event when
// there is one), and every event but EV_NO_ACTION extends its PCR.
func (l *Log) PCRs(alg Alg) (map[uint32][]byte, error) {
	h, ok := alg.Hash()
	if !ok || !l.HasBank(alg) {
		return nil, fmt.Errorf("%w: %v (the log's banks are %v)", ErrUnsupportedAlgorithm, alg, l.Banks())
	}
	size := h.Size()
	out := map[uint32][]byte{}
	for i := range l.Events {
		e := &l.Events[i]
		if e.Type == EvNoAction {
			if loc, ok := startupLocality(e); ok && e.Index == 0 {
				if _, done := out[0]; !done {
					v := make([]byte, size)
					v[size-1] = loc
					out[0] = v
				}
			}
			continue
		}
		if e.Index > 23 {
			return nil, fmt.Errorf("%w: %v extends PCR %d", ErrIndex, e, e.Index)
		}
		d := e.Digest(alg)
		if d == nil {
			return nil, fmt.Errorf("%w: %v has no %v digest", ErrMalformed, e, alg)
		}
		cur, ok := out[e.Index]
		if !ok {
			cur = make([]byte, size)
		}
		out[e.Index] = extend(h.New(), cur, d)
	}
	return out, nil
}

// resetPCR is a PCR's value before any extend: all ones for the dynamic
// PCRs 17–22, zero for the others.
func resetPCR(i uint32, size int) []byte {
	v := make([]byte, size)
	if i >= 17 && i <= 22 {
		for j := range v {
			v[j] = 0xFF
		}
	}
	return v
}

// startupLocality reads an EV_NO_ACTION "StartupLocality\0" event.
func startupLocality(e *Event) (byte, bool) {
	const sig = "StartupLocality\x00"
	if len(e.Data) == len(sig)+1 && string(e.Data[:len(sig)]) == sig {
		return e.Data[len(sig)], true
	}
	return 0, false
}

// CheckPCRs replays the log and compares the PCRs of want (the TPM quote's
// values, each with its bank) with it. A PCR the log never extends must
// hold its reset value (zero; all ones for PCRs 17–22). A *ReplayError names every PCR that
// differs.
func (l *Log) CheckPCRs(want []PCR) error {
	banks := map[Alg]map[uint32][]byte{}
	var re ReplayError
	for _, p := range want {
		got, ok := banks[p.Alg]
		if !ok {
			var err error
			if got, err = l.PCRs(p.Alg); err != nil {
				return err
			}
			banks[p.Alg] = got
		}
		v, ok := got[p.Index]
		if !ok {
			v = resetPCR(p.Index, len(p.Value))
		}
		if bytes.Equal(v, p.Value) {
			continue
		}
		m := Mismatch{Register: fmt.Sprintf("PCR[%d] (%v)", p.Index, p.Alg), Replayed: v, Want: p.Value}
		m.Events = l.eventsOf(p.Index, func(e *Event) bool { return e.Type != EvNoAction })
		m.First = firstBad(m.Events, p.Alg)
		m.Short = len(m.Events) > 0 && l.short(m.Events, p.Value, len(p.Value)) || len(m.Events) == 0 && !bytes.Equal(p.Value, resetPCR(p.Index, len(p.Value)))
		re.Mismatches = append(re.Mismatches, m)
	}
	if len(re.Mismatches) > 0 {
		return &re
	}
	return nil
}
