// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"testing"
	"time"
)

// TestCRLRevokedSerials: Revoked finds every listed serial and no other,
// whatever its length (the look-up builds short serials' bytes on the stack,
// longer ones as big.Int does), a serial of zero and one with its top bit
// set included.
func TestCRLRevokedSerials(t *testing.T) {
	key := genKey(t)
	ca := createCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: intelName(cnPlatformCA),
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, nil, &key.PublicKey, key)
	var listed []*big.Int
	for _, n := range []int{1, 2, 8, 16, 20, 21, 32, 63, 64, 65, 100} {
		b := make([]byte, n)
		rand.Read(b)
		b[0] |= 0x80
		listed = append(listed, new(big.Int).SetBytes(b))
	}
	listed = append(listed, big.NewInt(0), big.NewInt(0x80), big.NewInt(0x1a0d17))
	var entries []x509.RevocationListEntry
	for _, s := range listed {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: time.Now()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(),
		NextUpdate: time.Now().Add(time.Hour), RevokedCertificateEntries: entries}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if crl.name() != "PCK platform CA CRL" {
		t.Errorf("name %q", crl.name())
	}
	for _, s := range listed {
		if !crl.Revoked(s) {
			t.Errorf("serial %x (%d bytes) listed, not found", s, len(s.Bytes()))
		}
		for _, d := range []int64{1, -1, 256} {
			o := new(big.Int).Add(s, big.NewInt(d))
			if o.Sign() >= 0 && crl.Revoked(o) != isListed(listed, o) {
				t.Errorf("serial %x: Revoked %v, listed %v", o, crl.Revoked(o), isListed(listed, o))
			}
		}
		shifted := new(big.Int).Lsh(s, 8) // the same bytes and a zero byte more
		if crl.Revoked(shifted) != isListed(listed, shifted) {
			t.Errorf("serial %x: Revoked %v, listed %v", shifted, crl.Revoked(shifted), isListed(listed, shifted))
		}
	}
	if crl.Revoked(nil) || crl.Revoked(big.NewInt(-0x1a0d17)) {
		t.Error("nil or negative serial revoked")
	}
}

func isListed(listed []*big.Int, s *big.Int) bool {
	for _, l := range listed {
		if l.Cmp(s) == 0 {
			return true
		}
	}
	return false
}

// TestFMSPCString: the remembered hex follows the FMSPC it was made of.
func TestFMSPCString(t *testing.T) {
	ti := &TCBInfo{FMSPC: [6]byte{0x90, 0xc0, 0x6f}}
	if s := ti.FMSPCString(); s != "90c06f000000" || ti.FMSPCString() != s {
		t.Fatalf("%q", s)
	}
	ti.FMSPC[5] = 1
	if s := ti.FMSPCString(); s != "90c06f000001" {
		t.Errorf("after a change of FMSPC: %q", s)
	}
}
