// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package rego

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	"github.com/veraison/ear"

	"github.com/ccverify/ccverify/verify"
)

// ErrCompile reports a policy that cannot be used: it does not parse or
// type-check, is not in package policy, or defines no trust_claims.
var ErrCompile = errors.New("rego: invalid policy")

// DefaultTimeout bounds one evaluation when the caller's context has no
// deadline. A context with a deadline (shorter or longer) is used as given.
const DefaultTimeout = 5 * time.Second

// defaultTimeout is DefaultTimeout, shortened by tests.
var defaultTimeout = DefaultTimeout

// The rules Trustee's attestation service evaluates (broker.rs
// TRUST_CLAIMS_RULE, EXTENSIONS_RULE), and the query that reads both in one
// evaluation: each collected into a list, so that an undefined rule gives
// an empty list instead of an undefined query.
const (
	trustClaimsRule = "data.policy.trust_claims"
	extensionsRule  = "data.policy.extensions"
	query           = "trust_claims := [x | x := " + trustClaimsRule + "]; extensions := [x | x := " + extensionsRule + "]"
)

// QueryReferenceValue is the name of the built-in through which a policy
// reads reference values, as in Trustee.
const QueryReferenceValue = "query_reference_value"

// unsafeBuiltins are OPA built-ins a policy may not call: they reach the
// network or the verifier's environment, which Trustee's Regorus engine
// never offers a policy either.
var unsafeBuiltins = []string{"http.send", "net.lookup_ip_addr", "opa.runtime"}

// trustClaimNames are the AR4SI claims of a trust vector, as Trustee's
// policies name them.
var trustClaimNames = []string{
	"instance-identity", "configuration", "executables", "file-system",
	"hardware", "runtime-opaque", "storage-opaque", "sourced-data",
}

// A Policy is a compiled Trustee appraisal policy. It implements
// [verify.Appraiser] and is safe for concurrent use.
type Policy struct {
	id            string
	hasExtensions bool
	pq            rego.PreparedEvalQuery
}

// Compile compiles a Rego appraisal policy (Rego v1 syntax, as Trustee's
// Regorus engine reads by default). id names the policy: it is the EAR's
// appraisal-policy-id and the file name in error messages. The policy must
// be in package policy and define trust_claims; it may define extensions.
// Errors wrap [ErrCompile] and give the line ("id:3:5: rego_parse_error:
// ...").
func Compile(id string, src []byte) (*Policy, error) {
	return compile(id, id, src)
}

// Load reads and compiles the policy file at path. Its id is the file name
// without ".rego" and without a "_cpu" suffix: Trustee stores the CPU policy
// of policy id P as "P_cpu.rego" (broker.rs runs "<policy-id>_<class>" and
// reports P in the EAR), so "default_cpu.rego" and "default.rego" are both
// policy "default".
func Load(path string) (*Policy, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCompile, err)
	}
	return compile(IDFromPath(path), path, src)
}

// IDFromPath returns the policy id Load gives the file at path.
func IDFromPath(path string) string {
	id := strings.TrimSuffix(filepath.Base(path), ".rego")
	if s, ok := strings.CutSuffix(id, "_cpu"); ok && s != "" {
		id = s
	}
	return id
}

//go:embed policies/default_cpu.rego
var policies embed.FS

var defaultPolicy = sync.OnceValue(func() *Policy {
	src, err := policies.ReadFile("policies/default_cpu.rego")
	if err != nil {
		panic(err)
	}
	p, err := compile("default", "default_cpu.rego", src)
	if err != nil {
		panic(err) // the embedded policy is tested
	}
	return p
})

// Default returns ccverify's default CPU policy, id "default": its own text
// (policies/default_cpu.rego) deciding as Trustee's built-in default CPU
// policy does, with the same rules, trust-claim values, reference-value ids
// and input paths.
func Default() *Policy { return defaultPolicy() }

// DefaultSource returns the text of the default policy.
func DefaultSource() []byte {
	src, _ := policies.ReadFile("policies/default_cpu.rego")
	return src
}

func compile(id, file string, src []byte) (*Policy, error) {
	mod, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, compileErr(file, err)
	}
	if mod == nil {
		return nil, fmt.Errorf("%w: %s: empty policy", ErrCompile, file)
	}
	if got := mod.Package.Path.String(); got != "data.policy" {
		row := 0
		if mod.Package.Location != nil {
			row = mod.Package.Location.Row
		}
		return nil, fmt.Errorf("%w: %s:%d: package %s, want package policy", ErrCompile, file,
			row, strings.TrimPrefix(got, "data."))
	}
	p := &Policy{id: id}
	hasClaims := false
	for _, r := range mod.Rules {
		switch r.Head.Ref()[0].String() {
		case "trust_claims":
			hasClaims = true
		case "extensions":
			p.hasExtensions = true
		}
	}
	if !hasClaims {
		return nil, fmt.Errorf("%w: %s: no rule trust_claims", ErrCompile, file)
	}
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool {
		return slices.Contains(unsafeBuiltins, b.Name)
	})
	caps.AllowNet = []string{}
	r := rego.New(
		rego.Query(query),
		rego.ParsedModule(mod),
		rego.SetRegoVersion(ast.RegoV1),
		rego.Capabilities(caps),
		rego.Function1(&rego.Function{
			Name:        QueryReferenceValue,
			Description: "the reference values stored under id, or null",
			Decl: types.NewFunction(
				types.Args(types.Named("id", types.S).Description("reference value id")),
				types.Named("values", types.A).Description("the stored values, or null"),
			),
			Memoize:          false,
			Nondeterministic: false,
		}, queryReferenceValue),
	)
	pq, err := r.PrepareForEval(context.Background())
	if err != nil {
		return nil, compileErr(file, err)
	}
	p.pq = pq
	return p, nil
}

// compileErr formats OPA's errors as "file:row:col: code: message".
func compileErr(file string, err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return fmt.Errorf("%w: %s: %v", ErrCompile, file, err)
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := file
		if e.Location != nil {
			f := e.Location.File
			if f == "" {
				f = file
			}
			loc = fmt.Sprintf("%s:%d:%d", f, e.Location.Row, e.Location.Col)
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s: %s", loc, e.Code, e.Message))
	}
	return fmt.Errorf("%w: %s", ErrCompile, strings.Join(msgs, "; "))
}

// PolicyID returns the policy's id, the EAR's appraisal-policy-id.
func (p *Policy) PolicyID() string { return p.id }

type rvKey struct{}

// queryReferenceValue is the query_reference_value built-in: rv.Query(id),
// null when rv is nil or has nothing under id.
func queryReferenceValue(bctx rego.BuiltinContext, op *ast.Term) (*ast.Term, error) {
	s, ok := op.Value.(ast.String)
	if !ok {
		// Trustee's extension fails the evaluation on a non-string id.
		return nil, rego.NewHaltError(fmt.Errorf("id must be a string, got %s", ast.ValueName(op.Value)))
	}
	rv, _ := bctx.Context.Value(rvKey{}).(verify.ReferenceValues)
	if rv == nil {
		return ast.NullTerm(), nil
	}
	v, found := rv.Query(string(s))
	if !found || v == nil {
		return ast.NullTerm(), nil
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, rego.NewHaltError(fmt.Errorf("reference value %q: %w", string(s), err))
	}
	return ast.NewTerm(val), nil
}

// Appraise evaluates the policy's trust_claims and extensions on input (the
// annotated evidence, see the package documentation), with rv answering
// query_reference_value (a nil rv answers null to every id). It runs under
// ctx, or under [DefaultTimeout] when ctx has no deadline. Errors wrap
// [verify.ErrAppraiser] (and ctx's error when the evaluation was cut off).
func (p *Policy) Appraise(ctx context.Context, input map[string]any, rv verify.ReferenceValues) (*verify.Appraisal, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	if input == nil {
		input = map[string]any{}
	}
	rs, err := p.pq.Eval(context.WithValue(ctx, rvKey{}, rv), rego.EvalInput(input))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("%w: policy %s: evaluation stopped: %w", verify.ErrAppraiser, p.id, cerr)
		}
		return nil, fmt.Errorf("%w: policy %s: %v", verify.ErrAppraiser, p.id, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%w: policy %s: %d results", verify.ErrAppraiser, p.id, len(rs))
	}
	b := rs[0].Bindings
	claims, _ := b["trust_claims"].([]any)
	if len(claims) == 0 {
		return nil, fmt.Errorf("%w: policy %s: trust_claims is undefined", verify.ErrAppraiser, p.id)
	}
	vec, err := trustVector(claims[0])
	if err != nil {
		return nil, fmt.Errorf("%w: policy %s: %v", verify.ErrAppraiser, p.id, err)
	}
	a := &verify.Appraisal{Vector: vec}
	if p.hasExtensions {
		exts, _ := b["extensions"].([]any)
		if len(exts) == 0 {
			return nil, fmt.Errorf("%w: policy %s: extensions is undefined", verify.ErrAppraiser, p.id)
		}
		if a.Extensions, err = extensions(exts[0]); err != nil {
			return nil, fmt.Errorf("%w: policy %s: %v", verify.ErrAppraiser, p.id, err)
		}
	}
	return a, nil
}

// trustVector converts trust_claims: an object of AR4SI claim names to
// integers in -128..127; a claim it does not name is 0.
func trustVector(v any) (ear.TrustVector, error) {
	var tv ear.TrustVector
	m, ok := v.(map[string]any)
	if !ok {
		return tv, fmt.Errorf("trust_claims is not an object (%T)", v)
	}
	if len(m) == 0 {
		// Trustee: "At least one policy claim must be set."
		return tv, errors.New("trust_claims sets no claim")
	}
	for name, x := range m {
		if !slices.Contains(trustClaimNames, name) {
			return tv, fmt.Errorf("trust_claims: %q is not an AR4SI trust claim", name)
		}
		n, ok := integer(x)
		if !ok {
			return tv, fmt.Errorf("trust claim %s: %v is not an integer", name, x)
		}
		if n < math.MinInt8 || n > math.MaxInt8 {
			return tv, fmt.Errorf("trust claim %s: %d is outside -128..127", name, n)
		}
		c := ear.TrustClaim(n)
		switch name {
		case "instance-identity":
			tv.InstanceIdentity = c
		case "configuration":
			tv.Configuration = c
		case "executables":
			tv.Executables = c
		case "file-system":
			tv.FileSystem = c
		case "hardware":
			tv.Hardware = c
		case "runtime-opaque":
			tv.RuntimeOpaque = c
		case "storage-opaque":
			tv.StorageOpaque = c
		case "sourced-data":
			tv.SourcedData = c
		}
	}
	return tv, nil
}

// integer returns an integral number (OPA gives json.Number; 2.0 counts).
func integer(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f > math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// extensions converts Trustee's extension list, [{"name", "key", "value"}],
// to a map of name to value. Names must be unique, keys integers.
func extensions(v any) (map[string]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("extensions is not a list (%T)", v)
	}
	out := make(map[string]any, len(list))
	keys := map[int64]string{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("extension %d is not an object", i)
		}
		name, ok := m["name"].(string)
		if !ok || name == "" {
			return nil, fmt.Errorf("extension %d: name is not a string", i)
		}
		key, ok := integer(m["key"])
		if !ok || key < math.MinInt32 || key > math.MaxInt32 {
			return nil, fmt.Errorf("extension %s: key %v is not a 32-bit integer", name, m["key"])
		}
		value, ok := m["value"]
		if !ok {
			return nil, fmt.Errorf("extension %s: no value", name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("extension %s: given twice", name)
		}
		if other, dup := keys[key]; dup {
			return nil, fmt.Errorf("extension %s: key %d is also %s's", name, key, other)
		}
		keys[key] = name
		out[name] = plain(value)
	}
	return out, nil
}

// plain replaces OPA's json.Number by int64 (integral) or float64.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	}
	return v
}

var _ verify.Appraiser = (*Policy)(nil)
