package pyrepr

import (
	"fmt"
	"math"
	"testing"
	"unicode/utf8"
)

func TestStr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `''`},
		{"abc", `'abc'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{`say "hi"`, `'say "hi"'`},
		{`a\b`, `'a\\b'`},
		{"a\nb\rc\td", `'a\nb\rc\td'`},
		{"\x00\x1f\x7f", `'\x00\x1f\x7f'`},
		{"\u0085\u00a0é", `'\x85\xa0é'`},
		{"\u2028日本", `'\u2028日本'`},
		{"\U000e0001", `'\U000e0001'`},
		{"😀", `'😀'`},
		{"a\xffb", "'a\ufffdb'"},
	} {
		if got := Str(c.in); got != c.want {
			t.Errorf("Str(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFloat(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{0.5, "0.5"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.5e300, "1.5e+300"},
		{0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "nan"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
	} {
		if got := Float(c.in); got != c.want {
			t.Errorf("Float(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func FuzzStr(f *testing.F) {
	for _, s := range []string{"", "it's", `"'`, "\x00\u2028\U000e0001", "a\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Str(s)
		if len(r) < 2 || r[0] != r[len(r)-1] || (r[0] != '\'' && r[0] != '"') {
			t.Fatalf("Str(%q) = %s: not quoted", s, r)
		}
		if !utf8.ValidString(r) {
			t.Fatalf("Str(%q) = %q: not valid UTF-8", s, r)
		}
	})
}

func ExampleStr() {
	fmt.Println(Str("it's"))
	fmt.Println(Str("tab\there"))
	// Output:
	// "it's"
	// 'tab\there'
}

func ExampleFloat() {
	fmt.Println(Float(1), Float(1e16), Float(1e-5))
	// Output: 1.0 1e+16 1e-05
}
