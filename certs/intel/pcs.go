// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrCollateralFetch reports a PCS or PCCS request that failed: transport
// error, non-200 status (404 for an FMSPC the service does not know, 429,
// 5xx), a response without its issuer-chain header, or a body that is not
// the collateral asked for (then also [ErrCollateralFormat]). It says the
// service could not give the collateral, not that the evidence is bad.
var ErrCollateralFetch = errors.New("intel: collateral fetch failed")

// Intel PCS endpoints.
const (
	// PCSURL is the base URL of Intel's Provisioning Certification Service.
	PCSURL = "https://api.trustedservices.intel.com"
	// RootCRLURL is where Intel publishes the SGX Root CA CRL (DER).
	RootCRLURL = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
)

// Getter fetches a URL. Implementations must honor ctx. Tests and offline
// users plug in their own; [HTTPGetter] is the default.
type Getter interface {
	// Get returns the body and headers of a 200 response, or an error.
	Get(ctx context.Context, url string) (body []byte, header http.Header, err error)
}

// HTTPGetter is a [Getter] over net/http.
type HTTPGetter struct {
	// Client is the HTTP client; nil means http.DefaultClient.
	Client *http.Client
	// MaxBytes bounds a response body; 0 means 4 MiB.
	MaxBytes int64
}

// Get implements [Getter].
func (g HTTPGetter) Get(ctx context.Context, u string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	c := g.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	max := g.MaxBytes
	if max <= 0 {
		max = 4 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(body)) > max {
		return nil, nil, fmt.Errorf("response larger than %d bytes", max)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.Header, fmt.Errorf("HTTP %s", resp.Status)
	}
	return body, resp.Header, nil
}

// Client fetches TDX collateral from Intel PCS v4 or any PCCS that serves the
// same API. The zero value uses Intel PCS, the standard update channel,
// [HTTPGetter] and a 30-second timeout per request.
type Client struct {
	// BaseURL is the PCS or PCCS base URL; "" means [PCSURL].
	BaseURL string
	// RootCRLURL is where the Root CA CRL is fetched; "" means [RootCRLURL]
	// for Intel PCS and BaseURL + "/sgx/certification/v4/rootcacrl" otherwise.
	RootCRLURL string
	// Update is the TCB update channel, "standard" or "early"; "" lets the
	// server choose (standard).
	Update string
	// Getter performs the requests; nil means HTTPGetter{}.
	Getter Getter
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return PCSURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	g := c.Getter
	if g == nil {
		g = HTTPGetter{}
	}
	d := c.Timeout
	if d <= 0 {
		d = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	body, h, err := g.Get(ctx, u)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: GET %s: %w", ErrCollateralFetch, u, err)
	}
	return body, h, nil
}

func (c *Client) query(path string, v url.Values) string {
	if c.Update != "" {
		v.Set("update", c.Update)
	}
	u := c.base() + path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// issuerChain returns the URL-decoded PEM chain of the first header present.
func issuerChain(h http.Header, u string, names ...string) ([]byte, error) {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			s, err := url.PathUnescape(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: header %s: %v", ErrCollateralFetch, u, n, err)
			}
			return []byte(s), nil
		}
	}
	return nil, fmt.Errorf("%w: %s: no %s header", ErrCollateralFetch, u, names[0])
}

// Fetch gets everything [Evaluate] needs for a platform of the given FMSPC
// whose PCK the given CA issued: the TDX TCB Info and QE Identity with their
// issuer chain, the PCK CRL with its issuer chain, and the Root CA CRL. The
// result is not verified; [Evaluate] (or a [Cache]) verifies it.
func (c *Client) Fetch(ctx context.Context, fmspc [6]byte, ca CAType) (*Collateral, error) {
	col := new(Collateral)
	if ca != CAPlatform && ca != CAProcessor {
		return nil, fmt.Errorf("%w: unknown PCK CA %v", ErrCollateralFetch, ca)
	}
	steps := []struct {
		url     string
		headers []string
	}{
		{c.query("/tdx/certification/v4/tcb", url.Values{"fmspc": {hex.EncodeToString(fmspc[:])}}), []string{"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"}},
		{c.query("/tdx/certification/v4/qe/identity", url.Values{}), []string{"SGX-Enclave-Identity-Issuer-Chain"}},
		{c.base() + "/sgx/certification/v4/pckcrl?" + url.Values{"ca": {ca.String()}, "encoding": {"der"}}.Encode(), []string{"SGX-PCK-CRL-Issuer-Chain"}},
		{c.rootCRLURL(), nil},
	}
	for _, s := range steps {
		body, h, err := c.get(ctx, s.url)
		if err != nil {
			return nil, err
		}
		if err := col.Add(body); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCollateralFetch, s.url, err)
		}
		if s.headers == nil {
			continue
		}
		chain, err := issuerChain(h, s.url, s.headers...)
		if err != nil {
			return nil, err
		}
		if err := col.Add(chain); err != nil {
			return nil, fmt.Errorf("%w: %s: issuer chain: %w", ErrCollateralFetch, s.url, err)
		}
	}
	return col, nil
}

func (c *Client) rootCRLURL() string {
	switch {
	case c.RootCRLURL != "":
		return c.RootCRLURL
	case c.base() == PCSURL:
		return RootCRLURL
	}
	return c.base() + "/sgx/certification/v4/rootcacrl"
}

// WriteCollateral writes every piece of col to dir (created if needed) in
// forms [LoadCollateral] reads back: PCS response bodies for TCB Info and QE
// Identity (the signed bytes unchanged), DER CRLs and one PEM file of the
// issuer-chain certificates.
func WriteCollateral(dir string, col *Collateral) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, b []byte) error {
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	for i, ti := range col.TCBInfos {
		if err := write(fmt.Sprintf("tcbinfo-%s-%d-%d.json", ti.FMSPCString(), ti.TCBEvaluationDataNumber, i), ti.Body()); err != nil {
			return err
		}
	}
	for i, qe := range col.QEIdentities {
		if err := write(fmt.Sprintf("qeidentity-%d-%d.json", qe.TCBEvaluationDataNumber, i), qe.Body()); err != nil {
			return err
		}
	}
	for i, crl := range col.CRLs {
		name := "rootcacrl"
		if !crl.Root {
			name = "pckcrl-" + crl.CA.String()
		}
		if err := write(fmt.Sprintf("%s-%d.der", name, i), crl.Raw()); err != nil {
			return err
		}
	}
	if len(col.Certs) > 0 {
		var b strings.Builder
		for _, c := range col.Certs {
			_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		if err := write("issuer-chains.pem", []byte(b.String())); err != nil {
			return err
		}
	}
	return nil
}
