package workplace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/pyrepr"
)

// The tools of NeMo Gym's server are Python functions over pandas
// DataFrames of Python objects, and the model's arguments reach them as
// the Python values json.loads makes. To give the same answers to any
// arguments, the tools here work on the same values:
//
//	None    nil
//	bool    bool
//	int     int64
//	float   float64 (NaN is pandas' missing value)
//	str     string
//	list    []any
//	dict    *dict (string keys, in order)

// dict is a Python dict with string keys, in insertion order.
type dict struct {
	keys []string
	vals []any
}

func (d *dict) set(k string, v any) {
	for i, key := range d.keys {
		if key == k {
			d.vals[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

func (d *dict) get(k string) (any, bool) {
	for i, key := range d.keys {
		if key == k {
			return d.vals[i], true
		}
	}
	return nil, false
}

// pyErr is a Python exception: what str(e) prints.
type pyErr struct{ msg string }

func (e *pyErr) Error() string { return e.msg }

func raise(format string, a ...any) error { return &pyErr{fmt.Sprintf(format, a...)} }

var nan = math.NaN()

func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && f != f
}

// isNA is pandas' isna for an object cell: None or NaN.
func isNA(v any) bool { return v == nil || isNaN(v) }

// decodeJSON turns JSON text into Python values as json.loads does:
// objects keep their key order (a repeated key keeps its first place and
// its last value), integers without a fraction or exponent are ints.
func decodeJSON(data []byte) (any, error) {
	d := &jsonDecoder{b: data}
	d.space()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, fmt.Errorf("extra data at offset %d", d.i)
	}
	return v, nil
}

type jsonDecoder struct {
	b []byte
	i int
}

const maxJSONDepth = 10000

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) fail() error {
	if d.i >= len(d.b) {
		return errors.New("unexpected end of JSON input")
	}
	return fmt.Errorf("invalid character %q at offset %d", d.b[d.i], d.i)
}

func (d *jsonDecoder) literal(word string, v any) (any, error) {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return nil, d.fail()
	}
	d.i += len(word)
	return v, nil
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	if d.i >= len(d.b) {
		return nil, d.fail()
	}
	switch c := d.b[d.i]; {
	case c == '{':
		d.i++
		obj := &dict{}
		d.space()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return obj, nil
		}
		for {
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return nil, d.fail()
			}
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return nil, d.fail()
			}
			d.i++
			d.space()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			obj.set(k, v)
			d.space()
			if d.i < len(d.b) && d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.b) && d.b[d.i] == '}' {
				d.i++
				return obj, nil
			}
			return nil, d.fail()
		}
	case c == '[':
		d.i++
		list := []any{}
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return list, nil
		}
		for {
			d.space()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			d.space()
			if d.i < len(d.b) && d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.b) && d.b[d.i] == ']' {
				d.i++
				return list, nil
			}
			return nil, d.fail()
		}
	case c == '"':
		return d.str()
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", false)
	case c == 'n':
		return d.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, d.fail()
}

func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, d.fail()
	}
	isFloat := false
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		isFloat = true
		if digits() == 0 {
			return nil, d.fail()
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		isFloat = true
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.fail()
		}
	}
	s := string(d.b[start:d.i])
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, err
	}
	return f, nil
}

// str reads a JSON string; encoding/json's decoding of escapes and
// invalid UTF-8 (as U+FFFD) is used for anything but plain text.
func (d *jsonDecoder) str() (string, error) {
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if plain {
				return string(d.b[start+1 : d.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", d.fail()
		case c >= utf8.RuneSelf:
			plain = false
			d.i++
		default:
			d.i++
		}
	}
	return "", d.fail()
}

// typeName is type(v).__name__.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case *dict:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// truthy is Python's bool(v).
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0 // NaN is true
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case *dict:
		return len(x.keys) > 0
	}
	return true
}

// number returns v as a float for Python's numeric comparisons (bool, int
// and float compare by value).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// pyEq is Python's a == b.
func pyEq(a, b any) bool {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		return ok && as == bs
	}
	if ai, ok := a.(int64); ok {
		if bi, ok := b.(int64); ok {
			return ai == bi
		}
	}
	if an, ok := number(a); ok {
		bn, ok := number(b)
		return ok && an == bn
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEq(x[i], y[i]) {
				return false
			}
		}
		return true
	case *dict:
		y, ok := b.(*dict)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for i, k := range x.keys {
			w, ok := y.get(k)
			if !ok || !pyEq(x.vals[i], w) {
				return false
			}
		}
		return true
	}
	return false
}

// hashable reports a TypeError for a list or dict used as a dict key or
// looked up in a set.
func hashable(v any) error {
	switch v.(type) {
	case []any, *dict:
		return raise("unhashable type: '%s'", typeName(v))
	}
	return nil
}

// pyStr is Python's str(v).
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(v).
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pyrepr.Float(x)
	case string:
		return pyrepr.Str(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *dict:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = pyrepr.Str(k) + ": " + pyRepr(x.vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// lower is Python's str.lower.
func lower(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return lowerSlow(s)
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return s
	}
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b)
}

func lowerSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case 'İ': // Python's full lowercase mapping: i + combining dot above
			b.WriteString("i\u0307")
			continue
		case 'Σ': // final sigma: after a letter and not before one
			if i > 0 && unicode.IsLetter(rs[i-1]) && (i+1 == len(rs) || !unicode.IsLetter(rs[i+1])) {
				b.WriteRune('ς')
				continue
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isPySpace is str.isspace for one character, as str.split() uses it.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r)
}

// split is Python's str.split() without arguments.
func split(s string) []string {
	return strings.FieldsFunc(s, isPySpace)
}

// methodOn is a method called on a value: a str method on a non-str raises
// AttributeError as Python does.
func strOf(v any, method string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", raise("'%s' object has no attribute '%s'", typeName(v), method)
	}
	return s, nil
}
