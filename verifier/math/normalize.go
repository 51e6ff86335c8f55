package math

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// normalize is latex2sympy2_extended's normalize_latex with math_verify's
// LatexExtractionConfig normalization (basic_latex, units,
// malformed_operators, nits; boxed "all", or "last" for a \boxed match).

// pyRe compiles a Python regular expression: (?P<name> groups become
// (?<name>; regexp2's default (.NET) semantics give lookbehind.
func pyRe(pattern string, opts regexp2.RegexOptions) *regexp2.Regexp {
	pattern = strings.ReplaceAll(pattern, "(?P<", "(?<")
	r := regexp2.MustCompile(pattern, opts)
	// A match that backtracks this long is abandoned (no match), as
	// math_verify's parsing timeout abandons it.
	r.MatchTimeout = 2 * time.Second
	return r
}

var (
	rLeft  = pyRe(`\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\vert|\\lvert|\\langle|\\llcorner|\\ulcorner)`, 0)
	rRight = pyRe(`\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\rbrack|\\vert|\\rvert|\\rceil|\\rfloor|\\vert|\\rvert|\\rangle|\\lrcorner|\\urcorner)`, 0)

	unitsRe = pyRe(`(\d|\}|\s)\s*(?:(?:`+strings.Join(unitNames, "|")+`)(?:s|es)?)\s*$`, 0)

	toRemoveRe = pyRe(`\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle`, 0)

	permutationRe    = pyRe(`\(([a-zA-Z0-9+\-*/\\ ]+?)\)_{([a-zA-Z0-9+\-*/\\ ]+?)}`, 0)
	commandSlashRe   = pyRe(`\\\\(?=[a-zA-Z])`, 0)
	unitSuperRe      = pyRe(`(\\(?:text|mbox){.*?})(\^\d|\{\^\d\})?$`, 0)
	equationSplitRe  = pyRe(`(?<!\\|\<|\!|\>)=`, 0)
	malformedPattern = []struct {
		re   *regexp2.Regexp
		repl string
		may  func(string) bool // a necessary condition for a match
	}{
		{pyRe(`\^\s?\((.*?)\)`, 0), `^{$1}`, func(s string) bool { return followedBy(s, "^", '(') }},
		{pyRe(`sqrt\s?\((.*?)\)`, 0), `\sqrt{$1}`, func(s string) bool { return followedBy(s, "sqrt", '(') }},
		{pyRe(`\\frac\s?(\d)\s?(\d+)`, 0), `\frac{$1}{$2}`, func(s string) bool { return followedByDigit(s, `\frac`) }},
		{pyRe(`\\log_\s?(\d)\s?(\d+)`, 0), `\log_{$1}{$2}`, func(s string) bool { return strings.Contains(s, `\log_`) }},
		{pyRe(`\\frac\s?{(.*?)}\s?(\d)`, 0), `\frac{$1}{$2}`, func(s string) bool { return strings.Contains(s, `\frac`) && followedByDigit(s, "}") }},
		{pyRe(`\\frac\s?(\d)\s?{(.*?)}`, 0), `\frac{$1}{$2}`, func(s string) bool { return followedByDigit(s, `\frac`) }},
		{pyRe(`\\sqrt\s?(\d)`, 0), `\sqrt{$1}`, func(s string) bool { return followedByDigit(s, `\sqrt`) }},
	}
)

var replacePatterns = []struct{ name, pattern, repl string }{
	{"math", `\\math(?:rm|it|bf)`, `\text`},
	{"text", `\\text(?:normal|bf|it|rm)`, `\text`},
	{"frac", `\\(?:d|t|c)frac`, `\frac`},
	{"decimal_space", `\s\.`, ` 0.`},
	{"decimal_brace", `\{\.`, `{0.`},
	{"approx", `\~\=`, `\approx`},
	{"comma", `\s*\{\s*,\s*\}`, `,`},
	{"and_or", `(?<![a-zA-Z])(,?\s*(?:and|or))(?![a-zA-Z])`, `,`},
	{"and_or_text", `(,?\s*\\text{\s*(?:and|or)\s*})`, `,`},
	{"backslash_space", `(?<!\\)\\\s`, ` `},
	{"infinity", `infinity`, `\infty`},
	{"dot", `,?(\\ldots)`, ` `},
	{"percentage", `\s*percentage`, `\%`},
	{"percentage_in_text", `\\text{percentage}`, `\%`},
	{"percent", `\s*percent`, `\%`},
	{"percent_in_text", `\\text{percent}`, `\%`},
	{"pct", `\s*pct`, `\%`},
	{"pct_in_text", `\\text{pct}`, `\%`},
	{"inf", `((?<!\\)inf(?!inity))`, `\infty`},
	{"sqrt", ` sqrt`, `\sqrt`},
}

var toReplaceRe *regexp2.Regexp

func init() {
	parts := make([]string, len(replacePatterns))
	for i, p := range replacePatterns {
		parts[i] = "(?<" + p.name + ">" + p.pattern + ")"
	}
	toReplaceRe = pyRe(strings.Join(parts, "|"), 0)
}

var unitNames = []string{"integer" + "point", "feet", "sue", "digit", "pound", "meal", "edge", "student",
	"children ticket", "multiple", "east", "degree", "mph", "kmph", "ft", "m square", " m east", "sq m", "deg",
	"mile", "q .", "monkey", "prime", "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb", "tile", "per",
	"dm", "lt", "gain", "ab", "way", "west", "a .", "b .", "c .", "d .", "e .", "f .", "g .", "h .", "t", "h",
	"no change", "men", "soldier", "pie", "bc", "excess", "st", "inches", "noon", "cent", "by", "gal", "kmh",
	"c", "acre", "rise", "a . m", "th", "π r 2", "sq", "mark", "l", "toy", "coin", "sq . m", "gallon", "° f",
	"profit", "minw", "yr", "women", "am", "pm", "hr", "cu cm", "square", "v â € ™", "are", "rupee", "rounds",
	"cubic", "cc", "mtr", "s", "ohm", "number", "kmph", "day", "hour", "minute", "min", "second", "man", "woman",
	"sec", "cube", "mt", "sq inch", "mp", "∏ cm ³", "hectare", "more", "sec", "unit", "cu . m", "cm 2", "rs .",
	"rs", "kg", "g", "month", "km", "m", "cm", "mm", "apple", "liter", "loss", "yard", "pure", "year",
	"increase", "decrease", "d", "less", "Surface", "litre", "pi sq m", "s .", "metre", "meter", "inch"}

// mustReplace is re.sub(pattern, repl, s) with $1-style group references
// in repl, expanded without reparsing repl on every call.
func mustReplace(re *regexp2.Regexp, s, repl string) string {
	if !strings.Contains(repl, "$") {
		return replaceFunc(re, s, func(regexp2.Match) string { return repl })
	}
	return replaceFunc(re, s, func(m regexp2.Match) string {
		var b strings.Builder
		for i := 0; i < len(repl); i++ {
			if repl[i] == '$' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
				if g := m.GroupByNumber(int(repl[i+1] - '0')); g != nil {
					b.WriteString(g.String())
				}
				i++
				continue
			}
			b.WriteByte(repl[i])
		}
		return b.String()
	})
}

var replaceTriggers = []string{`\math`, `\text`, `\dfrac`, `\tfrac`, `\cfrac`, "~=", "and", "or", "inf",
	"ldots", "percent", "pct", " sqrt", "{."}

// mayReplace is a necessary condition for toReplaceRe to match s.
func mayReplace(s string) bool {
	if containsAny(s, replaceTriggers...) {
		return true
	}
	for i := 0; i+1 < len(s); i++ {
		c, n := s[i], s[i+1]
		switch {
		case n == '.' && isPySpace(c): // decimal_space
			return true
		case c == '\\' && isPySpace(n): // backslash_space
			return true
		case c == '{': // comma: {\s*,
			j := i + 1
			for j < len(s) && isPySpace(s[j]) {
				j++
			}
			if j < len(s) && s[j] == ',' {
				return true
			}
		}
	}
	return false
}

// followedBy reports an occurrence of lit followed by c, optionally after
// one whitespace character (the patterns' \s?).
func followedBy(s, lit string, c byte) bool {
	for i := strings.Index(s, lit); i >= 0; {
		j := i + len(lit)
		if j < len(s) && isPySpace(s[j]) {
			j++
		}
		if j < len(s) && s[j] == c {
			return true
		}
		k := strings.Index(s[i+1:], lit)
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

func followedByDigit(s, lit string) bool {
	for i := strings.Index(s, lit); i >= 0; {
		j := i + len(lit)
		if j < len(s) && isPySpace(s[j]) {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			return true
		}
		k := strings.Index(s[i+1:], lit)
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// mayEndWithUnit is a necessary condition for unitsRe to match: every unit
// name ends in a letter, ".", "2", "³" or "™" (then s/es and spaces).
func mayEndWithUnit(s string) bool {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || r == '.' || r == '2' || r == '³' || r == '™'
}

func replaceFunc(re *regexp2.Regexp, s string, f func(m regexp2.Match) string) string {
	out, err := re.ReplaceFunc(s, f, -1, -1)
	if err != nil {
		return s
	}
	return out
}

type boxedMode uint8

const (
	boxedAll boxedMode = iota
	boxedLast
)

// normalize applies math_verify's LaTeX normalization.
func normalize(text string, mode boxedMode) string {
	text = extractBoxed(text, mode)

	// basic_latex
	text = strings.ReplaceAll(text, `\mathrm{T}`, "T")
	text = strings.ReplaceAll(text, `\mathrm{d}`, "d")
	text = strings.ReplaceAll(text, `{\rm d}`, "d")
	text = strings.ReplaceAll(text, `\left[\begin{matrix}`, `\begin{bmatrix}`)
	text = strings.ReplaceAll(text, `\end{matrix}\right]`, `\end{bmatrix}`)
	if strings.Contains(text, "left") {
		text = mustReplace(rLeft, text, "$1")
	}
	if strings.Contains(text, "right") {
		text = mustReplace(rRight, text, "$1")
	}
	if strings.Contains(text, ")_{") {
		text = mustReplace(permutationRe, text, `\frac{($1)!}{(($1)-($2))!}`)
	}
	if strings.ContainsAny(text, `$"'`) || containsAny(text, `\mathrm{th}`, `\!`, `\text`, `\displaystyle`) {
		text = mustReplace(toRemoveRe, text, "")
	}
	if mayReplace(text) {
		text = replaceFunc(toReplaceRe, text, func(m regexp2.Match) string {
			for _, p := range replacePatterns {
				if g := m.GroupByName(p.name); g != nil && len(g.Captures) > 0 {
					return p.repl
				}
			}
			return m.String()
		})
	}
	text = strings.ReplaceAll(text, "\n", " ")
	text = strings.ReplaceAll(text, "\t", " ")
	if !strings.Contains(text, "matrix") && strings.Contains(text, `\\`) {
		text = mustReplace(commandSlashRe, text, `\`)
	}

	// units
	if containsAny(text, `\text`, `\mbox`) {
		if t := strings.TrimSpace(mustReplace(unitSuperRe, text, "")); t != "" && t != text {
			text = t
		}
	}
	for range 2 {
		if !mayEndWithUnit(text) {
			break
		}
		if t := mustReplace(unitsRe, text, "$1"); t != "" && t != text {
			text = t
		}
	}

	// nits
	if strings.HasPrefix(text, ".") {
		text = "0" + text
	}
	if text == "0.5" {
		text = `\frac{1}{2}`
	}

	// malformed_operators
	if containsAny(text, "^", "sqrt", `\frac`, `\log_`) {
		for _, m := range malformedPattern {
			text = mustReplace(m.re, text, m.repl)
		}
	}
	text = strings.ReplaceAll(text, " sqrt", `\sqrt`)
	text = fixSqrt(text)
	text = fixFracs(text)
	text = fixSlash(text)
	return strings.TrimFunc(text, unicode.IsSpace)
}

var separatorRe = pyRe(`and|or|,|;`, 0)

// extractBoxed is extract_boxed_content.
func extractBoxed(text string, mode boxedMode) string {
	var results []string
	cur := len(text)
	lastStart := -1
	maxPos := len(text)
	for {
		bi := strings.LastIndex(text[:cur], `\boxed`)
		fi := strings.LastIndex(text[:cur], `\fbox`)
		if bi < 0 && fi < 0 {
			break
		}
		start := max(bi, fi)
		end := start + 5
		if bi > fi {
			end = start + 6
		}
		nc := end
		for nc < maxPos && isPySpace(text[nc]) {
			nc++
		}
		if nc >= maxPos {
			break
		}
		if text[nc] == '{' {
			depth, close := 1, -1
			for i := nc + 1; i < maxPos; i++ {
				if text[i] == '{' {
					depth++
				} else if text[i] == '}' {
					depth--
					if depth == 0 {
						close = i
						break
					}
				}
			}
			if close < 0 {
				if len(results) == 0 {
					results = append(results, text[nc:])
				}
				break
			}
			content := strings.TrimFunc(text[nc+1:close], unicode.IsSpace)
			if mode == boxedLast && lastStart >= 0 {
				prev := ""
				if len(results) > 0 {
					prev = results[len(results)-1]
				}
				between := ""
				if close+1 <= lastStart {
					between = text[close+1 : lastStart]
				}
				ok := len([]rune(between)) < 10
				if !ok && content != prev && len([]rune(between)) < 70 {
					if m, _ := separatorRe.MatchString(between); m {
						ok = true
					}
				}
				if !ok {
					break
				}
			}
			results = append(results, content)
			lastStart = start
			maxPos = start
		} else {
			if len(results) == 0 {
				results = append(results, text[nc:])
			}
			break
		}
		cur = start
	}
	if len(results) == 0 {
		return text
	}
	for i, j := 0, len(results)-1; i < j; i, j = i+1, j-1 {
		results[i], results[j] = results[j], results[i]
	}
	return strings.Join(results, ",")
}

func isPySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func fixFracs(text string) string {
	subs := strings.Split(text, `\frac`)
	var b strings.Builder
	b.WriteString(subs[0])
	for _, sub := range subs[1:] {
		sub = strings.TrimLeftFunc(sub, unicode.IsSpace)
		b.WriteString(`\frac`)
		r := []rune(sub)
		switch {
		case len(r) > 0 && r[0] == '{':
			b.WriteString(sub)
		case len(r) < 2:
			return text
		default:
			a, c := string(r[0]), string(r[1])
			if c != "{" {
				b.WriteString("{" + a + "}{" + c + "}" + string(r[2:]))
			} else {
				b.WriteString("{" + a + "}" + c + string(r[2:]))
			}
		}
	}
	return b.String()
}

func fixSlash(text string) string {
	parts := strings.Split(text, "/")
	if len(parts) != 2 {
		return text
	}
	a, ok1 := pyInt(parts[0])
	b, ok2 := pyInt(parts[1])
	if !ok1 || !ok2 || text != a+"/"+b {
		return text
	}
	return `\frac{` + a + "}{" + b + "}"
}

// pyInt is str(int(s)) for a decimal integer string.
func pyInt(s string) (string, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	s = strings.ReplaceAll(s, "_", "")
	if !isAllDigits(s) {
		return "", false
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0", true
	}
	if neg {
		s = "-" + s
	}
	return s, true
}

func fixSqrt(text string) string {
	if !strings.Contains(text, `\sqrt`) {
		return text
	}
	splits := strings.Split(text, `\sqrt`)
	var b strings.Builder
	b.WriteString(splits[0])
	for _, s := range splits[1:] {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		r := []rune(s)
		if len(r) > 0 && r[0] != '{' && r[0] != '[' {
			b.WriteString(`\sqrt{` + string(r[0]) + "}" + string(r[1:]))
		} else {
			b.WriteString(`\sqrt` + s)
		}
	}
	return b.String()
}

// lastEquation is math_verify's get_last_eq.
func lastEquation(latex string) string {
	if !strings.Contains(latex, ",") && !strings.Contains(latex, ";") {
		// The text after the last unescaped "=", if there are at least two.
		n, last := 0, -1
		r := []rune(latex)
		m, _ := equationSplitRe.FindRunesMatch(r)
		for m != nil {
			n++
			last = m.Index + m.Length
			m, _ = equationSplitRe.FindNextMatch(m)
		}
		if n >= 2 {
			return string(r[last:])
		}
	}
	return latex
}
