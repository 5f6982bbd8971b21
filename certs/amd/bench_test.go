// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/google/go-sev-guest/abi"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

var benchAt = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkVerifyReport: parse plus full verification of go-sev-guest's real
// Milan report with its VCEK, the chain's signatures cached (the steady state).
func BenchmarkVerifyReport(b *testing.B) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	col := amd.Collateral{VCEK: gsgtestdata.VcekBytes, Certs: [][]byte{amd.ASK(snp.Milan).Raw, amd.ARK(snp.Milan).Raw}}
	opts := &amd.Options{Now: benchAt, Cache: amd.NewCache(0)}
	r, _ := snp.Parse(raw)
	if _, err := amd.VerifyReport(r, col, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := snp.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := amd.VerifyReport(r, col, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyReportCold: the same with an empty cache each time (two
// RSA-PSS-4096 verifications and the certificate parses added).
func BenchmarkVerifyReportCold(b *testing.B) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	col := amd.Collateral{VCEK: gsgtestdata.VcekBytes}
	b.ReportAllocs()
	for b.Loop() {
		r, _ := snp.Parse(raw)
		if _, err := amd.VerifyReport(r, col, &amd.Options{Now: benchAt, Cache: amd.NewCache(0)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoSevGuest: go-sev-guest v0.15.0 verify.SnpAttestation on the same
// report (embedded roots, no fetching), including abi.ReportToProto.
func BenchmarkGoSevGuest(b *testing.B) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	opts := &verify.Options{Now: benchAt, DisableCertFetching: true}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := abi.ReportToProto(raw)
		if err != nil {
			b.Fatal(err)
		}
		att := &spb.Attestation{Report: rep, CertificateChain: &spb.CertificateChain{
			VcekCert: gsgtestdata.VcekBytes, AskCert: amd.ASK(snp.Milan).Raw, ArkCert: amd.ARK(snp.Milan).Raw,
		}}
		if err := verify.SnpAttestation(att, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkP384Floor: SHA-384 of the signed bytes and one ECDSA P-384
// verification, the floor for any verifier.
func BenchmarkP384Floor(b *testing.B) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	vcek, _ := x509.ParseCertificate(gsgtestdata.VcekBytes)
	pub := vcek.PublicKey.(*ecdsa.PublicKey)
	le := func(x []byte) *big.Int {
		be := make([]byte, 48)
		for i := range be {
			be[i] = x[47-i]
		}
		return new(big.Int).SetBytes(be)
	}
	rr, ss := le(raw[0x2A0:]), le(raw[0x2E8:])
	b.ReportAllocs()
	for b.Loop() {
		h := sha512.Sum384(raw[:0x2A0])
		if !ecdsa.Verify(pub, h[:], rr, ss) {
			b.Fatal("no")
		}
	}
}

// BenchmarkParse compares our view parse with go-sev-guest's abi.ReportToProto.
func BenchmarkParse(b *testing.B) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	b.Run("ccverify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := snp.Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-sev-guest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := abi.ReportToProto(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
