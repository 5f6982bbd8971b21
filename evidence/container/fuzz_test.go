// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// realContainers returns the shared vectors' containers: Trustee's evidence
// files and the cases' hex text.
func realContainers(f *testing.F) [][]byte {
	if vectors.Dir() == "" {
		return nil
	}
	var out [][]byte
	for _, p := range []string{
		"snp/confidential-containers-trustee/az-snp-vtpm/evidence-v0.json",
		"snp/confidential-containers-trustee/az-snp-vtpm/evidence-v1.json",
		"snp/confidential-containers-trustee/az-snp-vtpm/evidence-v2.json",
		"snp/confidential-containers-trustee/az-snp-vtpm/evidence-genoa.json",
		"snp/confidential-containers-trustee/az-snp-vtpm/hcl-report.bin",
		"snp/confidential-containers-trustee/e2e-evidence.json",
	} {
		out = append(out, vectors.Read(f, p))
	}
	for _, c := range cases(f) {
		if c.Encoding == "hex" {
			out = append(out, vectors.Read(f, c.Evidence))
		}
	}
	return out
}

// generated returns every form the tests build around go-tdx-guest's quote.
func generated(f *testing.F) [][]byte {
	r := reports(f)[0]
	var out [][]byte
	for _, b := range forms(f, r) {
		out = append(out, b)
	}
	se, _ := seEvidence()
	return append(out, trusteeTDX(gtdata.RawQuoteV5, []byte("log")), se, sevJSON(make([]byte, 1184), false))
}

// FuzzUnwrap checks that no input panics, that an error is one of the named
// ones, that the bounds hold, that every piece says where it came from, and
// that unwrapping is deterministic.
func FuzzUnwrap(f *testing.F) {
	for _, b := range append(realContainers(f), generated(f)...) {
		f.Add(b)
	}
	opts := &container.Options{MaxEntries: 16, MaxDepth: 6}
	named := []error{container.ErrUnrecognized, container.ErrMalformed, container.ErrVersion, container.ErrUnknownTEE,
		container.ErrUnknownProvider, container.ErrUnknownMediaType, container.ErrTooLarge, container.ErrTooDeep, container.ErrTooMany}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := container.Unwrap(b, opts)
		if err != nil {
			for _, n := range named {
				if errors.Is(err, n) {
					return
				}
			}
			t.Fatalf("unnamed error: %v", err)
		}
		if len(es) == 0 || len(es) > opts.MaxEntries {
			t.Fatalf("%d evidences", len(es))
		}
		for _, e := range es {
			if e.TEE == "" || len(e.Pieces) == 0 || !strings.HasSuffix(e.Origin, string(e.Form)) && !strings.Contains(e.Origin, string(e.Form)+" v") {
				t.Fatalf("evidence %s %s %q", e.TEE, e.Form, e.Origin)
			}
			for _, p := range e.Pieces {
				if !strings.HasPrefix(p.Origin, e.Origin+": ") || p.Kind.String() == "" {
					t.Fatalf("piece origin %q", p.Origin)
				}
			}
		}
		again, err := container.Unwrap(b, opts)
		if err != nil || !reflect.DeepEqual(es, again) {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzUnwrapType checks that no media type and value panics.
func FuzzUnwrapType(f *testing.F) {
	r := reports(f)[0]
	f.Add("application/vnd.veraison.tsm-report+json", r.tsmJSON())
	f.Add("application/vnd.veraison.tsm-report+cbor", r.tsmCBOR())
	f.Add(`application/eat+cwt; eat_profile="tag:github.com,2025:veraison/ratsd/cmw"`, []byte(`{"cmw": "e30", "eat_profile": "x"}`))
	f.Add("application/octet-stream", gtdata.RawQuoteV5)
	f.Fuzz(func(t *testing.T, mt string, b []byte) {
		_, _ = container.UnwrapType(mt, b, &container.Options{MaxEntries: 16, MaxDepth: 6})
	})
}

// FuzzUnwrapDir checks that no configfs-tsm directory content panics and
// that what unwraps is the outblob given.
func FuzzUnwrapDir(f *testing.F) {
	for _, r := range reports(f) {
		f.Add(r.outblob, r.auxblob, r.provider, r.generation)
	}
	f.Fuzz(func(t *testing.T, out, aux []byte, provider, generation string) {
		d := t.TempDir()
		for name, b := range map[string][]byte{"outblob": out, "auxblob": aux, "provider": []byte(provider), "generation": []byte(generation)} {
			if err := os.WriteFile(filepath.Join(d, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		es, err := container.UnwrapDir(d, nil)
		if err != nil {
			return
		}
		if len(es) != 1 || !reflect.DeepEqual(es[0].Pieces[0].Data, out) {
			t.Fatal("the outblob is not the first piece")
		}
	})
}
