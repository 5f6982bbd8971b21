// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package wycheproof gives tests Project Wycheproof's test vectors. They come
// as a Go module from the module proxy, as Go's own crypto tests fetch them:
// go mod download needs no go.mod entry and works wherever the proxy (or a
// warm module cache) is reachable. The module's version and hash are pinned
// here, so the vectors cannot change under the tests; tests skip cleanly
// where the module cannot be had.
package wycheproof

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The pinned module.
const (
	Module  = "github.com/C2SP/wycheproof"
	Version = "v0.0.0-20250901140545-b51abcfb8daf"
	Sum     = "h1:5BKKVVVj676FUWirLcouEEL6GCYR9X0opkMlEUck8FY="
)

// Dir returns the module's directory in the module cache, downloading it
// first if needed. It skips t when the go command cannot download it, and
// fails t when the module's hash is not the pinned one or the go command
// reports a checksum mismatch.
func Dir(t testing.TB) string {
	t.Helper()
	// go test puts its own GOROOT/bin first in the test's PATH, so "go" is
	// the toolchain that runs the test.
	out, err := exec.Command("go", "mod", "download", "-json", Module+"@"+Version).Output()
	var m struct{ Dir, Sum, Error string }
	jerr := json.Unmarshal(out, &m)
	if err != nil && (strings.Contains(m.Error, "checksum mismatch") || strings.Contains(m.Error, "SECURITY ERROR")) {
		t.Fatalf("go mod download %s@%s: %s", Module, Version, m.Error) // not what the checksum database knows
	}
	if err != nil {
		t.Skipf("Wycheproof vectors unavailable (go mod download %s@%s: %v %s); needs the module proxy or a warm module cache", Module, Version, err, m.Error)
	}
	if jerr != nil || m.Error != "" {
		t.Fatalf("go mod download %s@%s: %v %s", Module, Version, jerr, m.Error)
	}
	if m.Sum != Sum {
		t.Fatalf("Wycheproof module hash %s, pinned %s", m.Sum, Sum)
	}
	return m.Dir
}

// ECDSA reads and decodes testvectors_v1/name, an ECDSA verification file
// (DER or IEEE P1363 signatures), skipping t as [Dir] does. It fails t unless
// the file holds at least one group and exactly the number of tests its
// header declares.
func ECDSA(t testing.TB, name string) *ECDSAFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Dir(t), "testvectors_v1", name))
	if err != nil {
		t.Fatal(err)
	}
	f := new(ECDSAFile)
	if err := json.Unmarshal(raw, f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	n := 0
	for _, g := range f.TestGroups {
		n += len(g.Tests)
	}
	if len(f.TestGroups) == 0 || n != f.NumberOfTests {
		t.Fatalf("%s: %d groups, %d tests, the header says %d tests", name, len(f.TestGroups), n, f.NumberOfTests)
	}
	return f
}

// Results a test expects.
const (
	Valid   = "valid"
	Invalid = "invalid"
	// Acceptable marks signatures that implementations may accept or
	// reject (legacy encodings, weak parameters).
	Acceptable = "acceptable"
)

// ECDSAFile is a Wycheproof ECDSA verification file (schemas
// ecdsa_verify_schema_v1.json and ecdsa_p1363_verify_schema_v1.json).
type ECDSAFile struct {
	Algorithm     string       `json:"algorithm"`
	NumberOfTests int          `json:"numberOfTests"`
	TestGroups    []ECDSAGroup `json:"testGroups"`
}

// ECDSAGroup is one public key, one hash and the signatures to verify with
// them.
type ECDSAGroup struct {
	// Type is EcdsaVerify (DER signatures) or EcdsaP1363Verify (r ‖ s).
	Type      string `json:"type"`
	PublicKey struct {
		Curve   string `json:"curve"` // "secp256r1", "secp384r1", …
		KeySize int    `json:"keySize"`
		// Uncompressed is the SEC 1 uncompressed point, 0x04 ‖ x ‖ y.
		Uncompressed Hex `json:"uncompressed"`
	} `json:"publicKey"`
	SHA   string      `json:"sha"` // "SHA-256", "SHA-384", …
	Tests []ECDSATest `json:"tests"`
}

// ECDSATest is one signature over one message.
type ECDSATest struct {
	TCID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Msg     Hex      `json:"msg"`
	Sig     Hex      `json:"sig"`
	Result  string   `json:"result"` // Valid, Invalid or Acceptable
	Flags   []string `json:"flags"`
}

// Hex is bytes written in JSON as a hexadecimal string.
type Hex []byte

// UnmarshalJSON decodes a JSON string of hexadecimal digits.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("wycheproof: %w", err)
	}
	*h = d
	return nil
}
