package schema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gymkit/gym/internal/pyrepr"
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
		b.WriteString(pyrepr.Str(v))
	case json.Number:
		b.WriteString(numberRepr(v))
	case float64:
		b.WriteString(pyrepr.Float(v))
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
	return pyrepr.Str(k)
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
	return pyrepr.Float(f)
}

// Repr is Python's repr of a parsed value (see ParseJSON), as error
// messages show values.
func Repr(v any) string { return pyRepr(v) }
