// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// agreeCase is evidence that verify proves genuine (affirming or warning),
// with what it takes.
type agreeCase struct {
	name, file, at string
	tee            string // the submodule
	collateral     []string
	flags          []string
	min            int // shared fields, at least
}

// flattenJSON lists a decoded JSON object's values by dotted name.
func flattenJSON(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flattenJSON(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}

// TestInspectAgreesWithVerify: ccverify inspect --json and verify --output
// json say the same of real quotes and reports, field by field: every claim
// inspect prints is one verify prints, with the same value and JSON type,
// and inspect's extras stay under "inspect", a name no claim has; the PCK
// fields inspect.sgx.* are verify's PCK claims, parsed, not proven. The one
// exception is a v2 SEV-SNP report's product, which only the VCEK that
// verify proves says (inspect prints Unknown, CLAIMS.md).
func TestInspectAgreesWithVerify(t *testing.T) {
	dir := t.TempDir()
	ex := func(name string) string { return filepath.Join("..", "..", "examples", "appraise", "data", name) }
	b64 := write(t, dir, "quote.b64", []byte(base64.StdEncoding.EncodeToString(gtdata.RawQuoteV5)))
	cases := []agreeCase{
		{name: "go-tdx-guest v5 (TD 1.5), chain only", file: write(t, dir, "q5", gtdata.RawQuoteV5), at: at, tee: "tdx", min: 40},
		{name: "go-tdx-guest v4, one trailing byte", file: write(t, dir, "q4", gtdata.RawQuote), at: at, tee: "tdx", min: 40},
		{name: "base64 text of the v5 quote", file: b64, at: at, tee: "tdx", min: 40},
		{name: "dcap-qvl v4 with its collateral", file: ex("tdx-quote.bin"), at: "2025-07-01T00:00:00Z", tee: "tdx",
			collateral: []string{ex("tdx-collateral.json")}, min: 40},
		{name: "go-sev-guest Milan v2, debug", file: write(t, dir, "report", gsgdata.AttestationBytes), at: "2025-06-01T00:00:00Z", tee: "snp",
			collateral: []string{write(t, dir, "vcek.der", gsgdata.VcekBytes)}, flags: []string{"--allow-debug"}, min: 55},
		{name: "virtee Milan v2 with chain and CRL", file: ex("snp-report.bin"), at: "2025-06-01T00:00:00Z", tee: "snp",
			collateral: []string{ex("snp-vcek.der"), ex("snp-ask-ark.pem"), ex("snp-ark-vcek-crl.der")}, min: 55},
	}
	if vectors.Dir() != "" { // real v3 and v5 reports (Milan, Genoa, Turin), Trustee's quotes
		for _, prefix := range []string{"snp-oak-turin-v5-crl", "snp-oak-genoa-v5", "snp-oak-milan-oc-release-v3", "tdx-phala-v4", "tdx-trustee"} {
			for _, c := range vectors.Cases(t, prefix) {
				if !c.Expect.Verifies || c.Container != "" {
					continue
				}
				tee, min := "snp", 55
				if strings.HasPrefix(c.ID, "tdx") {
					tee, min = "tdx", 40
				}
				var flags []string
				if c.Expect.Debug {
					flags = []string{"--allow-debug"}
				}
				cases = append(cases, agreeCase{name: c.ID, file: write(t, dir, c.ID, c.EvidenceBytes(t)), at: c.At.Format(time.RFC3339),
					tee: tee, collateral: c.CollateralPaths(t), flags: flags, min: min})
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI("inspect", "--json", c.file)
			var in map[string]any
			if code != exitAffirming || json.Unmarshal([]byte(out), &in) != nil {
				t.Fatalf("inspect: exit %d %s%s", code, out, errs)
			}
			args := []string{"verify", "--offline", "--at", c.at, "--output", "json"}
			for _, p := range c.collateral {
				args = append(args, "--collateral", p)
			}
			code, out, errs = runCLI(append(append(args, c.flags...), c.file)...)
			var ear struct {
				Submods map[string]struct {
					Claims map[string]any `json:"ear.veraison.annotated-evidence"`
				} `json:"submods"`
			}
			if code != exitAffirming && code != exitWarning || json.Unmarshal([]byte(out), &ear) != nil {
				t.Fatalf("verify: exit %d %s%s", code, out, errs)
			}
			sub, ok := ear.Submods[c.tee]
			if !ok {
				t.Fatalf("verify: no %s submodule: %s", c.tee, out)
			}
			if _, ok := sub.Claims["inspect"]; ok {
				t.Errorf("verify emits a claim named inspect, the key of inspect's extras")
			}
			extras, _ := in["inspect"].(map[string]any)
			if extras["format"] != c.tee {
				t.Errorf("inspect.format %v, want %s", extras["format"], c.tee)
			}
			delete(in, "inspect")
			got, want := map[string]any{}, map[string]any{}
			flattenJSON("", in, got)
			flattenJSON("", sub.Claims, want)
			shared := 0
			for k, g := range got {
				w, ok := want[k]
				switch {
				case !ok:
					t.Errorf("inspect prints %s = %v, which verify does not", k, g)
				case k == "product" && g == "Unknown" && in["version"] == 2.0:
					// A v2 report names no product: verify has it from the VCEK.
				case !reflect.DeepEqual(g, w):
					t.Errorf("%s: inspect %#v, verify %#v", k, g, w)
				default:
					shared++
				}
			}
			// The PCK's fields, parsed by inspect, are named and encoded
			// as verify's claims of the PCK it verified.
			if c.tee == "tdx" {
				sgx, _ := extras["sgx"].(map[string]any)
				if len(sgx) < 8 {
					t.Errorf("inspect.sgx: %v", sgx)
				}
				for k, g := range sgx {
					if w, ok := want[k]; !ok || !reflect.DeepEqual(g, w) {
						t.Errorf("inspect.sgx.%s %#v, verify's %s %#v", k, g, k, w)
					}
				}
			}
			if shared < c.min {
				t.Errorf("%d fields shared, want at least %d", shared, c.min)
			}
			t.Logf("%d fields shared, %d of verify's claims are verify's only", shared, len(want)-len(got))
		})
	}
}

// TestInspectExtras: inspect's extras for a TDX quote and an SEV-SNP
// report, in the text and the JSON output, under "inspect".
func TestInspectExtras(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q5", gtdata.RawQuoteV5)
	code, out, errs := runCLI("inspect", q)
	if code != exitAffirming {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"quote.body.mr_servicetd ", "qe_isvsvn ", "inspect.format ", "inspect.body_type  ", "TD Report 1.5",
		"inspect.sgx.fmspc ", "90c06f000000", "inspect.pck_chain.pck.serial ", "inspect.padding_bytes "} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q", want)
		}
	}
	code, out, _ = runCLI("inspect", "--json", q)
	var m struct {
		Inspect struct {
			Format string
			SGX    map[string]any `json:"sgx"`
		}
		Quote struct{ Body map[string]any }
	}
	if code != exitAffirming || json.Unmarshal([]byte(out), &m) != nil {
		t.Fatalf("inspect --json: exit %d, %q", code, out)
	}
	if m.Inspect.Format != "tdx" || m.Inspect.SGX["fmspc"] != "90c06f000000" || m.Inspect.SGX["sgx_tcb_components"] == nil || m.Quote.Body["mr_td"] == nil {
		t.Errorf("inspect --json: %s", out)
	}

	rep := write(t, dir, "report", gsgdata.AttestationBytes)
	code, out, errs = runCLI("inspect", rep)
	if code != exitAffirming {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"policy_debug_allowed ", "measurement ", "inspect.format ", "snp", "inspect.signature.r ", "inspect.report_bytes "} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q", want)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if name := strings.Fields(line)[0]; strings.HasPrefix(name, "report.") {
			t.Errorf("%s: claims are named as verify names them", name)
		}
	}
}

// TestInspectExtrasDocumented: every extra inspect --json prints (a quote,
// a report with a certificate table, a container) is named in CLAIMS.md's
// "ccverify inspect" table, numbered ones as NN.
func TestInspectExtrasDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../CLAIMS.md")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile("`(inspect\\.[A-Za-z0-9_.*]+)`").FindAllSubmatch(doc, -1) {
		names[string(m[1])] = true
	}
	dir := t.TempDir()
	files := []string{
		write(t, dir, "q5", gtdata.RawQuoteV5),
		write(t, dir, "q.b64", []byte(base64.StdEncoding.EncodeToString(gtdata.RawQuote))),
		filepath.Join("..", "..", "testvectors", "data", "snp", "snp-genoa-extended-report.report"),
	}
	seen := map[string]bool{}
	for _, f := range files {
		code, out, errs := runCLI("inspect", "--json", f)
		var m map[string]any
		if code != exitAffirming || json.Unmarshal([]byte(out), &m) != nil {
			t.Fatalf("%s: exit %d %s%s", f, code, out, errs)
		}
		extras := map[string]any{}
		flattenJSON("inspect.", m["inspect"].(map[string]any), extras)
		for k := range extras {
			k = regexp.MustCompile(`\.[0-9]+$`).ReplaceAllString(k, ".NN")
			seen[k] = true
			if !names[k] && !names[k[:strings.LastIndex(k, ".")+1]+"*"] {
				t.Errorf("%s: %s is not in CLAIMS.md's ccverify inspect table", filepath.Base(f), k)
			}
		}
	}
	for _, want := range []string{"inspect.cert_table.NN", "inspect.container.pieces.NN", "inspect.sgx.fmspc", "inspect.format"} {
		if !seen[want] {
			t.Errorf("no %s printed", want)
		}
	}
}
