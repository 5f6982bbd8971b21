// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"time"
)

// Product is an AMD EPYC product line, as AMD's KDS names it.
type Product string

// Product lines: Milan and Genoa use the legacy TCB_VERSION layout, Turin
// the one with an FMC component and 8-byte hwIDs.
const (
	Milan Product = "Milan"
	Genoa Product = "Genoa"
	Turin Product = "Turin"
)

// cpuid returns the family, model and stepping a report of p carries.
func (p Product) cpuid() (family, model, stepping byte) {
	switch p {
	case Genoa:
		return 0x19, 0x11, 0x01
	case Turin:
		return 0x1A, 0x02, 0x01
	}
	return 0x19, 0x01, 0x01
}

// TCB is the security patch levels of a TCB_VERSION; FMC exists on Turin only.
type TCB struct {
	FMC, BootLoader, TEE, SNP, Microcode uint8
}

// Encode lays the TCB out as product p's TCB_VERSION.
func (t TCB) Encode(p Product) uint64 {
	var b [8]byte
	if p == Turin {
		b[0], b[1], b[2], b[3], b[7] = t.FMC, t.BootLoader, t.TEE, t.SNP, t.Microcode
	} else {
		b[0], b[1], b[6], b[7] = t.BootLoader, t.TEE, t.SNP, t.Microcode
	}
	return binary.LittleEndian.Uint64(b[:])
}

func amdName(cn string) []byte {
	return rdn(oidOU, "Engineering", oidC, "US", oidL, "Santa Clara", oidST, "CA", oidO, "Advanced Micro Devices", oidCN, cn)
}

// AMDPKI is an AMD-shaped PKI for one product line under a test ARK: ARK →
// ASK (VCEKs) and ASVK (VLEKs), RSA-PSS SHA-384 throughout, AMD's names.
// Keys are RSA-2048 (AMD's are 4096) to keep generation fast.
type AMDPKI struct {
	Product                   Product
	ARK, ASK, ASVK            *x509.Certificate
	ARKKey, ASKKey, ASVKKey   *rsa.PrivateKey
	seed                      *Seed
	notBefore, notAfterLeaves time.Time
}

// NewAMDPKI derives the PKI of product p from seed. A CA whose common name is
// that of a certificate in lookAlike (AMD's real ARK, ASK, ASVK) takes that
// certificate's subject byte for byte, so that the forged chain differs from
// AMD's in its keys only; the generated names, unlike AMD's, encode the
// country as a UTF8String.
func NewAMDPKI(seed *Seed, p Product, lookAlike ...*x509.Certificate) *AMDPKI {
	names := newLookAlikes(lookAlike)
	k := &AMDPKI{Product: p, seed: seed,
		ARKKey:  seed.RSAKey(2048, "amd-ark/"+string(p)),
		ASKKey:  seed.RSAKey(2048, "amd-ask/"+string(p)),
		ASVKKey: seed.RSAKey(2048, "amd-asvk/"+string(p)),
	}
	ca := func(cn string, serial int64, pub *rsa.PublicKey, parent *x509.Certificate) *x509.Certificate {
		return seed.issue(&x509.Certificate{
			SerialNumber: big.NewInt(serial), RawSubject: names.subject(cn, amdName),
			NotBefore: date(2024, 1, 1), NotAfter: date(2049, 1, 1),
			SignatureAlgorithm: x509.SHA384WithRSAPSS, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}, parent, pub, k.ARKKey)
	}
	k.ARK = ca("ARK-"+string(p), 0x10000, &k.ARKKey.PublicKey, nil)
	k.ASK = ca("SEV-"+string(p), 0x10001, &k.ASKKey.PublicKey, k.ARK)
	k.ASVK = ca("SEV-VLEK-"+string(p), 0x10002, &k.ASVKKey.PublicKey, k.ARK)
	return k
}

// LeafSpec describes a VCEK or VLEK certificate.
type LeafSpec struct {
	VLEK                bool
	Serial              int64
	TCB                 TCB
	ChipID              []byte // VCEK: the hwID (its first 8 bytes on Turin)
	CSPID               string // VLEK: the cloud provider
	NotBefore, NotAfter time.Time
	Key                 *ecdsa.PrivateKey // P-384
}

var oidKDS = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}

func kdsOID(arcs ...int) asn1.ObjectIdentifier {
	return append(append(asn1.ObjectIdentifier{}, oidKDS...), arcs...)
}

// IssueLeaf issues a VCEK (by the ASK) or VLEK (by the ASVK) with the KDS
// extensions: structVersion, productName, the SPLs, hwID or CSP ID.
func (k *AMDPKI) IssueLeaf(spec LeafSpec) []byte {
	intExt := func(v int, arcs ...int) pkix.Extension {
		b, err := asn1.Marshal(v)
		if err != nil {
			panic(err)
		}
		return pkix.Extension{Id: kdsOID(arcs...), Value: b}
	}
	ia5 := func(s string, arcs ...int) pkix.Extension {
		b, err := asn1.MarshalWithParams(s, "ia5")
		if err != nil {
			panic(err)
		}
		return pkix.Extension{Id: kdsOID(arcs...), Value: b}
	}
	structVersion, name := 0, string(k.Product)
	if k.Product == Milan {
		name = "Milan-B0"
	}
	if k.Product == Turin {
		structVersion = 1
	}
	exts := []pkix.Extension{
		intExt(structVersion, 1), ia5(name, 2),
		intExt(int(spec.TCB.BootLoader), 3, 1), intExt(int(spec.TCB.TEE), 3, 2), intExt(int(spec.TCB.SNP), 3, 3),
		intExt(0, 3, 4), intExt(0, 3, 5), intExt(0, 3, 6), intExt(0, 3, 7),
		intExt(int(spec.TCB.Microcode), 3, 8),
	}
	if k.Product == Turin {
		exts = append(exts, intExt(int(spec.TCB.FMC), 3, 9))
	}
	cn, issuer, key := "SEV-VCEK", k.ASK, k.ASKKey
	if spec.VLEK {
		cn, issuer, key = "SEV-VLEK", k.ASVK, k.ASVKKey
		exts = append(exts, ia5(spec.CSPID, 5))
	} else {
		hw := spec.ChipID
		if k.Product == Turin {
			hw = hw[:8]
		}
		exts = append(exts, pkix.Extension{Id: kdsOID(4), Value: hw})
	}
	c := k.seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(spec.Serial), RawSubject: amdName(cn), NotBefore: spec.NotBefore, NotAfter: spec.NotAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS, ExtraExtensions: exts,
	}, issuer, &spec.Key.PublicKey, key)
	return c.Raw
}

// CRL issues a CRL by the ARK (listing ASK/ASVK serials) or, with byASK, by
// the ASK (listing VCEK serials).
func (k *AMDPKI) CRL(byASK bool, this, next time.Time, serials ...int64) []byte {
	issuer, key := k.ARK, k.ARKKey
	if byASK {
		issuer, key = k.ASK, k.ASKKey
	}
	var sns []*big.Int
	for _, s := range serials {
		sns = append(sns, big.NewInt(s))
	}
	return k.seed.crl(issuer, key, 1, this, next, x509.SHA384WithRSAPSS, sns...)
}

// ReportSpec describes an SEV-SNP attestation report (SEV-SNP ABI
// specification, ATTESTATION_REPORT, versions 2 to 5).
type ReportSpec struct {
	Version uint32
	Product Product
	VLEK    bool
	Label   string // seed label for measurement, report data and IDs
	Policy  uint64 // guest policy (bit 17 must be set; 16 SMT, 19 DEBUG)
	VMPL    uint32
	// Reported is REPORTED_TCB; Current, Committed and Launch default to it.
	Reported, Current, Committed, Launch *TCB
	ChipID                               []byte // zero for VLEK-signed reports
	PlatformInfo                         uint64
	Key                                  *ecdsa.PrivateKey
	// BreakSignature flips a signature bit after signing.
	BreakSignature bool
}

// BuildReport lays out and signs a report (ECDSA P-384 with SHA-384 over
// bytes 0x000–0x29F, R and S little-endian).
func BuildReport(seed *Seed, spec ReportSpec) []byte {
	b := make([]byte, 0x4A0)
	le32 := binary.LittleEndian.PutUint32
	le64 := binary.LittleEndian.PutUint64
	le32(b[0x000:], spec.Version)
	le32(b[0x004:], 1) // GUEST_SVN
	le64(b[0x008:], spec.Policy)
	copy(b[0x010:0x020], seed.Bytes("snp-family/"+spec.Label, 16))
	copy(b[0x020:0x030], seed.Bytes("snp-image/"+spec.Label, 16))
	le32(b[0x030:], spec.VMPL)
	le32(b[0x034:], 1) // ECDSA P-384 with SHA-384
	rep := spec.Reported
	or := func(t *TCB) uint64 {
		if t == nil {
			t = rep
		}
		return t.Encode(spec.Product)
	}
	le64(b[0x038:], or(spec.Current))
	le64(b[0x040:], spec.PlatformInfo)
	if spec.VLEK {
		le32(b[0x048:], 1<<2)
	}
	copy(b[0x050:0x090], seed.Bytes("snp-report-data/"+spec.Label, 64))
	copy(b[0x090:0x0C0], seed.Bytes("snp-measurement/"+spec.Label, 48))
	copy(b[0x0C0:0x0E0], seed.Bytes("snp-host-data/"+spec.Label, 32))
	copy(b[0x140:0x160], seed.Bytes("snp-report-id/"+spec.Label, 32))
	for i := 0x160; i < 0x180; i++ {
		b[i] = 0xFF // REPORT_ID_MA: no migration agent
	}
	le64(b[0x180:], or(rep))
	if spec.Version >= 3 {
		b[0x188], b[0x189], b[0x18A] = spec.Product.cpuid()
	}
	copy(b[0x1A0:0x1E0], spec.ChipID)
	le64(b[0x1E0:], or(spec.Committed))
	b[0x1E8], b[0x1E9], b[0x1EA] = 36, 55, 1 // CURRENT build 36, 1.55
	b[0x1EC], b[0x1ED], b[0x1EE] = 36, 55, 1 // COMMITTED
	le64(b[0x1F0:], or(spec.Launch))
	d := sha512.Sum384(b[:0x2A0])
	r, s := signRaw(spec.Key, d[:], crypto.SHA384)
	putLE(b[0x2A0:0x2A0+72], r)
	putLE(b[0x2E8:0x2E8+72], s)
	if spec.BreakSignature {
		b[0x2A0] ^= 1
	}
	return b
}

func putLE(dst, be []byte) {
	for i := range be {
		dst[i] = be[len(be)-1-i]
	}
}

// CertTable builds an extended report's certificate table (GHCB
// specification): entries of GUID, offset and length, a zero entry, then
// the certificates.
func CertTable(entries ...[2][]byte) []byte {
	head := (len(entries) + 1) * 24
	var tbl, data []byte
	for _, e := range entries {
		tbl = append(tbl, e[0]...)
		tbl = binary.LittleEndian.AppendUint32(tbl, uint32(head+len(data)))
		tbl = binary.LittleEndian.AppendUint32(tbl, uint32(len(e[1])))
		data = append(data, e[1]...)
	}
	tbl = append(tbl, make([]byte, 24)...)
	return append(tbl, data...)
}

func guid(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		panic("testvectors: bad GUID")
	}
	return b
}

// Certificate table GUIDs.
var (
	GUIDVCEK = guid("63da758de6644564adc5f4b93be8accd")
	GUIDVLEK = guid("a8074bc2a25a483eaae639c045a0b8a1")
	GUIDASK  = guid("4ab7b379bbac4fe4a02f05aef327c782")
	GUIDARK  = guid("c0b406a4a803495297433fb6014cd0ae")
)
