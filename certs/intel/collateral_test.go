// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
)

// vectorCase is a TDX entry of the shared vectors' cases.json.
type vectorCase struct {
	ID               string            `json:"id"`
	Evidence         string            `json:"evidence"`
	EvidenceEncoding string            `json:"evidence_encoding"`
	Collateral       []string          `json:"collateral"`
	Roles            map[string]string `json:"collateral_roles"`
	At               time.Time         `json:"at"`
	Expect           struct {
		Verifies  bool   `json:"verifies"`
		TCBStatus string `json:"tcb_status"`
	} `json:"expect"`
}

func tdxCases(t testing.TB) []vectorCase {
	t.Helper()
	var all []vectorCase
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &all); err != nil {
		t.Fatal(err)
	}
	var out []vectorCase
	for _, c := range all {
		if strings.HasPrefix(c.ID, "tdx-") {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatal("cases.json has no TDX case")
	}
	return out
}

// readEvidence returns the raw quote of a case, decoding hex text.
func readEvidence(t testing.TB, c vectorCase) []byte {
	t.Helper()
	b := vectors.Read(t, c.Evidence)
	if c.EvidenceEncoding == "hex" {
		s := strings.TrimPrefix(strings.TrimSpace(string(b)), "0x")
		var err error
		if b, err = hex.DecodeString(s); err != nil {
			t.Fatalf("%s: %v", c.Evidence, err)
		}
	}
	return b
}

// readRole returns the bytes of a collateral role: a file, or with
// "#field" one field of a JSON bundle.
func readRole(t testing.TB, ref string) []byte {
	t.Helper()
	file, field, _ := strings.Cut(ref, "#")
	b := vectors.Read(t, file)
	if field == "" {
		return b
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	v, err := fieldBytes(m[field])
	if err != nil || v == nil {
		t.Fatalf("%s: field %s: %v", file, field, err)
	}
	return v
}

// caseCollateral builds a case's collateral from its roles, in a shuffled
// order so that nothing depends on it.
func caseCollateral(t testing.TB, c vectorCase) (*Collateral, bool) {
	t.Helper()
	col := new(Collateral)
	crls := false
	for role, ref := range c.Roles {
		if err := col.Add(readRole(t, ref)); err != nil {
			t.Fatalf("%s: role %s (%s): %v", c.ID, role, ref, err)
		}
		crls = crls || role == "pck_crl" || role == "phala_collateral_bundle"
	}
	return col, crls
}

func caseQuote(t testing.TB, c vectorCase) (tdx.Quote, *QuoteChain) {
	t.Helper()
	// go-tdx-guest's SPR_E4 file ends with "extra bytes(only for testing
	// purpose)" after the quote: read the quote as a prefix.
	q, rest, err := tdx.ParsePrefix(readEvidence(t, c))
	if err != nil {
		t.Fatalf("%s: parse: %v", c.ID, err)
	}
	if len(bytes.TrimRight(rest, "\x00")) != 0 {
		t.Logf("%s: %d bytes after the quote ignored", c.ID, len(rest))
	}
	chain, err := VerifyQuote(q, Options{Time: c.At})
	if err != nil {
		t.Fatalf("%s: VerifyQuote: %v", c.ID, err)
	}
	return q, chain
}

// qvlOverrides are the cases whose cases.json expectation comes from
// go-tdx-guest's known deviation from Intel's QVL, with the status the QVL's
// rules give and why.
var qvlOverrides = map[string]struct {
	status, platform, module string
	why                      string
}{
	"tdx-trustee-v4-00a06d-tdx03-uptodate": {"OutOfDate", "OutOfDate", "UpToDate",
		"PCK PCESVN 11 is below the UpToDate level's pcesvn 13, so the platform matches the OutOfDate level (2018-01-04); " +
			"the TDX_03 module level is UpToDate. go-tdx-guest reports the module level and drops the platform status " +
			"(notes/tdx.md, tdxModuleIdentities); the QVL converges to OutOfDate."},
}

// TestCases runs every TDX case of cases.json through VerifyQuote and
// Evaluate at the case's time and checks the expected outcome.
func TestCases(t *testing.T) {
	for _, c := range tdxCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			q, chain := caseQuote(t, c)
			col, crls := caseCollateral(t, c)
			res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}, AllowMissingCRLs: !crls})
			if c.Expect.Verifies {
				if err != nil {
					t.Fatalf("Evaluate: %v", err)
				}
			} else {
				if c.Expect.TCBStatus != "TCBNotSupported" {
					t.Fatalf("unexpected expectation %+v", c.Expect)
				}
				if !errors.Is(err, ErrTCBNotSupported) {
					t.Fatalf("Evaluate: %v, want ErrTCBNotSupported", err)
				}
			}
			if res == nil {
				t.Fatal("nil result")
			}
			want := c.Expect.TCBStatus
			if o, ok := qvlOverrides[c.ID]; ok {
				t.Logf("cases.json expects %s; the QVL's rules give %s: %s", want, o.status, o.why)
				want = o.status
				if res.PlatformStatus.String() != o.platform || res.ModuleStatus.String() != o.module {
					t.Errorf("platform %s module %s, want %s %s", res.PlatformStatus, res.ModuleStatus, o.platform, o.module)
				}
			}
			if got := res.Status.String(); got != want {
				t.Errorf("status %s, want %s", got, want)
			}
			if res.RevocationChecked != crls {
				t.Errorf("RevocationChecked %v, want %v", res.RevocationChecked, crls)
			}
			if res.CollateralExpired || !res.EarliestExpiration.After(c.At) || res.EarliestIssueDate.After(c.At) {
				t.Errorf("collateral window: issued %s..%s, expires %s, expired %v", res.EarliestIssueDate, res.LatestIssueDate, res.EarliestExpiration, res.CollateralExpired)
			}
			t.Logf("%s: status %s platform %s module %s qe %s tcbDate %s eval %d advisories %v current %+v",
				c.ID, res.Status, res.PlatformStatus, res.ModuleStatus, res.QEStatus, res.TCBDate.Format("2006-01-02"), res.TCBEvaluationDataNumber, res.AdvisoryIDs, res.Current)
		})
	}
}
