package pyjson

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// The two modes write what Python's json.dumps writes with ensure_ascii
// True and False (values from CPython 3.12).
func TestAppendString(t *testing.T) {
	tests := []struct{ in, ascii, utf string }{
		{"plain", `"plain"`, `"plain"`},
		{`q"b\`, `"q\"b\\"`, `"q\"b\\"`},
		{"<b>&", `"<b>&"`, `"<b>&"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`, `"\b\f\n\r\t"`},
		{"\x00\x1f", `"\u0000\u001f"`, `"\u0000\u001f"`},
		{"\x7f", `"\u007f"`, "\"\x7f\""},
		{"é", `"\u00e9"`, `"é"`},
		{"😀", `"\ud83d\ude00"`, `"😀"`},
		{"\u2028", `"\u2028"`, "\"\u2028\""},
		{"a\xffb", `"a\ufffdb"`, `"a\ufffdb"`}, // invalid UTF-8 (no Python str holds it)
	}
	for _, tt := range tests {
		require.Equal(t, tt.ascii, string(AppendString(nil, tt.in, true)), "%q", tt.in)
		require.Equal(t, tt.utf, string(AppendString(nil, tt.in, false)), "%q", tt.in)
		require.Equal(t, tt.utf, string(AppendString(nil, []byte(tt.in), false)), "%q as bytes", tt.in)
		require.Equal(t, "x"+tt.ascii, string(AppendString([]byte("x"), tt.in, true)))
	}
	require.Equal(t, `"\u00e9"`, Quote("é"))
}

// Whatever the input, the output is one JSON string that reads back as the
// input (with invalid UTF-8 replaced).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "é😀\u2028", "\x00\x7f\xff", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ascii := range []bool{true, false} {
			out := AppendString(nil, s, ascii)
			var back string
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("%q (ascii %v) -> %s: %v", s, ascii, out, err)
			}
			if utf8.ValidString(s) && back != s {
				t.Fatalf("%q (ascii %v) -> %s -> %q", s, ascii, out, back)
			}
			if ascii {
				for _, c := range out {
					if c < 0x20 || c >= 0x7f {
						t.Fatalf("%q -> %s: not ASCII", s, out)
					}
				}
			}
		}
	})
}
