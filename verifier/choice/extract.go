package choice

import (
	"strings"

	"github.com/dlclark/regexp2"

	"github.com/gymkit/gym/internal/pyre"
)

// The patterns are NeMo Gym's (resources_servers/mcqa/app.py), written for
// regexp2 with Python's meaning kept: Python's \s also matches
// U+001C..U+001F, and its \b and \w count letters and numbers of every
// script (\p{L}, \p{N}) and "_" as word characters, where .NET adds
// combining marks and connector punctuation. Python's re.match and
// re.fullmatch become \A and \z anchors.
const (
	pySpace = pyre.Space
	pyB     = pyre.B
)

func mustCompile(expr string, opt regexp2.RegexOptions) *regexp2.Regexp {
	re := regexp2.MustCompile(expr, opt)
	return re
}

var (
	choiceLetterRe     = mustCompile(`(?<![A-Za-z])([A-Za-z])(?![A-Za-z])`, 0)
	boxedLetterOnlyRe  = mustCompile(`\A[^A-Za-z]*([A-Z])[^A-Za-z]*$`, 0)
	boxedLetterLabelRe = mustCompile(`\A`+pySpace+`*([A-Z])`+pySpace+`*[:).\-]`, 0)
	answerColonRe      = mustCompile(`answer`+pySpace+`*:`+pySpace+`*(.+)`, regexp2.IgnoreCase)
	answerPayloadRe    = mustCompile(`[*_]{0,2}Answer[*_]{0,2}`+pySpace+`*:[*_\s\x1c-\x1f]{0,2}(.+)`, regexp2.IgnoreCase|regexp2.Multiline)
	textWrapRe         = mustCompile(`\A\\text\{`+pySpace+`*(.*?)`+pySpace+`*\}\z`, regexp2.Singleline)
	leadingLetterRe    = mustCompile(`\A([a-zA-Z])(?![a-zA-Z0-9])`, 0)
	lastLetterRe       = mustCompile(pyB+`[A-Z]`+pyB+`(?!.*`+pyB+`[A-Z]`+pyB+`)`, regexp2.Singleline)
	listSeparatorRe    = mustCompile(`\A(?:`+pySpace+`*[/|&,;]`+pySpace+`*|`+pySpace+`+(?:or|and)`+pySpace+`+|`+pySpace+`+)\z`, regexp2.IgnoreCase)
)

// group returns capture group n of re's first match in s.
func group(re *regexp2.Regexp, s string, n int) (string, bool) {
	m, err := re.FindStringMatch(s)
	if err != nil || m == nil {
		return "", false
	}
	return m.GroupByNumber(n).String(), true
}

// LastBoxed returns what is inside the last \boxed{...} of text, counting
// braces so that \boxed{\text{E}} gives \text{E}. It reports false when
// text has no \boxed{ or the last one is never closed (an earlier complete
// box is not used then).
func LastBoxed(text string) (string, bool) {
	const marker = `\boxed{`
	start := strings.LastIndex(text, marker)
	if start < 0 {
		return "", false
	}
	rest := text[start+len(marker):]
	depth := 1
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return rest[:i], true
			}
		}
	}
	return "", false
}

// StripText removes \text{...} wrappers around the whole of s, repeatedly,
// with the whitespace just inside them: \text{ \text{E} } gives E.
func StripText(s string) string {
	for strings.HasPrefix(s, `\text{`) {
		inner, ok := group(textWrapRe, s, 1)
		if !ok {
			break
		}
		s = inner
	}
	return s
}

// AnswerColon returns what follows the first "answer:" of text (any case,
// up to the end of its line), as NeMo Gym's lenient_answer_colon reads it.
func AnswerColon(text string) (string, bool) {
	return group(answerColonRe, text, 1)
}

// AnswerPayloads returns what follows every "Answer:" of text, also when
// Markdown emphasis surrounds the word ("**Answer:** B", "__Answer__: B"),
// in order, one per line at most, as NeMo Gym's lenient_answer_colon_md
// reads them (it tries the last first).
func AnswerPayloads(text string) []string {
	var out []string
	m, err := answerPayloadRe.FindStringMatch(text)
	for err == nil && m != nil {
		out = append(out, m.GroupByNumber(1).String())
		m, err = answerPayloadRe.FindNextMatch(m)
	}
	return out
}

// BoxedLetter returns the answer letter of the last \boxed{...} of text, as
// NeMo Gym's strict_single_letter_boxed reads it: the box, with its \text{}
// wrappers removed, holds one capital letter and no other letter ("E",
// "[C]", "(B)"), or starts with a capital letter followed by ":", ")", "."
// or "-" ("E: option text"). The letter must be one of letters.
func BoxedLetter(text string, letters map[string]bool) (string, bool) {
	inner, ok := LastBoxed(text)
	if !ok {
		return "", false
	}
	inner = StripText(pyStrip(inner))
	letter, ok := group(boxedLetterOnlyRe, inner, 1)
	if !ok {
		letter, ok = group(boxedLetterLabelRe, inner, 1)
	}
	if !ok {
		return "", false
	}
	letter = pyUpper(letter)
	if !letters[letter] {
		return "", false
	}
	return letter, true
}

// ChoiceLetter extracts one answer letter from an answer payload (what
// follows "Answer:"), as NeMo Gym's _extract_choice_letter: localized
// letters are normalized, surrounding "*_`.,;:" and spaces stripped; a list
// of distinct letters ("A/B", "A or B", "A, B") is no answer; otherwise the
// payload itself when it is one character, else its leading letter when no
// letter or digit follows it ("B because ..."), else its last standalone
// capital letter. The letter, upper-cased, must be one of letters.
func ChoiceLetter(payload string, letters map[string]bool) (string, bool) {
	candidate := strings.Trim(pyStrip(NormalizeLetters(payload)), "*_` \t\n\r.,;:")
	if ambiguousList(candidate, letters) {
		return "", false
	}
	var letter string
	if runeLen(candidate) == 1 {
		letter = candidate
	} else if l, ok := group(leadingLetterRe, candidate, 1); ok {
		letter = l
	} else if l, ok := group(lastLetterRe, candidate, 0); ok {
		letter = l
	}
	if letter == "" {
		return "", false
	}
	up := pyUpper(letter)
	if !letters[up] {
		return "", false
	}
	return up, true
}

// ambiguousList reports whether text lists two different allowed letters
// next to each other, separated only by "/", "|", "&", ",", ";", "or",
// "and" or spaces.
func ambiguousList(text string, letters map[string]bool) bool {
	type hit struct {
		letter     string
		start, end int // rune offsets
	}
	var hits []hit
	m, err := choiceLetterRe.FindStringMatch(text)
	for err == nil && m != nil {
		g := m.GroupByNumber(1)
		if l := pyUpper(g.String()); letters[l] {
			hits = append(hits, hit{l, g.Index, g.Index + g.Length})
		}
		m, err = choiceLetterRe.FindNextMatch(m)
	}
	if len(hits) < 2 {
		return false
	}
	runes := []rune(text)
	for i := 1; i < len(hits); i++ {
		left, right := hits[i-1], hits[i]
		if left.letter == right.letter {
			continue
		}
		if ok, err := listSeparatorRe.MatchString(string(runes[left.end:right.start])); err == nil && ok {
			return true
		}
	}
	return false
}
