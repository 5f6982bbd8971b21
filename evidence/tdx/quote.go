// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package tdx parses Intel TDX quotes, versions 4 and 5, as the Intel TDX DCAP
// Quote Generation Library and Quote Verification Library define them.
//
// [Parse] returns a [Quote], a view over the caller's bytes: it copies nothing and
// allocates nothing, so the bytes must not change while the Quote is in use (use
// [Quote.Clone] to keep one). Every length and offset is checked before use;
// any input yields a Quote or an error wrapping one of the package's sentinel
// errors, never a panic.
//
// Parsing proves nothing: the signatures are checked by package certs/intel.
package tdx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by [Parse] wraps exactly one of them,
// together with the field and the values that failed.
var (
	// ErrTruncated reports that the input ends before a field the format requires.
	ErrTruncated = errors.New("tdx: quote truncated")
	// ErrVersion reports a quote version other than 4 or 5.
	ErrVersion = errors.New("tdx: unsupported quote version")
	// ErrTEEType reports a TEE type other than TDX (0x81), such as an SGX quote.
	ErrTEEType = errors.New("tdx: TEE type is not TDX")
	// ErrKeyType reports an attestation key type other than ECDSA-256-with-P-256.
	ErrKeyType = errors.New("tdx: unsupported attestation key type")
	// ErrBodyType reports a v5 body type other than TD Report 1.0 (2) or 1.5 (3),
	// or a body size that does not match its type.
	ErrBodyType = errors.New("tdx: unsupported quote body type")
	// ErrLength reports a declared length that disagrees with the data it covers.
	ErrLength = errors.New("tdx: declared length does not match the data")
	// ErrCertificationDataType reports certification data other than a QE report
	// (type 6) wrapping a PCK certificate chain (type 5).
	ErrCertificationDataType = errors.New("tdx: unsupported certification data type")
	// ErrTrailingData reports non-zero bytes after the end of the quote.
	ErrTrailingData = errors.New("tdx: unexpected data after the quote")
)

// Values the format fixes.
const (
	// TEETypeTDX is the header's TEE type for TDX quotes (0 is SGX).
	TEETypeTDX = 0x00000081
	// KeyTypeECDSAP256 is the only attestation key type TDX quotes use.
	KeyTypeECDSAP256 = 2
	// CertificationDataPCKChain is certification data type 5: the PCK leaf,
	// intermediate and root certificates as concatenated PEM.
	CertificationDataPCKChain = 5
	// CertificationDataQEReport is certification data type 6: the QE report,
	// its signature, the QE authentication data and nested certification data.
	CertificationDataQEReport = 6
)

// BodyType says which TD report the quote body holds. Version 4 quotes always
// hold TD 1.0; version 5 quotes say so in the body descriptor.
type BodyType uint16

// Body types of the version 5 body descriptor.
const (
	BodyTD10 BodyType = 2 // TD Report 1.0, 584 bytes
	BodyTD15 BodyType = 3 // TD Report 1.5, 648 bytes: adds TEE_TCB_SVN2 and MRSERVICETD
)

// String returns the name Intel's specification gives the body type.
func (t BodyType) String() string {
	switch t {
	case BodyTD10:
		return "TD Report 1.0"
	case BodyTD15:
		return "TD Report 1.5"
	}
	return fmt.Sprintf("BodyType(%d)", uint16(t))
}

// Sizes of the fixed parts, from Intel's "TDX DCAP Quoting Library API" (appendix A).
const (
	headerSize         = 48
	bodyTD10Size       = 584
	bodyTD15Size       = 648
	descriptorSize     = 6 // v5: body type (2) ‖ body size (4)
	qeReportSize       = 384
	ecdsaSignatureSize = 64
	ecdsaKeySize       = 64
)

// Quote is a parsed TDX quote: a view over the bytes given to [Parse].
// The zero Quote is not valid; methods on it return zero values.
type Quote struct {
	raw      []byte // the quote, without trailing padding
	padding  int    // number of zero bytes after the quote
	version  uint16
	bodyType BodyType
	signed   []byte // header ‖ [descriptor ‖] body: what the attestation key signs
	body     []byte

	signature      []byte // ECDSA r ‖ s over signed
	attestationKey []byte // P-256 public key x ‖ y
	qeReport       []byte
	qeReportSig    []byte
	qeAuthData     []byte
	pckChain       []byte
}

// Parse parses a TDX quote of version 4 or 5. Zero bytes after the quote are
// accepted (quotes often arrive padded to a fixed buffer size) and counted by
// [Quote.Padding]; any other trailing byte is an [ErrTrailingData] error. Use
// [ParsePrefix] to read a quote followed by other data.
//
// The Quote refers to b; Parse allocates nothing.
func Parse(b []byte) (Quote, error) {
	q, rest, err := ParsePrefix(b)
	if err != nil {
		return q, err
	}
	end := len(b) - len(rest)
	for i, c := range rest {
		if c != 0 {
			return Quote{}, fmt.Errorf("%w: byte %#x at offset %d, %d bytes after the quote's end at %d", ErrTrailingData, c, end+i, i, end)
		}
	}
	q.padding = len(rest)
	return q, nil
}

// ParsePrefix parses the TDX quote at the start of b and returns the bytes that
// follow it, which the quote's signatures do not cover.
func ParsePrefix(b []byte) (Quote, []byte, error) {
	q, rest, err := parse(b)
	if err != nil {
		return Quote{}, nil, err
	}
	return q, rest, nil
}

func parse(b []byte) (q Quote, rest []byte, err error) {
	if len(b) < headerSize {
		return q, nil, fmt.Errorf("%w: header needs %d bytes, have %d", ErrTruncated, headerSize, len(b))
	}
	h := Header(b[:headerSize])
	q.version = h.Version()
	switch q.version {
	case 4, 5:
	default:
		return q, nil, fmt.Errorf("%w: version %d (want 4 or 5)", ErrVersion, q.version)
	}
	if kt := h.AttestationKeyType(); kt != KeyTypeECDSAP256 {
		return q, nil, fmt.Errorf("%w: attestation key type %d (want %d, ECDSA-256-with-P-256)", ErrKeyType, kt, KeyTypeECDSAP256)
	}
	if tt := h.TEEType(); tt != TEETypeTDX {
		return q, nil, fmt.Errorf("%w: TEE type %#x (want %#x)", ErrTEEType, tt, TEETypeTDX)
	}

	off := headerSize
	if q.version == 4 {
		q.bodyType = BodyTD10
		if len(b) < off+bodyTD10Size {
			return q, nil, fmt.Errorf("%w: TD 1.0 body needs %d bytes at offset %d, have %d", ErrTruncated, bodyTD10Size, off, len(b)-off)
		}
		q.body = b[off : off+bodyTD10Size]
		off += bodyTD10Size
	} else {
		if len(b) < off+descriptorSize {
			return q, nil, fmt.Errorf("%w: body descriptor needs %d bytes at offset %d, have %d", ErrTruncated, descriptorSize, off, len(b)-off)
		}
		q.bodyType = BodyType(binary.LittleEndian.Uint16(b[off:]))
		size := binary.LittleEndian.Uint32(b[off+2:])
		var want uint32
		switch q.bodyType {
		case BodyTD10:
			want = bodyTD10Size
		case BodyTD15:
			want = bodyTD15Size
		default:
			return q, nil, fmt.Errorf("%w: body type %d (want 2 or 3)", ErrBodyType, uint16(q.bodyType))
		}
		if size != want {
			return q, nil, fmt.Errorf("%w: %v body size %d (want %d)", ErrBodyType, q.bodyType, size, want)
		}
		off += descriptorSize
		if len(b)-off < int(size) {
			return q, nil, fmt.Errorf("%w: %v body needs %d bytes at offset %d, have %d", ErrTruncated, q.bodyType, size, off, len(b)-off)
		}
		q.body = b[off : off+int(size)]
		off += int(size)
	}
	q.signed = b[:off]

	sigData, rest, err := lengthPrefixed32(b[off:], "signature data")
	if err != nil {
		return q, nil, err
	}
	if err := q.parseSignatureData(sigData); err != nil {
		return q, nil, err
	}
	q.raw = b[:len(b)-len(rest)]
	return q, rest, nil
}

// parseSignatureData parses the ECDSA quote signature data: the quote signature,
// the attestation key and certification data of type 6.
func (q *Quote) parseSignatureData(d []byte) error {
	const fixed = ecdsaSignatureSize + ecdsaKeySize
	if len(d) < fixed {
		return fmt.Errorf("%w: signature data holds %d bytes, need at least %d", ErrTruncated, len(d), fixed)
	}
	q.signature = d[:ecdsaSignatureSize]
	q.attestationKey = d[ecdsaSignatureSize:fixed]
	typ, cd, rest, err := certificationData(d[fixed:], "certification data")
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d bytes left in the signature data after the certification data", ErrLength, len(rest))
	}
	if typ != CertificationDataQEReport {
		return fmt.Errorf("%w: certification data type %d (want %d, QE report)", ErrCertificationDataType, typ, CertificationDataQEReport)
	}
	return q.parseQEReportCertificationData(cd)
}

// parseQEReportCertificationData parses certification data type 6.
func (q *Quote) parseQEReportCertificationData(d []byte) error {
	const fixed = qeReportSize + ecdsaSignatureSize
	if len(d) < fixed {
		return fmt.Errorf("%w: QE report certification data holds %d bytes, need at least %d", ErrTruncated, len(d), fixed)
	}
	q.qeReport = d[:qeReportSize]
	q.qeReportSig = d[qeReportSize:fixed]
	d = d[fixed:]
	if len(d) < 2 {
		return fmt.Errorf("%w: QE authentication data size needs 2 bytes, have %d", ErrTruncated, len(d))
	}
	n := int(binary.LittleEndian.Uint16(d))
	d = d[2:]
	if len(d) < n {
		return fmt.Errorf("%w: QE authentication data declares %d bytes, have %d", ErrTruncated, n, len(d))
	}
	q.qeAuthData = d[:n]
	typ, chain, rest, err := certificationData(d[n:], "QE certification data")
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d bytes left in the QE report certification data after the PCK chain", ErrLength, len(rest))
	}
	if typ != CertificationDataPCKChain {
		return fmt.Errorf("%w: QE certification data type %d (want %d, PCK certificate chain)", ErrCertificationDataType, typ, CertificationDataPCKChain)
	}
	q.pckChain = chain
	return nil
}

// certificationData reads type (2 bytes) ‖ size (4 bytes) ‖ data.
func certificationData(b []byte, what string) (typ uint16, data, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, fmt.Errorf("%w: %s type needs 2 bytes, have %d", ErrTruncated, what, len(b))
	}
	typ = binary.LittleEndian.Uint16(b)
	data, rest, err = lengthPrefixed32(b[2:], what)
	return typ, data, rest, err
}

// lengthPrefixed32 reads a little-endian 32-bit size and that many bytes.
func lengthPrefixed32(b []byte, what string) (data, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%w: %s size needs 4 bytes, have %d", ErrTruncated, what, len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, nil, fmt.Errorf("%w: %s declares %d bytes, have %d", ErrTruncated, what, n, len(b))
	}
	return b[:n], b[n:], nil
}

// Clone returns a Quote over a private copy of the quote's bytes, for callers
// that keep the Quote after the input buffer is reused.
func (q Quote) Clone() Quote {
	if q.raw == nil {
		return Quote{}
	}
	// q.raw parsed once already, so this cannot fail; a failure yields the zero Quote.
	c, _ := Parse(append([]byte(nil), q.raw...))
	return c
}

// Raw returns the quote's bytes, without trailing padding.
func (q Quote) Raw() []byte { return q.raw }

// Padding returns the number of zero bytes that followed the quote.
func (q Quote) Padding() int { return q.padding }

// Version returns the quote version, 4 or 5.
func (q Quote) Version() uint16 { return q.version }

// Header returns the 48-byte quote header.
func (q Quote) Header() Header {
	if len(q.signed) < headerSize {
		return nil
	}
	return Header(q.signed[:headerSize])
}

// BodyType returns the kind of TD report the body holds.
func (q Quote) BodyType() BodyType { return q.bodyType }

// BodyDescriptor returns the version 5 body descriptor (type ‖ size), or nil for version 4.
func (q Quote) BodyDescriptor() []byte {
	if q.version != 5 || len(q.signed) < headerSize+descriptorSize {
		return nil
	}
	return q.signed[headerSize : headerSize+descriptorSize]
}

// Body returns the TD quote body (the TD report without its MAC).
func (q Quote) Body() Body { return Body(q.body) }

// SignedData returns the bytes the attestation key signs:
// header ‖ body for version 4, header ‖ body descriptor ‖ body for version 5.
func (q Quote) SignedData() []byte { return q.signed }

// Signature returns the attestation key's ECDSA P-256 signature over
// [Quote.SignedData], as r ‖ s (32 bytes each, big-endian).
func (q Quote) Signature() []byte { return q.signature }

// AttestationKey returns the raw P-256 attestation public key, x ‖ y (32 bytes each, big-endian).
func (q Quote) AttestationKey() []byte { return q.attestationKey }

// QEReport returns the quoting enclave's SGX report body, signed by the PCK.
func (q Quote) QEReport() EnclaveReport { return EnclaveReport(q.qeReport) }

// QEReportSignature returns the PCK's ECDSA P-256 signature over the QE report, r ‖ s.
func (q Quote) QEReportSignature() []byte { return q.qeReportSig }

// QEAuthData returns the QE authentication data, hashed with the attestation key
// into the QE report's REPORT_DATA.
func (q Quote) QEAuthData() []byte { return q.qeAuthData }

// PCKChain returns the PCK certificate chain of certification data type 5:
// concatenated PEM, leaf first, often followed by a NUL byte.
func (q Quote) PCKChain() []byte { return q.pckChain }
