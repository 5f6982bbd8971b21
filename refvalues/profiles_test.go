// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"strings"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	vcorim "github.com/veraison/corim/corim"
	"github.com/veraison/eat"
)

// veraisonSNPClaims are the claims of the report Veraison's
// corim-sevsnp-valid.cbor was made from, as snp.Claims would name them.
func veraisonSNPClaims() map[string]any {
	return map[string]any{
		"version": 2, "guest_svn": 0, "vmpl": 0, "product": "Genoa", "signing_key": "VCEK",
		"measurement":  "7699e6ac12ccdfd1dfac70e649ce1f046cb2afbb003438f4cdddfe2ccbe182fa5ffbe8dcdb930454324e10c52c788980",
		"report_data":  "3319e2555e4bb7ad6c889e9d643d2250dfa4b4a50b441e47583b5a901bbc4fbe4fe747060f0132ca899faf80583733e49d5e751f00d5117711bc7150c1eb03c6",
		"family_id":    strings.Repeat("00", 16),
		"image_id":     strings.Repeat("00", 16),
		"report_id":    "f9d565204338222f54691d57a45f741b5767b7d2a92881c439f7ee9899a4b43b",
		"report_id_ma": strings.Repeat("ff", 32),
		"chip_id":      "c2a6528b7364e07e9f5c653ab3aa0dbd7384f9a80dfde54cc643ddbb89d8936425ff8a32568ca6ed771020dc39c33ccffb3b43cac0c501a0093cad6012dfd3ed",
		// Veraison's go-gen-ref writes POLICY and PLATFORM_INFO as big-endian
		// integers (0000000000030000 for 0x30000); the draft, and this package,
		// read the report's little-endian bytes. These are the values that
		// reading gives; TestVeraisonSNPCorim shows the real ones mismatch.
		"policy":                 uint64(0x0000030000000000),
		"platform_info":          uint64(1 << 56),
		"current_tcb_bootloader": 3, "current_tcb_tee": 0, "current_tcb_snp": 14, "current_tcb_microcode": 211,
		"reported_tcb_bootloader": 10, "reported_tcb_tee": 0, "reported_tcb_snp": 23, "reported_tcb_microcode": 84,
		"committed_tcb_bootloader": 10, "committed_tcb_tee": 0, "committed_tcb_snp": 23, "committed_tcb_microcode": 84,
		"launch_tcb_bootloader": 10, "launch_tcb_tee": 0, "launch_tcb_snp": 23, "launch_tcb_microcode": 84,
		"current_fw_major": 1, "current_fw_minor": 55, "current_fw_build": 8,
		"committed_fw_major": 1, "committed_fw_minor": 55, "committed_fw_build": 8,
		"policy_debug_allowed": false,
	}
}

// TestVeraisonSNPCorim matches Veraison's SEV-SNP reference CoRIM (the
// 2024 profile string, instance = MEASUREMENT, VMPL as 4 raw bytes) and shows
// that, unlike Veraison, every field it states is compared.
func TestVeraisonSNPCorim(t *testing.T) {
	raw := vectors.Read(t, "corim/veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-valid.cbor")
	doc, err := Load(raw, LoadOptions{Name: "corim-sevsnp-valid.cbor", AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	claims := veraisonSNPClaims()
	if r := (Set{doc}).Match(SNP, claims); !r.ExecutablesApproved() {
		t.Fatalf("the report it was made from:\n%s", r)
	}
	real := clone(claims)
	real["policy"], real["platform_info"] = uint64(0x30000), uint64(1)
	r := Set{doc}.Match(SNP, real)
	if ms := r.Mismatches(); len(ms) != 2 || ms[0].Claim != "policy" || ms[1].Claim != "platform_info" {
		t.Errorf("POLICY 0x30000 and PLATFORM_INFO 1 against Veraison's big-endian bytes: %v", ms)
	}
	for _, tc := range []struct {
		claim string
		value any
		class Class
	}{
		{"report_data", strings.Repeat("00", 64), Instance},           // Veraison skips it
		{"policy", uint64(0x0000030000000000 | 1<<19), Configuration}, // Veraison skips POLICY
		{"measurement", strings.Repeat("11", 48), Executables},        // also the environment instance
		{"vmpl", 1, Configuration},                                    // raw-value 4 bytes LE
		{"reported_tcb_snp", 22, Hardware},                            // exact TCB
		{"current_fw_build", 9, Hardware},                             // CurrentVersion semver
		{"signing_key", "VLEK", Hardware},                             // class-id: by chip
	} {
		c := clone(claims)
		c[tc.claim] = tc.value
		r := Set{doc}.Match(SNP, c)
		if r.Status != Unrecognized {
			t.Errorf("%s changed: %s", tc.claim, r.Status)
			continue
		}
		found := false
		for _, f := range r.Mismatches() {
			if f.Class != tc.class {
				t.Errorf("%s changed: finding %s of class %s, want %s", tc.claim, f.Claim, f.Class, tc.class)
			}
			found = found || strings.HasPrefix(tc.claim, strings.TrimSuffix(f.Claim, "*"))
		}
		if tc.claim == "signing_key" {
			found = true // named by the environment's class-id check
		}
		if !found {
			t.Errorf("%s changed: not named in %v", tc.claim, r.Mismatches())
		}
	}
}

// TestIntelProfileComponents matches the Intel profile CoMIDs of corim's
// profiles/tdx testcases (QE and PCE reference values with tee.* keys and
// numeric and set expressions) against claims that carry their values.
func TestIntelProfileComponents(t *testing.T) {
	qe := vectors.Read(t, "corim/veraison-corim@53b3014/profiles/tdx/testcases/comid_qe_refval.cbor")
	pce := vectors.Read(t, "corim/veraison-corim@53b3014/profiles/tdx/testcases/comid_pce_refval.cbor")
	var s Set
	for _, b := range [][]byte{qe, pce} {
		d, err := Load(b, LoadOptions{AllowUnsigned: true})
		if err != nil {
			t.Fatal(err)
		}
		s = append(s, d)
	}
	claims := map[string]any{
		"qe_miscselect":        "a0b0c0d000000000", // the sample's 8 bytes (MISCSELECT is 4)
		"qe_isvprodid":         1,
		"qe_mrsigner":          "a314fc2dc663ae7a6b6bc6787594057396e6b3f569cd50fd5ddb4d1bbafd2b6a",
		"tcb_eval_num":         12,
		"advisory_ids":         []string{"INTEL-SA-00079"},
		"qe_tcb_status":        "UpToDate",
		"platform_instance_id": "00112233445566778899aabbccddeeff",
		"sgx_tcb_components":   "0b0a0302020104000000000000000000",
		"pce_id":               "0000",
	}
	r := s.Match(TDX, claims)
	if !r.Approved() || r.ExecutablesApproved() {
		t.Fatalf("QE and PCE reference values (platform components only, no executables):\n%s", r)
	}
	if len(r.Components) != 2 || r.Components[0].Name != componentQE || r.Components[1].Name != componentPCE {
		t.Errorf("components %+v", r.Components)
	}
	for claim, v := range map[string]any{
		"tcb_eval_num":       10,                                           // 60010 [ge, 11]
		"advisory_ids":       []string{"INTEL-SA-00078", "INTEL-SA-99999"}, // 60021 [member, set]
		"qe_tcb_status":      "OutOfDate",                                  // 60021 [member, ["UpToDate"]]
		"sgx_tcb_components": "0a0a0302020104000000000000000000",           // -125 byte 0 ≥ 10... holds; byte 1 < 10
		"qe_mrsigner":        strings.Repeat("00", 32),                     // 60020 [member, digests]
	} {
		c := clone(claims)
		c[claim] = v
		if claim == "sgx_tcb_components" {
			c[claim] = "0b090302020104000000000000000000"
		}
		if r := s.Match(TDX, c); r.Approved() {
			t.Errorf("%s = %v approved:\n%s", claim, c[claim], r)
		}
	}
}

// TestBuiltCorimsDecodeWithCorim: every CoRIM Build writes in the untagged
// wire decodes and validates with github.com/veraison/corim, alike.
func TestBuiltCorimsDecodeWithCorim(t *testing.T) {
	var intel *eat.Profile
	for _, name := range []string{"template-tdx.json", "template-snp.json"} {
		tm, err := ParseTemplate(readTestdata(t, name))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Build(tm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vcorim.UnmarshalAndValidateUnsignedCorimFromCBOR(raw); err != nil {
			t.Errorf("%s: corim: %v", name, err)
		}
		theirs, ok := oracleRender(raw, intel)
		ours, err := ourRender(raw)
		if !ok || err != nil || theirs != ours {
			t.Errorf("%s: decodings differ (%v)\nours:  %s\ncorim: %s", name, err, ours, theirs)
		}
	}
	for _, tee := range []string{TDX, SNP} {
		claims := tdxClaims(t)
		if tee == SNP {
			claims = snpClaims(t)
		}
		tm, err := TemplateFromClaims(tee, claims)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Build(tm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vcorim.UnmarshalAndValidateUnsignedCorimFromCBOR(raw); err != nil {
			t.Errorf("%s from claims: corim: %v", tee, err)
		}
	}
}

func TestEmptyReferenceNeverApproves(t *testing.T) {
	// An Intel-profile TD triple whose only value is tee.vendor: nothing to compare.
	tm := map[any]any{uint64(1): map[any]any{uint64(0): "t"}, uint64(4): map[any]any{uint64(0): []any{[]any{
		map[any]any{uint64(0): map[any]any{uint64(1): TDGuestVendor, uint64(2): TDGuestModel}},
		[]any{map[any]any{uint64(1): map[any]any{int64(-70): TDGuestVendor}}},
	}}}}
	b, err := encMode.Marshal(tm)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(b, LoadOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := (Set{doc}).Match(TDX, tdxClaims(t)); r.Approved() {
		t.Errorf("a reference with no checks approved:\n%s", r)
	}
}
