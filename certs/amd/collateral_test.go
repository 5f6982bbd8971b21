// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// certTable lays out an extended-report certificate table.
func certTable(entries map[snp.GUID][]byte) []byte {
	head := (len(entries) + 1) * 24
	b := make([]byte, head)
	i := 0
	for _, g := range []snp.GUID{snp.GUIDVCEK, snp.GUIDVLEK, snp.GUIDASK, snp.GUIDARK, snp.GUIDCRL} {
		d, ok := entries[g]
		if !ok {
			continue
		}
		copy(b[i*24:], g[:])
		binary.LittleEndian.PutUint32(b[i*24+16:], uint32(len(b)))
		binary.LittleEndian.PutUint32(b[i*24+20:], uint32(len(d)))
		b = append(b, d...)
		i++
	}
	return b
}

// TestCollateralForms proves the content recognizer: DER, PEM (several blocks),
// base64 DER, an extended-report certificate table, files under any name, and
// that garbage is ErrCollateral; and that a report verifies from a table.
func TestCollateralForms(t *testing.T) {
	vcek, ask, ark := gsgtestdata.VcekBytes, amd.ASK(snp.Milan).Raw, amd.ARK(snp.Milan).Raw
	table := certTable(map[snp.GUID][]byte{snp.GUIDVCEK: vcek, snp.GUIDASK: ask, snp.GUIDARK: ark})
	for name, blobs := range map[string][][]byte{
		"DER":        {vcek, ask, ark},
		"PEM bundle": {append(append(pemBlock("CERTIFICATE", vcek), pemBlock("CERTIFICATE", ask)...), pemBlock("CERTIFICATE", ark)...)},
		"base64 DER": {[]byte(base64.StdEncoding.EncodeToString(vcek)), ask, ark},
		"cert table": {table},
	} {
		col, err := amd.ParseCollateral(blobs...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(col.VCEK, vcek) || len(col.Certs) != 2 {
			t.Errorf("%s: VCEK %v, %d other certs", name, col.VCEK != nil, len(col.Certs))
		}
		r, _ := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize])
		if _, err := amd.VerifyReport(r, col, &amd.Options{Now: benchAt}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":     {},
		"text":      []byte("hello"),
		"PEM key":   pemBlock("PUBLIC KEY", []byte{1, 2, 3}),
		"bad DER":   {0x30, 0x82, 0xFF},
		"bad table": table[:30],
	} {
		if _, err := amd.ParseCollateral(b); !errors.Is(err, amd.ErrCollateral) {
			t.Errorf("%s: %v, want ErrCollateral", name, err)
		}
	}
	// A directory with odd names and a non-collateral file.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), vcek, 0o600)
	os.WriteFile(filepath.Join(dir, "chain.txt"), append(pemBlock("CERTIFICATE", ask), pemBlock("CERTIFICATE", ark)...), 0o600)
	os.WriteFile(filepath.Join(dir, "report.bin"), gsgtestdata.AttestationBytes, 0o600)
	col, err := amd.LoadDir(dir)
	if err != nil || !bytes.Equal(col.VCEK, vcek) || len(col.Certs) != 2 {
		t.Errorf("LoadDir: %v", err)
	}
}
