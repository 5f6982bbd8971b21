// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	certsazure "github.com/ccverify/ccverify/certs/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	"github.com/fxamacker/cbor/v2"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// azureFiles are Trustee's az-snp-vtpm evidence files, passed whole: the
// container cases of cases.json and the Genoa one.
func azureCases(t *testing.T) []vectors.Case {
	var out []vectors.Case
	for _, c := range vectors.Cases(t, "snp-trustee-azure-evidence-") {
		if c.Container != "" || strings.HasSuffix(c.Evidence, ".json") {
			out = append(out, c)
		}
	}
	if len(out) < 4 {
		t.Fatalf("%d Azure evidence cases", len(out))
	}
	return out
}

// TestAzureContainerCases: Trustee's az-snp-vtpm evidence JSON, passed
// whole, verifies: the vTPM binding, the SNP report with the VCEK the JSON
// carries, the SNP claims and the PCRs.
func TestAzureContainerCases(t *testing.T) {
	for _, c := range azureCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			raw := vectors.Read(t, c.Evidence)
			r, err := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: c.At,
				Collateral: c.CollateralPaths(t), RefValues: verify.RefValueOptions{HardwareOnly: true}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != verify.FormatAzSNPvTPM || r.Claims["measurement"] != c.Fact("measurement") {
				t.Errorf("format %s, measurement %v", r.Format, r.Claims["measurement"])
			}
			tpm, _ := r.Claims["tpm"].(map[string]any)
			if len(tpm) != 24 || tpm["pcr00"] == nil {
				t.Errorf("tpm claims %v", tpm)
			}
			if c.Expect.Status != "" && r.Status.String() != c.Expect.Status {
				t.Errorf("status %s, want %s", r.Status, c.Expect.Status)
			}
			all := strings.Join(r.Reasons, "\n")
			for _, want := range []string{"evidence unwrapped from trustee-az-snp-vtpm", "vTPM: the quote is signed", "report signature chain verifies to the pinned AMD"} {
				if !strings.Contains(all, want) {
					t.Errorf("reasons lack %q: %s", want, all)
				}
			}
		})
	}
}

// TestAzureTampered: a changed byte in the TPM quote, a changed PCR, a wrong
// nonce: each rejected with its own error; the quote's own extraData as the
// expected nonce verifies.
func TestAzureTampered(t *testing.T) {
	c := azureCases(t)[0]
	raw := vectors.Read(t, c.Evidence)
	opts := verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t), RefValues: verify.RefValueOptions{HardwareOnly: true}}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := hex.DecodeString(r.Claims["report_data"].(string))
	if err != nil || len(extra) == 0 {
		t.Fatalf("report_data claim %v", r.Claims["report_data"])
	}
	nonce := opts
	nonce.Binding = verify.Binding{ReportData: extra}
	if r, err := verify.Evidence(context.Background(), raw, nonce); err != nil || !strings.Contains(strings.Join(r.Reasons, "\n"), "extraData is the expected nonce") {
		t.Errorf("right nonce: %v", err)
	}
	nonce.Binding = verify.Binding{ReportData: append(bytes.Clone(extra[:len(extra)-1]), extra[len(extra)-1]^1)}
	if _, err := verify.Evidence(context.Background(), raw, nonce); !errors.Is(err, verify.ErrFreshness) || !errors.Is(err, certsazure.ErrNonce) {
		t.Errorf("wrong nonce: %v, want ErrFreshness and azure.ErrNonce", err)
	}

	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	q, ok := doc["tpm_quote"].(map[string]any)
	if !ok {
		q = doc["quote"].(map[string]any)
	}
	pcrs := q["pcrs"].([]any)
	switch p := pcrs[3].(type) {
	case string:
		pcrs[3] = strings.Repeat("0", len(p)-1) + "1"
	case []any:
		p[0] = float64(int(p[0].(float64)) ^ 1)
	}
	changed, _ := json.Marshal(doc)
	if _, err := verify.Evidence(context.Background(), changed, opts); !errors.Is(err, verify.ErrGenuine) || !errors.Is(err, certsazure.ErrPCRDigest) {
		t.Errorf("changed PCR: %v, want ErrGenuine and azure.ErrPCRDigest", err)
	}
}

// tsmForms are the configfs-tsm forms of one report: the directory, ratsd's
// JSON and CBOR, and a CMW record around the CBOR.
func tsmForms(t *testing.T, provider string, outblob, auxblob []byte) (dir string, forms map[string][]byte) {
	t.Helper()
	dir = t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("outblob", outblob)
	write("provider", []byte(provider+"\n"))
	write("generation", []byte("1\n"))
	m := map[string]any{"outblob": base64.RawURLEncoding.EncodeToString(outblob), "provider": provider}
	if auxblob != nil {
		write("auxblob", auxblob)
		m["auxblob"] = base64.RawURLEncoding.EncodeToString(auxblob)
	}
	js, _ := json.Marshal(m)
	cb, err := cbor.Marshal(struct {
		AuxBlob  []byte `cbor:"auxblob,omitempty"`
		OutBlob  []byte `cbor:"outblob"`
		Provider string `cbor:"provider"`
	}{auxblob, outblob, provider})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal([]string{"application/vnd.veraison.tsm-report+cbor", base64.RawURLEncoding.EncodeToString(cb)})
	return dir, map[string][]byte{"json": js, "cbor": cb, "cmw": rec}
}

// TestConfigfsTSM: configfs-tsm bundles (directory, JSON, CBOR, CMW) of an
// SNP report with its certificate table and of a TDX quote verify exactly as
// the bare evidence does; a CMW of an unknown type is a named error.
func TestConfigfsTSM(t *testing.T) {
	snpAt := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	table := testvectors.CertTable([2][]byte{testvectors.GUIDVCEK, gsgdata.VcekBytes})
	report := gsgdata.AttestationBytes[:1184]
	for _, tc := range []struct {
		name, provider string
		outblob, aux   []byte
		bare           []byte
		opts           verify.Options
	}{
		{"snp", "sev_guest", report, table, append(bytes.Clone(report), table...), verify.Options{Offline: true, Time: snpAt, AllowDebug: true}},
		{"tdx", "tdx_guest", gtdata.RawQuoteV5, nil, gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at2026}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verify.New(tc.opts)
			want, err := v.Evidence(context.Background(), tc.bare)
			if err != nil {
				t.Fatal(err)
			}
			dir, forms := tsmForms(t, tc.provider, tc.outblob, tc.aux)
			got := map[string]*verify.Result{}
			got["dir"], err = v.EvidenceDir(context.Background(), dir)
			if err != nil {
				t.Fatalf("dir: %v", err)
			}
			for name, b := range forms {
				if got[name], err = v.Evidence(context.Background(), b); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			for name, r := range got {
				if r.Status != want.Status || r.Vector != want.Vector || r.Format != want.Format || r.Claims["measurement"] != want.Claims["measurement"] ||
					r.Claims["report_data"] != want.Claims["report_data"] || r.Claims["crl_checked"] != want.Claims["crl_checked"] {
					t.Errorf("%s: %v %v %v, bare %v %v %v", name, r.Format, r.Status, r.Vector, want.Format, want.Status, want.Vector)
				}
				if !strings.Contains(strings.Join(r.Reasons, "\n"), "evidence unwrapped from") {
					t.Errorf("%s: reasons do not say where the evidence came from: %q", name, r.Reasons)
				}
			}
			if tc.aux != nil && !strings.Contains(strings.Join(got["dir"].Reasons, "\n"), "auxblob supplied collateral") {
				t.Errorf("the auxblob's VCEK is not named: %q", got["dir"].Reasons)
			}
		})
	}
	// Every real SNP report of cases.json, as configfs-tsm hands it out,
	// verifies exactly as the bare report does.
	n := 0
	for _, c := range vectors.Cases(t, "snp-") {
		if c.Container != "" || !c.Expect.Verifies {
			continue
		}
		raw := c.EvidenceBytes(t)
		if len(raw) < 1184 {
			continue
		}
		raw = raw[:1184]
		v := verify.New(verify.Options{Offline: true, Time: c.At, AllowDebug: true, Collateral: append(c.CollateralPaths(t), embeddedCollateral(t, c)...)})
		want, err := v.Evidence(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		dir, forms := tsmForms(t, "sev_guest", raw, nil)
		forms["dir"] = nil
		for name, b := range forms {
			var r *verify.Result
			if name == "dir" {
				r, err = v.EvidenceDir(context.Background(), dir)
			} else {
				r, err = v.Evidence(context.Background(), b)
			}
			if err != nil || r.Status != want.Status || r.Vector != want.Vector || r.Claims["measurement"] != want.Claims["measurement"] {
				t.Errorf("%s as configfs-tsm %s: %v %v %v, bare %v %v", c.ID, name, r.Status, r.Vector, err, want.Status, want.Vector)
			}
		}
		n++
	}
	t.Logf("%d shared SNP reports as configfs-tsm bundles", n)
	unknown, _ := json.Marshal([]string{"application/vnd.example.unknown", base64.RawURLEncoding.EncodeToString([]byte("x"))})
	if _, err := verify.Evidence(context.Background(), unknown, verify.Options{Offline: true}); !errors.Is(err, verify.ErrEvidence) || !errors.Is(err, container.ErrUnknownMediaType) {
		t.Errorf("unknown CMW type: %v, want ErrEvidence and container.ErrUnknownMediaType", err)
	}
	if r, err := verify.New(verify.Options{Offline: true}).EvidenceDir(context.Background(), t.TempDir()); !errors.Is(err, verify.ErrEvidence) || !strings.Contains(err.Error(), "no outblob") || r.Status != ear.TrustTierContraindicated {
		t.Errorf("empty directory: %v, want ErrEvidence naming the missing outblob", err)
	}
}
