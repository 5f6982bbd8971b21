// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-tpm/tpm2"
)

// InitDataPCR is the PCR Trustee's attesters extend with the init data's
// digest (Trustee's az_snp_vtpm INITDATA_PCR).
const InitDataPCR = 8

// Claims returns the claims an Azure vTPM adds to the hardware report's
// claims, with the names and shapes of Trustee's az-snp-vtpm and az-tdx-vtpm
// verifiers (deps/verifier/src/az_snp_vtpm/mod.rs, extend_claim):
//
//   - "tpm": an object with the PCR values as lowercase hex, "pcr00" … "pcr23"
//     for the SHA-256 bank (a PCR of another bank gets its bank's name as a
//     suffix: "pcr00_sha1", "pcr00_sha384");
//   - "init_data": PCR 8 of the SHA-256 bank, hex (Trustee: this replaces the
//     hardware report's init_data);
//   - "report_data": the quote's extraData (its nonce), hex (Trustee: this
//     replaces the hardware report's report_data).
//
// Ours, in the same style, where Trustee has no name:
//
//   - "hcl_user_data": the runtime data's user data, hex;
//   - "hcl_vm_configuration": the runtime data's "vm-configuration" object.
//
// Trustee numbers the PCRs by their position in the list; these claims number
// them by the PCR the quote's selection says each value is (the same for the
// 24-PCR SHA-256 quotes the Azure vTPM produces). PCR claims are present only
// when the values pair with the selection ([Quote.PCRs]); the caller should
// take claims only from a quote certs/azure verified.
func Claims(q Quote, rd RuntimeData) map[string]any {
	c := map[string]any{}
	if pcrs, err := q.PCRs(); err == nil {
		tpm := map[string]any{}
		for _, p := range pcrs {
			name := fmt.Sprintf("pcr%02d", p.Index)
			if p.Hash != tpm2.TPMAlgSHA256 {
				name += "_" + bankName(p.Hash)
			}
			tpm[name] = hex.EncodeToString(p.Value)
			if p.Hash == tpm2.TPMAlgSHA256 && p.Index == InitDataPCR {
				c["init_data"] = hex.EncodeToString(p.Value)
			}
		}
		c["tpm"] = tpm
	}
	if q.Attest.raw != nil {
		c["report_data"] = hex.EncodeToString(q.Attest.ExtraData())
	}
	if u, ok := rd.UserData(); ok {
		c["hcl_user_data"] = hex.EncodeToString(u)
	}
	if v := rd.VMConfiguration(); v != nil {
		var m map[string]any
		if json.Unmarshal(v, &m) == nil && m != nil {
			c["hcl_vm_configuration"] = m
		}
	}
	return c
}

func bankName(h tpm2.TPMIAlgHash) string {
	switch tpm2.TPMAlgID(h) {
	case tpm2.TPMAlgSHA1:
		return "sha1"
	case tpm2.TPMAlgSHA384:
		return "sha384"
	case tpm2.TPMAlgSHA512:
		return "sha512"
	case tpm2.TPMAlgSM3256:
		return "sm3_256"
	}
	return strings.ToLower(fmt.Sprintf("alg%04x", uint16(h)))
}
