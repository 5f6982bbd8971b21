// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

// auditSource yields the items of an audit in order; it stops when yield
// returns false. probe says that whether the item is a configfs-tsm report
// directory is yet to be found out (by the worker that verifies it: the
// stats it takes are not the reading goroutine's work).
type auditSource func(yield func(it item, probe bool) bool) error

// sliceSource yields items expanded from the command line.
func sliceSource(items []item) auditSource {
	return func(yield func(item, bool) bool) error {
		for _, it := range items {
			if !yield(it, false) {
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
	return func(yield func(item, bool) bool) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			p := strings.TrimSpace(sc.Text())
			if p == "" || strings.HasPrefix(p, "#") {
				continue
			}
			if !yield(item{path: p}, true) {
				return nil
			}
		}
		return sc.Err()
	}
}

// flushDelay bounds how long a verdict printed waits in the buffer while
// an item that came before the next ones is still being verified.
const flushDelay = 20 * time.Millisecond

// job is an item of an audit.
type job struct {
	it    item
	probe bool // it.tsmDir is for the worker to set
}

// audit verifies the items of src with jobs workers and reports each
// verdict in order as soon as it and those before it are done. At most a
// window of items is in flight or waiting to be printed, and nothing is
// kept of an item once it is reported: memory does not grow with the audit.
//
// The workers do everything themselves: take the next item from src (a
// pull iterator over it, under one mutex: a list read from a pipe may block
// there), and, once an item is verified, print every verdict that is next
// in order (under another, so that verdicts go out while a worker waits for
// the list). No goroutine waits for another to be scheduled: with a reading
// and a printing goroutine besides the workers, each quote woke both, and
// with every core busy verifying they waited for one (the Go scheduler
// preempts a running goroutine after 10 ms), the window ran dry and the
// workers idled in turn.
func audit(v *verify.Verifier, src auditSource, jobs int, rep *reporter, progress *progress, output string, key *earKey, maxSize int) (int, error) {
	window := int64(8 * jobs)
	var srcErr error
	pull, stop := iter.Pull(func(yield func(job) bool) {
		srcErr = src(func(it item, probe bool) bool { return yield(job{it, probe}) })
	})
	defer stop()
	var (
		srcMu    sync.Mutex // taking: pull, finished, taken's increments
		finished bool       // src has no more
		taken    atomic.Int64
		mu       sync.Mutex          // reporting: next, done
		moved    = sync.NewCond(&mu) // next moved on
		next     int64               // the next to report
		done     = map[int64]item{}  // verified, waiting for those before them
		// Lines printed while an item before the next ones is still in
		// flight (a slow one: a collateral fetch, say) go out within
		// flushDelay; in a steady stream the buffer fills and flushes
		// itself first.
		flushTimer *time.Timer
		armed      bool // the timer will flush
		stopped    bool // the audit is over: the timer flushes no more
	)
	flushLater := func() { // with mu held
		switch {
		case armed || rep.buf.Buffered() == 0:
		case flushTimer == nil:
			armed = true
			flushTimer = time.AfterFunc(flushDelay, func() {
				mu.Lock()
				if !stopped {
					rep.flush()
				}
				armed = false
				mu.Unlock()
			})
		default:
			armed = true
			flushTimer.Reset(flushDelay)
		}
	}
	// With a worker on every P, none of them ever blocks: the GC's mark
	// worker then runs only when the scheduler preempts one (every 10 ms),
	// a mark phase stretches and the heap grows past its goal while it
	// lasts (peak RSS +10–30 %). A yield after each quote gives it its turn;
	// with a P to spare it needs none, and a yield would only move the
	// worker from core to core.
	yield := jobs >= runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			var enc lineEncoder
			for {
				srcMu.Lock()
				if finished {
					srcMu.Unlock()
					return
				}
				mu.Lock()
				for taken.Load()-next >= window { // the item next is in flight: it moves
					moved.Wait()
				}
				mu.Unlock()
				j, ok := pull()
				if !ok {
					finished = true
					srcMu.Unlock()
					return
				}
				n := taken.Add(1) - 1
				srcMu.Unlock()

				enc.verifyItem(v, &j.it, j.probe, output, key, maxSize)
				progress.done()
				if yield {
					runtime.Gosched()
				}

				mu.Lock()
				done[n] = j.it
				if n == next {
					for it, ok := done[next]; ok; it, ok = done[next] {
						delete(done, next)
						rep.add(&it)
						next++
					}
					if next == taken.Load() { // nothing else in flight: let the lines out
						rep.flush()
					} else {
						flushLater()
					}
					moved.Broadcast()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	mu.Lock()
	stopped = true
	if flushTimer != nil {
		flushTimer.Stop()
	}
	mu.Unlock()
	progress.finish()
	code := rep.finish()
	rep.flush()
	return code, srcErr
}

// reporter prints verdicts as they come and counts them for the summary.
// Its standard output is buffered: audit flushes it whenever no further
// verdict is ready, and it is flushed before anything goes to stderr, so
// that the two streams interleave as they did unbuffered.
type reporter struct {
	output         string
	verbose        bool
	stdout, stderr io.Writer
	buf            *bufio.Writer // stdout's

	code, total                                               int
	affirming, warning, contra, unavailable, unreadable, skip int
	skippedNames                                              []string // with --verbose only
	dirs                                                      map[string]bool
}

func newReporter(output string, verbose bool, stdout, stderr io.Writer) *reporter {
	buf := bufio.NewWriterSize(stdout, 64<<10)
	return &reporter{output: output, verbose: verbose, stdout: buf, buf: buf, stderr: stderr, dirs: map[string]bool{}}
}

// flush writes out the buffered verdicts.
func (r *reporter) flush() { r.buf.Flush() }

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
		r.flush()
		fmt.Fprintf(r.stderr, "ccverify: %s: %v%s\n", it.path, it.err, hint(it.err))
	}
	if it.output == "" {
		return
	}
	if r.output == "text" {
		fmt.Fprintf(r.stdout, "%s: %s", it.path, it.output)
	} else { // a line as it is: no formatting to pay for, under the audit's lock
		r.buf.WriteString(it.output)
		r.buf.WriteByte('\n')
	}
}

// finish prints the summary and returns the exit status: the highest of
// the items'.
func (r *reporter) finish() int {
	r.flush()
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

// lineEncoder writes an audit's --output json lines: the bytes render
// writes (Result.EARJSON with "path" spliced in), without reflection. Claim
// values of Go's basic types, []string, []any and map[string]any are
// written with strconv and appends in encoding/json's form (map keys
// sorted, strings escaped as it escapes them); anything else is handed to
// encoding/json, value by value. One per worker: its buffers are reused from
// line to line, and so is the sorted order of the keys of each map (by the
// name of the claim that holds it), as long as a map has exactly the keys
// of the last one of that name.
type lineEncoder struct {
	buf    []byte
	vals   [][]any             // per map depth: the values in key order
	orders map[string][]string // sorted keys, by the claim holding the map ("" the claims)
}

// maxOrders bounds the key orders a lineEncoder remembers.
const maxOrders = 64

// isTSMDir reports whether path is a configfs-tsm report directory: only a
// directory can be one, so a file costs one stat, not IsTSMReportDir's two.
func isTSMDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir() && verify.IsTSMReportDir(path)
}

// verifyItem is verifyItem with a json line written by e: the same reads,
// verification and verdicts, the same bytes out. probe: whether it is a
// configfs-tsm report directory is yet to be found out; for a json line,
// only once it cannot be read as a file (a regular file never is one).
func (e *lineEncoder) verifyItem(v *verify.Verifier, it *item, probe bool, output string, key *earKey, maxSize int) {
	if output != "json" || (key != nil && key.profile != "") { // another EAR profile: render's
		it.tsmDir = it.tsmDir || probe && isTSMDir(it.path)
		verifyItem(v, it, output, key, maxSize)
		return
	}
	if it.tsmDir {
		it.res, it.err = v.EvidenceDir(context.Background(), it.path)
	} else {
		raw, err := readEvidence(it.path, maxSize)
		switch {
		case err != nil && probe && isTSMDir(it.path):
			it.tsmDir = true
			it.res, it.err = v.EvidenceDir(context.Background(), it.path)
		case err != nil:
			it.err = err
			return
		default:
			it.res, it.err = v.Evidence(context.Background(), raw)
		}
	}
	if errors.Is(it.err, verify.ErrFormat) || errors.Is(it.err, verify.ErrTooLarge) {
		return // not evidence: no verdict
	}
	out, err := e.line(it.res, it.path, time.Now().Unix())
	if err != nil { // what the encoder does not know: render's own way
		out, err = render(it.res, it.path, output, key)
	}
	it.output = out
	if err != nil && it.err == nil {
		it.err = err
	}
}

var errSlowPath = errors.New("not encoded by lineEncoder")

// line returns the json line of r for the file at path, with iat as
// EARJSON's iat. errSlowPath: a status EARJSON would reject.
func (e *lineEncoder) line(r *verify.Result, path string, iat int64) (string, error) {
	status, ok := ear.TrustTierToString[r.Status]
	if !ok {
		return "", errSlowPath
	}
	name := string(r.Format)
	if name == "" {
		name = "unknown"
	}
	b := e.buf[:0]
	b = append(b, `{"ear.verifier-id":{"build":`...)
	b = appendJSONString(b, verify.VerifierBuild)
	b = append(b, `,"developer":`...)
	b = appendJSONString(b, verify.VerifierDeveloper)
	b = append(b, '}')
	if len(r.Nonce) > 0 {
		b = append(b, `,"eat_nonce":"`...)
		b = base64.RawURLEncoding.AppendEncode(b, r.Nonce)
		b = append(b, '"')
	}
	b = append(b, `,"eat_profile":`...)
	b = appendJSONString(b, ear.EatProfile)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, iat, 10)
	b = append(b, `,"submods":{`...)
	b = appendJSONString(b, name)
	b = append(b, ':', '{')
	if r.PolicyID != "" {
		b = append(b, `"ear.appraisal-policy-id":`...)
		b = appendJSONString(b, r.PolicyID)
		b = append(b, ',')
	}
	b = append(b, `"ear.status":`...)
	b = appendJSONString(b, status)
	// The vector's claims in the order of their names, zeros too, as
	// ear-go writes them.
	tv := &r.Vector
	for i, c := range [...]struct {
		name string
		v    ear.TrustClaim
	}{{"configuration", tv.Configuration}, {"executables", tv.Executables}, {"file-system", tv.FileSystem},
		{"hardware", tv.Hardware}, {"instance-identity", tv.InstanceIdentity}, {"runtime-opaque", tv.RuntimeOpaque},
		{"sourced-data", tv.SourcedData}, {"storage-opaque", tv.StorageOpaque}} {
		if i == 0 {
			b = append(b, `,"ear.trustworthiness-vector":{`...)
		} else {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, c.name...)
		b = append(b, `":`...)
		b = strconv.AppendInt(b, int64(c.v), 10)
	}
	b = append(b, `},"ear.veraison.annotated-evidence":`...)
	// The claims with verification_time, which EARJSON sets over any claim
	// of that name.
	var when [len(time.RFC3339) + 8]byte
	vt := r.Time.UTC().AppendFormat(when[:0], time.RFC3339)
	var err error
	if b, err = e.appendMap(b, r.Claims, "", 0, "verification_time", vt); err != nil {
		e.buf = b
		return "", err
	}
	b = append(b, `}}`...)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, path)
	b = append(b, '}')
	e.buf = b
	return string(b), nil
}

// appendMap appends m, the map held by the claim named name, as
// encoding/json writes a map[string]any: keys in order, with extraKey (when
// extra is not nil) set to the string extra.
func (e *lineEncoder) appendMap(b []byte, m map[string]any, name string, depth int, extraKey string, extra []byte) ([]byte, error) {
	if m == nil && extra == nil {
		return append(b, "null"...), nil
	}
	for depth >= len(e.vals) {
		e.vals = append(e.vals, nil)
	}
	// The keys in order: the last order for this name when m has exactly
	// its keys (as many, each present), else m's own, sorted.
	n := len(m)
	if _, ok := m[extraKey]; extra != nil && !ok {
		n++
	}
	keys, vals := e.orders[name], e.vals[depth][:0]
	if len(keys) == n {
		for _, k := range keys {
			if extra != nil && k == extraKey {
				vals = append(vals, nil)
				continue
			}
			v, ok := m[k]
			if !ok {
				break
			}
			vals = append(vals, v)
		}
	}
	if len(vals) != n || len(keys) != n {
		keys = make([]string, 0, n)
		for k := range m {
			if extra == nil || k != extraKey {
				keys = append(keys, k)
			}
		}
		if extra != nil {
			keys = append(keys, extraKey)
		}
		slices.Sort(keys)
		vals = vals[:0]
		for _, k := range keys {
			vals = append(vals, m[k])
		}
		if e.orders == nil {
			e.orders = make(map[string][]string)
		}
		if _, ok := e.orders[name]; ok || len(e.orders) < maxOrders {
			e.orders[name] = keys
		}
	}
	e.vals[depth] = vals
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if extra != nil && k == extraKey {
			b = append(b, '"')
			b = append(b, extra...) // an RFC 3339 time: nothing to escape
			b = append(b, '"')
			continue
		}
		var err error
		if b, err = e.appendValue(b, vals[i], k, depth); err != nil {
			return b, err
		}
	}
	clear(vals) // hold on to no claim
	return append(b, '}'), nil
}

// maxDepth bounds the nesting appendValue follows before it hands a value
// to encoding/json.
const maxDepth = 8

// appendValue appends v, the value of the claim named name, as
// encoding/json writes it.
func (e *lineEncoder) appendValue(b []byte, v any, name string, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	case []any:
		if x == nil || depth >= maxDepth {
			break
		}
		b = append(b, '[')
		for i, y := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = e.appendValue(b, y, name, depth+1); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if depth >= maxDepth {
			break
		}
		return e.appendMap(b, x, name, depth+1, "", nil)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendJSONString appends s as a JSON string. Text that encoding/json
// writes as it is (printable ASCII but for ", \, <, > and &) is copied;
// anything else is encoded by encoding/json, so that every escape is its.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain holds the bytes encoding/json writes as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()
