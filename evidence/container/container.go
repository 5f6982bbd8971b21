// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrUnrecognized reports input that is none of the forms this package
	// unwraps. It is the one error a caller detecting formats should treat
	// as "not a container".
	ErrUnrecognized = errors.New("container: unrecognized evidence container")
	// ErrMalformed reports input recognized as a form whose content is not
	// what the form requires (a missing or mistyped field, bad base64, …);
	// the message says where and what.
	ErrMalformed = errors.New("container: malformed")
	// ErrVersion reports Trustee evidence of a version this package does not
	// know (az-snp-vtpm and az-tdx-vtpm: 0, 1, 2).
	ErrVersion = errors.New("container: unsupported evidence version")
	// ErrUnknownTEE reports a TEE name (Trustee's "tee", a KBS additional
	// evidence key) this package has no form for.
	ErrUnknownTEE = errors.New("container: unsupported TEE")
	// ErrUnknownProvider reports a configfs-tsm provider other than
	// sev_guest and tdx_guest.
	ErrUnknownProvider = errors.New("container: unsupported configfs-tsm provider")
	// ErrUnknownMediaType reports a CMW whose media type (or CoAP
	// content-format) this package does not know.
	ErrUnknownMediaType = errors.New("container: unknown CMW media type")
	// ErrTooLarge reports input larger than Options.MaxSize.
	ErrTooLarge = errors.New("container: input too large")
	// ErrTooDeep reports containers nested deeper than Options.MaxDepth.
	ErrTooDeep = errors.New("container: nested too deep")
	// ErrTooMany reports more entries (collection items, certificates, PCR
	// values, requests, results) than Options.MaxEntries.
	ErrTooMany = errors.New("container: too many entries")
)

// Defaults of [Options].
const (
	DefaultMaxSize    = 16 << 20
	DefaultMaxDepth   = 8
	DefaultMaxEntries = 128
)

// Options bound the work of unwrapping. The zero value uses the defaults.
type Options struct {
	// MaxSize is the largest input accepted, in bytes (default 16 MiB; a
	// Trustee TDX evidence with a 1 MiB CC event log in base64 is 1.4 MiB).
	// For a directory it bounds each file and their sum.
	MaxSize int
	// MaxDepth is how many containers may nest: each text encoding, CMW
	// record or collection level, token and request wrapper is one level
	// (default 8).
	MaxDepth int
	// MaxEntries bounds each list: a CMW collection's items, a certificate
	// chain, a quote's PCR values, a request's evidences, and the number of
	// evidences one input yields (default 128).
	MaxEntries int
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxSize <= 0 {
		r.MaxSize = DefaultMaxSize
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.MaxEntries <= 0 {
		r.MaxEntries = DefaultMaxEntries
	}
	return r
}

// TEE names what a piece of evidence is for, as Trustee names its TEEs.
type TEE string

// TEEs.
const (
	TDX       TEE = "tdx"         // Intel TDX: a TD quote
	SNP       TEE = "snp"         // AMD SEV-SNP: an attestation report
	AzSNPvTPM TEE = "az-snp-vtpm" // Azure SNP confidential VM: HCL report (SNP report), vTPM quote, VCEK
	AzTDXvTPM TEE = "az-tdx-vtpm" // Azure TDX confidential VM: HCL report (TD report), vTPM quote, TD quote
	SE        TEE = "se"          // IBM Secure Execution: the Ultravisor's attestation response
)

// Form names a container format.
type Form string

// Forms.
const (
	FormRaw            Form = "raw"                 // a bare TD quote or SNP report (after text decoding)
	FormHCL            Form = "azure-hcl"           // a bare Azure HCL report
	FormTrusteeTDX     Form = "trustee-tdx"         // Trustee TDX evidence JSON
	FormTrusteeSNP     Form = "trustee-snp"         // Trustee SNP evidence JSON
	FormTrusteeAzSNP   Form = "trustee-az-snp-vtpm" // Trustee az-snp-vtpm evidence JSON
	FormTrusteeAzTDX   Form = "trustee-az-tdx-vtpm" // Trustee az-tdx-vtpm evidence JSON
	FormTrusteeSE      Form = "trustee-se"          // Trustee SE evidence JSON
	FormConfigfsTSMDir Form = "configfs-tsm dir"    // a configfs-tsm report directory
	FormConfigfsTSM    Form = "configfs-tsm json"   // ratsd's tsm-report JSON
	FormConfigfsTSMCB  Form = "configfs-tsm cbor"   // ratsd's tsm-report CBOR
)

// Kind says what a piece is.
type Kind uint8

// Kinds of pieces.
const (
	KindTDXQuote     Kind = iota + 1 // a TD quote (v4, v5)
	KindSNPReport                    // an SNP attestation report; in FormRaw, bytes after its 1184 may follow
	KindCertTable                    // an SNP extended-report certificate table (GUID table): configfs-tsm's auxblob
	KindVCEK                         // a VCEK certificate (DER or PEM, as carried)
	KindVLEK                         // a VLEK certificate
	KindASK                          // an ASK or ASVK certificate
	KindARK                          // an ARK certificate (never a root: only the pinned ARK is)
	KindCRL                          // a CRL
	KindOther                        // an entry of unknown role (a certificate table's other GUID)
	KindCCEL                         // a CC event log (TDX CCEL ACPI table data)
	KindHCLReport                    // an Azure HCL report
	KindTDReport                     // the TD report inside a TDX HCL report (MAC'd, not signed)
	KindRuntimeData                  // the HCL report's runtime data JSON, exactly as carried
	KindAK                           // the vTPM attestation key's JWK (HCLAkPub) from the runtime data
	KindTPMQuote                     // the TPMS_ATTEST the AK signed (tpm_quote.message)
	KindTPMSignature                 // its signature (tpm_quote.signature)
	KindPCR                          // one PCR value, in the quote's selection order (Name: its position)
	KindSE                           // an SE attestation response field (Name: Trustee's field name)
	KindManifest                     // a configfs-tsm manifestblob
)

var kindNames = [...]string{
	KindTDXQuote: "TD quote", KindSNPReport: "SNP report", KindCertTable: "certificate table",
	KindVCEK: "VCEK", KindVLEK: "VLEK", KindASK: "ASK", KindARK: "ARK", KindCRL: "CRL",
	KindOther: "other", KindCCEL: "CC event log", KindHCLReport: "HCL report",
	KindTDReport: "TD report", KindRuntimeData: "runtime data", KindAK: "AK",
	KindTPMQuote: "TPM quote", KindTPMSignature: "TPM quote signature", KindPCR: "PCR",
	KindSE: "SE field", KindManifest: "manifest",
}

// String returns the kind's name ("TD quote", "VCEK", …).
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Piece is one thing a container carried, with where it came from.
type Piece struct {
	// Kind says what the piece is.
	Kind Kind
	// Name is what the source calls the piece: Trustee's field name
	// ("vcek", "tpm_quote.pcrs[3]", an SE field), a configfs-tsm file name,
	// a certificate chain entry's type.
	Name string
	// Data is the piece's bytes, decoded from the container's encoding
	// (base64, hex, JSON byte arrays) but otherwise as carried: a
	// certificate stays PEM or DER.
	Data []byte
	// Origin says where the piece came from, for a verdict's reasons, e.g.
	// "trustee-az-snp-vtpm v1: field vcek" or
	// "cmw collection item \"tsm-report\" > configfs-tsm json: auxblob".
	Origin string
}

// Evidence is one attester's evidence, unwrapped: the pieces the TEE's
// appraisal takes. Nothing in it is verified.
type Evidence struct {
	// TEE is what the pieces are for: the appraisal to run.
	TEE TEE
	// Form is the container the evidence came in (the innermost wrapper).
	Form Form
	// Version is the container's own version (Trustee's az-snp-vtpm and
	// az-tdx-vtpm "version": 0, 1 or 2); 0 for forms without one.
	Version int
	// Origin is the way to this evidence through the wrappers around it,
	// ending with its form, e.g. "base64 text > trustee-az-snp-vtpm v2".
	Origin string
	// Pieces are the evidence's pieces, in the container's order.
	Pieces []Piece
	// Meta holds what the wrappers said about the evidence, by name:
	// "provider", "generation", … of configfs-tsm; "eat_nonce",
	// "eat_profile" of a ratsd token; "kbs.runtime-data", "kbs.init-data"
	// of a KBS attestation; "as.runtime_data", … of an attestation-service
	// request (the JSON as carried); "cmw.type", "cmw.indicator" of the CMW
	// record that held it.
	Meta map[string]string
}

// First returns the first piece of kind k.
func (e *Evidence) First(k Kind) (Piece, bool) {
	for _, p := range e.Pieces {
		if p.Kind == k {
			return p, true
		}
	}
	return Piece{}, false
}

// Data returns the data of the first piece of kind k, or nil.
func (e *Evidence) Data(k Kind) []byte {
	p, _ := e.First(k)
	return p.Data
}

// All returns the pieces of kind k, in order.
func (e *Evidence) All(k Kind) []Piece {
	var out []Piece
	for _, p := range e.Pieces {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// Values returns the data of the pieces of kind k, in order (the PCR values
// of a quote: [KindPCR]).
func (e *Evidence) Values(k Kind) [][]byte {
	var out [][]byte
	for _, p := range e.Pieces {
		if p.Kind == k {
			out = append(out, p.Data)
		}
	}
	return out
}

// Unwrap detects the container b is and unwraps it into the evidence it
// holds: usually one, several for a CMW collection, a KBS attestation with
// additional evidence or an attestation-service request. It recognizes, from
// the bytes alone:
//
//   - Trustee's evidence JSON for tdx, snp, az-snp-vtpm (versions 0, 1, 2),
//     az-tdx-vtpm (0, 1, 2) and se; a KBS attestation message
//     ("tee-evidence"); an attestation-service request ("verification_requests",
//     or "tee" and "evidence");
//   - configfs-tsm report bundles in ratsd's JSON and CBOR forms (see
//     [UnwrapDir] for the directory form);
//   - RATS conceptual message wrappers: JSON and CBOR records, CBOR tags,
//     JSON and CBOR collections, ratsd's tokens around them;
//   - a bare Azure HCL report, a bare TD quote or SNP report (FormRaw);
//   - hex or base64 text of any of these.
//
// Input that is none of them is [ErrUnrecognized]; input that is one of them
// but malformed is [ErrMalformed] (or another named error) with where and
// what. Work is bounded by opts (nil for the defaults).
func Unwrap(b []byte, opts *Options) ([]Evidence, error) {
	u := newUnwrapper(opts)
	if len(b) > u.opts.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), u.opts.MaxSize)
	}
	if err := u.any(b, nil, 0); err != nil {
		return nil, err
	}
	return u.out, nil
}

// UnwrapType unwraps b whose media type is known (a CMW record's type, an
// HTTP Content-Type): see the package documentation for the media types
// known. An unknown type is [ErrUnknownMediaType].
func UnwrapType(mediaType string, b []byte, opts *Options) ([]Evidence, error) {
	u := newUnwrapper(opts)
	if len(b) > u.opts.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), u.opts.MaxSize)
	}
	if err := u.mediaType(mediaType, b, nil, nil, 0); err != nil {
		return nil, err
	}
	return u.out, nil
}

type unwrapper struct {
	opts Options
	out  []Evidence
}

func newUnwrapper(opts *Options) *unwrapper {
	return &unwrapper{opts: opts.withDefaults()}
}

// layer is one wrapper on the way to an evidence, with what it said.
type layer struct {
	label string
	meta  map[string]string
}

func (u *unwrapper) deeper(depth int, path []layer) error {
	if depth > u.opts.MaxDepth {
		return fmt.Errorf("%w: more than %d levels (%s)", ErrTooDeep, u.opts.MaxDepth, pathString(path))
	}
	return nil
}

func pathString(path []layer) string {
	var s []string
	for _, l := range path {
		s = append(s, l.label)
	}
	return strings.Join(s, " > ")
}

func with(path []layer, label string, meta map[string]string) []layer {
	out := make([]layer, len(path), len(path)+1)
	copy(out, path)
	return append(out, layer{label: label, meta: meta})
}

// emit records one evidence reached through path.
func (u *unwrapper) emit(path []layer, e Evidence) error {
	if len(u.out) >= u.opts.MaxEntries {
		return fmt.Errorf("%w: more than %d evidences", ErrTooMany, u.opts.MaxEntries)
	}
	label := string(e.Form)
	if e.Form == FormTrusteeAzSNP || e.Form == FormTrusteeAzTDX {
		label = fmt.Sprintf("%s v%d", e.Form, e.Version)
	}
	full := with(path, label, nil)
	e.Origin = pathString(full)
	for i := range e.Pieces {
		e.Pieces[i].Origin = e.Origin + ": " + e.Pieces[i].Origin
	}
	for i := len(path) - 1; i >= 0; i-- { // the nearest wrapper's word counts
		for k, v := range path[i].meta {
			if e.Meta == nil {
				e.Meta = map[string]string{}
			}
			if _, ok := e.Meta[k]; !ok {
				e.Meta[k] = v
			}
		}
	}
	u.out = append(u.out, e)
	return nil
}

// malformed returns ErrMalformed with where (the form and field) and what.
func malformed(where, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, where, fmt.Sprintf(format, args...))
}
