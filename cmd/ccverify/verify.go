// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
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
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/policy/rego"
	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// item is one file of an audit and its verdict.
type item struct {
	path    string
	fromDir bool // found in a directory argument, not named
	tsmDir  bool // a configfs-tsm report directory: one piece of evidence
	res     *verify.Result
	err     error // the evidence's failure, if any
	output  string
}

// skipped reports an item of a directory audit that is not evidence at all
// (a certificate, a CRL, a README): counted and named with --verbose, not
// judged.
func (it *item) skipped() bool {
	return it.fromDir && errors.Is(it.err, verify.ErrFormat)
}

// exitCode is the item's exit status (see the package doc).
func (it *item) exitCode() int {
	switch {
	case it.res == nil, errors.Is(it.err, verify.ErrFormat), errors.Is(it.err, verify.ErrTooLarge):
		return exitUsage // unreadable, or not evidence
	case errors.Is(it.err, amd.ErrPolicyInvalid):
		return exitUsage // --snp-policy asks for what the product cannot have
	case errors.Is(it.err, verify.ErrUnavailable):
		return exitUnavailable
	case it.res.Status == ear.TrustTierAffirming:
		return exitAffirming
	case it.res.Status == ear.TrustTierWarning:
		return exitWarning
	}
	return exitContraindicated
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
		verbose        = fl.Bool("verbose", false, "name the files of a directory that are not evidence")
		fromList       = fl.String("from-list", "", "read the paths to verify from FILE (- for stdin), one a line, streamed")
		allowDebug     = fl.Bool("allow-debug", false, "do not contraindicate debug TDs and guests")
		strictTrailing = fl.Bool("strict-trailing", false, "reject evidence followed by non-zero bytes")
		requireCRLs    = fl.Bool("require-crls", false, "fail evidence whose collateral lacks a usable (genuine, current) CRL for its chain")
		requireCol     = fl.Bool("require-collateral", false, "fail TDX quotes whose collateral is missing or unusable (QVL behaviour)")
		minEvalNum     = fl.Int("min-tcb-eval-num", 0, "Intel TCB Info and QE Identity below this tcbEvaluationDataNumber are not used")
		maxColAge      = fl.Duration("max-collateral-age", 0, "Intel collateral issued longer ago than this is not used (e.g. 720h)")
		allowExpired   = fl.Bool("allow-expired-collateral", false, "accept collateral past its nextUpdate, as a warning")
		maxSize        = fl.Int("max-size", verify.DefaultMaxEvidenceSize, "largest evidence file read, in bytes")
		pcsURL         = fl.String("pcs-url", "", "Intel PCS or PCCS base URL (default: Intel PCS)")
		pcsUpdate      = fl.String("pcs-update", "", "Intel TCB update channel: standard or early")
		intelRoot      = fl.String("intel-root", "", "PEM root to trust instead of the pinned Intel SGX Root CA (test vectors, private PKIs)")
		amdRoot        = fl.String("amd-root", "", "PEM ARK(s) to trust besides the pinned AMD roots (test vectors)")
		snpPolicy      = fl.String("snp-policy", "", "JSON file of SEV-SNP policy checks (the fields of certs/amd.Policy)")
		policyFile     = fl.String("policy", "", "appraisal policy: FILE.rego (a Trustee Rego policy, which sets the trust vector), builtin:default (ccverify's copy of Trustee's default CPU policy), or JSON (verify.Policy): accepted TCB statuses, CRLs, debug, SNP checks, …")
		rvpsFiles      multiFlag
		hardwareOnly   = fl.Bool("hardware-only", false, "accept genuine hardware alone as affirming when no reference values apply")
		refKeys        multiFlag
		refRoots       multiFlag
		refFiles       multiFlag
		expects        multiFlag
		nonce          = fl.String("nonce", "", "hex nonce REPORT_DATA must carry (zero padded, or hashed with --report-data-hash)")
		reportData     = fl.String("report-data", "", "hex REPORT_DATA expected exactly (zero padded to 64 bytes)")
		reportDataHash = fl.String("report-data-hash", "", "sha256, sha384 or sha512: REPORT_DATA = hash(nonce || runtime data)")
		runtimeData    = fl.String("runtime-data", "", "file of runtime data hashed after the nonce (with --report-data-hash)")
		keyID          = fl.String("key-id", "", "kid header of the signed EAR")
		earLifetime    = fl.Duration("ear-lifetime", 0, "bound the EAR's exp to now + this (default: the collateral's expiry alone)")
		earProfile     = fl.String("ear-profile", "", "EAR shape: default ear-go's (Veraison); draft-03 for draft-ietf-rats-ear-03; trustee for Trustee's attestation service (submodule cpu0, its annotated evidence)")
		seHeader       = fl.String("se-header", "", "IBM SE: the guest's SE header or image, whose tags the measurement covers")
		seRequest      = fl.String("se-request", "", "IBM SE: the request directory (ccverify se request --out) the answer answers")
		eventLogFile   = fl.String("eventlog", "", "TDX: the TD's CC event log (/sys/firmware/acpi/tables/data/CCEL), replayed against the quote's RTMRs; Azure vTPM: the TPM log (binary_bios_measurements), against its PCRs")
		ccelTable      = fl.String("ccel-table", "", "TDX: the ACPI CCEL table (/sys/firmware/acpi/tables/CCEL), checked against --eventlog")
	)
	fl.Var(&collateral, "collateral", "collateral file or directory (repeatable)")
	fl.Var(&rvpsFiles, "rvps", "Trustee reference values by id for a Rego policy's query_reference_value: an RVPS sample message or {\"id\": [values]} (repeatable)")
	fl.Var(&refFiles, "refvalues", "reference values: a CoRIM (signed or not) or expected-values JSON (repeatable)")
	fl.Var(&refKeys, "refvalues-key", "PEM public key or certificate trusted to sign CoRIMs (repeatable)")
	fl.Var(&refRoots, "refvalues-root", "PEM root certificate(s) a signed CoRIM's x5chain must chain to (repeatable)")
	fl.Var(&expects, "expect", "NAME=VALUE: an expected claim value, e.g. mr_td=HEX (repeatable; several values of one name are alternatives)")
	files, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 && *fromList == "" {
		fmt.Fprintln(stderr, "ccverify verify: no evidence file given")
		return exitUsage
	}
	if len(files) > 0 && *fromList != "" {
		fmt.Fprintln(stderr, "ccverify verify: give files or --from-list, not both")
		return exitUsage
	}
	switch *earProfile {
	case "", verify.ProfileDraft03, verify.ProfileTrustee:
	default:
		fmt.Fprintf(stderr, "ccverify verify: --ear-profile %q: want draft-03 or trustee (or nothing for ear-go's names)\n", *earProfile)
		return exitUsage
	}
	switch *output {
	case "text", "json", "ear":
	default:
		fmt.Fprintf(stderr, "ccverify verify: --output %q: want text, json or ear\n", *output)
		return exitUsage
	}
	if *jobs < 1 {
		fmt.Fprintf(stderr, "ccverify verify: --jobs %d: want at least 1\n", *jobs)
		return exitUsage
	}
	if *maxSize < 1 {
		fmt.Fprintf(stderr, "ccverify verify: --max-size %d: want at least 1\n", *maxSize)
		return exitUsage
	}
	opts := verify.Options{
		Offline:            *offline,
		Collateral:         collateral,
		AllowDebug:         *allowDebug,
		StrictTrailingData: *strictTrailing,
		RequireCRLs:        *requireCRLs,
		RequireCollateral:  *requireCol,
		MaxCollateralAge:   *maxColAge,

		Intel:                  verify.IntelOptions{MinTCBEvaluationDataNumber: *minEvalNum},
		AllowExpiredCollateral: *allowExpired,
		MaxEvidenceSize:        *maxSize,
	}
	if code, ok := eventLogOptions(&opts, *eventLogFile, *ccelTable, files, *fromList != "", stderr); !ok {
		return code
	}
	if *intelRoot != "" {
		roots, err := loadCerts(*intelRoot)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --intel-root: %v\n", err)
			return exitUsage
		}
		opts.Intel.Roots = roots
		fmt.Fprintf(stderr, "ccverify: trusting %s instead of the pinned Intel SGX Root CA\n", *intelRoot)
	}
	if *amdRoot != "" {
		roots, err := loadCerts(*amdRoot)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --amd-root: %v\n", err)
			return exitUsage
		}
		opts.AMD.Roots = roots
		fmt.Fprintf(stderr, "ccverify: trusting %s besides the pinned AMD roots\n", *amdRoot)
	}
	if *snpPolicy != "" {
		pol, err := loadSNPPolicy(*snpPolicy)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --snp-policy: %v\n", err)
			return exitUsage
		}
		opts.AMD.Policy = pol
	}
	switch {
	case *policyFile == "builtin:default":
		opts.Appraiser = rego.Default()
	case strings.HasSuffix(*policyFile, ".rego"):
		p, err := rego.Load(*policyFile)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --policy: %v\n", err)
			return exitUsage
		}
		opts.Appraiser = p
	case *policyFile != "":
		b, err := os.ReadFile(*policyFile)
		if err == nil {
			opts.Policy, err = verify.ParsePolicy(b)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --policy: %v\n", err)
			return exitUsage
		}
	}
	for _, f := range rvpsFiles {
		b, err := os.ReadFile(f)
		var rv refvalues.RVPS
		if err == nil {
			rv, err = refvalues.ParseRVPS(b)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --rvps %s: %v\n", f, err)
			return exitUsage
		}
		if opts.RefValues.RVPS == nil {
			opts.RefValues.RVPS = refvalues.RVPS{}
		}
		for k, v := range rv {
			opts.RefValues.RVPS[k] = v
		}
	}
	if len(rvpsFiles) > 0 && opts.Appraiser == nil {
		fmt.Fprintln(stderr, "ccverify verify: --rvps: reference values by Trustee id are read by a Rego policy only (--policy FILE.rego or builtin:default)")
		return exitUsage
	}
	opts.RefValues.HardwareOnly = *hardwareOnly
	if *pcsURL != "" || *pcsUpdate != "" {
		opts.Intel.PCS = &intel.Client{BaseURL: *pcsURL, Update: *pcsUpdate}
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --at %q: want an RFC 3339 time such as 2026-03-01T00:00:00Z\n", *at)
			return exitUsage
		}
		opts.Time = t
	} else {
		opts.Time = time.Now() // one time for the whole audit
	}
	// Reference values are checked (signature validity, rim-validity) at the
	// verification time, as everything else is.
	set, err := loadRefValues(refFiles, refKeys, refRoots, expects, opts.Time)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify verify: %v\n", err)
		return exitUsage
	}
	opts.RefValues.Set = set
	for _, c := range collateral {
		if _, err := os.Stat(c); err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --collateral: %v\n", err)
			return exitUsage
		}
	}
	var key *earKey
	if *output == "ear" {
		signer, err := loadSigningKey(*signingKey, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --signing-key: %v\n", err)
			return exitUsage
		}
		key = &earKey{signer: signer, id: *keyID, lifetime: *earLifetime, profile: *earProfile}
	} else if *earProfile != "" {
		key = &earKey{profile: *earProfile} // --output json in that profile
	}
	if code, ok := bindingFlags(&opts.Binding, *nonce, *reportData, *reportDataHash, *runtimeData, stderr); !ok {
		return code
	}
	if *seHeader != "" {
		b, err := os.ReadFile(*seHeader)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --se-header: %v\n", err)
			return exitUsage
		}
		opts.SE.Header = b
	}
	if *seRequest != "" {
		if err := loadSERequest(*seRequest, &opts.SE); err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --se-request: %v\n", err)
			return exitUsage
		}
	}
	var src auditSource
	total := -1
	if *fromList != "" {
		f, err := openList(*fromList)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --from-list: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		src = listSource(f)
	} else {
		items, err := expand(files)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify verify: %v\n", err)
			return exitUsage
		}
		src, total = sliceSource(items), len(items)
	}
	v := verify.New(opts) // one verifier: collateral loaded and verified once
	if unrec, err := v.UnrecognizedCollateral(); err != nil {
		fmt.Fprintf(stderr, "ccverify verify: --collateral: %v\n", err)
		return exitUsage
	} else {
		for _, p := range unrec {
			fmt.Fprintf(stderr, "ccverify: warning: --collateral %s: not collateral ccverify recognizes; ignored\n", p)
		}
	}
	if os.Getenv("GOGC") == "" && (total != 1 || *fromList != "") {
		// An audit keeps a few MB live and makes ~100 small allocations a
		// quote: at GOGC=100 the collector's marking takes a second core's
		// share. At 400 the heap peaks ~12 MB higher, bounded as before
		// (BENCHMARKS.md, Audits); GOGC in the environment wins.
		debug.SetGCPercent(400)
	}
	code, err = audit(v, src, *jobs, newReporter(*output, *verbose, stdout, stderr), newProgress(stderr, total), *output, key, *maxSize)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify verify: --from-list: %v\n", err)
		return max(code, exitUsage)
	}
	return code
}

// verifyItem reads and verifies one file and renders its verdict.
func verifyItem(v *verify.Verifier, it *item, output string, key *earKey, maxSize int) {
	if it.tsmDir {
		it.res, it.err = v.EvidenceDir(context.Background(), it.path)
	} else {
		raw, err := readEvidence(it.path, maxSize)
		if err != nil {
			it.err = err
			return
		}
		it.res, it.err = v.Evidence(context.Background(), raw)
	}
	if errors.Is(it.err, verify.ErrFormat) || errors.Is(it.err, verify.ErrTooLarge) {
		return // not evidence: no verdict, and no signed EAR for it
	}
	out, err := render(it.res, it.path, output, key)
	it.output = out
	if err != nil && it.err == nil {
		it.err = err
	}
}

// hint adds what a user should do about an input that is not evidence.
func hint(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "collateral, not evidence"):
		return " (pass it with --collateral)"
	case errors.Is(err, verify.ErrTooLarge):
		return " (--max-size raises the limit)"
	}
	return ""
}

// readEvidence reads a regular file of at most max bytes. Devices, FIFOs and
// sockets are refused before anything is read: /dev/zero never ends and a
// FIFO blocks.
func readEvidence(path string, max int) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		kind := "not a regular file"
		switch t := fi.Mode().Type(); {
		case t&fs.ModeDevice != 0:
			kind = "a device"
		case t&fs.ModeNamedPipe != 0:
			kind = "a FIFO"
		case t&fs.ModeSocket != 0:
			kind = "a socket"
		case t&fs.ModeDir != 0:
			kind = "a directory"
		}
		return nil, fmt.Errorf("%s, not a regular file: evidence is read from files", kind)
	}
	if fi.Size() > int64(max) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d (--max-size)", verify.ErrTooLarge, fi.Size(), max)
	}
	b, err := readAll(f, fi.Size(), max)
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, fmt.Errorf("%w: more than %d bytes (--max-size)", verify.ErrTooLarge, max)
	}
	if len(b) == 0 {
		return nil, errors.New("empty file")
	}
	return b, nil
}

// readAll reads f, whose size was size, in one buffer of that size (plus
// the byte that tells a file grown since): io.ReadAll starts at 512 bytes
// and grows, a dozen allocations for a quote. It reads at most max+1 bytes.
func readAll(f io.Reader, size int64, max int) ([]byte, error) {
	b := make([]byte, 0, min(size, int64(max))+1)
	for len(b) <= max {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grown since Stat: let append size it
		}
		n, err := f.Read(b[len(b):min(cap(b), max+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// render formats one verdict for --output. JSON lines carry the file's path
// beside the EAR (whose claims carry the evidence's SHA-256), so that lines
// can be matched to files without relying on their order.
func render(r *verify.Result, path, output string, key *earKey) (string, error) {
	switch output {
	case "json":
		var b []byte
		var err error
		if key != nil && key.profile != "" {
			b, err = r.EARJSONWith(verify.EAROptions{Profile: key.profile})
		} else {
			b, err = r.EARJSON()
		}
		if err != nil {
			return "", err
		}
		// The claims set with "path" added: spliced into the object rather
		// than decoded and encoded again (an audit renders every line).
		p, err := json.Marshal(path)
		if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
			return "", fmt.Errorf("rendering the EAR claims set: %v", err)
		}
		var sb strings.Builder
		sb.Grow(len(b) + len(p) + 10)
		sb.Write(b[:len(b)-1])
		sb.WriteString(`,"path":`)
		sb.Write(p)
		sb.WriteByte('}')
		return sb.String(), nil
	case "ear":
		b, err := r.SignWith(key.signer, verify.EAROptions{KeyID: key.id, Profile: key.profile}, key.lifetime)
		if err != nil {
			return "", err
		}
		line, err := json.Marshal(map[string]string{"path": path, "evidence_sha256": fmt.Sprint(r.Claims["evidence_sha256"]), "ear": string(b)})
		return string(line), err
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
		if _, ok := r.Claims["measurement"]; ok && (r.Format == verify.FormatSNP || r.Format == verify.FormatAzSNPvTPM) {
			fmt.Fprintf(&sb, " report v%v, %v, %v", r.Claims["version"], r.Claims["product"], r.Claims["signing_key"])
			tcb := fmt.Sprintf(", TCB bl %v tee %v snp %v ucode %v", r.Claims["reported_tcb_bootloader"], r.Claims["reported_tcb_tee"], r.Claims["reported_tcb_snp"], r.Claims["reported_tcb_microcode"])
			if v, ok := r.Claims["reported_tcb_fmc"]; ok {
				tcb += fmt.Sprintf(" fmc %v", v)
			}
			sb.WriteString(tcb)
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
	if r.Format == verify.FormatSNP || r.Format == verify.FormatAzSNPvTPM {
		for _, k := range []string{"measurement", "report_data", "host_data", "chip_id"} {
			if v, ok := r.Claims[k]; ok {
				fmt.Fprintf(&sb, "  %-12s %v\n", k, v)
			}
		}
	}
	if tpm, ok := r.Claims["tpm"].(map[string]any); ok {
		names := make([]string, 0, len(tpm))
		for k := range tpm {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&sb, "  tpm.%-8s %v\n", k, tpm[k])
		}
	}
	if v, ok := r.Claims["evidence_sha256"]; ok {
		fmt.Fprintf(&sb, "  %-12s %v\n", "sha256", v)
	}
	if !r.Expires.IsZero() {
		fmt.Fprintf(&sb, "  valid until %s\n", r.Expires.UTC().Format(time.RFC3339))
	}
	return sb.String(), nil
}

// expand turns the arguments into the files to verify: a directory stands for
// every regular file below it, in lexical order, except that a configfs-tsm
// report directory (outblob, provider, …) is one piece of evidence.
func expand(args []string) ([]item, error) {
	var out []item
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, item{path: a})
			continue
		}
		if verify.IsTSMReportDir(a) {
			out = append(out, item{path: a, tsmDir: true})
			continue
		}
		var found []item
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case d.IsDir() && p != a && verify.IsTSMReportDir(p):
				found = append(found, item{path: p, fromDir: true, tsmDir: true})
				return fs.SkipDir
			case d.Type().IsRegular():
				found = append(found, item{path: p, fromDir: true})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no evidence in %s: it holds no files", a)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		out = append(out, found...)
	}
	return out, nil
}

// earKey is how --output ear signs.
type earKey struct {
	signer   crypto.Signer
	id       string
	lifetime time.Duration
	profile  string // verify.EAROptions.Profile
}

// loadSigningKey reads a PEM private key (EC: SEC 1 or PKCS #8; Ed25519:
// PKCS #8), or makes an ephemeral P-256 key and says so on stderr with its
// public key.
func loadSigningKey(path string, stderr io.Writer) (crypto.Signer, error) {
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
	block, err := firstPEM(path, "EC PRIVATE KEY", "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	if block.Type == "EC PRIVATE KEY" {
		return x509.ParseECPrivateKey(block.Bytes)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("key type %T: want an EC or Ed25519 key", k)
}

// firstPEM returns the first PEM block of one of the given types in the file.
func firstPEM(path string, types ...string) (*pem.Block, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, fmt.Errorf("no %s block", strings.Join(types, " or "))
		}
		if slices.Contains(types, block.Type) {
			return block, nil
		}
	}
}

// loadRefValues reads --refvalues files (CoRIMs, signed ones verified with
// the --refvalues-key keys; unsigned ones and expected-values JSON accepted
// because the operator named the file) and --expect values.
func loadRefValues(files, keyFiles, rootFiles, expects []string, at time.Time) (refvalues.Set, error) {
	var roots *x509.CertPool
	for _, r := range rootFiles {
		certs, err := loadCerts(r)
		if err != nil {
			return nil, fmt.Errorf("--refvalues-root %s: %w", r, err)
		}
		if roots == nil {
			roots = x509.NewCertPool()
		}
		for _, c := range certs {
			roots.AddCert(c)
		}
	}
	var keys []refvalues.TrustedKey
	for _, k := range keyFiles {
		pub, err := loadPublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("--refvalues-key %s: %w", k, err)
		}
		keys = append(keys, refvalues.TrustedKey{Public: pub})
	}
	var set refvalues.Set
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--refvalues: %w", err)
		}
		doc, err := refvalues.Load(b, refvalues.LoadOptions{Name: f, Keys: keys, Roots: roots, Time: at, AllowUnsigned: true})
		if err != nil {
			if errors.Is(err, refvalues.ErrUntrustedSigner) && len(keys) == 0 && roots == nil {
				return nil, fmt.Errorf("--refvalues %s: %w (pass the signer's key with --refvalues-key, or its root with --refvalues-root)", f, err)
			}
			return nil, fmt.Errorf("--refvalues %s: %w", f, err)
		}
		set = append(set, doc)
	}
	if len(expects) > 0 {
		values := map[string][]string{}
		for _, e := range expects {
			name, value, ok := strings.Cut(e, "=")
			if !ok || name == "" || value == "" {
				return nil, fmt.Errorf("--expect %q: want NAME=VALUE, e.g. mr_td=<96 hex>", e)
			}
			values[name] = append(values[name], value)
		}
		doc, err := refvalues.Expect(values)
		if err != nil {
			return nil, fmt.Errorf("--expect: %w", err)
		}
		set = append(set, doc)
	}
	return set, nil
}

// bindingFlags fills b from --nonce, --report-data, --report-data-hash and
// --runtime-data; ok false means a usage error, already reported.
func bindingFlags(b *verify.Binding, nonce, reportData, hash, runtimeData string, stderr io.Writer) (int, bool) {
	var err error
	if nonce != "" {
		if b.Nonce, err = hex.DecodeString(nonce); err != nil || len(b.Nonce) == 0 {
			fmt.Fprintf(stderr, "ccverify verify: --nonce %q: want hex\n", nonce)
			return exitUsage, false
		}
	}
	if reportData != "" {
		if b.ReportData, err = hex.DecodeString(reportData); err != nil || len(b.ReportData) == 0 {
			fmt.Fprintf(stderr, "ccverify verify: --report-data %q: want hex\n", reportData)
			return exitUsage, false
		}
	}
	switch hash {
	case "":
	case "sha256":
		b.Hash = crypto.SHA256
	case "sha384":
		b.Hash = crypto.SHA384
	case "sha512":
		b.Hash = crypto.SHA512
	default:
		fmt.Fprintf(stderr, "ccverify verify: --report-data-hash %q: want sha256, sha384 or sha512\n", hash)
		return exitUsage, false
	}
	if runtimeData != "" {
		if b.RuntimeData, err = os.ReadFile(runtimeData); err != nil {
			fmt.Fprintf(stderr, "ccverify verify: --runtime-data: %v\n", err)
			return exitUsage, false
		}
	}
	if _, err := b.Expected(); !b.IsZero() && err != nil {
		fmt.Fprintf(stderr, "ccverify verify: %v\n", err)
		return exitUsage, false
	}
	return 0, true
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
	if f, ok := w.(*os.File); ok && (of > 1 || of < 0) { // of < 0: a list of unknown length
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
	switch {
	case p.on && p.of < 0:
		fmt.Fprintf(p.w, "\rverified %d", p.n)
	case p.on:
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
