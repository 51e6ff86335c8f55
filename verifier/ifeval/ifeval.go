package ifeval

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Instruction is one verifiable instruction, built with its arguments.
// It is safe for concurrent use.
type Instruction interface {
	// ID is the instruction's id, such as "detectable_format:title".
	ID() string

	// Check reports whether response follows the instruction. An error
	// is where verifiable_instructions raises while checking (a keyword
	// that is no valid regular expression, a last word asked of an empty
	// response, ...); NeMo Gym counts such an instruction as not followed.
	Check(response string) (bool, error)
}

// ErrUnknownInstruction is wrapped by New's error for an id that is not
// in the registry.
var ErrUnknownInstruction = errors.New("unknown instruction id")

// ErrUnset is wrapped by an *ArgError for an argument that is missing (or
// null, or a value verifiable_instructions treats as missing, such as a
// negative count) where verifiable_instructions would draw it at random,
// which makes its verdict random too. This package does not guess: the
// instruction cannot be built.
var ErrUnset = errors.New("not set (verifiable_instructions would draw it at random)")

// ArgError reports an argument an instruction cannot be built with: one it
// does not take, one of the wrong type or value, or one that is unset.
type ArgError struct {
	ID  string // the instruction id
	Arg string // the argument's name
	Err error
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("ifeval: %s: argument %q: %v", e.ID, e.Arg, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// New builds the instruction id with kwargs, as verifiable_instructions'
// build_description does. kwargs are the decoded JSON arguments (numbers as
// float64, int or json.Number); a nil value is taken as absent, as NeMo
// Gym drops nulls before building.
func New(id string, kwargs map[string]any) (Instruction, error) {
	b, ok := registry[id]
	if !ok {
		return nil, fmt.Errorf("ifeval: %w %q", ErrUnknownInstruction, id)
	}
	a := &args{id: id, m: kwargs}
	for _, name := range slices.Sorted(maps.Keys(kwargs)) {
		if kwargs[name] != nil && !slices.Contains(b.args, name) {
			return nil, &ArgError{ID: id, Arg: name, Err: fmt.Errorf("not an argument of this instruction (it takes %s)", argList(b.args))}
		}
	}
	check := b.build(a)
	if a.err != nil {
		return nil, a.err
	}
	return &instruction{id: id, check: check}, nil
}

func argList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// IDs returns every instruction id New accepts: those of
// verifiable_instructions' INSTRUCTION_DICT, sorted.
func IDs() []string { return slices.Sorted(maps.Keys(registry)) }

// Args returns the names of the arguments instruction id takes, and
// whether id is known.
func Args(id string) ([]string, bool) {
	b, ok := registry[id]
	return slices.Clone(b.args), ok
}

type checkFunc func(response string) (bool, error)

type instruction struct {
	id    string
	check checkFunc
}

func (in *instruction) ID() string                          { return in.id }
func (in *instruction) Check(response string) (bool, error) { return in.check(response) }

type builder struct {
	args  []string
	build func(a *args) checkFunc
}

// args reads an instruction's keyword arguments with Python's notions of
// their types; the first problem is kept in err.
type args struct {
	id  string
	m   map[string]any
	err error
}

func (a *args) fail(name string, err error) {
	if a.err == nil {
		a.err = &ArgError{ID: a.id, Arg: name, Err: err}
	}
}

func (a *args) unset(name string) { a.fail(name, ErrUnset) }

func (a *args) get(name string) (any, bool) {
	v, ok := a.m[name]
	return v, ok && v != nil
}

// str reads a string argument; ok is false when it is absent.
func (a *args) str(name string) (s string, ok bool) {
	v, ok := a.get(name)
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		a.fail(name, fmt.Errorf("want a string, got %s", typeName(v)))
		return "", false
	}
	return s, true
}

// truthyStr reads a string argument that verifiable_instructions tests
// with "if not x": an empty string counts as absent.
func (a *args) truthyStr(name string) (string, bool) {
	s, ok := a.str(name)
	return s, ok && s != ""
}

// requiredStr is a string that must be set (and not empty); unset is
// ErrUnset when verifiable_instructions would draw it, else a plain error.
func (a *args) requiredStr(name string, random bool) string {
	s, ok := a.truthyStr(name)
	if !ok && a.err == nil {
		if random {
			a.unset(name)
		} else {
			a.fail(name, errors.New("must be set"))
		}
	}
	return s
}

// number is a numeric argument: Python compares ints, floats and bools
// alike. integral says whether it is an int (or bool) in Python.
type number struct {
	f        float64
	integral bool
}

func (a *args) num(name string) (number, bool) {
	v, ok := a.get(name)
	if !ok {
		return number{}, false
	}
	switch x := v.(type) {
	case bool:
		if x {
			return number{1, true}, true
		}
		return number{0, true}, true
	case int:
		return number{float64(x), true}, true
	case int64:
		return number{float64(x), true}, true
	case float64:
		return number{x, x == math.Trunc(x) && !math.IsInf(x, 0)}, true
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			a.fail(name, fmt.Errorf("want a number, got %s", x))
			return number{}, false
		}
		return number{f, !strings.ContainsAny(string(x), ".eE")}, true
	}
	a.fail(name, fmt.Errorf("want a number, got %s", typeName(v)))
	return number{}, false
}

// count reads a threshold that verifiable_instructions draws at random when
// it is None or negative ("x is None or x < 0").
func (a *args) count(name string) float64 {
	n, ok := a.num(name)
	if a.err != nil {
		return 0
	}
	if !ok || n.f < 0 {
		a.unset(name)
	}
	return n.f
}

// truthyNum reads a number that verifiable_instructions draws at random
// when it is falsy ("if not x": None or 0).
func (a *args) truthyNum(name string) number {
	n, ok := a.num(name)
	if a.err != nil {
		return n
	}
	if !ok || n.f == 0 {
		a.unset(name)
	}
	return n
}

// index reads a number used as a Python sequence index: an int.
func (a *args) index(name string, n number) int {
	if a.err != nil {
		return 0
	}
	if !n.integral || math.Abs(n.f) > 1<<53 {
		a.fail(name, fmt.Errorf("want an integer index, got %v", n.f))
		return 0
	}
	return int(n.f)
}

// relation reads a comparison relation: "less than" or "at least".
func (a *args) relation(name string) bool {
	s, ok := a.str(name)
	if a.err != nil {
		return false
	}
	switch {
	case !ok:
		a.unset(name)
	case s == relLessThan:
		return true
	case s == relAtLeast:
	default:
		a.fail(name, fmt.Errorf("the supported relation for comparison must be in ('less than', 'at least'), but %s is given", s))
	}
	return false
}

const (
	relLessThan = "less than"
	relAtLeast  = "at least"
)

// strings reads a list of strings, or a string, which Python iterates
// character by character.
func (a *args) strList(name string) ([]string, bool) {
	v, ok := a.get(name)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case string:
		var out []string
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, true
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				a.fail(name, fmt.Errorf("element %d: want a string, got %s", i, typeName(e)))
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	a.fail(name, fmt.Errorf("want a list of strings, got %s", typeName(v)))
	return nil, false
}

// firstStr reads a string, or the first element of a list (the word
// checkers' "if not isinstance(x, str): x[0]").
func (a *args) firstStr(name string) (string, bool) {
	v, ok := a.get(name)
	if !ok {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, s != ""
	}
	l, ok := a.strList(name)
	if !ok {
		return "", false
	}
	if len(l) == 0 {
		return "", false
	}
	return l[0], true
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64, json.Number:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
