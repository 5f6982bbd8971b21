// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/oracle"
	"github.com/ccverify/ccverify/internal/vectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// parseCase parses a case's report: whole-file reports with Parse, wrapped ones
// (HCL, JSON) with ParsePrefix.
func parseCase(t testing.TB, c vcase) snp.Report {
	t.Helper()
	var r snp.Report
	var err error
	if c.Encoding == "" {
		r, err = snp.Parse(c.report)
	} else {
		r, _, err = snp.ParsePrefix(c.report)
	}
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return r
}

// TestVectorsFacts proves every real report in cases.json parses to the facts
// the case lists (read by an independent parser, cross-checked with go-sev-guest).
func TestVectorsFacts(t *testing.T) {
	for _, c := range snpCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			r := parseCase(t, c)
			f := c.Facts
			if got, want := float64(r.Version()), f["version"].(float64); got != want {
				t.Errorf("version %v, want %v", got, want)
			}
			if got, want := float64(r.VMPL()), f["vmpl"].(float64); got != want {
				t.Errorf("vmpl %v, want %v", got, want)
			}
			for name, got := range map[string][]byte{
				"measurement":  r.Measurement(),
				"report_data":  r.ReportData(),
				"chip_id":      r.ChipID(),
				"reported_tcb": binary.LittleEndian.AppendUint64(nil, uint64(r.ReportedTCB())),
			} {
				if h := hex.EncodeToString(got); h != f[name] {
					t.Errorf("%s %s, want %v", name, h, f[name])
				}
			}
			if got := r.SigningKey().String(); got != f["signer"] {
				t.Errorf("signer %s, want %v", got, f["signer"])
			}
			if r.Version() >= 3 {
				if got := r.Product().String(); got != f["product"] {
					t.Errorf("product %s (CPUID %#x/%#x), want %v", got, r.CPUIDFamily(), r.CPUIDModel(), f["product"])
				}
			} else if r.Product() != snp.Unknown {
				t.Errorf("v2 product %v, want Unknown", r.Product())
			}
			if d, ok := c.Expect["debug"].(bool); ok && r.Policy().Debug() != d {
				t.Errorf("debug %v, want %v", r.Policy().Debug(), d)
			}
			if err := r.CheckReserved(); err != nil {
				t.Errorf("CheckReserved: %v", err)
			}
			if r.SignatureAlgo() != snp.SignatureAlgoECDSAP384SHA384 {
				t.Errorf("signature algo %d", r.SignatureAlgo())
			}
		})
	}
}

// TestTurinTCB proves the Turin layout on the Oak Turin v5 report: fmc0 bl1
// tee0 snp2 ucode71 (its MANIFEST), where the legacy layout reads nonsense.
func TestTurinTCB(t *testing.T) {
	r, err := snp.Parse(vectors.Read(t, "snp/project-oak/extracted/turin_oc.report.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Product() != snp.Turin || r.Version() != 5 {
		t.Fatalf("product %v version %d", r.Product(), r.Version())
	}
	want := snp.TCBParts{HasFMC: true, FMC: 0, BootLoader: 1, TEE: 0, SNP: 2, Microcode: 71}
	if got := r.ReportedTCB().Parts(snp.Turin); got != want {
		t.Errorf("reported TCB %v, want %v", got, want)
	}
	if got := want.TCBVersion(snp.Turin); got != r.ReportedTCB() {
		t.Errorf("compose %#x, want %#x", uint64(got), uint64(r.ReportedTCB()))
	}
	if !bytes.Equal(r.ChipID()[:8], []byte{0x3b, 0x42, 0x09, 0x2f, 0x69, 0xc6, 0x56, 0xd3}) || !allZero(r.ChipID()[8:]) {
		t.Errorf("chip id %x", r.ChipID())
	}
	if r.LaunchMitVector() != 0 || r.CurrentMitVector() != 0 {
		t.Errorf("mit vectors %#x %#x", r.LaunchMitVector(), r.CurrentMitVector())
	}
	g, err := snp.Parse(vectors.Read(t, "snp/project-oak/extracted/genoa_oc.report.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if g.LaunchMitVector() != 1 || g.CurrentMitVector() != 1 {
		t.Errorf("Genoa v5 mit vectors %#x %#x, want 1 1", g.LaunchMitVector(), g.CurrentMitVector())
	}
	if got := g.ReportedTCB().Parts(snp.Genoa); got != (snp.TCBParts{BootLoader: 10, SNP: 25, Microcode: 84}) {
		t.Errorf("Genoa TCB %v", got)
	}
}

func allZero(b []byte) bool { return bytes.Count(b, []byte{0}) == len(b) }

// TestProductOf proves the CPUID → product mapping, including Siena/Bergamo (19h/A0h).
func TestProductOf(t *testing.T) {
	for _, tc := range []struct {
		fam, model uint8
		want       snp.Product
	}{
		{0x19, 0x01, snp.Milan}, {0x19, 0x00, snp.Milan}, {0x19, 0x0F, snp.Milan},
		{0x19, 0x11, snp.Genoa}, {0x19, 0x10, snp.Genoa}, {0x19, 0x1F, snp.Genoa},
		{0x19, 0xA0, snp.Genoa}, {0x19, 0xAF, snp.Genoa},
		{0x1A, 0x02, snp.Turin}, {0x1A, 0x11, snp.Turin}, {0x1A, 0x00, snp.Turin},
		{0x19, 0x20, snp.Unknown}, {0x19, 0xB0, snp.Unknown}, {0x1A, 0x12, snp.Unknown},
		{0x1A, 0x50, snp.Unknown}, {0x17, 0x01, snp.Unknown}, {0, 0, snp.Unknown},
	} {
		if got := snp.ProductOf(tc.fam, tc.model); got != tc.want {
			t.Errorf("ProductOf(%#x, %#x) = %v, want %v", tc.fam, tc.model, got, tc.want)
		}
	}
	for s, want := range map[string]snp.Product{"Milan": snp.Milan, "Milan-B0": snp.Milan, "SEV-Genoa": snp.Genoa, "SEV-VLEK-Turin": snp.Turin, "turin": snp.Turin, "Venice": snp.Unknown, "": snp.Unknown} {
		if got := snp.ParseProduct(s); got != want {
			t.Errorf("ParseProduct(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestTruncation proves every length short of a report is ErrTruncated, and
// every length beyond it is ErrTrailingData for Parse (ParsePrefix returns the rest).
func TestTruncation(t *testing.T) {
	full := synthetic(3)
	for n := 0; n < snp.ReportSize; n++ {
		if _, err := snp.Parse(full[:n]); !errors.Is(err, snp.ErrTruncated) {
			t.Fatalf("length %d: %v, want ErrTruncated", n, err)
		}
		if _, _, err := snp.ParsePrefix(full[:n]); !errors.Is(err, snp.ErrTruncated) {
			t.Fatalf("prefix length %d: %v, want ErrTruncated", n, err)
		}
	}
	long := append(full, 0, 1)
	if _, err := snp.Parse(long); !errors.Is(err, snp.ErrTrailingData) {
		t.Errorf("trailing: %v", err)
	}
	if _, rest, err := snp.ParsePrefix(long); err != nil || len(rest) != 2 {
		t.Errorf("prefix: %v, rest %d", err, len(rest))
	}
}

// TestVersions proves versions 2–5 parse and every other version is ErrVersion.
func TestVersions(t *testing.T) {
	for _, v := range []uint32{0, 1, 6, 7, 0x100, 0xFFFFFFFF} {
		if _, err := snp.Parse(synthetic(v)); !errors.Is(err, snp.ErrVersion) {
			t.Errorf("version %d: %v, want ErrVersion", v, err)
		}
	}
	for _, v := range []uint32{2, 3, 4, 5} {
		r, err := snp.Parse(synthetic(v))
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if r.HasCPUID() != (v >= 3) || r.HasMitigationVectors() != (v >= 5) {
			t.Errorf("version %d: HasCPUID %v HasMitigationVectors %v", v, r.HasCPUID(), r.HasMitigationVectors())
		}
		if v == 4 && r.Product() != snp.Turin {
			t.Errorf("v4 is read as v3: product %v", r.Product())
		}
		if v < 5 && (r.LaunchMitVector() != 0 || r.CurrentMitVector() != 0) {
			t.Errorf("version %d: mitigation vectors read from reserved bytes", v)
		}
	}
}

// TestCheckReserved proves each reserved area and reserved policy/signer bit is
// caught by the strict check, and that Parse ignores them.
func TestCheckReserved(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version uint32
		mut     func(b []byte)
		bad     bool
	}{
		{"clean v3", 3, func([]byte) {}, false},
		{"0x4C", 3, func(b []byte) { b[0x4D] = 1 }, true},
		{"v2 cpuid area", 2, func(b []byte) { b[0x188] = 0x19 }, true},
		{"v3 cpuid area", 3, func(b []byte) { b[0x188] = 0x19 }, false},
		{"0x18B", 3, func(b []byte) { b[0x19F] = 1 }, true},
		{"0x1EB", 3, func(b []byte) { b[0x1EB] = 1 }, true},
		{"0x1EF", 3, func(b []byte) { b[0x1EF] = 1 }, true},
		{"v3 mit vector", 3, func(b []byte) { b[0x1F8] = 1 }, true},
		{"v5 mit vector", 5, func(b []byte) { b[0x1F8] = 1; b[0x207] = 1 }, false},
		{"0x208", 5, func(b []byte) { b[0x29F] = 1 }, true},
		{"signature tail", 3, func(b []byte) { b[0x2A0+144] = 1 }, true},
		{"policy bit 17", 3, func(b []byte) { b[0x0A] &^= 2 }, true},
		{"policy bit 26", 3, func(b []byte) { b[0x0B] |= 4 }, true},
		{"signer bit 5", 3, func(b []byte) { b[0x48] |= 0x20 }, true},
	} {
		b := synthetic(tc.version)
		tc.mut(b)
		r, err := snp.Parse(b)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tc.name, err)
		}
		err = r.CheckReserved()
		if tc.bad != (err != nil) || (tc.bad && !errors.Is(err, snp.ErrReserved)) {
			t.Errorf("%s: CheckReserved = %v, want error %v", tc.name, err, tc.bad)
		}
	}
}

// TestZeroAllocs proves Parse and every accessor used on the hot path allocate nothing.
func TestZeroAllocs(t *testing.T) {
	b := synthetic(5)
	n := testing.AllocsPerRun(100, func() {
		r, err := snp.Parse(b)
		if err != nil {
			panic(err)
		}
		_ = r.Signed()
		_ = r.ReportedTCB().Parts(r.Product())
		_ = r.Measurement()
	})
	if n != 0 {
		t.Errorf("Parse allocates %v times", n)
	}
}

// TestZeroReport proves a zero Report's accessors return zero values without panicking.
func TestZeroReport(t *testing.T) {
	var r snp.Report
	if r.Version() != 0 || r.Measurement() != nil || r.Product() != snp.Unknown || r.Signed() != nil || r.CPUIDModel() != 0 {
		t.Error("zero report returns data")
	}
	if err := r.CheckReserved(); err == nil {
		t.Error("zero report passes CheckReserved")
	}
	_ = snp.Claims(r, snp.Unknown)
	_ = r.Clone()
}

// TestDifferentialGoSevGuest compares every field with go-sev-guest's
// abi.ReportToProto on every report it can parse: the real vectors, its own
// testdata, and bit flips of each.
func TestDifferentialGoSevGuest(t *testing.T) {
	var reports [][]byte
	reports = append(reports, gsgtestdata.AttestationBytes[:snp.ReportSize])
	if vectors.Dir() != "" {
		for _, c := range snpCases(t) {
			reports = append(reports, c.report[:snp.ReportSize])
		}
	}
	compared := 0
	for i, base := range reports {
		variants := [][]byte{base}
		for bit := 0; bit < snp.ReportSize*8; bit += 37 {
			m := bytes.Clone(base)
			m[bit/8] ^= 1 << (bit % 8)
			variants = append(variants, m)
		}
		for j, b := range variants {
			want, gerr := oracle.ParseSNP(b)
			got, err := snp.Parse(b)
			if gerr != nil {
				continue // go-sev-guest rejects MBZ and reserved bits; we parse and leave them to CheckReserved
			}
			if err != nil {
				if want.Version >= 2 && want.Version <= 5 {
					t.Errorf("report %d variant %d: go-sev-guest parses, we fail: %v", i, j, err)
				}
				continue
			}
			compared++
			if err := oracle.CompareSNP(got, want); err != nil {
				t.Errorf("report %d variant %d: %v", i, j, err)
			}
		}
	}
	t.Logf("compared %d reports field by field", compared)
}

// synthetic returns a zero report of the given version with a Turin CPUID
// (v3+), policy bit 17 and SIGNATURE_ALGO 1.
func synthetic(version uint32) []byte {
	b := make([]byte, snp.ReportSize)
	binary.LittleEndian.PutUint32(b[0x000:], version)
	binary.LittleEndian.PutUint64(b[0x008:], 1<<17)
	binary.LittleEndian.PutUint32(b[0x034:], 1)
	if version >= 3 {
		b[0x188], b[0x189], b[0x18A] = 0x1A, 0x02, 0x01
	}
	return b
}
