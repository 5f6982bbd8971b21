// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
)

// sharedCase is the part of a cases.json entry these tests read
// (internal/vectors does not read "container" or "collateral_roles").
type sharedCase struct {
	ID              string            `json:"id"`
	Evidence        string            `json:"evidence"`
	Encoding        string            `json:"evidence_encoding"`
	Container       string            `json:"container"`
	Collateral      []string          `json:"collateral"`
	CollateralRoles map[string]string `json:"collateral_roles"`
	Facts           map[string]any    `json:"facts"`
}

func cases(t testing.TB) []sharedCase {
	t.Helper()
	var cs []sharedCase
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func (c sharedCase) bytes(t testing.TB) []byte {
	t.Helper()
	b, err := vectors.Decode(vectors.Read(t, c.Evidence), c.Encoding)
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return b
}

func unwrapOne(t testing.TB, b []byte) container.Evidence {
	t.Helper()
	es, err := container.Unwrap(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("%d evidences, want 1", len(es))
	}
	return es[0]
}

// TestContainerCases: every container case of cases.json unwraps into
// Trustee's az-snp-vtpm pieces, with the SNP report the case's
// evidence_encoding extracts.
func TestContainerCases(t *testing.T) {
	n := 0
	for _, c := range cases(t) {
		if c.Container == "" {
			continue
		}
		n++
		t.Run(c.ID, func(t *testing.T) {
			if c.Container != "trustee-az-snp-vtpm" {
				t.Fatalf("container %q", c.Container)
			}
			raw := vectors.Read(t, c.Evidence)
			e := unwrapOne(t, raw)
			if e.TEE != container.AzSNPvTPM || e.Form != container.FormTrusteeAzSNP || string(e.Form) != c.Container {
				t.Fatalf("TEE %s form %s", e.TEE, e.Form)
			}
			var version int
			if err := json.Unmarshal(raw, &struct{ Version *int }{&version}); err != nil {
				t.Fatal(err)
			}
			if e.Version != version {
				t.Errorf("version %d, the file says %d", e.Version, version)
			}
			rep := e.Data(container.KindSNPReport)
			if want := c.bytes(t); len(rep) != 1184 || !bytes.Equal(rep, want[:1184]) {
				t.Error("SNP report is not what evidence_encoding extracts")
			}
			checkAzPieces(t, e)
		})
	}
	if n < 2 {
		t.Fatalf("%d container cases, want at least 2", n)
	}
}

// checkAzPieces checks an az-snp-vtpm evidence's pieces and their origins.
func checkAzPieces(t *testing.T, e container.Evidence) {
	t.Helper()
	hclField, quoteField := "hcl_report", "tpm_quote"
	if e.Version == 0 {
		hclField, quoteField = "report", "quote"
	}
	prefix := e.Origin + ": "
	want := map[container.Kind]string{
		container.KindHCLReport:    prefix + "field " + hclField,
		container.KindSNPReport:    prefix + "field " + hclField + ": SNP report at 0x20",
		container.KindRuntimeData:  prefix + "field " + hclField + ": runtime data at 0x4d4",
		container.KindAK:           prefix + "field " + hclField + ": runtime data key HCLAkPub",
		container.KindTPMQuote:     prefix + "field " + quoteField + ".message",
		container.KindTPMSignature: prefix + "field " + quoteField + ".signature",
		container.KindVCEK:         prefix + "field vcek",
	}
	for k, origin := range want {
		p, ok := e.First(k)
		if !ok || len(p.Data) == 0 {
			t.Errorf("no %v", k)
			continue
		}
		if p.Origin != origin {
			t.Errorf("%v origin %q, want %q", k, p.Origin, origin)
		}
	}
	if e.Origin != "trustee-az-snp-vtpm v"+string(rune('0'+e.Version)) {
		t.Errorf("origin %q", e.Origin)
	}
	pcrs := e.All(container.KindPCR)
	if len(pcrs) != 24 {
		t.Fatalf("%d PCRs", len(pcrs))
	}
	for i, p := range pcrs {
		if len(p.Data) != 32 || !strings.HasSuffix(p.Origin, "]") || !strings.Contains(p.Origin, quoteField+".pcrs[") {
			t.Errorf("PCR %d: %d bytes, %q", i, len(p.Data), p.Origin)
		}
	}
	hcl := e.Data(container.KindHCLReport)
	if !bytes.Equal(e.Data(container.KindSNPReport), hcl[0x20:0x4C0]) {
		t.Error("SNP report is not HCL[0x20:0x4C0]")
	}
	vcek := e.Data(container.KindVCEK)
	if e.Version == 0 {
		if !bytes.HasPrefix(vcek, []byte("-----BEGIN CERTIFICATE-----")) {
			t.Error("version 0 VCEK is not PEM")
		}
	} else if c, err := x509.ParseCertificate(vcek); err != nil || c.Subject.CommonName != "SEV-VCEK" {
		t.Errorf("VCEK: %v", err)
	}
	var ak map[string]any
	if err := json.Unmarshal(e.Data(container.KindAK), &ak); err != nil || ak["kid"] != "HCLAkPub" || ak["kty"] != "RSA" {
		t.Errorf("AK %s", e.Data(container.KindAK))
	}
}

// TestTrusteeFiles: the other Trustee files: Genoa az-snp-vtpm, the bare HCL
// report, the SNP evidence with the report as JSON fields.
func TestTrusteeFiles(t *testing.T) {
	const dir = "snp/confidential-containers-trustee/"
	t.Run("evidence-genoa.json", func(t *testing.T) {
		e := unwrapOne(t, vectors.Read(t, dir+"az-snp-vtpm/evidence-genoa.json"))
		if e.TEE != container.AzSNPvTPM || e.Version != 0 {
			t.Fatalf("%s v%d", e.TEE, e.Version)
		}
		checkAzPieces(t, e)
		rep := e.Data(container.KindSNPReport)
		if rep[0x188] != 0x19 || rep[0x189] != 0x11 {
			t.Errorf("not the Genoa report: CPUID %x", rep[0x188:0x18B])
		}
	})
	t.Run("hcl-report.bin", func(t *testing.T) {
		hcl := vectors.Read(t, dir+"az-snp-vtpm/hcl-report.bin")
		e := unwrapOne(t, hcl)
		if e.TEE != container.SNP || e.Form != container.FormHCL || !bytes.Equal(e.Data(container.KindSNPReport), hcl[0x20:0x4C0]) || e.Data(container.KindAK) == nil {
			t.Fatalf("%s %s", e.TEE, e.Form)
		}
	})
	t.Run("e2e-evidence.json", func(t *testing.T) {
		e := unwrapOne(t, vectors.Read(t, dir+"e2e-evidence.json"))
		if e.TEE != container.SNP || e.Form != container.FormTrusteeSNP {
			t.Fatalf("%s %s", e.TEE, e.Form)
		}
		if !bytes.Equal(e.Data(container.KindSNPReport), vectors.Read(t, dir+"e2e-evidence.report.reconstructed.bin")) {
			t.Error("rebuilt report differs from the verified reconstruction")
		}
		v, _ := e.First(container.KindVCEK)
		if !bytes.Equal(v.Data, vectors.Read(t, dir+"e2e-evidence.vcek.der")) || v.Origin != "trustee-snp: field cert_chain[0] (VCEK)" || v.Name != "VCEK" {
			t.Errorf("VCEK piece %q", v.Origin)
		}
		p, _ := e.First(container.KindSNPReport)
		if p.Origin != "trustee-snp: field attestation_report (rebuilt from its JSON fields)" {
			t.Errorf("origin %q", p.Origin)
		}
	})
}

// snpReports returns every distinct raw SNP report of the shared cases.
func snpReports(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	seen := map[string]bool{}
	for _, c := range cases(t) {
		if !strings.HasPrefix(c.ID, "snp-") || c.Container != "" {
			continue
		}
		b := c.bytes(t)
		if len(b) < 1184 {
			continue
		}
		b = b[:1184]
		if seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		out[c.ID] = b
	}
	if len(out) == 0 {
		t.Fatal("no SNP report in cases.json")
	}
	return out
}

// sevJSON writes a report as the sev crate serializes it: version 6/7 field
// names, or (old) version 5 and earlier, with their reserved fields.
func sevJSON(rep []byte, old bool) []byte {
	le := binary.LittleEndian
	arr := func(off, n int) []int {
		a := make([]int, n)
		for i := range a {
			a[i] = int(rep[off+i])
		}
		return a
	}
	version := le.Uint32(rep)
	turin := false
	if version == 2 {
		chip := rep[0x1A0:0x1E0]
		turin = !bytes.Equal(chip, make([]byte, 64)) && bytes.Equal(chip[8:], make([]byte, 56))
	} else {
		turin = rep[0x188] == 0x1A
	}
	tcb := func(off int) map[string]any {
		b := rep[off : off+8]
		if old {
			return map[string]any{"bootloader": b[0], "tee": b[1], "_reserved": arr(off+2, 4), "snp": b[6], "microcode": b[7]}
		}
		if turin {
			return map[string]any{"fmc": b[0], "bootloader": b[1], "tee": b[2], "snp": b[3], "microcode": b[7]}
		}
		return map[string]any{"fmc": nil, "bootloader": b[0], "tee": b[1], "snp": b[6], "microcode": b[7]}
	}
	m := map[string]any{
		"version": version, "guest_svn": le.Uint32(rep[4:]), "policy": le.Uint64(rep[8:]),
		"family_id": arr(0x10, 16), "image_id": arr(0x20, 16), "vmpl": le.Uint32(rep[0x30:]), "sig_algo": le.Uint32(rep[0x34:]),
		"current_tcb": tcb(0x38), "plat_info": le.Uint64(rep[0x40:]),
		"report_data": arr(0x50, 64), "measurement": arr(0x90, 48), "host_data": arr(0xC0, 32),
		"id_key_digest": arr(0xE0, 48), "author_key_digest": arr(0x110, 48), "report_id": arr(0x140, 32), "report_id_ma": arr(0x160, 32),
		"reported_tcb": tcb(0x180), "chip_id": arr(0x1A0, 64), "committed_tcb": tcb(0x1E0), "launch_tcb": tcb(0x1F0),
		"signature": map[string]any{"r": arr(0x2A0, 72), "s": arr(0x2E8, 72)},
	}
	if old {
		m["_author_key_en"] = le.Uint32(rep[0x48:])
		m["_reserved_0"] = le.Uint32(rep[0x4C:])
		m["_reserved_1"] = arr(0x188, 24)
		m["current_build"], m["current_minor"], m["current_major"], m["_reserved_2"] = rep[0x1E8], rep[0x1E9], rep[0x1EA], rep[0x1EB]
		m["committed_build"], m["committed_minor"], m["committed_major"], m["_reserved_3"] = rep[0x1EC], rep[0x1ED], rep[0x1EE], rep[0x1EF]
		m["_reserved_4"] = arr(0x1F8, 168)
		m["signature"].(map[string]any)["_reserved"] = arr(0x330, 368)
	} else {
		m["key_info"] = le.Uint32(rep[0x48:])
		m["cpuid_fam_id"], m["cpuid_mod_id"], m["cpuid_step"] = nil, nil, nil
		if version >= 3 {
			m["cpuid_fam_id"], m["cpuid_mod_id"], m["cpuid_step"] = rep[0x188], rep[0x189], rep[0x18A]
		}
		m["current"] = map[string]any{"major": rep[0x1EA], "minor": rep[0x1E9], "build": rep[0x1E8]}
		m["committed"] = map[string]any{"major": rep[0x1EE], "minor": rep[0x1ED], "build": rep[0x1EC]}
		m["launch_mit_vector"], m["current_mit_vector"] = nil, nil
		if version >= 5 {
			m["launch_mit_vector"], m["current_mit_vector"] = le.Uint64(rep[0x1F8:]), le.Uint64(rep[0x200:])
		}
	}
	b, err := json.Marshal(map[string]any{"attestation_report": m, "cert_chain": nil})
	if err != nil {
		panic(err)
	}
	return b
}

// zeroReserved returns rep with the bytes the sev crate (6 and 7) does not
// carry set to zero.
func zeroReserved(rep []byte) []byte {
	r := append([]byte(nil), rep...)
	version := binary.LittleEndian.Uint32(r)
	clear(r[0x4C:0x50])
	if version >= 3 {
		clear(r[0x18B:0x1A0])
	} else {
		clear(r[0x188:0x1A0])
	}
	r[0x1EB], r[0x1EF] = 0, 0
	if version >= 5 {
		clear(r[0x208:0x2A0])
	} else {
		clear(r[0x1F8:0x2A0])
	}
	clear(r[0x330:])
	for _, off := range []int{0x38, 0x180, 0x1E0, 0x1F0} { // TCB reserved bytes
		if r[0x188] == 0x1A || (version == 2 && bytes.Equal(r[0x1A8:0x1E0], make([]byte, 56))) {
			clear(r[off+4 : off+7])
		} else {
			clear(r[off+2 : off+6])
		}
	}
	return r
}

// TestTrusteeSNPFields: every shared SNP report, written as Trustee's SNP
// evidence by the sev crate (both field-name generations), rebuilds to its
// bytes (those the crate carries).
func TestTrusteeSNPFields(t *testing.T) {
	for id, rep := range snpReports(t) {
		t.Run(id, func(t *testing.T) {
			for _, old := range []bool{false, true} {
				e := unwrapOne(t, sevJSON(rep, old))
				got := e.Data(container.KindSNPReport)
				want := rep
				if !old {
					want = zeroReserved(rep)
				}
				if !bytes.Equal(got, want) {
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("old=%v: byte %#x is %#02x, want %#02x", old, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}
