// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// item is one file of an audit and its verdict.
type item struct {
	path   string
	res    *verify.Result
	err    error // the evidence's failure, if any
	output string
}

func verifyCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("verify", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		collateral     multiFlag
		offline        = fl.Bool("offline", false, "never touch the network")
		at             = fl.String("at", "", "verification time, RFC 3339 (default: now)")
		output         = fl.String("output", "text", "text, json or ear")
		signingKey     = fl.String("signing-key", "", "PEM EC private key that signs the EAR")
		jobs           = fl.Int("jobs", runtime.NumCPU(), "files verified in parallel")
		allowDebug     = fl.Bool("allow-debug", false, "do not contraindicate debug TDs and guests")
		strictTrailing = fl.Bool("strict-trailing", false, "reject evidence followed by non-zero bytes")
		requireCRLs    = fl.Bool("require-crls", false, "fail TDX quotes whose collateral lacks a CRL")
		allowExpired   = fl.Bool("allow-expired-collateral", false, "accept collateral past its nextUpdate, as a warning")
		pcsURL         = fl.String("pcs-url", "", "Intel PCS or PCCS base URL (default: Intel PCS)")
		pcsUpdate      = fl.String("pcs-update", "", "Intel TCB update channel: standard or early")
		intelRoot      = fl.String("intel-root", "", "PEM root to trust instead of the pinned Intel SGX Root CA (test vectors, private PKIs)")
		amdRoot        = fl.String("amd-root", "", "PEM ARK(s) to trust besides the pinned AMD roots (test vectors)")
		snpPolicy      = fl.String("snp-policy", "", "JSON file of SEV-SNP policy checks (the fields of certs/amd.Policy)")
	)
	fl.Var(&collateral, "collateral", "collateral file or directory (repeatable)")
	fl.Usage = func() { usage(stderr) }
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(stderr, "ccverify verify: no evidence file given")
		return exitUsage
	}
	switch *output {
	case "text", "json", "ear":
	default:
		fmt.Fprintf(stderr, "ccverify verify: --output %q: want text, json or ear\n", *output)
		return exitUsage
	}
	if *jobs < 1 {
		*jobs = 1
	}
	opts := verify.Options{
		Offline:                *offline,
		Collateral:             collateral,
		AllowDebug:             *allowDebug,
		StrictTrailingData:     *strictTrailing,
		RequireCRLs:            *requireCRLs,
		AllowExpiredCollateral: *allowExpired,
	}
	if *intelRoot != "" {
		roots, err := loadCerts(*intelRoot)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --intel-root: %v\n", err)
			return exitUsage
		}
		opts.IntelRoots = roots
		fmt.Fprintf(stderr, "ccverify: trusting %s instead of the pinned Intel SGX Root CA\n", *intelRoot)
	}
	if *amdRoot != "" {
		roots, err := loadCerts(*amdRoot)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --amd-root: %v\n", err)
			return exitUsage
		}
		opts.AMDRoots = roots
		fmt.Fprintf(stderr, "ccverify: trusting %s besides the pinned AMD roots\n", *amdRoot)
	}
	if *snpPolicy != "" {
		pol, err := loadSNPPolicy(*snpPolicy)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --snp-policy: %v\n", err)
			return exitUsage
		}
		opts.SNPPolicy = pol
	}
	if *pcsURL != "" || *pcsUpdate != "" {
		opts.IntelPCS = &intel.Client{BaseURL: *pcsURL, Update: *pcsUpdate}
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --at: %v\n", err)
			return exitUsage
		}
		opts.Time = t
	} else {
		opts.Time = time.Now() // one time for the whole audit
	}
	for _, c := range collateral {
		if _, err := os.Stat(c); err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --collateral: %v\n", err)
			return exitUsage
		}
	}
	var key *ecdsa.PrivateKey
	if *output == "ear" {
		var err error
		if key, err = loadSigningKey(*signingKey, stderr); err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --signing-key: %v\n", err)
			return exitUsage
		}
	}
	paths, err := expand(fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "ccverify verify: %v\n", err)
		return exitUsage
	}

	items := make([]item, len(paths))
	for i, p := range paths {
		items[i].path = p
	}
	v := verify.New(opts) // one verifier: collateral loaded and verified once
	progress := newProgress(stderr, len(items))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < *jobs && w < len(items); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				it := &items[i]
				raw, err := os.ReadFile(it.path)
				if err != nil {
					it.err = err
				} else {
					it.res, it.err = v.Evidence(context.Background(), raw)
					it.output, err = render(it.res, *output, key)
					if err != nil && it.err == nil {
						it.err = err
					}
				}
				progress.done()
			}
		}()
	}
	for i := range items {
		work <- i
	}
	close(work)
	wg.Wait()
	progress.finish()

	code := exitAffirming
	var counts [4]int // affirming, warning, contraindicated, unreadable
	for _, it := range items {
		switch {
		case it.res == nil:
			counts[3]++
			fmt.Fprintf(stderr, "ccverify: %s: %v\n", it.path, it.err)
			code = max(code, exitUsage)
			continue
		case it.res.Status == ear.TrustTierAffirming:
			counts[0]++
		case it.res.Status == ear.TrustTierWarning:
			counts[1]++
			code = max(code, exitWarning)
		default:
			counts[2]++
			code = max(code, exitContraindicated)
		}
		if it.err != nil {
			fmt.Fprintf(stderr, "ccverify: %s: %v\n", it.path, it.err)
		}
		if *output == "text" {
			fmt.Fprintf(stdout, "%s: %s", it.path, it.output)
		} else {
			fmt.Fprintln(stdout, it.output)
		}
	}
	if len(items) > 1 || *output == "text" {
		summary := fmt.Sprintf("%d file(s): %d affirming, %d warning, %d contraindicated or failed", len(items), counts[0], counts[1], counts[2])
		if counts[3] > 0 {
			summary += fmt.Sprintf(", %d unreadable", counts[3])
		}
		if *output == "text" {
			fmt.Fprintln(stdout, summary)
		} else {
			fmt.Fprintln(stderr, summary)
		}
	}
	return code
}

// render formats one verdict for --output.
func render(r *verify.Result, output string, key *ecdsa.PrivateKey) (string, error) {
	switch output {
	case "json":
		b, err := r.EAR().MarshalJSON()
		return string(b), err
	case "ear":
		b, err := verify.SignEAR(r.EAR(), key)
		return string(b), err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s", r.Status)
	if r.Format != "" {
		fmt.Fprintf(&sb, " (%s", r.Format)
		if v, ok := r.Claims["quote_version"]; ok {
			fmt.Fprintf(&sb, " quote v%v", v)
		}
		if v, ok := r.Claims["fmspc"]; ok {
			fmt.Fprintf(&sb, ", FMSPC %v", v)
		}
		if v, ok := r.Claims["tcb_status"]; ok {
			fmt.Fprintf(&sb, ", TCB %v", v)
		}
		sb.WriteString(")")
	}
	fmt.Fprintf(&sb, " at %s\n", r.Time.UTC().Format(time.RFC3339))
	for _, reason := range r.Reasons {
		fmt.Fprintf(&sb, "  - %s\n", reason)
	}
	if q, ok := r.Claims["quote"].(map[string]any); ok {
		if body, ok := q["body"].(map[string]any); ok {
			for _, k := range []string{"mr_td", "rtmr_0", "rtmr_1", "rtmr_2", "rtmr_3", "report_data"} {
				fmt.Fprintf(&sb, "  %-12s %v\n", k, body[k])
			}
		}
	}
	if v, ok := r.Claims["measurement"]; ok {
		fmt.Fprintf(&sb, "  %-12s %v\n", "measurement", v)
	}
	if !r.Expires.IsZero() {
		fmt.Fprintf(&sb, "  valid until %s\n", r.Expires.UTC().Format(time.RFC3339))
	}
	return sb.String(), nil
}

// expand turns the arguments into the files to verify: a directory stands for
// every regular file below it, in lexical order.
func expand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		var files []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

// loadSigningKey reads a PEM EC private key (SEC 1 or PKCS #8), or makes an
// ephemeral P-256 key and says so on stderr with its public key.
func loadSigningKey(path string, stderr io.Writer) (*ecdsa.PrivateKey, error) {
	if path == "" {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "ccverify: signing EARs with an ephemeral P-256 key (pass --signing-key to choose one); its public key:\n%s",
			pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		return k, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, errors.New("no EC PRIVATE KEY or PRIVATE KEY block")
		}
		switch block.Type {
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(block.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, err
			}
			ek, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("key type %T: want an EC key", k)
			}
			return ek, nil
		}
	}
}

// progress counts finished files on stderr when it is a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	n, of int
}

func newProgress(w io.Writer, of int) *progress {
	p := &progress{w: w, of: of}
	if f, ok := w.(*os.File); ok && of > 1 {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.on {
		fmt.Fprintf(p.w, "\rverified %d/%d", p.n, p.of)
	}
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}

// loadCerts reads the PEM certificates of a file.
func loadCerts(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no CERTIFICATE block")
	}
	return certs, nil
}

// loadSNPPolicy reads an amd.Policy from JSON whose keys are its field names,
// e.g. {"MinimumTCB": {"BootLoader": 3, "SNP": 20, "Microcode": 209}, "DenyDebug": true}.
// Unknown keys are an error: a misspelt check must not pass silently.
func loadSNPPolicy(path string) (*amd.Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var pol amd.Policy
	if err := d.Decode(&pol); err != nil {
		return nil, err
	}
	return &pol, nil
}
