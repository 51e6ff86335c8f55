package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// pyRepr is Python's repr of a parsed value (objects with sorted keys,
// where Python would keep the document's order).
func pyRepr(v any) string { return ordering(nil).repr(v) }

// repr is pyRepr with objects in their document order, where o knows it.
func (o ordering) repr(v any) string {
	var b strings.Builder
	o.writeRepr(&b, v)
	return b.String()
}

func (o ordering) writeRepr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		b.WriteString(pyStrRepr(v))
	case json.Number:
		b.WriteString(numberRepr(v))
	case float64:
		b.WriteString(pyFloatRepr(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			o.writeRepr(b, x)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range o.keys(v) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(keyRepr(k))
			b.WriteString(": ")
			o.writeRepr(b, v[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v)
	}
}

// keyRepr is the repr of a key, which for the keys YAML and CSV give that
// are not strings (see NonStringKey) is that of the Python value.
func keyRepr(k string) string {
	if strings.HasPrefix(k, nonStringKey) {
		return strings.TrimPrefix(k, nonStringKey)
	}
	return pyStrRepr(k)
}

func numberRepr(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, _ := strconv.ParseFloat(s, 64)
	return pyFloatRepr(f)
}

// pyFloatRepr is Python's repr of a float: the shortest decimal that reads
// back, positional for exponents -4..15, with ".0" for integral values.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	if x < -4 || x >= 16 {
		sign := "+"
		if x < 0 {
			sign, x = "-", -x
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, x)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyStrRepr is Python's repr of a str.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// Repr is Python's repr of a parsed value (see ParseJSON), as error
// messages show values.
func Repr(v any) string { return pyRepr(v) }
