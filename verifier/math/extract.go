package math

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dlclark/regexp2"
)

// Target is an extraction target of math_verify: LatexConfig or ExprConfig.
type Target interface{ target() }

// LatexConfig is math_verify's LatexExtractionConfig: LaTeX in $...$,
// \[...\], \(...\), \boxed{...} and the like, after "final answer is",
// "answer:", or anywhere.
type LatexConfig struct {
	// NoPlain disables extraction without an anchor (try_extract_without_anchor=False).
	NoPlain bool
	// BoxedPriority is boxed_match_priority: 50 by default (Latex()), 0 to
	// prefer \boxed over everything, -1 to disable.
	BoxedPriority int
}

// ExprConfig is math_verify's ExprExtractionConfig: plain numbers (with
// thousands separators, percentages, currency) and expressions like 7/5.
type ExprConfig struct {
	NoPlain bool
}

func (LatexConfig) target() {}
func (ExprConfig) target()  {}

// Latex returns LatexExtractionConfig() with its defaults.
func Latex() LatexConfig { return LatexConfig{BoxedPriority: 50} }

// Expr returns ExprExtractionConfig() with its defaults.
func Expression() ExprConfig { return ExprConfig{} }

type pattern struct {
	re       *regexp2.Regexp
	priority int
	target   Target
	// need is a literal (lower case) the input must contain for the
	// pattern to match at all: a fast rejection.
	need string
	// needAny are literals of which the input must contain one.
	needAny []string
	// single is re without the optional "and/or/, next answer" groups,
	// used (with identical results) on inputs that have no separator.
	single *regexp2.Regexp
}

// latexOpeners are the literals one of which every LaTeX environment
// pattern needs.
var latexOpeners = []string{"$", `\[`, `\(`, "[", `\frac`}

const currencyUnits = `\$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿`

func exprPatterns(cfg ExprConfig) []pattern {
	numberRe := `(?<!\d)(?:` +
		`(?P<integer1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?P<decimal1>\.\d+)?|` +
		`(?P<integer2>-?\d+)(?P<decimal2>[.,]\d+)|` +
		`(?P<decimal3>\.\d+)|` +
		`(?P<integer3>-?\d+)` +
		`)(?P<percent>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?`
	ops := `\+\-\*\×\/\^\(\)\÷`
	all := `[\d\.\s` + ops + `]`
	exprRe := `(?P<expr>-?\(?-?\d` + all + `*[` + ops + `]` + all + `+\)?)`
	prefix := `(?:^|\s|\=)(?:\*\*)?`
	suffix := `(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)`
	withAnchors := `(?:` + prefix + exprRe + suffix + `)`
	numberWithAnchors := `(?:` + prefix + `[` + currencyUnits + `]?` + numberRe + `)`
	exprOrNumber := `(?:` + withAnchors + `|` + numberWithAnchors + `)`
	ps := []pattern{
		{re: pyRe(`(?i:final answer is)\:?\s*`+exprOrNumber+`\.?\s?I hope`, 0), priority: 0, need: "final answer is"},
		{re: pyRe(`(?i:final answer.{0,100}?)\s+is\:?`+exprOrNumber, 0), priority: 50, need: "final answer"},
		{re: pyRe(`(?i:answer):(?:.{0,100}=\s*|.{0,50}?)`+exprOrNumber+`(?!\s*=)`, 0), priority: 100, need: "answer"},
		{re: pyRe(`(?i:answer)(?:.{0,100}=\s*|.{0,50}?)`+exprOrNumber+`(?!\s*=)`, 0), priority: 200, need: "answer"},
	}
	if !cfg.NoPlain {
		ps = append(ps,
			pattern{re: pyRe(withAnchors, 0), priority: 300},
			pattern{re: pyRe(numberWithAnchors, 0), priority: 300})
	}
	for i := range ps {
		ps[i].target = cfg
	}
	return ps
}

func latexEnvPattern(prefix string, boxed bool) string {
	percent := `(?P<` + prefix + `percent>(?:\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))`
	displayDollar := `(?:[^$]|\$(?!\$))`
	displayBracket := `(?:[^\\]|\\(?!\]))`
	inlineDollar := `(?:\\[$]|[^\n$])`
	inlineParen := `(?:[^\\\n]|\\(?!\)))`
	inlineBracket := `[^\n\]\[]`
	wrap := func(c string) string {
		if boxed {
			return c + `*?\\boxed{` + c + `+?}` + c + `*?`
		}
		return c + `+?`
	}
	pats := []string{
		`(?<!\\)\$\$(?P<` + prefix + `latexDisplayDollar>` + wrap(displayDollar) + `)(?<!\\)\$\$`,
		`(?<!\\)\\\[(?P<` + prefix + `latexDisplayBracket>` + wrap(displayBracket) + `)(?<!\\)\\\]`,
		`(?<!\\|\d)\$(?P<` + prefix + `latexInlineDollar>` + wrap(inlineDollar) + `)(?<!\\)\$`,
		`(?<!\\)\\\((?P<` + prefix + `latexInlineParenthesis>` + wrap(inlineParen) + `)(?<!\\)\\\)`,
		`\s\[(?P<` + prefix + `latexInlineBracket>` + wrap(inlineBracket) + `)\]\s`,
	}
	if !boxed {
		simple := `-?\d+(?:[.,]\d+)?`
		pats = append(pats, `(?P<`+prefix+`latexFraction>-?\\frac{`+simple+`}{`+simple+`})`)
	}
	return `(?:(?:` + strings.Join(pats, "|") + `)\s*` + percent + `?)`
}

func latexPatterns(cfg LatexConfig) []pattern {
	var next strings.Builder
	for i := 1; i <= 5; i++ {
		next.WriteString(`(?:\s*(?:,?and|,?or|,)\s*` + latexEnvPattern(fmt.Sprintf("next%d_", i), false) + `)?`)
	}
	envs := `(?:` + latexEnvPattern("first_", false) + next.String() + `)`
	env1 := `(?:` + latexEnvPattern("first_", false) + `)`
	var opts regexp2.RegexOptions = regexp2.Singleline
	both := func(f func(string) string, priority int, need string, needAny []string) pattern {
		return pattern{re: pyRe(f(envs), opts), single: pyRe(f(env1), opts), priority: priority, need: need, needAny: needAny}
	}
	ps := []pattern{
		both(func(e string) string { return `(?i:final answer is)\:?\s*` + e + `\.?\s?I hope` }, 0, "final answer is", nil),
		both(func(e string) string { return `(?i:final answer.{0,100}?)\s+is\:?\s*` + e }, 50, "final answer", nil),
		both(func(e string) string { return `(?i:answer):.{0,50}?` + e }, 100, "answer", nil),
		both(func(e string) string { return `(?i:answer).{0,50}?` + e }, 200, "answer", nil),
	}
	if !cfg.NoPlain {
		ps = append(ps, both(func(e string) string { return e }, 300, "", latexOpeners))
	}
	if cfg.BoxedPriority >= 0 {
		var nb strings.Builder
		for i := 1; i <= 5; i++ {
			nb.WriteString(`\s*(?:\s*(?:,?and|,?or|,)\s*` + latexEnvPattern(fmt.Sprintf("next%d_", i), true) + `)?`)
		}
		ps = append(ps,
			pattern{re: pyRe(latexEnvPattern("first_", true)+nb.String(), opts), single: pyRe(latexEnvPattern("first_", true), opts),
				priority: cfg.BoxedPriority, need: `\boxed`, needAny: []string{"$", `\[`, `\(`, "["}},
			pattern{re: pyRe(`(?P<first_latexBoxed>\\boxed{.+})`, opts), priority: cfg.BoxedPriority, need: `\boxed`})
	}
	for i := range ps {
		ps[i].target = cfg
	}
	return ps
}

var patternCache sync.Map // Target -> []pattern

func patternsFor(t Target) []pattern {
	if v, ok := patternCache.Load(t); ok {
		return v.([]pattern)
	}
	var ps []pattern
	switch c := t.(type) {
	case LatexConfig:
		ps = latexPatterns(c)
	case ExprConfig:
		ps = exprPatterns(c)
	}
	patternCache.Store(t, ps)
	return ps
}

// Extracted is one answer extracted from a text: the parsed expression
// (nil when it did not parse) and the extracted string.
type Extracted struct {
	Expr *Expr
	Text string
}

// String is how math_metric records the extraction: SymPy's str of the
// parsed expression, or the string itself.
func (x Extracted) String() string {
	if x.Expr != nil {
		return x.Expr.String()
	}
	return x.Text
}

var sortedCache sync.Map // fmt of []Target -> []pattern

// sortedPatterns are the patterns of targets, by priority (stable, in the
// order of targets within one priority).
func sortedPatterns(targets []Target) []pattern {
	key := fmt.Sprintf("%#v", targets)
	if v, ok := sortedCache.Load(key); ok {
		return v.([]pattern)
	}
	var all []pattern
	for _, t := range targets {
		all = append(all, patternsFor(t)...)
	}
	slices.SortStableFunc(all, func(a, b pattern) int { return a.priority - b.priority })
	sortedCache.Store(key, all)
	return all
}

type found struct {
	m          *regexp2.Match
	start, end int
	target     Target
	order      int
}

// Parse is math_verify's parse(text, targets) with fallback_mode
// "first_match" and extraction_mode "any_match": the first match that
// parses, searching the patterns by priority and, within a priority, from
// the end of the text; then the first matched string, parsed or not.
func Parse(text string, targets ...Target) []Extracted {
	return ParseContext(context.Background(), text, targets...)
}

// ParseContext is Parse bounded by ctx: when ctx ends it returns nothing,
// as math_verify's parse returns [] on its timeout.
func ParseContext(ctx context.Context, text string, targets ...Target) []Extracted {
	all := sortedPatterns(targets)
	lower := ""
	runes := []rune(text)
	// The optional further answers of the LaTeX patterns need ",", "and" or "or".
	hasSeparator := containsAny(text, ",", "and", "or")
	var out []Extracted
	var fallbacks []string
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].priority == all[i].priority {
			j++
		}
		var ms []found
		for _, p := range all[i:j] {
			if ctx.Err() != nil {
				return nil
			}
			if p.need != "" {
				if lower == "" {
					lower = strings.ToLower(text)
				}
				if !strings.Contains(lower, p.need) {
					continue
				}
			}
			if len(p.needAny) > 0 && !containsAny(text, p.needAny...) {
				continue
			}
			re := p.re
			if p.single != nil && !hasSeparator {
				re = p.single
			}
			m, err := re.FindRunesMatch(runes)
			for m != nil && err == nil {
				ms = append(ms, found{m: m, start: m.Index, end: m.Index + m.Length, target: p.target, order: len(ms)})
				m, err = re.FindNextMatch(m)
			}
		}
		// Rightmost end first, then leftmost start; ties keep the order found
		// (Python's sort with reverse=True keeps equal elements stable).
		slices.SortStableFunc(ms, func(a, b found) int {
			if a.end != b.end {
				return b.end - a.end
			}
			return a.start - b.start
		})
		for _, f := range ms {
			if ctx.Err() != nil {
				return nil
			}
			x := extractMatch(f.m, f.target)
			if x.Text != "" {
				fallbacks = append(fallbacks, x.Text)
			}
			if x.Expr != nil {
				out = append(out, x)
				break
			}
		}
		if len(out) > 0 {
			break
		}
		i = j
	}
	if len(fallbacks) > 0 {
		out = append(out, Extracted{Text: fallbacks[0]})
	}
	return out
}

func groupText(m *regexp2.Match, name string) string {
	g := m.GroupByName(name)
	if g == nil || len(g.Captures) == 0 {
		return ""
	}
	return g.String()
}

func extractMatch(m *regexp2.Match, t Target) Extracted {
	switch c := t.(type) {
	case LatexConfig:
		return extractLatex(m)
	case ExprConfig:
		_ = c
		return extractExpr(m)
	}
	return Extracted{}
}

var latexGroupNames = []string{"latexDisplayDollar", "latexDisplayBracket", "latexInlineDollar",
	"latexInlineParenthesis", "latexInlineBracket", "latexFraction", "latexBoxed"}

func extractLatex(m *regexp2.Match) Extracted {
	var exprs []*Expr
	var strs []string
	captured := map[string]string{}
	for _, g := range m.Groups() {
		if len(g.Captures) > 0 && g.Length > 0 {
			captured[g.Name] = g.String()
		}
	}
	for _, prefix := range []string{"first", "next1", "next2", "next3", "next4", "next5"} {
		var latex, group string
		for _, g := range latexGroupNames {
			if v := captured[prefix+"_"+g]; v != "" {
				latex, group = v, g
				break
			}
		}
		if latex == "" {
			continue
		}
		mode := boxedAll
		if group == "latexBoxed" {
			mode = boxedLast
		}
		if len(latex) > maxLatex {
			// Too long to normalize and parse in time: kept as a string.
			strs = append(strs, latex)
			exprs = append(exprs, nil)
			continue
		}
		norm := normalize(latex, mode)
		strs = append(strs, norm)
		e, err := parseLatexWithFallback(norm)
		if err == nil && captured[prefix+"_percent"] != "" {
			e = percent(e)
		}
		if err != nil {
			e = nil
		}
		exprs = append(exprs, e)
	}
	if len(exprs) == 0 {
		return Extracted{}
	}
	if len(exprs) > 1 {
		allParsed := true
		for _, e := range exprs {
			if e == nil {
				allParsed = false
			}
		}
		if allParsed {
			var items []*Expr
			for _, e := range exprs {
				if e.Kind == FiniteSet {
					items = append(items, e.Args...)
				} else {
					items = append(items, e)
				}
			}
			return Extracted{Expr: node(FiniteSet, items...), Text: strings.Join(strs, " and ")}
		}
	}
	return Extracted{Expr: exprs[0], Text: strs[0]}
}

// maxLatex bounds the length of a LaTeX string the parser accepts.
const maxLatex = 20000

// parseLatexWithFallback is parse_latex_cached: the whole string, then
// the part after its last "=".
func parseLatexWithFallback(s string) (*Expr, error) {
	if len(s) > maxLatex {
		return nil, fmt.Errorf("%w: %d bytes of LaTeX", errTooLarge, len(s))
	}
	e, err := parseLatex(s)
	if err == nil {
		return e, nil
	}
	if last := lastEquation(s); last != s {
		return parseLatex(last)
	}
	return nil, err
}

func extractExpr(m *regexp2.Match) Extracted {
	integer, decimal := "", ""
	for _, n := range []string{"integer1", "integer2", "integer3"} {
		if v := groupText(m, n); v != "" {
			integer = v
			break
		}
	}
	for _, n := range []string{"decimal1", "decimal2", "decimal3"} {
		if v := groupText(m, n); v != "" {
			decimal = v
			break
		}
	}
	if integer != "" || decimal != "" {
		integer = strings.TrimLeft(strings.NewReplacer(",", "", " ", "").Replace(integer), "0")
		if integer == "" {
			integer = "0"
		}
		decimal = strings.ReplaceAll(decimal, ",", ".")
		s := integer + decimal
		n, err := numberExpr(s)
		if err != nil {
			return Extracted{Text: s}
		}
		if groupText(m, "percent") != "" {
			n = percent(n)
		}
		return Extracted{Expr: n, Text: s}
	}
	expr := groupText(m, "expr")
	if expr != "" {
		e, err := parsePlain(strings.ReplaceAll(strings.ReplaceAll(expr, "\n", " "), "^", "**"))
		if err == nil {
			return Extracted{Expr: e, Text: expr}
		}
	}
	return Extracted{Text: expr}
}

var plainToken = regexp.MustCompile(`^\s*(\d+\.\d*|\.\d+|\d+|\*\*|[-+*/()×÷^])`)

// parsePlain is SymPy's parse_expr(s, evaluate=False) for the strings the
// expression pattern extracts: digits, decimal points and + - * / ** ( ).
func parsePlain(s string) (*Expr, error) {
	var toks []string
	rest := s
	for strings.TrimSpace(rest) != "" {
		m := plainToken.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("%w: %q", errParse, s)
		}
		toks = append(toks, m[1])
		rest = rest[len(m[0]):]
	}
	pp := &plainParser{toks: toks}
	e, err := pp.sum()
	if err != nil {
		return nil, err
	}
	if pp.pos != len(toks) {
		return nil, fmt.Errorf("%w: %q", errParse, s)
	}
	return e, nil
}

type plainParser struct {
	toks  []string
	pos   int
	depth int
}

func (p *plainParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *plainParser) sum() (*Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errTooLarge
	}
	l, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.peek() == "+" || p.peek() == "-" {
		op := p.toks[p.pos]
		p.pos++
		r, err := p.term()
		if err != nil {
			return nil, err
		}
		if op == "-" {
			r = pyNeg(r)
		}
		// Python's a + b with evaluate=False: Add(a, b), flattened.
		l = addFlat(l, r)
	}
	return l, nil
}

// pyNeg is -x under evaluate=False: a number negated, else Mul(-1, x).
func pyNeg(e *Expr) *Expr {
	if e.isNumber() {
		return e.neg()
	}
	return mulFlat(intOf(-1), e)
}

func (p *plainParser) term() (*Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek() {
		case "*", "×":
			p.pos++
			r, err := p.unary()
			if err != nil {
				return nil, err
			}
			l = mulFlat(l, r)
		case "/", "÷":
			p.pos++
			r, err := p.unary()
			if err != nil {
				return nil, err
			}
			l = mulFlat(l, node(Pow, r, intOf(-1)))
		default:
			return l, nil
		}
	}
}

func (p *plainParser) unary() (*Expr, error) {
	switch p.peek() {
	case "-":
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return pyNeg(e), nil
	case "+":
		p.pos++
		return p.unary()
	}
	return p.power()
}

func (p *plainParser) power() (*Expr, error) {
	b, err := p.atom()
	if err != nil {
		return nil, err
	}
	if p.peek() == "**" || p.peek() == "^" {
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return node(Pow, b, x), nil
	}
	return b, nil
}

func (p *plainParser) atom() (*Expr, error) {
	t := p.peek()
	switch {
	case t == "(":
		p.pos++
		e, err := p.sum()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errParse
		}
		p.pos++
		return e, nil
	case t != "" && (isDigit(t[0]) || t[0] == '.'):
		p.pos++
		// Implicit multiplication of adjacent numbers ("1 000") is a
		// syntax error in Python.
		if strings.Contains(t, ".") {
			return numberExpr(t)
		}
		return parseNumber(t)
	}
	return nil, errParse
}
