// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log"
	"strings"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/refvalues"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
)

// A release engineer writes reference values for a guest image from a golden
// report, signs them, and a verifier judges a report against them.
func Example() {
	// The claims verify builds for a SEV-SNP report (here go-sev-guest's sample).
	r, err := snp.Parse(gsgdata.AttestationBytes)
	if err != nil {
		log.Fatal(err)
	}
	claims := snp.Claims(r, snp.Milan)

	// Author: a template from the golden report, built and signed.
	tmpl, err := refvalues.TemplateFromClaims("snp", claims)
	if err != nil {
		log.Fatal(err)
	}
	unsigned, err := refvalues.Build(tmpl)
	if err != nil {
		log.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	signed, err := refvalues.Sign(unsigned, key, refvalues.SignOptions{Signer: "Example Corp. release key"})
	if err != nil {
		log.Fatal(err)
	}

	// Verifier: load the CoRIM trusting the release key, and match.
	doc, err := refvalues.Load(signed, refvalues.LoadOptions{Name: "release.corim",
		Keys: []refvalues.TrustedKey{{Public: key.Public()}}})
	if err != nil {
		log.Fatal(err)
	}
	res := refvalues.Set{doc}.Match("snp", claims)
	fmt.Println("golden report:", res.Status)

	// Another image: the same CoRIM does not recognize it, and says why.
	other := map[string]any{}
	for k, v := range claims {
		other[k] = v
	}
	other["measurement"] = strings.Repeat("00", 48)
	res = refvalues.Set{doc}.Match("snp", other)
	fmt.Println("other image:", res.Status)
	for _, f := range res.Mismatches() {
		fmt.Printf("%s (%s, %s): %s\n", f.Claim, f.Key, f.Class, f.Reason)
	}
	// Output:
	// golden report: approved
	// other image: unrecognized
	// measurement (mkey 641 (MEASUREMENT) digests, executables): differs
}

// Expected values without a CoRIM, in the shape Trustee's reference value
// provider uses.
func ExampleExpect() {
	doc, err := refvalues.Expect(map[string][]string{
		"mr_td":  {strings.Repeat("a1", 48), strings.Repeat("a2", 48)},
		"rtmr_1": {strings.Repeat("b1", 48)},
	})
	if err != nil {
		log.Fatal(err)
	}
	claims := map[string]any{"quote": map[string]any{"body": map[string]any{
		"mr_td": strings.Repeat("a2", 48), "rtmr_1": strings.Repeat("b0", 48)}}}
	res := refvalues.Set{doc}.Match("tdx", claims)
	fmt.Println(res.Status)
	for _, f := range res.Mismatches() {
		fmt.Printf("%s: %s\n", f.Claim, f.Reason)
	}
	// Output:
	// unrecognized
	// quote.body.rtmr_1: differs
}
