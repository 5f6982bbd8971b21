// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command ratio reads the raw output of bench/run.sh (rounds of benchmarks,
// each round running each benchmark once) and prints, for every benchmark,
// the median over the rounds of its time divided by a base benchmark's in
// the same round: a ratio that holds when the load of a shared machine
// changes from round to round.
//
//	go run ./bench/ratio FILE BASE [PAIR...]
//
// BASE is a benchmark name as printed without "Benchmark" and the -N suffix
// (FloorP256, TDXEvidence/case=tdx-v5-collateral/impl=floor); each PAIR
// A:B prints the median of A/B besides (anchor over ccverify, say).
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var line = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: ratio FILE BASE [A:B...]")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	// A round ends when a benchmark comes again.
	var rounds []map[string]float64
	cur := map[string]float64{}
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		if _, ok := cur[m[1]]; ok {
			rounds, cur = append(rounds, cur), map[string]float64{}
		}
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
		cur[m[1]] = ns
	}
	rounds = append(rounds, cur)
	pairs := [][2]string{}
	for _, n := range names {
		pairs = append(pairs, [2]string{n, os.Args[2]})
	}
	for _, p := range os.Args[3:] {
		a, b, ok := strings.Cut(p, ":")
		if !ok {
			fmt.Fprintf(os.Stderr, "ratio: %q is not A:B\n", p)
			os.Exit(2)
		}
		pairs = append(pairs, [2]string{a, b})
	}
	for _, p := range pairs {
		var rs []float64
		for _, r := range rounds {
			a, okA := r[p[0]]
			b, okB := r[p[1]]
			if okA && okB && b > 0 {
				rs = append(rs, a/b)
			}
		}
		if len(rs) == 0 {
			continue
		}
		slices.Sort(rs)
		med := rs[len(rs)/2]
		if len(rs)%2 == 0 {
			med = (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
		}
		fmt.Printf("%-50s / %-40s %7.3f  (rounds: %d, %.3f to %.3f)\n", p[0], p[1], med, len(rs), rs[0], rs[len(rs)-1])
	}
}
