// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
)

// DefaultKDSURL is the base URL of AMD's Key Distribution Service.
const DefaultKDSURL = "https://kdsintf.amd.com"

// VCEKURL returns the KDS URL of the VCEK for chipID and tcb on product p:
// …/vcek/v1/{Milan|Genoa}/{hex(CHIP_ID)}?blSPL=&teeSPL=&snpSPL=&ucodeSPL= and,
// on Turin, …/vcek/v1/Turin/{hex(CHIP_ID[0:8])}?fmcSPL=&blSPL=&teeSPL=&snpSPL=&ucodeSPL=
// (SPLs as two decimal digits). base "" means [DefaultKDSURL].
func VCEKURL(base string, p snp.Product, chipID []byte, tcb snp.TCBVersion) string {
	if base == "" {
		base = DefaultKDSURL
	}
	t := tcb.Parts(p)
	if p == snp.Turin {
		hw := chipID
		if len(hw) > 8 {
			hw = hw[:8]
		}
		return fmt.Sprintf("%s/vcek/v1/%s/%s?fmcSPL=%02d&blSPL=%02d&teeSPL=%02d&snpSPL=%02d&ucodeSPL=%02d",
			base, p, hex.EncodeToString(hw), t.FMC, t.BootLoader, t.TEE, t.SNP, t.Microcode)
	}
	return fmt.Sprintf("%s/vcek/v1/%s/%s?blSPL=%02d&teeSPL=%02d&snpSPL=%02d&ucodeSPL=%02d",
		base, p, hex.EncodeToString(chipID), t.BootLoader, t.TEE, t.SNP, t.Microcode)
}

func kdsPath(key snp.SigningKey) string {
	if key == snp.SignedByVLEK {
		return "vlek"
	}
	return "vcek"
}

// CertChainURL returns the KDS URL of the ASK (or, for VLEK, ASVK) and ARK of product p.
func CertChainURL(base string, p snp.Product, key snp.SigningKey) string {
	if base == "" {
		base = DefaultKDSURL
	}
	return fmt.Sprintf("%s/%s/v1/%s/cert_chain", base, kdsPath(key), p)
}

// CRLURL returns the KDS URL of the ARK's CRL for the VCEK or VLEK chain of product p.
func CRLURL(base string, p snp.Product, key snp.SigningKey) string {
	if base == "" {
		base = DefaultKDSURL
	}
	return fmt.Sprintf("%s/%s/v1/%s/crl", base, kdsPath(key), p)
}

// KDS is a client of AMD's Key Distribution Service. It retries HTTP 429 and
// 503 answers after their Retry-After delay, and caches what it fetched:
// VCEKs and cert chains (which do not change) for the client's lifetime, CRLs
// until their nextUpdate. The zero value is ready to use and safe for
// concurrent use. Nothing fetched is trusted: [VerifyReport] proves it.
type KDS struct {
	// BaseURL replaces DefaultKDSURL (tests, mirrors).
	BaseURL string
	// Client is the HTTP client; nil means http.DefaultClient.
	Client *http.Client
	// MaxRetries is the number of retries after 429/503; 0 means 3, negative none.
	MaxRetries int
	// MaxWait caps each wait between retries; 0 means 30 seconds.
	MaxWait time.Duration

	mu    sync.Mutex
	cache map[string]kdsEntry
}

type kdsEntry struct {
	body    []byte
	expires time.Time // zero: never
}

// VCEK returns the DER VCEK for chipID and tcb on product p.
func (k *KDS) VCEK(ctx context.Context, p snp.Product, chipID []byte, tcb snp.TCBVersion) ([]byte, error) {
	if p == snp.Unknown {
		return nil, fmt.Errorf("%w: VCEK: unknown product line", ErrKDS)
	}
	u := VCEKURL(k.BaseURL, p, chipID, tcb)
	return k.get(ctx, u, func(b []byte) (time.Time, error) {
		_, err := x509.ParseCertificate(b)
		return time.Time{}, err
	})
}

// CertChain returns the PEM ASK (or ASVK) and ARK of product p.
func (k *KDS) CertChain(ctx context.Context, p snp.Product, key snp.SigningKey) ([]byte, error) {
	return k.get(ctx, CertChainURL(k.BaseURL, p, key), func(b []byte) (time.Time, error) {
		var c Collateral
		return time.Time{}, c.add(b, 1)
	})
}

// CRL returns the DER CRL of product p's ARK for the VCEK or VLEK chain.
func (k *KDS) CRL(ctx context.Context, p snp.Product, key snp.SigningKey) ([]byte, error) {
	return k.get(ctx, CRLURL(k.BaseURL, p, key), func(b []byte) (time.Time, error) {
		l, err := x509.ParseRevocationList(b)
		if err != nil {
			return time.Time{}, err
		}
		if l.NextUpdate.IsZero() {
			return time.Now(), nil // do not cache
		}
		return l.NextUpdate, nil
	})
}

// Collateral fetches what r needs that c lacks: the VCEK (a VLEK cannot be
// fetched without the cloud provider's credentials: it must come with the
// evidence) and, if withCRL, the CRL. p is the product line; snp.Unknown takes
// r's CPUID. The cert_chain is not fetched: the ASK, ASVK and ARK are pinned.
func (k *KDS) Collateral(ctx context.Context, r snp.Report, p snp.Product, c Collateral, withCRL bool) (Collateral, error) {
	if p == snp.Unknown {
		p = r.Product()
	}
	if p == snp.Unknown {
		return c, fmt.Errorf("%w: product line unknown (version %d report): set it from the platform", ErrKDS, r.Version())
	}
	key := r.SigningKey()
	switch key {
	case snp.SignedByVCEK:
		if c.VCEK == nil {
			v, err := k.VCEK(ctx, p, r.ChipID(), r.ReportedTCB())
			if err != nil {
				return c, err
			}
			c.VCEK = v
		}
	case snp.SignedByVLEK:
		if c.VLEK == nil {
			return c, fmt.Errorf("%w: a VLEK is not served by the KDS without CSP credentials; supply it with the evidence", ErrCollateralMissing)
		}
	default:
		return c, fmt.Errorf("%w: SIGNING_KEY %v", ErrSignature, key)
	}
	if withCRL {
		l, err := k.CRL(ctx, p, key)
		if err != nil {
			return c, err
		}
		c.CRLs = append(c.CRLs, l)
	}
	return c, nil
}

const maxKDSBody = 1 << 20

// get fetches u (from the cache when fresh), checks the body with check, which
// also says until when it may be cached.
func (k *KDS) get(ctx context.Context, u string, check func([]byte) (time.Time, error)) ([]byte, error) {
	k.mu.Lock()
	if e, ok := k.cache[u]; ok && (e.expires.IsZero() || time.Now().Before(e.expires)) {
		k.mu.Unlock()
		return e.body, nil
	}
	k.mu.Unlock()

	client := k.Client
	if client == nil {
		client = http.DefaultClient
	}
	retries := k.MaxRetries
	if retries == 0 {
		retries = 3
	}
	maxWait := k.MaxWait
	if maxWait == 0 {
		maxWait = 30 * time.Second
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKDS, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%w: GET %s: %v", ErrKDS, u, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxKDSBody+1))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: GET %s: %v", ErrKDS, u, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			if len(body) > maxKDSBody {
				return nil, fmt.Errorf("%w: GET %s: body over %d bytes", ErrKDS, u, maxKDSBody)
			}
			exp, err := check(body)
			if err != nil {
				return nil, fmt.Errorf("%w: GET %s: unexpected body: %v", ErrKDS, u, err)
			}
			k.mu.Lock()
			if k.cache == nil {
				k.cache = map[string]kdsEntry{}
			}
			k.cache[u] = kdsEntry{body: body, expires: exp}
			k.mu.Unlock()
			return body, nil
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && retries > 0 && attempt < retries:
			wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if wait < 0 {
				wait = time.Second << attempt
			}
			if wait > maxWait {
				wait = maxWait
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w: GET %s: %w", ErrKDS, u, ctx.Err())
			case <-t.C:
			}
		default:
			return nil, fmt.Errorf("%w: GET %s: HTTP %d", ErrKDS, u, resp.StatusCode)
		}
	}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date. It
// returns -1 when the header is absent or malformed.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return -1
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return -1
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return -1
}
