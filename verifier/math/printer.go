package math

import (
	"cmp"
	"errors"
	gomath "math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// String prints e as SymPy's str printer prints the corresponding SymPy
// expression: 83/499, sqrt(2), x + 1, 2*pi, (1 + sqrt(3))**2, {1, 2},
// Interval.Ropen(0, 1), Eq(x, 1).
func (e *Expr) String() string {
	var p printer
	return p.print(e)
}

// SymPy's precedence levels (sympy.printing.precedence).
const (
	precAnd  = 30
	precRel  = 35
	precAdd  = 40
	precMul  = 50
	precPow  = 60
	precFunc = 70
	precAtom = 1000
)

func precedence(e *Expr) int {
	switch e.Kind {
	case Integer, Float, Rational:
		if e.isNegativeNumber() {
			return precAdd
		}
		if e.Kind == Rational {
			return precMul
		}
		return precAtom
	case NegInfinity, Add:
		return precAdd
	case Mul:
		if e.couldExtractMinus() {
			return precAdd
		}
		return precMul
	case Pow:
		return precPow
	case Func:
		if e.Name == "Mod" {
			return precMul
		}
		return precFunc
	case Rel:
		return precRel
	case And:
		return precAnd
	}
	return precAtom
}

// couldExtractMinus is SymPy's could_extract_minus_sign for a Mul: its
// first factor is a negative number.
func (e *Expr) couldExtractMinus() bool {
	switch e.Kind {
	case Mul:
		return len(e.Args) > 0 && e.Args[0].isNegativeNumber()
	case Integer, Rational, Float, NegInfinity:
		return e.isNegativeNumber()
	}
	return false
}

// printer prints one expression; memo keeps the text of subexpressions,
// which the ordering of terms needs again (without it, printing nested
// sums would take time exponential in their depth).
type printer struct {
	level int
	memo  map[*Expr]string
}

func (p *printer) str(e *Expr) string {
	if s, ok := p.memo[e]; ok {
		return s
	}
	saved := p.level
	p.level = 1 // a nested print: Floats stripped
	s := p.print(e)
	p.level = saved
	if p.memo == nil {
		p.memo = map[*Expr]string{}
	}
	p.memo[e] = s
	return s
}

func (p *printer) paren(e *Expr, level int) string {
	if precedence(e) <= level {
		return "(" + p.print(e) + ")"
	}
	return p.print(e)
}

func (p *printer) print(e *Expr) string {
	if p.level > 0 {
		if s, ok := p.memo[e]; ok {
			return s
		}
	}
	p.level++
	s := p.print1(e)
	p.level--
	if p.level > 0 {
		if p.memo == nil {
			p.memo = map[*Expr]string{}
		}
		p.memo[e] = s
	}
	return s
}

func (p *printer) print1(e *Expr) string {
	switch e.Kind {
	case Integer:
		return e.Int.String()
	case Rational:
		return e.Rat.Num().String() + "/" + e.Rat.Denom().String()
	case Float:
		return formatFloat(e.Flt, e.Prec, p.level > 1)
	case Symbol:
		return e.Name
	case Pi:
		return "pi"
	case Exp1:
		return "E"
	case Infinity:
		return "oo"
	case NegInfinity:
		return "-oo"
	case ImaginaryUnit:
		return "I"
	case NaN:
		return "nan"
	case Str:
		return e.Name
	case Add:
		return p.add(e)
	case Mul:
		return p.mul(e)
	case Pow:
		return p.pow(e)
	case Func:
		return p.fn(e)
	case Rel:
		l, r := p.print(e.Args[0]), p.print(e.Args[1])
		switch e.Name {
		case "==":
			return "Eq(" + l + ", " + r + ")"
		case "!=":
			return "Ne(" + l + ", " + r + ")"
		}
		return p.paren(e.Args[0], precRel-1) + " " + e.Name + " " + p.paren(e.Args[1], precRel-1)
	case And:
		parts := make([]string, len(e.Args))
		for i, a := range p.sortedArgs(e.Args) {
			parts[i] = p.paren(a, precRel)
		}
		return strings.Join(parts, " & ")
	case FiniteSet:
		if len(e.Args) == 0 {
			return "EmptySet"
		}
		return "{" + p.join(p.sortedArgs(dedupe(e.Args)), ", ") + "}"
	case Tuple:
		if len(e.Args) == 1 {
			return "(" + p.print(e.Args[0]) + ",)"
		}
		return "(" + p.join(e.Args, ", ") + ")"
	case Interval:
		a, b := e.Args[0], e.Args[1]
		ainf := a.Kind == Infinity || a.Kind == NegInfinity
		binf := b.Kind == Infinity || b.Kind == NegInfinity
		name := "Interval"
		switch {
		case ainf && binf, ainf && !e.RightOpen, binf && !e.LeftOpen, !e.LeftOpen && !e.RightOpen:
		case e.LeftOpen && e.RightOpen:
			name += ".open"
		case e.LeftOpen:
			name += ".Lopen"
		default:
			name += ".Ropen"
		}
		// The ends print as str() does, at top level.
		return name + "(" + a.String() + ", " + b.String() + ")"
	case Union:
		return "Union(" + p.join(e.Args, ", ") + ")"
	case Intersection:
		return "Intersection(" + p.join(e.Args, ", ") + ")"
	case Complement:
		return "Complement(" + p.join(e.Args, ", ") + ")"
	case EmptySet:
		return "EmptySet"
	case Reals:
		return "Reals"
	case Naturals:
		return "Naturals"
	case Integers:
		return "Integers"
	case Rationals:
		return "Rationals"
	case Complexes:
		return "Complexes"
	case Matrix:
		rows := make([]string, e.Rows)
		for i := range e.Rows {
			rows[i] = "[" + p.join(e.Args[i*e.Cols:(i+1)*e.Cols], ", ") + "]"
		}
		return "Matrix([" + strings.Join(rows, ", ") + "])"
	}
	return "?"
}

func (p *printer) join(args []*Expr, sep string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = p.print(a)
	}
	return strings.Join(parts, sep)
}

func (p *printer) fn(e *Expr) string {
	switch e.Name {
	case "exp":
		return "exp(" + p.print(e.Args[0]) + ")"
	case "factorial":
		return "factorial(" + p.print(e.Args[0]) + ")"
	case "Sum", "Product":
		if len(e.Args) == 4 {
			return e.Name + "(" + p.print(e.Args[0]) + ", (" + p.join(e.Args[1:], ", ") + "))"
		}
	case "Mod":
		return p.paren(e.Args[0], precMul) + "%" + p.paren(e.Args[1], precMul)
	}
	return e.Name + "(" + p.join(e.Args, ", ") + ")"
}

func (p *printer) add(e *Expr) string {
	terms := p.orderedTerms(e)
	var b strings.Builder
	for i, t := range terms {
		s := p.print(t)
		sign := "+"
		if strings.HasPrefix(s, "-") && t.Kind != Add {
			sign, s = "-", s[1:]
		}
		if precedence(t) < precAdd {
			s = "(" + s + ")"
		}
		switch {
		case i == 0 && sign == "-":
			b.WriteString("-")
		case i > 0:
			b.WriteString(" " + sign + " ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// isPowNegExp reports a Pow whose exponent has a negative leading
// coefficient (SymPy's exp.as_coeff_Mul()[0] < 0).
func isPowNegExp(e *Expr) bool {
	if e.Kind != Pow {
		return false
	}
	x := e.Args[1]
	if x.Kind == Mul && len(x.Args) > 0 && x.Args[0].isNumber() {
		x = x.Args[0]
	}
	return x.isNegativeNumber()
}

// negExp is -exp of a Pow's exponent, as SymPy would build it.
func negExp(x *Expr) *Expr {
	if x.isNumber() {
		return x.neg()
	}
	if x.Kind == Mul && len(x.Args) > 0 && x.Args[0].isNumber() {
		c := x.Args[0].neg()
		if c.isInt(1) {
			if len(x.Args) == 2 {
				return x.Args[1]
			}
			return node(Mul, x.Args[1:]...)
		}
		return node(Mul, append([]*Expr{c}, x.Args[1:]...)...)
	}
	return node(Mul, intOf(-1), x)
}

func (p *printer) mul(e *Expr) string {
	prec := precedence(e)
	args := e.Args
	unevaluated := len(args) > 0 && args[0].isInt(1)
	if !unevaluated {
		for _, a := range args[1:] {
			if a.isNumber() || (a.Kind == Pow && a.Args[0].Kind == Integer && a.Args[1].Kind == Integer) {
				unevaluated = true
				break
			}
		}
	}
	if unevaluated {
		var d, n []*Expr
		for _, a := range args {
			if isPowNegExp(a) {
				d = append(d, a)
			} else {
				n = append(n, a)
			}
		}
		for i, f := range d {
			x := negExp(f.Args[1])
			if x.isInt(1) {
				d[i] = f.Args[0]
			} else {
				d[i] = node(Pow, f.Args[0], x)
			}
		}
		var nf []string
		if len(n) > 0 && n[0].Kind != Add && n[0].couldExtractMinus() {
			nf = append(nf, p.print(n[0]))
			n = n[1:]
		}
		for _, a := range n {
			nf = append(nf, p.paren(a, prec))
		}
		if len(nf) == 0 {
			nf = []string{"1"}
		}
		var df []string
		if len(d) > 1 && d[0].couldExtractMinus() {
			df = append(df, p.print(d[0]))
			d = d[1:]
		}
		for _, a := range d {
			df = append(df, p.paren(a, prec))
		}
		num := strings.Join(nf, "*")
		switch len(df) {
		case 0:
			return num
		case 1:
			return num + "/" + df[0]
		}
		return num + "/(" + strings.Join(df, "*") + ")"
	}

	sign := ""
	factors := args
	if len(args) > 0 && args[0].isNegativeNumber() {
		c := args[0].neg()
		sign = "-"
		if c.isInt(1) {
			factors = args[1:]
		} else {
			factors = append([]*Expr{c}, args[1:]...)
		}
	}
	factors = p.sortedArgs(factors)
	var a, b []*Expr
	var powParen []*Expr
	for _, f := range factors {
		switch {
		case isPowNegExp(f):
			if !f.Args[1].isInt(-1) {
				b = append(b, node(Pow, f.Args[0], negExp(f.Args[1])))
			} else {
				base := f.Args[0]
				if len(base.Args) != 1 && (base.Kind == Mul || base.Kind == Pow) {
					powParen = append(powParen, base)
				}
				b = append(b, base)
			}
		case f.Kind == Rational:
			if !f.Rat.Num().IsInt64() || f.Rat.Num().Int64() != 1 {
				a = append(a, intExpr(new(big.Int).Set(f.Rat.Num())))
			}
			b = append(b, intExpr(new(big.Int).Set(f.Rat.Denom())))
		default:
			a = append(a, f)
		}
	}
	if len(a) == 0 {
		a = []*Expr{intOf(1)}
	}
	as := make([]string, len(a))
	for i, x := range a {
		as[i] = p.paren(x, prec)
	}
	bs := make([]string, len(b))
	for i, x := range b {
		bs[i] = p.paren(x, prec)
	}
	for _, x := range powParen {
		for i, y := range b {
			if y == x {
				bs[i] = "(" + bs[i] + ")"
				break
			}
		}
	}
	switch len(b) {
	case 0:
		return sign + strings.Join(as, "*")
	case 1:
		return sign + strings.Join(as, "*") + "/" + bs[0]
	}
	return sign + strings.Join(as, "*") + "/(" + strings.Join(bs, "*") + ")"
}

func (p *printer) pow(e *Expr) string {
	base, x := e.Args[0], e.Args[1]
	if x.Kind == Rational && x.Rat.Cmp(big.NewRat(1, 2)) == 0 {
		return "sqrt(" + p.print(base) + ")"
	}
	if x.Kind == Rational && x.Rat.Cmp(big.NewRat(-1, 2)) == 0 {
		return "1/sqrt(" + p.print(base) + ")"
	}
	if x.isInt(-1) {
		return "1/" + p.paren(base, precPow)
	}
	return p.paren(base, precPow) + "**" + p.paren(x, precPow)
}

// formatFloat prints a Float as mpmath's to_str does at the Float's
// decimal precision: fixed notation for exponents in [-5, dps), trailing
// zeros kept at top level and stripped inside other expressions.
func formatFloat(f *big.Float, dps int, strip bool) string {
	if f.Sign() == 0 {
		if strip {
			return "0"
		}
		return "0.0"
	}
	if f.IsInf() {
		if f.Sign() > 0 {
			return "oo"
		}
		return "-oo"
	}
	if dps < 1 {
		dps = 15
	}
	s := f.Text('e', dps-1) // d.ddddde±xx
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, expPart, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expPart)
	digits := strings.Replace(mant, ".", "", 1)
	if strip {
		digits = strings.TrimRight(digits, "0")
		if digits == "" {
			digits = "0"
		}
	}
	var out string
	if exp >= -5 && exp < dps {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				digits += strings.Repeat("0", exp+1-len(digits))
			}
			intPart, frac := digits[:exp+1], digits[exp+1:]
			if frac == "" {
				frac = "0"
			}
			out = intPart + "." + frac
		} else {
			out = "0." + strings.Repeat("0", -exp-1) + digits
		}
	} else {
		m := digits[:1] + "." + digits[1:]
		if len(digits) == 1 {
			m = digits + ".0"
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
		}
		out = m + "e" + sign + strconv.Itoa(absInt(exp))
	}
	if neg {
		out = "-" + out
	}
	return out
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// --- ordering (SymPy's as_ordered_terms / as_ordered_factors) ---

// approx is a float64 approximation of a constant, nan when e has free
// symbols or cannot be evaluated.
func approx(e *Expr) float64 {
	v, ok := evalFloat64(e)
	if !ok {
		return gomath.NaN()
	}
	return v
}

type termKey struct {
	monom []int
	imag  bool // the numeric coefficient is complex (sqrt of a negative)
	re    float64
	idx   int
}

// orderedTerms orders the terms of an Add as SymPy's str printer does.
func (p *printer) orderedTerms(e *Expr) []*Expr {
	args := e.Args
	// Add(Number, Mul(negative number, ...)): the number first.
	if len(args) == 2 {
		var num, other *Expr
		for _, a := range args {
			if a.isNumber() || a.Kind == Pi || a.Kind == Exp1 {
				if num == nil {
					num = a
					continue
				}
			}
			other = a
		}
		if num != nil && other != nil && other.Kind == Mul && len(other.Args) == 2 && num.positive() {
			// Mul's arguments sorted numbers first: a negative number.
			m := other.Args[0]
			if !m.isNumber() {
				m = other.Args[1]
			}
			if m.isNumber() && m.isNegativeNumber() {
				return []*Expr{num, other}
			}
		}
	}
	// Generators: the non-numeric bases of each term's factors.
	type term struct {
		coeff float64
		imag  bool
		cpart map[string]int
	}
	gens := map[string]*Expr{}
	terms := make([]term, len(args))
	for i, t := range args {
		coeff := 1.0
		factors := []*Expr{t}
		if t.Kind == Mul {
			factors = t.Args
		}
		cp := map[string]int{}
		imag := false
		for _, f := range factors {
			if !f.hasFree() {
				if v, ok := evalFloat64(f); ok {
					coeff *= v
					continue
				}
				if f.isArith() && isComplexValued(f) {
					imag = true
					continue
				}
			}
			var base *Expr
			var ex int
			switch {
			case f.Kind == Mul:
				// Mul.as_base_exp rebuilds the product evaluated.
				base, ex = sortCanon(f), 1
			case f.Kind == Pow && f.Args[1].Kind == Rational:
				// decompose_power builds base**(1/q) evaluated.
				base, ex = decomposePower(f)
				base = sortCanon(base)
			default:
				base, ex = decomposePower(f)
			}
			k := p.str(base)
			cp[k] += ex
			gens[k] = base
		}
		terms[i] = term{coeff: coeff, imag: imag, cpart: cp}
	}
	names := make([]string, 0, len(gens))
	for k := range gens {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return p.compareSortKey(gens[a], gens[b]) })
	keys := make([]termKey, len(args))
	for i, t := range terms {
		m := make([]int, len(names))
		for j, n := range names {
			m[j] = t.cpart[n]
		}
		keys[i] = termKey{monom: m, imag: t.imag, re: t.coeff, idx: i}
	}
	slices.SortStableFunc(keys, func(a, b termKey) int {
		for j := range a.monom {
			if c := cmp.Compare(-a.monom[j], -b.monom[j]); c != 0 {
				return c
			}
		}
		if a.imag != b.imag {
			if a.imag {
				return 1
			}
			return -1
		}
		return cmpFloat(a.re, b.re)
	})
	out := make([]*Expr, len(args))
	for i, k := range keys {
		out[i] = args[k.idx]
	}
	return out
}

// isComplexValued reports a constant whose real evaluation leaves the real
// domain (an even root of a negative number).
func isComplexValued(e *Expr) bool {
	ev := &evaluator{prec: 64}
	_, err := ev.eval(e)
	return errors.Is(err, errDomain)
}

// cmpFloat orders floats as Python's < does in a sort (nan compares
// equal to everything, so stable order keeps it in place).
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (e *Expr) positive() bool {
	v, ok := evalFloat64(e)
	return ok && v > 0
}

// sortCanon approximates the evaluated form SymPy gives a generator of an
// Add (as_terms builds them with evaluation): numeric factors of a product
// gathered into a leading coefficient, and a product under a fractional
// power distributed over its factors.
func sortCanon(e *Expr) *Expr {
	switch e.Kind {
	case Mul:
		coeff := big.NewRat(1, 1)
		var rest []*Expr
		var walk func(x *Expr)
		walk = func(x *Expr) {
			switch {
			case x.Kind == Mul:
				for _, a := range x.Args {
					walk(a)
				}
			case x.isRational():
				coeff.Mul(coeff, x.rat())
			default:
				rest = append(rest, sortCanon(x))
			}
		}
		walk(e)
		if len(rest) == 0 {
			return ratExpr(coeff)
		}
		if coeff.Cmp(big.NewRat(1, 1)) != 0 {
			rest = append([]*Expr{ratExpr(coeff)}, rest...)
		}
		if len(rest) == 1 {
			return rest[0]
		}
		return node(Mul, rest...)
	case Pow:
		b, x := e.Args[0], e.Args[1]
		if b.Kind == Mul && x.Kind == Rational {
			parts := make([]*Expr, len(b.Args))
			for i, f := range b.Args {
				parts[i] = node(Pow, f, x)
			}
			return sortCanon(node(Mul, parts...))
		}
	}
	return e
}

// decomposePower is SymPy's decompose_power: x**3 -> (x, 3),
// x**(1/2) -> (x**(1/2), 1), x**n -> (x**n, 1).
func decomposePower(f *Expr) (*Expr, int) {
	if f.Kind != Pow {
		return f, 1
	}
	x := f.Args[1]
	switch x.Kind {
	case Integer:
		if x.Int.IsInt64() && gomath.Abs(float64(x.Int.Int64())) < 1<<30 {
			return f.Args[0], int(x.Int.Int64())
		}
	case Rational:
		if x.Rat.Num().IsInt64() && x.Rat.Num().Int64() < 1<<30 {
			return node(Pow, f.Args[0], ratExpr(new(big.Rat).SetFrac(bigOne, x.Rat.Denom()))), int(x.Rat.Num().Int64())
		}
	}
	return f, 1
}

// sortedArgs sorts factors or set elements by SymPy's sort_key.
func (p *printer) sortedArgs(args []*Expr) []*Expr {
	out := slices.Clone(args)
	slices.SortStableFunc(out, p.compareSortKey)
	return out
}

func dedupe(args []*Expr) []*Expr {
	var out []*Expr
next:
	for _, a := range args {
		for _, b := range out {
			if a.equal(b) {
				continue next
			}
		}
		out = append(out, a)
	}
	return out
}

// funcOrder is the index of SymPy's ordering_of_classes for functions
// (class_key (4, i, name)); unknown functions are 10000, undefined ones 0.
var funcOrder = map[string]int{"sin": 20, "cos": 21, "tan": 22, "cot": 23, "sinh": 30, "cosh": 31, "tanh": 32,
	"coth": 33, "exp": 10, "log": 11, "Max": 0, "Min": 0}

// classKey is SymPy's class_key.
func classKey(e *Expr) []any {
	switch e.Kind {
	case Integer, Rational, Float, Infinity, NegInfinity, NaN:
		return []any{1, 0, "Number"}
	case Pi:
		return []any{2, 0, "Pi"}
	case Exp1:
		return []any{2, 0, "Exp1"}
	case ImaginaryUnit:
		return []any{2, 0, "ImaginaryUnit"}
	case Symbol:
		return []any{2, 0, "Symbol"}
	case Mul:
		return []any{3, 0, "Mul"}
	case Add:
		return []any{3, 1, "Add"}
	case Pow:
		return []any{3, 2, "Pow"}
	case Func:
		i, ok := funcOrder[e.Name]
		if !ok {
			i = 10000
			if len(e.Name) == 1 || strings.HasPrefix(e.Name, "\\") {
				i = 0 // an undefined function f(x)
			}
		}
		return []any{4, i, e.Name}
	}
	return []any{5, 0, "Basic"}
}

func (p *printer) atomStr(e *Expr) string { return p.str(e) }

// sortKey is SymPy's sort_key (default_sort_key) of e.
func (p *printer) sortKey(e *Expr) []any {
	switch e.Kind {
	case Integer, Rational, Float, Infinity, NegInfinity, NaN:
		return []any{classKey(e), []any{0, []any{}}, []any{}, approx(e)}
	case Symbol, Pi, Exp1, ImaginaryUnit:
		return []any{classKey(e), []any{1, []any{p.atomStr(e)}}, p.sortKey(intOf(1)), 1.0}
	}
	coeff, rest := coeffMul(e)
	x := intOf(1)
	if rest.Kind == Pow {
		if rest.Args[0].Kind == Exp1 {
			// E**x sorts like the function exp(x).
			rest = fn("exp", rest.Args[1])
		} else {
			rest, x = rest.Args[0], rest.Args[1]
		}
	}
	var args []any
	switch rest.Kind {
	case Integer, Rational, Float, Symbol, Pi, Exp1, ImaginaryUnit, Infinity, NegInfinity, NaN:
		args = []any{p.atomStr(rest)}
	case Add:
		for _, a := range p.orderedTerms(rest) {
			args = append(args, p.sortKey(a))
		}
	case Mul:
		for _, a := range p.sortedArgs(rest.Args) {
			args = append(args, p.sortKey(a))
		}
	default:
		for _, a := range rest.Args {
			args = append(args, p.sortKey(a))
		}
	}
	return []any{classKey(rest), []any{len(args), args}, p.sortKey(x), approx(coeff)}
}

func compareKeys(a, b any) int {
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			return cmp.Compare(x, y)
		}
		if y, ok := b.(float64); ok {
			return cmpFloat(float64(x), y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmpFloat(x, y)
		}
		if y, ok := b.(int); ok {
			return cmpFloat(x, float64(y))
		}
	case string:
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y)
		}
	case []any:
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if c := compareKeys(x[i], y[i]); c != 0 {
					return c
				}
			}
			return cmp.Compare(len(x), len(y))
		}
	}
	return 0
}

// compareSortKey orders expressions by SymPy's sort_key.
func compareSortKey(a, b *Expr) int {
	var p printer
	return p.compareSortKey(a, b)
}

func (p *printer) compareSortKey(a, b *Expr) int {
	return compareKeys(p.sortKey(a), p.sortKey(b))
}

// coeffMul is SymPy's as_coeff_Mul: the leading number and the rest.
func coeffMul(e *Expr) (*Expr, *Expr) {
	if e.Kind == Mul && len(e.Args) > 1 && e.Args[0].isNumber() {
		if len(e.Args) == 2 {
			return e.Args[0], e.Args[1]
		}
		return e.Args[0], node(Mul, e.Args[1:]...)
	}
	return intOf(1), e
}
