package pyjson

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendString appends s as a JSON string, by the one escaping policy of
// the module: as Python's json.dumps writes strings. Quote and backslash
// are escaped, \b \f \n \r \t as such and other control characters as
// \u00XX; invalid UTF-8 is written as \ufffd, so the output is always
// valid JSON. With ascii (json.dumps's default ensure_ascii, which NeMo
// Gym's Python tools use) every character outside ' '..'~' is written as
// \uXXXX, past the BMP as a surrogate pair; without it (ensure_ascii=False,
// as NeMo Gym's servers write rows) other characters — <, > and & among
// them — are written as they are.
func AppendString[S ~string | ~[]byte](b []byte, s S, ascii bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (c != 0x7f || !ascii) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = appendU(b, rune(c))
			}
			i++
			start = i
			continue
		}
		var r rune
		var size int
		switch v := any(s).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, size = utf8.DecodeRune(v[i:])
		default: // a named type
			r, size = utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		}
		switch {
		case r == utf8.RuneError && size == 1: // invalid UTF-8
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case !ascii:
			i += size
			continue
		case r >= 0x10000:
			b = append(b, s[start:i]...)
			r1, r2 := utf16.EncodeRune(r)
			b = appendU(appendU(b, r1), r2)
		default:
			b = append(b, s[start:i]...)
			b = appendU(b, r)
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
