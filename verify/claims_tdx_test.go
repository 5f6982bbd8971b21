// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"crypto/x509"
	"encoding/hex"
	"maps"
	"math/big"
	"testing"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// TestTDXClaimsAreEvidenceTDX: the quote's claims in a verification are
// evidence/tdx's, the ones ccverify inspect prints: one vocabulary.
func TestTDXClaimsAreEvidenceTDX(t *testing.T) {
	q, err := tdx.Parse(gtdata.RawQuoteV5)
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{}
	tdxClaims(c, q)
	want := tdx.Claims(q)
	if !maps.EqualFunc(c, want, func(a, b any) bool { return sameClaim(a, b) }) {
		t.Errorf("tdxClaims %v\nwant tdx.Claims %v", c, want)
	}
}

func sameClaim(a, b any) bool {
	ma, ok := a.(map[string]any)
	if !ok {
		return a == b
	}
	mb, ok := b.(map[string]any)
	return ok && maps.EqualFunc(ma, mb, sameClaim)
}

// TestPCKClaims: the PCK's hex claims are hex.EncodeToString of the
// extension fields they name, platform_instance_id and the configuration
// flags only for a Platform CA PCK.
func TestPCKClaims(t *testing.T) {
	var e intel.SGXExtensions
	for i := range e.PPID {
		e.PPID[i], e.TCB.CPUSVN[i], e.TCB.SGXComponents[i], e.PlatformInstanceID[i] = byte(i), byte(0x10+i), byte(0x20+i), byte(0x30+i)
	}
	e.FMSPC, e.PCEID, e.TCB.PCESVN, e.SGXType = [6]byte{0x90, 0xc0, 0x6f, 0, 0, 0}, [2]byte{0, 1}, 13, intel.SGXTypeScalable
	for _, platform := range []bool{false, true} {
		e.HasPlatform = platform
		e.Configuration = intel.Configuration{HasDynamicPlatform: platform, DynamicPlatform: true, HasSMTEnabled: platform}
		c := map[string]any{}
		pckClaims(c, &intel.QuoteChain{Extensions: e, CA: intel.CAProcessor, PCK: &x509.Certificate{SerialNumber: big.NewInt(0xabc)}})
		want := map[string]any{
			"fmspc": hex.EncodeToString(e.FMSPC[:]), "pce_id": hex.EncodeToString(e.PCEID[:]), "pce_svn": 13,
			"cpu_svn": hex.EncodeToString(e.TCB.CPUSVN[:]), "sgx_tcb_components": hex.EncodeToString(e.TCB.SGXComponents[:]),
			"ppid": hex.EncodeToString(e.PPID[:]), "sgx_type": "Scalable", "pck_ca": intel.CAProcessor.String(), "pck_serial": "abc",
		}
		if platform {
			want["platform_instance_id"] = hex.EncodeToString(e.PlatformInstanceID[:])
			want["is_dynamic_platform"] = true
			want["is_smt_enabled"] = false
		}
		if !maps.Equal(c, want) {
			t.Errorf("platform %v: %v\nwant %v", platform, c, want)
		}
	}
}

// TestPCKClaimsRemembered: the remembered PCK claims are used only for the
// same certificate with the same extensions and CA; any other chain gets
// its own, alternating, from several goroutines.
func TestPCKClaimsRemembered(t *testing.T) {
	var e1, e2 intel.SGXExtensions
	e1.FMSPC, e2.FMSPC = [6]byte{1}, [6]byte{2}
	c1 := &x509.Certificate{SerialNumber: big.NewInt(1)}
	c2 := &x509.Certificate{SerialNumber: big.NewInt(2)}
	chains := []*intel.QuoteChain{
		{Extensions: e1, CA: intel.CAPlatform, PCK: c1},
		{Extensions: e2, CA: intel.CAPlatform, PCK: c2},
		{Extensions: e2, CA: intel.CAPlatform, PCK: c1},  // the same certificate, other extensions
		{Extensions: e1, CA: intel.CAProcessor, PCK: c1}, // the same, another CA
	}
	wants := make([]map[string]any, len(chains))
	for i, ch := range chains {
		wants[i] = map[string]any{}
		AddPCKClaims(wants[i], &ch.Extensions)
		wants[i]["pck_ca"] = ch.CA.String()
		wants[i]["pck_serial"] = ch.PCK.SerialNumber.Text(16)
	}
	done := make(chan bool)
	for g := range 3 {
		go func() {
			ok := true
			for i := range 300 {
				k := (i + g) % len(chains)
				c := map[string]any{}
				pckClaims(c, chains[k])
				if !maps.Equal(c, wants[k]) {
					t.Errorf("chain %d: %v, want %v", k, c, wants[k])
					ok = false
					break
				}
			}
			done <- ok
		}()
	}
	for range 3 {
		<-done
	}
}
