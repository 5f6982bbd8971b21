// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/testvectors"
)

// bigCert returns a self-signed certificate of about 257 KiB (10,000 DNS
// names), slow to parse: the attacker's blob in a hostile certificate table.
var bigCert = sync.OnceValue(func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "SEV-VCEK"},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 0; len(tmpl.DNSNames)*26 < 257<<10; i++ {
		tmpl.DNSNames = append(tmpl.DNSNames, fmt.Sprintf("n%08d.example.invalid", i))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return der
})

// hostileTable is the certificate table of the issue: n entries (2.4 KiB of
// entry list for 100) that all point at one ~257 KiB certificate.
func hostileTable(n int) []byte {
	cert := bigCert()
	tbl := make([]byte, 0, (n+1)*24+len(cert))
	for i := 0; i < n; i++ {
		var g snp.GUID
		g[0], g[1] = byte(i), byte(i>>8)
		tbl = append(tbl, g[:]...)
		tbl = append(tbl, le32((n+1)*24)...)
		tbl = append(tbl, le32(len(cert))...)
	}
	tbl = append(tbl, make([]byte, 24)...)
	return append(tbl, cert...)
}

func le32(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

// BenchmarkCollateralHostileCertTable measures what a hostile certificate
// table (100 entries at one 257 KiB certificate) costs ParseCollateral; the
// limits of snp.ParseCertTable bound it (3.4 s/op before them).
func BenchmarkCollateralHostileCertTable(b *testing.B) {
	tbl := hostileTable(100)
	b.ReportAllocs()
	b.SetBytes(int64(len(tbl)))
	for b.Loop() {
		_, _ = amd.ParseCollateral(tbl)
	}
}

// BenchmarkCollateralCertTable is the cost of a real-shaped table (ASK, ARK).
func BenchmarkCollateralCertTable(b *testing.B) {
	tbl := testvectors.CertTable([2][]byte{testvectors.GUIDASK, amd.ASK(snp.Milan).Raw}, [2][]byte{testvectors.GUIDARK, amd.ARK(snp.Milan).Raw})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := amd.ParseCollateral(tbl); err != nil {
			b.Fatal(err)
		}
	}
}
