// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrTable reports an ACPI CCEL table that is malformed or does not fit
// the log it is given with.
var ErrTable = errors.New("eventlog: bad ACPI CCEL table")

// CC types of the ACPI CCEL table.
const (
	CCTypeSEV = 1
	CCTypeTDX = 2
)

// TableSize is the size of the ACPI CCEL table (revision 1).
const TableSize = 56

// Table is the ACPI "CC Event Log" table (ACPI 6.5, 5.2.34), as Linux
// exposes it at /sys/firmware/acpi/tables/CCEL:
//
//	0x00  36  ACPI header: "CCEL", length 56, revision, checksum, OEM ids
//	0x24   1  CC type (1 SEV, 2 TDX)
//	0x25   1  CC subtype
//	0x26   2  reserved
//	0x28   8  LAML, log area minimum length
//	0x30   8  LASA, log area start address
type Table struct {
	Revision   uint8
	OEMID      string
	OEMTableID string
	CCType     uint8
	CCSubtype  uint8
	LAML       uint64
	LASA       uint64
	Raw        []byte
}

// ParseTable parses an ACPI CCEL table: its signature, length and checksum
// (the bytes sum to zero) are checked.
func ParseTable(b []byte) (*Table, error) {
	if len(b) < TableSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrTable, len(b), TableSize)
	}
	if string(b[0:4]) != "CCEL" {
		return nil, fmt.Errorf("%w: signature %q, want \"CCEL\"", ErrTable, b[0:4])
	}
	if n := binary.LittleEndian.Uint32(b[4:8]); n != uint32(len(b)) || n != TableSize {
		return nil, fmt.Errorf("%w: length field %d, %d bytes given, want %d", ErrTable, n, len(b), TableSize)
	}
	var sum byte
	for _, c := range b {
		sum += c
	}
	if sum != 0 {
		return nil, fmt.Errorf("%w: checksum: bytes sum to %#02x, not 0", ErrTable, sum)
	}
	t := &Table{
		Revision: b[8], OEMID: string(b[10:16]), OEMTableID: string(b[16:24]),
		CCType: b[0x24], CCSubtype: b[0x25],
		LAML: binary.LittleEndian.Uint64(b[0x28:0x30]), LASA: binary.LittleEndian.Uint64(b[0x30:0x38]),
		Raw: b,
	}
	return t, nil
}

// CheckLog checks that the table describes a TDX log area that holds l:
// CC type 2 (TDX), and the events within LAML bytes, as is the whole log
// area given (size, padding included) when it was not trimmed.
func (t *Table) CheckLog(l *Log, size int) error {
	if t.CCType != CCTypeTDX {
		return fmt.Errorf("%w: CC type %d, want %d (TDX)", ErrTable, t.CCType, CCTypeTDX)
	}
	if uint64(len(l.Raw)) > t.LAML || uint64(size) > t.LAML {
		return fmt.Errorf("%w: the log area given is %d bytes (events %d), larger than the table's LAML %d", ErrTable, size, len(l.Raw), t.LAML)
	}
	return nil
}
