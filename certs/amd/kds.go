// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
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

// KDS is a client of AMD's Key Distribution Service. Nothing fetched is
// trusted: [VerifyReport] proves it. The zero value is ready to use and safe
// for concurrent use; set the fields before first use.
//
// Its work is bounded whatever the reports ask for, since a report names its
// CHIP_ID and REPORTED_TCB before anything proves them:
//   - Answers are cached, in at most MaxEntries entries holding MaxBytes
//     (least recently used evicted first): VCEKs and cert chains for MaxAge, a
//     CRL until its nextUpdate if sooner, and a definite refusal (a 404 for a
//     made-up CHIP_ID, a body that is no certificate) for NegativeTTL.
//     Refusals take at most a quarter of the entries and never evict a good
//     answer, so junk reports cannot push out genuine VCEKs. Network and
//     server errors are not cached.
//   - Concurrent calls for one URL share one request; a caller whose context
//     ends returns at once, and the request is cancelled when every caller
//     has gone. Each request is limited to Timeout.
//   - A 429 or 503 answer opens a back-off window (its Retry-After, else 1 s,
//     2 s, 4 s …, at most 10 minutes) that every call of this KDS shares:
//     a call waits out what is left of the window when that is at most
//     MaxWait, and retries at most MaxRetries times; otherwise it fails at
//     once with [ErrRateLimited], and sends no request.
type KDS struct {
	// BaseURL replaces DefaultKDSURL (tests, mirrors).
	BaseURL string
	// Client is the HTTP client; nil means http.DefaultClient.
	Client *http.Client
	// MaxRetries is how many times one call retries after 429/503 answers; 0
	// means 3, negative none.
	MaxRetries int
	// MaxWait is the longest a call waits for a back-off window to close; a
	// longer window fails the call with ErrRateLimited. 0 means 2 seconds,
	// negative no waiting.
	MaxWait time.Duration
	// Timeout limits each HTTP request; 0 means 30 seconds, negative none
	// (the caller's context still applies).
	Timeout time.Duration
	// MaxEntries caps the number of cached answers; 0 means 1024, negative
	// disables the cache.
	MaxEntries int
	// MaxBytes caps the bytes the cached answers hold (bodies, URLs and a
	// fixed overhead each); 0 or less means 4 MiB.
	MaxBytes int64
	// MaxAge is the longest a fetched VCEK, cert chain or CRL is cached; 0 or
	// less means 24 hours.
	MaxAge time.Duration
	// NegativeTTL is how long a definite refusal is cached; 0 means 1 minute,
	// negative never.
	NegativeTTL time.Duration

	now   func() time.Time                           // nil: time.Now
	sleep func(context.Context, time.Duration) error // nil: a timer
	f     fetcher
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
			return noCache, nil
		}
		return l.NextUpdate, nil
	})
}

// Collateral fetches what r needs that c lacks: the VCEK when none in c
// matches r (CHIP_ID and REPORTED_TCB; a VLEK cannot be fetched without the
// cloud provider's credentials: it must come with the evidence) and, if
// withCRL, the ARK's CRL for r's chain (/vcek/ or /vlek/), recorded as
// fetched from the KDS for that chain. p is the product line; snp.Unknown
// takes r's CPUID, else the issuer of a matching certificate in c. The
// cert_chain is not fetched: the ASK, ASVK and ARK are pinned.
//
// It returns c with what it could fetch added, and an error naming what it
// could not: [ErrKDS] for a failed request or an unknown product line,
// [ErrCollateralMissing] for a VLEK that c lacks.
func (k *KDS) Collateral(ctx context.Context, r snp.Report, p snp.Product, c Collateral, withCRL bool) (Collateral, error) {
	key := r.SigningKey()
	if key != snp.SignedByVCEK && key != snp.SignedByVLEK {
		return c, fmt.Errorf("%w: SIGNING_KEY %v", ErrSignature, key)
	}
	if p == snp.Unknown {
		p = r.Product()
	}
	match, _, _ := candidates(r, c, p, true, defaultCache)
	if p == snp.Unknown && len(match) > 0 {
		p = match[0].Product
	}
	var errs []error
	switch {
	case len(match) > 0:
	case key == snp.SignedByVLEK:
		errs = append(errs, fmt.Errorf("%w: no VLEK matches REPORTED_TCB %v, and a VLEK is not served by the KDS without CSP credentials; supply it with the evidence",
			ErrCollateralMissing, r.ReportedTCB().Parts(p)))
	case p == snp.Unknown:
		errs = append(errs, fmt.Errorf("%w: product line unknown (version %d report): set it from the platform", ErrKDS, r.Version()))
	default:
		v, err := k.VCEK(ctx, p, r.ChipID(), r.ReportedTCB())
		switch {
		case err != nil:
			errs = append(errs, err)
		case c.VCEK == nil:
			c.VCEK = v
		default: // another chip's or TCB's VCEK stays, where VerifyReport passes it over
			c.Certs = append(c.Certs[:len(c.Certs):len(c.Certs)], v)
		}
	}
	if withCRL && p != snp.Unknown {
		l, err := k.CRL(ctx, p, key)
		if err != nil {
			errs = append(errs, err)
		} else {
			c.CRLs = append(c.CRLs[:len(c.CRLs):len(c.CRLs)], CRL{DER: l,
				Provenance: Provenance{Origin: FromKDS, Chain: chainOf(key), Name: CRLURL(k.BaseURL, p, key)}})
		}
	}
	switch len(errs) {
	case 0:
		return c, nil
	case 1:
		return c, errs[0]
	}
	return c, fmt.Errorf("%w; %w", errs[0], errs[1])
}
