// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"bytes"
	"crypto/ecdh"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
)

const s390 = "se/s390-tools/rust/"

func read(t testing.TB, rel string) []byte { t.Helper(); return vectors.Read(t, s390+rel) }

// hostKey reads keys/host.pem.crt's P-521 key.
func hostKey(t testing.TB, rel string) *ecdh.PublicKey {
	t.Helper()
	blk, _ := pem.Decode(read(t, rel))
	if blk == nil {
		t.Fatalf("%s: no PEM", rel)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	k, err := HostKey(c.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func customer(t testing.TB) *ecdh.PrivateKey {
	b := read(t, "pv/tests/assets/keys/private_cust.bin")
	k, err := ecdh.P521().NewPrivateKey(b[len(b)-66:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// s390Request is the request of arcb.rs mk_arcb.
func s390Request(t testing.TB) *Request {
	r := &Request{Hosts: []*ecdh.PublicKey{hostKey(t, "pv/tests/assets/keys/host.pem.crt")}, Customer: customer(t)}
	fill(r.IV[:], 0x55)
	fill(r.Secret.ARPK[:], 0x17)
	fill(r.Secret.MeasurementKey[:], 0x77)
	fill(r.Secret.Nonce[:], 0xab)
	r.Secret.HasNonce = true
	r.Secret.Flags = FlagNonce | FlagImagePHKH | FlagAttestPHKH
	return r
}

func TestSECustomerKeyMatchesPublished(t *testing.T) {
	pub := read(t, "pv/tests/assets/keys/public_cust.bin")
	if got := coords(customer(t).PublicKey()); !bytes.Equal(got, pub) {
		t.Fatalf("customer public key\n got %x\nwant %x", got, pub)
	}
}

func TestSEReferenceARCB(t *testing.T) {
	want := read(t, "pv/tests/assets/exp/arcb.bin")
	got, err := s390Request(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 400 || !bytes.Equal(got, want) {
		t.Fatalf("ARCB differs from exp/arcb.bin (%d bytes)\n got %x\nwant %x", len(got), got, want)
	}
	a, err := ParseARCB(want)
	if err != nil {
		t.Fatal(err)
	}
	var arpk [ARPKSize]byte
	fill(arpk[:], 0x17)
	s, err := a.Open(&arpk)
	if err != nil {
		t.Fatal(err)
	}
	if s.Flags != FlagNonce|FlagImagePHKH|FlagAttestPHKH || s.MeasurementKey[0] != 0x77 || s.Nonce[15] != 0xab || !s.HasNonce {
		t.Fatalf("opened secret %+v", s)
	}
	fill(arpk[:], 0x18)
	if _, err := a.Open(&arpk); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong ARPK: %v, want ErrDecrypt", err)
	}
	flipped := bytes.Clone(want)
	flipped[0x30] ^= 0x08 // flag bit 4 in the AAD: GCM fails
	a2, err := ParseARCB(flipped)
	if err != nil {
		t.Fatal(err)
	}
	fill(arpk[:], 0x17)
	if _, err := a2.Open(&arpk); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("flipped flag: %v, want ErrDecrypt", err)
	}
}

func TestSEReferenceKeySlot(t *testing.T) {
	want := read(t, "pv/tests/assets/exp/keyslot.bin")
	var arpk [ARPKSize]byte
	fill(arpk[:], 0x17)
	got, err := KeySlot(hostKey(t, "pv/tests/assets/keys/host.pem.crt"), customer(t), &arpk)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:], want) {
		t.Fatalf("key slot\n got %x\nwant %x", got, want)
	}
}

// TestSEMeasurementVectors reproduces the four HMAC cases of s390-tools'
// uvattest/attest.rs (no files needed: the inputs are fill bytes).
func TestSEMeasurementVectors(t *testing.T) {
	key := bytes.Repeat([]byte{0x41}, 64)
	var tags Tags
	fill(tags[0:64], 1)
	fill(tags[64:128], 2)
	fill(tags[128:192], 3)
	fill(tags[192:], 4)
	cuid := bytes.Repeat([]byte{5}, 16)
	user := bytes.Repeat([]byte{7}, 256)
	nonce := bytes.Repeat([]byte{8}, 16)
	add := bytes.Repeat([]byte{9}, 128)
	for _, c := range []struct {
		name             string
		user, nonce, add []byte
		want             string
	}{
		{"all", user, nonce, add, "88794c62cce7bcf26216deb3f48f13fea6374b6d7e35bcc5c2ce68121db6f45dfc8c17185646354940 8bf8e7d1aca11efad0a878af97dc9e21a1fc2a32f3a675"},
		{"user_add", user, nil, add, "fbd4f738a390edd947cd4f11af3a2f3bab2fdf8bf89bf81beb495117f4382cf42f0730c8c7d9e3ca27fb25adfceb21224f57fdb398dcf41a83c146e6a23db760"},
		{"add", nil, nil, add, "63671fbf295036eb1023ea71f7182e7d6343dc7b2da584e824d0a7d198ab9cded756c93b39050ffb764555b01f88cb82017a6a15c7e0bafc6005f1e4f78aa124"},
		{"minimal", nil, nil, nil, "c5c34c93835d1ec23f5c2d778dfa20129b11b305601742cb2f38e0ed9894dcdb73fc8695ab6a8dbad0744073ddc81a5eaafa52e4a15af8deb8d7610919 22847f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Measure(key, &tags, cuid, c.user, c.nonce, c.add)
			if err != nil {
				t.Fatal(err)
			}
			if h := hex.EncodeToString(got); h != stripSpace(c.want) {
				t.Fatalf("measurement\n got %s\nwant %s", h, stripSpace(c.want))
			}
		})
	}
}

func stripSpace(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

// TestSEHeaderTags reproduces brcb.rs EXP_HDR from exp/secure_guest.hdr, as
// a bare header and inside an image at a page boundary.
func TestSEHeaderTags(t *testing.T) {
	b := read(t, "pv/tests/assets/exp/secure_guest.hdr")
	const (
		pldTail = "2f3e0161"
		ald     = "2858c3368b2a0af0c5ea0fde7905eb15af9cd1dd737165933cdaa2b850b6a8e2f0f42c7b36dd5381096288dc092daa8a6facec2534137bc94ca80bda4fcb9328"
		tld     = "4860ebcf7b9d24eb909a795356ad32c936b62165988a9ffcd66170dbc590c23010d7952fa882d1bb79558f9be0a549d8d7a94ae720e5c0760a825d479fe67af5"
		tag     = "92309d4589b9a85b427f8753171d1520"
	)
	img := make([]byte, 3*pageSize+len(b))
	copy(img[3*pageSize:], b)
	copy(img[8:], b) // a header not at a page boundary is not the header
	img[8] = 0
	for name, in := range map[string][]byte{"header": b, "image": img} {
		h, err := FindHeader(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tg := h.Tags()
		if hex.EncodeToString(tg.ALD()) != ald || hex.EncodeToString(tg.TLD()) != tld || hex.EncodeToString(tg.Tag()) != tag ||
			!bytes.HasSuffix([]byte(hex.EncodeToString(tg.PLD())), []byte(pldTail)) {
			t.Fatalf("%s: tags %s", name, tg.String())
		}
		if len(h.KeySlotPHKHs) != 1 || len(h.Raw()) != 640 {
			t.Fatalf("%s: %d key slots, %d bytes", name, len(h.KeySlotPHKHs), len(h.Raw()))
		}
	}
	if _, err := ParseHeader(b[1:]); !errors.Is(err, ErrMalformed) {
		t.Fatalf("shifted header: %v", err)
	}
	if _, err := ParseHeader(b[:600]); !errors.Is(err, ErrTruncated) {
		t.Fatalf("short header: %v", err)
	}
}

func TestSEExchangeVectors(t *testing.T) {
	dir := "pvattest/tests/assets/exp/exchange/"
	for _, c := range []struct {
		file                      string
		arcb, meas, add, user, cu int
	}{
		{"full.bin", 16, 64, 32, 256, 16},
		{"full_resp.bin", 16, 64, 32, 256, 16},
		{"min_resp.bin", 16, 64, 0, 0, 16},
		{"add_resp.bin", 16, 64, 32, 0, 16},
		{"user_resp.bin", 16, 64, 0, 256, 16},
		{"full_req.bin", 16, 0, 0, 0, 0},
		{"min_req.bin", 16, 0, 0, 0, 0},
		{"add_req.bin", 16, 0, 0, 0, 0},
		{"user_req.bin", 16, 0, 0, 256, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			b := read(t, dir+c.file)
			a, err := ParseExchange(b)
			if err != nil {
				t.Fatal(err)
			}
			got := []int{len(a.ARCB), len(a.Measurement), len(a.AdditionalData), len(a.UserData), len(a.CUID)}
			want := []int{c.arcb, c.meas, c.add, c.user, c.cu}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("field sizes %v, want %v", got, want)
				}
			}
			if len(a.ARCB) > 0 && a.ARCB[0] != 0x11 || len(a.Measurement) > 0 && a.Measurement[0] != 0x12 || len(a.CUID) > 0 && a.CUID[0] != 0x14 {
				t.Fatalf("field contents: %+v", a)
			}
			if c.meas > 0 { // responses re-encode byte for byte
				if re := a.MarshalExchange(); !bytes.Equal(re, b) {
					t.Fatalf("re-encoded\n got %x\nwant %x", re, b)
				}
			}
		})
	}
	if b := read(t, "pv/tests/assets/exp/exchange.bin"); true {
		if _, err := ParseExchange(b); err != nil {
			t.Fatalf("exp/exchange.bin: %v", err)
		}
	}
}

// seeds returns every s390-tools SE vector file, for the fuzz targets.
func seeds(f *testing.F) [][]byte {
	d := vectors.Dir()
	if d == "" {
		return nil
	}
	var out [][]byte
	_ = filepath.Walk(filepath.Join(d, "se"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Size() < 1<<16 {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		}
		return nil
	})
	return out
}

// TestSESecretStoreHash reproduces pvattest cmd/check/secret_store.rs: the
// hash over the tags of the nine published add-secret requests, locked
// and not, and over none.
func TestSESecretStoreHash(t *testing.T) {
	var tags [][]byte
	for _, n := range []string{"assoc_derived_default_cuid_one", "assoc_simple_default_cuid_one", "null_none_default_cuid_one",
		"null_none_default_ncuid_one", "null_simple_default_cuid_one", "assoc_none_default_cuid_one", "null_derived_default_cuid_one",
		"null_none_default_cuid_seven", "null_none_dump_cuid_one"} {
		tag, err := RequestTag(read(t, "pv/tests/assets/exp/asrcb/"+n))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		tags = append(tags, tag)
	}
	for _, c := range []struct {
		tags   [][]byte
		locked bool
		want   string
	}{
		{tags, true, "d048702b4a79478b985e92e7edff453f63f2044e7d72faf12efd2eaea0cd0505559ed6665a06f6b4f9c6fcf9f2960e6cd3c3cc8cafe57ac8406e616bf9529517"},
		{tags, false, "51ce62af1f67b9e3254b184e33b2aad31007581a39e99cdeb02998a3b67ff456c44a05ee7d68e24dfd436f2be4c1e9f5c1016468da64015e9f9fa3156e110d6c"},
		{nil, true, "7b54b66836c1fbdd13d2441d9e1434dc62ca677fb68f5fe66a464baadecdbd00576f8d6b5ac3bcc80844b7d50b1cc6603444bbe7cfcf8fc0aa1ee3c636d9e339"},
		{nil, false, "b8244d028981d693af7b456af8efa4cad63d282e19ff14942c246e50d9351d22704a802a71c3580b6370de4ceb293c324a8423342557d4e5c38438f0e36910ee"},
	} {
		got := SecretStoreHash(c.tags, c.locked)
		if h := hex.EncodeToString(got[:]); h != c.want {
			t.Errorf("%d requests, locked %v: %s, want %s", len(c.tags), c.locked, h, c.want)
		}
	}
}

// TestSEHostKeys: the published P-521 host key documents are host keys;
// the RSA certificates of the key set are not.
func TestSEHostKeys(t *testing.T) {
	for _, f := range []string{"pv/tests/assets/keys/host.pem.crt", "pvattest/tests/assets/host.pem.crt", "pv/tests/assets/cert/host.crt", "pv/tests/assets/cert/host2.crt"} {
		hostKey(t, f)
	}
	for _, f := range []string{"pv/tests/assets/keys/rsa2048.crt", "pv/tests/assets/keys/rsa3072.crt"} {
		blk, _ := pem.Decode(read(t, f))
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := HostKey(c.PublicKey); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("%s: %v, want ErrUnsupported", f, err)
		}
	}
}
