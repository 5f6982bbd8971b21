// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Intel's certificate names, as its PCS issues them.
const (
	IntelRootCN        = "Intel SGX Root CA"
	IntelPlatformCACN  = "Intel SGX PCK Platform CA"
	IntelProcessorCACN = "Intel SGX PCK Processor CA"
	IntelTCBSigningCN  = "Intel SGX TCB Signing"
	IntelPCKCN         = "Intel SGX PCK Certificate"
)

// OIDSGXExtensions is the PCK certificate's SGX extensions OID (1.2.840.113741.1.13.1).
var OIDSGXExtensions = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1}

// oidSGX is the DER content of OIDSGXExtensions, the prefix of its elements' OIDs.
var oidSGX = []byte{0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01}

func intelName(cn string) []byte {
	return rdn(oidCN, cn, oidO, "Intel Corporation", oidL, "Santa Clara", oidST, "CA", oidC, "US")
}

// IntelPKI is an Intel-shaped PKI under a test root: the root CA, the PCK
// Platform and Processor CAs and the TCB Signing certificate, with Intel's
// names, ECDSA P-256 keys and constraints.
type IntelPKI struct {
	Root, PlatformCA, ProcessorCA, TCBSigning      *x509.Certificate
	RootKey, PlatformKey, ProcessorKey, TCBSignKey *ecdsa.PrivateKey
	seed                                           *Seed
	names                                          lookAlikes
}

// Intel PKI validity (roots and CAs), wide around every case's time.
var (
	intelCANotBefore = date(2020, 1, 1)
	intelCANotAfter  = date(2045, 1, 1)
)

// NewIntelPKI derives an Intel-shaped PKI from seed under label. CA serials
// are fixed: root 1, Platform CA 2, Processor CA 3, TCB Signing 4. A CA
// whose common name is that of a certificate in lookAlike (Intel's real root)
// takes that certificate's subject byte for byte; the generated names, unlike
// Intel's, encode the country as a UTF8String.
func NewIntelPKI(seed *Seed, label string, lookAlike ...*x509.Certificate) *IntelPKI {
	p := &IntelPKI{seed: seed, names: newLookAlikes(lookAlike),
		RootKey:      seed.ECKey(elliptic.P256(), label+"/intel-root"),
		PlatformKey:  seed.ECKey(elliptic.P256(), label+"/intel-platform-ca"),
		ProcessorKey: seed.ECKey(elliptic.P256(), label+"/intel-processor-ca"),
		TCBSignKey:   seed.ECKey(elliptic.P256(), label+"/intel-tcb-signing"),
	}
	p.Root = seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(1), RawSubject: p.names.subject(IntelRootCN, intelName),
		NotBefore: intelCANotBefore, NotAfter: intelCANotAfter.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, &p.RootKey.PublicKey, p.RootKey)
	p.PlatformCA = p.IssueCA(IntelPlatformCACN, 2, p.PlatformKey)
	p.ProcessorCA = p.IssueCA(IntelProcessorCACN, 3, p.ProcessorKey)
	p.TCBSigning = p.IssueTCBSigning(4, p.TCBSignKey, intelCANotBefore, intelCANotAfter)
	return p
}

// IssueCA issues a PCK CA certificate (cn is the Platform or Processor CA's
// name) with the given serial and key under the root.
func (p *IntelPKI) IssueCA(cn string, serial int64, key *ecdsa.PrivateKey) *x509.Certificate {
	return p.seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(serial), RawSubject: p.names.subject(cn, intelName),
		NotBefore: intelCANotBefore, NotAfter: intelCANotAfter,
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.Root, &key.PublicKey, p.RootKey)
}

// IssueTCBSigning issues a TCB Signing certificate under the root.
func (p *IntelPKI) IssueTCBSigning(serial int64, key *ecdsa.PrivateKey, notBefore, notAfter time.Time) *x509.Certificate {
	return p.seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(serial), RawSubject: p.names.subject(IntelTCBSigningCN, intelName),
		NotBefore: notBefore, NotAfter: notAfter, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, p.Root, &key.PublicKey, p.RootKey)
}

// PCKSpec describes a PCK certificate and its SGX extensions.
type PCKSpec struct {
	Label               string   // seed label of the PCK key
	Serial              *big.Int // certificate serial
	NotBefore, NotAfter time.Time
	FMSPC               [6]byte
	PCEID               [2]byte
	PCESVN              uint16
	SGXComponents       [16]byte // also the CPUSVN, as Intel encodes it
	// CPUSVN, when set, is encoded instead of the components (malformed
	// or non-Intel encodings).
	CPUSVN *[16]byte
	// SGXType is 0 Standard, 1 Scalable, 2 ScalableWithIntegrity.
	SGXType uint8
	// Platform adds the Platform CA elements (platform instance ID and
	// configuration: dynamic platform, SMT disabled); Intel issues them in
	// Platform CA PCKs only.
	Platform bool
	// PlatformInstanceID is the platform instance ID (16 bytes); nil
	// derives it from the seed.
	PlatformInstanceID []byte
}

// IssuePCK issues a PCK certificate by the CA (PlatformCA or ProcessorCA
// with its key) and returns it with its key.
func (p *IntelPKI) IssuePCK(spec PCKSpec, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	key := p.seed.ECKey(elliptic.P256(), "intel-pck/"+spec.Label)
	cert := p.seed.issue(&x509.Certificate{
		SerialNumber: spec.Serial, RawSubject: intelName(IntelPCKCN),
		NotBefore: spec.NotBefore, NotAfter: spec.NotAfter, BasicConstraintsValid: true,
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: []pkix.Extension{{Id: OIDSGXExtensions, Value: SGXExtensions(spec, p.seed.Bytes("ppid/"+spec.Label, 16))}},
	}, ca, &key.PublicKey, caKey)
	return cert, key
}

// SGXExtensions encodes the value of a PCK's SGX extensions (Intel's PCK
// Certificate and CRL Profile): PPID, TCB (16 components, PCESVN, CPUSVN),
// PCE-ID, FMSPC, SGX type and, for spec.Platform, the platform instance ID
// and configuration.
func SGXExtensions(spec PCKSpec, ppid []byte) []byte {
	cpusvn := spec.SGXComponents
	if spec.CPUSVN != nil {
		cpusvn = *spec.CPUSVN
	}
	instance := spec.PlatformInstanceID
	if instance == nil {
		instance = []byte("ccverify-platfrm")
	}
	oid := func(b *cryptobyte.Builder, arcs ...byte) {
		b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) {
			b.AddBytes(oidSGX)
			b.AddBytes(arcs)
		})
	}
	octets := func(b *cryptobyte.Builder, v []byte, arcs ...byte) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			oid(b, arcs...)
			b.AddASN1OctetString(v)
		})
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		octets(b, ppid, 1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			oid(b, 2)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for i := 1; i <= 16; i++ {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						oid(b, 2, byte(i))
						b.AddASN1Int64(int64(spec.SGXComponents[i-1]))
					})
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					oid(b, 2, 17)
					b.AddASN1Int64(int64(spec.PCESVN))
				})
				octets(b, cpusvn[:], 2, 18)
			})
		})
		octets(b, spec.PCEID[:], 3)
		octets(b, spec.FMSPC[:], 4)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			oid(b, 5)
			b.AddASN1Enum(int64(spec.SGXType))
		})
		if spec.Platform {
			octets(b, instance, 6)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				oid(b, 7)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						oid(b, 7, 1) // dynamic platform
						b.AddASN1Boolean(true)
					})
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						oid(b, 7, 3) // SMT enabled
						b.AddASN1Boolean(false)
					})
				})
			})
		}
	})
	return b.BytesOrPanic()
}

// PCKChain returns the quote's certification data text: PCK, CA and root in
// PEM, NUL-terminated as real quotes carry it.
func PCKChain(pck, ca, root *x509.Certificate) []byte {
	return append(PEM(pck, ca, root), 0)
}

// IntelCRL issues a CRL by ca (a PCK CA or the root) valid this..next,
// revoking serials.
func (p *IntelPKI) IntelCRL(ca *x509.Certificate, key *ecdsa.PrivateKey, this, next time.Time, serials ...*big.Int) []byte {
	return p.seed.crl(ca, key, 1, this, next, x509.ECDSAWithSHA256, serials...)
}

// SignJSON signs the exact bytes of a TCB Info or QE Identity object with the
// key and returns the PCS response body {"<field>":<obj>,"signature":"<hex r‖s>"}.
func SignJSON(key *ecdsa.PrivateKey, field string, obj []byte) []byte {
	d := sha256.Sum256(obj)
	r, s := signRaw(key, d[:], crypto.SHA256)
	return []byte(`{"` + field + `":` + string(obj) + `,"signature":"` + hex.EncodeToString(append(r, s...)) + `"}`)
}

// TCBComponent is one SVN of a TCB level, with Intel's optional labels.
type TCBComponent struct {
	SVN      uint8  `json:"svn"`
	Category string `json:"category,omitempty"`
	Type     string `json:"type,omitempty"`
}

// TCBLevel is a platform TCB level of TDX TCB Info v3.
type TCBLevel struct {
	SGX         [16]uint8
	PCESVN      uint16
	TDX         [16]uint8
	Date        time.Time
	Status      string
	AdvisoryIDs []string
}

// ModuleLevel is a TDX module identity's TCB level.
type ModuleLevel struct {
	ISVSVN      uint8
	Date        time.Time
	Status      string
	AdvisoryIDs []string
}

// TCBInfoSpec describes a TDX TCB Info v3 object.
type TCBInfoSpec struct {
	IssueDate, NextUpdate time.Time
	FMSPC                 [6]byte
	PCEID                 [2]byte
	EvaluationDataNumber  int
	Levels                []TCBLevel
	// Modules maps a TDX module major version (TEE_TCB_SVN[1]) to its levels.
	Modules map[uint8][]ModuleLevel
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// TCBInfoJSON renders the tcbInfo object in Intel's field order.
func TCBInfoJSON(spec TCBInfoSpec) []byte {
	type identityLevel struct {
		TCB struct {
			ISVSVN uint8 `json:"isvsvn"`
		} `json:"tcb"`
		TCBDate     string   `json:"tcbDate"`
		TCBStatus   string   `json:"tcbStatus"`
		AdvisoryIDs []string `json:"advisoryIDs,omitempty"`
	}
	type moduleID struct {
		ID             string          `json:"id"`
		MRSigner       string          `json:"mrsigner"`
		Attributes     string          `json:"attributes"`
		AttributesMask string          `json:"attributesMask"`
		TCBLevels      []identityLevel `json:"tcbLevels"`
	}
	type module struct {
		MRSigner       string `json:"mrsigner"`
		Attributes     string `json:"attributes"`
		AttributesMask string `json:"attributesMask"`
	}
	type level struct {
		TCB struct {
			SGX    []TCBComponent `json:"sgxtcbcomponents"`
			PCESVN uint16         `json:"pcesvn"`
			TDX    []TCBComponent `json:"tdxtcbcomponents"`
		} `json:"tcb"`
		TCBDate     string   `json:"tcbDate"`
		TCBStatus   string   `json:"tcbStatus"`
		AdvisoryIDs []string `json:"advisoryIDs,omitempty"`
	}
	zeroSigner := strings.Repeat("0", 96)
	obj := struct {
		ID                      string     `json:"id"`
		Version                 int        `json:"version"`
		IssueDate               string     `json:"issueDate"`
		NextUpdate              string     `json:"nextUpdate"`
		FMSPC                   string     `json:"fmspc"`
		PCEID                   string     `json:"pceId"`
		TCBType                 int        `json:"tcbType"`
		TCBEvaluationDataNumber int        `json:"tcbEvaluationDataNumber"`
		TDXModule               module     `json:"tdxModule"`
		TDXModuleIdentities     []moduleID `json:"tdxModuleIdentities"`
		TCBLevels               []level    `json:"tcbLevels"`
	}{
		ID: "TDX", Version: 3, IssueDate: rfc3339(spec.IssueDate), NextUpdate: rfc3339(spec.NextUpdate),
		FMSPC: upperHex(spec.FMSPC[:]), PCEID: upperHex(spec.PCEID[:]), TCBEvaluationDataNumber: spec.EvaluationDataNumber,
		TDXModule: module{zeroSigner, "0000000000000000", "FFFFFFFFFFFFFFFF"},
	}
	for major := 1; major < 256; major++ {
		ls, ok := spec.Modules[uint8(major)]
		if !ok {
			continue
		}
		m := moduleID{ID: "TDX_" + upperHex([]byte{uint8(major)}), MRSigner: zeroSigner, Attributes: "0000000000000000", AttributesMask: "FFFFFFFFFFFFFFFF"}
		for _, l := range ls {
			var il identityLevel
			il.TCB.ISVSVN = l.ISVSVN
			il.TCBDate, il.TCBStatus, il.AdvisoryIDs = rfc3339(l.Date), l.Status, l.AdvisoryIDs
			m.TCBLevels = append(m.TCBLevels, il)
		}
		obj.TDXModuleIdentities = append(obj.TDXModuleIdentities, m)
	}
	sgxNames := [16][2]string{{"BIOS", "Early Microcode Update"}, {"OS/VMM", "SGX Late Microcode Update"}, {"OS/VMM", "TXT SINIT"}, {"BIOS", ""}, {"BIOS", ""}, {"BIOS", ""}, {}, {"OS/VMM", "SEAMLDR ACM"}}
	tdxNames := [16][2]string{{"OS/VMM", "TDX Module"}, {"OS/VMM", "TDX Module"}, {"OS/VMM", "TDX Late Microcode Update"}}
	for _, l := range spec.Levels {
		var lv level
		for i := range 16 {
			lv.TCB.SGX = append(lv.TCB.SGX, TCBComponent{SVN: l.SGX[i], Category: sgxNames[i][0], Type: sgxNames[i][1]})
			lv.TCB.TDX = append(lv.TCB.TDX, TCBComponent{SVN: l.TDX[i], Category: tdxNames[i][0], Type: tdxNames[i][1]})
		}
		lv.TCB.PCESVN = l.PCESVN
		lv.TCBDate, lv.TCBStatus, lv.AdvisoryIDs = rfc3339(l.Date), l.Status, l.AdvisoryIDs
		obj.TCBLevels = append(obj.TCBLevels, lv)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return b
}

// QEIdentitySpec describes a TD_QE Identity v2 object.
type QEIdentitySpec struct {
	IssueDate, NextUpdate time.Time
	EvaluationDataNumber  int
	MRSigner              [32]byte
	ISVProdID             uint16
	Attributes            [16]byte
	AttributesMask        [16]byte
	Levels                []ModuleLevel // QE ISVSVN levels
}

// QEIdentityJSON renders the enclaveIdentity object in Intel's field order.
func QEIdentityJSON(spec QEIdentitySpec) []byte {
	type identityLevel struct {
		TCB struct {
			ISVSVN uint8 `json:"isvsvn"`
		} `json:"tcb"`
		TCBDate     string   `json:"tcbDate"`
		TCBStatus   string   `json:"tcbStatus"`
		AdvisoryIDs []string `json:"advisoryIDs,omitempty"`
	}
	obj := struct {
		ID                      string          `json:"id"`
		Version                 int             `json:"version"`
		IssueDate               string          `json:"issueDate"`
		NextUpdate              string          `json:"nextUpdate"`
		TCBEvaluationDataNumber int             `json:"tcbEvaluationDataNumber"`
		MiscSelect              string          `json:"miscselect"`
		MiscSelectMask          string          `json:"miscselectMask"`
		Attributes              string          `json:"attributes"`
		AttributesMask          string          `json:"attributesMask"`
		MRSigner                string          `json:"mrsigner"`
		ISVProdID               uint16          `json:"isvprodid"`
		TCBLevels               []identityLevel `json:"tcbLevels"`
	}{
		ID: "TD_QE", Version: 2, IssueDate: rfc3339(spec.IssueDate), NextUpdate: rfc3339(spec.NextUpdate),
		TCBEvaluationDataNumber: spec.EvaluationDataNumber, MiscSelect: "00000000", MiscSelectMask: "FFFFFFFF",
		Attributes: upperHex(spec.Attributes[:]), AttributesMask: upperHex(spec.AttributesMask[:]),
		MRSigner: upperHex(spec.MRSigner[:]), ISVProdID: spec.ISVProdID,
	}
	for _, l := range spec.Levels {
		var il identityLevel
		il.TCB.ISVSVN = l.ISVSVN
		il.TCBDate, il.TCBStatus, il.AdvisoryIDs = rfc3339(l.Date), l.Status, l.AdvisoryIDs
		obj.TCBLevels = append(obj.TCBLevels, il)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return b
}

// QuoteSpec describes a TDX quote (Intel TDX DCAP Quoting Library API,
// quote format v4 and v5) and how to sign it.
type QuoteSpec struct {
	Version        uint16 // 4 or 5
	TD15           bool   // v5 only: a TD 1.5 body (TEE_TCB_SVN2, MRSERVICETD)
	TEETCBSVN      [16]byte
	TEETCBSVN2     [16]byte // TD 1.5 only
	MRSignerSeam   [48]byte
	SEAMAttributes uint64
	TDAttributes   uint64
	XFAM           uint64
	Label          string // seed label for the measurements and report data
	// ReportData, when set, is the body's REPORT_DATA instead of one drawn
	// from Label: a quote bound to a nonce.
	ReportData *[64]byte
	// QELabel, when set, is the seed label of the QE report's own fields
	// (CPUSVN, QE auth data) instead of Label: quotes of one TD platform
	// share one QE report and its signature, as a real quoting enclave's do.
	QELabel string

	QEMRSigner   [32]byte
	QEAttributes [16]byte
	QEISVProdID  uint16
	QEISVSVN     uint16

	PCKChain []byte            // certification data text (PCKChain)
	PCKKey   *ecdsa.PrivateKey // signs the QE report
	AKKey    *ecdsa.PrivateKey // the attestation key: signs header and body

	// Negative cases: each breaks one binding after signing.
	BreakQuoteSignature, BreakQEReportSignature, BreakQEReportData bool
	// Hook, when set, may change the attestation key (x ‖ y, as the quote
	// carries it) and the QE report before REPORT_DATA[0:32] is set to
	// their hash and the report is signed.
	Hook func(akRaw, report []byte)
}

// IntelQEVendorID is the QE vendor ID of Intel's quoting enclave.
var IntelQEVendorID = [16]byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

// BuildQuote lays out and signs a TDX quote.
func BuildQuote(seed *Seed, spec QuoteSpec) []byte {
	le16 := func(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
	le32 := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	le64 := func(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

	var q []byte
	q = le16(q, spec.Version)
	q = le16(q, 2)    // ECDSA-256-with-P-256
	q = le32(q, 0x81) // TDX
	q = le16(q, 0)    // reserved (QE SVN)
	q = le16(q, 0)    // reserved (PCE SVN)
	q = append(q, IntelQEVendorID[:]...)
	q = append(q, seed.Bytes("user-data/"+spec.Label, 20)...)
	if spec.Version == 5 {
		typ, size := uint16(2), uint32(584)
		if spec.TD15 {
			typ, size = 3, 648
		}
		q = le16(q, typ)
		q = le32(q, size)
	}
	m := func(what string) []byte { return seed.Bytes(what+"/"+spec.Label, 48) }
	q = append(q, spec.TEETCBSVN[:]...)
	q = append(q, m("mrseam")...)
	q = append(q, spec.MRSignerSeam[:]...)
	q = le64(q, spec.SEAMAttributes)
	q = le64(q, spec.TDAttributes)
	q = le64(q, spec.XFAM)
	q = append(q, m("mrtd")...)
	q = append(q, m("mrconfigid")...)
	q = append(q, m("mrowner")...)
	q = append(q, m("mrownerconfig")...)
	for i := range 4 {
		q = append(q, m("rtmr"+string(rune('0'+i)))...)
	}
	if spec.ReportData != nil {
		q = append(q, spec.ReportData[:]...)
	} else {
		q = append(q, seed.Bytes("reportdata/"+spec.Label, 64)...)
	}
	if spec.TD15 {
		q = append(q, spec.TEETCBSVN2[:]...)
		q = append(q, m("mrservicetd")...)
	}
	signed := append([]byte(nil), q...)

	akPub, err := spec.AKKey.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		panic(err)
	}
	akRaw := akPub[1:]
	qeLabel := spec.Label
	if spec.QELabel != "" {
		qeLabel = spec.QELabel
	}
	auth := seed.Bytes("qe-auth/"+qeLabel, 32)

	// SGX report body of the QE (384 bytes).
	report := make([]byte, 384)
	copy(report[0:16], seed.Bytes("qe-cpusvn/"+qeLabel, 16))
	copy(report[48:64], spec.QEAttributes[:])
	copy(report[64:96], seed.Bytes("qe-mrenclave", 32))
	copy(report[128:160], spec.QEMRSigner[:])
	binary.LittleEndian.PutUint16(report[256:], spec.QEISVProdID)
	binary.LittleEndian.PutUint16(report[258:], spec.QEISVSVN)
	if spec.Hook != nil {
		spec.Hook(akRaw, report)
	}
	rd := sha256.Sum256(append(append([]byte(nil), akRaw...), auth...))
	copy(report[320:352], rd[:])
	if spec.BreakQEReportData {
		report[320] ^= 0x01
	}
	rdig := sha256.Sum256(report)
	qr, qs := signRaw(spec.PCKKey, rdig[:], crypto.SHA256)
	qeSig := append(qr, qs...)
	if spec.BreakQEReportSignature {
		report[100] ^= 0x80 // MRENCLAVE reserved area after signing: the signature no longer covers it
	}

	var qe []byte
	qe = append(qe, report...)
	qe = append(qe, qeSig...)
	qe = le16(qe, uint16(len(auth)))
	qe = append(qe, auth...)
	qe = le16(qe, 5)
	qe = le32(qe, uint32(len(spec.PCKChain)))
	qe = append(qe, spec.PCKChain...)

	sdig := sha256.Sum256(signed)
	sr, ss := signRaw(spec.AKKey, sdig[:], crypto.SHA256)
	qsig := append(sr, ss...)
	if spec.BreakQuoteSignature {
		qsig[40] ^= 0x01
	}
	var sig []byte
	sig = append(sig, qsig...)
	sig = append(sig, akRaw...)
	sig = le16(sig, 6)
	sig = le32(sig, uint32(len(qe)))
	sig = append(sig, qe...)

	q = le32(q, uint32(len(sig)))
	return append(q, sig...)
}
