package pyjson

import (
	"encoding/json"
	"strconv"
	"strings"
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

func TestFitsFloat64(t *testing.T) {
	for num, want := range map[string]bool{
		"0": true, "-0.0": true, "0e99999": true, "1": true, "-3.4570634852570947e-05": true, "-0.12345678901234567": true,
		"1e308": true, "1.7976931348623157e308": true, "1.7976931348623159e308": false, "1.8e308": false, "1e309": false,
		"-1e400": false, "0.5e309": false, "0.05e309": true, "0.000001e310": true, "123e306": true, "1234e306": false, "12e306": true, "1e-400": true,
		"1e+0000000000000000000000308": true, "1e99999999999999999999": false,
	} {
		require.Equal(t, want, FitsFloat64([]byte(num)), num)
	}
	// The largest float64 written out in 309 digits fits; ten times it does not.
	require.True(t, FitsFloat64([]byte("17976931348623157"+strings.Repeat("0", 292))))
	require.False(t, FitsFloat64([]byte("17976931348623157"+strings.Repeat("0", 293))))
}

func FuzzFitsFloat64(f *testing.F) {
	for _, s := range []string{"1e308", "1.8e308", "0.0001e312", "-12.5e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end, ok := NumberEnd([]byte(s), 0)
		if !ok || end != len(s) {
			return
		}
		_, err := strconv.ParseFloat(s, 64)
		if got := FitsFloat64([]byte(s)); got != (err == nil) {
			t.Fatalf("FitsFloat64(%s) = %v, ParseFloat: %v", s, got, err)
		}
	})
}
