// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// TestFromList: --from-list streams the listed files through the workers
// and reports them in list order, whatever order the workers finish in.
func TestFromList(t *testing.T) {
	dir := t.TempDir()
	var list strings.Builder
	list.WriteString("# audit list\n\n")
	const n = 60
	for i := range n {
		raw := gtdata.RawQuoteV5
		if i%3 == 1 {
			raw = gtdata.RawQuote
		}
		if i%7 == 3 {
			raw = []byte("not a quote, a note")
		}
		fmt.Fprintln(&list, write(t, dir, fmt.Sprintf("q%03d", i), raw))
	}
	lp := write(t, dir, "list.txt", []byte(list.String()))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "4", "--from-list", lp)
	if code != exitUsage { // the notes in the list are named files that are not evidence
		t.Errorf("exit %d, want %d\n%s", code, exitUsage, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	prev := ""
	for _, l := range lines {
		var m struct{ Path string }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if m.Path <= prev {
			t.Fatalf("out of order: %s after %s", m.Path, prev)
		}
		prev = m.Path
	}
	notes := 0
	for i := range n {
		if i%7 == 3 {
			notes++
		}
	}
	if len(lines) != n-notes || !strings.Contains(errs, fmt.Sprintf("%d file(s): 0 affirming, %d warning, 0 contraindicated or failed, %d unreadable or not evidence", n, n-notes, notes)) {
		t.Errorf("%d lines, summary: %s", len(lines), errs)
	}
	if code, _, errs := runCLI("verify", "--from-list", lp, filepath.Join(dir, "q000")); code != exitUsage || !strings.Contains(errs, "not both") {
		t.Errorf("files and --from-list: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI("verify", "--from-list", filepath.Join(dir, "nope")); code != exitUsage || !strings.Contains(errs, "--from-list") {
		t.Errorf("missing list: exit %d %s", code, errs)
	}
}

// auditFixture writes n generated quotes of one platform
// (testvectors.PlatformQuotes), the catalog's collateral for them and its
// root into a temporary directory, as bench/audit gen does, and returns the
// list file, the CLI arguments of an audit of it and the quotes.
func auditFixture(tb testing.TB, n int) (list string, args []string, quotes [][]byte) {
	tb.Helper()
	dir := tb.TempDir()
	set := testvectors.Generate(testvectors.DefaultSeed)
	col := filepath.Join(dir, "collateral")
	if err := os.MkdirAll(filepath.Join(dir, "quotes"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(col, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, b := range set.Files {
		dst := ""
		switch d := filepath.Dir(name); {
		case name == "intel/root.pem":
			dst = filepath.Join(dir, "root.pem")
		case d == "intel/tcb/good" || d == "intel/crl/good":
			dst = filepath.Join(col, filepath.Base(name))
		default:
			continue
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	var sb strings.Builder
	quotes = testvectors.PlatformQuotes(testvectors.DefaultSeed, n)
	for i, q := range quotes {
		p := filepath.Join(dir, "quotes", fmt.Sprintf("q%07d", i))
		if err := os.WriteFile(p, q, 0o644); err != nil {
			tb.Fatal(err)
		}
		sb.WriteString(p + "\n")
	}
	list = filepath.Join(dir, "list.txt")
	if err := os.WriteFile(list, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	args = []string{"verify", "--offline", "--hardware-only", "--at", "2026-01-15T00:00:00Z",
		"--intel-root", filepath.Join(dir, "root.pem"), "--collateral", col, "--output", "json", "--from-list", list}
	return list, args, quotes
}

// BenchmarkAudit is bench/audit.sh in one process: audits of 1,000
// generated quotes of one platform through the CLI (--output json, the
// lines discarded) with --jobs 1 and 2, and through the library with 1 and 2
// goroutines on the same quotes (already read), each iteration running the
// four in turn so that a change of load on a shared machine hits them
// alike. Metrics: ns a quote of each (cli1, cli2, lib1, lib2), the CLI's
// cost over the library's (cli/lib, --jobs 1; the target: within
// 1.3×) and what a second job gains (cli-2jobs, lib-2jobs; target ≥ 1.8×).
func BenchmarkAudit(b *testing.B) {
	const n = 1000
	_, args, quotes := auditFixture(b, n)
	root, err := loadCerts(args[6])
	if err != nil {
		b.Fatal(err)
	}
	when, _ := time.Parse(time.RFC3339, args[4])
	cli := func(jobs string) time.Duration {
		start := time.Now()
		var e strings.Builder
		if code := run(append(args[:len(args):len(args)], "--jobs", jobs), io.Discard, &e); code != exitWarning && code != exitAffirming {
			b.Fatalf("exit %d: %s", code, e.String())
		}
		return time.Since(start)
	}
	lib := func(jobs int) time.Duration {
		start := time.Now()
		// A new Verifier per audit, as the CLI makes one.
		v := verify.New(verify.Options{Offline: true, Time: when, Collateral: []string{args[8]},
			Intel: verify.IntelOptions{Roots: root}, RefValues: verify.RefValueOptions{HardwareOnly: true}})
		var wg sync.WaitGroup
		for g := range jobs { // each goroutine its share: no hand-off per quote
			wg.Go(func() {
				for i := g; i < len(quotes); i += jobs {
					if _, err := v.Evidence(context.Background(), quotes[i]); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	b.ReportAllocs()
	var c1, c2, l1, l2 time.Duration
	for b.Loop() {
		c1 += cli("1")
		c2 += cli("2")
		l1 += lib(1)
		l2 += lib(2)
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*n) }
	b.ReportMetric(per(c1), "cli1-ns/quote")
	b.ReportMetric(per(c2), "cli2-ns/quote")
	b.ReportMetric(per(l1), "lib1-ns/quote")
	b.ReportMetric(per(l2), "lib2-ns/quote")
	b.ReportMetric(float64(c1)/float64(l1), "cli/lib")
	b.ReportMetric(float64(c1)/float64(c2), "cli-2jobs")
	b.ReportMetric(float64(l1)/float64(l2), "lib-2jobs")
}

// iatRE matches the claims set's iat, which render takes from the clock.
var iatRE = regexp.MustCompile(`"iat":[0-9]+`)

// lineResults are verdicts of every shape the encoder meets: real TDX and
// SNP verdicts (with and without collateral, failed, with a nonce and a
// policy) and made-up claims of every kind of value.
func lineResults(t *testing.T) []*verify.Result {
	ctx := context.Background()
	when, _ := time.Parse(time.RFC3339, at)
	var out []*verify.Result
	add := func(raw []byte, opts verify.Options) {
		r, _ := verify.New(opts).Evidence(ctx, raw)
		out = append(out, r)
	}
	add(gtdata.RawQuoteV5, verify.Options{Offline: true, Time: when})
	add(gtdata.RawQuote, verify.Options{Offline: true, Time: when})
	bad := slices.Clone(gtdata.RawQuoteV5)
	bad[0x100] ^= 1
	add(bad, verify.Options{Offline: true, Time: when})
	add([]byte("not evidence"), verify.Options{Offline: true, Time: when})
	dir := t.TempDir()
	write(t, dir, "vcek", gsgdata.VcekBytes)
	snpOpts := verify.Options{Offline: true, AllowDebug: true, Collateral: []string{dir}, Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	add(gsgdata.AttestationBytes[:snp.ReportSize], snpOpts)
	snpOpts.AllowDebug = false
	add(gsgdata.AttestationBytes[:snp.ReportSize], snpOpts)
	nonce := verify.Options{Offline: true, Time: when}
	nonce.Binding.Nonce = []byte{0xfb, 0xff, 0x00, 0x3e, 0x3f}
	add(gtdata.RawQuoteV5, nonce)
	pol, err := verify.ParsePolicy([]byte(`{"tdx": {"accept_tcb_status": ["OutOfDate"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	add(gtdata.RawQuoteV5, verify.Options{Offline: true, Time: when, Policy: pol})
	out = append(out,
		&verify.Result{Time: when, Status: ear.TrustTierWarning, Claims: map[string]any{
			"verification_time": "shadowed by the verdict's", "s": "plain", "esc": "<&> \"q\" \\ \x00\x1f\x7f é \xff\u2028\u2029\t\n\r\b\f",
			"<key & \"k\">": true, "f": false, "i": -3, "i8": int8(-8), "i16": int16(-16), "i32": int32(-32), "i64": int64(-1 << 62),
			"u": uint(7), "u8": uint8(8), "u16": uint16(16), "u32": uint32(32), "u64": uint64(1 << 63), "float": 1.5e21, "nil": nil,
			"strs": []string{"a", "<b>", ""}, "nostrs": []string(nil), "empty": []string{}, "any": []any{1, "x", nil, map[string]any{"z": []any{}}},
			"noany": []any(nil), "map": map[string]any{"b": 1, "a": map[string]any{"d": []string{"x"}, "c": "é"}}, "nomap": map[string]any(nil),
			"time": when, "bytes": []byte{1, 2}, "tier": ear.TrustTierAffirming, "claim": ear.CryptoValidationFailedClaim,
			"deep": map[string]any{"1": map[string]any{"2": map[string]any{"3": map[string]any{"4": map[string]any{"5": map[string]any{
				"6": map[string]any{"7": map[string]any{"8": map[string]any{"9": []any{map[string]any{"10": 1}}}}}}}}}}},
		}},
		&verify.Result{Status: ear.TrustTierContraindicated, Format: verify.FormatSNP, PolicyID: "p <&> \"x\" é"},
	)
	// Maps of one name whose keys change, in number or not: the encoder's
	// remembered order of the last one must not be used.
	for _, m := range []map[string]any{
		{"b": 1, "a": 2, "m": map[string]any{"y": 1, "x": 2}},
		{"b": 1, "c": 2, "m": map[string]any{"z": 1, "x": 2}},
		{"b": 1, "c": 2, "verification_time": 0, "m": map[string]any{"z": 1, "x": 2}},
		{"b": 1, "verification_time": 0, "m": map[string]any{"a": 1, "x": 2}},
		{"b": 1, "a": 2, "m": map[string]any{"x": 2}, "": map[string]any{"b": 1, "a": 2, "m": 3}},
		{"b": 1, "a": 2, "m": map[string]any{"x": 2}, "": map[string]any{"b": 1, "a": 2, "verification_time": 3}},
	} {
		out = append(out, &verify.Result{Status: ear.TrustTierAffirming, Claims: m})
	}
	return out
}

// TestLineEncoder: the audit's encoder writes the bytes render writes, for
// every kind of verdict and claim, whatever the path.
func TestLineEncoder(t *testing.T) {
	var enc lineEncoder
	for i, r := range lineResults(t) {
		for _, path := range []string{"q0", "dir/q \"1\" <&>\\é\x01.bin"} {
			want, err := render(r, path, "json", nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc.line(r, path, 1234)
			if err != nil {
				t.Fatalf("result %d: %v", i, err)
			}
			if w := iatRE.ReplaceAllString(want, `"iat":1234`); got != w {
				t.Errorf("result %d, path %q:\n got %s\nwant %s", i, path, got, w)
			}
		}
	}
	if _, err := enc.line(&verify.Result{Status: 7}, "q", 0); err == nil {
		t.Error("a status EARJSON rejects: encoded")
	}
	// The remembered orders are bounded.
	m := map[string]any{}
	for i := range 2 * maxOrders {
		m[fmt.Sprint("k", i)] = map[string]any{"a": i}
	}
	if _, err := enc.line(&verify.Result{Status: ear.TrustTierAffirming, Claims: m}, "q", 0); err != nil || len(enc.orders) > maxOrders {
		t.Errorf("%d orders remembered (at most %d), %v", len(enc.orders), maxOrders, err)
	}
}

// FuzzLineEncoder: any string as a claim's name and value, and as the path,
// is written as render writes it.
func FuzzLineEncoder(f *testing.F) {
	for _, s := range []string{"", "a", "<&>", "\"\\", "\x00\x7f\xff", "é\u2028", "\xed\xa0\x80"} {
		f.Add(s, s)
	}
	var enc lineEncoder
	f.Fuzz(func(t *testing.T, k, v string) {
		r := &verify.Result{Status: ear.TrustTierAffirming, Format: verify.Format(k), Nonce: []byte(v), PolicyID: v,
			Claims: map[string]any{k: v, v: []any{k, map[string]any{k: v}}, "x" + k: []string{v}}}
		want, err := render(r, v, "json", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := enc.line(r, v, 1)
		if err != nil {
			t.Fatal(err)
		}
		if w := iatRE.ReplaceAllString(want, `"iat":1`); got != w {
			t.Errorf("\n got %s\nwant %s", got, w)
		}
	})
}

// TestAuditItem: the audit's worker reads, verifies and judges an item as
// verifyItem does, and renders what render renders (not evidence, too
// large, missing, a configfs-tsm directory, every --output).
func TestAuditItem(t *testing.T) {
	dir := t.TempDir()
	tsm := tsmDir(t, dir)
	paths := []string{write(t, dir, "v5", gtdata.RawQuoteV5), write(t, dir, "v4", gtdata.RawQuote), write(t, dir, "note", []byte("a note")),
		write(t, dir, "big", make([]byte, 9000)), filepath.Join(dir, "missing"), tsm}
	when, _ := time.Parse(time.RFC3339, at)
	v := verify.New(verify.Options{Offline: true, Time: when})
	var enc lineEncoder
	for _, output := range []string{"json", "text"} {
		for _, p := range paths {
			a := item{path: p, tsmDir: verify.IsTSMReportDir(p)}
			verifyItem(v, &a, output, nil, 8192)
			// As a directory's expansion gives it, and as a list does (the
			// worker finds out whether it is a configfs-tsm directory).
			for _, probe := range []bool{false, true} {
				b := item{path: p, tsmDir: !probe && verify.IsTSMReportDir(p)}
				enc.verifyItem(v, &b, probe, output, nil, 8192)
				if fmt.Sprint(a.err) != fmt.Sprint(b.err) || (a.res == nil) != (b.res == nil) || a.res != nil && a.res.Status != b.res.Status ||
					a.tsmDir != b.tsmDir || iatRE.ReplaceAllString(a.output, "") != iatRE.ReplaceAllString(b.output, "") {
					t.Errorf("%s, --output %s, probe %v: verifyItem %v %q, the audit's %v %q", p, output, probe, a.err, a.output, b.err, b.output)
				}
			}
		}
	}
}

// BenchmarkLine: one json line of a TDX verdict, the audit's encoder
// against render's (Result.EARJSON).
func BenchmarkLine(b *testing.B) {
	_, args, quotes := auditFixture(b, 1)
	root, err := loadCerts(args[6])
	if err != nil {
		b.Fatal(err)
	}
	when, _ := time.Parse(time.RFC3339, args[4])
	r, err := verify.New(verify.Options{Offline: true, Time: when, Collateral: []string{args[8]},
		Intel: verify.IntelOptions{Roots: root}, RefValues: verify.RefValueOptions{HardwareOnly: true}}).Evidence(context.Background(), quotes[0])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=encoder", func(b *testing.B) {
		var enc lineEncoder
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enc.line(r, "quotes/q0000000", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := render(r, "quotes/q0000000", "json", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFromListTSMDir: a configfs-tsm report directory named in a list is
// verified as one piece of evidence (the worker finds out what it is).
func TestFromListTSMDir(t *testing.T) {
	dir := t.TempDir()
	tsm := tsmDir(t, dir)
	q := write(t, dir, "quote.bin", gtdata.RawQuote)
	lp := write(t, dir, "list.txt", []byte(tsm+"\n"+q+"\n"))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--jobs", "2", "--from-list", lp)
	if code != exitWarning || !strings.Contains(out, "report0 > configfs-tsm dir") || !strings.Contains(out, "2 file(s): 0 affirming, 2 warning") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

// TestFromListMany: many items over more workers than cores come out once
// each and in order, and a list that cannot be read to its end reports
// what it verified and the error.
func TestFromListMany(t *testing.T) {
	dir := t.TempDir()
	q5, q4 := write(t, dir, "q5", gtdata.RawQuoteV5), write(t, dir, "q4", gtdata.RawQuote)
	var list strings.Builder
	const n = 300
	for i := range n {
		p := q5
		if i%5 == 2 {
			p = q4
		}
		fmt.Fprintf(&list, "%s\n", p)
	}
	lp := write(t, dir, "list.txt", []byte(list.String()))
	code, out, errs := runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "3", "--from-list", lp)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitWarning || len(lines) != n {
		t.Fatalf("exit %d, %d lines for %d items\n%s", code, len(lines), n, errs)
	}
	for i, l := range lines {
		want := q5
		if i%5 == 2 {
			want = q4
		}
		if !strings.HasSuffix(l, `,"path":"`+want+`"}`) {
			t.Fatalf("line %d is not %s's: %.80s…", i, want, l)
		}
	}
	// A line longer than the list reader takes ends the list with an error.
	bad := write(t, dir, "bad.txt", []byte(q5+"\n"+q4+"\n"+strings.Repeat("x", 70<<10)+"\n"+q5+"\n"))
	code, out, errs = runCLI("verify", "--offline", "--at", at, "--output", "json", "--jobs", "2", "--from-list", bad)
	if code != exitUsage || strings.Count(out, "\n") != 2 || !strings.Contains(errs, "--from-list") {
		t.Errorf("exit %d, %d lines\n%s", code, strings.Count(out, "\n"), errs)
	}
}

// signalWriter signals on its channel at each write.
type signalWriter struct {
	strings.Builder
	wrote chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return w.Builder.Write(p)
}

// TestAuditStreams: a verdict is printed while the list waits for its next
// line (a list from a pipe): the source here yields its second item only
// once the first verdict is out.
func TestAuditStreams(t *testing.T) {
	dir := t.TempDir()
	q := write(t, dir, "q5", gtdata.RawQuoteV5)
	out := &signalWriter{wrote: make(chan struct{}, 1)}
	var errs strings.Builder
	src := func(yield func(item, bool) bool) error {
		if !yield(item{path: q}, true) {
			return nil
		}
		select {
		case <-out.wrote:
		case <-time.After(20 * time.Second):
			return fmt.Errorf("the first verdict was not printed while the list waited")
		}
		yield(item{path: q}, true)
		return nil
	}
	when, _ := time.Parse(time.RFC3339, at)
	v := verify.New(verify.Options{Offline: true, Time: when})
	code, err := audit(v, src, 2, newReporter("json", false, out, &errs), newProgress(&errs, -1), "json", nil, 1<<20)
	if err != nil || code != exitWarning || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("exit %d, %v\n%s%s", code, err, out.String(), errs.String())
	}
}

// blockingGetter answers every request with an error once released.
type blockingGetter struct{ release chan struct{} }

func (g blockingGetter) Get(ctx context.Context, url string) ([]byte, http.Header, error) {
	<-g.release
	return nil, nil, fmt.Errorf("no PCS here")
}

// TestAuditFlushesBehindSlowItem: a verdict printed while an item after it
// is still being verified (here: waiting for a collateral fetch) is written
// out without waiting for that item.
func TestAuditFlushesBehindSlowItem(t *testing.T) {
	dir := t.TempDir()
	bad := slices.Clone(gtdata.RawQuoteV5)
	bad[0x100] ^= 1 // fails its signature: a verdict at once, no fetch
	p0, p1 := write(t, dir, "bad", bad), write(t, dir, "good", gtdata.RawQuoteV5)
	g := blockingGetter{release: make(chan struct{})}
	out := &signalWriter{wrote: make(chan struct{}, 1)}
	var errs strings.Builder
	src := func(yield func(item, bool) bool) error {
		_ = yield(item{path: p0}, false) && yield(item{path: p1}, false)
		return nil
	}
	when, _ := time.Parse(time.RFC3339, at)
	v := verify.New(verify.Options{Time: when, Intel: verify.IntelOptions{PCS: &intel.Client{Getter: g}}})
	go func() {
		select {
		case <-out.wrote:
		case <-time.After(20 * time.Second):
			t.Error("the first verdict was not written while the second waited for its collateral")
		}
		close(g.release)
	}()
	if _, err := audit(v, src, 2, newReporter("json", false, out, &errs), newProgress(&errs, -1), "json", nil, 1<<20); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("%d lines\n%s%s", n, out.String(), errs.String())
	}
}
