package math

import (
	"context"
	"math/big"
	"slices"
	"strings"
)

// Options are verify()'s settings.
type Options struct {
	FloatRounding        int  // float_rounding, default 6
	NumericPrecision     int  // numeric_precision, default 15
	NonStrict            bool // strict=False
	AllowSetRelationComp bool // allow_set_relation_comp
}

// DefaultOptions are verify()'s defaults.
func DefaultOptions() Options { return Options{FloatRounding: 6, NumericPrecision: 15} }

// Verify is math_verify's verify(gold, target): true if any gold and any
// prediction compare equal. Strings compare equal when both are non-empty
// and equal after trimming; an expression never equals a string. ctx bounds
// the work (math_verify's timeout_seconds): a comparison still running
// when ctx is done is false.
func Verify(ctx context.Context, gold, pred []Extracted, opt Options) bool {
	if opt.FloatRounding == 0 {
		opt.FloatRounding = 6
	}
	if opt.NumericPrecision == 0 {
		opt.NumericPrecision = 15
	}
	for _, g := range gold {
		for _, p := range pred {
			if ctx.Err() != nil {
				return false
			}
			if compareOne(ctx, g, p, opt) {
				return true
			}
		}
	}
	return false
}

func compareOne(ctx context.Context, g, p Extracted, opt Options) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	switch {
	case g.Expr != nil && p.Expr != nil:
		c := &comparer{ctx: ctx, opt: opt}
		return c.exprEq(g.Expr, p.Expr)
	case g.Expr == nil && p.Expr == nil:
		a, b := strings.TrimSpace(g.Text), strings.TrimSpace(p.Text)
		return a != "" && b != "" && a == b
	}
	return false
}

type comparer struct {
	ctx context.Context
	opt Options
}

func isEquation(e *Expr) bool {
	if e.Kind == Rel && e.Name == "==" {
		return true
	}
	if e.Kind == And && len(e.Args) > 0 {
		for _, a := range e.Args {
			if !(a.Kind == Rel && a.Name == "==") {
				return false
			}
		}
		return true
	}
	return false
}

func isAssignment(e *Expr) bool {
	if e.Kind == Rel && e.Name == "==" && isOnlySymbols(e.Args[0]) {
		return true
	}
	return e.Kind == And && len(e.Args) > 0 && isEquation(e) && isOnlySymbols(e.Args[0].Args[0])
}

func lastRel(e *Expr) *Expr {
	if e.Kind == And {
		return lastRel(e.Args[len(e.Args)-1])
	}
	return e
}

func firstRel(e *Expr) *Expr {
	if e.Kind == And {
		return e.Args[0]
	}
	return e
}

func (c *comparer) exprEq(gold, pred *Expr) bool {
	if c.ctx.Err() != nil {
		return false
	}
	if c.opt.NonStrict {
		gs, ps := map[string]bool{}, map[string]bool{}
		gold.symbols(gs)
		pred.symbols(ps)
		if len(gs) == len(ps) && len(gs) > 0 {
			gk, pk := sortedKeys(gs), sortedKeys(ps)
			sub := map[string]string{}
			for i := range pk {
				sub[pk[i]] = gk[i]
			}
			pred = renameSymbols(pred, sub)
		}
	}
	goldAssign, predAssign := isAssignment(gold), isAssignment(pred)
	goldEq, predEq := isEquation(gold), isEquation(pred)
	if goldAssign {
		gold = rel("==", firstRel(gold).Args[0], lastRel(gold).Args[1])
	}
	if predAssign {
		pred = rel("==", firstRel(pred).Args[0], lastRel(pred).Args[1])
	}
	if predEq && !goldEq {
		pred = lastRel(pred).Args[1]
	} else if goldAssign && !predEq {
		gold = lastRel(gold).Args[1]
	}
	if gold.isRelation() && pred.isSet() {
		if s, ok := relationAsSet(gold); ok {
			gold = s
		}
	}
	if c.opt.AllowSetRelationComp && pred.isRelation() && gold.isSet() {
		if s, ok := relationAsSet(pred); ok {
			pred = s
		}
	}
	if gold.Kind == NaN {
		return false
	}
	if structEq(gold, pred) {
		return true
	}
	switch {
	case gold.isRelation() && pred.isRelation():
		return c.relEq(gold, pred)
	case gold.isSet() || gold.Kind == Tuple || pred.isSet() || pred.Kind == Tuple:
		return c.setEq(gold, pred)
	case gold.Kind == Symbol || pred.Kind == Symbol:
		return symbolsEq(gold, pred)
	}
	if c.numericEq(gold, pred) {
		return true
	}
	return c.symbolicEq(gold, pred)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func renameSymbols(e *Expr, sub map[string]string) *Expr {
	if e.Kind == Symbol {
		if n, ok := sub[e.Name]; ok {
			return symExpr(n)
		}
		return e
	}
	if len(e.Args) == 0 {
		return e
	}
	cp := *e
	cp.Args = make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		cp.Args[i] = renameSymbols(a, sub)
	}
	return &cp
}

// structEq is SymPy's == after evaluation: the canonical forms agree.
func structEq(a, b *Expr) bool {
	ca, cb := canon(a), canon(b)
	return ca != nil && cb != nil && ca.equal(cb)
}

// canon evaluates the exact parts of an expression: numbers fold into a
// Rational, so that Rational(6, 2), Integer 3 and Pow(9, 1/2) agree.
func canon(e *Expr) *Expr {
	if v, ok := exactValue(e); ok {
		return ratExpr(v)
	}
	if len(e.Args) == 0 {
		return e
	}
	cp := *e
	cp.Args = make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		cp.Args[i] = canon(a)
	}
	return &cp
}

// exactValue evaluates an expression of rationals exactly.
func exactValue(e *Expr) (*big.Rat, bool) {
	switch e.Kind {
	case Integer, Rational:
		return e.rat(), true
	case Add:
		sum := new(big.Rat)
		for _, a := range e.Args {
			v, ok := exactValue(a)
			if !ok {
				return nil, false
			}
			sum.Add(sum, v)
		}
		return sum, true
	case Mul:
		prod := big.NewRat(1, 1)
		for _, a := range e.Args {
			v, ok := exactValue(a)
			if !ok {
				return nil, false
			}
			prod.Mul(prod, v)
		}
		return prod, true
	case Pow:
		b, ok := exactValue(e.Args[0])
		if !ok {
			return nil, false
		}
		x := e.Args[1]
		if x.Kind == Integer && x.Int.IsInt64() {
			n := x.Int.Int64()
			bits := max(b.Num().BitLen(), b.Denom().BitLen())
			if n > 0 && int64(bits)*n > maxBits || n < 0 && int64(bits)*(-n) > maxBits {
				return nil, false
			}
			return ratPow(b, n)
		}
		if x.Kind == Rational && b.Sign() >= 0 && x.Rat.Denom().IsInt64() && x.Rat.Num().IsInt64() {
			// Perfect roots: (p/q)^(a/d) with exact d-th roots.
			d := x.Rat.Denom().Int64()
			if d > 64 {
				return nil, false
			}
			rn, ok1 := intRoot(b.Num(), d)
			rd, ok2 := intRoot(b.Denom(), d)
			if !ok1 || !ok2 {
				return nil, false
			}
			r := new(big.Rat).SetFrac(rn, rd)
			n := x.Rat.Num().Int64()
			bits := max(rn.BitLen(), rd.BitLen())
			if int64(bits)*absInt64(n) > maxBits {
				return nil, false
			}
			return ratPow(r, n)
		}
	}
	return nil, false
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func ratPow(b *big.Rat, n int64) (*big.Rat, bool) {
	if n < 0 {
		if b.Sign() == 0 {
			return nil, false
		}
		b = new(big.Rat).Inv(b)
		n = -n
	}
	num := new(big.Int).Exp(b.Num(), big.NewInt(n), nil)
	den := new(big.Int).Exp(b.Denom(), big.NewInt(n), nil)
	return new(big.Rat).SetFrac(num, den), true
}

func intRoot(x *big.Int, d int64) (*big.Int, bool) {
	if x.Sign() == 0 {
		return new(big.Int), true
	}
	if d == 2 {
		r := new(big.Int).Sqrt(x)
		return r, new(big.Int).Mul(r, r).Cmp(x) == 0
	}
	f, _ := new(big.Float).SetInt(x).Float64()
	g := int64(0)
	if f < 1e300 {
		g = int64(pyRound(pow(f, 1/float64(d))))
	} else {
		return nil, false
	}
	for _, c := range []int64{g - 1, g, g + 1} {
		if c < 0 {
			continue
		}
		r := big.NewInt(c)
		if new(big.Int).Exp(r, big.NewInt(d), nil).Cmp(x) == 0 {
			return r, true
		}
	}
	return nil, false
}

// relationAsSet is Relational.as_set for one-variable linear relations.
func relationAsSet(e *Expr) (*Expr, bool) {
	if e.Kind == Rel {
		return relSet(e)
	}
	if e.Kind == And {
		var lo, hi *Expr
		lopen, ropen := false, false
		for _, r := range e.Args {
			s, ok := relSet(r)
			if !ok || s.Kind != Interval {
				return nil, false
			}
			if s.Args[0].Kind != NegInfinity {
				lo, lopen = s.Args[0], s.LeftOpen
			}
			if s.Args[1].Kind != Infinity {
				hi, ropen = s.Args[1], s.RightOpen
			}
		}
		if lo == nil || hi == nil {
			return nil, false
		}
		return &Expr{Kind: Interval, Args: []*Expr{lo, hi}, LeftOpen: lopen, RightOpen: ropen}, true
	}
	return nil, false
}

// isVariable is a symbol, or an undefined function f(x), which
// math_verify's unwrap_fcs turns into a symbol before as_set.
func isVariable(e *Expr) bool {
	return e.Kind == Symbol || e.Kind == Func && classKey(e)[1] == 0 && e.Name != "Max" && e.Name != "Min"
}

func relSet(r *Expr) (*Expr, bool) {
	l, rt := r.Args[0], r.Args[1]
	op := r.Name
	if !isVariable(l) {
		if !isVariable(rt) {
			return nil, false
		}
		l, rt = rt, l
		op = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}[op]
	}
	if rt.hasFree() {
		return nil, false
	}
	switch op {
	case "<":
		return &Expr{Kind: Interval, Args: []*Expr{leaf(NegInfinity), rt}, LeftOpen: true, RightOpen: true}, true
	case "<=":
		return &Expr{Kind: Interval, Args: []*Expr{leaf(NegInfinity), rt}, LeftOpen: true}, true
	case ">":
		return &Expr{Kind: Interval, Args: []*Expr{rt, leaf(Infinity)}, LeftOpen: true, RightOpen: true}, true
	case ">=":
		return &Expr{Kind: Interval, Args: []*Expr{rt, leaf(Infinity)}, RightOpen: true}, true
	case "==":
		return node(FiniteSet, rt), true
	}
	return nil, false
}

func symbolsEq(gold, pred *Expr) bool {
	if gold.Kind == Symbol && strings.ToLower(gold.Name) == "e" && pred.Kind == Exp1 ||
		pred.Kind == Symbol && strings.ToLower(pred.Name) == "e" && gold.Kind == Exp1 {
		return true
	}
	concat := func(m *Expr) (string, bool) {
		var b strings.Builder
		for _, a := range m.Args {
			switch a.Kind {
			case Symbol:
				b.WriteString(a.Name)
			case Exp1:
				b.WriteString("e")
			default:
				return "", false
			}
		}
		return b.String(), true
	}
	if gold.Kind == Symbol && pred.Kind == Mul {
		if s, ok := concat(pred); ok {
			return strings.ToLower(gold.Name) == strings.ToLower(s)
		}
		return false
	}
	if pred.Kind == Symbol && gold.Kind == Mul {
		if s, ok := concat(gold); ok {
			return strings.ToLower(pred.Name) == strings.ToLower(s)
		}
		return false
	}
	if gold.Kind == Symbol && pred.Kind == Symbol {
		g, p := gold.Name, pred.Name
		if len([]rune(p)) > 1 {
			p = strings.ToLower(p)
		}
		if len([]rune(g)) > 1 {
			g = strings.ToLower(g)
		}
		return g == p
	}
	return gold.String() == pred.String()
}

func (c *comparer) relEq(gold, pred *Expr) bool {
	if gold.Kind == And && pred.Kind == And {
		if len(gold.Args) != len(pred.Args) {
			return false
		}
		for i := range gold.Args {
			if !c.relEq(gold.Args[i], pred.Args[i]) {
				return false
			}
		}
		return true
	}
	if gold.Kind != Rel || pred.Kind != Rel {
		return false
	}
	diff := func(r *Expr, flip bool) *Expr {
		if flip {
			return addFlat(r.Args[1], pyNeg(r.Args[0]))
		}
		return addFlat(r.Args[0], pyNeg(r.Args[1]))
	}
	if gold.Name == pred.Name && c.exprEq(diff(gold, false), diff(pred, false)) {
		return true
	}
	inverse := map[string]string{">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "=="}
	if inv, ok := inverse[gold.Name]; ok && inv == pred.Name && c.exprEq(diff(gold, false), diff(pred, true)) {
		return true
	}
	// solve() and compare: equations linear in one symbol.
	if gold.Name == "==" && pred.Name == "==" {
		gs, ok1 := c.solveLinear(gold)
		ps, ok2 := c.solveLinear(pred)
		if ok1 && ok2 && gs.name == ps.name {
			return c.exprEq(gs.value, ps.value)
		}
	}
	return false
}

type solution struct {
	name  string
	value *Expr
}

// solveLinear solves lhs = rhs as SymPy's solve does for an equation
// linear in its first symbol (by name): {x: value}, the value an
// expression in the other symbols.
func (c *comparer) solveLinear(r *Expr) (solution, bool) {
	syms := map[string]bool{}
	r.symbols(syms)
	if len(syms) == 0 {
		return solution{}, false
	}
	names := sortedKeys(syms)
	if len(names) == 1 {
		if s, ok := solveLinear1(r, names[0]); ok {
			return s, true
		}
	}
	d := addFlat(r.Args[0], pyNeg(r.Args[1]))
	for _, name := range names {
		f0 := substitute(d, name, intOf(0))
		f1 := substitute(d, name, intOf(1))
		f2 := substitute(d, name, intOf(2))
		a := addFlat(f1, pyNeg(f0))
		if c.exprEq(intOf(0), a) || !c.exprEq(addFlat(f2, pyNeg(f1)), a) {
			continue
		}
		return solution{name: name, value: node(Mul, intOf(-1), f0, node(Pow, a, intOf(-1)))}, true
	}
	return solution{}, false
}

func solveLinear1(r *Expr, name string) (solution, bool) {
	d := addFlat(r.Args[0], pyNeg(r.Args[1]))
	// f(x) = a x + b: evaluate at x=0 and x=1 exactly.
	f := func(x int64) (*big.Rat, bool) {
		return exactValue(substitute(d, name, intOf(x)))
	}
	b, ok1 := f(0)
	a1, ok2 := f(1)
	a2, ok3 := f(2)
	if !ok1 || !ok2 || !ok3 {
		return solution{}, false
	}
	a := new(big.Rat).Sub(a1, b)
	if new(big.Rat).Sub(a2, a1).Cmp(a) != 0 || a.Sign() == 0 {
		return solution{}, false
	}
	return solution{name: name, value: ratExpr(new(big.Rat).Quo(new(big.Rat).Neg(b), a))}, true
}

func substitute(e *Expr, name string, v *Expr) *Expr {
	if e.Kind == Symbol && e.Name == name {
		return v
	}
	if len(e.Args) == 0 {
		return e
	}
	cp := *e
	cp.Args = make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		cp.Args[i] = substitute(a, name, v)
	}
	return &cp
}

func (c *comparer) setEq(gold, pred *Expr) bool {
	a, b := gold, pred
	if !a.isSet() && a.Kind != Tuple {
		a = node(FiniteSet, a)
	}
	if !b.isSet() && b.Kind != Tuple {
		b = node(FiniteSet, b)
	}
	if a.Kind == Interval && b.Kind == Interval {
		return a.LeftOpen == b.LeftOpen && a.RightOpen == b.RightOpen &&
			c.exprEq(a.Args[0], b.Args[0]) && c.exprEq(a.Args[1], b.Args[1])
	}
	if structEq(a, b) {
		return true
	}
	if a.Kind == FiniteSet && b.Kind == FiniteSet && sameElements(a, b) {
		// a.symmetric_difference(b).is_empty: the elements evaluated.
		return true
	}
	if isFiniteLike(a) && isFiniteLike(b) {
		return c.deepCompare(a, b)
	}
	if a.Kind == Interval && isFiniteLike(b) && a.LeftOpen && a.RightOpen && len(dedupeIf(b)) == 2 {
		return c.deepCompare(node(Tuple, a.Args...), b)
	}
	if b.Kind == Interval && isFiniteLike(a) && b.LeftOpen && b.RightOpen && len(dedupeIf(a)) == 2 {
		return c.deepCompare(a, node(Tuple, b.Args...))
	}
	return false
}

// sameElements: every element of a equals (evaluated) one of b and back.
func sameElements(a, b *Expr) bool {
	in := func(x *Expr, set []*Expr) bool {
		for _, y := range set {
			if structEq(x, y) {
				return true
			}
		}
		return false
	}
	for _, x := range a.Args {
		if !in(x, b.Args) {
			return false
		}
	}
	for _, y := range b.Args {
		if !in(y, a.Args) {
			return false
		}
	}
	return true
}

func isFiniteLike(e *Expr) bool { return e.Kind == FiniteSet || e.Kind == Tuple }

func dedupeIf(e *Expr) []*Expr {
	if e.Kind == FiniteSet {
		return dedupe(e.Args)
	}
	return e.Args
}

func (c *comparer) deepCompare(gold, pred *Expr) bool {
	ga, pa := dedupeIf(gold), dedupeIf(pred)
	if len(ga) != len(pa) {
		return false
	}
	switch {
	case gold.Kind == FiniteSet:
		ga, pa = valueSorted(ga), valueSorted(pa)
	case gold.Kind == Tuple && pred.Kind == FiniteSet:
		pa = pred.Args // the written order
		if len(pa) != len(ga) {
			return false
		}
	case pred.Kind == FiniteSet:
		pa = valueSorted(pa)
	}
	for i := range ga {
		if !c.exprEq(ga[i], pa[i]) {
			return false
		}
	}
	return true
}

// valueSorted orders set elements by value (math_verify's sort_key, which
// sorts by the evaluated element), falling back to the printed form.
func valueSorted(args []*Expr) []*Expr {
	out := slices.Clone(args)
	slices.SortStableFunc(out, func(a, b *Expr) int {
		av, aok := evalFloat64(unwrapEq(a))
		bv, bok := evalFloat64(unwrapEq(b))
		switch {
		case aok && bok:
			return cmpFloat(av, bv)
		case aok:
			return -1
		case bok:
			return 1
		}
		return compareSortKey(a, b)
	})
	return out
}

func unwrapEq(e *Expr) *Expr {
	if isAssignment(e) {
		return lastRel(e).Args[1]
	}
	return e
}
