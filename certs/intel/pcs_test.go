// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/vectors"
)

// fakePCS serves Phala's B0C06F collateral under the real PCS v4 URL shapes
// and headers: bodies as PCS sends them, issuer chains URL-encoded in headers.
type fakePCS struct {
	srv      *httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	urls     []string
	omit     string // a header to leave out
}

func newFakePCS(t testing.TB) *fakePCS {
	t.Helper()
	var b map[string]string
	if err := json.Unmarshal(vectors.Read(t, "tdx/phala-dcap-qvl/tdx_quote_collateral.json"), &b); err != nil {
		t.Fatal(err)
	}
	pckCRL, _ := hex.DecodeString(b["pck_crl"])
	rootCRL, _ := hex.DecodeString(b["root_ca_crl"])
	f := &fakePCS{}
	mux := http.NewServeMux()
	header := func(w http.ResponseWriter, name, pem string) {
		if name != f.omit {
			w.Header().Set(name, url.PathEscape(pem))
		}
	}
	mux.HandleFunc("/tdx/certification/v4/tcb", func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.URL.Query().Get("fmspc"), "b0c06f000000") {
			http.Error(w, "no such FMSPC", http.StatusNotFound)
			return
		}
		header(w, "TCB-Info-Issuer-Chain", b["tcb_info_issuer_chain"])
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"tcbInfo":` + b["tcb_info"] + `,"signature":"` + b["tcb_info_signature"] + `"}`))
	})
	mux.HandleFunc("/tdx/certification/v4/qe/identity", func(w http.ResponseWriter, r *http.Request) {
		header(w, "SGX-Enclave-Identity-Issuer-Chain", b["qe_identity_issuer_chain"])
		w.Write([]byte(`{"enclaveIdentity":` + b["qe_identity"] + `,"signature":"` + b["qe_identity_signature"] + `"}`))
	})
	mux.HandleFunc("/sgx/certification/v4/pckcrl", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ca") != "platform" || r.URL.Query().Get("encoding") != "der" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		header(w, "SGX-PCK-CRL-Issuer-Chain", b["pck_crl_issuer_chain"])
		w.Write(pckCRL)
	})
	mux.HandleFunc("/sgx/certification/v4/rootcacrl", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(hex.EncodeToString(rootCRL))) // PCCS serves it as hex text
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		f.urls = append(f.urls, r.URL.String())
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePCS) client() *Client {
	return &Client{BaseURL: f.srv.URL, Update: "early", Getter: HTTPGetter{Client: f.srv.Client()}, Timeout: 5 * time.Second}
}

// TestPCSFetch fetches from the fake PCS, evaluates, writes the collateral
// to a directory and evaluates what LoadCollateral reads back.
func TestPCSFetch(t *testing.T) {
	f := newFakePCS(t)
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	col, err := f.client().Fetch(context.Background(), chain.Extensions.FMSPC, chain.CA)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.urls, " ") != "/tdx/certification/v4/tcb?fmspc=b0c06f000000&update=early /tdx/certification/v4/qe/identity?update=early /sgx/certification/v4/pckcrl?ca=platform&encoding=der /sgx/certification/v4/rootcacrl" {
		t.Errorf("requests: %q", f.urls)
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
	f.omit = "TCB-Info-Issuer-Chain"
	if _, err := f.client().Fetch(context.Background(), [6]byte{0xb0, 0xc0, 0x6f}, CAPlatform); !errors.Is(err, ErrCollateralFetch) || !strings.Contains(err.Error(), "TCB-Info-Issuer-Chain") {
		t.Errorf("missing header: %v", err)
	}
	f.omit = ""
	if _, err := f.client().Fetch(context.Background(), [6]byte{1}, CAPlatform); !errors.Is(err, ErrCollateralFetch) {
		t.Errorf("unknown FMSPC: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.client().Fetch(ctx, [6]byte{0xb0, 0xc0, 0x6f}, CAPlatform); !errors.Is(err, ErrCollateralFetch) || !errors.Is(err, context.Canceled) {
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
