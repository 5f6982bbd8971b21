// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
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
			if got, want := res.Status.String(), c.Expect.TCBStatus; got != want {
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

// TestLoadCollateral loads the vectors' folders as they are (quotes and notes
// among the collateral, names that say nothing) and single bundle files, and
// evaluates cases with them.
func TestLoadCollateral(t *testing.T) {
	dir := vectors.Need(t)
	for _, tc := range []struct {
		path, caseID string
		crls         bool
	}{
		{"tdx/go-tdx-guest", "tdx-trustee-v4-spr-debug-uptodate", true},
		{"tdx/go-tdx-guest", "tdx-gotdxguest-v4-spr-e4-tcbnotsupported", true},
		{"tdx/phala-dcap-qvl/tdx_quote_collateral.json", "tdx-phala-v4-b0c06f-uptodate", true},
		{"tdx/phala-dcap-qvl", "tdx-gotdxguest-v5-td15-90c06f-uptodate", true},
		{"tdx/phala-dcap-qvl", "tdx-phala-v4-b0c06f-uptodate", true},
	} {
		t.Run(tc.path+"/"+tc.caseID, func(t *testing.T) {
			col, err := LoadCollateral(filepath.Join(dir, filepath.FromSlash(tc.path)))
			if err != nil {
				t.Fatal(err)
			}
			c := findCase(t, tc.caseID)
			q, chain := caseQuote(t, c)
			if err := col.Missing(chain.Extensions.FMSPC, chain.CA); err != nil {
				t.Fatal(err)
			}
			res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}})
			if res == nil || res.Status.String() != c.Expect.TCBStatus || (err == nil) != c.Expect.Verifies {
				t.Fatalf("%v: %v", res, err)
			}
		})
	}
}

// TestMissingNamed: a directory with only some pieces names the others.
func TestMissingNamed(t *testing.T) {
	c := findCase(t, "tdx-trustee-v4-00a06d-tdx03-uptodate")
	q, chain := caseQuote(t, c)
	col, err := LoadCollateral(filepath.Join(vectors.Need(t), "tdx", "trustee"))
	if err != nil {
		t.Fatal(err)
	}
	err = col.Missing(chain.Extensions.FMSPC, chain.CA)
	for _, want := range []string{"PCK platform CA CRL", "Root CA CRL", "TCB Signing certificate"} {
		if !errors.Is(err, ErrCollateralMissing) || !strings.Contains(err.Error(), want) {
			t.Errorf("Missing = %v, want it to name %q", err, want)
		}
	}
	if _, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}, AllowMissingCRLs: true}); !errors.Is(err, ErrCollateralMissing) || !strings.Contains(err.Error(), "TCB Signing") {
		t.Errorf("Evaluate = %v, want the TCB Signing certificate named", err)
	}
}

// TestAddForms feeds the same pieces in every form Add recognizes.
func TestAddForms(t *testing.T) {
	var b map[string]string
	if err := json.Unmarshal(vectors.Read(t, "tdx/phala-dcap-qvl/tdx_quote_collateral.json"), &b); err != nil {
		t.Fatal(err)
	}
	der, _ := hex.DecodeString(b["root_ca_crl"])
	pemCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
	chainDER, _ := pem.Decode([]byte(b["tcb_info_issuer_chain"]))
	for name, in := range map[string][]byte{
		"crl der":            der,
		"crl pem":            pemCRL,
		"crl hex":            []byte(b["root_ca_crl"]),
		"crl 0x hex newline": []byte("0x" + b["root_ca_crl"] + "\n"),
		"chain pem":          []byte(b["tcb_info_issuer_chain"]),
		"chain url-encoded":  []byte(url.PathEscape(b["tcb_info_issuer_chain"])),
		"cert der":           chainDER.Bytes,
		"cert hex":           []byte(hex.EncodeToString(chainDER.Bytes)),
		"qvl bundle objects": []byte(`{"tcb_info":{"tcbInfo":` + b["tcb_info"] + `,"signature":"` + b["tcb_info_signature"] + `"},"qe_identity":` + strconv.Quote(`{"enclaveIdentity":`+b["qe_identity"]+`,"signature":"`+b["qe_identity_signature"]+`"}`) + `}`),
		"camelCase bundle":   []byte(`{"tcbInfo":` + strconv.Quote(b["tcb_info"]) + `,"tcbInfoSignature":"` + b["tcb_info_signature"] + `","rootCaCrl":"` + b["root_ca_crl"] + `"}`),
	} {
		col := new(Collateral)
		if err := col.Add(in); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if n := len(col.TCBInfos) + len(col.QEIdentities) + len(col.CRLs) + len(col.Certs); n == 0 {
			t.Errorf("%s: nothing added", name)
		}
	}
	for name, in := range map[string][]byte{
		"empty":          nil,
		"text":           []byte("hello"),
		"json":           []byte(`{"a":1}`),
		"bad tcbInfo":    []byte(`{"tcbInfo":{"id":"TDX"},"signature":"00"}`),
		"bad pem":        []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
		"other CRL":      []byte{0x30, 0x03, 0x02, 0x01, 0x00},
		"bundle bad sig": []byte(`{"tcb_info":` + strconv.Quote(b["tcb_info"]) + `,"tcb_info_signature":"zz"}`),
	} {
		if err := new(Collateral).Add(in); !errors.Is(err, ErrCollateralFormat) {
			t.Errorf("%s: err = %v, want ErrCollateralFormat", name, err)
		}
	}
}

// TestWholeBundleExpiredCRLs: the case tdx-trustee-v4-00a06d-tdx03-uptodate
// with Phala's bundle passed whole (cases.json's notes): the bundle's CRLs
// PCK CRL expired before the case time, so it is as good as none: OutOfDate
// with revocation not checked and the CRL named, or, CRLs required,
// ErrCollateralExpired. Its Root CA CRL is current and used; its TCB Info is
// for another FMSPC (not a candidate) and its QE Identity, expired, never
// shadows trustee's.
func TestWholeBundleExpiredCRLs(t *testing.T) {
	c := findCase(t, "tdx-trustee-v4-00a06d-tdx03-uptodate")
	q, chain := caseQuote(t, c)
	col := new(Collateral)
	for _, f := range c.Collateral {
		if err := col.Add(vectors.Read(t, f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	res, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}, AllowMissingCRLs: true})
	if err != nil || res.Status.String() != c.Expect.TCBStatus || res.RevocationChecked {
		t.Fatalf("%v %v, want %s with revocation not checked", res, err, c.Expect.TCBStatus)
	}
	if res.RootCRL == nil || res.PCKCRL != nil || res.CollateralExpired {
		t.Errorf("root CRL %v, PCK CRL %v, collateral expired %v", res.RootCRL != nil, res.PCKCRL != nil, res.CollateralExpired)
	}
	if !rejected(res, ErrCollateralExpired, "PCK platform CA CRL", "2025-07-19") || !rejected(res, ErrCollateralExpired, "QE Identity", "17") {
		t.Errorf("rejected %v, want the expired PCK CRL and QE Identity named", res.Rejected)
	}
	if _, err := Evaluate(q, chain, col, EvaluateOptions{Options: Options{Time: c.At}}); !errors.Is(err, ErrCollateralExpired) {
		t.Errorf("CRLs required: %v, want ErrCollateralExpired", err)
	}
}
