// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/ecdh"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/ibm"
	"github.com/ccverify/ccverify/evidence/se"
	"github.com/ccverify/ccverify/verify"
)

// Files of an SE request directory (ccverify se request --out DIR). It is
// the verifier's own state: the secret opens and forges answers to the
// request, and the root and collateral are the trust decisions made when
// the request was built.
const (
	seARCBFile       = "arcb.bin"           // the request, for the guest
	seSecretFile     = "secret.json"        // ARPK, measurement key, nonce, flags (0600)
	seHKDFile        = "hkds.pem"           // the host key documents the request was built for
	seCollateralFile = "ibm-collateral.pem" // IBM signing key, intermediates, CRLs
	seRootFile       = "root.pem"           // a root given with --root-ca (test PKIs)
	seAnsweredFile   = "answered"           // written once an answer verified: replays are refused
)

func seCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: ccverify se request|inspect ...")
		return exitUsage
	}
	switch args[0] {
	case "request":
		return seRequestCmd(args[1:], stdout, stderr)
	case "inspect":
		return seInspectCmd(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ccverify se: unknown command %q: want request or inspect\n", args[0])
	return exitUsage
}

var seFlagNames = map[string]se.Flags{
	"image-phkh": se.FlagImagePHKH, "attest-phkh": se.FlagAttestPHKH,
	"secret-store-hash": se.FlagSecretStoreHash, "firmware-state": se.FlagFirmwareState,
}

func seRequestCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("se request", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var hkds, certFiles, crlFiles multiFlag
	fl.Var(&hkds, "hkd", "host key document of a host that may answer (repeatable)")
	fl.Var(&certFiles, "cert", "IBM Z signing key and intermediate certificates (repeatable)")
	fl.Var(&crlFiles, "crl", "CRLs of the signing key and of every CA (repeatable)")
	var (
		flags    = fl.String("flags", "image-phkh,attest-phkh", "additional data asked for: image-phkh, attest-phkh, secret-store-hash, firmware-state")
		out      = fl.String("out", "", "directory to write the request and its secret to")
		rootCA   = fl.String("root-ca", "", "PEM root to trust instead of the pinned DigiCert Trusted Root G4 (test PKIs)")
		at       = fl.String("at", "", "time the host key documents are checked at, RFC 3339 (default: now)")
		noVerify = fl.Bool("no-verify", false, "build the request without checking the host key documents (verify still checks them)")
	)
	pos, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 || *out == "" || len(hkds) == 0 {
		fmt.Fprintln(stderr, "usage: ccverify se request --hkd HKD... [--flags LIST] [--cert F] [--crl F] [--root-ca F] --out DIR")
		return exitUsage
	}
	var f se.Flags
	for _, n := range strings.Split(*flags, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		b, ok := seFlagNames[n]
		if !ok {
			fmt.Fprintf(stderr, "ccverify se request: --flags: unknown %q\n", n)
			return exitUsage
		}
		f |= b
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify se request: --at %q: want RFC 3339\n", *at)
			return exitUsage
		}
		now = t
	}
	var hkdPEM, colPEM, rootPEM []byte
	var hosts []*x509.Certificate
	for _, p := range hkds {
		b, err := os.ReadFile(p)
		if err == nil {
			var cs []*x509.Certificate
			if cs, _, err = ibm.Load(b); err == nil && len(cs) == 0 {
				err = errors.New("no certificate")
			}
			hosts = append(hosts, cs...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ccverify se request: --hkd %s: %v\n", p, err)
			return exitUsage
		}
	}
	var certs []*x509.Certificate
	var crls []*x509.RevocationList
	for _, p := range append(append([]string{}, certFiles...), crlFiles...) {
		b, err := os.ReadFile(p)
		if err == nil {
			var cs []*x509.Certificate
			var ls []*x509.RevocationList
			cs, ls, err = ibm.Load(b)
			certs, crls = append(certs, cs...), append(crls, ls...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ccverify se request: %s: %v\n", p, err)
			return exitUsage
		}
	}
	var roots []*x509.Certificate
	if *rootCA != "" {
		rs, err := loadCerts(*rootCA)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify se request: --root-ca: %v\n", err)
			return exitUsage
		}
		roots = rs
		rootPEM = pemCerts(rs)
		fmt.Fprintf(stderr, "ccverify: trusting %s instead of the pinned DigiCert Trusted Root G4\n", *rootCA)
	}
	if !*noVerify {
		chain, err := ibm.VerifyChain(certs, crls, &ibm.Options{Now: now, Roots: roots})
		if err != nil {
			fmt.Fprintf(stderr, "ccverify se request: IBM Z signing key: %v\n", err)
			return exitContraindicated
		}
		for _, h := range hosts {
			if _, err := chain.VerifyHKD(h); err != nil {
				fmt.Fprintf(stderr, "ccverify se request: %v\n", err)
				return exitContraindicated
			}
		}
	}
	hostKeys, err := hostKeys(hosts)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify se request: %v\n", err)
		return exitUsage
	}
	req, err := se.NewRequest(nil, hostKeys, f)
	if err == nil {
		var arcb []byte
		if arcb, err = req.Marshal(); err == nil {
			hkdPEM = pemCerts(hosts)
			colPEM = append(pemCerts(certs), pemCRLs(crls)...)
			err = writeSERequest(*out, arcb, &req.Secret, hkdPEM, colPEM, rootPEM)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "ccverify se request: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "wrote %s (ARCB for %d hosts, flags %#016x) and its secret %s: keep the directory private\n",
		filepath.Join(*out, seARCBFile), len(hosts), uint64(req.Secret.Flags), filepath.Join(*out, seSecretFile))
	return exitAffirming
}

func hostKeys(hosts []*x509.Certificate) ([]*ecdh.PublicKey, error) {
	var out []*ecdh.PublicKey
	for _, h := range hosts {
		k, err := se.HostKey(h.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("host key document %q: %w", h.Subject, err)
		}
		out = append(out, k)
	}
	return out, nil
}

func pemCerts(cs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func pemCRLs(ls []*x509.RevocationList) []byte {
	var out []byte
	for _, l := range ls {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: l.Raw})...)
	}
	return out
}

// writeSERequest writes a request directory; the directory must not hold
// a request already.
func writeSERequest(dir string, arcb []byte, s *se.Secret, hkds, col, root []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, seSecretFile)); err == nil {
		return fmt.Errorf("%s already holds a request: use a new directory per request", dir)
	}
	sec, err := json.Marshal(s)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode fs.FileMode
	}{{seSecretFile, append(sec, '\n'), 0o600}, {seARCBFile, arcb, 0o644}, {seHKDFile, hkds, 0o644}, {seCollateralFile, col, 0o644}, {seRootFile, root, 0o644}}
	for _, f := range files {
		if f.data == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// loadSERequest reads a request directory into o: the secret and ARCB, the
// host key documents, the IBM collateral, the root chosen at request time,
// and a replay guard that records the answered request in the directory.
func loadSERequest(dir string, o *verify.SEOptions) error {
	b, err := os.ReadFile(filepath.Join(dir, seSecretFile))
	if err != nil {
		return err
	}
	req := &verify.SERequest{}
	if err := json.Unmarshal(b, &req.Secret); err != nil {
		return fmt.Errorf("%s: %w", seSecretFile, err)
	}
	if req.ARCB, err = os.ReadFile(filepath.Join(dir, seARCBFile)); err != nil {
		return err
	}
	o.Request = req
	if b, err := os.ReadFile(filepath.Join(dir, seHKDFile)); err == nil {
		o.HKDs = append(o.HKDs, b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, seCollateralFile)); err == nil {
		o.Collateral = append(o.Collateral, b)
	}
	if _, err := os.Stat(filepath.Join(dir, seRootFile)); err == nil {
		rs, err := loadCerts(filepath.Join(dir, seRootFile))
		if err != nil {
			return fmt.Errorf("%s: %w", seRootFile, err)
		}
		o.Roots = rs
	}
	o.Replay = replayDir(dir)
	return nil
}

// replayDir records the answered request as a file in the request
// directory, created exclusively: a second answer is a replay.
type replayDir string

func (d replayDir) Consume(id [32]byte) error {
	p := filepath.Join(string(d), seAnsweredFile)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: request %x (%s exists)", verify.ErrReplay, id[:8], p)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%x %s\n", id, time.Now().UTC().Format(time.RFC3339))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// seInspectCmd prints an ARCB, an answer (pvattest or Trustee JSON) or an SE
// header (or image), detected from the bytes.
func seInspectCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: ccverify se inspect FILE")
		return exitUsage
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "ccverify se inspect: %v\n", err)
		return exitUsage
	}
	m, err := describeSE(b)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify se inspect: %s: %v\n", args[0], err)
		return exitUsage
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(m)
	return exitAffirming
}

func describeSE(b []byte) (map[string]any, error) {
	x := hex.EncodeToString
	if se.IsExchange(b) {
		a, err := se.ParseExchange(b)
		if err != nil {
			return nil, err
		}
		m := map[string]any{"kind": "pvattest exchange", "arcb_size": len(a.ARCB), "measurement": x(a.Measurement),
			"additional_data": x(a.AdditionalData), "user_data": x(a.UserData), "cuid": x(a.CUID)}
		if arcb, err := se.ParseARCB(a.ARCB); err == nil {
			m["arcb"] = describeARCB(arcb)
		}
		return m, nil
	}
	if h, err := se.FindHeader(b); err == nil {
		t := h.Tags()
		var slots []string
		for _, p := range h.KeySlotPHKHs {
			slots = append(slots, x(p[:]))
		}
		return map[string]any{"kind": "SE header", "version": h.Version, "size": len(h.Raw()), "pcf": fmt.Sprintf("%#016x", h.PCF),
			"pld": x(t.PLD()), "ald": x(t.ALD()), "tld": x(t.TLD()), "tag": x(t.Tag()), "key_slot_phkhs": slots}, nil
	}
	if a, err := se.ParseARCB(b); err == nil {
		return describeARCB(a), nil
	}
	if a, err := se.ParseTrustee(b); err == nil {
		return map[string]any{"kind": "Trustee SE evidence", "measurement": x(a.Measurement), "additional_data": x(a.AdditionalData),
			"user_data": x(a.UserData), "cuid": x(a.CUID), "image_hdr_tags": x(a.Trustee.ImageHdrTags)}, nil
	}
	return nil, errors.New("not an ARCB, SE answer or SE header")
}

func describeARCB(a *se.ARCB) map[string]any {
	var slots []string
	for _, p := range a.SlotPHKHs() {
		slots = append(slots, hex.EncodeToString(p[:]))
	}
	return map[string]any{"kind": "ARCB", "version": fmt.Sprintf("%#x", a.Version), "size": len(a.Raw()), "flags": fmt.Sprintf("%#016x", uint64(a.Flags)),
		"mai": a.MAI, "key_slot_phkhs": slots}
}
