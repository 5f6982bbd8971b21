// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package oracle compares ccverify's parsers with the anchor libraries
// (go-tdx-guest, go-sev-guest) field by field, for differential tests and fuzzing.
package oracle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ccverify/ccverify/evidence/tdx"
	gtabi "github.com/google/go-tdx-guest/abi"
	gtpb "github.com/google/go-tdx-guest/proto/tdx"
)

// ErrOraclePanic reports that the anchor library panicked on the input: it
// counts as a rejection, and is worth reporting upstream.
var ErrOraclePanic = errors.New("oracle: the anchor library panicked")

// ParseTDX runs go-tdx-guest's parser on b. go-tdx-guest v0.3.2-0.20260305110651
// panics on some malformed quotes (a signature data size smaller than the
// signature, found by FuzzTDXDifferential); the panic is returned as
// [ErrOraclePanic].
func ParseTDX(b []byte) (q any, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("%w: %v", ErrOraclePanic, r)
		}
	}()
	return gtabi.QuoteToProto(b)
}

// CompareTDX returns an error naming the first field where q and go-tdx-guest's
// parse of the same bytes (as returned by [ParseTDX]) disagree, or nil.
func CompareTDX(q tdx.Quote, theirs any) error {
	var d diff
	var sd *gtpb.Ecdsa256BitQuoteV4AuthData
	var hdr *gtpb.Header
	switch p := theirs.(type) {
	case *gtpb.QuoteV4:
		hdr, sd = p.GetHeader(), p.GetSignedData()
		d.num("version", 4, uint64(q.Version()))
		b := p.GetTdQuoteBody()
		d.body(q.Body(), b.GetTeeTcbSvn(), b.GetMrSeam(), b.GetMrSignerSeam(), b.GetSeamAttributes(), b.GetTdAttributes(),
			b.GetXfam(), b.GetMrTd(), b.GetMrConfigId(), b.GetMrOwner(), b.GetMrOwnerConfig(), b.GetRtmrs(), b.GetReportData())
		d.bytes("TEE_TCB_SVN2", nil, q.Body().TEETCBSVN2())
		d.num("signature data size", uint64(p.GetSignedDataSize()), uint64(len(q.Raw())-len(q.SignedData())-4))
	case *gtpb.QuoteV5:
		hdr, sd = p.GetHeader(), p.GetSignedData()
		d.num("version", 5, uint64(q.Version()))
		desc := p.GetTdQuoteBodyDescriptor()
		d.num("body type", uint64(desc.GetTdQuoteBodyType()), uint64(q.BodyType()))
		d.num("body size", uint64(desc.GetTdQuoteBodySize()), uint64(len(q.Body())))
		d.bytes("body descriptor", binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint16(nil, uint16(desc.GetTdQuoteBodyType())), uint32(desc.GetTdQuoteBodySize())), q.BodyDescriptor())
		b := desc.GetTdQuoteBodyV5()
		d.body(q.Body(), b.GetTeeTcbSvn(), b.GetMrSeam(), b.GetMrSignerSeam(), b.GetSeamAttributes(), b.GetTdAttributes(),
			b.GetXfam(), b.GetMrTd(), b.GetMrConfigId(), b.GetMrOwner(), b.GetMrOwnerConfig(), b.GetRtmrs(), b.GetReportData())
		d.bytes("TEE_TCB_SVN2", b.GetTeeTcbSvn2(), q.Body().TEETCBSVN2())
		d.bytes("MRSERVICETD", b.GetMrServiceTd(), q.Body().MRSERVICETD())
		d.num("signature data size", uint64(p.GetSignedDataSize()), uint64(len(q.Raw())-len(q.SignedData())-4))
	default:
		return fmt.Errorf("oracle: go-tdx-guest returned %T", theirs)
	}

	h := q.Header()
	d.num("header version", uint64(hdr.GetVersion()), uint64(h.Version()))
	d.num("attestation key type", uint64(hdr.GetAttestationKeyType()), uint64(h.AttestationKeyType()))
	d.num("TEE type", uint64(hdr.GetTeeType()), uint64(h.TEEType()))
	// go-tdx-guest names header bytes 8:10 "PceSvn" and 10:12 "QeSvn"; the TDX
	// quote format calls all four bytes reserved.
	d.bytes("header reserved", append(append([]byte(nil), hdr.GetPceSvn()...), hdr.GetQeSvn()...), h.Reserved())
	d.bytes("QE vendor ID", hdr.GetQeVendorId(), h.QEVendorID())
	d.bytes("user data", hdr.GetUserData(), h.UserData())

	d.bytes("signature", sd.GetSignature(), q.Signature())
	d.bytes("attestation key", sd.GetEcdsaAttestationKey(), q.AttestationKey())
	cd := sd.GetCertificationData()
	d.num("certification data type", uint64(cd.GetCertificateDataType()), tdx.CertificationDataQEReport)
	qc := cd.GetQeReportCertificationData()
	r, qr := qc.GetQeReport(), q.QEReport()
	d.bytes("QE CPUSVN", r.GetCpuSvn(), qr.CPUSVN())
	d.num("QE MISCSELECT", uint64(r.GetMiscSelect()), uint64(qr.MiscSelect()))
	d.bytes("QE ATTRIBUTES", r.GetAttributes(), qr.Attributes())
	d.bytes("QE MRENCLAVE", r.GetMrEnclave(), qr.MREnclave())
	d.bytes("QE MRSIGNER", r.GetMrSigner(), qr.MRSigner())
	d.num("QE ISVPRODID", uint64(r.GetIsvProdId()), uint64(qr.ISVProdID()))
	d.num("QE ISVSVN", uint64(r.GetIsvSvn()), uint64(qr.ISVSVN()))
	d.bytes("QE REPORTDATA", r.GetReportData(), qr.ReportData())
	res := qr.Reserved()
	d.bytes("QE reserved1", r.GetReserved1(), res[0])
	d.bytes("QE reserved2", r.GetReserved2(), res[1])
	d.bytes("QE reserved3", r.GetReserved3(), res[2])
	d.bytes("QE reserved4", r.GetReserved4(), res[3])
	d.bytes("QE report signature", qc.GetQeReportSignature(), q.QEReportSignature())
	d.num("QE auth data size", uint64(qc.GetQeAuthData().GetParsedDataSize()), uint64(len(q.QEAuthData())))
	d.bytes("QE auth data", qc.GetQeAuthData().GetData(), q.QEAuthData())
	pc := qc.GetPckCertificateChainData()
	d.num("PCK chain data type", uint64(pc.GetCertificateDataType()), tdx.CertificationDataPCKChain)
	d.bytes("PCK chain", pc.GetPckCertChain(), q.PCKChain())
	return d.err
}

type diff struct{ err error }

func (d *diff) bytes(field string, theirs, ours []byte) {
	if d.err == nil && !bytes.Equal(theirs, ours) {
		d.err = fmt.Errorf("oracle: %s: go-tdx-guest %x, ccverify %x", field, theirs, ours)
	}
}

func (d *diff) num(field string, theirs, ours uint64) {
	if d.err == nil && theirs != ours {
		d.err = fmt.Errorf("oracle: %s: go-tdx-guest %d, ccverify %d", field, theirs, ours)
	}
}

func (d *diff) body(b tdx.Body, tcbSVN, mrSeam, mrSignerSeam, seamAttr, tdAttr, xfam, mrTD, cfgID, owner, ownerCfg []byte, rtmrs [][]byte, reportData []byte) {
	d.bytes("TEE_TCB_SVN", tcbSVN, b.TEETCBSVN())
	d.bytes("MRSEAM", mrSeam, b.MRSEAM())
	d.bytes("MRSIGNERSEAM", mrSignerSeam, b.MRSIGNERSEAM())
	d.bytes("SEAMATTRIBUTES", seamAttr, binary.LittleEndian.AppendUint64(nil, b.SEAMAttributes()))
	d.bytes("TDATTRIBUTES", tdAttr, binary.LittleEndian.AppendUint64(nil, uint64(b.TDAttributes())))
	d.bytes("XFAM", xfam, binary.LittleEndian.AppendUint64(nil, uint64(b.XFAM())))
	d.bytes("MRTD", mrTD, b.MRTD())
	d.bytes("MRCONFIGID", cfgID, b.MRCONFIGID())
	d.bytes("MROWNER", owner, b.MROWNER())
	d.bytes("MROWNERCONFIG", ownerCfg, b.MROWNERCONFIG())
	d.num("RTMR count", uint64(len(rtmrs)), 4)
	for i := 0; i < len(rtmrs) && i < 4; i++ {
		d.bytes(fmt.Sprintf("RTMR%d", i), rtmrs[i], b.RTMR(i))
	}
	d.bytes("REPORTDATA", reportData, b.ReportData())
}
