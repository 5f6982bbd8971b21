// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package fuzz

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/oracle"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// seedTDX adds every real TDX quote: the embedded ones and, when present, every
// file of the shared TDX vectors (quotes or not: they make good mutations).
func seedTDX(f *testing.F) {
	f.Add(gtdata.RawQuote)
	f.Add(gtdata.RawQuoteV5)
	seedGenerated(f, "tdx")
	if d := vectors.Dir(); d != "" {
		for _, c := range vectors.Cases(f, "tdx-") {
			f.Add(c.EvidenceBytes(f))
		}
		files, _ := filepath.Glob(filepath.Join(d, "tdx", "*", "*.dat"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzTDXDifferential parses the same bytes with ccverify and go-tdx-guest:
// when both accept, every field must agree.
func FuzzTDXDifferential(f *testing.F) {
	seedTDX(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		q, _, err := tdx.ParsePrefix(b)
		theirs, theirErr := oracle.ParseTDX(b)
		if err != nil || theirErr != nil {
			return
		}
		if err := oracle.CompareTDX(q, theirs); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzVerifyEvidence runs the verify entry point on any bytes: it must not
// panic, must always return a Result, must never affirm evidence whose
// verification failed, and returns an error exactly when the status is
// contraindicated; its Trustee profile renders. Hex and base64 text of evidence is decoded, so the seeds
// include those forms.
func FuzzVerifyEvidence(f *testing.F) {
	seedTDX(f)
	seedSNP(f)
	f.Add([]byte(hex.EncodeToString(gtdata.RawQuoteV5)))
	f.Add([]byte(base64.StdEncoding.EncodeToString(gtdata.RawQuote)))
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := verify.Evidence(context.Background(), b, verify.Options{Offline: true, Time: at})
		if r == nil {
			t.Fatal("nil Result")
		}
		// The Trustee profile renders whatever was read, failed or not.
		if _, jerr := r.EARJSONWith(verify.EAROptions{Profile: verify.ProfileTrustee}); jerr != nil && r.Status != ear.TrustTierContraindicated {
			t.Fatalf("Trustee profile of a %v verdict: %v", r.Status, jerr)
		}
		if err != nil {
			if r.Status != ear.TrustTierContraindicated || !errors.Is(r.Err, err) && r.Err != err {
				t.Fatalf("failed evidence (%v) has status %v", err, r.Status)
			}
			return
		}
		if r.Status == ear.TrustTierNone || r.Status == ear.TrustTierContraindicated {
			// err is nil exactly when the status is affirming or warning.
			t.Fatalf("evidence without an error has status %v", r.Status)
		}
	})
}
