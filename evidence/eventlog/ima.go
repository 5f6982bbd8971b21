// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
)

// MaxIMAEntries bounds the lines of an IMA runtime log [ParseIMA] reads.
const MaxIMAEntries = 1 << 20

// ParseIMA reads IMA's runtime log in its ASCII form
// (/sys/kernel/security/ima/ascii_runtime_measurements_sha384, or the
// default file of a kernel whose template hash is SHA-384), one entry a
// line: PCR, template hash, template name, then the template's fields. It
// returns the template hashes of the entries for PCR 10 (which CC-aware IMA
// extends into RTMR2), in order, for [Log.RTMRs] and [Log.CheckRTMRs]. A
// template hash that is not 48 bytes is ErrUnsupportedAlgorithm.
func ParseIMA(ascii []byte) ([][]byte, error) {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(ascii))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		n++
		if n > MaxIMAEntries {
			return nil, fmt.Errorf("%w: IMA log of more than %d entries", ErrTooLarge, MaxIMAEntries)
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("%w: IMA log line %d: %d fields, want at least 3", ErrMalformed, n, len(f))
		}
		if f[0] != "10" {
			continue
		}
		h := f[1]
		if i := strings.IndexByte(h, ':'); i >= 0 {
			h = h[i+1:]
		}
		d, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("%w: IMA log line %d: template hash %q is not hex", ErrMalformed, n, f[1])
		}
		if len(d) != 48 {
			return nil, fmt.Errorf("%w: IMA log line %d: template hash of %d bytes, want 48 (SHA-384)", ErrUnsupportedAlgorithm, n, len(d))
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: IMA log: %v", ErrMalformed, err)
	}
	return out, nil
}
