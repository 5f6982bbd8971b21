// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"errors"
	"strings"
	"testing"
)

func TestBuildErrors(t *testing.T) {
	h48 := strings.Repeat("ab", 48)
	for _, tc := range []struct {
		name string
		json string
		want error
	}{
		{"tee", `{"tee": "sgx", "references": [{"values": {"mr_td": "` + h48 + `"}}]}`, ErrTEE},
		{"no references", `{"tee": "tdx", "references": []}`, ErrValue},
		{"unknown field", `{"tee": "tdx", "refs": []}`, ErrValue},
		{"unknown claim", `{"tee": "tdx", "references": [{"values": {"mrtd": "` + h48 + `"}}]}`, ErrUnknownClaim},
		{"snp claim in tdx", `{"tee": "tdx", "references": [{"values": {"measurement": "` + h48 + `"}}]}`, ErrUnknownClaim},
		{"short", `{"tee": "tdx", "references": [{"values": {"mr_td": "abcd"}}]}`, ErrValue},
		{"no mkey", `{"tee": "tdx", "references": [{"values": {"qe_isvsvn": 3}}]}`, ErrValue},
		{"mask", `{"tee": "tdx", "references": [{"values": {"xfam": {"value": "00", "mask": "ff"}}}]}`, ErrValue},
		{"tcb svn", `{"tee": "tdx", "references": [{"values": {"tcb_svn": {"max": "00"}}}]}`, ErrValue},
		{"tdx profile", `{"tee": "tdx", "profile": "2.16.840.1.113741.1.16.1", "references": [{"values": {"mr_td": "` + h48 + `"}}]}`, ErrValue},
		{"snp profile", `{"tee": "snp", "profile": "tag:x,2026:y", "references": [{"values": {"guest_svn": 1}}]}`, ErrValue},
		{"tcb product", `{"tee": "snp", "references": [{"values": {"reported_tcb": {"min": {"snp": 8}}}}]}`, ErrValue},
		{"tcb fmc", `{"tee": "snp", "product": "Milan", "references": [{"values": {"reported_tcb": {"fmc": 1}}}]}`, ErrValue},
		{"tcb part name", `{"tee": "snp", "product": "Genoa", "references": [{"values": {"reported_tcb_snp": 8}}]}`, ErrValue},
		{"vmpl", `{"tee": "snp", "references": [{"values": {"vmpl": -1}}]}`, ErrValue},
		{"semver", `{"tee": "snp", "references": [{"values": {"current_fw": "1.55"}}]}`, ErrValue},
		{"signing key", `{"tee": "snp", "signing_key": "ARK", "references": [{"values": {"guest_svn": 1}}]}`, ErrValue},
		{"wire", `{"tee": "snp", "profile_wire": "v3", "references": [{"values": {"guest_svn": 1}}]}`, ErrValue},
		{"veraison instance", `{"tee": "snp", "references": [{"veraison_instance": true, "values": {"guest_svn": 1}}]}`, ErrValue},
	} {
		tm, err := ParseTemplate([]byte(tc.json))
		if err == nil {
			_, err = Build(tm)
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := TemplateFromClaims("se", nil); !errors.Is(err, ErrTEE) {
		t.Errorf("TemplateFromClaims(se): %v", err)
	}
	if _, err := TemplateFromClaims(SNP, map[string]any{}); !errors.Is(err, ErrValue) {
		t.Errorf("TemplateFromClaims without measurement: %v", err)
	}
}

// TestTemplateTurin builds a Turin TCB minimum and matches it in Turin's layout.
func TestTemplateTurin(t *testing.T) {
	tm, err := ParseTemplate([]byte(`{"tee": "snp", "product": "Turin", "references": [{"values": {
		"measurement": "` + strings.Repeat("11", 48) + `",
		"reported_tcb": {"min": {"fmc": 1, "bootloader": 2, "tee": 3, "snp": 4, "microcode": 5}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Build(tm)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(raw, LoadOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"measurement": strings.Repeat("11", 48), "product": "Turin", "signing_key": "VCEK",
		"reported_tcb_fmc": 1, "reported_tcb_bootloader": 2, "reported_tcb_tee": 3, "reported_tcb_snp": 4, "reported_tcb_microcode": 9}
	if r := (Set{doc}).Match(SNP, claims); !r.Approved() {
		t.Fatalf("Turin TCB at the minimum:\n%s", r)
	}
	claims["reported_tcb_fmc"] = 0
	if r := (Set{doc}).Match(SNP, claims); r.Approved() || !strings.Contains(r.Mismatches()[0].Reason, "fmc") {
		t.Errorf("Turin FMC below the minimum:\n%s", r)
	}
	claims["product"] = "Genoa" // the same reference read in the legacy layout sets reserved bits
	claims["reported_tcb_fmc"] = 1
	if r := (Set{doc}).Match(SNP, claims); r.Approved() || !strings.Contains(r.Mismatches()[0].Reason, "reserved") {
		t.Errorf("Turin TCB against a Genoa claim set:\n%s", r)
	}
}
