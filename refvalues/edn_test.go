// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// ednToCBOR converts CBOR extended diagnostic notation (RFC 8610 appendix G)
// to CBOR, for the .diag files of the shared vectors. It reads what those
// files use: integers (decimal, 0x), text, h” / b64” / ” byte strings
// (juxtaposed ones concatenated), << >> embedded CBOR, N(...) and #6.N(...)
// tags, arrays, maps, true/false/null and / comments /. The SEV-SNP draft's
// files also write `=>` for `:` and leave out commas, which it tolerates.
// Placeholders (CHIP_ID, ${protected}) and CDDL (&(name: 0)) are errors.
func ednToCBOR(s string) ([]byte, error) {
	p := &ednParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("edn: trailing text at %d: %.20q", p.i, p.s[p.i:])
	}
	return encMode.Marshal(v)
}

type ednParser struct {
	s string
	i int
	n int // values parsed, against runaway input
}

func (p *ednParser) space() {
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			p.i++
		case c == '/':
			end := strings.IndexByte(p.s[p.i+1:], '/')
			if end < 0 {
				p.i = len(p.s)
				return
			}
			p.i += end + 2
		default:
			return
		}
	}
}

// juxtaposed reports whether a string literal follows with only white space
// and comments between (a comma ends the juxtaposition).
func (p *ednParser) juxtaposed(prefixes ...string) bool {
	j := p.i
	for j < len(p.s) {
		c := p.s[j]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			j++
			continue
		}
		if c == '/' {
			end := strings.IndexByte(p.s[j+1:], '/')
			if end < 0 {
				return false
			}
			j += end + 2
			continue
		}
		break
	}
	for _, pre := range prefixes {
		if strings.HasPrefix(p.s[j:], pre) {
			p.i = j
			return true
		}
	}
	return false
}

func (p *ednParser) peek() byte {
	p.space()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *ednParser) errf(format string, args ...any) error {
	return fmt.Errorf("edn: at %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *ednParser) value() (any, error) {
	if p.n++; p.n > 1<<16 {
		return nil, p.errf("too many values")
	}
	c := p.peek()
	switch {
	case c == 0:
		return nil, p.errf("unexpected end")
	case c == '[':
		p.i++
		var out []any
		for p.peek() != ']' {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		p.i++
		if out == nil {
			out = []any{}
		}
		return out, nil
	case c == '{':
		p.i++
		out := map[any]any{}
		for p.peek() != '}' {
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			switch {
			case p.peek() == ':':
				p.i++
			case strings.HasPrefix(p.s[p.i:], "=>"):
				p.i += 2
			default:
				return nil, p.errf("want ':' after a map key")
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if b, ok := k.([]byte); ok {
				k = cbor.ByteString(b)
			}
			out[k] = v
		}
		p.i++
		return out, nil
	case c == '<' && strings.HasPrefix(p.s[p.i:], "<<"):
		p.i += 2
		var enc []byte
		for !strings.HasPrefix(p.s[p.i:], ">>") {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			b, err := encMode.Marshal(v)
			if err != nil {
				return nil, err
			}
			enc = append(enc, b...)
			p.space()
		}
		p.i += 2
		return p.concat(enc)
	case c == '"':
		s, err := p.quoted('"')
		if err != nil {
			return nil, err
		}
		for p.juxtaposed(`"`) {
			more, err := p.quoted('"')
			if err != nil {
				return nil, err
			}
			s += more
		}
		return s, nil
	case c == '\'' || strings.HasPrefix(p.s[p.i:], "h'") || strings.HasPrefix(p.s[p.i:], "b64'"):
		b, err := p.bytesLit()
		if err != nil {
			return nil, err
		}
		return p.concat(b)
	case c == '#' && strings.HasPrefix(p.s[p.i:], "#6."):
		p.i += 3
		return p.tagged()
	case c == '-' || (c >= '0' && c <= '9'):
		j := p.i
		if c == '-' {
			j++
		}
		for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == 'x' || p.s[j] >= 'a' && p.s[j] <= 'f' || p.s[j] >= 'A' && p.s[j] <= 'F' || p.s[j] == '.') {
			j++
		}
		tok := p.s[p.i:j]
		if j < len(p.s) && p.s[j] == '(' && !strings.HasPrefix(tok, "-") {
			return p.tagged()
		}
		p.i = j
		return ednNumber(tok)
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}, {"undefined", cbor.SimpleValue(23)}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return nil, p.errf("not diagnostic notation: %.24q", p.s[p.i:])
}

func (p *ednParser) tagged() (any, error) {
	j := p.i
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(p.s[p.i:j], 10, 64)
	if err != nil || j >= len(p.s) || p.s[j] != '(' {
		return nil, p.errf("bad tag")
	}
	p.i = j + 1
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.peek() != ')' {
		return nil, p.errf("want ')'")
	}
	p.i++
	return cbor.Tag{Number: n, Content: v}, nil
}

// concat appends juxtaposed byte strings.
func (p *ednParser) concat(b []byte) (any, error) {
	for {
		if p.juxtaposed("'", "h'", "b64'") {
			more, err := p.bytesLit()
			if err != nil {
				return nil, err
			}
			b = append(b, more...)
			continue
		}
		return b, nil
	}
}

func (p *ednParser) bytesLit() ([]byte, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "h'"):
		p.i++
		s, err := p.quoted('\'')
		if err != nil {
			return nil, err
		}
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\t' || r == '\r' {
				return -1
			}
			return r
		}, s)
		return hex.DecodeString(s)
	case strings.HasPrefix(p.s[p.i:], "b64'"):
		p.i += 3
		s, err := p.quoted('\'')
		if err != nil {
			return nil, err
		}
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return b, nil
		}
		return base64.RawURLEncoding.DecodeString(s)
	}
	s, err := p.quoted('\'')
	return []byte(s), err
}

func (p *ednParser) quoted(q byte) (string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != q {
		return "", p.errf("want %c", q)
	}
	var sb strings.Builder
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; c {
		case q:
			p.i = j + 1
			return sb.String(), nil
		case '\\':
			if j+1 >= len(p.s) {
				return "", p.errf("bad escape")
			}
			j++
			switch p.s[j] {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			default:
				sb.WriteByte(p.s[j])
			}
		default:
			sb.WriteByte(c)
		}
	}
	return "", p.errf("unterminated string")
}

func ednNumber(tok string) (any, error) {
	neg := strings.HasPrefix(tok, "-")
	t := strings.TrimPrefix(tok, "-")
	base := 10
	if strings.HasPrefix(t, "0x") {
		base, t = 16, t[2:]
	}
	if strings.Contains(t, ".") {
		f, err := strconv.ParseFloat(tok, 64)
		return f, err
	}
	n, ok := new(big.Int).SetString(t, base)
	if !ok {
		return nil, fmt.Errorf("edn: number %q", tok)
	}
	if neg {
		n.Neg(n)
	}
	if n.IsUint64() {
		return n.Uint64(), nil
	}
	if n.IsInt64() {
		return n.Int64(), nil
	}
	return nil, fmt.Errorf("edn: number %q out of range", tok)
}
