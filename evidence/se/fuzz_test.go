// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import "testing"

// The fuzz targets are seeded with every s390-tools vector (when the shared
// vectors are present): none may panic, and what parses must hold its own
// bounds.

func FuzzParseARCB(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseARCB(b)
		if err != nil {
			return
		}
		var k [ARPKSize]byte
		_, _ = a.Open(&k)
		if len(a.KeySlots) == 0 || len(a.Raw()) != len(b) {
			t.Fatalf("parsed ARCB with %d slots", len(a.KeySlots))
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := FindHeader(b)
		if err != nil {
			return
		}
		tg := h.Tags()
		_ = tg.String()
	})
}

func FuzzParseExchange(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseExchange(b)
		if err != nil {
			return
		}
		if len(a.UserData) > MaxUserData {
			t.Fatalf("user data of %d bytes", len(a.UserData))
		}
		if _, err := ParseExchange(a.MarshalExchange()); err != nil {
			t.Fatalf("re-encoded answer does not parse: %v", err)
		}
	})
}

func FuzzParseTrustee(f *testing.F) {
	f.Add([]byte(`{"measurement":"","additional_data":"","user_data":"","cuid":"AAAAAAAAAAAAAAAAAAAAAA==","encr_measurement_key":"","encr_request_nonce":"","image_hdr_tags":""}`))
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseTrustee(b)
	})
}

func FuzzSplitAdditional(f *testing.F) {
	f.Add(uint64(FlagNonce|FlagImagePHKH|FlagAttestPHKH), make([]byte, 64))
	f.Fuzz(func(t *testing.T, flags uint64, b []byte) {
		a, err := SplitAdditional(Flags(flags), b)
		if err == nil && len(a.ImagePHKH)+len(a.AttestPHKH)+len(a.SecretStoreHash)+len(a.FirmwareState)+len(a.Unrecognized) != len(b) {
			t.Fatal("split loses bytes")
		}
	})
}

func FuzzSecretJSON(f *testing.F) {
	f.Add([]byte(`{"arpk":"` + string(make([]byte, 0)) + `","measurement_key":"","flags":"0x4000000000000000"}`))
	var s Secret
	s.Flags, s.HasNonce = FlagNonce|FlagImagePHKH, true
	if b, err := s.MarshalJSON(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Secret
		if s.UnmarshalJSON(b) != nil {
			return
		}
		re, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var s2 Secret
		if err := s2.UnmarshalJSON(re); err != nil || s2 != s {
			t.Fatalf("secret does not round-trip: %v", err)
		}
	})
}

func FuzzRequestTag(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tag, err := RequestTag(b); err == nil && len(tag) != 16 {
			t.Fatalf("tag of %d bytes", len(tag))
		}
	})
}
