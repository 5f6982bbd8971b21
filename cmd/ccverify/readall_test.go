// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadAll: the bytes of the file whatever its size said, never more
// than max+1, with short reads.
func TestReadAll(t *testing.T) {
	data := bytes.Repeat([]byte("quote"), 1000) // 5000 bytes
	for _, tt := range []struct {
		name      string
		size, max int
		wantLen   int
	}{
		{"size as read", 5000, 1 << 20, 5000},
		{"grown since Stat", 100, 1 << 20, 5000},
		{"shrunk since Stat", 9000, 1 << 20, 5000},
		{"larger than max", 5000, 4096, 4097},
		{"grown past max", 10, 4096, 4097},
		{"max exactly", 5000, 5000, 5000},
	} {
		for name, rd := range map[string]io.Reader{
			"whole":              bytes.NewReader(data),
			"one byte at a time": iotest.OneByteReader(bytes.NewReader(data)),
			"data with EOF":      iotest.DataErrReader(bytes.NewReader(data)),
		} {
			got, err := readAll(rd, int64(tt.size), tt.max)
			if err != nil || len(got) != tt.wantLen || !bytes.Equal(got, data[:tt.wantLen]) {
				t.Errorf("%s, %s: %d bytes, %v; want the first %d", tt.name, name, len(got), err, tt.wantLen)
			}
		}
	}
	if got, err := readAll(iotest.ErrReader(iotest.ErrTimeout), 10, 100); err == nil {
		t.Errorf("read error lost: %q", got)
	}
}

func BenchmarkReadAll(b *testing.B) {
	data := bytes.Repeat([]byte("q"), 5006)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readAll(bytes.NewReader(data), int64(len(data)), 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}
