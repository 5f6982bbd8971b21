// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package eventlog

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Component is a boot component the log names: what measured it and its
// digest in the bank asked for.
type Component struct {
	// Digest is the event's digest.
	Digest []byte
	// Path is the file it was loaded from, where the log says.
	Path string
	// Event is the event that measured it.
	Event *Event
}

// Boot is what a log says was booted. Everything in it is what the log
// claims: it is the TD's (or machine's) history only once the log has been
// replayed to a genuine quote's registers and validated ([Log.Validate]).
type Boot struct {
	// Alg is the bank the digests are taken from.
	Alg Alg
	// SecureBoot is the SecureBoot variable (nil when not measured).
	SecureBoot *bool
	// Variables holds the SHA-384 of the VariableData of the Secure Boot
	// policy variables measured (PK, KEK, db, dbx), by name.
	Variables map[string][]byte
	// Firmware are the EV_EFI_PLATFORM_FIRMWARE_BLOB(2) digests, in order.
	Firmware [][]byte
	// Applications are the EV_EFI_BOOT_SERVICES_APPLICATION events (boot
	// loaders, shim, an EFI-stub kernel), in order.
	Applications []Component
	// Kernel is the kernel: the file GRUB's last "linux" command loaded (the
	// digest of the file), or else the last boot services application
	// loaded from memory or from QEMU's "kernel" file (the Authenticode
	// digest of the image).
	Kernel *Component
	// Initrd is the initrd: the files of GRUB's last "initrd" command, or
	// the Linux EFI stub's "Linux initrd" tagged event.
	Initrd *Component
	// Cmdline is the kernel command line as text, when the log holds it
	// (GRUB's "kernel_cmdline: " event); HasCmdline says whether it does.
	Cmdline    string
	HasCmdline bool
	// CmdlineDigest is the digest of the event that measured the command
	// line: GRUB's kernel_cmdline event, or the EFI stub's
	// "LOADED_IMAGE::LoadOptions" tagged event.
	CmdlineDigest []byte
	// GRUBCommands are GRUB's measured commands, in order.
	GRUBCommands []string
}

// Boot reads the boot components from the log, with digests of bank a.
func (l *Log) Boot(a Alg) *Boot {
	b := &Boot{Alg: a, Variables: map[string][]byte{}}
	files := map[string]*Event{}
	var linux, initrd string
	for i := range l.Events {
		e := &l.Events[i]
		switch e.Type {
		case EvEFIVariableDriverConfig:
			v, err := ParseVariable(e.Data)
			if err != nil {
				continue
			}
			switch v.Name {
			case "SecureBoot":
				on := len(v.Data) == 1 && v.Data[0] == 1
				b.SecureBoot = &on
			case "PK", "KEK", "db", "dbx":
				sum := sha512.Sum384(v.Data)
				b.Variables[v.Name] = sum[:]
			}
		case EvEFIPlatformFirmwareBlob, EvEFIPlatformFirmwareBlob2:
			b.Firmware = append(b.Firmware, e.Digest(a))
		case EvEFIBootServicesApplication:
			c := Component{Digest: e.Digest(a), Path: imagePath(e.Data), Event: e}
			b.Applications = append(b.Applications, c)
			if p := c.Path; p == "" || p == "kernel" {
				k := c
				b.Kernel = &k
			}
		case EvEventTag:
			switch tagText(e.Data) {
			case "LOADED_IMAGE::LoadOptions":
				b.CmdlineDigest = e.Digest(a)
			case "Linux initrd":
				b.Initrd = &Component{Digest: e.Digest(a), Event: e}
			}
		case EvIPL:
			s, ok := e.Text()
			if !ok {
				continue
			}
			switch {
			case strings.HasPrefix(s, "grub_cmd: "):
				cmd := strings.TrimPrefix(s, "grub_cmd: ")
				b.GRUBCommands = append(b.GRUBCommands, cmd)
				f := strings.Fields(cmd)
				if len(f) >= 2 && (f[0] == "linux" || f[0] == "linuxefi") {
					linux = f[1]
				}
				if len(f) >= 2 && (f[0] == "initrd" || f[0] == "initrdefi") {
					initrd = f[1]
				}
			case strings.HasPrefix(s, "kernel_cmdline: "):
				b.Cmdline, b.HasCmdline = strings.TrimPrefix(s, "kernel_cmdline: "), true
				b.CmdlineDigest = e.Digest(a)
			case strings.HasPrefix(s, "/") || strings.HasPrefix(s, "("):
				files[s] = e
			}
		}
	}
	if e := grubFile(files, linux); e != nil {
		b.Kernel = &Component{Digest: e.Digest(a), Path: linux, Event: e}
	}
	if e := grubFile(files, initrd); e != nil {
		b.Initrd = &Component{Digest: e.Digest(a), Path: initrd, Event: e}
	}
	return b
}

// grubFile finds GRUB's measurement of path, written with or without a
// "(hd0,gpt1)" device prefix.
func grubFile(files map[string]*Event, path string) *Event {
	if path == "" {
		return nil
	}
	if e, ok := files[path]; ok {
		return e
	}
	strip := func(p string) string {
		if strings.HasPrefix(p, "(") {
			if i := strings.IndexByte(p, ')'); i >= 0 {
				return p[i+1:]
			}
		}
		return p
	}
	var found *Event
	for p, e := range files {
		if strip(p) == strip(path) && (found == nil || e.Seq > found.Seq) {
			found = e
		}
	}
	return found
}

// tagText reads a TCG_PCClientTaggedEvent (taggedEventID u32,
// taggedEventDataSize u32, data) whose data is text.
func tagText(d []byte) string {
	if len(d) < 8 {
		return ""
	}
	n := binary.LittleEndian.Uint32(d[4:8])
	if uint64(n) > uint64(len(d)-8) {
		return ""
	}
	return string(bytes.TrimRight(d[8:8+n], "\x00"))
}

// devicePath reads the UEFI_IMAGE_LOAD_EVENT of a boot services
// application (ImageLocationInMemory, ImageLengthInMemory,
// ImageLinkTimeAddress, LengthOfDevicePath, DevicePath) and returns the
// device path nodes: "File(\EFI\BOOT\BOOTX64.EFI)" for file paths,
// "DevicePath(type,subtype)" for others.
func devicePath(d []byte) []string {
	if len(d) < 32 {
		return nil
	}
	n := binary.LittleEndian.Uint64(d[24:32])
	p := d[32:]
	if n > uint64(len(p)) {
		return nil
	}
	p = p[:n]
	var out []string
	for len(p) >= 4 {
		typ, sub, size := p[0], p[1], int(binary.LittleEndian.Uint16(p[2:4]))
		if size < 4 || size > len(p) || typ == 0x7f {
			break
		}
		body := p[4:size]
		if typ == 4 && sub == 4 {
			out = append(out, "File("+utf16z(body)+")")
		} else {
			out = append(out, fmt.Sprintf("DevicePath(%d,%d)", typ, sub))
		}
		p = p[size:]
	}
	return out
}

// imagePath is the file path of an image load event, "" when it names none.
func imagePath(d []byte) string {
	var parts []string
	for _, n := range devicePath(d) {
		if s, ok := strings.CutPrefix(n, "File("); ok {
			parts = append(parts, strings.TrimSuffix(s, ")"))
		}
	}
	return strings.Join(parts, "")
}

func utf16z(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// TrusteeEvents returns the log's events in the shape of Trustee's
// uefi_event_logs claim (deps/eventlog): per event its MR index, type
// name, digests ({alg, digest} with "SHA-384"-style names, hex), the event
// data in base64, details (text as "string"; UEFI variables as
// unicode_name, unicode_name_length, variable_data (base64),
// variable_data_length, variable_name (GUID); image loads as
// device_paths) and digest_matches_event (the digest was recomputed from
// the data and matches: [Event.Check] in every bank).
func (l *Log) TrusteeEvents() []any {
	out := make([]any, 0, len(l.Events))
	for i := range l.Events {
		e := &l.Events[i]
		ds := make([]any, len(e.Digests))
		matches := len(e.Digests) > 0
		for j, d := range e.Digests {
			ds[j] = map[string]any{"alg": d.Alg.String(), "digest": hex.EncodeToString(d.Value)}
			if e.Check(d.Alg) != CheckMatch {
				matches = false
			}
		}
		out = append(out, map[string]any{
			"index":                int(e.Index),
			"type_name":            e.Type.String(),
			"digests":              ds,
			"event":                base64.StdEncoding.EncodeToString(e.Data),
			"details":              details(e),
			"digest_matches_event": matches,
		})
	}
	return out
}

func details(e *Event) map[string]any {
	switch e.Type {
	case EvEFIVariableDriverConfig, EvEFIVariableBoot, EvEFIVariableBoot2, EvEFIVariableAuthority:
		v, err := ParseVariable(e.Data)
		if err != nil {
			return map[string]any{}
		}
		return map[string]any{
			"unicode_name": v.Name, "unicode_name_length": len(utf16.Encode([]rune(v.Name))),
			"variable_data": base64.StdEncoding.EncodeToString(v.Data), "variable_data_length": len(v.Data),
			"variable_name": v.GUIDString(),
		}
	case EvEFIBootServicesApplication, EvEFIBootServicesDriver, EvEFIRuntimeServicesDriver:
		if p := devicePath(e.Data); len(p) > 0 {
			ps := make([]any, len(p))
			for i, s := range p {
				ps[i] = s
			}
			return map[string]any{"device_paths": ps}
		}
		return map[string]any{}
	case EvEFIPlatformFirmwareBlob2, EvEFIHandoffTables2:
		// A UINT8 description size, then the description.
		if len(e.Data) > 0 && int(e.Data[0]) <= len(e.Data)-1 {
			return map[string]any{"string": string(bytes.TrimRight(e.Data[1:1+int(e.Data[0])], "\x00"))}
		}
	case EvEventTag:
		return map[string]any{"string": tagText(e.Data)}
	case EvPlatformConfigFlags:
		// Trustee's parser (deps/eventlog platform_config_flags.rs): the
		// data as UTF-8 (none when it is not), 0x10 as a space, control
		// characters dropped: td-shim's "td_payload_info" descriptor, its
		// length and the kernel command line read as one line.
		if !utf8.Valid(e.Data) {
			return map[string]any{"string": ""}
		}
		var b strings.Builder
		for _, r := range string(e.Data) {
			switch {
			case r == 0x10:
				b.WriteByte(' ')
			case unicode.IsControl(r):
			default:
				b.WriteRune(r)
			}
		}
		return map[string]any{"string": b.String()}
	case EvPostCode, EvIPL, EvEFIAction, EvAction, EvSCRTMVersion:
		if s, ok := e.Text(); ok {
			return map[string]any{"string": s}
		}
		// Text up to a NUL (systemd-stub's PE section names, TDVF's
		// payload info), as Trustee shows it.
		if i := bytes.IndexByte(e.Data, 0); i > 0 {
			c := Event{Type: EvIPL, Data: e.Data[:i]}
			if s, ok := c.Text(); ok {
				return map[string]any{"string": s}
			}
		}
	}
	return map[string]any{}
}
