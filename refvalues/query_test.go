// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"encoding/base64"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/snp"
)

func mustQuery(t *testing.T, q interface{ Query(string) (any, bool) }, id string, want any) {
	t.Helper()
	got, ok := q.Query(id)
	if want == nil {
		if ok {
			t.Errorf("Query(%q) = %#v, want none", id, got)
		}
		return
	}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Query(%q) = %#v, %v; want %#v", id, got, ok, want)
	}
}

func loadExpected(t *testing.T, js string) *Document {
	t.Helper()
	d, err := Load([]byte(js), LoadOptions{AllowUnsigned: true, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestQueryExpectedValues(t *testing.T) {
	doc, err := Load(readTestdata(t, "expected-values.json"), LoadOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	s := Set{doc}
	mrtds := []any{strings.Repeat("a1", 48), strings.Repeat("a2", 48)}
	meas := []any{strings.Repeat("6c", 48)}
	tdx, sev := s.For(TDX), s.For(SNP)
	mustQuery(t, tdx, "mr_td", mrtds)
	mustQuery(t, tdx, "quote.body.mr_td", mrtds)
	mustQuery(t, tdx, "tdx.mr_td", mrtds)
	mustQuery(t, tdx, "rtmr_1", []any{strings.Repeat("b1", 48)})
	mustQuery(t, tdx, "td_attributes.debug", []any{false})
	mustQuery(t, tdx, "rtmr_2", nil) // a claim the values do not name
	mustQuery(t, tdx, "measurement", nil)
	mustQuery(t, tdx, "no_such_id", nil)
	mustQuery(t, sev, "measurement", meas)
	mustQuery(t, sev, "snp_launch_measurement", meas)
	mustQuery(t, sev, "guest_svn", []any{int64(1), int64(2)})
	mustQuery(t, sev, "policy_debug_allowed", []any{false})
	mustQuery(t, sev, "mr_td", nil)
	mustQuery(t, s.For(AzSNPvTPM), "measurement", []any{base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x6c}, 48))})
	mustQuery(t, s.For(AzTDXvTPM), "mr_td", mrtds)
	mustQuery(t, s.For("sample"), "launch_digest", nil)

	if got, ok := s.Query(TDX, "mr_td"); !ok || !reflect.DeepEqual(got, mrtds) {
		t.Errorf("Set.Query = %v, %v", got, ok)
	}
	if got, ok := (Set{}).Query(TDX, "mr_td"); ok {
		t.Errorf("empty Set: %v", got)
	}
}

func TestQueryScalarIDs(t *testing.T) {
	kernel := strings.Repeat("4b", 48)
	s := Set{loadExpected(t, `{
		"snp.platform_smt_enabled": true,
		"platform_tsme_enabled": false,
		"policy_abi_major": 0,
		"policy_abi_minor": [31, 32],
		"policy_single_socket": false,
		"eventlog.kernel": "`+strings.ToUpper(kernel)+`"
	}`)}
	sev := s.For(SNP)
	mustQuery(t, sev, "snp_smt_enabled", true)
	mustQuery(t, sev, "snp_tsme_enabled", false)
	mustQuery(t, sev, "snp_guest_abi_major", int64(0))
	mustQuery(t, sev, "snp_guest_abi_minor", []any{int64(31), int64(32)}) // two values: a list, equal to no claim
	mustQuery(t, sev, "snp_single_socket", false)
	mustQuery(t, sev, "snp_smt_allowed", nil)
	// The same claims asked for by their own names: lists.
	mustQuery(t, sev, "platform_smt_enabled", []any{true})
	mustQuery(t, sev, "policy_abi_major", []any{int64(0)})
	// Azure's ids are tested with "in": lists.
	az := s.For(AzSNPvTPM)
	mustQuery(t, az, "smt_enabled", []any{"true"})
	mustQuery(t, az, "tsme_enabled", []any{"false"})
	mustQuery(t, az, "abi_major", []any{"0"})
	mustQuery(t, az, "snp_smt_enabled", nil) // not an Azure id
	mustQuery(t, s.For(TDX), "tdvfkernel", kernel)
	mustQuery(t, s.For(TDX), "tdvfkernelparams", nil)
}

func templateDoc(t *testing.T, edit func(*Template)) *Document {
	t.Helper()
	tm, err := ParseTemplate(readTestdata(t, "template-snp.json"))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(tm)
	}
	raw, err := Build(tm)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(raw, LoadOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func rangeOf(lo, hi int64) []any {
	var out []any
	for x := lo; x <= hi; x++ {
		out = append(out, x)
	}
	return out
}

func TestQueryCoRIM(t *testing.T) {
	doc := templateDoc(t, nil)
	s := Set{doc}
	v := s.For(SNP)
	mustQuery(t, v, "snp_launch_measurement", []any{strings.Repeat("6c", 48), strings.Repeat("6d", 48)})
	// REPORTED_TCB minimum {bootloader 3, tee 0, snp 8, microcode 115}: every
	// value it allows, in the legacy layout.
	mustQuery(t, v, "snp_bootloader", rangeOf(3, 255))
	mustQuery(t, v, "snp_tee_svn", rangeOf(0, 255))
	mustQuery(t, v, "snp_snp_svn", rangeOf(8, 255))
	mustQuery(t, v, "snp_microcode", rangeOf(115, 255))
	mustQuery(t, v, "reported_tcb_fmc", nil) // no FMC in the legacy layout
	mustQuery(t, v, "policy", []any{int64(0x30000)})
	mustQuery(t, v, "vmpl", []any{int64(0)})
	mustQuery(t, v, "host_data", []any{strings.Repeat("00", 32)})
	// guest_svn ≥ 1 has no finite list: nothing passes through Query.
	mustQuery(t, v, "guest_svn", []any{})

	var text []any
	for _, x := range rangeOf(3, 255) {
		text = append(text, strconv.FormatInt(x.(int64), 10))
	}
	mustQuery(t, s.For(AzSNPvTPM), "tcb_bootloader", text)

	// Turin's layout reads the same TCB_VERSION differently.
	var tcb uint64
	for _, c := range doc.References[0].Checks {
		if c.kind == ckTCB {
			tcb = c.tcb
		}
	}
	turin := snp.TCBVersion(tcb).Parts(snp.Turin)
	mustQuery(t, v.WithProduct("Turin"), "snp_bootloader", rangeOf(int64(turin.BootLoader), 255))
	mustQuery(t, v.WithProduct("Turin"), "reported_tcb_fmc", rangeOf(int64(turin.FMC), 255))

	// An exact TCB and a masked POLICY.
	exact := templateDoc(t, func(tm *Template) {
		tm.References[0].Values["reported_tcb"] = map[string]any{"bootloader": 4, "tee": 0, "snp": 22, "microcode": 213}
		tm.References[0].Values["policy"] = map[string]any{"value": "0x30000", "mask": "0xff0000"}
	})
	e := Set{exact}.For(SNP)
	mustQuery(t, e, "snp_bootloader", []any{int64(4)})
	mustQuery(t, e, "snp_microcode", []any{int64(213)})
	mustQuery(t, e, "policy", []any{})
}

func TestQueryCombines(t *testing.T) {
	a, b := strings.Repeat("6c", 48), strings.Repeat("6d", 48)
	other := strings.Repeat("6e", 48)
	corim := templateDoc(t, nil) // measurement a or b
	onlyOther := templateDoc(t, func(tm *Template) { tm.References[0].Values["measurement"] = other })
	noMeasurement := templateDoc(t, func(tm *Template) { delete(tm.References[0].Values, "measurement") })
	expA := loadExpected(t, `{"measurement": ["`+a+`", "`+other+`"]}`)

	// Alternatives of one component: the union.
	mustQuery(t, Set{corim, onlyOther}.For(SNP), "measurement", []any{a, b, other})
	// A reference that leaves the claim free frees it.
	mustQuery(t, Set{corim, noMeasurement}.For(SNP), "measurement", nil)
	// Components must all hold: the intersection.
	mustQuery(t, Set{corim, expA}.For(SNP), "measurement", []any{a})
	mustQuery(t, Set{onlyOther, loadExpected(t, `{"measurement": "`+b+`"}`)}.For(SNP), "measurement", []any{})
	// Expected values of several documents are one component: the union.
	expB := loadExpected(t, `{"measurement": "`+b+`"}`)
	mustQuery(t, Set{expA, expB}.For(SNP), "measurement", []any{a, other, b})
}

func TestParseRVPS(t *testing.T) {
	payload := `{"launch_digest": ["abcde"], "major_version": 1, "snp_pcr11": ["` + strings.Repeat("11", 48) + `"], "ratio": 1.5}`
	msg := `{"version": "0.1.0", "type": "sample", "payload": "` + base64.StdEncoding.EncodeToString([]byte(payload)) + `"}`
	for name, in := range map[string]string{"message": msg, "plain": payload} {
		r, err := ParseRVPS([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := RVPS{"launch_digest": []any{"abcde"}, "major_version": int64(1),
			"snp_pcr11": []any{strings.Repeat("11", 48)}, "ratio": 1.5}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("%s: %#v", name, r)
		}
	}
	noVersion := `{"type": "sample", "payload": "` + base64.StdEncoding.EncodeToString([]byte(`{"a": [1]}`)) + `"}`
	if r, err := ParseRVPS([]byte(noVersion)); err != nil || !reflect.DeepEqual(r, RVPS{"a": []any{int64(1)}}) {
		t.Errorf("message without version: %v, %v", r, err)
	}
	for name, in := range map[string]string{
		"version":     `{"version": "0.2.0", "type": "sample", "payload": "e30="}`,
		"corim":       `{"version": "0.1.0", "type": "corim", "payload": "e30="}`,
		"base64":      `{"type": "sample", "payload": "!!"}`,
		"payload":     `{"type": "sample", "payload": "` + base64.StdEncoding.EncodeToString([]byte(`[1]`)) + `"}`,
		"not JSON":    `{"a": `,
		"array":       `[1, 2]`,
		"null":        `null`,
		"trailing":    `{"a": 1} {"b": 2}`,
		"not object":  `"x"`,
		"empty input": ``,
	} {
		if _, err := ParseRVPS([]byte(in)); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: %v, want ErrUnknownFormat", name, err)
		}
	}
	if _, err := ParseRVPS(make([]byte, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}

func TestValuesWithRaw(t *testing.T) {
	s := Set{loadExpected(t, `{"measurement": "`+strings.Repeat("6c", 48)+`"}`)}
	raw := RVPS{"snp_pcr11": []any{"aa"}, "measurement": []any{"raw"}}
	v := s.For(AzSNPvTPM).With(raw)
	mustQuery(t, v, "snp_pcr11", []any{"aa"})
	mustQuery(t, v, "measurement", []any{"raw"}) // raw ids come first
	mustQuery(t, v, "abi_major", nil)
	mustQuery(t, s.For(AzSNPvTPM), "measurement", []any{base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x6c}, 48))})
	mustQuery(t, Set(nil).For("sample").With(RVPS{"svn": []any{"1"}}), "svn", []any{"1"})
}
