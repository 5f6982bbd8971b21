// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/se"
	"github.com/ccverify/ccverify/testvectors"
)

const seAt = "2026-06-01T00:00:00Z"

// TestSECLI drives ccverify se request and verify end to end with the
// simulated Ultravisor.
func TestSECLI(t *testing.T) {
	w := testvectors.NewSEWorld()
	dir := t.TempDir()
	root := write(t, dir, "root.pem", w.Root)
	col := write(t, dir, "ibm.pem", w.Collateral)
	hdr := write(t, dir, "guest.hdr", w.Header)
	other := write(t, dir, "other.hdr", w.OtherHeader)
	nonce := bytes.Repeat([]byte{0x5a}, 32)
	nonceHex := hex.EncodeToString(nonce)

	request := func(name string, hkd []byte, extra ...string) string {
		t.Helper()
		out := filepath.Join(dir, name)
		args := append([]string{"se", "request", "--hkd", write(t, dir, name+".hkd.pem", hkd), "--cert", col, "--root-ca", root, "--at", seAt, "--out", out}, extra...)
		if code, o, e := runCLI(args...); code != exitAffirming {
			t.Fatalf("se request %s: exit %d\n%s\n%s", name, code, o, e)
		}
		return out
	}
	answer := func(req string, uv *testvectors.Ultravisor, user []byte, edit func(*se.Answer)) *se.Answer {
		t.Helper()
		arcb, err := os.ReadFile(filepath.Join(req, "arcb.bin"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := uv.Attest(arcb, user)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(a)
		}
		return a
	}
	verifyArgs := func(req, header, file string) []string {
		return []string{"verify", "--offline", "--at", seAt, "--hardware-only", "--nonce", nonceHex, "--se-header", header, "--se-request", req, file}
	}

	genuineReq := request("genuine", w.HKD)
	genuine := write(t, dir, "genuine.bin", answer(genuineReq, w.Host, nonce, nil).MarshalExchange())
	trusteeReq := request("trustee", w.HKD)
	a := answer(trusteeReq, w.Host, nonce, nil)
	trustee := write(t, dir, "trustee.json", a.MarshalTrustee(w.Host.Tags(), nil, nil))

	hdrReq := request("header", w.HKD)
	hdrAns := write(t, dir, "header.bin", answer(hdrReq, w.Host, nonce, nil).MarshalExchange())
	userReq := request("user", w.HKD)
	userAns := write(t, dir, "user.bin", answer(userReq, w.Host, nonce, func(a *se.Answer) { a.UserData[0] ^= 1 }).MarshalExchange())
	measReq := request("meas", w.HKD)
	measAns := write(t, dir, "meas.bin", answer(measReq, w.Host, nonce, func(a *se.Answer) { a.Measurement[0] ^= 1 }).MarshalExchange())
	foreignReq := request("foreign", w.HKDForeign, "--no-verify")
	foreignAns := write(t, dir, "foreign.bin", answer(foreignReq, w.HostForeign, nonce, nil).MarshalExchange())
	revokedReq := request("revoked", w.HKDRevoked, "--no-verify")
	revokedAns := write(t, dir, "revoked.bin", answer(revokedReq, w.HostRevoked, nonce, nil).MarshalExchange())
	expiredReq := request("expired", w.HKDExpired, "--no-verify")
	expiredAns := write(t, dir, "expired.bin", answer(expiredReq, w.HostExpired, nonce, nil).MarshalExchange())

	for _, c := range []struct {
		name   string
		args   []string
		code   int
		inOut  string
		inErrs string
	}{
		{"genuine", verifyArgs(genuineReq, hdr, genuine), exitAffirming, "affirming", ""},
		{"replayed", verifyArgs(genuineReq, hdr, genuine), exitContraindicated, "", "already answered (replay)"},
		{"genuine Trustee JSON", verifyArgs(trusteeReq, hdr, trustee), exitAffirming, "affirming", ""},
		{"wrong SE header", verifyArgs(hdrReq, other, hdrAns), exitContraindicated, "", "SE measurement does not verify"},
		{"changed user-data byte", verifyArgs(userReq, hdr, userAns), exitContraindicated, "", "evidence not bound to this request"},
		{"flipped measurement bit", verifyArgs(measReq, hdr, measAns), exitContraindicated, "", "SE measurement does not verify"},
		{"untrusted host", verifyArgs(foreignReq, hdr, foreignAns), exitContraindicated, "", "not from a trusted IBM Z host"},
		{"revoked HKD", verifyArgs(revokedReq, hdr, revokedAns), exitContraindicated, "", "ibm: certificate revoked"},
		{"expired HKD", verifyArgs(expiredReq, hdr, expiredAns), exitContraindicated, "", "ibm: certificate expired"},
		{"no SE header", []string{"verify", "--offline", "--at", seAt, "--se-request", measReq, measAns}, exitUnavailable, "", "no SE header"},
		{"request refuses a revoked HKD", []string{"se", "request", "--hkd", filepath.Join(dir, "revoked.hkd.pem"), "--cert", col, "--root-ca", root, "--at", seAt, "--out", filepath.Join(dir, "x")}, exitContraindicated, "", "revoked"},
		{"request refuses an expired HKD", []string{"se", "request", "--hkd", filepath.Join(dir, "expired.hkd.pem"), "--cert", col, "--root-ca", root, "--at", seAt, "--out", filepath.Join(dir, "y")}, exitContraindicated, "", "expired"},
		{"request refuses a reused directory", []string{"se", "request", "--hkd", filepath.Join(dir, "genuine.hkd.pem"), "--no-verify", "--out", genuineReq}, exitUsage, "", "already holds a request"},
		{"inspect ARCB", []string{"se", "inspect", filepath.Join(genuineReq, "arcb.bin")}, exitAffirming, `"kind": "ARCB"`, ""},
		{"inspect answer", []string{"se", "inspect", genuine}, exitAffirming, `"kind": "pvattest exchange"`, ""},
		{"inspect header", []string{"se", "inspect", hdr}, exitAffirming, `"kind": "SE header"`, ""},
		{"inspect Trustee", []string{"se", "inspect", trustee}, exitAffirming, `"kind": "Trustee SE evidence"`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(c.args...)
			if code != c.code || !strings.Contains(out, c.inOut) || !strings.Contains(out+errs, c.inErrs) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q / %q", code, c.code, out, errs, c.inOut, c.inErrs)
			}
		})
	}
}
