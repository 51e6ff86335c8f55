// Package pyjson re-formats JSON the way Python's json.dumps writes it by
// default (", " and ": " separators, non-ASCII escaped as \uXXXX), so that
// tool outputs read exactly as those of NeMo Gym's Python servers.
package pyjson

import (
	"encoding/json"
)

// Format re-formats valid JSON. Whitespace outside strings is replaced by
// Python's separators; strings are re-escaped with ensure_ascii semantics.
func Format(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(src)/8)
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
		case ',':
			out = append(out, ',', ' ')
		case ':':
			out = append(out, ':', ' ')
		case '"':
			end := stringEnd(src, i)
			var s string
			if err := json.Unmarshal(src[i:end], &s); err != nil {
				out = append(out, src[i:end]...)
			} else {
				out = appendString(out, s)
			}
			i = end - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

const hex = "0123456789abcdef"

// appendString writes s as Python's json.dumps(ensure_ascii=True) does.
func appendString(b []byte, s string) []byte { return AppendString(b, s, true) }

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

// Quote returns s as a Python-formatted JSON string.
func Quote(s string) string { return string(appendString(nil, s)) }
