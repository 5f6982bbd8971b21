// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	vcomid "github.com/veraison/corim/comid"
	vcorim "github.com/veraison/corim/corim"
	_ "github.com/veraison/corim/profiles/tdx" // registers the Intel profile with corim
	"github.com/veraison/eat"
	cose "github.com/veraison/go-cose"
)

// vectorWant is what Load must do with a file of ../shared/vectors/corim:
// decode it (refs: the references it yields per TEE/component, "" when it
// holds no TDX or SEV-SNP reference values) or reject it with err.
type vectorWant struct {
	err  error
	refs string
	why  string
}

// corimVectors covers every CBOR file of ../shared/vectors/corim (see its
// MANIFEST.md): a file missing here fails the test.
var corimVectors = map[string]vectorWant{
	// Concise evidence (#6.571) is not reference values.
	"veraison-corim@53b3014/coev/tdx/testcases/ce-pce-evidence.cbor":  {err: ErrUnknownFormat, why: "CoEv #6.571"},
	"veraison-corim@53b3014/coev/tdx/testcases/ce-qe-evidence.cbor":   {err: ErrUnknownFormat, why: "CoEv #6.571"},
	"veraison-corim@53b3014/coev/tdx/testcases/ce-seam-evidence.cbor": {err: ErrUnknownFormat, why: "CoEv #6.571"},
	// Spec-example CoMIDs (draft-11): generic ACME environments, no TEE of ours.
	"veraison-corim@53b3014/comid/testcases/comid-1.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-1a.cbor":                  {},
	"veraison-corim@53b3014/comid/testcases/comid-2.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-2b.cbor":                  {},
	"veraison-corim@53b3014/comid/testcases/comid-3.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-4.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-5.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-6.cbor":                   {},
	"veraison-corim@53b3014/comid/testcases/comid-7.cbor":                   {why: "int-range #6.564 decoded; corim 2fa49d7 rejects"},
	"veraison-corim@53b3014/comid/testcases/comid-cend.cbor":                {},
	"veraison-corim@53b3014/comid/testcases/comid-cond-endorse-series.cbor": {},
	"veraison-corim@53b3014/comid/testcases/comid-design-cd.cbor":           {},
	"veraison-corim@53b3014/comid/testcases/comid-domain-dep.cbor":          {},
	"veraison-corim@53b3014/comid/testcases/comid-domain-mem.cbor":          {},
	"veraison-corim@53b3014/comid/testcases/comid-firmware-cd.cbor":         {},
	"veraison-corim@53b3014/comid/testcases/comid-flags.cbor":               {},
	"veraison-corim@53b3014/comid/testcases/comid-integrity-registers.cbor": {why: "text register keys and text hash algs; corim 2fa49d7 rejects"},
	"veraison-corim@53b3014/comid/testcases/comid-opaque-instance-id.cbor":  {},
	"veraison-corim@53b3014/comid/testcases/comid-raw-value.cbor":           {why: "masked raw value #6.563; corim 2fa49d7 rejects"},
	"veraison-corim@53b3014/comid/testcases/comid-series.cbor":              {},
	// CoRIMs of corim HEAD: the tagged profile (#6.32/#6.111) corim 2fa49d7 rejects.
	"veraison-corim@53b3014/corim/testcases/corim-1.cbor":                        {},
	"veraison-corim@53b3014/corim/testcases/corim-2.cbor":                        {},
	"veraison-corim@53b3014/corim/testcases/corim-design-cd.cbor":                {},
	"veraison-corim@53b3014/corim/testcases/corim-firmware-cd.cbor":              {},
	"veraison-corim@53b3014/corim/testcases/corim-roles.cbor":                    {},
	"veraison-corim@53b3014/corim/testcases/signed-corim-with-extensions.cbor":   {},
	"veraison-corim@53b3014/corim/testcases/signed-example-corim.cbor":           {},
	"veraison-corim@53b3014/corim/testcases/signed-good-corim.cbor":              {},
	"veraison-corim@53b3014/corim/testcases/unsigned-corim-with-extensions.cbor": {},
	"veraison-corim@53b3014/corim/testcases/unsigned-example-corim.cbor":         {},
	"veraison-corim@53b3014/corim/testcases/unsigned-good-corim.cbor":            {},
	// Arm CCA / PSA: well-formed CoRIMs of other profiles. Their "invalid" cases break
	// PSA/CCA profile rules, which are not this package's: they decode and apply to no TEE of ours.
	"veraison-corim@53b3014/profiles/cca/testcases/cca-platform-invalid-digests.cbor":  {why: "CCA rule"},
	"veraison-corim@53b3014/profiles/cca/testcases/cca-platform-invalid-impl-id.cbor":  {why: "CCA rule"},
	"veraison-corim@53b3014/profiles/cca/testcases/cca-platform-valid.cbor":            {},
	"veraison-corim@53b3014/profiles/cca/testcases/cca-realm-invalid-missing-rim.cbor": {why: "CCA rule"},
	"veraison-corim@53b3014/profiles/cca/testcases/cca-realm-invalid-rim-size.cbor":    {why: "CCA rule"},
	"veraison-corim@53b3014/profiles/cca/testcases/cca-realm-valid.cbor":               {},
	"veraison-corim@53b3014/profiles/cca/testcases/no-profile.cbor":                    {},
	"veraison-corim@53b3014/profiles/psa/testcases/no-profile.cbor":                    {},
	"veraison-corim@53b3014/profiles/psa/testcases/psa-invalid-attest-key.cbor":        {why: "PSA rule"},
	"veraison-corim@53b3014/profiles/psa/testcases/psa-invalid-impl-id.cbor":           {why: "PSA rule"},
	"veraison-corim@53b3014/profiles/psa/testcases/psa-valid.cbor":                     {},
	// Intel profile CoMIDs: TDX platform components (PCE, QE, SEAM module).
	"veraison-corim@53b3014/profiles/tdx/testcases/comid_pce_refval.cbor": {refs: "tdx/pce:1"},
	"veraison-corim@53b3014/profiles/tdx/testcases/comid_qe_refval.cbor":  {refs: "tdx/qe:1"},
	"veraison-corim@53b3014/profiles/tdx/testcases/comid_seam_refval.cbor": {err: ErrProfile,
		why: "tee.attributes (-82) is the array [1, 2]: the profile's CDDL wants bytes or #6.563; corim accepts it only because Go decodes a CBOR array into []byte"},
	// corim v1.1.2 cocli data: the old encodings (array profile, bstr-wrapped CoMIDs, no #6.501).
	"veraison-corim@v1.1.2/cocli/data/comid/1.cbor":                      {},
	"veraison-corim@v1.1.2/cocli/data/comid/2.cbor":                      {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-cca-mult-refval.cbor":  {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-cca-refval.cbor":       {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-dice-refval.cbor":      {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-psa-iakpub.cbor":       {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-psa-integ-iakpub.cbor": {},
	"veraison-corim@v1.1.2/cocli/data/comid/comid-psa-refval.cbor":       {},
	"veraison-corim@v1.1.2/cocli/data/corim/corim-full.cbor":             {},
	"veraison-corim@v1.1.2/cocli/data/corim/signed-corim-bad-signature.cbor": {err: ErrMalformed,
		why: "not a COSE_Sign1 any more: its bytes went through a UTF-8 conversion (EF BF BD), 803 bytes trail the first item"},
	"veraison-corim@v1.1.2/cocli/data/corim/signed-corim-cbor":   {},
	"veraison-corim@v1.1.2/cocli/data/corim/signed-corim.cbor":   {},
	"veraison-corim@v1.1.2/cocli/data/corim/unsigned-corim.cbor": {},
	// Veraison services at the corim 2fa49d7 pin: the untagged profile.
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-no-class.cbor":            {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-cryptokeys.cbor":   {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-instance.cbor":     {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-mkey-string.cbor":  {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-mkey.cbor":         {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-no-digests.cbor":   {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-no-mkey.cbor":      {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-refval-no-raw-value.cbor": {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-ta-cert.cbor":             {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-ta-instance.cbor":         {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-bad-ta-no-instance.cbor":      {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-platform-valid.cbor":                   {},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-bad-instance.cbor":               {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-bad-no-instance.cbor":            {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-bad-no-integ-regs.cbor":          {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-bad-no-raw-value.cbor":           {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-bad-no-rim.cbor":                 {why: "CCA rule"},
	"veraison-services@286a4e2/scheme/arm-cca/test/corim/corim-cca-realm-valid.cbor":                      {},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-class.cbor":                        {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-instance.cbor":                     {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-refval-instance.cbor":              {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-refval-mkey.cbor":                  {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-refval-mval.cbor":                  {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-ta-cert.cbor":                      {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-bad-ta-no-instance.cbor":               {why: "PSA rule"},
	"veraison-services@286a4e2/scheme/psa-iot/test/corim/corim-psa-valid.cbor":                            {},
	// SEV-SNP: the profile's rules are ours, so its "bad-refval" cases are rejected.
	"veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-bad-refval-key.cbor": {err: ErrProfile, why: "an OID mkey"},
	"veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-bad-refval-no-key.cbor": {err: ErrProfile,
		why: "measurements without mkey"},
	"veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-bad-ta-no-model.cbor": {
		why: "key triples (trust anchors) are not reference values: certs/amd pins the ARK"},
	"veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-bad-ta-no-vendor.cbor": {
		why: "key triples (trust anchors) are not reference values: certs/amd pins the ARK"},
	"veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-valid.cbor": {refs: "snp/snp-guest:1"},
}

func isCBORVector(p string) bool {
	return strings.HasSuffix(p, ".cbor") || strings.HasSuffix(p, "-cbor")
}

// vectorLoadOptions trusts the JWK Veraison signed its test CoRIMs with, at a
// time inside their validity.
func vectorLoadOptions(t *testing.T, name string) LoadOptions {
	pub := jwkPublic(t, "corim/veraison-corim@53b3014/corim/testcases/src/ec-p256.jwk")
	return LoadOptions{Name: name, AllowUnsigned: true, Time: at2024,
		Keys: []TrustedKey{{Public: pub, KID: []byte("1")}, {Public: pub}}}
}

func refsSummary(d *Document) string {
	n := map[string]int{}
	for _, r := range d.References {
		n[r.TEE+"/"+r.Component]++
	}
	var s []string
	for k, v := range n {
		s = append(s, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func TestCorimVectors(t *testing.T) {
	dir := filepath.Join(vectors.Need(t), "corim")
	seen := map[string]bool{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !isCBORVector(p) {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		want, ok := corimVectors[rel]
		if !ok {
			t.Errorf("%s: not in corimVectors: say what Load must do with it", rel)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := Load(b, vectorLoadOptions(t, filepath.Base(rel)))
		switch {
		case want.err != nil:
			if !errors.Is(err, want.err) {
				t.Errorf("%s: %v, want %v (%s)", rel, err, want.err, want.why)
			} else if !strings.Contains(err.Error(), filepath.Base(rel)) {
				t.Errorf("%s: error does not name the file: %v", rel, err)
			}
		case err != nil:
			t.Errorf("%s: %v", rel, err)
		case refsSummary(doc) != want.refs:
			t.Errorf("%s: references %q, want %q", rel, refsSummary(doc), want.refs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel := range corimVectors {
		if !seen[rel] {
			t.Errorf("%s: listed but not in the vectors folder", rel)
		}
	}
}

// TestCorimOracle compares this package's decoding with
// github.com/veraison/corim (the version the module proxy serves) on every
// vector both decode: the same CoMIDs, reference triples and, measurement
// by measurement, the same mkey, digests, raw value and SVN.
func TestCorimOracle(t *testing.T) {
	dir := filepath.Join(vectors.Need(t), "corim")
	intel, err := eat.NewProfile(ProfileIntel)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !isCBORVector(p) {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		theirs, ok := oracleRender(b, intel)
		if !ok {
			return nil // corim 2fa49d7 cannot decode it (see corimVectors)
		}
		ours, err := ourRender(b)
		if err != nil {
			if want := corimVectors[filepath.ToSlash(rel)]; want.err == nil {
				t.Errorf("%s: corim decodes it, we do not: %v", rel, err)
			}
			return nil
		}
		compared++
		if ours != theirs {
			t.Errorf("%s: decodings differ\nours:   %s\ncorim:  %s", rel, ours, theirs)
		}
		return nil
	})
	if compared < 20 {
		t.Errorf("only %d vectors compared with corim", compared)
	}
	t.Logf("%d vectors decoded alike by corim and refvalues", compared)
}

// ourRender renders the reference triples as this package decodes them.
func ourRender(b []byte) (string, error) {
	v, err := decodeCBOR(b)
	if err != nil {
		return "", err
	}
	if isTag(v, coseSign1Tag) {
		var m cose.Sign1Message
		if err := m.UnmarshalCBOR(b); err != nil {
			return "", err
		}
		if v, err = decodeCBOR(m.Payload); err != nil {
			return "", err
		}
	}
	var comids []comidDoc
	if isTag(v, tagCoMID) || isComidMap(v) {
		if c, ok := tagOf(v, tagCoMID); ok {
			v = c
		}
		n := 0
		cm, err := parseComid(v, &n)
		if err != nil {
			return "", err
		}
		comids = []comidDoc{*cm}
	} else {
		d, err := parseUnsignedCorim(v)
		if err != nil {
			return "", err
		}
		comids = d.comids
	}
	var sb strings.Builder
	for ci, c := range comids {
		fmt.Fprintf(&sb, "comid %d:", ci)
		for _, tr := range c.triples {
			sb.WriteString(" [")
			for _, m := range tr.meas {
				k := "-"
				if m.key != nil && m.key.kind == "uint" {
					k = m.key.s
				}
				fmt.Fprintf(&sb, "{%s", k)
				for _, d := range m.vals.digests {
					fmt.Fprintf(&sb, " d%d:%x", d.alg, d.v)
				}
				if m.vals.raw != nil && !m.vals.raw.isInt {
					fmt.Fprintf(&sb, " r:%x", m.vals.raw.b)
					if m.vals.raw.mask != nil {
						fmt.Fprintf(&sb, "/%x", m.vals.raw.mask)
					}
				}
				if s := m.vals.svn; s != nil {
					fmt.Fprintf(&sb, " svn:%v:%d", s.min, s.v)
				}
				sb.WriteString("}")
			}
			sb.WriteString("]")
		}
		sb.WriteString(";")
	}
	return sb.String(), nil
}

// oracleRender renders the same with corim; ok is false when corim fails.
func oracleRender(b []byte, intel *eat.Profile) (string, bool) {
	var comids []*vcomid.Comid
	switch {
	case len(b) > 0 && b[0] == 0xd2:
		sc, err := vcorim.UnmarshalSignedCorimFromCBOR(b)
		if err != nil {
			return "", false
		}
		it, errf := sc.UnsignedCorim.IterComids()
		for c := range it {
			comids = append(comids, c)
		}
		if errf() != nil {
			return "", false
		}
	case len(b) > 2 && b[0] == 0xd9 && b[1] == 0x01 && b[2] == 0xf5:
		uc, err := vcorim.UnmarshalUnsignedCorimFromCBOR(b)
		if err != nil {
			return "", false
		}
		it, errf := uc.IterComids()
		for c := range it {
			comids = append(comids, c)
		}
		if errf() != nil {
			return "", false
		}
	default:
		c, err := vcorim.UnmarshalComidFromCBOR(b, intel)
		if err != nil {
			if c, err = vcorim.UnmarshalComidFromCBOR(b, nil); err != nil {
				return "", false
			}
		}
		comids = []*vcomid.Comid{c}
	}
	var sb strings.Builder
	for ci, c := range comids {
		fmt.Fprintf(&sb, "comid %d:", ci)
		if c.Triples.ReferenceValues != nil {
			for _, tr := range c.Triples.ReferenceValues.Values {
				sb.WriteString(" [")
				for _, m := range tr.Measurements.Values {
					k := "-"
					if m.Key != nil {
						if u, err := m.Key.GetKeyUint(); err == nil {
							k = fmt.Sprint(u)
						}
					}
					fmt.Fprintf(&sb, "{%s", k)
					if m.Val.Digests != nil {
						for _, d := range *m.Val.Digests {
							fmt.Fprintf(&sb, " d%d:%x", d.HashAlgID, d.HashValue)
						}
					}
					if m.Val.RawValue != nil {
						if rb, err := m.Val.RawValue.GetBytes(); err == nil {
							fmt.Fprintf(&sb, " r:%s", hex.EncodeToString(rb))
							if m.Val.RawValueMask != nil {
								fmt.Fprintf(&sb, "/%x", *m.Val.RawValueMask)
							}
						}
					}
					if m.Val.SVN != nil {
						switch s := m.Val.SVN.Value.(type) {
						case vcomid.TaggedSVN:
							fmt.Fprintf(&sb, " svn:false:%d", uint64(s))
						case *vcomid.TaggedSVN:
							fmt.Fprintf(&sb, " svn:false:%d", uint64(*s))
						case vcomid.TaggedMinSVN:
							fmt.Fprintf(&sb, " svn:true:%d", uint64(s))
						case *vcomid.TaggedMinSVN:
							fmt.Fprintf(&sb, " svn:true:%d", uint64(*s))
						default:
							fmt.Fprintf(&sb, " svn:%T", s)
						}
					}
					sb.WriteString("}")
				}
				sb.WriteString("]")
			}
		}
		sb.WriteString(";")
	}
	return sb.String(), true
}

// diagWant says what Load must do with a .diag file of the shared vectors
// once converted from diagnostic notation; ok is false for files that are
// not diagnostic notation (placeholders, CDDL), which must fail to convert.
func diagWant(rel string) (want vectorWant, ok bool) {
	base := filepath.Base(rel)
	notEDN := map[string]string{
		"committed.diag":            "a map entry without a key (the draft's typo)",
		"current-version.diag":      "a map entry outside a map (fragment)",
		"image.diag":                "a map entry outside a map (fragment)",
		"environment.diag":          "a placeholder (CHIP_ID)",
		"ovmf-compact.diag":         "CDDL '/ ap-vmsa: 4 / =>' after a comment",
		"ovmf-verbose.diag":         "CDDL '/ ap-vmsa: 4 / =>' after a comment",
		"vcek-triple.diag":          "CDDL &(class: 0)",
		"vlek-triple.diag":          "CDDL &(class: 0)",
		"cmw-corim-collection.diag": "a placeholder (TBD1)",
	}
	if why, found := notEDN[base]; found {
		return vectorWant{why: why}, false
	}
	switch {
	case strings.HasPrefix(base, "ice-"), strings.HasPrefix(base, "ispdm-"), strings.HasPrefix(base, "ce-"):
		return vectorWant{err: ErrUnknownFormat, why: "concise evidence / SPDM evidence, not reference values"}, true
	case strings.HasPrefix(base, "intrep-"), strings.HasPrefix(base, "protected-header-"),
		strings.HasPrefix(rel, "draft-ietf-rats-ear@"), strings.HasPrefix(rel, "draft-deeglaze-amd-sev-snp-corim-profile@"):
		return vectorWant{err: ErrUnknownFormat, why: "a fragment (ACS, header, EAR, measurement-values map), not a CoRIM"}, true
	case base == "icorim-0.diag" || base == "icorim-1.diag":
		return vectorWant{err: ErrExpired, why: "rim-validity ends 2023-10-13"}, true
	case base == "cotl-1.diag":
		return vectorWant{err: ErrMalformed, why: "a CoTL, not a corim-map"}, true
	case base == "comid_seam_refval.diag":
		return corimVectors["veraison-corim@53b3014/profiles/tdx/testcases/comid_seam_refval.cbor"], true
	case base == "comid_pce_refval.diag":
		return vectorWant{refs: "tdx/pce:1"}, true
	case base == "comid_qe_refval.diag", base == "irim-qe-ref.diag":
		return vectorWant{refs: "tdx/qe:1"}, true
	}
	return vectorWant{}, true
}

// TestDiagVectors converts every .diag file of ../shared/vectors/corim from
// diagnostic notation and loads it as diagWant says; where the same example
// is also a .cbor file, both decode alike.
func TestDiagVectors(t *testing.T) {
	dir := filepath.Join(vectors.Need(t), "corim")
	n, pairs := 0, 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".diag") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		want, isEDN := diagWant(rel)
		c, err := ednToCBOR(string(b))
		if !isEDN {
			if err == nil {
				t.Errorf("%s: converted, but listed as not diagnostic notation (%s)", rel, want.why)
			}
			return nil
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		n++
		doc, err := Load(c, vectorLoadOptions(t, filepath.Base(rel)))
		switch {
		case want.err != nil:
			if !errors.Is(err, want.err) {
				t.Errorf("%s: %v, want %v (%s)", rel, err, want.err, want.why)
			}
		case err != nil:
			t.Errorf("%s: %v", rel, err)
		case refsSummary(doc) != want.refs:
			t.Errorf("%s: references %q, want %q", rel, refsSummary(doc), want.refs)
		}
		// veraison-corim keeps the diag sources under src/ next to the CBOR.
		if sib := strings.Replace(strings.TrimSuffix(p, ".diag")+".cbor", "/src/", "/", 1); sib != p {
			if sb, err := os.ReadFile(sib); err == nil {
				ours, e1 := ourRender(c)
				fromCBOR, e2 := ourRender(sb)
				pairs++
				if e1 == nil && e2 == nil && ours != fromCBOR {
					t.Errorf("%s: decodes unlike %s\ndiag: %s\ncbor: %s", rel, filepath.Base(sib), ours, fromCBOR)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pairs < 25 {
		t.Errorf("only %d diag/CBOR pairs compared", pairs)
	}
	t.Logf("%d diagnostic-notation vectors loaded, %d compared with their CBOR", n, pairs)
}

// TestSNPDraftExamples uses the SEV-SNP draft's fragments in a CoRIM: its
// profile (an array holding a #6.32 URI) and its VMPL value (raw-value: 2).
func TestSNPDraftExamples(t *testing.T) {
	dir := "corim/draft-deeglaze-amd-sev-snp-corim-profile@0fbed55/cddl/examples/"
	pb, err := ednToCBOR(string(vectors.Read(t, dir+"profile.diag")))
	if err != nil {
		t.Fatal(err)
	}
	vb, err := ednToCBOR(string(vectors.Read(t, dir+"vmpl.diag")))
	if err != nil {
		t.Fatal(err)
	}
	var prof, vmpl map[any]any
	if err := decMode.Unmarshal(pb, &prof); err != nil {
		t.Fatal(err)
	}
	if err := decMode.Unmarshal(vb, &vmpl); err != nil {
		t.Fatal(err)
	}
	doc, err := Load(corimWith(t, prof[uint64(3)], a{snpEnv, a{meas(u(MkeySNPVMPL), vmpl)}}), LoadOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Profile != ProfileSNP || doc.ProfileWire != "array" {
		t.Errorf("profile %q (%s)", doc.Profile, doc.ProfileWire)
	}
	claims := map[string]any{"vmpl": 2, "signing_key": "VCEK"}
	if r := (Set{doc}).Match(SNP, claims); !r.Approved() {
		t.Errorf("VMPL 2:\n%s", r)
	}
	claims["vmpl"] = 0
	if r := (Set{doc}).Match(SNP, claims); r.Approved() {
		t.Errorf("VMPL 0 approved:\n%s", r)
	}
}
