// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ccverify/ccverify/verify"
)

// auditSource yields the items of an audit in order; it stops when yield
// returns false.
type auditSource func(yield func(item) bool) error

// sliceSource yields items expanded from the command line.
func sliceSource(items []item) auditSource {
	return func(yield func(item) bool) error {
		for _, it := range items {
			if !yield(it) {
				return nil
			}
		}
		return nil
	}
}

// listSource yields the paths listed in r, one a line (blank lines and lines
// starting with # skipped), reading them only as the audit needs them: a
// list of a million paths costs no more memory than one of a thousand.
func listSource(r io.Reader) auditSource {
	return func(yield func(item) bool) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			p := strings.TrimSpace(sc.Text())
			if p == "" || strings.HasPrefix(p, "#") {
				continue
			}
			if !yield(item{path: p, tsmDir: verify.IsTSMReportDir(p)}) {
				return nil
			}
		}
		return sc.Err()
	}
}

// job is an item with its place in the audit.
type job struct {
	n  int
	it item
}

// audit verifies the items of src with jobs workers and reports each
// verdict in order as soon as it and those before it are done. At most a
// window of items is in flight or waiting to be printed, and nothing is
// kept of an item once it is reported: memory does not grow with the audit.
func audit(v *verify.Verifier, src auditSource, jobs int, rep *reporter, progress *progress, output string, key *earKey, maxSize int) (int, error) {
	window := 8 * jobs
	in := make(chan job)
	out := make(chan job, window)
	slots := make(chan struct{}, window)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range in {
				verifyItem(v, &j.it, output, key, maxSize)
				progress.done()
				out <- j
			}
		}()
	}
	var srcErr error
	go func() {
		n := 0
		srcErr = src(func(it item) bool {
			slots <- struct{}{}
			in <- job{n, it}
			n++
			return true
		})
		close(in)
		wg.Wait()
		close(out)
	}()
	pending := map[int]item{}
	next := 0
	for j := range out {
		pending[j.n] = j.it
		for {
			it, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			rep.add(&it)
			<-slots
			next++
		}
	}
	progress.finish()
	return rep.finish(), srcErr
}

// reporter prints verdicts as they come and counts them for the summary.
type reporter struct {
	output         string
	verbose        bool
	stdout, stderr io.Writer

	code, total                                               int
	affirming, warning, contra, unavailable, unreadable, skip int
	skippedNames                                              []string // with --verbose only
	dirs                                                      map[string]bool
}

func newReporter(output string, verbose bool, stdout, stderr io.Writer) *reporter {
	return &reporter{output: output, verbose: verbose, stdout: stdout, stderr: stderr, dirs: map[string]bool{}}
}

// add reports one verdict.
func (r *reporter) add(it *item) {
	r.total++
	if len(r.dirs) < 16 {
		d := it.path
		if it.fromDir {
			d = filepath.Dir(it.path)
		}
		r.dirs[d] = true
	}
	if it.skipped() {
		r.skip++
		if r.verbose {
			r.skippedNames = append(r.skippedNames, it.path)
		}
		return
	}
	c := it.exitCode()
	r.code = max(r.code, c)
	switch c {
	case exitAffirming:
		r.affirming++
	case exitWarning:
		r.warning++
	case exitContraindicated:
		r.contra++
	case exitUnavailable:
		r.unavailable++
	default:
		r.unreadable++
	}
	if it.err != nil {
		fmt.Fprintf(r.stderr, "ccverify: %s: %v%s\n", it.path, it.err, hint(it.err))
	}
	if it.output == "" {
		return
	}
	if r.output == "text" {
		fmt.Fprintf(r.stdout, "%s: %s", it.path, it.output)
	} else {
		fmt.Fprintln(r.stdout, it.output)
	}
}

// finish prints the summary and returns the exit status: the highest of
// the items'.
func (r *reporter) finish() int {
	judged := r.total - r.skip
	if judged == 0 {
		dirs := make([]string, 0, len(r.dirs))
		for d := range r.dirs {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		if len(dirs) == 0 {
			dirs = []string{"the list"}
		}
		fmt.Fprintf(r.stderr, "ccverify verify: no evidence in %s (%d file(s) skipped: not evidence)\n", strings.Join(dirs, ", "), r.skip)
		for _, p := range r.skippedNames {
			fmt.Fprintf(r.stderr, "  skipped %s\n", p)
		}
		return exitUsage
	}
	if r.total > 1 || r.output == "text" {
		summary := fmt.Sprintf("%d file(s): %d affirming, %d warning, %d contraindicated or failed", judged, r.affirming, r.warning, r.contra)
		if r.unavailable > 0 {
			summary += fmt.Sprintf(", %d not judged (collateral unavailable)", r.unavailable)
		}
		if r.unreadable > 0 {
			summary += fmt.Sprintf(", %d unreadable or not evidence", r.unreadable)
		}
		if r.skip > 0 {
			summary += fmt.Sprintf(", %d skipped", r.skip)
			if !r.verbose {
				summary += " (--verbose names them)"
			}
		}
		w := r.stdout
		if r.output != "text" {
			w = r.stderr
		}
		fmt.Fprintln(w, summary)
		for _, p := range r.skippedNames {
			fmt.Fprintf(r.stderr, "  skipped %s: not evidence\n", p)
		}
	}
	return r.code
}

// openList opens --from-list's file, or stdin for "-".
func openList(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	return os.Open(path)
}
