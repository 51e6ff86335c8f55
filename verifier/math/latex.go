package math

import (
	"errors"
	"fmt"
	gomath "math"
	"math/big"
	"regexp"
	"strings"
)

// The LaTeX parser: latex2sympy2_extended's grammar (PS.g4) and its
// conversion to SymPy (latex2sympy2.py) for the constructs answers use,
// building the same expression shapes (Add and Mul flattened and
// unevaluated, Rational for integer fractions, Pow for roots).

const maxDepth = 200

var errParse = errors.New("math: cannot parse")

type parser struct {
	toks  []token
	pos   int
	depth int
	src   string
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekAt(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}
func (p *parser) accept(k tokKind) bool {
	if p.peek().kind == k {
		p.next()
		return true
	}
	return false
}
func (p *parser) expect(k tokKind) error {
	if !p.accept(k) {
		return p.errf("unexpected %q", p.peek().text)
	}
	return nil
}
func (p *parser) errf(format string, a ...any) error {
	return fmt.Errorf("%w: %s at %d", errParse, fmt.Sprintf(format, a...), p.peek().pos)
}
func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errf("nesting deeper than %d", maxDepth)
	}
	return nil
}
func (p *parser) leave() { p.depth-- }

var commaNumberRe = regexp.MustCompile(`^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$`)

// parseLatex parses a normalized LaTeX string (latex2sympy with
// normalization_config=None).
func parseLatex(s string) (*Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: s}
	// math: set_elements_relation | set_elements | set_relation
	if e, err := p.try(p.setElementsRelation); err == nil && p.peek().kind == tEOF {
		return e, nil
	}
	p.pos = 0
	if e, isElems, err := p.setElementsTop(); err == nil && p.peek().kind == tEOF {
		if isElems && commaNumberRe.MatchString(s) {
			return convertNumber(s)
		}
		return e, nil
	}
	p.pos = 0
	p.depth = 0
	e, err := p.setRelation()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.errf("unexpected %q", p.peek().text)
	}
	return e, nil
}

func (p *parser) try(f func() (*Expr, error)) (*Expr, error) {
	save, depth := p.pos, p.depth
	e, err := f()
	if err != nil {
		p.pos, p.depth = save, depth
	}
	return e, err
}

// convertNumber is latex2sympy's convert_number for "1,000"-style input.
func convertNumber(s string) (*Expr, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ",") && strings.HasPrefix(s, "0") {
		s = strings.ReplaceAll(s, ",", ".")
	}
	s = strings.NewReplacer(",", "", " ", "").Replace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	if neg {
		s = "-" + s
	}
	return numberExpr(s)
}

// numberExpr is SymPy's Number(text): an Integer, or a Float with
// max(15, digits) decimal digits.
func numberExpr(s string) (*Expr, error) {
	if !strings.ContainsAny(s, ".eE") {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("%w: number %q", errParse, s)
		}
		if v.BitLen() > maxBits {
			return nil, errTooLarge
		}
		return intExpr(v), nil
	}
	mant := s
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		if x := strings.TrimLeft(s[i+1:], "+-"); len(x) > 6 {
			return nil, errTooLarge
		}
	}
	digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(mant), "0")
	dps := max(15, len(digits))
	prec := uint(gomath.Round(float64(dps+1) * 3.3219280948873626)) // mpmath dps_to_prec
	f, _, err := big.ParseFloat(s, 10, prec, big.ToNearestEven)
	if err != nil {
		return nil, fmt.Errorf("%w: number %q", errParse, s)
	}
	return &Expr{Kind: Float, Flt: f, Prec: dps}, nil
}

// parseNumber is latex2sympy's parse_number.
func parseNumber(s string) (*Expr, error) {
	s = strings.ReplaceAll(s, ",", "")
	if isAllDigits(s) {
		s = strings.TrimLeft(s, "0")
		if s == "" {
			s = "0"
		}
	}
	return numberExpr(s)
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// --- sets and elements ---

// setElementsRelation: atom_expr_list (IN | '=') semicolon_elements_no_relation
func (p *parser) setElementsRelation() (*Expr, error) {
	lhs, err := p.atomExprList()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !(t.kind == tIn || (t.kind == tRel && t.text == "=")) {
		return nil, p.errf("no relation")
	}
	p.next()
	groups, err := p.semicolonElements(false)
	if err != nil {
		return nil, err
	}
	return rel("==", lhs, elementsToSet(groups)), nil
}

func (p *parser) atomExprList() (*Expr, error) {
	if p.peek().kind == tLParen {
		save := p.pos
		p.next()
		var items []*Expr
		for {
			a, err := p.atomExpr(false)
			if err != nil {
				p.pos = save
				return nil, err
			}
			items = append(items, a)
			if p.accept(tComma) {
				continue
			}
			break
		}
		if err := p.expect(tRParen); err != nil {
			p.pos = save
			return nil, err
		}
		if len(items) == 1 {
			return items[0], nil
		}
		return node(Tuple, items...), nil
	}
	return p.atomExpr(false)
}

func (p *parser) setElementsTop() (*Expr, bool, error) {
	p.depth = 0
	groups, err := p.semicolonElements(true)
	if err != nil {
		return nil, false, err
	}
	return elementsToSet(groups), true, nil
}

// elementsToSet is convert_elements_to_set_or_tuple.
func elementsToSet(groups [][]*Expr) *Expr {
	if len(groups) == 1 {
		if len(groups[0]) == 1 {
			return groups[0][0]
		}
		return node(FiniteSet, groups[0]...)
	}
	single := true
	for _, g := range groups {
		if len(g) != 1 {
			single = false
		}
	}
	if single {
		items := make([]*Expr, len(groups))
		for i, g := range groups {
			items[i] = g[0]
		}
		return node(FiniteSet, items...)
	}
	items := make([]*Expr, len(groups))
	for i, g := range groups {
		items[i] = node(Tuple, g...)
	}
	return node(FiniteSet, items...)
}

func (p *parser) semicolonElements(relations bool) ([][]*Expr, error) {
	var groups [][]*Expr
	for {
		var g []*Expr
		for {
			els, err := p.element(relations)
			if err != nil {
				return nil, err
			}
			g = append(g, els...)
			if !p.accept(tComma) {
				break
			}
		}
		groups = append(groups, g)
		if !p.accept(tSemicolon) {
			break
		}
	}
	return groups, nil
}

func endsElement(k tokKind) bool {
	switch k {
	case tComma, tSemicolon, tEOF, tRParen, tRBracket, tRBrace, tRBraceV, tRParenV, tRBrack:
		return true
	}
	return false
}

// element: plus_minus_expr | set_atom | relation (expr without relations).
func (p *parser) element(relations bool) ([]*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	save := p.pos
	// plus_minus_expr: expr PM expr | PM expr
	if p.accept(tPM) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return []*Expr{asUnaryMinus(e), e}, nil
	}
	if l, err := p.expr(); err == nil && p.accept(tPM) {
		r, err := p.expr()
		if err != nil {
			return nil, err
		}
		return []*Expr{addFlat(l, r), addFlat(l, asUnaryMinus(r))}, nil
	}
	p.pos = save
	if a, err := p.try(p.setAtom); err == nil && endsElement(p.peek().kind) {
		return []*Expr{a}, nil
	}
	p.pos = save
	if relations {
		r, err := p.relation()
		if err != nil {
			return nil, err
		}
		return []*Expr{r}, nil
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	return []*Expr{e}, nil
}

func asUnaryMinus(e *Expr) *Expr {
	if e.isRational() {
		return e.neg()
	}
	return node(Mul, intOf(-1), e)
}

// setAtom: interval | literal_set | ordered_tuple | finite_set
func (p *parser) setAtom() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.peek()
	switch t.kind {
	case tSetLiteral:
		p.next()
		switch t.text {
		case "N":
			return leaf(Naturals), nil
		case "Z":
			return leaf(Integers), nil
		case "Q":
			return leaf(Rationals), nil
		case "R":
			return leaf(Reals), nil
		case "C":
			return leaf(Complexes), nil
		case "0":
			return leaf(EmptySet), nil
		}
		return nil, p.errf("unsupported set %s", t.text)
	case tLBrace, tLBraceV, tBoxed:
		if t.kind == tLBrace && p.peekAt(1).kind == tRBrace {
			p.pos += 2
			return leaf(EmptySet), nil
		}
		boxed := t.kind == tBoxed
		p.next()
		if boxed {
			if err := p.expect(tLBrace); err != nil {
				return nil, err
			}
		}
		groups, err := p.semicolonElements(true)
		if err != nil {
			return nil, err
		}
		closer := tRBrace
		if t.kind == tLBraceV {
			closer = tRBraceV
		}
		if err := p.expect(closer); err != nil {
			return nil, err
		}
		if boxed {
			return elementsToSet(groups), nil
		}
		var all []*Expr
		for _, g := range groups {
			all = append(all, g...)
		}
		return node(FiniteSet, all...), nil
	case tLParen, tLBracket, tLParenV, tLBrack:
		save := p.pos
		// interval: open expr ',' expr close
		if iv, err := p.interval(); err == nil {
			return iv, nil
		}
		p.pos = save
		if t.kind == tLBrack {
			return nil, p.errf("not a set")
		}
		p.next()
		groups, err := p.semicolonElements(true)
		if err != nil {
			return nil, err
		}
		closer := map[tokKind]tokKind{tLParen: tRParen, tLBracket: tRBracket, tLParenV: tRParenV}[t.kind]
		if err := p.expect(closer); err != nil {
			return nil, err
		}
		if len(groups) == 1 && len(groups[0]) == 1 {
			return groups[0][0], nil
		}
		var all []*Expr
		for _, g := range groups {
			all = append(all, g...)
		}
		return node(Tuple, all...), nil
	}
	return nil, p.errf("not a set")
}

func (p *parser) interval() (*Expr, error) {
	open := p.next()
	l, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tComma); err != nil {
		return nil, err
	}
	r, err := p.expr()
	if err != nil {
		return nil, err
	}
	cl := p.next()
	leftOpen := open.kind == tLParen || open.kind == tLParenV
	var rightOpen bool
	switch cl.kind {
	case tRParen, tRParenV:
		rightOpen = true
	case tRBracket, tRBrack:
	default:
		return nil, p.errf("not an interval")
	}
	if lv, ok := evalFloat64(l); ok {
		if rv, ok := evalFloat64(r); ok && !l.hasFree() && !r.hasFree() {
			if (leftOpen && rightOpen && rv <= lv) || (!leftOpen && !rightOpen && rv < lv) {
				return node(Tuple, l, r), nil
			}
		}
	}
	return newInterval(l, r, leftOpen, rightOpen), nil
}

// newInterval is SymPy's Interval: open at an infinite end.
func newInterval(l, r *Expr, leftOpen, rightOpen bool) *Expr {
	if l.Kind == NegInfinity {
		leftOpen = true
	}
	if r.Kind == Infinity {
		rightOpen = true
	}
	return &Expr{Kind: Interval, Args: []*Expr{l, r}, LeftOpen: leftOpen, RightOpen: rightOpen}
}

// setRelation: atom_expr_list (IN|NOTIN|=) set_relation | minus_expr
func (p *parser) setRelation() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	save := p.pos
	if lhs, err := p.atomExprList(); err == nil {
		t := p.peek()
		if t.kind == tIn || (t.kind == tRel && t.text == "=") {
			p.next()
			r, err := p.setRelation()
			if err != nil {
				return nil, err
			}
			return rel("==", lhs, r), nil
		}
	}
	p.pos = save
	return p.setMinus()
}

func (p *parser) setMinus() (*Expr, error) {
	l, err := p.setUnion()
	if err != nil {
		return nil, err
	}
	for p.accept(tSetMinus) {
		r, err := p.setUnion()
		if err != nil {
			return nil, err
		}
		l = node(Complement, l, r)
	}
	return l, nil
}

func (p *parser) setUnion() (*Expr, error) {
	l, err := p.setIntersection()
	if err != nil {
		return nil, err
	}
	for p.accept(tUnion) {
		r, err := p.setIntersection()
		if err != nil {
			return nil, err
		}
		l = node(Union, tupleToSet(l), tupleToSet(r))
	}
	return l, nil
}

func (p *parser) setIntersection() (*Expr, error) {
	l, err := p.setGroup()
	if err != nil {
		return nil, err
	}
	for p.accept(tIntersection) {
		r, err := p.setGroup()
		if err != nil {
			return nil, err
		}
		l = node(Intersection, tupleToSet(l), tupleToSet(r))
	}
	return l, nil
}

func tupleToSet(e *Expr) *Expr {
	if e.Kind == Tuple {
		return node(FiniteSet, e.Args...)
	}
	return e
}

func (p *parser) setGroup() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if a, err := p.try(p.setAtom); err == nil {
		return a, nil
	}
	if p.accept(tLParen) {
		e, err := p.setMinus()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return e, nil
	}
	return nil, p.errf("not a set")
}

// --- relations and expressions ---

func (p *parser) relation() (*Expr, error) {
	l, err := p.expr()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		var op string
		switch t.kind {
		case tRel:
			op = t.text
		case tApprox:
			op = "~"
		case tIn:
			return nil, p.errf("unrecognized relation")
		default:
			return l, nil
		}
		p.next()
		r, err := p.expr()
		if err != nil {
			return nil, err
		}
		if op == "~" {
			if isOnlySymbols(l) {
				l = r
			}
			continue
		}
		if op == "=" {
			op = "=="
		}
		switch {
		case l.Kind == And:
			last := l.Args[len(l.Args)-1]
			l = node(And, append(append([]*Expr{}, l.Args...), rel(op, last.Args[1], r))...)
		case l.Kind == Rel:
			l = node(And, l, rel(op, l.Args[1], r))
		default:
			l = rel(op, l, r)
		}
	}
}

// isOnlySymbols is latex2sympy's is_expr_of_only_symbols.
func isOnlySymbols(e *Expr) bool {
	if e.Kind == Symbol {
		return true
	}
	if e.Kind == Pow && e.Args[1].isInt(-1) {
		b := e.Args[0]
		if b.Kind == Symbol {
			return true
		}
		if len(b.Args) > 0 {
			all := true
			for _, a := range b.Args {
				if !isOnlySymbols(a) {
					all = false
				}
			}
			if all {
				return true
			}
		}
	}
	if len(e.Args) > 0 {
		for _, a := range e.Args {
			if !isOnlySymbols(a) {
				return false
			}
		}
		return true
	}
	return false
}

func (p *parser) expr() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.mp(true)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tAdd && t.kind != tSub {
			return l, nil
		}
		p.next()
		r, err := p.mp(true)
		if err != nil {
			return nil, err
		}
		if t.kind == tAdd {
			l = addFlat(l, r)
		} else {
			if r.isNumber() {
				r = r.neg()
			} else {
				r = mulFlat(intOf(-1), r)
			}
			l = addFlat(l, r)
		}
	}
}

func addFlat(l, r *Expr) *Expr {
	if l.Kind == Add || r.Kind == Add {
		var args []*Expr
		if l.Kind == Add {
			args = append(args, l.Args...)
		} else {
			args = append(args, l)
		}
		if r.Kind == Add {
			args = append(args, r.Args...)
		} else {
			args = append(args, r)
		}
		return node(Add, args...)
	}
	return node(Add, l, r)
}

func mulFlat(l, r *Expr) *Expr {
	if l.Kind == Mul || r.Kind == Mul {
		var args []*Expr
		if l.Kind == Mul {
			args = append(args, l.Args...)
		} else {
			args = append(args, l)
		}
		if r.Kind == Mul {
			args = append(args, r.Args...)
		} else {
			args = append(args, r)
		}
		return node(Mul, args...)
	}
	return node(Mul, l, r)
}

func divide(l, r *Expr) *Expr {
	if l.Kind == Integer && r.Kind == Integer {
		if r.Int.Sign() == 0 {
			// Rational(n, 0) is zoo (or nan for 0/0).
			return leaf(NaN)
		}
		return ratExpr(new(big.Rat).SetFrac(l.Int, r.Int))
	}
	return node(Mul, l, node(Pow, r, intOf(-1)))
}

// mp: mp (MUL|DIV|COLON|MOD) mp | unary, left associative.
func (p *parser) mp(funcs bool) (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.unary(funcs)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch t.kind {
		case tMul, tDiv, tColon, tMod:
		default:
			return l, nil
		}
		p.next()
		r, err := p.unary(funcs)
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tMul:
			l = mulFlat(l, r)
		case tDiv, tColon:
			l = divide(l, r)
		case tMod:
			l = fn("Mod", l, r)
		}
	}
}

func (p *parser) unary(funcs bool) (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	switch p.peek().kind {
	case tAdd:
		p.next()
		return p.unary(funcs)
	case tSub:
		p.next()
		e, err := p.unary(funcs)
		if err != nil {
			return nil, err
		}
		if e.isNumber() {
			return e.neg(), nil
		}
		return mulFlat(intOf(-1), e), nil
	}
	// postfix+ (implicit multiplication); in the nofunc form only the
	// first may be a function.
	var list []*Expr
	first := true
	for {
		if !startsPostfix(p.peek().kind) {
			break
		}
		save := p.pos
		e, err := p.postfix(funcs || first)
		if err != nil {
			if first {
				return nil, err
			}
			p.pos = save
			break
		}
		list = append(list, e)
		first = false
	}
	if len(list) == 0 {
		return nil, p.errf("expected an expression, got %q", p.peek().text)
	}
	return postfixList(list), nil
}

// postfixList multiplies the implicit product right to left, as
// convert_postfix_list does, with 2\frac{1}{2} as a mixed number.
func postfixList(list []*Expr) *Expr {
	res := list[0]
	if len(list) == 1 {
		return res
	}
	rh := postfixList(list[1:])
	if res.Kind == Integer && rh.Kind == Rational && rh.Rat.Sign() > 0 {
		q := rh.Rat.Denom()
		n := new(big.Int).Mul(res.Int, q)
		if res.Int.Sign() < 0 {
			n.Sub(n, rh.Rat.Num())
		} else {
			n.Add(n, rh.Rat.Num())
		}
		return ratExpr(new(big.Rat).SetFrac(n, q))
	}
	return mulFlat(res, rh)
}

func startsPostfix(k tokKind) bool {
	switch k {
	case tNumber, tENotation, tPercentNumber, tLetter, tExpE, tEUpper, tDifferential, tGreek, tOtherSym, tAccent,
		tSymbol, tLParen, tLBrace, tLBracket, tLBraceV, tLBrack, tBar, tLVert, tVert, tNorm, tLFloor, tLCeil,
		tFrac, tBinom, tSqrt, tFunc, tFuncMulti, tOperatorNm, tBoxed, tMatrixStart, tSum, tProd:
		return true
	}
	return false
}

func (p *parser) postfix(funcs bool) (*Expr, error) {
	e, err := p.exp(funcs)
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek().kind {
		case tBang:
			p.next()
			e = fn("factorial", e)
		case tDegree, tPrime:
			p.next()
		default:
			return e, nil
		}
	}
}

// exp: exp '^' (atom | '{' expr '}') subexpr? | comp
func (p *parser) exp(funcs bool) (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	base, err := p.comp(funcs)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tCaret {
		p.next()
		x, err := p.supArg()
		if err != nil {
			return nil, err
		}
		if p.peek().kind == tUnderscore {
			if _, err := p.subexpr(); err != nil {
				return nil, err
			}
		}
		base = node(Pow, base, x)
	}
	return base, nil
}

// supArg: atom | '{' expr '}'
func (p *parser) supArg() (*Expr, error) {
	if p.accept(tLBrace) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tRBrace)
	}
	return p.atom()
}

func (p *parser) subexpr() (string, error) {
	if err := p.expect(tUnderscore); err != nil {
		return "", err
	}
	start := p.peek().pos
	if p.accept(tLBrace) {
		depth := 1
		for depth > 0 {
			t := p.next()
			switch t.kind {
			case tLBrace:
				depth++
			case tRBrace:
				depth--
			case tEOF:
				return "", p.errf("unclosed subscript")
			}
			if depth == 0 {
				return strings.ReplaceAll(p.src[start+1:t.pos], " ", ""), nil
			}
		}
	}
	t := p.next()
	switch t.kind {
	case tNumber, tLetter, tExpE, tEUpper, tGreek:
		if t.kind == tGreek {
			return "\\" + t.text, nil
		}
		return t.text, nil
	}
	return "", p.errf("bad subscript")
}

func (p *parser) comp(funcs bool) (*Expr, error) {
	t := p.peek()
	switch t.kind {
	case tLParen, tLBracket, tLBraceV, tLBrack:
		closer := map[tokKind]tokKind{tLParen: tRParen, tLBracket: tRBracket, tLBraceV: tRBraceV, tLBrack: tRBrack}[t.kind]
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(closer)
	case tLBrace:
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tRBrace)
	case tBoxed:
		p.next()
		if err := p.expect(tLBrace); err != nil {
			return nil, err
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tRBrace)
	case tBar, tLVert, tVert:
		closer := map[tokKind]tokKind{tBar: tBar, tLVert: tRVert, tVert: tVert}[t.kind]
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return fn("Abs", e), p.expect(closer)
	case tLFloor, tLCeil:
		closer, name := tRFloor, "floor"
		if t.kind == tLCeil {
			closer, name = tRCeil, "ceiling"
		}
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return fn(name, e), p.expect(closer)
	case tFrac:
		p.next()
		if err := p.expect(tLBrace); err != nil {
			return nil, err
		}
		num, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRBrace); err != nil {
			return nil, err
		}
		if err := p.expect(tLBrace); err != nil {
			return nil, err
		}
		den, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRBrace); err != nil {
			return nil, err
		}
		return divide(num, den), nil
	case tBinom:
		p.next()
		var args [2]*Expr
		for i := range args {
			if err := p.expect(tLBrace); err != nil {
				return nil, err
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tRBrace); err != nil {
				return nil, err
			}
			args[i] = e
		}
		return binomial(args[0], args[1]), nil
	case tMatrixStart:
		return p.matrix()
	case tSqrt:
		p.next()
		var root *Expr
		if p.accept(tLBracket) {
			r, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tRBracket); err != nil {
				return nil, err
			}
			root = r
		}
		if err := p.expect(tLBrace); err != nil {
			return nil, err
		}
		b, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRBrace); err != nil {
			return nil, err
		}
		if root == nil {
			return node(Pow, b, half()), nil
		}
		return node(Pow, b, reciprocal(root)), nil
	case tSum, tProd:
		if !funcs {
			return nil, p.errf("function not allowed here")
		}
		return p.sumOrProduct()
	case tFunc, tFuncMulti, tOperatorNm:
		if !funcs {
			return nil, p.errf("function not allowed here")
		}
		return p.function()
	case tExpE:
		p.next()
		if p.peek().kind == tCaret {
			p.next()
			x, err := p.supArg()
			if err != nil {
				return nil, err
			}
			return expOf(x), nil
		}
		return leaf(Exp1), nil
	}
	// func: atom_expr_no_supexpr supexpr? '(' args ')'  — f(x)
	if funcs && (t.kind == tLetter || t.kind == tGreek) && p.peekAt(1).kind == tLParen {
		if e, err := p.try(p.appliedFunction); err == nil {
			return e, nil
		}
	}
	return p.atom()
}

// sumOrProduct: (\sum | \prod) (subeq supexpr | supexpr subeq) mp, as
// SymPy's Sum(body, (k, lo, hi)) and Product.
func (p *parser) sumOrProduct() (*Expr, error) {
	name := "Sum"
	if p.next().kind == tProd {
		name = "Product"
	}
	var v, lo, hi *Expr
	for range 2 {
		switch p.peek().kind {
		case tUnderscore:
			p.next()
			if err := p.expect(tLBrace); err != nil {
				return nil, err
			}
			l, err := p.expr()
			if err != nil {
				return nil, err
			}
			if t := p.next(); t.kind != tRel || (t.text != "=" && t.text != "==") {
				return nil, p.errf("expected k = start under the sum")
			}
			r, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tRBrace); err != nil {
				return nil, err
			}
			v, lo = l, r
		case tCaret:
			p.next()
			x, err := p.supArg()
			if err != nil {
				return nil, err
			}
			hi = x
		}
	}
	if v == nil || hi == nil {
		return nil, p.errf("a sum needs its bounds")
	}
	body, err := p.mp(true)
	if err != nil {
		return nil, err
	}
	return fn(name, body, v, lo, hi), nil
}

func reciprocal(r *Expr) *Expr {
	switch r.Kind {
	case Integer:
		if r.Int.Sign() == 0 {
			return leaf(NaN)
		}
		return ratExpr(new(big.Rat).SetFrac(bigOne, r.Int))
	case Rational:
		return ratExpr(new(big.Rat).Inv(r.Rat))
	}
	return node(Pow, r, intOf(-1))
}

// expOf is SymPy's exp(x) evaluated: exp(1) is E.
func expOf(x *Expr) *Expr {
	if x.isInt(1) {
		return leaf(Exp1)
	}
	if x.isInt(0) {
		return intOf(1)
	}
	return fn("exp", x)
}

// binomial evaluates binomial(n, k) for small integers, as SymPy does.
func binomial(n, k *Expr) *Expr {
	if n.Kind == Integer && k.Kind == Integer && n.Int.IsInt64() && k.Int.IsInt64() {
		nn, kk := n.Int.Int64(), k.Int.Int64()
		if nn >= 0 && kk >= 0 && nn <= 100000 {
			if kk > nn {
				return intOf(0)
			}
			return intExpr(new(big.Int).Binomial(nn, kk))
		}
	}
	return fn("binomial", n, k)
}

func (p *parser) matrix() (*Expr, error) {
	p.next()
	var rows [][]*Expr
	for {
		var row []*Expr
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			row = append(row, e)
			if !p.accept(tMatrixCol) {
				break
			}
		}
		rows = append(rows, row)
		if !p.accept(tMatrixRow) {
			break
		}
		if p.peek().kind == tMatrixEnd {
			break
		}
	}
	if err := p.expect(tMatrixEnd); err != nil {
		return nil, err
	}
	cols := len(rows[0])
	m := &Expr{Kind: Matrix, Rows: len(rows), Cols: cols}
	for _, r := range rows {
		if len(r) != cols {
			return nil, p.errf("matrix rows of different lengths")
		}
		m.Args = append(m.Args, r...)
	}
	return m, nil
}

func (p *parser) appliedFunction() (*Expr, error) {
	t := p.next()
	name := t.text
	if t.kind == tGreek {
		// The token's text: the command and at most one following space.
		name = "\\" + name
		if end := t.pos + len(name); end < len(p.src) && p.src[end] == ' ' && strings.HasPrefix(p.src[t.pos:], name) {
			name += " "
		}
	}
	if err := p.expect(tLParen); err != nil {
		return nil, err
	}
	// func_common_args: atom | expr ',' | expr ',' args — one argument
	// must be an atom, so n(n+1) is a product, f(x) a function.
	var args []*Expr
	save := p.pos
	if a, err := p.atom(); err == nil && p.peek().kind == tRParen {
		args = []*Expr{a}
	} else {
		p.pos = save
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			if !p.accept(tComma) {
				break
			}
			if p.peek().kind == tRParen {
				break
			}
		}
		if len(args) < 2 && p.toks[p.pos-1].kind != tComma {
			return nil, p.errf("a function of one argument takes an atom")
		}
	}
	if err := p.expect(tRParen); err != nil {
		return nil, err
	}
	if len(args) == 1 && t.kind == tLetter {
		// f(x) with a single-letter function name is an undefined function.
		return &Expr{Kind: Func, Name: name, Args: args}, nil
	}
	return &Expr{Kind: Func, Name: name, Args: args}, nil
}

var trigInverse = map[string]string{"sin": "asin", "cos": "acos", "tan": "atan", "csc": "acsc", "sec": "asec",
	"cot": "acot", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh"}

func (p *parser) function() (*Expr, error) {
	t := p.next()
	name := t.text
	if t.kind == tOperatorNm {
		return nil, p.errf("operatorname is not supported")
	}
	var sub *Expr
	var sup *Expr
	for range 2 {
		switch p.peek().kind {
		case tUnderscore:
			p.next()
			e, err := p.supArg()
			if err != nil {
				return nil, err
			}
			sub = e
		case tCaret:
			p.next()
			e, err := p.supArg()
			if err != nil {
				return nil, err
			}
			sup = e
		}
	}
	var args []*Expr
	if p.peek().kind == tLParen {
		p.next()
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			if t.kind != tFuncMulti || !p.accept(tComma) {
				break
			}
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
	} else {
		e, err := p.mp(false)
		if err != nil {
			return nil, err
		}
		args = []*Expr{e}
	}
	var e *Expr
	switch name {
	case "arcsin", "arccos", "arctan", "arccsc", "arcsec", "arccot":
		e = fn("a"+name[3:], args...)
	case "arsinh", "arcosh", "artanh":
		e = fn("a"+name[2:], args...)
	case "arcsinh", "arccosh", "arctanh":
		e = fn("a"+name[3:], args...)
	case "log", "ln":
		base := intOf(10)
		if sub != nil {
			base = sub
		} else if name == "ln" {
			base = leaf(Exp1)
		}
		e = fn("log", args[0], base)
	case "exp":
		e = fn("exp", args...)
	case "floor":
		e = fn("floor", args...)
	case "ceil":
		e = fn("ceiling", args...)
	case "max", "min":
		e = fn(strings.ToUpper(name[:1])+name[1:], args...)
	case "gcd", "lcm":
		// latex2sympy evaluates gcd and lcm (UnevaluatedExpr of the result);
		// here for integers.
		acc := new(big.Int)
		for i, a := range args {
			if a.Kind != Integer {
				return nil, p.errf("%s of non-integers is not supported", name)
			}
			x := new(big.Int).Abs(a.Int)
			switch {
			case i == 0:
				acc.Set(x)
			case name == "gcd":
				acc.GCD(nil, nil, acc, x)
			case acc.Sign() == 0 || x.Sign() == 0:
				acc.SetInt64(0)
			default:
				g := new(big.Int).GCD(nil, nil, acc, x)
				acc.Mul(acc, new(big.Int).Quo(x, g))
			}
		}
		e = intExpr(acc)
	case "det":
		return nil, p.errf("det is not supported")
	default:
		if sup != nil && sup.isInt(-1) {
			if inv, ok := trigInverse[name]; ok {
				name, sup = inv, nil
			}
		}
		e = fn(name, args...)
	}
	if sup != nil {
		e = node(Pow, e, sup)
	}
	return e, nil
}

// atom: atom_expr | SYMBOL | NUMBER subexpr? | PERCENT_NUMBER | E_NOTATION | 'E' | DIFFERENTIAL
func (p *parser) atom() (*Expr, error) {
	t := p.peek()
	switch t.kind {
	case tNumber:
		p.next()
		if p.peek().kind == tUnderscore {
			if _, err := p.subexpr(); err != nil {
				return nil, err
			}
		}
		return parseNumber(t.text)
	case tENotation:
		p.next()
		return parseNumber(t.text)
	case tPercentNumber:
		p.next()
		n, err := parseNumber(t.text)
		if err != nil {
			return nil, err
		}
		return percent(n), nil
	case tEUpper:
		p.next()
		return symExpr("e"), nil
	case tSymbol:
		p.next()
		if t.text == "\\infty" {
			return leaf(Infinity), nil
		}
		return nil, p.errf("unrecognized symbol")
	case tDifferential:
		p.next()
		v := strings.TrimLeft(t.text[1:], " \t\r\n")
		v = strings.TrimPrefix(v, "\\")
		return symExpr("d" + v), nil
	case tLetter, tGreek, tOtherSym, tAccent:
		return p.atomExpr(true)
	}
	return nil, p.errf("unexpected %q", t.text)
}

func percent(n *Expr) *Expr { return node(Mul, n, ratExpr(big.NewRat(1, 100))) }

// atomExpr: (LETTER | GREEK | OTHER | ACCENT) (supexpr subexpr | subexpr supexpr | subexpr | supexpr)?
func (p *parser) atomExpr(allowSup bool) (*Expr, error) {
	t := p.next()
	var text string
	switch t.kind {
	case tLetter:
		if t.text == "I" {
			return p.withSup(leaf(ImaginaryUnit), allowSup)
		}
		text = t.text
	case tGreek:
		text = t.text
	case tOtherSym:
		text = strings.TrimSpace(t.text)
	case tAccent:
		text = accentText(t.text)
	default:
		return nil, p.errf("unexpected %q", t.text)
	}
	var sup *Expr
	sub := ""
	for range 2 {
		switch p.peek().kind {
		case tUnderscore:
			if sub != "" {
				return nil, p.errf("double subscript")
			}
			s, err := p.subexpr()
			if err != nil {
				return nil, err
			}
			if len(s) > 1 {
				sub = "_{" + s + "}"
			} else {
				sub = "_" + s
			}
		case tCaret:
			if !allowSup || sup != nil {
				break
			}
			p.next()
			x, err := p.supArg()
			if err != nil {
				return nil, err
			}
			sup = x
		}
	}
	sym := makeSymbol(text + sub)
	if sup != nil {
		return node(Pow, sym, sup), nil
	}
	return sym, nil
}

func (p *parser) withSup(e *Expr, allowSup bool) (*Expr, error) {
	if allowSup && p.peek().kind == tCaret {
		p.next()
		x, err := p.supArg()
		if err != nil {
			return nil, err
		}
		return node(Pow, e, x), nil
	}
	return e, nil
}

// makeSymbol is get_symbol with lowercase_symbols: pi is the constant.
func makeSymbol(name string) *Expr {
	name = strings.TrimPrefix(strings.TrimSpace(name), "\\")
	name = strings.ToLower(name)
	if name == "pi" {
		return leaf(Pi)
	}
	return symExpr(name)
}

// accentText is the symbol name of an accent token (\text{abc} -> abc,
// \bar{x} -> bar{x}).
func accentText(tok string) string {
	i := strings.IndexByte(tok, '{')
	name := strings.TrimSpace(tok[1:i])
	text := strings.ReplaceAll(tok[i+1:len(tok)-1], " ", "")
	switch {
	case name == "bar" || name == "overline":
		name = "bar"
	case name == "vec" || name == "overrightarrow":
		name = "vec"
	case name == "tilde" || name == "widetilde":
		name = "tilde"
	case strings.Contains(name, "text") || strings.Contains(name, "mbox"):
		name = ""
		text = strings.NewReplacer("(", "", ")", "").Replace(text)
	case strings.Contains(name, "math"):
		name = "math"
	}
	if name != "" {
		return name + "{" + text + "}"
	}
	return text
}
