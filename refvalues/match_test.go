// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// goldenCorim drafts a template from claims, builds it and signs it with a
// fresh P-384 key, and loads it back trusting that key.
func goldenCorim(t *testing.T, tee string, claims map[string]any, edit func(*Template)) *Document {
	t.Helper()
	tmpl, err := TemplateFromClaims(tee, claims)
	if err != nil {
		t.Fatal(err)
	}
	// The template goes through JSON, as a person would edit it.
	j, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl, err = ParseTemplate(j); err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	if edit != nil {
		edit(tmpl)
	}
	raw, err := Build(tmpl)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, j)
	}
	key := newKey(t, "p384")
	signed, err := Sign(raw, key, SignOptions{Signer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(signed, LoadOptions{Name: "golden.corim", Keys: trusted(key.Public())})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func findingFor(r *Result, claim string) *Finding {
	for _, f := range r.Mismatches() {
		if f.Claim == claim {
			return &f
		}
	}
	return nil
}

func TestMatchSNPRealReport(t *testing.T) {
	real := snpClaims(t)
	if !real["policy_debug_allowed"].(bool) {
		t.Fatal("go-sev-guest's report is expected to allow debugging")
	}
	if r := (Set{goldenCorim(t, SNP, real, nil)}).Match(SNP, real); !r.Approved() {
		t.Fatalf("golden CoRIM of a debug report:\n%s", r)
	}
	// The rest starts from the same report as a non-debug guest would make it.
	claims := clone(real)
	claims["policy"] = real["policy"].(uint64) &^ (1 << 19)
	claims["policy_debug_allowed"] = false
	doc := goldenCorim(t, SNP, claims, nil)
	r := Set{doc}.Match(SNP, claims)
	if !r.Approved() || !r.Checked(Executables) || !r.Checked(Configuration) {
		t.Fatalf("golden CoRIM does not approve its own report:\n%s", r)
	}
	if got := (Set{doc}).Match(TDX, claims); got.Status != NoReferenceValues {
		t.Errorf("SNP CoRIM for a TDX claim set: %s, want no reference values", got.Status)
	}

	// One changed measurement: unrecognized, the claim named with both values.
	other := strings.Repeat("ab", 48)
	doc2 := goldenCorim(t, SNP, claims, func(tm *Template) { tm.References[0].Values["measurement"] = other })
	r = Set{doc2}.Match(SNP, claims)
	if r.Status != Unrecognized {
		t.Fatalf("changed measurement: %s", r)
	}
	f := findingFor(r, "measurement")
	if f == nil || f.Expected != other || f.Got != claims["measurement"] || f.Class != Executables {
		t.Fatalf("mismatch not named: %+v\n%s", f, r)
	}
	if len(r.Mismatches()) != 1 {
		t.Errorf("want exactly one mismatch, got %v", r.Mismatches())
	}
	if !strings.Contains(r.String(), "measurement") {
		t.Errorf("explanation does not name the claim:\n%s", r)
	}
	// Both CoRIMs: alternatives of one component, the golden one approves.
	if r := (Set{doc2, doc}).Match(SNP, claims); !r.Approved() {
		t.Errorf("two CoRIMs, one approving:\n%s", r)
	}

	// A debug guest against the golden CoRIM: a configuration finding.
	dbg := clone(claims)
	dbg["policy"] = claims["policy"].(uint64) | 1<<19
	dbg["policy_debug_allowed"] = true
	r = Set{doc}.Match(SNP, dbg)
	if r.Status != Unrecognized {
		t.Fatalf("debug guest approved:\n%s", r)
	}
	for _, c := range r.FailedClasses() {
		if c != Configuration {
			t.Errorf("debug guest: failed class %s, want configuration only", c)
		}
	}

	// A POLICY mask that tries to ignore DEBUG still compares it.
	loose := goldenCorim(t, SNP, claims, func(tm *Template) {
		tm.References[0].Values["policy"] = map[string]any{"value": claims["policy"], "mask": uint64(0xff)}
		delete(tm.References[0].Values, "debug")
	})
	if r := (Set{loose}).Match(SNP, dbg); r.Approved() {
		t.Errorf("a mask without DEBUG approved a debug guest:\n%s", r)
	}
	if r := (Set{loose}).Match(SNP, claims); !r.Approved() {
		t.Errorf("loose mask, non-debug guest:\n%s", r)
	}

	// A lower REPORTED_TCB fails the minimum, as a hardware finding.
	low := clone(claims)
	low["reported_tcb_snp"] = claims["reported_tcb_snp"].(int) - 1
	r = Set{doc}.Match(SNP, low)
	if f := findingFor(r, "reported_tcb_*"); r.Approved() || f == nil || f.Class != Hardware || !strings.Contains(f.Reason, "snp") {
		t.Errorf("lower TCB: %+v\n%s", f, r)
	}
}

func TestMatchTDXRealQuote(t *testing.T) {
	claims := tdxClaims(t)
	doc := goldenCorim(t, TDX, claims, nil)
	r := Set{doc}.Match(TDX, claims)
	if !r.Approved() {
		t.Fatalf("golden CoRIM does not approve its quote:\n%s", r)
	}
	other := strings.Repeat("cd", 48)
	doc2 := goldenCorim(t, TDX, claims, func(tm *Template) { tm.References[0].Values["rtmr_2"] = other })
	r = Set{doc2}.Match(TDX, claims)
	f := findingFor(r, "quote.body.rtmr_2")
	if r.Status != Unrecognized || f == nil || f.Expected != other || f.Got != claims["quote"].(map[string]any)["body"].(map[string]any)["rtmr_2"] {
		t.Fatalf("changed RTMR2: %+v\n%s", f, r)
	}
	if !strings.Contains(f.Key, "mkey 1 (RTMR) integrity-register 2") {
		t.Errorf("finding key %q does not name the CoRIM key", f.Key)
	}
	// A lower TDX module SVN fails the TEE_TCB_SVN minimum.
	low := clone(claims)
	body := low["quote"].(map[string]any)["body"].(map[string]any)
	body["tcb_svn"] = "00" + body["tcb_svn"].(string)[2:]
	if r := (Set{doc}).Match(TDX, low); r.Approved() || r.Mismatches()[0].Class != Hardware {
		t.Errorf("lower module SVN:\n%s", r)
	}
	// A claim the reference names but the map lacks fails.
	delete(body, "mr_td")
	if r := (Set{doc}).Match(TDX, low); r.Approved() || findingFor(r, "quote.body.mr_td").Reason != "claim absent" {
		t.Errorf("absent MRTD:\n%s", r)
	}
}

func TestTemplatesInTestdata(t *testing.T) {
	for _, name := range []string{"template-tdx.json", "template-snp.json"} {
		t.Run(name, func(t *testing.T) {
			tm, err := ParseTemplate(readTestdata(t, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, wire := range []string{"untagged", "tagged"} {
				tm.ProfileWire = wire
				raw, err := Build(tm)
				if err != nil {
					t.Fatal(err)
				}
				doc, err := Load(raw, LoadOptions{AllowUnsigned: true})
				if err != nil {
					t.Fatal(err)
				}
				if len(doc.References) != len(tm.References) || doc.ProfileWire != wire {
					t.Fatalf("%s: %d references (%s), want %d (%s)", wire, len(doc.References), doc.ProfileWire, len(tm.References), wire)
				}
				again, _ := Build(tm)
				if string(again) != string(raw) {
					t.Errorf("%s: Build is not deterministic", wire)
				}
			}
		})
	}
}

func TestExpectedValues(t *testing.T) {
	snpC, tdxC := snpClaims(t), tdxClaims(t)
	api, err := Expect(map[string][]string{
		"measurement":              {strings.ToUpper(snpC["measurement"].(string))},
		"mr_td":                    {"0x" + tdxC["quote"].(map[string]any)["body"].(map[string]any)["mr_td"].(string)},
		"td_attributes.debug":      {"false"},
		"guest_svn":                {"0", "1", "2"},
		"snp.policy_debug_allowed": {"true"}, // go-sev-guest's report allows debugging
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := (Set{api}).Match(SNP, snpC); !r.Approved() {
		t.Errorf("SNP expected values:\n%s", r)
	}
	if r := (Set{api}).Match(TDX, tdxC); !r.Approved() {
		t.Errorf("TDX expected values:\n%s", r)
	}
	// JSON file: the testdata one names values the real evidence does not have.
	doc, err := Load(readTestdata(t, "expected-values.json"), LoadOptions{Name: "expected-values.json", AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	r := Set{doc}.Match(SNP, snpC)
	if r.Status != Unrecognized || findingFor(r, "measurement") == nil {
		t.Errorf("JSON expected values:\n%s", r)
	}
	// Values for one claim from two documents are a union.
	if r := (Set{doc, api}).Match(SNP, snpC); r.Status != Unrecognized || findingFor(r, "measurement") != nil {
		t.Errorf("union of expected values:\n%s", r)
	}
	if _, err := Load(readTestdata(t, "expected-values.json"), LoadOptions{}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("JSON without AllowUnsigned: %v", err)
	}
	for name, tc := range map[string]struct {
		in   string
		want error
	}{
		"unknown":  {`{"mrtd": ["00"]}`, ErrUnknownClaim},
		"short":    {`{"mr_td": ["00"]}`, ErrValue},
		"not hex":  {`{"measurement": ["zz"]}`, ErrValue},
		"int":      {`{"guest_svn": ["x"]}`, ErrValue},
		"both":     {`{"debug": [true, false]}`, ErrValue},
		"empty":    {`{"debug": []}`, ErrValue},
		"trailing": {`{"debug": false} x`, ErrUnknownFormat},
		"map":      {`{"td_attributes.debug": {"a": 1}}`, ErrValue},
		"other":    {`{"tdx.measurement": ["00"]}`, ErrUnknownClaim},
	} {
		if _, err := Load([]byte(tc.in), LoadOptions{AllowUnsigned: true}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestNoReferenceValues(t *testing.T) {
	r := Set{}.Match(SNP, snpClaims(t))
	if r.Status != NoReferenceValues || r.Approved() || r.Checked(Executables) {
		t.Errorf("empty set: %+v", r)
	}
	if r.Status.String() != "no reference values" {
		t.Errorf("status string %q", r.Status)
	}
}

func TestResultJSON(t *testing.T) {
	claims := snpClaims(t)
	doc := goldenCorim(t, SNP, claims, func(tm *Template) { tm.References[0].Values["measurement"] = strings.Repeat("00", 48) })
	r := Set{doc}.Match(SNP, claims)
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":"unrecognized"`, `"class":"executables"`, `"claim":"measurement"`} {
		if !strings.Contains(string(j), want) {
			t.Errorf("result JSON lacks %s: %s", want, j)
		}
	}
	if _, err := json.Marshal(doc); err != nil {
		t.Errorf("document JSON: %v", err)
	}
}

// TestMatchConcurrent: one Set judges many claim sets at once.
func TestMatchConcurrent(t *testing.T) {
	claims := snpClaims(t)
	doc := goldenCorim(t, SNP, claims, nil)
	exp, err := Expect(map[string][]string{"measurement": {claims["measurement"].(string)}})
	if err != nil {
		t.Fatal(err)
	}
	s := Set{doc, exp}
	done := make(chan bool)
	for i := 0; i < 4; i++ {
		go func(i int) {
			c := clone(claims)
			if i%2 == 1 {
				c["measurement"] = strings.Repeat("00", 48)
			}
			ok := true
			for j := 0; j < 50; j++ {
				if s.Match(SNP, c).Approved() != (i%2 == 0) {
					ok = false
				}
			}
			done <- ok
		}(i)
	}
	for i := 0; i < 4; i++ {
		if !<-done {
			t.Error("concurrent Match gave a wrong verdict")
		}
	}
}
