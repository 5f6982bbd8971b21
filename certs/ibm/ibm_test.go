// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package ibm

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
)

func TestDefaultRoot(t *testing.T) {
	r := DefaultRoot()
	if r == nil {
		t.Fatal("embedded root does not parse")
	}
	sum := sha256.Sum256(r.Raw)
	if got := hex.EncodeToString(sum[:]); got != "552f7bdcf1a7af9e6ce672017f4f12abf77240c78e761ac203d1d9d20ac89988" || r.Subject.CommonName != "DigiCert Trusted Root G4" {
		t.Fatalf("pinned root %s, SHA-256 %s", r.Subject, got)
	}
}

const certDir = "se/s390-tools/rust/pv/tests/assets/cert/"

func load(t *testing.T, files ...string) (cs []*x509.Certificate, crls []*x509.RevocationList) {
	t.Helper()
	for _, f := range files {
		c, l, err := Load(vectors.Read(t, certDir+f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cs, crls = append(cs, c...), append(crls, l...)
	}
	return cs, crls
}

// TestS390Certificates runs every certificate and CRL case of s390-tools'
// test PKI (rust/pv/tests/assets/cert) with the outcome pvattest gives it.
func TestS390Certificates(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	good := []string{"ibm.crt", "inter_ca.crt", "ibm.crl", "inter_ca.crl", "root_ca.crl"}
	with := func(extra ...string) []string { return append(append([]string{}, good...), extra...) }
	for _, c := range []struct {
		name  string
		hkd   string
		files []string
		at    time.Time
		want  error
	}{
		{"valid host", "host.crt", good, now, nil},
		{"valid host2", "host2.crt", good, now, nil},
		{"unreachable CRL-DP offline", "host_uri_na.crt", good, now, nil},
		{"DER signing key and CRL", "host.crt", []string{"der.crt", "der.crl", "inter_ca.crt", "inter_ca.crl", "root_ca.crl"}, now, nil},
		{"chained PEM files", "host.crt", []string{"ibm.chained.crt", "inter_ca.chained.crt", "root_ca.chained.crt"}, now, nil},
		{"Armonk signing key", "host_armonk.crt", []string{"ibm_armonk.crt", "inter_ca.crt", "ibm_armonk.crl", "inter_ca.crl", "root_ca.crl"}, now, nil},
		{"Armonk signing key, Poughkeepsie CRL (issuer quirk)", "host_armonk.crt", []string{"ibm_armonk.crt", "inter_ca.crt", "ibm.crl", "inter_ca.crl", "root_ca.crl"}, now, nil},
		{"revoked host", "host_rev.crt", good, now, ErrRevoked},
		{"expired host", "host_crt_expired.crt", good, now, ErrExpired},
		{"not yet valid host", "host.crt", good, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), ErrExpired},
		{"host of a wrong-subject signing key", "host_invalid_signing_key.crt", []string{"ibm_wrong_subject.crt", "inter_ca.crt", "ibm_wrong_subject.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrNoSigningKey},
		{"two signing keys", "host.crt", with("ibm_armonk.crt"), now, ErrManySigningKeys},
		{"expired signing key", "host.crt", []string{"ibm_expired.crt", "inter_ca.crt", "ibm.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrExpired},
		{"revoked signing key", "host.crt", []string{"ibm_rev.crt", "inter_ca.crt", "ibm.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrRevoked},
		{"no signing key CRL", "host.crt", []string{"ibm.crt", "inter_ca.crt", "inter_ca.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"no intermediate CRL", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"no root CRL", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm.crl", "inter_ca.crl"}, now, ErrNoCRL},
		{"signing key CRL bad signature", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm_invalid_hash.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"signing key CRL not yet valid", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm_outdated_early.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"signing key CRL expired", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm_outdated_late.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"signing key CRL wrong issuer", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm_wrong_issuer.crl", "inter_ca.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"intermediate CRL expired", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm.crl", "inter_ca.invalid_date.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"intermediate CRL wrong signer", "host.crt", []string{"ibm.crt", "inter_ca.crt", "ibm.crl", "inter_ca.invalid_signer.crl", "root_ca.crl"}, now, ErrNoCRL},
		{"look-alike host", "fake_host.crt", good, now, ErrSignature},
		{"look-alike signing key and intermediate", "fake_host.crt", []string{"fake_ibm.crt", "fake_inter_ca.crt", "fake_ibm.crl", "fake_inter_ca.crl", "fake_root_ca.crl"}, now, ErrChain},
		{"look-alike PKI, its root handed over", "fake_host.crt", []string{"fake_ibm.crt", "fake_inter_ca.crt", "fake_root_ca.crt", "fake_ibm.crl", "fake_inter_ca.crl", "fake_root_ca_valid.crl"}, now, ErrChain},
		{"real chain, look-alike CRLs", "host.crt", []string{"ibm.crt", "inter_ca.crt", "fake_ibm.crl", "fake_inter_ca.crl", "fake_root_ca.crl"}, now, ErrNoCRL},
	} {
		t.Run(c.name, func(t *testing.T) {
			roots, _ := load(t, "root_ca.crt")
			certs, crls := load(t, c.files...)
			hkds, _ := load(t, c.hkd)
			ch, err := VerifyChain(certs, crls, &Options{Now: c.at, Roots: roots})
			var h *HKD
			if err == nil {
				h, err = ch.VerifyHKD(hkds[0])
			}
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err == nil && (h.Expires.IsZero() || !h.Expires.After(c.at)) {
				t.Fatalf("expires %v", h.Expires)
			}
		})
	}
	// The pinned default root does not trust the test PKI.
	certs, crls := load(t, good...)
	if _, err := VerifyChain(certs, crls, &Options{Now: now}); !errors.Is(err, ErrChain) {
		t.Fatalf("test PKI under the pinned DigiCert root: %v, want ErrChain", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"))
	if d := vectors.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, certDir, "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { _, _, _ = Load(b) })
}
