// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// A configfs-tsm report (Linux Documentation/ABI/testing/configfs-tsm) as a
// directory /sys/kernel/config/tsm/report/$name holds it, and as ratsd
// (veraison/ratsd tokens/tsm-report.go, docs/tsm-report.cddl) encodes it:
//
//	tsm-report = {
//	  ? auxblob: binary-string      ; SEV-SNP: the certificate table (GUID table)
//	  outblob: binary-string        ; the report: an SNP report (sev_guest) or a TD quote (tdx_guest)
//	  provider: tstr                ; "sev_guest", "tdx_guest"
//	  ? manifestblob: binary-string, service_provider: tstr
//	}
//	binary-string = base64url (JSON) / bstr (CBOR)
//
// The directory's other attributes (generation, privlevel, privlevel_floor,
// service_provider, service_guid, service_manifest_version) go to
// Evidence.Meta; inblob, when a saved directory has it, as hex.

// tsmReport is a configfs-tsm report's fields, whatever its form.
type tsmReport struct {
	outblob, auxblob, manifestblob []byte
	provider                       string
	meta                           map[string]string
}

// evidence maps a report to its TEE's pieces by its provider.
func (t tsmReport) evidence(form Form) (Evidence, error) {
	e := Evidence{Form: form, Meta: t.meta}
	if e.Meta == nil {
		e.Meta = map[string]string{}
	}
	p := strings.TrimSpace(t.provider)
	e.Meta["provider"] = p
	switch p {
	case "sev_guest":
		e.TEE = SNP
		e.Pieces = append(e.Pieces, Piece{Kind: KindSNPReport, Name: "outblob", Data: t.outblob, Origin: "outblob"})
		if len(t.auxblob) > 0 {
			e.Pieces = append(e.Pieces, Piece{Kind: KindCertTable, Name: "auxblob", Data: t.auxblob, Origin: "auxblob"})
		}
	case "tdx_guest":
		e.TEE = TDX
		e.Pieces = append(e.Pieces, Piece{Kind: KindTDXQuote, Name: "outblob", Data: t.outblob, Origin: "outblob"})
		if len(t.auxblob) > 0 {
			e.Pieces = append(e.Pieces, Piece{Kind: KindOther, Name: "auxblob", Data: t.auxblob, Origin: "auxblob"})
		}
	case "":
		return e, malformed(string(form), "no provider")
	default:
		return e, fmt.Errorf("%w: %q (known: sev_guest, tdx_guest)", ErrUnknownProvider, p)
	}
	if len(t.outblob) == 0 {
		return e, malformed(string(form), "empty outblob")
	}
	if len(t.manifestblob) > 0 {
		e.Pieces = append(e.Pieces, Piece{Kind: KindManifest, Name: "manifestblob", Data: t.manifestblob, Origin: "manifestblob"})
	}
	return e, nil
}

// tsmJSON decodes ratsd's JSON form.
func (u *unwrapper) tsmJSON(o object, path []layer) error {
	where := string(FormConfigfsTSM)
	var t tsmReport
	var err error
	if t.outblob, err = o.bytes(where, "outblob", encBase64); err != nil {
		return err
	}
	if t.provider, err = o.str(where, "provider"); err != nil {
		return err
	}
	if !o.isNull("auxblob") {
		if t.auxblob, err = o.bytes(where, "auxblob", encBase64); err != nil {
			return err
		}
	}
	if !o.isNull("manifestblob") {
		if t.manifestblob, err = o.bytes(where, "manifestblob", encBase64); err != nil {
			return err
		}
	}
	t.meta = map[string]string{}
	for _, k := range []string{"service_provider", "generation", "privlevel", "privlevel_floor", "service_guid", "service_manifest_version"} {
		if v, ok := o[k]; ok {
			if s, ok := jsonString(v); ok {
				t.meta[k] = s
			} else {
				t.meta[k] = strings.TrimSpace(string(v))
			}
		}
	}
	e, err := t.evidence(FormConfigfsTSM)
	if err != nil {
		return err
	}
	return u.emit(path, e)
}

// tsmCBOR decodes ratsd's CBOR form: a map of text keys.
func (u *unwrapper) tsmCBOR(m map[any]cbor.RawMessage, path []layer) error {
	where := string(FormConfigfsTSMCB)
	var t tsmReport
	t.meta = map[string]string{}
	for k, v := range m {
		name, ok := k.(string)
		if !ok {
			return malformed(where, "a key of type %T", k)
		}
		var err error
		switch name {
		case "outblob":
			err = cborDec.Unmarshal(v, &t.outblob)
		case "auxblob":
			err = cborDec.Unmarshal(v, &t.auxblob)
		case "manifestblob":
			err = cborDec.Unmarshal(v, &t.manifestblob)
		case "provider":
			err = cborDec.Unmarshal(v, &t.provider)
		case "service_provider", "privlevel", "privlevel_floor", "service_guid", "service_manifest_version", "generation":
			var x any
			if err = cborDec.Unmarshal(v, &x); err == nil {
				t.meta[name] = fmt.Sprint(x)
			}
		}
		if err != nil {
			return malformed(where, "%s: %v", name, err)
		}
	}
	if _, ok := m["outblob"]; !ok {
		return malformed(where, "no outblob")
	}
	e, err := t.evidence(FormConfigfsTSMCB)
	if err != nil {
		return err
	}
	return u.emit(path, e)
}

// tsmTextAttrs are the configfs-tsm attributes read as text into Meta.
var tsmTextAttrs = []string{"generation", "privlevel", "privlevel_floor", "service_provider", "service_guid", "service_manifest_version"}

// UnwrapDir unwraps a configfs-tsm report directory: one laid out like
// /sys/kernel/config/tsm/report/$name (or a copy of one), with outblob and
// provider, and auxblob for SEV-SNP. Only regular files are read, each and
// all together at most Options.MaxSize bytes; attributes the directory lacks
// are skipped. The evidence's Meta holds provider, generation and the other
// text attributes present.
func UnwrapDir(dir string, opts *Options) ([]Evidence, error) {
	u := newUnwrapper(opts)
	var t tsmReport
	t.meta = map[string]string{}
	total := 0
	read := func(name string, required bool) ([]byte, error) {
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			if required {
				return nil, malformed(string(FormConfigfsTSMDir), "%s: no %s", dir, name)
			}
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, malformed(string(FormConfigfsTSMDir), "%s is not a regular file", p)
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, int64(u.opts.MaxSize-total)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, p, err)
		}
		total += len(b)
		if total > u.opts.MaxSize {
			return nil, fmt.Errorf("%w: %s: the report's files exceed %d bytes", ErrTooLarge, dir, u.opts.MaxSize)
		}
		return b, nil
	}
	var err error
	if t.outblob, err = read("outblob", true); err != nil {
		return nil, err
	}
	prov, err := read("provider", true)
	if err != nil {
		return nil, err
	}
	t.provider = string(prov)
	if t.auxblob, err = read("auxblob", false); err != nil {
		return nil, err
	}
	if t.manifestblob, err = read("manifestblob", false); err != nil {
		return nil, err
	}
	for _, a := range tsmTextAttrs {
		b, err := read(a, false)
		if err != nil {
			return nil, err
		}
		if b != nil {
			t.meta[a] = strings.TrimSpace(string(b))
		}
	}
	if b, err := read("inblob", false); err != nil {
		return nil, err
	} else if b != nil {
		t.meta["inblob"] = hex.EncodeToString(b)
	}
	if g, ok := t.meta["generation"]; ok {
		if _, err := strconv.ParseUint(g, 10, 64); err != nil {
			return nil, malformed(string(FormConfigfsTSMDir), "%s: generation %q is not a number", dir, g)
		}
	}
	e, err := t.evidence(FormConfigfsTSMDir)
	if err != nil {
		return nil, err
	}
	if err := u.emit([]layer{{label: dir}}, e); err != nil {
		return nil, err
	}
	return u.out, nil
}
