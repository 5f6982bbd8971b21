// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package p256

import "filippo.io/nistec"

// A scalar below n < 2²⁵⁶ is written in signed base-32 digits d_i in
// [−15, 16], Σ d_i·32^i: 52 windows cover the 257 bits the recoding's last
// carry can reach.
const (
	window  = 5
	windows = 52
	half    = 1 << (window - 1) // 16: the largest digit
)

// table holds, for window i, the multiples (j+1)·32^i·Q for j in [0, 16).
// A negative digit adds the negation of an entry. No entry is the identity:
// n is an odd prime above 32·2²⁵⁵, so it divides no (j+1)·32^i.
type table [windows][half]nistec.P256Point

// newTable computes q's table: per window, the even multiples by doubling
// and the odd ones by one addition of the window's base.
func newTable(q *nistec.P256Point) *table {
	t := new(table)
	base := nistec.NewP256Point().Set(q)
	for i := range t {
		row := &t[i]
		row[0].Set(base)
		for j := 1; j < half; j++ {
			if m := j + 1; m%2 == 0 {
				row[j].Double(&row[m/2-1])
			} else {
				row[j].Add(&row[j-1], base)
			}
		}
		base.Double(&row[half-1]) // 2·16 = 32 times this window's base
	}
	return t
}

// digits recodes the big-endian scalar k (below 2²⁵⁶) into signed base-32
// digits, least significant first.
func digits(k *[32]byte) (d [windows]int8) {
	carry := 0
	for i := range d {
		pos := window * i
		b := pos / 8
		w := int(k[31-b])
		if b < 31 {
			w |= int(k[30-b]) << 8
		}
		v := (w>>(pos%8))&(1<<window-1) + carry
		carry = 0
		if v > half {
			v -= 1 << window
			carry = 1
		}
		d[i] = int8(v)
	}
	// The top window holds bit 255 alone: at most 1 + a carry, so no carry
	// is left.
	return d
}

// mult sets p = k·Q for the big-endian scalar k, by one table addition per
// non-zero digit. nistec's Add is complete (the identity, equal and opposite
// points included), so any partial sum is handled.
func (t *table) mult(p *nistec.P256Point, k *[32]byte) *nistec.P256Point {
	p.Set(nistec.NewP256Point()) // the identity
	var neg nistec.P256Point
	for i, d := range digits(k) {
		switch {
		case d > 0:
			p.Add(p, &t[i][d-1])
		case d < 0:
			p.Add(p, neg.Negate(&t[i][-d-1]))
		}
	}
	return p
}
