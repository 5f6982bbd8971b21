// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtgdata "github.com/google/go-tdx-guest/testing/testdata"
)

// snpClaims returns the claims of go-sev-guest's embedded report (a Milan
// v2 report), built by the same function verify uses.
func snpClaims(t testing.TB) map[string]any {
	t.Helper()
	r, err := snp.Parse(gsgdata.AttestationBytes)
	if err != nil {
		t.Fatal(err)
	}
	return snp.Claims(r, snp.Milan)
}

// tdxClaims returns claims of go-tdx-guest's embedded production quote in the
// shape verify/claims_tdx.go builds (refvalues may not import verify): the
// quote.body fields, td_attributes bits and the decoded top-level claims
// the profiles name.
func tdxClaims(t testing.TB) map[string]any {
	t.Helper()
	q, _, err := tdx.ParsePrefix(gtgdata.RawQuote) // the file ends in a newline
	if err != nil {
		t.Fatal(err)
	}
	b := q.Body()
	h := hex.EncodeToString
	body := map[string]any{
		"tcb_svn":         h(b.TEETCBSVN()),
		"mr_seam":         h(b.MRSEAM()),
		"mrsigner_seam":   h(b.MRSIGNERSEAM()),
		"seam_attributes": h(b[0x70:0x78]),
		"td_attributes":   h(b[0x78:0x80]),
		"xfam":            h(b[0x80:0x88]),
		"mr_td":           h(b.MRTD()),
		"mr_config_id":    h(b.MRCONFIGID()),
		"mr_owner":        h(b.MROWNER()),
		"mr_owner_config": h(b.MROWNERCONFIG()),
		"rtmr_0":          h(b.RTMR(0)),
		"rtmr_1":          h(b.RTMR(1)),
		"rtmr_2":          h(b.RTMR(2)),
		"rtmr_3":          h(b.RTMR(3)),
		"report_data":     h(b.ReportData()),
	}
	a := b.TDAttributes()
	qe := q.QEReport()
	return map[string]any{
		"quote": map[string]any{"body": body, "header": map[string]any{"version": "0400"}},
		"td_attributes": map[string]any{
			"debug": a.Debug(), "key_locker": a.KL(), "perfmon": a.PerfMon(),
			"protection_keys": a.PKS(), "septve_disable": a.SEPTVEDisable(), "migratable": a.Migratable(),
		},
		"report_data":              h(b.ReportData()),
		"init_data":                h(b.MRCONFIGID()),
		"debug":                    a.Debug(),
		"quote_version":            int(q.Version()),
		"tdx_module_svn":           int(b.TEETCBSVN()[0]),
		"tdx_module_major_version": int(b.TEETCBSVN()[1]),
		"qe_isvsvn":                int(qe.ISVSVN()),
		"qe_isvprodid":             int(qe.ISVProdID()),
		"qe_mrsigner":              h(qe.MRSigner()),
		"qe_mrenclave":             h(qe.MREnclave()),
	}
}

// clone deep-copies a claims map so a test can change one value.
func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = clone(sub)
		}
		out[k] = v
	}
	return out
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch kind {
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil || k == nil {
		t.Fatalf("key %s: %v", kind, err)
	}
	return k
}

// at2024 is inside the validity of Veraison's signed test CoRIMs
// (2021-12-31 to 2025-12-31).
var at2024 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func trusted(pubs ...crypto.PublicKey) []TrustedKey {
	out := make([]TrustedKey, len(pubs))
	for i, p := range pubs {
		out[i] = TrustedKey{Public: p}
	}
	return out
}

func rsaKey() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 2048) }
