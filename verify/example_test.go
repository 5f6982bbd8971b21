// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// Verify a real TDX quote offline at a fixed time and read the verdict.
func ExampleEvidence() {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println(r.Format, r.Status)
	for _, reason := range r.Reasons {
		fmt.Println("-", reason)
	}
	fmt.Println("FMSPC:", r.Claims["fmspc"])
	// Output:
	// tdx warning
	// - quote signature chain verifies to the Intel SGX Root CA (PCK issued by the platform CA)
	// - TCB status not evaluated: no collateral (TCB Info, QE Identity, CRLs) and offline
	// - software not appraised: no reference values for tdx (pass a CoRIM or expected values; --hardware-only accepts genuine hardware alone)
	// FMSPC: 90c06f000000
}

// Appraise a real TDX quote against a signed CoRIM: the reference values
// say which TD may run, the verdict says whether this one is it.
func ExampleEvidence_coRIM() {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	opts := verify.Options{Offline: true, Time: at}

	// The software vendor: a CoRIM drafted from a golden quote, signed.
	golden, _ := verify.Evidence(context.Background(), gtdata.RawQuoteV5, opts)
	tmpl, _ := refvalues.TemplateFromClaims("tdx", golden.Claims)
	unsigned, _ := refvalues.Build(tmpl)
	vendorKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	corim, _ := refvalues.Sign(unsigned, vendorKey, refvalues.SignOptions{Signer: "TD vendor"})

	// The verifier trusts the vendor's key, not whatever key a CoRIM names.
	doc, err := refvalues.Load(corim, refvalues.LoadOptions{Name: "td.corim",
		Keys: []refvalues.TrustedKey{{Public: &vendorKey.PublicKey}}, Time: at})
	if err != nil {
		fmt.Println("CoRIM rejected:", err)
		return
	}
	opts.RefValues.Set = refvalues.Set{doc}
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, opts)
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	// Executables approved; the status stays warning only because no TCB
	// collateral is bundled with this quote.
	fmt.Println(r.Status, r.Vector.Executables == ear.ApprovedRuntimeClaim)

	// The same CoRIM does not approve another TD.
	other, _ := refvalues.Expect(map[string][]string{"mr_td": {strings.Repeat("00", 48)}})
	opts.RefValues.Set = refvalues.Set{other}
	r, _ = verify.Evidence(context.Background(), gtdata.RawQuoteV5, opts)
	fmt.Println(r.Status, r.Vector.Executables == ear.UnrecognizedRuntimeClaim)
	// Output:
	// warning true
	// warning true
}

// A relying party checks the EAR a verifier sent before acting on it: the
// verifier's signature, that it has not expired, and that it answers the
// relying party's own challenge.
func ExampleVerifyEAR() {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// The verifier: the quote's REPORT_DATA carries the challenge it was
	// asked for (here the quote's own, as real quotes carry no nonce of ours).
	challenge, _ := hex.DecodeString("945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486233e31c25c3a")
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{
		Offline: true, Time: at, Binding: verify.Binding{Nonce: challenge},
	})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	verifierKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	token, _ := verify.SignEAR(r.EAR(), verifierKey, verify.EAROptions{KeyID: "verifier-2026", Expires: time.Now().Add(time.Hour)})

	// The relying party, holding the verifier's public key and its challenge.
	ar, err := verify.VerifyEAR(token, &verifierKey.PublicKey, verify.EARVerifyOptions{Nonce: challenge})
	if err != nil {
		fmt.Println("EAR rejected:", err)
		return
	}
	fmt.Println("tdx:", *ar.Submods["tdx"].Status)
	_, err = verify.VerifyEAR(token, &verifierKey.PublicKey, verify.EARVerifyOptions{Nonce: []byte("another request")})
	fmt.Println(errors.Is(err, verify.ErrEARNonce))
	// Output:
	// tdx: warning
	// true
}
