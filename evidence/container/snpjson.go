// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
)

// snpReportSize is the size of an SEV-SNP attestation report.
const snpReportSize = 0x4A0

// trusteeSNP decodes Trustee's SNP evidence: the report as the sev crate
// serializes it field by field (or as bytes), and the certificate chain.
func (u *unwrapper) trusteeSNP(o object) (Evidence, error) {
	const where = "trustee-snp"
	e := Evidence{TEE: SNP, Form: FormTrusteeSNP}
	v := bytes.TrimSpace(o["attestation_report"])
	var (
		rep    []byte
		origin = "field attestation_report"
		err    error
	)
	switch {
	case len(v) > 0 && v[0] == '{':
		f, err := decodeObject(v)
		if err != nil {
			return e, malformed(where, "attestation_report: %v", err)
		}
		if rep, err = rebuildSNPReport(f); err != nil {
			return e, err
		}
		origin += " (rebuilt from its JSON fields)"
	case len(v) > 0 && v[0] == '[':
		rep, err = bytesOf(v, encArray)
	default:
		str, ok := jsonString(v)
		if !ok {
			return e, malformed(where, "attestation_report is neither an object, a byte array nor a string")
		}
		var how string
		rep, how, err = textBytes(str, isSNPReport)
		origin += how
	}
	if err != nil {
		return e, malformed(where, "attestation_report: %v", err)
	}
	e.Pieces = append(e.Pieces, Piece{Kind: KindSNPReport, Name: "attestation_report", Data: rep, Origin: origin})
	if o.isNull("cert_chain") {
		return e, nil
	}
	var chain []json.RawMessage
	if err := json.Unmarshal(o["cert_chain"], &chain); err != nil {
		return e, malformed(where, "cert_chain is not a list")
	}
	if len(chain) > u.opts.MaxEntries {
		return e, fmt.Errorf("%w: %s: %d certificate chain entries, at most %d", ErrTooMany, where, len(chain), u.opts.MaxEntries)
	}
	for i, c := range chain {
		w := fmt.Sprintf("%s cert_chain[%d]", where, i)
		ent, err := decodeObject(c)
		if err != nil {
			return e, malformed(w, "%v", err)
		}
		kind, name, err := certType(ent["cert_type"])
		if err != nil {
			return e, malformed(w, "cert_type: %v", err)
		}
		data, err := ent.bytes(w, "data", encArray)
		if err != nil {
			return e, err
		}
		if kind == 0 {
			continue // an Empty entry
		}
		e.Pieces = append(e.Pieces, Piece{Kind: kind, Name: name, Data: data, Origin: fmt.Sprintf("field cert_chain[%d] (%s)", i, name)})
	}
	return e, nil
}

// certType maps the sev crate's CertType serde form ("VCEK", …, or
// {"OTHER": "<uuid>"}) to a kind (0 for Empty).
func certType(v json.RawMessage) (Kind, string, error) {
	if s, ok := jsonString(v); ok {
		switch s {
		case "ARK":
			return KindARK, s, nil
		case "ASK":
			return KindASK, s, nil
		case "VCEK":
			return KindVCEK, s, nil
		case "VLEK":
			return KindVLEK, s, nil
		case "CRL":
			return KindCRL, s, nil
		case "Empty":
			return 0, s, nil
		}
		return 0, "", fmt.Errorf("unknown type %q", s)
	}
	o, err := decodeObject(v)
	if err != nil || len(o) != 1 || !o.has("OTHER") {
		return 0, "", fmt.Errorf("neither a type name nor {\"OTHER\": uuid}")
	}
	g, ok := jsonString(o["OTHER"])
	if !ok {
		return 0, "", fmt.Errorf("OTHER is not a string")
	}
	return KindOther, "OTHER(" + g + ")", nil
}

// rebuildSNPReport writes the 1184-byte report the sev crate's fields
// describe, as its Encoder does (virtee/sev src/firmware/guest/types/snp.rs).
// Two generations of field names are read:
//
//   - sev 6 and 7: key_info; cpuid_fam_id, cpuid_mod_id, cpuid_step;
//     current and committed {major, minor, build}; launch_mit_vector and
//     current_mit_vector (7, version 5 reports); TCB versions as
//     {fmc, bootloader, tee, snp, microcode}, laid out by the processor
//     generation (Turin: fmc, bootloader, tee, snp at bytes 0 to 3; earlier:
//     bootloader, tee at 0, 1 and snp at 6; microcode at 7);
//   - sev 5 and earlier: _author_key_en, _reserved_0, _reserved_1 (24
//     bytes), current_build/minor/major, _reserved_2, committed_*,
//     _reserved_3, _reserved_4 (168 bytes), TCB versions as {bootloader,
//     tee, _reserved (4), snp, microcode}, signature {r, s, _reserved}.
//
// Reserved bytes not in the JSON are zero. A wrong rebuild cannot forge
// anything: the report's signature, checked later, covers every byte.
func rebuildSNPReport(f object) ([]byte, error) {
	const where = "trustee-snp attestation_report"
	b := make([]byte, snpReportSize)
	r := &reportWriter{f: f, b: b, where: where}
	version := r.u32("version", 0x000)
	r.u32("guest_svn", 0x004)
	r.u64("policy", 0x008)
	r.raw("family_id", 0x010, 16)
	r.raw("image_id", 0x020, 16)
	r.u32("vmpl", 0x030)
	r.u32("sig_algo", 0x034)
	r.u64("plat_info", 0x040)
	if f.has("key_info") {
		r.u32("key_info", 0x048)
	} else {
		r.u32("_author_key_en", 0x048)
		r.optU32("_reserved_0", 0x04C)
	}
	r.raw("report_data", 0x050, 64)
	r.raw("measurement", 0x090, 48)
	r.raw("host_data", 0x0C0, 32)
	r.raw("id_key_digest", 0x0E0, 48)
	r.raw("author_key_digest", 0x110, 48)
	r.raw("report_id", 0x140, 32)
	r.raw("report_id_ma", 0x160, 32)
	switch {
	case f.has("_reserved_1"):
		r.raw("_reserved_1", 0x188, 24)
	case version >= 3:
		r.optU8("cpuid_fam_id", 0x188)
		r.optU8("cpuid_mod_id", 0x189)
		r.optU8("cpuid_step", 0x18A)
	}
	r.raw("chip_id", 0x1A0, 64)
	if f.has("current") {
		r.version("current", 0x1E8)
		r.version("committed", 0x1EC)
	} else {
		r.u8("current_build", 0x1E8)
		r.u8("current_minor", 0x1E9)
		r.u8("current_major", 0x1EA)
		r.optU8("_reserved_2", 0x1EB)
		r.u8("committed_build", 0x1EC)
		r.u8("committed_minor", 0x1ED)
		r.u8("committed_major", 0x1EE)
		r.optU8("_reserved_3", 0x1EF)
	}
	switch {
	case f.has("_reserved_4"):
		r.raw("_reserved_4", 0x1F8, 168)
	case version >= 5:
		r.optU64("launch_mit_vector", 0x1F8)
		r.optU64("current_mit_vector", 0x200)
	}
	if r.err != nil {
		return nil, r.err
	}
	// TCB versions, laid out by generation (read after CHIP_ID and CPUID).
	turin := isTurinLayout(b, version)
	for _, t := range []struct {
		name string
		off  int
	}{{"current_tcb", 0x038}, {"reported_tcb", 0x180}, {"committed_tcb", 0x1E0}, {"launch_tcb", 0x1F0}} {
		r.tcb(t.name, t.off, turin)
	}
	if sig, err := f.sub(where, "signature"); err != nil {
		r.fail(err)
	} else {
		s := &reportWriter{f: sig, b: b, where: where + " signature"}
		s.raw("r", 0x2A0, 72)
		s.raw("s", 0x2E8, 72)
		if sig.has("_reserved") {
			s.raw("_reserved", 0x330, 368)
		}
		r.fail(s.err)
	}
	if r.err != nil {
		return nil, r.err
	}
	return b, nil
}

// isTurinLayout says whether the report's TCB versions use the Turin layout,
// as the sev crate decides: for version 2 a CHIP_ID with only its first 8
// bytes set; otherwise CPUID family 1Ah.
func isTurinLayout(b []byte, version uint32) bool {
	if version == 2 {
		chip := b[0x1A0:0x1E0]
		return !allZero(chip) && allZero(chip[8:])
	}
	return b[0x188] == 0x1A
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// reportWriter writes JSON fields into report bytes, keeping the first error.
type reportWriter struct {
	f     object
	b     []byte
	where string
	err   error
}

func (r *reportWriter) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

func (r *reportWriter) num(name string, bits int, optional bool) (uint64, bool) {
	v, ok := r.f[name]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		if !optional {
			r.fail(malformed(r.where, "no %q", name))
		}
		return 0, false
	}
	var n uint64
	if err := json.Unmarshal(v, &n); err != nil || (bits < 64 && n>>bits != 0) {
		r.fail(malformed(r.where, "%q is %s, not a %d-bit unsigned integer", name, clip(v), bits))
		return 0, false
	}
	return n, true
}

func (r *reportWriter) u8(name string, off int) {
	if n, ok := r.num(name, 8, false); ok {
		r.b[off] = byte(n)
	}
}

func (r *reportWriter) optU8(name string, off int) {
	if n, ok := r.num(name, 8, true); ok {
		r.b[off] = byte(n)
	}
}

func (r *reportWriter) u32(name string, off int) uint32 {
	n, ok := r.num(name, 32, false)
	if ok {
		binary.LittleEndian.PutUint32(r.b[off:], uint32(n))
	}
	return uint32(n)
}

func (r *reportWriter) optU32(name string, off int) {
	if n, ok := r.num(name, 32, true); ok {
		binary.LittleEndian.PutUint32(r.b[off:], uint32(n))
	}
}

func (r *reportWriter) u64(name string, off int) {
	if n, ok := r.num(name, 64, false); ok {
		binary.LittleEndian.PutUint64(r.b[off:], n)
	}
}

func (r *reportWriter) optU64(name string, off int) {
	if n, ok := r.num(name, 64, true); ok {
		binary.LittleEndian.PutUint64(r.b[off:], n)
	}
}

// raw writes a byte array field of exactly n bytes (serde writes fixed
// arrays as JSON arrays).
func (r *reportWriter) raw(name string, off, n int) {
	v, ok := r.f[name]
	if !ok {
		r.fail(malformed(r.where, "no %q", name))
		return
	}
	b, err := bytesOf(v, encArray)
	if err != nil || len(b) != n {
		if err == nil {
			err = fmt.Errorf("%d bytes, want %d", len(b), n)
		}
		r.fail(malformed(r.where, "%q: %v", name, err))
		return
	}
	copy(r.b[off:], b)
}

// version writes a {major, minor, build} object as build, minor, major.
func (r *reportWriter) version(name string, off int) {
	v, err := r.f.sub(r.where, name)
	if err != nil {
		r.fail(err)
		return
	}
	w := &reportWriter{f: v, b: r.b, where: r.where + " " + name}
	w.u8("build", off)
	w.u8("minor", off+1)
	w.u8("major", off+2)
	r.fail(w.err)
}

// tcb writes a TCB_VERSION object in the layout of its generation.
func (r *reportWriter) tcb(name string, off int, turin bool) {
	v, err := r.f.sub(r.where, name)
	if err != nil {
		r.fail(err)
		return
	}
	w := &reportWriter{f: v, b: r.b, where: r.where + " " + name}
	switch {
	case v.has("_reserved"): // sev 5 and earlier: the legacy layout, reserved bytes given
		w.u8("bootloader", off)
		w.u8("tee", off+1)
		w.raw("_reserved", off+2, 4)
		w.u8("snp", off+6)
		w.u8("microcode", off+7)
	case turin:
		w.optU8("fmc", off)
		w.u8("bootloader", off+1)
		w.u8("tee", off+2)
		w.u8("snp", off+3)
		w.u8("microcode", off+7)
	default:
		if n, ok := w.num("fmc", 8, true); ok && n != 0 {
			w.fail(malformed(w.where, "fmc %d in a report whose generation has no FMC", n))
		}
		w.u8("bootloader", off)
		w.u8("tee", off+1)
		w.u8("snp", off+6)
		w.u8("microcode", off+7)
	}
	r.fail(w.err)
}

func clip(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	if len(s) > 24 {
		s = s[:24] + "…"
	}
	return s
}
