// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/fakepcs"
)

// newFakePCS starts a fake PCS (internal/fakepcs) for the test.
func newFakePCS(t testing.TB) *fakepcs.Server { return fakepcs.New(t) }

func pcsClient(f *fakepcs.Server) *Client {
	return &Client{BaseURL: f.URL, Update: "early", Getter: HTTPGetter{Client: f.Client}, Timeout: 5 * time.Second}
}

// TestPCSFetch fetches from the fake PCS, evaluates, writes the collateral
// to a directory and evaluates what LoadCollateral reads back.
func TestPCSFetch(t *testing.T) {
	f := newFakePCS(t)
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	col, err := pcsClient(f).Fetch(context.Background(), chain.Extensions.FMSPC, chain.CA)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.URLs(), " ") != "/tdx/certification/v4/tcb?fmspc=b0c06f000000&update=early /tdx/certification/v4/qe/identity?update=early /sgx/certification/v4/pckcrl?ca=platform&encoding=der /sgx/certification/v4/rootcacrl" {
		t.Errorf("requests: %q", f.URLs())
	}
	opts := EvaluateOptions{Options: Options{Time: c.At}}
	res, err := Evaluate(q, chain, col, opts)
	if err != nil || res.Status != UpToDate {
		t.Fatalf("fetched: %v %v", res, err)
	}
	dir := t.TempDir()
	if err := WriteCollateral(dir, col); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCollateral(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err = Evaluate(q, chain, back, opts)
	if err != nil || res.Status != UpToDate || !res.RevocationChecked {
		t.Fatalf("written and read back: %v %v", res, err)
	}
}

// TestPCSErrors checks that a missing issuer-chain header, an unknown FMSPC
// and a dead server are ErrCollateralFetch errors.
func TestPCSErrors(t *testing.T) {
	f := newFakePCS(t)
	f.Omit = "TCB-Info-Issuer-Chain"
	if _, err := pcsClient(f).Fetch(context.Background(), [6]byte{0xb0, 0xc0, 0x6f}, CAPlatform); !errors.Is(err, ErrCollateralFetch) || !strings.Contains(err.Error(), "TCB-Info-Issuer-Chain") {
		t.Errorf("missing header: %v", err)
	}
	f.Omit = ""
	if _, err := pcsClient(f).Fetch(context.Background(), [6]byte{1}, CAPlatform); !errors.Is(err, ErrCollateralFetch) {
		t.Errorf("unknown FMSPC: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pcsClient(f).Fetch(ctx, [6]byte{0xb0, 0xc0, 0x6f}, CAPlatform); !errors.Is(err, ErrCollateralFetch) || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

// TestPCSURLs checks the Intel PCS defaults.
func TestPCSURLs(t *testing.T) {
	var got []string
	g := getterFunc(func(ctx context.Context, u string) ([]byte, http.Header, error) {
		got = append(got, u)
		return nil, nil, errors.New("offline")
	})
	c := &Client{Getter: g, Update: "standard"}
	c.Fetch(context.Background(), [6]byte{0x90, 0xc0, 0x6f}, CAProcessor)
	if len(got) != 1 || got[0] != "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=90c06f000000&update=standard" {
		t.Errorf("got %q", got)
	}
	if u := (&Client{}).rootCRLURL(); u != RootCRLURL {
		t.Errorf("root CRL URL %s", u)
	}
}

type getterFunc func(ctx context.Context, u string) ([]byte, http.Header, error)

func (f getterFunc) Get(ctx context.Context, u string) ([]byte, http.Header, error) { return f(ctx, u) }
