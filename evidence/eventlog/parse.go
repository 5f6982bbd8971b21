// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package eventlog parses TCG2 event logs, the TDX CC event log (CCEL) and
// TPM 2.0 binary_bios_measurements, and replays them into the registers they
// extend: RTMR0–3 for a CCEL, PCRs for a TPM log.
//
// Formats: the crypto-agile format of the TCG PC Client Platform Firmware
// Profile (a "Spec ID Event03" header, then TCG_PCR_EVENT2 events with one
// digest per bank) with SHA-1, SHA-256, SHA-384 and SHA-512 banks, and the
// older SHA-1 format (TCG_PCClientPCREvent only). A CCEL log area as Linux
// exposes it (/sys/firmware/acpi/tables/data/CCEL) is padded up to the ACPI
// table's LAML with 0xFF (EDK2) or 0x00: [Parse] finds the end itself.
//
// The package parses and replays; it does not judge. A log says what the
// firmware claims to have measured; only a replay that reaches the
// registers of a genuine quote makes it the TD's history (verify does that).
package eventlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors of this package.
var (
	// ErrMalformed reports a log whose structure is invalid.
	ErrMalformed = errors.New("eventlog: malformed event log")
	// ErrTruncated reports a log that ends inside an event.
	ErrTruncated = errors.New("eventlog: truncated event log")
	// ErrTooLarge reports a log over Options.MaxSize bytes or
	// Options.MaxEvents events.
	ErrTooLarge = errors.New("eventlog: event log too large")
	// ErrUnsupportedAlgorithm reports a log without a bank this package can
	// replay (SHA-1, SHA-256, SHA-384, SHA-512): an SM3-only log (Hygon
	// CSV), say; or a replay asked for a bank the log does not have.
	ErrUnsupportedAlgorithm = errors.New("eventlog: unsupported digest algorithm")
)

// Default limits of [Options]. A TDX CCEL log area is 64 KiB to 1 MiB
// (LAML) and holds tens to a few hundred events; a TPM log is of the same
// order. The limits bound parsing to linear work over at most 16 MiB.
const (
	DefaultMaxSize   = 16 << 20
	DefaultMaxEvents = 1 << 16
)

// Options bound parsing. The zero value uses the defaults.
type Options struct {
	// MaxSize is the largest input accepted, padding included (0:
	// DefaultMaxSize).
	MaxSize int
	// MaxEvents is the largest number of events accepted (0:
	// DefaultMaxEvents).
	MaxEvents int
}

func (o *Options) maxSize() int {
	if o != nil && o.MaxSize > 0 {
		return o.MaxSize
	}
	return DefaultMaxSize
}

func (o *Options) maxEvents() int {
	if o != nil && o.MaxEvents > 0 {
		return o.MaxEvents
	}
	return DefaultMaxEvents
}

// Digest is one bank's digest of an event.
type Digest struct {
	Alg   Alg
	Value []byte
}

// Event is one event of a log. Its fields are views over the bytes given to
// [Parse].
type Event struct {
	// Seq is the event's position among Log.Events, from 0 (the Spec ID
	// header is not counted).
	Seq int
	// Offset is where the event starts in the log.
	Offset int
	// Index is the header's PCRIndex field: the CC MR index in a CCEL
	// (1 = RTMR0 … 4 = RTMR3), the PCR number in a TPM log.
	Index uint32
	// Type is the event type.
	Type EventType
	// Digests are the event's digests, one per bank, in log order.
	Digests []Digest
	// Data is the event data.
	Data []byte
}

// Digest returns the event's digest in bank a, or nil.
func (e *Event) Digest(a Alg) []byte {
	for _, d := range e.Digests {
		if d.Alg == a {
			return d.Value
		}
	}
	return nil
}

// String names the event for messages: "event 17 (EV_SEPARATOR, index 2, offset 0x1f40)".
func (e *Event) String() string {
	return fmt.Sprintf("event %d (%v, index %d, offset %#x)", e.Seq, e.Type, e.Index, e.Offset)
}

// Bank is one digest algorithm of a crypto-agile log with its size, as the
// Spec ID header declares it.
type Bank struct {
	Alg  Alg
	Size int
}

// SpecID is the header event of a crypto-agile log (TCG_EfiSpecIDEvent).
type SpecID struct {
	PlatformClass uint32
	VersionMajor  uint8
	VersionMinor  uint8
	Errata        uint8
	UintnSize     uint8
	Banks         []Bank
	VendorInfo    []byte
	// Raw is the header event's data.
	Raw []byte
}

// Log is a parsed event log.
type Log struct {
	// Raw is the log without its padding: the bytes its events cover.
	Raw []byte
	// Padding is the number of padding bytes (0xFF or 0x00, from the first
	// header that is all 0xFF or all 0x00 to the end of the input) cut off.
	Padding int
	// CryptoAgile is true for a crypto-agile log (a Spec ID header), false
	// for a SHA-1 format log.
	CryptoAgile bool
	// SpecID is the crypto-agile header; nil for a SHA-1 log.
	SpecID *SpecID
	// Events are the events after the header.
	Events []Event
}

// Banks returns the log's digest algorithms (SHA-1 alone for a SHA-1 log).
func (l *Log) Banks() []Alg {
	if l.SpecID == nil {
		return []Alg{AlgSHA1}
	}
	out := make([]Alg, len(l.SpecID.Banks))
	for i, b := range l.SpecID.Banks {
		out[i] = b.Alg
	}
	return out
}

// HasBank reports whether the log has bank a.
func (l *Log) HasBank(a Alg) bool {
	for _, b := range l.Banks() {
		if b == a {
			return true
		}
	}
	return false
}

const (
	specIDSignature = "Spec ID Event03\x00"
	sha1HeaderSize  = 4 + 4 + 20 + 4
	maxBanks        = 16
)

// Parse parses a TCG2 event log: a crypto-agile log (TDX CCEL, TPM 2.0) or
// a SHA-1 format log. Padding after the last event (the rest of the input
// from a header that is all 0xFF or all 0x00, as in a CCEL log area) is cut
// off; bytes other than the pad byte after it are ErrMalformed. A
// crypto-agile log none of whose banks this package can replay is
// ErrUnsupportedAlgorithm.
func Parse(raw []byte, opts *Options) (*Log, error) {
	if len(raw) > opts.maxSize() {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), opts.maxSize())
	}
	if len(raw) < sha1HeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than one event header", ErrTruncated, len(raw))
	}
	first, off, err := parseSHA1Event(raw, 0)
	if err != nil {
		return nil, err
	}
	l := &Log{}
	if first.Type == EvNoAction && len(first.Data) >= len(specIDSignature) && string(first.Data[:len(specIDSignature)]) == specIDSignature {
		if !allBytes(first.Digests[0].Value, 0) {
			return nil, fmt.Errorf("%w: Spec ID header event has a non-zero digest", ErrMalformed)
		}
		sid, err := parseSpecID(first.Data)
		if err != nil {
			return nil, err
		}
		l.CryptoAgile, l.SpecID = true, sid
		if !l.replayable() {
			return nil, fmt.Errorf("%w: the log's banks are %v: none of SHA-1, SHA-256, SHA-384, SHA-512", ErrUnsupportedAlgorithm, l.Banks())
		}
	} else {
		off = 0
	}
	max := opts.maxEvents()
	for off < len(raw) {
		if marker, uniform := padding(raw[off:]); marker {
			if !uniform {
				return nil, fmt.Errorf("%w: an end-of-log header at %#x (8 bytes of %#02x) is followed by other data", ErrMalformed, off, raw[off])
			}
			l.Padding = len(raw) - off
			break
		}
		if len(l.Events) >= max {
			return nil, fmt.Errorf("%w: more than %d events", ErrTooLarge, max)
		}
		var ev Event
		var next int
		if l.CryptoAgile {
			ev, next, err = l.parseEvent2(raw, off)
		} else {
			ev, next, err = parseSHA1Event(raw, off)
		}
		if err != nil {
			return nil, fmt.Errorf("%w (event %d)", err, len(l.Events))
		}
		ev.Seq = len(l.Events)
		l.Events = append(l.Events, ev)
		off = next
	}
	l.Raw = raw[:off]
	return l, nil
}

// padding reports whether rest starts with an end-of-log header (marker):
// up to eight bytes all 0xFF (PCRIndex 0xFFFFFFFF, an invalid PCR) or all
// 0x00 (PCRIndex 0, type 0: EV_PREBOOT_CERT, never logged), as Trustee's
// parser stops; and whether the rest is that byte throughout (uniform).
func padding(rest []byte) (marker, uniform bool) {
	n := min(len(rest), 8)
	for _, b := range []byte{0xFF, 0x00} {
		if allBytes(rest[:n], b) {
			return true, allBytes(rest, b)
		}
	}
	return false, false
}

// padBlocks are 4 KiB of 0x00 and of 0xFF, compared with whole chunks of
// padding at a time (bytes.Equal is vectorized; a byte loop over a 1 MiB
// log area is not).
var padBlocks = [2][]byte{bytes.Repeat([]byte{0x00}, 4096), bytes.Repeat([]byte{0xFF}, 4096)}

func allBytes(b []byte, c byte) bool {
	if c == 0x00 || c == 0xFF {
		blk := padBlocks[c&1]
		for len(b) >= len(blk) {
			if !bytes.Equal(b[:len(blk)], blk) {
				return false
			}
			b = b[len(blk):]
		}
		return bytes.Equal(b, blk[:len(b)])
	}
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// parseSHA1Event reads a TCG_PCClientPCREvent at off: PCRIndex u32,
// EventType u32, Digest [20], EventSize u32, Event.
func parseSHA1Event(raw []byte, off int) (Event, int, error) {
	if len(raw)-off < sha1HeaderSize {
		return Event{}, 0, fmt.Errorf("%w: event header at %#x needs %d bytes, %d left", ErrTruncated, off, sha1HeaderSize, len(raw)-off)
	}
	h := raw[off:]
	ev := Event{Offset: off, Index: binary.LittleEndian.Uint32(h[0:4]), Type: EventType(binary.LittleEndian.Uint32(h[4:8]))}
	ev.Digests = []Digest{{Alg: AlgSHA1, Value: h[8:28]}}
	size := binary.LittleEndian.Uint32(h[28:32])
	start := off + sha1HeaderSize
	if uint64(size) > uint64(len(raw)-start) {
		return Event{}, 0, fmt.Errorf("%w: event at %#x has %d bytes of data, %d left", ErrTruncated, off, size, len(raw)-start)
	}
	end := start + int(size)
	ev.Data = raw[start:end:end]
	return ev, end, nil
}

// parseSpecID reads TCG_EfiSpecIDEventStruct.
func parseSpecID(d []byte) (*SpecID, error) {
	const fixed = 16 + 4 + 4 + 4 // signature, platformClass, version/errata/uintn, numberOfAlgorithms
	if len(d) < fixed {
		return nil, fmt.Errorf("%w: Spec ID header of %d bytes", ErrTruncated, len(d))
	}
	s := &SpecID{Raw: d}
	s.PlatformClass = binary.LittleEndian.Uint32(d[16:20])
	s.VersionMinor, s.VersionMajor, s.Errata, s.UintnSize = d[20], d[21], d[22], d[23]
	n := binary.LittleEndian.Uint32(d[24:28])
	if n == 0 || n > maxBanks {
		return nil, fmt.Errorf("%w: Spec ID header declares %d algorithms (1 to %d)", ErrMalformed, n, maxBanks)
	}
	p := d[28:]
	if len(p) < int(n)*4+1 {
		return nil, fmt.Errorf("%w: Spec ID header: %d algorithms do not fit", ErrTruncated, n)
	}
	for i := 0; i < int(n); i++ {
		b := Bank{Alg: Alg(binary.LittleEndian.Uint16(p[0:2])), Size: int(binary.LittleEndian.Uint16(p[2:4]))}
		p = p[4:]
		if b.Size == 0 {
			return nil, fmt.Errorf("%w: Spec ID header: algorithm %v has digest size 0", ErrMalformed, b.Alg)
		}
		if want, ok := b.Alg.size(); ok && want != b.Size {
			return nil, fmt.Errorf("%w: Spec ID header: %v digest size %d, want %d", ErrMalformed, b.Alg, b.Size, want)
		}
		for _, o := range s.Banks {
			if o.Alg == b.Alg {
				return nil, fmt.Errorf("%w: Spec ID header lists %v twice", ErrMalformed, b.Alg)
			}
		}
		s.Banks = append(s.Banks, b)
	}
	vs := int(p[0])
	if len(p)-1 < vs {
		return nil, fmt.Errorf("%w: Spec ID header: vendor info of %d bytes, %d left", ErrTruncated, vs, len(p)-1)
	}
	s.VendorInfo = p[1 : 1+vs]
	return s, nil
}

func (l *Log) replayable() bool {
	for _, a := range l.Banks() {
		if _, ok := a.Hash(); ok {
			return true
		}
	}
	return false
}

func (l *Log) bankSize(a Alg) (int, bool) {
	for _, b := range l.SpecID.Banks {
		if b.Alg == a {
			return b.Size, true
		}
	}
	return 0, false
}

// parseEvent2 reads a TCG_PCR_EVENT2 at off: PCRIndex u32, EventType u32,
// TPML_DIGEST_VALUES (count u32, count × {hashAlg u16, digest}), EventSize
// u32, Event. Every digest's algorithm must be one of the header's banks.
func (l *Log) parseEvent2(raw []byte, off int) (Event, int, error) {
	if len(raw)-off < 12 {
		return Event{}, 0, fmt.Errorf("%w: event header at %#x: %d bytes left", ErrTruncated, off, len(raw)-off)
	}
	h := raw[off:]
	ev := Event{Offset: off, Index: binary.LittleEndian.Uint32(h[0:4]), Type: EventType(binary.LittleEndian.Uint32(h[4:8]))}
	n := binary.LittleEndian.Uint32(h[8:12])
	if n > uint32(len(l.SpecID.Banks)) {
		return Event{}, 0, fmt.Errorf("%w: event at %#x has %d digests, the log has %d banks", ErrMalformed, off, n, len(l.SpecID.Banks))
	}
	p := 12
	ev.Digests = make([]Digest, 0, n)
	for i := 0; i < int(n); i++ {
		if len(h)-p < 2 {
			return Event{}, 0, fmt.Errorf("%w: event at %#x: digest %d", ErrTruncated, off, i)
		}
		a := Alg(binary.LittleEndian.Uint16(h[p : p+2]))
		size, ok := l.bankSize(a)
		if !ok {
			return Event{}, 0, fmt.Errorf("%w: event at %#x has a digest of algorithm %v, not a bank of the log (%v)", ErrMalformed, off, a, l.Banks())
		}
		if ev.Digest(a) != nil {
			return Event{}, 0, fmt.Errorf("%w: event at %#x has two %v digests", ErrMalformed, off, a)
		}
		p += 2
		if len(h)-p < size {
			return Event{}, 0, fmt.Errorf("%w: event at %#x: %v digest", ErrTruncated, off, a)
		}
		ev.Digests = append(ev.Digests, Digest{Alg: a, Value: h[p : p+size : p+size]})
		p += size
	}
	if len(h)-p < 4 {
		return Event{}, 0, fmt.Errorf("%w: event at %#x: event size", ErrTruncated, off)
	}
	size := binary.LittleEndian.Uint32(h[p : p+4])
	p += 4
	if uint64(size) > uint64(len(h)-p) {
		return Event{}, 0, fmt.Errorf("%w: event at %#x has %d bytes of data, %d left", ErrTruncated, off, size, len(h)-p)
	}
	end := p + int(size)
	ev.Data = h[p:end:end]
	return ev, off + end, nil
}

// Clone returns a copy of l that shares no memory with the bytes given to
// Parse.
func (l *Log) Clone() *Log {
	c := *l
	c.Raw = bytes.Clone(l.Raw)
	rebase := func(b []byte) []byte { return bytes.Clone(b) }
	if l.SpecID != nil {
		s := *l.SpecID
		s.Raw, s.VendorInfo = rebase(s.Raw), rebase(s.VendorInfo)
		s.Banks = append([]Bank(nil), s.Banks...)
		c.SpecID = &s
	}
	c.Events = make([]Event, len(l.Events))
	for i, e := range l.Events {
		e.Data = rebase(e.Data)
		ds := make([]Digest, len(e.Digests))
		for j, d := range e.Digests {
			ds[j] = Digest{Alg: d.Alg, Value: rebase(d.Value)}
		}
		e.Digests = ds
		c.Events[i] = e
	}
	return &c
}
