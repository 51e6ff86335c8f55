package ifeval

import "testing"

// Python 3.11 syntax in keywords: len(re.findall(pattern, text, re.I)) as
// Python computes it (-1 where re.compile raises).

func TestPythonPatterns(t *testing.T) {
	texts := []string{"c++ and C and cc ccc", "aaab ab b", "ababc abc", "abcd ccd", "xxxy xxy xy", "abab ab", "a aa", "123 45", "aaa", "+++ ++", "xxx", "++", "aab b ab", "a{x}a{x}}"}
	for _, c := range []struct {
		pattern string
		counts  []int
	}{
		{"c++", []int{4, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"C++", []int{4, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"a*+b", []int{0, 3, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 3, 0}},
		{"(ab)++c", []int{0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"[a-c]++d", []int{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"x{2,3}+y", []int{0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"(?P<w>ab)(?P=w)", []int{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"a?+a", []int{0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0}},
		{"\\d++", []int{0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0}},
		{"a++?", []int{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}},
		{"\\++", []int{1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0}},
		{"(?P<n>x)+", []int{0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 2}},
		{"[+]+", []int{1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0}},
		{"a{,2}+b", []int{0, 3, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 3, 0}},
		{"a{x}+", []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}},
	} {
		for i, text := range texts {
			got := -1
			if p, err := compilePattern(c.pattern, true); err == nil {
				if n, err := p.count(newText(text)); err == nil {
					got = n
				}
			}
			if got != c.counts[i] {
				t.Errorf("%q on %q: %d matches, Python finds %d (as .NET: %q)", c.pattern, text, got, c.counts[i], pythonToNET(c.pattern))
			}
		}
	}
}

// FuzzPythonToNET: any pattern is rewritten without a panic, and one with
// nothing to rewrite is left alone.
func FuzzPythonToNET(f *testing.F) {
	f.Add("c++")
	f.Add("(?P<w>a)(?P=w)[+]{,3}+")
	f.Add("\\u12")
	f.Fuzz(func(t *testing.T, expr string) {
		out := pythonToNET(expr)
		if !containsAny(expr, "+", "(?P", "{,") && out != expr {
			t.Fatalf("pythonToNET(%q) = %q", expr, out)
		}
	})
}
