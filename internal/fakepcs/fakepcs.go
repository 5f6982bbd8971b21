// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package fakepcs serves real Intel collateral under the URL shapes and
// headers of Intel's PCS v4 API from an httptest server, so that tests of
// online collateral fetching never touch the network.
package fakepcs

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
)

// FMSPC is the platform the server knows: Phala's dcap-qvl collateral bundle
// is for FMSPC B0C06F000000 (the case tdx-phala-v4-b0c06f-uptodate).
const FMSPC = "b0c06f000000"

// Server is a fake PCS. It serves the TDX TCB Info and QE Identity, the
// Platform CA PCK CRL (DER) and the Root CA CRL (hex text, as PCCS does),
// with the issuer chains URL-encoded in the response headers as PCS sends them.
type Server struct {
	// URL is the base URL to give a PCS client.
	URL string
	// Client is an HTTP client for the server.
	Client *http.Client
	// Requests counts the requests served.
	Requests atomic.Int64
	// Omit names a response header to leave out (for error tests).
	Omit string

	mu   sync.Mutex
	urls []string
}

// New starts a server for the test's lifetime, or skips t when the shared
// vectors are absent.
func New(t testing.TB) *Server {
	t.Helper()
	var b map[string]string
	if err := json.Unmarshal(vectors.Read(t, "tdx/phala-dcap-qvl/tdx_quote_collateral.json"), &b); err != nil {
		t.Fatal(err)
	}
	pckCRL, err := hex.DecodeString(b["pck_crl"])
	if err != nil {
		t.Fatal(err)
	}
	rootCRL := b["root_ca_crl"]
	s := &Server{}
	header := func(w http.ResponseWriter, name, pem string) {
		if name != s.Omit {
			w.Header().Set(name, url.PathEscape(pem))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/tdx/certification/v4/tcb", func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.URL.Query().Get("fmspc"), FMSPC) {
			http.Error(w, "no such FMSPC", http.StatusNotFound)
			return
		}
		header(w, "TCB-Info-Issuer-Chain", b["tcb_info_issuer_chain"])
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"tcbInfo":` + b["tcb_info"] + `,"signature":"` + b["tcb_info_signature"] + `"}`))
	})
	mux.HandleFunc("/tdx/certification/v4/qe/identity", func(w http.ResponseWriter, r *http.Request) {
		header(w, "SGX-Enclave-Identity-Issuer-Chain", b["qe_identity_issuer_chain"])
		w.Header().Set("Content-Type", "application/json")
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
		w.Write([]byte(rootCRL)) // PCCS serves it as hex text
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		s.mu.Lock()
		s.urls = append(s.urls, r.URL.String())
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL, s.Client = srv.URL, srv.Client()
	return s
}

// URLs returns the request URIs served so far, in order.
func (s *Server) URLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.urls...)
}
