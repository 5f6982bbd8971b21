// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ccverify/ccverify/evidence/container"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// Example unwraps a configfs-tsm report as Veraison's ratsd sends it (JSON,
// base64url blobs) inside a CMW record, and prints what the TDX appraisal
// gets and where each piece came from.
func Example() {
	tsm, _ := json.Marshal(map[string]string{
		"outblob":  base64.RawURLEncoding.EncodeToString(gtdata.RawQuoteV5),
		"provider": "tdx_guest",
	})
	record, _ := json.Marshal([]string{"application/vnd.veraison.tsm-report+json", base64.RawURLEncoding.EncodeToString(tsm)})

	evs, err := container.Unwrap(record, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range evs {
		fmt.Println("TEE:", e.TEE)
		for _, p := range e.Pieces {
			fmt.Printf("%s, %d bytes, from %s\n", p.Kind, len(p.Data), p.Origin)
		}
	}
	// Output:
	// TEE: tdx
	// TD quote, 5006 bytes, from cmw application/vnd.veraison.tsm-report+json > configfs-tsm json: outblob
}
