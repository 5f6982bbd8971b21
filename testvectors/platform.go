// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto/elliptic"
	"fmt"
	"math/big"
)

// PlatformQuotes returns n distinct version 4 TDX quotes of one platform,
// under the Intel PKI Generate(seed) makes: one PCK (Platform CA, the
// catalog's FMSPC, SVNs and QE), one attestation key and one QE report (a
// recurring platform, as a verifier sees it), n TDs with their own
// measurements and report data, so n quote signatures. The collateral of
// Generate's tdx-v4-platform-uptodate case (intel/tcb/good, intel/crl/good)
// and its root verify them, UpToDate, at that case's time. For audits and
// memory tests at scale.
func PlatformQuotes(seed string, n int) [][]byte {
	return platformQuotes(seed, n, func(int) string { return "audit-qe" })
}

// QERestartQuotes is PlatformQuotes with each quote's own QE report (its
// CPUSVN and auth data from the quote's label), as after a quoting enclave
// restart: every quote proves its QE report anew.
func QERestartQuotes(seed string, n int) [][]byte {
	return platformQuotes(seed, n, func(i int) string { return fmt.Sprintf("audit-qe-%d", i) })
}

func platformQuotes(seed string, n int, qeLabel func(int) string) [][]byte {
	s := NewSeed(seed)
	pki := NewIntelPKI(s, "main")
	ak := s.ECKey(elliptic.P256(), "tdx-attestation-key")
	spec := PCKSpec{Label: "audit-platform", Serial: big.NewInt(0x1a0d17), NotBefore: date(2025, 1, 1), NotAfter: date(2032, 1, 1),
		FMSPC: tdxFMSPC, PCESVN: 13, SGXComponents: tdxSGX, SGXType: 1, Platform: true}
	pck, pckKey := pki.IssuePCK(spec, pki.PlatformCA, pki.PlatformKey)
	chain := PCKChain(pck, pki.PlatformCA, pki.Root)
	out := make([][]byte, n)
	for i := range out {
		out[i] = BuildQuote(s, QuoteSpec{Version: 4, TEETCBSVN: tee(6, 3, 9), TDAttributes: 1 << 28, XFAM: 0x61ae7,
			Label: fmt.Sprintf("audit-td-%d", i), QELabel: qeLabel(i), QEMRSigner: tdxQEMRSign, QEAttributes: tdxQEAttrs, QEISVProdID: 2, QEISVSVN: 8,
			PCKChain: chain, PCKKey: pckKey, AKKey: ak})
	}
	return out
}
