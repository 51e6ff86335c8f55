package ifeval

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// matchTimeout bounds one search of a pattern that comes from a row's
// arguments: Python's re would backtrack for as long as it takes.
const matchTimeout = time.Second

// pattern is a regular expression taken from an instruction's arguments,
// as verifiable_instructions passes keywords to Python's re: a keyword
// without metacharacters (the usual case) is matched literally, anything
// else by regexp2, whose syntax is Python's for everything keywords use.
type pattern struct {
	literal string // lower-cased when fold is set
	isLit   bool
	bounded bool // the literal is wrapped in \b...\b
	fold    bool
	re      *regexp2.Regexp
}

const reMeta = `.^$*+?{}[]\|()`

func compilePattern(expr string, ignoreCase bool) (*pattern, error) {
	p := &pattern{fold: ignoreCase}
	if !strings.ContainsAny(expr, reMeta) {
		p.isLit, p.literal = true, expr
		if ignoreCase {
			p.literal = strings.ToLower(expr)
		}
		return p, nil
	}
	opts := regexp2.None
	if ignoreCase {
		opts = regexp2.IgnoreCase
	}
	return regexpPattern(expr, opts)
}

// regexpPattern compiles expr, from a row's arguments, with regexp2.
func regexpPattern(expr string, opts regexp2.RegexOptions) (*pattern, error) {
	re, err := regexp2.Compile(pythonToNET(expr), opts)
	if err != nil {
		return nil, fmt.Errorf("re.error: %v", err)
	}
	re.MatchTimeout = matchTimeout
	return &pattern{re: re, fold: opts&regexp2.IgnoreCase != 0}, nil
}

// fixedPattern compiles one of the checkers' own patterns, written with
// Python's \s.
func fixedPattern(expr string, opts regexp2.RegexOptions) *pattern {
	return &pattern{re: regexp2.MustCompile(strings.ReplaceAll(expr, `\s`, `[`+pySpace2+`]`), opts)}
}

// text is a response prepared once for several patterns.
type text struct {
	s     string
	lower string // strings.ToLower(s), when needed
	runes []rune
}

func newText(s string) *text { return &text{s: s} }

func (t *text) lowered() string {
	if t.lower == "" && t.s != "" {
		t.lower = strings.ToLower(t.s)
	}
	return t.lower
}

func (t *text) runeSlice() []rune {
	if t.runes == nil {
		t.runes = []rune(t.s)
	}
	return t.runes
}

func (p *pattern) haystack(t *text) string {
	if p.fold {
		return t.lowered()
	}
	return t.s
}

// count is len(re.findall(pattern, s)): the number of non-overlapping
// matches, empty ones included.
func (p *pattern) count(t *text) (int, error) {
	if p.isLit {
		h := p.haystack(t)
		if p.literal == "" {
			return utf8.RuneCountInString(h) + 1, nil
		}
		return strings.Count(h, p.literal), nil
	}
	n := 0
	m, err := p.re.FindRunesMatch(t.runeSlice())
	for ; m != nil && err == nil; m, err = p.re.FindNextMatch(m) {
		n++
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// wordPattern is \b + expr + \b, case-insensitive.
func wordPattern(expr string) (*pattern, error) {
	if !strings.ContainsAny(expr, reMeta) {
		return &pattern{isLit: true, bounded: true, fold: true, literal: strings.ToLower(expr)}, nil
	}
	return compilePattern(pyB+expr+pyB, true)
}

// search is re.search(pattern, s) is not None.
func (p *pattern) search(t *text) (bool, error) {
	if p.isLit && p.bounded {
		return boundedIndex(p.haystack(t), p.literal), nil
	}
	if p.isLit {
		return strings.Contains(p.haystack(t), p.literal), nil
	}
	m, err := p.re.FindRunesMatch(t.runeSlice())
	return m != nil, err
}

// boundedIndex reports whether lit occurs in h with a word boundary (\b)
// before and after it.
func boundedIndex(h, lit string) bool {
	if lit == "" {
		return wordBoundaryAnywhere(h)
	}
	first, _ := utf8.DecodeRuneInString(lit)
	last, _ := utf8.DecodeLastRuneInString(lit)
	for i := 0; i <= len(h)-len(lit); {
		j := strings.Index(h[i:], lit)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(h[:j])
		after, _ := utf8.DecodeRuneInString(h[j+len(lit):])
		if boundary(j > 0, before, first) && boundary(j+len(lit) < len(h), after, last) {
			return true
		}
		_, size := utf8.DecodeRuneInString(h[j:])
		i = j + size
	}
	return false
}

// boundary is \b between a neighbour (if there is one) and an edge rune
// of the match.
func boundary(has bool, neighbour, edge rune) bool {
	return (has && isWord(neighbour)) != isWord(edge)
}

func wordBoundaryAnywhere(h string) bool {
	prev := false
	for _, r := range h {
		if isWord(r) != prev {
			return true
		}
		prev = isWord(r)
	}
	return prev
}
