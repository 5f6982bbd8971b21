// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
)

// fuzzSeeds returns every collateral piece of the vectors, when present.
func fuzzSeeds(f *testing.F) [][]byte {
	d := vectors.Dir()
	if d == "" {
		return nil
	}
	var seeds [][]byte
	for _, p := range []string{
		"tdx/go-tdx-guest/sample_tcbInfo_response", "tdx/go-tdx-guest/sample_tcbinfo_response_v5",
		"tdx/go-tdx-guest/sample_qeIdentity_response", "tdx/go-tdx-guest/pckcrl", "tdx/go-tdx-guest/rootcrl.der",
		"tdx/go-tdx-guest/tcbinfo_issuer_chain.pem", "tdx/go-tdx-guest/pckcrl_issuer_chain.pem",
		"tdx/trustee/tcbInfo.json", "tdx/trustee/enclaveIdentity.json",
		"tdx/phala-dcap-qvl/tdx_quote_collateral.json", "tdx/phala-dcap-qvl/tdx_quote_outdated_collateral.json",
		"tdx/intel-qvl-sampledata-synthetic/tcbInfo.json", "tdx/intel-qvl-sampledata-synthetic/qeIdentity.json",
		"tdx/intel-qvl-sampledata-synthetic/intermediateCaCrl.der", "tdx/intel-qvl-sampledata-synthetic/rootCaCrl.der",
	} {
		seeds = append(seeds, vectors.Read(f, p))
	}
	return seeds
}

// FuzzParseTCBInfo: the TCB Info parser never panics, and what it accepts
// keeps its signed bytes and a usable level order.
func FuzzParseTCBInfo(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"tcbInfo":{},"signature":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ti, err := ParseTCBInfo(b)
		if err != nil {
			return
		}
		if len(ti.Raw()) == 0 || len(ti.TCBLevels) == 0 {
			t.Fatal("accepted TCB Info without raw bytes or levels")
		}
		for i := 1; i < len(ti.TCBLevels); i++ {
			if compareLevels(&ti.TCBLevels[i-1], &ti.TCBLevels[i]) <= 0 {
				t.Fatal("levels not in strictly descending order")
			}
		}
		ti.moduleIdentity(1)
		if _, err := ParseTCBInfo(ti.Body()); err != nil {
			t.Fatalf("Body does not parse back: %v", err)
		}
	})
}

// FuzzParseQEIdentity: the QE Identity parser never panics.
func FuzzParseQEIdentity(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		qe, err := ParseQEIdentity(b)
		if err != nil {
			return
		}
		if len(qe.TCBLevels) == 0 {
			t.Fatal("accepted QE Identity without levels")
		}
		if _, err := ParseQEIdentity(qe.Body()); err != nil {
			t.Fatalf("Body does not parse back: %v", err)
		}
	})
}

// FuzzParseCRL: CRL parsing and lookups never panic.
func FuzzParseCRL(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		if h, err := hex.DecodeString(string(s)); err == nil {
			f.Add(h)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCRL(b)
		if err != nil {
			return
		}
		c.Revoked(nil)
		c.checkTime(time.Now(), false)
		_ = c.VerifySignature(Root())
	})
}

// FuzzCollateralAdd: content detection never panics and never accepts
// without adding something; evaluation of what it accepts never panics.
func FuzzCollateralAdd(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	var b map[string]string
	if d := vectors.Dir(); d != "" {
		_ = json.Unmarshal(vectors.Read(f, "tdx/phala-dcap-qvl/tdx_quote_collateral.json"), &b)
		for _, v := range b {
			f.Add([]byte(v))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		col := new(Collateral)
		if err := col.Add(data); err != nil {
			return
		}
		if len(col.TCBInfos)+len(col.QEIdentities)+len(col.CRLs)+len(col.Certs) == 0 {
			t.Fatal("Add accepted data and added nothing")
		}
		_ = col.Missing([6]byte{}, CAPlatform)
	})
}
