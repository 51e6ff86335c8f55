package ifeval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The helpers below reproduce Python's str methods and re classes on
// Unicode text, which the checkers are defined by: Go's strings and regexp
// packages differ on whitespace (Python counts U+001C..U+001F), on word
// characters (Python's \w is every letter and number, not only ASCII) and
// on case.

// isSpace reports whether Python's str.isspace is true for r (and so
// whether re's \s matches it).
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// isWord reports whether re's \w matches r: str.isalnum() or "_".
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pySplit is Python's str.split() with no arguments: runs of whitespace
// separate fields, and there are no empty fields.
func pySplit(s string) []string {
	return strings.FieldsFunc(s, isSpace)
}

// pyStrip is Python's str.strip() with no arguments.
func pyStrip(s string) string { return strings.TrimFunc(s, isSpace) }

// pyLower is Python's str.lower(), as far as Go's case tables reach (Go
// maps rune by rune; Python also has the few multi-rune lowercase forms,
// such as U+0130, which Go maps to a plain "i").
func pyLower(s string) string { return strings.ToLower(s) }

// isLowerCase and isUpperCase are Python's Lowercase and Uppercase
// properties (the Ll and Lu categories plus Other_Lowercase and
// Other_Uppercase).
func isLowerCase(r rune) bool { return unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r) }
func isUpperCase(r rune) bool { return unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r) }

// pyIsUpper is Python's str.isupper(): at least one cased character, and
// no lowercase or titlecase one.
func pyIsUpper(s string) bool {
	cased := false
	for _, r := range s {
		if isLowerCase(r) || unicode.IsTitle(r) {
			return false
		}
		if isUpperCase(r) {
			cased = true
		}
	}
	return cased
}

// pyIsLower is Python's str.islower().
func pyIsLower(s string) bool {
	cased := false
	for _, r := range s {
		if isUpperCase(r) || unicode.IsTitle(r) {
			return false
		}
		if isLowerCase(r) {
			cased = true
		}
	}
	return cased
}

// countWords is instructions_util.count_words: the number of matches of
// \w+ (NLTK's RegexpTokenizer(r"\w+")).
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := isWord(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// words returns the maximal runs of \w characters of s.
func wordRuns(s string, yield func(string) bool) {
	start := -1
	for i, r := range s {
		if isWord(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if !yield(s[start:i]) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		yield(s[start:])
	}
}

// pyIndex resolves a Python sequence index (negative counts from the end)
// into [0, n), reporting false where Python raises IndexError.
func pyIndex(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// pySlice is Python's s[start:end] on code points.
func pySlice(s string, start, end int) string {
	rs := []rune(s)
	n := len(rs)
	clamp := func(i int) int {
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		return i
	}
	a, b := clamp(start), clamp(end)
	if a >= b {
		return ""
	}
	return string(rs[a:b])
}

// removeNonWordSpace is re.sub(r"[^\w\s]", "", s).
func removeNonWordSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if isWord(r) || isSpace(r) {
			return r
		}
		return -1
	}, s)
}

// pySpaceClass is re's \s as a character class for Go's regexp and regexp2.
const pySpaceClass = `\t\n\v\f\r \x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`

// pyFirstField and pyLastField are str.split()[0] and [-1], and whether
// there is a field.
func pyFirstField(s string) (string, bool) {
	s = strings.TrimLeftFunc(s, isSpace)
	if s == "" {
		return "", false
	}
	if i := strings.IndexFunc(s, isSpace); i >= 0 {
		return s[:i], true
	}
	return s, true
}

func pyLastField(s string) (string, bool) {
	s = strings.TrimRightFunc(s, isSpace)
	if s == "" {
		return "", false
	}
	if i := strings.LastIndexFunc(s, isSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		return s[i+size:], true
	}
	return s, true
}
