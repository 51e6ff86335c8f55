package pyrepr

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/gymkit/gym/internal/pyjson"
)

// Str is Python's repr of a str: single quotes unless the text has a
// single quote and no double quote; backslash and the quote escaped;
// \n \r \t as such; other characters that are not printable as \xXX,
// \uXXXX or \UXXXXXXXX. Invalid UTF-8 reads as U+FFFD.
func Str(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
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
	b.WriteByte(q)
	return b.String()
}

// Float is Python's repr of a float: the shortest decimal that reads back,
// positional for exponents -4..15 with ".0" for integral values (1.0,
// -0.0, 0.0001), otherwise exponential (1e-05, 1e+16); nan, inf, -inf.
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return string(pyjson.AppendFloat(nil, f))
}
