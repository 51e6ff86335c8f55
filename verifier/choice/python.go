package choice

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's str methods, which NeMo Gym's grading is written with, differ
// from Go's strings package in their whitespace (str.isspace also holds for
// the separators U+001C..U+001F) and in full case mapping ("ß".upper() is
// "SS"; Python's lower also turns a word-final capital sigma into ς, which
// pyLower does not).

// specialUpper holds the unconditional one-to-many upper-case mappings of
// Unicode's SpecialCasing that Go's unicode.ToUpper (one rune to one rune)
// lacks, for the Latin, Armenian and ligature letters; Greek iota
// subscripts are left to unicode.ToUpper.
var specialUpper = map[rune]string{
	'ß': "SS", 'ŉ': "ʼN", 'ǰ': "J̌", 'ΐ': "Ϊ́", 'ΰ': "Ϋ́", 'և': "ԵՒ",
	'ẖ': "H̱", 'ẗ': "T̈", 'ẘ': "W̊", 'ẙ': "Y̊", 'ẚ': "Aʾ",
	'ﬀ': "FF", 'ﬁ': "FI", 'ﬂ': "FL", 'ﬃ': "FFI", 'ﬄ': "FFL", 'ﬅ': "ST", 'ﬆ': "ST",
	'ﬓ': "ՄՆ", 'ﬔ': "ՄԵ", 'ﬕ': "ՄԻ", 'ﬖ': "ՎՆ", 'ﬗ': "ՄԽ",
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// pyUpper is Python's str.upper.
func pyUpper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	for _, r := range s {
		if sp, ok := specialUpper[r]; ok {
			b.WriteString(sp)
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// pyLower is Python's str.lower.
func pyLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range s {
		if r == 'İ' { // SpecialCasing: i followed by a combining dot above
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyFields is Python's str.split().
func pyFields(s string) []string { return strings.FieldsFunc(s, pyIsSpace) }

// runeLen is Python's len of a str.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// pyIsAlpha is Python's str.isalpha for a one-character string.
func pyIsAlpha(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n == len(s) && n > 0 && unicode.IsLetter(r)
}

// normalizeForMatch lowercases and collapses whitespace, as NeMo Gym's
// _normalize_for_match.
func normalizeForMatch(s string) string { return strings.Join(pyFields(pyLower(s)), " ") }

// localLetters maps the Arabic, Bengali and full-width answer letters of
// localized benchmarks (MMMLU) to " A".." D", as NeMo Gym's
// _normalize_extracted_answer.
var localLetters = strings.NewReplacer(
	"أ", " A", "ب", " B", "ج", " C", "د", " D",
	"অ", " A", "ব", " B", "ড", " C", "ঢ", " D",
	"Ａ", " A", "Ｂ", " B", "Ｃ", " C", "Ｄ", " D",
)

// NormalizeLetters replaces localized answer letters (Arabic أ ب ج د,
// Bengali অ ব ড ঢ, full-width Ａ..Ｄ) by " A".." D" and strips the result.
func NormalizeLetters(s string) string {
	if !isASCII(s) {
		s = localLetters.Replace(s)
	}
	return pyStrip(s)
}

// Strip removes leading and trailing whitespace as Python's str.strip does
// (which also strips U+001C..U+001F).
func Strip(s string) string { return pyStrip(s) }

// Gold normalizes an expected answer as NeMo Gym's mcqa does: stripped and
// upper-cased.
func Gold(expected string) string { return pyUpper(pyStrip(expected)) }
