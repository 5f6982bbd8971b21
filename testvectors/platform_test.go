// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
)

// TestPlatformQuotes: the quotes are distinct and each verifies UpToDate
// with the catalog's collateral for the platform.
func TestPlatformQuotes(t *testing.T) {
	m := loadManifest(t, dataDir)
	qs := testvectors.PlatformQuotes(m.Seed, 3)
	if bytes.Equal(qs[0], qs[1]) || bytes.Equal(qs[1], qs[2]) {
		t.Fatal("quotes are not distinct")
	}
	// One platform: the QE report, its signature and the attestation key
	// (all after the 48-byte header and 584-byte body) are the same bytes.
	tail := func(q []byte) []byte { return q[48+584+4+64+64:] }
	if !bytes.Equal(tail(qs[0]), tail(qs[2])) {
		t.Error("the quotes do not share one QE report")
	}
	if rs := testvectors.QERestartQuotes(m.Seed, 2); bytes.Equal(tail(rs[0]), tail(rs[1])) {
		t.Error("QERestartQuotes share one QE report")
	}
	qs = append(qs, testvectors.QERestartQuotes(m.Seed, 2)...)
	var opts verify.Options
	for _, c := range m.Cases {
		if c.ID == "tdx-v4-platform-uptodate" {
			opts = verifyOptions(t, dataDir, c)
		}
	}
	v := verify.New(opts)
	for i, q := range qs {
		r, err := v.Evidence(context.Background(), q)
		if err != nil || r.Claims["tcb_status"] != "UpToDate" {
			t.Errorf("quote %d: %v, %v", i, r.Claims["tcb_status"], err)
		}
	}
}
