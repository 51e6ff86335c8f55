package schema

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/gymkit/gym/internal/pyre"
)

// Schema is a JSON Schema as NeMo Gym's structured_outputs checks against
// it: parsed, made strict (Strictify), and compiled the way
// openapi-schema-validator 0.6.3's validate() uses it: the OpenAPI 3.1
// dialect, which is JSON Schema draft 2020-12 (the schema's own $schema is
// not consulted, as the validator class is fixed), with "format" an
// annotation only (no format checker is passed), and "pattern" a Python
// regular expression found anywhere in the string (re.search).
type Schema struct {
	tree  any      // the strictified schema
	order ordering // its objects' key order
	sch   *jsonschema.Schema
	err   error // the schema is invalid: every Validate fails with it
}

// SchemaError is a schema_str that is not JSON, as NeMo Gym reports it in
// error_message (without the exception's name).
type SchemaError struct{ Err *PyError }

func (e *SchemaError) Error() string { return e.Err.Message }
func (e *SchemaError) Unwrap() error { return e.Err }

// Compile parses and strictifies schemaStr. It fails with a *SchemaError
// if schemaStr is not JSON, and with a *PyError (TypeError) where
// Strictify does. A schema that is JSON but not a valid schema compiles:
// Validate then fails with a Python SchemaError, as NeMo Gym's validate
// does (it checks the schema first).
func Compile(schemaStr string) (*Schema, error) {
	tree, order, err := parseJSON(schemaStr, true)
	if err != nil {
		var pe *PyError
		if errors.As(err, &pe) {
			return nil, &SchemaError{Err: pe}
		}
		return nil, err
	}
	if err := order.strictify(tree); err != nil {
		return nil, err
	}
	s := &Schema{tree: tree, order: order}
	s.sch, s.err = compile(tree)
	return s, nil
}

// Tree returns the strictified schema (maps, lists, json.Number, ...),
// which must not be changed.
func (s *Schema) Tree() any { return s.tree }

func compile(tree any) (*jsonschema.Schema, error) {
	doc := tree
	if m, ok := tree.(map[string]any); ok {
		if _, ok := m["$schema"]; ok {
			m = shallowCopy(m)
			delete(m, "$schema")
			doc = m
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseRegexpEngine(pythonRegexp)
	c.UseLoader(noLoader{})
	const loc = "urn:gym:structured-output-schema"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, &PyError{Name: "SchemaError", Message: err.Error()}
	}
	sch, err := c.Compile(loc)
	if err != nil {
		return nil, &PyError{Name: "SchemaError", Message: schemaErrorMessage(err, doc)}
	}
	return sch, nil
}

func shallowCopy(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// noLoader refuses remote references: NeMo Gym's validator does not fetch
// them either (they fail to resolve).
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("unresolvable reference %s", url)
}

type pyRegexp struct {
	src string
	re  *regexp2.Regexp
}

func (r pyRegexp) String() string { return r.src }
func (r pyRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return err == nil && ok
}

func pythonRegexp(s string) (jsonschema.Regexp, error) {
	re, err := pyre.Compile(s, 0)
	if err != nil {
		return nil, err
	}
	return pyRegexp{s, re}, nil
}

func schemaErrorMessage(err error, doc any) string {
	var ve *jsonschema.ValidationError
	var se *jsonschema.SchemaValidationError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	if errors.As(err, &ve) {
		// The document validated against the meta-schema is the schema.
		meta := &Schema{}
		return meta.message(meta.bestLeaf(ve), doc, nil)
	}
	return err.Error()
}

// Validate validates v (a parsed document: maps, lists, json.Number,
// float64, strings, booleans, nil). The error is a *PyError named
// ValidationError (or SchemaError for an invalid schema) whose message is
// jsonschema's for the error its best_match picks: the one nearest the
// document's root.
func (s *Schema) Validate(v any) error { return s.validate(v, nil) }

// validate is Validate, with the key order of v's objects for messages.
func (s *Schema) validate(v any, order ordering) error {
	if s.err != nil {
		return s.err
	}
	err := s.sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return &PyError{Name: "ValidationError", Message: err.Error()}
	}
	leaf := s.bestLeaf(ve)
	return &PyError{Name: "ValidationError", Message: s.verbose(leaf, v, order)}
}

// verbose is str() of jsonschema's ValidationError: the message, then the
// keyword, the schema holding it and the instance, pretty-printed.
func (s *Schema) verbose(e *jsonschema.ValidationError, v any, order ordering) string {
	msg := s.message(e, v, order)
	kw := keyword(e)
	if len(kw) == 0 || e.ErrorKind == nil || len(e.ErrorKind.KeywordPath()) == 0 {
		return msg
	}
	sub, schemaPath, ok := walk(s.tree, kw[:len(kw)-1])
	if !ok {
		return msg
	}
	inst, instPath, ok := walk(v, e.InstanceLocation)
	if !ok {
		return msg
	}
	index := func(container string, idx []string) string {
		if len(idx) == 0 {
			return container
		}
		return container + "[" + strings.Join(idx, "][") + "]"
	}
	pretty := func(o ordering, x any) string {
		return strings.ReplaceAll(o.pformat(x), "\n", "\n    ")
	}
	return msg + "\n\nFailed validating " + pyStrRepr(kw[len(kw)-1]) + " in " + index("schema", schemaPath) + ":\n    " +
		pretty(s.order, sub) + "\n\nOn " + index("instance", instPath) + ":\n    " + pretty(order, inst)
}

// bestLeaf picks the error Python's best_match would report: among the
// leaves of the error tree, one with the shortest instance path, and of
// those the one whose keyword comes first in the schema (jsonschema
// iterates a schema's keywords in order).
func (s *Schema) bestLeaf(ve *jsonschema.ValidationError) *jsonschema.ValidationError {
	var leaves []*jsonschema.ValidationError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	best, bestPos := leaves[0], s.position(leaves[0])
	for _, l := range leaves[1:] {
		switch {
		case len(l.InstanceLocation) < len(best.InstanceLocation):
		case len(l.InstanceLocation) > len(best.InstanceLocation):
			continue
		default:
			// jsonschema's relevance then prefers the greater path (max of
			// error.path), then the first error: the earlier keyword.
			if c := comparePaths(l.InstanceLocation, best.InstanceLocation); c < 0 {
				continue
			} else if c == 0 {
				if pos := s.position(l); slices.Compare(pos, bestPos) < 0 {
					best, bestPos = l, pos
				}
				continue
			}
		}
		best, bestPos = l, s.position(l)
	}
	return best
}

// walk follows a JSON pointer's tokens from v and returns the value there
// and the path as Python indexes it (keys quoted, list positions numbers).
func walk(v any, toks []string) (any, []string, bool) {
	path := make([]string, 0, len(toks))
	for _, tok := range toks {
		switch c := v.(type) {
		case map[string]any:
			path = append(path, keyRepr(tok))
			v = c[tok]
		case []any:
			path = append(path, tok)
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(c) {
				v = c[i]
			}
		default:
			return nil, nil, false
		}
	}
	return v, path, true
}

// comparePaths compares instance paths as Python compares their deques:
// array indices as numbers, keys as strings.
func comparePaths(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		x, errx := strconv.Atoi(a[i])
		y, erry := strconv.Atoi(b[i])
		if errx == nil && erry == nil {
			return cmp.Compare(x, y)
		}
		return strings.Compare(a[i], b[i])
	}
	return cmp.Compare(len(a), len(b))
}

// keyword returns the path of the error's keyword in the schema.
func keyword(e *jsonschema.ValidationError) []string {
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	var toks []string
	for _, t := range strings.Split(frag, "/") {
		if t != "" {
			toks = append(toks, strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~"))
		}
	}
	if e.ErrorKind != nil {
		toks = append(toks, e.ErrorKind.KeywordPath()...)
	}
	return toks
}

// position is the place of the error's keyword in the schema, as the
// index of each step among its siblings in document order.
func (s *Schema) position(e *jsonschema.ValidationError) []int {
	var pos []int
	v := s.tree
	for _, tok := range keyword(e) {
		switch c := v.(type) {
		case map[string]any:
			i := slices.Index(s.order.keys(c), tok)
			pos = append(pos, i)
			v = c[tok]
		case []any:
			i := 0
			fmt.Sscanf(tok, "%d", &i)
			pos = append(pos, i)
			if i >= 0 && i < len(c) {
				v = c[i]
			}
		default:
			return pos
		}
	}
	return pos
}

// at returns the schema value at the error's keyword.
func (s *Schema) at(e *jsonschema.ValidationError) any { return at(s.tree, keyword(e)) }

// at returns the value at a location of v.
func at(v any, loc []string) any {
	for _, tok := range loc {
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i := 0
			fmt.Sscanf(tok, "%d", &i)
			if i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// message is jsonschema's (Python's) message for the error e on document v.
func (s *Schema) message(e *jsonschema.ValidationError, v any, order ordering) string {
	inst := at(v, e.InstanceLocation)
	r := func(x any) string { return order.repr(x) }
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if len(k.Missing) > 0 {
			return r(k.Missing[0]) + " is a required property"
		}
	case *kind.AdditionalProperties:
		extras := slices.Clone(k.Properties)
		str := func(k string) string { // Python's str of the key
			if strings.HasPrefix(k, nonStringKey) {
				return strings.TrimPrefix(k, nonStringKey)
			}
			return k
		}
		sort.Slice(extras, func(i, j int) bool { return str(extras[i]) < str(extras[j]) })
		parts := make([]string, len(extras))
		for i, x := range extras {
			parts[i] = keyRepr(x)
		}
		verb := "were"
		if len(extras) == 1 {
			verb = "was"
		}
		return fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(parts, ", "), verb)
	case *kind.Type:
		var want []string
		var declared any
		if s.tree != nil {
			declared = s.at(e)
		}
		switch t := declared.(type) {
		case []any:
			for _, x := range t {
				want = append(want, r(x))
			}
		case string:
			want = []string{r(t)}
		default:
			for _, x := range k.Want {
				want = append(want, r(x))
			}
		}
		return fmt.Sprintf("%s is not of type %s", r(inst), strings.Join(want, ", "))
	case *kind.Enum:
		return fmt.Sprintf("%s is not one of %s", r(inst), r(k.Want))
	case *kind.Const:
		return fmt.Sprintf("%s was expected", r(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("%s is less than the minimum of %s", r(inst), ratRepr(k.Want))
	case *kind.Maximum:
		return fmt.Sprintf("%s is greater than the maximum of %s", r(inst), ratRepr(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("%s is less than or equal to the minimum of %s", r(inst), ratRepr(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("%s is greater than or equal to the maximum of %s", r(inst), ratRepr(k.Want))
	case *kind.MinItems:
		return r(inst) + pick(k.Want == 1, " should be non-empty", " is too short")
	case *kind.MaxItems:
		return r(inst) + pick(k.Want == 0, " is expected to be empty", " is too long")
	case *kind.MinLength:
		return r(inst) + pick(k.Want == 1, " should be non-empty", " is too short")
	case *kind.MaxLength:
		return r(inst) + pick(k.Want == 0, " is expected to be empty", " is too long")
	case *kind.MinProperties:
		return r(inst) + pick(k.Want == 1, " should be non-empty", " does not have enough properties")
	case *kind.MaxProperties:
		return r(inst) + pick(k.Want == 0, " is expected to be empty", " has too many properties")
	case *kind.Pattern:
		return fmt.Sprintf("%s does not match %s", r(inst), r(k.Want))
	case *kind.UniqueItems:
		return r(inst) + " has non-unique elements"
	case *kind.FalseSchema:
		return "False schema does not allow " + r(inst)
	case *kind.AnyOf:
		return r(inst) + " is not valid under any of the given schemas"
	case *kind.OneOf:
		if len(k.Subschemas) == 0 {
			return r(inst) + " is not valid under any of the given schemas"
		}
		return r(inst) + " is valid under each of the given schemas"
	case *kind.InvalidJsonValue:
		return fmt.Sprintf("%v is not a JSON value", k.Value)
	}
	return e.Error()
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func ratRepr(r *big.Rat) string {
	if r == nil {
		return "None"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return pyFloatRepr(f)
}

// cache holds compiled schemas by their text: a dataset's rows are
// collected several times each (num_repeats), and verified with the same
// schema every time.
type cache struct {
	mu sync.Mutex
	m  map[string]compiled
}

type compiled struct {
	s   *Schema
	err error
}

const cacheSize = 4096

func (c *cache) compile(schemaStr string) (*Schema, error) {
	c.mu.Lock()
	if e, ok := c.m[schemaStr]; ok {
		c.mu.Unlock()
		return e.s, e.err
	}
	c.mu.Unlock()
	s, err := Compile(schemaStr)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[string]compiled)
	}
	c.m[schemaStr] = compiled{s, err}
	c.mu.Unlock()
	return s, err
}
