package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// PyError is an exception Python raises while parsing, with its class name
// (JSONDecodeError, ValueError, ...) and message; Error gives
// "Name: message", the form NeMo Gym writes into error_message.
type PyError struct {
	Name    string
	Message string
}

func (e *PyError) Error() string { return e.Name + ": " + e.Message }

// maxIntDigits is Python's default limit on the digits of an int read
// from a string (sys.get_int_max_str_digits).
const maxIntDigits = 4300

// maxDepth bounds the nesting of parsed documents, where Python's
// recursion limit stops it.
const maxDepth = 1000

// ParseJSON parses s as Python's json.loads does, with its error messages
// ("Expecting value: line 1 column 1 (char 0)", positions in code points).
// Objects are map[string]any (a repeated key keeps its last value), arrays
// []any, integers json.Number (Python ints are unbounded), other numbers
// json.Number too, or float64 for NaN, Infinity and -Infinity, which Python
// accepts.
func ParseJSON(s string) (any, error) {
	v, _, err := parseJSON(s, false)
	return v, err
}

// parseJSON is ParseJSON, also returning the order of each object's keys
// when ordered is set.
func parseJSON(s string, ordered bool) (any, ordering, error) {
	if strings.HasPrefix(s, "\ufeff") {
		return nil, nil, jsonError(s, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	p := jsonParser{s: s}
	if ordered {
		p.order = ordering{}
	}
	i := p.ws(0)
	v, end, err := p.value(i, 0)
	if err != nil {
		return nil, nil, err
	}
	if end = p.ws(end); end != len(s) {
		return nil, nil, jsonError(s, "Extra data", end)
	}
	return v, p.order, nil
}

type jsonParser struct {
	s     string
	order ordering // nil unless the key order is wanted
}

// stop is Python's StopIteration from scan_once: no value starts at i.
type stop struct{ at int }

func (stop) Error() string { return "stop" }

func jsonError(s, msg string, pos int) error {
	line := strings.Count(s[:pos], "\n") + 1
	col := utf8.RuneCountInString(s[strings.LastIndexByte(s[:pos], '\n')+1 : pos])
	char := utf8.RuneCountInString(s[:pos])
	return &PyError{Name: "JSONDecodeError", Message: fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col+1, char)}
}

func (p *jsonParser) ws(i int) int {
	for i < len(p.s) {
		switch p.s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// value parses the value at i; a missing value is "Expecting value" at the
// innermost position, as raw_decode reports Python's StopIteration.
func (p *jsonParser) value(i, depth int) (any, int, error) {
	v, end, err := p.scan(i, depth)
	if st, ok := err.(stop); ok {
		return nil, 0, jsonError(p.s, "Expecting value", st.at)
	}
	return v, end, err
}

func (p *jsonParser) scan(i, depth int) (any, int, error) {
	s := p.s
	if i >= len(s) {
		return nil, 0, stop{i}
	}
	if depth > maxDepth {
		return nil, 0, &PyError{Name: "RecursionError", Message: "maximum recursion depth exceeded while decoding a JSON document"}
	}
	switch c := s[i]; {
	case c == '"':
		return p.str(i + 1)
	case c == '{':
		return p.object(i+1, depth+1)
	case c == '[':
		return p.array(i+1, depth+1)
	case strings.HasPrefix(s[i:], "null"):
		return nil, i + 4, nil
	case strings.HasPrefix(s[i:], "true"):
		return true, i + 4, nil
	case strings.HasPrefix(s[i:], "false"):
		return false, i + 5, nil
	case strings.HasPrefix(s[i:], "NaN"):
		return math.NaN(), i + 3, nil
	case strings.HasPrefix(s[i:], "Infinity"):
		return math.Inf(1), i + 8, nil
	case strings.HasPrefix(s[i:], "-Infinity"):
		return math.Inf(-1), i + 9, nil
	}
	return p.number(i)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) number(start int) (any, int, error) {
	s, i := p.s, start
	if s[i] == '-' {
		i++
		if i >= len(s) {
			return nil, 0, stop{start}
		}
	}
	switch {
	case s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	case s[i] == '0':
		i++
	default:
		return nil, 0, stop{start}
	}
	float := false
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		float = true
		for i += 2; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') {
		e := i
		i++
		if i+1 < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		digits := i
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
		if i > digits {
			float = true
		} else {
			i = e
		}
	}
	lit := s[start:i]
	if !float {
		if n := len(strings.TrimPrefix(lit, "-")); n > maxIntDigits {
			return nil, 0, &PyError{Name: "ValueError", Message: fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion: value has %d digits; use sys.set_int_max_str_digits() to increase the limit", maxIntDigits, n)}
		}
		return json.Number(lit), i, nil
	}
	if f, err := strconv.ParseFloat(lit, 64); err != nil && math.IsInf(f, 0) {
		return f, i, nil // Python's float overflows to inf
	}
	return json.Number(lit), i, nil
}

func isHex(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

func hex4(s string) (rune, bool) {
	v, err := strconv.ParseUint(s, 16, 32)
	return rune(v), err == nil
}

// str parses a string whose opening quote is at end-1 (CPython's
// scanstring_unicode).
func (p *jsonParser) str(end int) (any, int, error) {
	s, begin := p.s, end-1
	var b strings.Builder
	for {
		next := end
		for ; next < len(s); next++ {
			c := s[next]
			if c == '"' || c == '\\' {
				break
			}
			if c <= 0x1f {
				return nil, 0, jsonError(s, "Invalid control character at", next)
			}
		}
		if next >= len(s) {
			return nil, 0, jsonError(s, "Unterminated string starting at", begin)
		}
		b.WriteString(s[end:next])
		c := s[next]
		next++
		if c == '"' {
			return b.String(), next, nil
		}
		if next >= len(s) {
			return nil, 0, jsonError(s, "Unterminated string starting at", begin)
		}
		c = s[next]
		if c != 'u' {
			end = next + 1
			esc, ok := map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[c]
			if !ok {
				return nil, 0, jsonError(s, "Invalid \\escape", end-2)
			}
			b.WriteByte(esc)
			continue
		}
		next++
		end = next + 4
		if end >= len(s) {
			return nil, 0, jsonError(s, "Invalid \\uXXXX escape", next-1)
		}
		for k := next; k < end; k++ {
			if !isHex(s[k]) {
				return nil, 0, jsonError(s, "Invalid \\uXXXX escape", end-5)
			}
		}
		r, _ := hex4(s[next:end])
		if utf16.IsSurrogate(r) && r < 0xdc00 && end+6 < len(s) && s[end] == '\\' && s[end+1] == 'u' {
			lo := s[end+2 : end+6]
			for k := 0; k < 4; k++ {
				if !isHex(lo[k]) {
					return nil, 0, jsonError(s, "Invalid \\uXXXX escape", end+1)
				}
			}
			r2, _ := hex4(lo)
			if r2 >= 0xdc00 && r2 <= 0xdfff {
				r = utf16.DecodeRune(r, r2)
				end += 6
			}
		}
		b.WriteRune(r) // a lone surrogate becomes U+FFFD
	}
}

func (p *jsonParser) object(i, depth int) (any, int, error) {
	s := p.s
	obj := map[string]any{}
	i = p.ws(i)
	if i < len(s) && s[i] == '}' {
		return obj, i + 1, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return nil, 0, jsonError(s, "Expecting property name enclosed in double quotes", i)
		}
		k, next, err := p.str(i + 1)
		if err != nil {
			return nil, 0, err
		}
		i = p.ws(next)
		if i >= len(s) || s[i] != ':' {
			return nil, 0, jsonError(s, "Expecting ':' delimiter", i)
		}
		i = p.ws(i + 1)
		v, next, err := p.scan(i, depth)
		if err != nil {
			return nil, 0, err
		}
		if _, dup := obj[k.(string)]; !dup && p.order != nil {
			p.order.add(obj, k.(string))
		}
		obj[k.(string)] = v
		i = p.ws(next)
		if i < len(s) && s[i] == '}' {
			return obj, i + 1, nil
		}
		if i >= len(s) || s[i] != ',' {
			return nil, 0, jsonError(s, "Expecting ',' delimiter", i)
		}
		comma := i
		i = p.ws(i + 1)
		if i < len(s) && s[i] == '}' {
			return nil, 0, jsonError(s, "Illegal trailing comma before end of object", comma)
		}
	}
}

func (p *jsonParser) array(i, depth int) (any, int, error) {
	s := p.s
	arr := []any{}
	i = p.ws(i)
	if i < len(s) && s[i] == ']' {
		return arr, i + 1, nil
	}
	for {
		v, next, err := p.scan(i, depth)
		if err != nil {
			return nil, 0, err
		}
		arr = append(arr, v)
		i = p.ws(next)
		if i < len(s) && s[i] == ']' {
			return arr, i + 1, nil
		}
		if i >= len(s) || s[i] != ',' {
			return nil, 0, jsonError(s, "Expecting ',' delimiter", i)
		}
		comma := i
		i = p.ws(i + 1)
		if i < len(s) && s[i] == ']' {
			return nil, 0, jsonError(s, "Illegal trailing comma before end of array", comma)
		}
	}
}

// ordering records the key order of the objects of a parsed document,
// which Go maps lose and Python dicts keep.
type ordering map[uintptr][]string

func mapID(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

func (o ordering) add(m map[string]any, key string) {
	if o != nil {
		o[mapID(m)] = append(o[mapID(m)], key)
	}
}

// keys returns m's keys in document order (sorted for a map o does not
// know, or when o is nil).
func (o ordering) keys(m map[string]any) []string {
	if ks, ok := o[mapID(m)]; ok && len(ks) == len(m) {
		all := true
		for _, k := range ks {
			if _, ok := m[k]; !ok {
				all = false
				break
			}
		}
		if all {
			return ks
		}
	}
	return slices.Sorted(maps.Keys(m))
}
