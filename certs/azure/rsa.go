// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"math/big"

	evazure "github.com/ccverify/ccverify/evidence/azure"
	"github.com/google/go-tpm/tpm2"
)

// scheme is how a quote's signature is to be verified.
type scheme struct {
	pss  bool
	hash crypto.Hash
}

func (s scheme) String() string {
	if s.pss {
		return "RSA-PSS/" + s.hash.String()
	}
	return "RSASSA-PKCS1-v1_5/" + s.hash.String()
}

// schemeOf returns the scheme of a signature: a TPMT_SIGNATURE's own, or for
// bare signature bytes (as the Azure tooling carries them) the AK's JWK "alg"
// (PS256, PS384, PS512, RS384, RS512), defaulting to RSASSA-PKCS1-v1_5 with
// SHA-256, which is what the vTPM's AK signs with and what Trustee verifies.
func schemeOf(sig evazure.Signature, ak evazure.JWK) (scheme, error) {
	switch sig.Scheme {
	case tpm2.TPMAlgRSASSA, tpm2.TPMAlgRSAPSS:
		h, err := sig.Hash.Hash()
		if err != nil || (h != crypto.SHA256 && h != crypto.SHA384 && h != crypto.SHA512) {
			return scheme{}, fmt.Errorf("%w: TPMT_SIGNATURE hash %#04x is not SHA-256, SHA-384 or SHA-512", ErrAKSignature, uint16(sig.Hash))
		}
		return scheme{pss: sig.Scheme == tpm2.TPMAlgRSAPSS, hash: h}, nil
	}
	switch ak.Alg {
	case "", "RS256":
		return scheme{hash: crypto.SHA256}, nil
	case "RS384":
		return scheme{hash: crypto.SHA384}, nil
	case "RS512":
		return scheme{hash: crypto.SHA512}, nil
	case "PS256":
		return scheme{pss: true, hash: crypto.SHA256}, nil
	case "PS384":
		return scheme{pss: true, hash: crypto.SHA384}, nil
	case "PS512":
		return scheme{pss: true, hash: crypto.SHA512}, nil
	}
	return scheme{}, fmt.Errorf("%w: the AK's JWK names alg %q, not an RSA signature algorithm", ErrAK, ak.Alg)
}

// verifyRSA verifies sig over msg under pub with the scheme. When the
// signature does not verify it tells apart a signature the key made over
// other bytes (the public operation yields a well-formed encoding whose hash
// is not msg's: [ErrQuoteAltered]) from one the key did not make (a
// malformed encoding: a different key, or a damaged signature).
func verifyRSA(pub *rsa.PublicKey, s scheme, msg, sig []byte) error {
	h := s.hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	var err error
	if s.pss {
		err = rsa.VerifyPSS(pub, s.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: s.hash})
	} else {
		err = rsa.VerifyPKCS1v15(pub, s.hash, digest, sig)
	}
	if err == nil {
		return nil
	}
	em := publicOp(pub, sig)
	if em != nil {
		var formed bool
		if s.pss {
			formed = pssWellFormed(em, pub.N.BitLen()-1, s.hash)
		} else {
			formed = pkcs1WellFormed(em, s.hash)
		}
		if formed {
			return fmt.Errorf("%w: %w (%v)", ErrAKSignature, ErrQuoteAltered, s)
		}
	}
	return fmt.Errorf("%w: %v signature does not verify with the %d-bit AK", ErrAKSignature, s, pub.N.BitLen())
}

// publicOp returns sig^e mod n as k bytes (k the modulus size), or nil when
// sig is not a signature representative (its length is not k or its value is
// not below n). Only public values are involved.
func publicOp(pub *rsa.PublicKey, sig []byte) []byte {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return nil
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return nil
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	return m.FillBytes(make([]byte, k))
}

// digestInfoPrefix is the DER DigestInfo prefix of RFC 8017 §9.2 note 1.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pkcs1WellFormed reports whether em is EMSA-PKCS1-v1_5 for some digest of h:
// 0x00 0x01 0xFF… 0x00 DigestInfo(h, ·).
func pkcs1WellFormed(em []byte, h crypto.Hash) bool {
	prefix := digestInfoPrefix[h]
	t := len(prefix) + h.Size()
	if len(em) < t+11 || em[0] != 0x00 || em[1] != 0x01 {
		return false
	}
	ps := em[2 : len(em)-t-1]
	for _, b := range ps {
		if b != 0xff {
			return false
		}
	}
	return em[len(em)-t-1] == 0x00 && bytes.Equal(em[len(em)-t:len(em)-h.Size()], prefix)
}

// pssWellFormed reports whether em (k bytes) holds an EMSA-PSS encoding of
// emBits bits (RFC 8017 §9.1.2 steps 4 to 10) for some message: the 0xbc
// trailer, zero top bits, and a data block of zeros, 0x01 and a salt.
func pssWellFormed(em []byte, emBits int, h crypto.Hash) bool {
	emLen := (emBits + 7) / 8
	if len(em) < emLen {
		return false
	}
	for _, b := range em[:len(em)-emLen] {
		if b != 0 {
			return false
		}
	}
	em = em[len(em)-emLen:]
	hLen := h.Size()
	if emLen < hLen+2 || em[emLen-1] != 0xbc {
		return false
	}
	db := append([]byte(nil), em[:emLen-hLen-1]...)
	hh := em[emLen-hLen-1 : emLen-1]
	topBits := 8*emLen - emBits
	if topBits > 0 && db[0]>>(8-topBits) != 0 {
		return false
	}
	mgf1XOR(db, h, hh)
	if topBits > 0 {
		db[0] &= 0xff >> topBits
	}
	for _, b := range db {
		if b == 0x01 {
			return true // PS (zeros) ended; the salt follows
		}
		if b != 0x00 {
			return false
		}
	}
	return false
}

// mgf1XOR xors out with MGF1(seed) under h (RFC 8017 §B.2.1).
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	done := 0
	for i := uint32(0); done < len(out); i++ {
		binary.BigEndian.PutUint32(counter[:], i)
		d := h.New()
		d.Write(seed)
		d.Write(counter[:])
		for _, b := range d.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= b
			done++
		}
	}
}
