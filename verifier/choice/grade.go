package choice

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dlclark/regexp2"

	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/internal/pyre"
)

// Mode is a grading mode of NeMo Gym's mcqa environment: how the answer
// letter is read from a response.
type Mode string

// The grading modes.
const (
	// StrictBoxed reads the letter of the last \boxed{...} (BoxedLetter).
	StrictBoxed Mode = "strict_single_letter_boxed"
	// LenientBoxed is StrictBoxed, then, failing that, the one option
	// whose text the last box contains.
	LenientBoxed Mode = "lenient_boxed"
	// LenientAnswerColon reads the first "Answer: X" line: a single letter or
	// exactly the text of an option.
	LenientAnswerColon Mode = "lenient_answer_colon"
	// LenientAnswerColonMD reads the last Markdown-aware "Answer:" payload that
	// holds one letter (ChoiceLetter), trying earlier ones if it does not.
	LenientAnswerColonMD Mode = "lenient_answer_colon_md"
)

// Modes lists every grading mode.
var Modes = []Mode{StrictBoxed, LenientBoxed, LenientAnswerColon, LenientAnswerColonMD}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool {
	switch m {
	case StrictBoxed, LenientBoxed, LenientAnswerColon, LenientAnswerColonMD:
		return true
	}
	return false
}

// Option is one key of an entry of a question's options: {"A": "text"}
// gives the Option {Key: "A", Text: "text"}. A null text is kept as nil.
type Option struct {
	Key  string
	Text *string
}

// Options are a question's options in dataset order: every key of every
// entry of NeMo Gym's options field (a list of one-key objects).
type Options []Option

// ParseOptions parses an options field: a list of objects whose values are
// strings or null. null (no options) gives none.
func ParseOptions(raw []byte) (Options, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var out Options
	i := 0
	err := jsonscan.Array(raw, func(entry []byte) error {
		err := jsonscan.Object(entry, func(key string, v []byte) error {
			opt := Option{Key: key}
			if string(v) != "null" {
				s, ok := jsonscan.String(v)
				if !ok {
					return fmt.Errorf("[%d].%s: want a string or null, got %.40s", i, key, v)
				}
				opt.Text = &s
			}
			out = append(out, opt)
			return nil
		})
		i++
		if errors.Is(err, jsonscan.ErrSyntax) {
			return errNotOptions
		}
		return err
	})
	if errors.Is(err, jsonscan.ErrSyntax) {
		err = errNotOptions
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

var errNotOptions = errors.New("want a list of objects such as {\"A\": \"option text\"}")

// Letters returns the answer letters the options allow: the upper-cased
// keys that are one letter and have a text.
func (o Options) Letters() map[string]bool {
	letters := make(map[string]bool, len(o))
	for _, opt := range o {
		if opt.Text != nil && pyIsAlpha(opt.Key) {
			letters[pyUpper(opt.Key)] = true
		}
	}
	return letters
}

// Extract reads the answer letter of text under mode; "" means no answer.
// It fails only where NeMo Gym's server fails: in LenientAnswerColon mode, when
// an allowed letter's option text is null and the answer must be compared
// with it.
func Extract(text string, mode Mode, opts Options) (string, error) {
	letters := opts.Letters()
	switch mode {
	case StrictBoxed:
		l, _ := BoxedLetter(text, letters)
		return l, nil
	case LenientBoxed:
		if l, ok := BoxedLetter(text, letters); ok {
			return l, nil
		}
		return matchOptionText(text, opts, letters), nil
	case LenientAnswerColon:
		return answerColon(text, opts, letters)
	case LenientAnswerColonMD:
		payloads := AnswerPayloads(text)
		for i := len(payloads) - 1; i >= 0; i-- {
			if l, ok := ChoiceLetter(payloads[i], letters); ok {
				return l, nil
			}
		}
		return "", nil
	}
	return "", fmt.Errorf("choice: unknown grading mode %q (want one of %v)", mode, Modes)
}

func answerColon(text string, opts Options, letters map[string]bool) (string, error) {
	payload, ok := AnswerColon(text)
	if !ok {
		return "", nil
	}
	candidate := pyStrip(StripText(payload))
	if runeLen(candidate) == 1 && pyIsAlpha(candidate) {
		if up := pyUpper(candidate); letters[up] {
			return up, nil
		}
	}
	norm := normalizeForMatch(candidate)
	for _, opt := range opts {
		up := pyUpper(opt.Key)
		if !letters[up] {
			continue
		}
		if opt.Text == nil {
			return "", fmt.Errorf("choice: option %q has no text (null) to compare the answer with", opt.Key)
		}
		if normalizeForMatch(*opt.Text) == norm {
			return up, nil
		}
	}
	return "", nil
}

// matchOptionText returns the letter of the one option whose text (case
// and spacing aside) the last \boxed{...} contains, or "" when none or
// several do.
func matchOptionText(text string, opts Options, letters map[string]bool) string {
	inner, ok := LastBoxed(text)
	if !ok {
		return ""
	}
	inner = pyStrip(inner)
	candidates := [2]string{normalizeForMatch(inner), normalizeForMatch(StripText(inner))}
	matched := ""
	for _, opt := range opts {
		if opt.Text == nil || runeLen(opt.Key) != 1 {
			continue
		}
		up := pyUpper(opt.Key)
		if !letters[up] {
			continue
		}
		norm := normalizeForMatch(*opt.Text)
		if norm == "" || !(strings.Contains(candidates[0], norm) || strings.Contains(candidates[1], norm)) {
			continue
		}
		if matched != "" && matched != up {
			return ""
		}
		matched = up
	}
	return matched
}

// ErrRegexGroups reports a template output_regex with more than one
// capture group, which NeMo Gym's server cannot use (it fails on the
// tuple Python's re.findall returns then).
var ErrRegexGroups = errors.New("choice: an output_regex has more than one capture group")

// RegexTimeout bounds one match of a dataset's output_regex, whose
// backtracking could otherwise run for ever.
const RegexTimeout = pyre.Timeout

// ExtractRegex reads the answer with a dataset's own patterns (NeMo Gym's
// template_metadata.output_regex), trying each in order until one gives an
// answer. A pattern is Python regex syntax, matched ignoring case; its
// last match counts: the captured text (group 1, or the whole match for a
// pattern without groups), stripped, with localized letters normalized and
// upper-cased, is the answer if it is one letter — even one the options do
// not list, as NeMo Gym trusts the pattern — or else the letter of the
// option whose text equals it. A pattern that does not compile gives no
// answer, as in NeMo Gym.
func ExtractRegex(text string, patterns []string, opts Options) (string, error) {
	letters := opts.Letters()
	var runes []rune // text, converted once for every pattern
	for _, p := range patterns {
		if runes == nil {
			runes = []rune(text)
		}
		l, err := extractRegex(runes, p, opts, letters)
		if err != nil || l != "" {
			return l, err
		}
	}
	return "", nil
}

func extractRegex(text []rune, pattern string, opts Options, letters map[string]bool) (string, error) {
	re := compileUser(pattern)
	if re == nil {
		return "", nil
	}
	groups := len(re.GetGroupNumbers()) - 1
	if groups > 1 {
		return "", fmt.Errorf("%w: %q", ErrRegexGroups, pattern)
	}
	var last *regexp2.Match
	m, err := re.FindRunesMatch(text)
	for err == nil && m != nil {
		last = m
		m, err = re.FindNextMatch(m)
	}
	if err != nil {
		return "", fmt.Errorf("choice: output_regex %q: %w", pattern, err)
	}
	if last == nil {
		return "", nil
	}
	captured := last.GroupByNumber(groups).String()
	captured = pyUpper(NormalizeLetters(pyStrip(captured)))
	if runeLen(captured) == 1 && pyIsAlpha(captured) {
		return captured, nil
	}
	norm := normalizeForMatch(captured)
	for _, opt := range opts {
		if opt.Text != nil && letters[pyUpper(opt.Key)] && normalizeForMatch(*opt.Text) == norm {
			return pyUpper(opt.Key), nil
		}
	}
	return "", nil
}

// compiled caches dataset patterns: a dataset has a few templates, used by
// every row.
var compiled sync.Map // pattern -> *regexp2.Regexp, or nil if invalid

var compiledCount struct {
	sync.Mutex
	n int
}

// compileUser compiles a Python pattern (case-insensitive), or returns nil
// if it is not valid.
func compileUser(pattern string) *regexp2.Regexp {
	if v, ok := compiled.Load(pattern); ok {
		re, _ := v.(*regexp2.Regexp)
		return re
	}
	re, err := pyre.Compile(pattern, regexp2.IgnoreCase)
	if err != nil {
		re = nil
	}
	compiledCount.Lock()
	if compiledCount.n >= 4096 { // a dataset of one-off patterns: start over
		compiled.Clear()
		compiledCount.n = 0
	}
	compiledCount.n++
	compiledCount.Unlock()
	compiled.Store(pattern, re)
	return re
}

// TranslatePython rewrites a Python regular expression for regexp2 so that
// it means what it means in Python: \s, \S, \w, \W, \b and \B get
// Python's classes (whitespace with U+001C..U+001F; word characters are
// letters, numbers and "_"), and (?P<name>...) and (?P=name) become .NET's
// (?<name>...) and \k<name>.
func TranslatePython(pattern string) string { return pyre.Translate(pattern) }
