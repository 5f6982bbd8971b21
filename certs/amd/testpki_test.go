// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"sync"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/testvectors"
)

// testPKI is testvectors' AMD PKI for one product (ARK → ASK/ASVK →
// VCEK/VLEK, RSA-PSS SHA-384, KDS extensions) whose CAs carry AMD's real
// names byte for byte, and the key of its VCEKs and VLEKs.
type testPKI struct {
	*testvectors.AMDPKI
	leafKey *ecdsa.PrivateKey
}

var (
	pkiSeed  = testvectors.NewSeed("certs/amd test PKI")
	pkiMu    sync.Mutex
	pkis     = map[snp.Product]*testPKI{}
	pkiStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pkiAt    = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// newTestPKI returns the test PKI of p, derived once per product (RSA key
// derivation takes a quarter of a second a key).
func newTestPKI(p snp.Product) *testPKI {
	pkiMu.Lock()
	defer pkiMu.Unlock()
	if pk, ok := pkis[p]; ok {
		return pk
	}
	pk := &testPKI{
		AMDPKI:  testvectors.NewAMDPKI(pkiSeed, testvectors.Product(p.String()), amd.ARK(p), amd.ASK(p), amd.ASVK(p)),
		leafKey: pkiSeed.ECKey(elliptic.P384(), "leaf/"+p.String()),
	}
	pkis[p] = pk
	return pk
}

func tvTCB(t snp.TCBParts) testvectors.TCB {
	return testvectors.TCB{FMC: t.FMC, BootLoader: t.BootLoader, TEE: t.TEE, SNP: t.SNP, Microcode: t.Microcode}
}

// leaf issues a VCEK (or VLEK, for Amazon Web Services) with serial 0 for
// chip and tcb, valid notBefore..notAfter.
func (pk *testPKI) leaf(vlek bool, chip []byte, tcb snp.TCBParts, notBefore, notAfter time.Time) []byte {
	return pk.IssueLeaf(testvectors.LeafSpec{
		VLEK: vlek, TCB: tvTCB(tcb), ChipID: chip, CSPID: "Amazon Web Services",
		NotBefore: notBefore, NotAfter: notAfter, Key: pk.leafKey,
	})
}

// report builds a report of version v for the PKI's product, signed by the
// leaves' key.
func (pk *testPKI) report(v uint32, vlek bool, chip []byte, tcb snp.TCBParts) []byte {
	if vlek {
		chip = nil
	}
	reported := tvTCB(tcb)
	return testvectors.BuildReport(pkiSeed, testvectors.ReportSpec{
		Version: v, Product: pk.Product, VLEK: vlek, Label: "certs/amd", Policy: 0x30000,
		Reported: &reported, ChipID: chip, Key: pk.leafKey,
	})
}
