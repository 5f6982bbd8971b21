// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package se

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// HeaderMagic starts an SE header ("IBMSecEx").
const HeaderMagic = "IBMSecEx"

// TagsSize is the size of the SE-header tags the measurement covers:
// PLD ‖ ALD ‖ TLD ‖ header tag.
const TagsSize = 0xD0

const (
	headerHead     = 0x1A0   // BootHdrHead
	headerVersion  = 0x100   // SE header version 1
	maxHeaderSize  = 1 << 20 // far above any real header (one page or two)
	pageSize       = 4096
	maxImageSearch = 1 << 30 // bytes of an image scanned for the header
)

// Tags are the SE-header tags (BootHdrTags): the page-list, address-list
// and tweak-list digests and the header's GCM tag.
type Tags [TagsSize]byte

// PLD returns the page-list digest.
func (t *Tags) PLD() []byte { return t[0:64] }

// ALD returns the address-list digest.
func (t *Tags) ALD() []byte { return t[64:128] }

// TLD returns the tweak-list digest.
func (t *Tags) TLD() []byte { return t[128:192] }

// Tag returns the SE header's tag (its last 16 bytes).
func (t *Tags) Tag() []byte { return t[192:208] }

// String returns the tags in hex.
func (t *Tags) String() string { return hex.EncodeToString(t[:]) }

// ParseTags reads 208 bytes of tags (Trustee's image_hdr_tags).
func ParseTags(b []byte) (Tags, error) {
	var t Tags
	if len(b) != TagsSize {
		return t, fmt.Errorf("%w: SE-header tags of %d bytes, want %d", ErrMalformed, len(b), TagsSize)
	}
	copy(t[:], b)
	return t, nil
}

// Header is a parsed SE header: a view over the caller's bytes.
type Header struct {
	raw []byte
	// Version is the header version (0x100).
	Version uint32
	// PCF is the plaintext control flags.
	PCF uint64
	// KeySlotPHKHs are the host key hashes of the header's key slots: the
	// hosts that can boot the image.
	KeySlotPHKHs [][PHKHSize]byte
}

// Raw returns the header's bytes.
func (h *Header) Raw() []byte { return h.raw }

// Tags returns the header's tags.
func (h *Header) Tags() Tags {
	var t Tags
	copy(t[:0xC0], h.raw[0xE0:0x1A0])
	copy(t[0xC0:], h.raw[len(h.raw)-16:])
	return t
}

// ParseHeader parses an SE header at the start of b; bytes after the size
// the header states are ignored.
func ParseHeader(b []byte) (*Header, error) {
	if len(b) < headerHead+16 {
		return nil, fmt.Errorf("%w: SE header of %d bytes, need at least %d", ErrTruncated, len(b), headerHead+16)
	}
	if string(b[:8]) != HeaderMagic {
		return nil, fmt.Errorf("%w: SE header magic %q, want %q", ErrMalformed, b[:8], HeaderMagic)
	}
	h := &Header{Version: binary.BigEndian.Uint32(b[8:])}
	if h.Version != headerVersion {
		return nil, fmt.Errorf("%w: SE header version %#x, want %#x", ErrUnsupported, h.Version, headerVersion)
	}
	size := uint64(binary.BigEndian.Uint32(b[0x0C:]))
	nks := binary.BigEndian.Uint64(b[0x20:])
	sea := binary.BigEndian.Uint64(b[0x28:])
	h.PCF = binary.BigEndian.Uint64(b[0x38:])
	if size > maxHeaderSize || nks > MaxKeySlots || sea > maxHeaderSize {
		return nil, fmt.Errorf("%w: SE header size %d, %d key slots, %d encrypted bytes", ErrMalformed, size, nks, sea)
	}
	if need := headerHead + nks*KeySlotSize + sea + 16; size < need {
		return nil, fmt.Errorf("%w: SE header size %d, its %d key slots and %d encrypted bytes need %d", ErrMalformed, size, nks, sea, need)
	}
	if uint64(len(b)) < size {
		return nil, fmt.Errorf("%w: SE header of %d bytes, its size field says %d", ErrTruncated, len(b), size)
	}
	h.raw = b[:size:size]
	for i := uint64(0); i < nks; i++ {
		var p [PHKHSize]byte
		copy(p[:], b[headerHead+i*KeySlotSize:])
		h.KeySlotPHKHs = append(h.KeySlotPHKHs, p)
	}
	return h, nil
}

// FindHeader returns the SE header of b: an SE header itself, or a whole
// SE image whose header starts at a page boundary (where genprotimg puts
// it). At most the first GiB is searched.
func FindHeader(b []byte) (*Header, error) {
	if bytes.HasPrefix(b, []byte(HeaderMagic)) {
		return ParseHeader(b)
	}
	n := len(b)
	if n > maxImageSearch {
		n = maxImageSearch
	}
	for off := pageSize; off+8 <= n; off += pageSize {
		if string(b[off:off+8]) == HeaderMagic {
			return ParseHeader(b[off:])
		}
	}
	return nil, fmt.Errorf("%w: no SE header (%q at a page boundary) in %d bytes", ErrMalformed, HeaderMagic, len(b))
}
