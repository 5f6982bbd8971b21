// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/verify"
)

// field is one of inspect's extras: a dotted name under "inspect" and its
// value.
type field struct {
	name  string
	value any
}

// inspected is what inspect says of a quote or report: its claims, named and
// encoded as verify names them (evidence/tdx.Claims, evidence/snp.Claims, so
// that inspect --json and verify --output json agree on every field they
// share), and the extras only inspect prints, in their order, which go under
// the one key "inspect" that no claim has (CLAIMS.md, "ccverify inspect").
type inspected struct {
	claims map[string]any
	extras []field
}

// extra appends one of inspect's extras.
func (in *inspected) extra(name string, value any) {
	in.extras = append(in.extras, field{name, value})
}

func inspectCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, "print a JSON object")
	files, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ccverify inspect: want exactly one FILE")
		return exitUsage
	}
	path := files[0]
	raw, err := readEvidence(path, verify.DefaultMaxEvidenceSize)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify inspect: %s: %v\n", path, err)
		return exitUsage
	}
	if isEventLog(raw) {
		return inspectEventLog(path, raw, *asJSON, stdout, stderr) // eventlog.go
	}
	if _, err := verify.Detect(raw); err != nil {
		// IBM Secure Execution: an ARCB, an answer (pvattest or Trustee),
		// an SE header or image (se.go).
		if m, serr := describeSE(raw); serr == nil {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(m)
			return exitAffirming
		}
	}
	in := &inspected{}
	format, err := verify.Detect(raw)
	if err != nil {
		// A container: list its pieces (parsed, nothing verified), then
		// inspect the quote or report it carries.
		evs, cerr := container.Unwrap(raw, nil)
		if cerr != nil || len(evs) != 1 {
			if cerr != nil && !errors.Is(cerr, container.ErrUnrecognized) {
				err = cerr
			}
			fmt.Fprintf(stderr, "ccverify inspect: %s: %v%s\n", path, err, hint(err))
			return exitUsage
		}
		ev := evs[0]
		in.extra("container.origin", ev.Origin)
		in.extra("container.form", string(ev.Form))
		in.extra("container.tee", string(ev.TEE))
		for i, p := range ev.Pieces {
			in.extra(fmt.Sprintf("container.pieces.%02d", i), fmt.Sprintf("%s %q (%d bytes) from %s", p.Kind, p.Name, len(p.Data), p.Origin))
		}
		raw = nil
		for _, k := range []container.Kind{container.KindTDXQuote, container.KindSNPReport} {
			if d := ev.Data(k); d != nil {
				raw = d
			}
		}
		if raw == nil {
			if hcl := ev.Data(container.KindHCLReport); hcl != nil {
				if h, err := evazure.ParseHCLReport(hcl); err == nil {
					raw = h.HardwareReport()
					in.extra("container.claims_from", "the HCL report's hardware report (verify's report_data and init_data are the vTPM's)")
				}
			}
		}
		if format, err = verify.Detect(raw); err != nil {
			fmt.Fprintf(stderr, "ccverify inspect: %s: %s carries no quote or report to inspect\n", path, ev.Origin)
			return exitUsage
		}
	}
	in.extras = append([]field{{"format", string(format)}}, in.extras...)
	switch format {
	case verify.FormatTDX:
		err = inspectTDX(in, raw)
	case verify.FormatSNP:
		err = inspectSNP(in, raw)
	default:
		err = fmt.Errorf("inspecting %s evidence is not supported yet", format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ccverify inspect: %s: %v\n", path, err)
		return exitContraindicated
	}
	if *asJSON {
		b, err := json.MarshalIndent(in.object(), "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "ccverify inspect: %v\n", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, string(b))
		return exitAffirming
	}
	// One line a field, dotted names: the claims in their names' order,
	// then the extras in theirs.
	var lines []field
	flatten("", in.claims, &lines)
	sort.Slice(lines, func(i, j int) bool { return lines[i].name < lines[j].name })
	for _, f := range in.extras {
		lines = append(lines, field{"inspect." + f.name, f.value})
	}
	width := 0
	for _, f := range lines {
		width = max(width, len(f.name))
	}
	for _, f := range lines {
		fmt.Fprintf(stdout, "%-*s  %v\n", width, f.name, f.value)
	}
	return exitAffirming
}

// object is inspect --json's object: the claims, and the extras nested
// under "inspect".
func (in *inspected) object() map[string]any {
	out := make(map[string]any, len(in.claims)+1)
	for k, v := range in.claims {
		out[k] = v
	}
	out["inspect"] = nest(in.extras)
	return out
}

// flatten lists a claims object's values by dotted name.
func flatten(prefix string, m map[string]any, out *[]field) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		*out = append(*out, field{prefix + k, v})
	}
}

// nest turns dotted names into nested JSON objects.
func nest(fields []field) map[string]any {
	root := map[string]any{}
	for _, f := range fields {
		m := root
		parts := strings.Split(f.name, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = f.value
	}
	return root
}

// inspectTDX adds a TDX quote's claims (evidence/tdx.Claims), and as extras
// the fields no claim has and what its PCK certificate says (parsed, not
// verified: verify does that).
func inspectTDX(in *inspected, raw []byte) error {
	q, rest, err := tdx.ParsePrefix(raw)
	if err != nil {
		return err
	}
	in.claims = tdx.Claims(q)
	x := hex.EncodeToString
	b, qe := q.Body(), q.QEReport()
	in.extra("quote_bytes", len(q.Raw()))
	if isZero(rest) {
		in.extra("padding_bytes", len(rest))
	} else {
		in.claims["trailing_bytes"] = len(rest) // as verify counts them
	}
	in.extra("body_type", q.BodyType().String())
	in.extra("td_attributes", b.TDAttributes().String())
	in.extra("signature.quote_signature", x(q.Signature()))
	in.extra("signature.attestation_key", x(q.AttestationKey()))
	in.extra("signature.certification_data_type", tdx.CertificationDataQEReport)
	in.extra("qe_report.cpu_svn", x(qe.CPUSVN()))
	in.extra("qe_report.report_data", x(qe.ReportData()))
	in.extra("qe_report_signature", x(q.QEReportSignature()))
	in.extra("qe_auth_data", x(q.QEAuthData()))
	in.extra("pck_chain.certification_data_type", tdx.CertificationDataPCKChain)
	in.extra("pck_chain.bytes", len(q.PCKChain()))
	pck, inter, _, err := intel.ParsePCKChain(q.PCKChain())
	if err != nil {
		in.extra("pck_chain.error", err.Error())
		return nil
	}
	in.extra("pck_chain.pck.subject", pck.Subject.String())
	in.extra("pck_chain.pck.serial", pck.SerialNumber.Text(16))
	in.extra("pck_chain.pck.not_before", pck.NotBefore.UTC().Format(time.RFC3339))
	in.extra("pck_chain.pck.not_after", pck.NotAfter.UTC().Format(time.RFC3339))
	in.extra("pck_chain.intermediate.subject", inter.Subject.String())
	in.extra("pck_chain.intermediate.not_after", inter.NotAfter.UTC().Format(time.RFC3339))
	ext, err := sgxExtensions(pck)
	if err != nil {
		in.extra("pck_chain.pck.extensions_error", err.Error())
		return nil
	}
	// The claims verify makes of the PCK once its chain verifies, by the
	// same names.
	sgx := map[string]any{}
	verify.AddPCKClaims(sgx, &ext)
	names := make([]string, 0, len(sgx))
	for k := range sgx {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		in.extra("sgx."+k, sgx[k])
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// sgxExtensions parses the SGX extensions of a PCK certificate.
func sgxExtensions(pck *x509.Certificate) (intel.SGXExtensions, error) {
	for _, e := range pck.Extensions {
		if e.Id.Equal(intel.OIDSGXExtensions) {
			return intel.ParsePCKExtensions(e.Value)
		}
	}
	return intel.SGXExtensions{}, fmt.Errorf("%w: no SGX extensions", intel.ErrCertificate)
}

// inspectSNP adds an SEV-SNP report's claims (evidence/snp.Claims), and as
// extras its signature and the entries of a certificate table that follows
// it.
func inspectSNP(in *inspected, raw []byte) error {
	r, rest, err := snp.ParsePrefix(raw)
	if err != nil {
		return err
	}
	in.claims = snp.Claims(r, snp.Unknown)
	in.extra("report_bytes", snp.ReportSize)
	in.extra("signature.r", hex.EncodeToString(r.SignatureR()))
	in.extra("signature.s", hex.EncodeToString(r.SignatureS()))
	if isZero(rest) {
		if len(rest) > 0 {
			in.extra("padding_bytes", len(rest))
		}
		return nil
	}
	t, err := snp.ParseCertTable(rest)
	if err != nil {
		in.claims["trailing_bytes"] = len(rest) // as verify counts them
		return nil
	}
	for i := 0; i < t.Len(); i++ {
		e := t.Entry(i)
		in.extra(fmt.Sprintf("cert_table.%02d", i), fmt.Sprintf("%v %d bytes", e.GUID, len(e.Data)))
	}
	return nil
}
