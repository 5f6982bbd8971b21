// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package azure_test

import (
	"errors"
	"fmt"

	"github.com/ccverify/ccverify/certs/azure"
)

// Example proves an Azure vTPM's binding to its hardware report, then shows
// what must happen next and how a wrong nonce fails. The evidence here is
// synthetic (signed under a test AK); in use it comes from
// evidence/container, e.g. Trustee's az-snp-vtpm evidence.
func Example() {
	nonce := []byte("freshness from the relying party")
	ev := build(nil, spec{nonce: nonce})

	r, err := azure.Verify(ev, &azure.Options{Nonce: nonce})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bound to the", r.ReportType, "report; quote", r.Scheme, "with", len(r.PCRs), "PCRs")
	fmt.Println("next: verify the", len(r.HardwareReport), "byte hardware report with certs/amd")
	claims := r.Claims()
	fmt.Println("claims:", len(claims["tpm"].(map[string]any)), "PCRs, init_data = tpm.pcr08:", claims["init_data"] == claims["tpm"].(map[string]any)["pcr08"])

	_, err = azure.Verify(ev, &azure.Options{Nonce: []byte("another nonce")})
	fmt.Println("wrong nonce:", errors.Is(err, azure.ErrNonce))
	// Output:
	// bound to the SNP report; quote RSASSA-PKCS1-v1_5/SHA-256 with 24 PCRs
	// next: verify the 1184 byte hardware report with certs/amd
	// claims: 24 PCRs, init_data = tpm.pcr08: true
	// wrong nonce: true
}
