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

// field is one line of inspect's output: a dotted name and its value.
type field struct {
	name  string
	value any
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
	var fields []field
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
		fields = append(fields, field{"container.form", string(ev.Form)}, field{"container.origin", ev.Origin}, field{"container.tee", string(ev.TEE)})
		for i, p := range ev.Pieces {
			fields = append(fields, field{fmt.Sprintf("container.pieces.%02d", i), fmt.Sprintf("%s %q (%d bytes) from %s", p.Kind, p.Name, len(p.Data), p.Origin)})
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
				}
			}
		}
		if format, err = verify.Detect(raw); err != nil {
			fmt.Fprintf(stderr, "ccverify inspect: %s: %s carries no quote or report to inspect\n", path, ev.Origin)
			return exitUsage
		}
	}
	var more []field
	switch format {
	case verify.FormatTDX:
		more, err = inspectTDX(raw)
	case verify.FormatSNP:
		more, err = inspectSNP(raw)
	default:
		err = fmt.Errorf("inspecting %s evidence is not supported yet", format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ccverify inspect: %s: %v\n", path, err)
		return exitContraindicated
	}
	fields = append([]field{{"format", string(format)}}, append(fields, more...)...)
	if *asJSON {
		b, err := json.MarshalIndent(nest(fields), "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "ccverify inspect: %v\n", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, string(b))
		return exitAffirming
	}
	width := 0
	for _, f := range fields {
		width = max(width, len(f.name))
	}
	for _, f := range fields {
		fmt.Fprintf(stdout, "%-*s  %v\n", width, f.name, f.value)
	}
	return exitAffirming
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

// inspectTDX lists every field of a TDX quote, and what its PCK certificate
// says (parsed, not verified: verify does that).
func inspectTDX(raw []byte) ([]field, error) {
	q, rest, err := tdx.ParsePrefix(raw)
	if err != nil {
		return nil, err
	}
	x := hex.EncodeToString
	h, b, qe := q.Header(), q.Body(), q.QEReport()
	fs := []field{
		{"header.version", int(h.Version())},
		{"header.attestation_key_type", int(h.AttestationKeyType())},
		{"header.tee_type", fmt.Sprintf("%#x", h.TEEType())},
		{"header.reserved", x(h.Reserved())},
		{"header.qe_vendor_id", x(h.QEVendorID())},
		{"header.user_data", x(h.UserData())},
	}
	if d := q.BodyDescriptor(); d != nil {
		fs = append(fs, field{"body_descriptor.type", int(q.BodyType())}, field{"body_descriptor.size", len(b)})
	}
	fs = append(fs,
		field{"body.kind", q.BodyType().String()},
		field{"body.tee_tcb_svn", x(b.TEETCBSVN())},
		field{"body.mr_seam", x(b.MRSEAM())},
		field{"body.mrsigner_seam", x(b.MRSIGNERSEAM())},
		field{"body.seam_attributes", fmt.Sprintf("%#016x", b.SEAMAttributes())},
		field{"body.td_attributes", fmt.Sprintf("%#016x", uint64(b.TDAttributes()))},
		field{"body.td_attributes_flags", b.TDAttributes().String()},
		field{"body.xfam", fmt.Sprintf("%#016x", uint64(b.XFAM()))},
		field{"body.xfam_features", b.XFAM().String()},
		field{"body.mr_td", x(b.MRTD())},
		field{"body.mr_config_id", x(b.MRCONFIGID())},
		field{"body.mr_owner", x(b.MROWNER())},
		field{"body.mr_owner_config", x(b.MROWNERCONFIG())},
		field{"body.rtmr_0", x(b.RTMR(0))},
		field{"body.rtmr_1", x(b.RTMR(1))},
		field{"body.rtmr_2", x(b.RTMR(2))},
		field{"body.rtmr_3", x(b.RTMR(3))},
		field{"body.report_data", x(b.ReportData())},
	)
	if q.BodyType() == tdx.BodyTD15 {
		fs = append(fs, field{"body.tee_tcb_svn2", x(b.TEETCBSVN2())}, field{"body.mr_servicetd", x(b.MRSERVICETD())})
	}
	fs = append(fs,
		field{"signature.quote_signature", x(q.Signature())},
		field{"signature.attestation_key", x(q.AttestationKey())},
		field{"signature.certification_data_type", tdx.CertificationDataQEReport},
		field{"qe_report.cpu_svn", x(qe.CPUSVN())},
		field{"qe_report.misc_select", fmt.Sprintf("%#08x", qe.MiscSelect())},
		field{"qe_report.attributes", x(qe.Attributes())},
		field{"qe_report.mr_enclave", x(qe.MREnclave())},
		field{"qe_report.mr_signer", x(qe.MRSigner())},
		field{"qe_report.isv_prod_id", int(qe.ISVProdID())},
		field{"qe_report.isv_svn", int(qe.ISVSVN())},
		field{"qe_report.report_data", x(qe.ReportData())},
		field{"qe_report_signature", x(q.QEReportSignature())},
		field{"qe_auth_data", x(q.QEAuthData())},
		field{"pck_chain.certification_data_type", tdx.CertificationDataPCKChain},
		field{"pck_chain.bytes", len(q.PCKChain())},
		field{"quote.bytes", len(q.Raw())},
	)
	if isZero(rest) {
		fs = append(fs, field{"quote.padding_bytes", len(rest)})
	} else {
		fs = append(fs, field{"quote.trailing_bytes", len(rest)})
	}
	pck, inter, _, err := intel.ParsePCKChain(q.PCKChain())
	if err != nil {
		return append(fs, field{"pck_chain.error", err.Error()}), nil
	}
	fs = append(fs,
		field{"pck_chain.pck.subject", pck.Subject.String()},
		field{"pck_chain.pck.serial", pck.SerialNumber.Text(16)},
		field{"pck_chain.pck.not_before", pck.NotBefore.UTC().Format(time.RFC3339)},
		field{"pck_chain.pck.not_after", pck.NotAfter.UTC().Format(time.RFC3339)},
		field{"pck_chain.intermediate.subject", inter.Subject.String()},
		field{"pck_chain.intermediate.not_after", inter.NotAfter.UTC().Format(time.RFC3339)},
	)
	ext, err := sgxExtensions(pck)
	if err != nil {
		return append(fs, field{"pck_chain.pck.extensions_error", err.Error()}), nil
	}
	fs = append(fs,
		field{"sgx.fmspc", x(ext.FMSPC[:])},
		field{"sgx.pce_id", x(ext.PCEID[:])},
		field{"sgx.ppid", x(ext.PPID[:])},
		field{"sgx.cpu_svn", x(ext.TCB.CPUSVN[:])},
		field{"sgx.pce_svn", int(ext.TCB.PCESVN)},
		field{"sgx.tcb_components", x(ext.TCB.SGXComponents[:])},
		field{"sgx.sgx_type", ext.SGXType.String()},
	)
	if ext.HasPlatform {
		fs = append(fs, field{"sgx.platform_instance_id", x(ext.PlatformInstanceID[:])})
		c := ext.Configuration
		if c.HasDynamicPlatform {
			fs = append(fs, field{"sgx.dynamic_platform", c.DynamicPlatform})
		}
		if c.HasCachedKeys {
			fs = append(fs, field{"sgx.cached_keys", c.CachedKeys})
		}
		if c.HasSMTEnabled {
			fs = append(fs, field{"sgx.smt_enabled", c.SMTEnabled})
		}
	}
	return fs, nil
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

// inspectSNP lists every field of an SEV-SNP report, by its claim names, and
// the entries of a certificate table that follows it.
func inspectSNP(raw []byte) ([]field, error) {
	r, rest, err := snp.ParsePrefix(raw)
	if err != nil {
		return nil, err
	}
	claims := snp.Claims(r, snp.Unknown)
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	fs := []field{{"report.bytes", snp.ReportSize}}
	for _, k := range names {
		fs = append(fs, field{"report." + k, claims[k]})
	}
	fs = append(fs, field{"report.signature_r", hex.EncodeToString(r.SignatureR())}, field{"report.signature_s", hex.EncodeToString(r.SignatureS())})
	if isZero(rest) {
		return fs, nil
	}
	t, err := snp.ParseCertTable(rest)
	if err != nil {
		return append(fs, field{"trailing_bytes", len(rest)}), nil
	}
	for i := 0; i < t.Len(); i++ {
		e := t.Entry(i)
		fs = append(fs, field{fmt.Sprintf("cert_table.%d", i), fmt.Sprintf("%v %d bytes", e.GUID, len(e.Data))})
	}
	return fs, nil
}
