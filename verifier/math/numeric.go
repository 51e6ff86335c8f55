package math

import (
	gomath "math"
	"math/big"
)

func pow(a, b float64) float64  { return gomath.Pow(a, b) }
func pyRound(x float64) float64 { return gomath.RoundToEven(x) }

// isAtomicOrPct is is_atomic_or_pct_atomic: a number, or X*(1/100) with X
// a number (a percentage).
func isAtomicOrPct(e *Expr, float bool) bool {
	ok := func(x *Expr) bool {
		if float {
			return x.Kind == Float
		}
		return x.isNumber()
	}
	if ok(e) {
		return true
	}
	return e.Kind == Mul && len(e.Args) == 2 && e.Args[1].Kind == Rational &&
		e.Args[1].Rat.Cmp(big.NewRat(1, 100)) == 0 && ok(e.Args[0])
}

func hasFloat(e *Expr) bool {
	if e.Kind == Float {
		return true
	}
	for _, a := range e.Args {
		if hasFloat(a) {
			return true
		}
	}
	return false
}

const workPrec = 256

func evalAt(e *Expr, env map[string]*big.Float, prec uint) (*big.Float, bool, error) {
	ev := &evaluator{prec: prec, env: env}
	v, err := ev.eval(e)
	return v, ev.loose, err
}

// numericEq is sympy_numeric_eq.
func (c *comparer) numericEq(a, b *Expr) bool {
	if ma, ok := matrixDoit(a); ok {
		if mb, ok := matrixDoit(b); ok {
			if ma.Rows != mb.Rows || ma.Cols != mb.Cols {
				return false
			}
			for i := range ma.Args {
				if !c.numericEq(ma.Args[i], mb.Args[i]) && !c.symbolicEq(ma.Args[i], mb.Args[i]) {
					return false
				}
			}
			return true
		}
	}
	if a.Kind == Matrix || b.Kind == Matrix {
		return false
	}
	if isAtomicOrPct(a, false) || isAtomicOrPct(b, false) {
		if isAtomicOrPct(a, true) || isAtomicOrPct(b, true) {
			ra, ok1 := roundTo(a, c.opt.FloatRounding)
			rb, ok2 := roundTo(b, c.opt.FloatRounding)
			return ok1 && ok2 && ra.Cmp(rb) == 0
		}
		// doit() and ==: the values agree exactly.
		if va, ok := exactValue(a); ok {
			if vb, ok := exactValue(b); ok {
				return va.Cmp(vb) == 0
			}
		}
		return constEq(a, b)
	}
	return constEq(a, b)
}

// roundTo is Expr.round(n) as an integer count of 10^-n units.
func roundTo(e *Expr, n int) (*big.Int, bool) {
	if e.hasFree() {
		return nil, false
	}
	if v, ok := exactValue(e); ok {
		scaled := new(big.Rat).Mul(v, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)))
		return roundHalfEven(scaled), true
	}
	v, _, err := evalAt(e, nil, workPrec)
	if err != nil || v.IsInf() {
		return nil, false
	}
	r, _ := v.Rat(nil)
	if r == nil {
		return nil, false
	}
	scaled := r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)))
	return roundHalfEven(scaled), true
}

func roundHalfEven(r *big.Rat) *big.Int {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// q truncates toward zero; m has num's sign.
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	c := twice.Cmp(den)
	if c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, bigOne)
		} else {
			q.Add(q, bigOne)
		}
	}
	return q
}

// constEq decides a - b == 0 for constants numerically, at a working
// precision well beyond SymPy's 15 digits.
func constEq(a, b *Expr) bool {
	if a.hasFree() || b.hasFree() {
		return false
	}
	return closeAt(a, b, nil)
}

func closeAt(a, b *Expr, env map[string]*big.Float) bool {
	va, la, err := evalAt(a, env, workPrec)
	if err != nil {
		return false
	}
	vb, lb, err := evalAt(b, env, workPrec)
	if err != nil {
		return false
	}
	return near(va, vb, la || lb || hasFloat(a) || hasFloat(b))
}

func near(va, vb *big.Float, loose bool) bool {
	d := new(big.Float).SetPrec(workPrec).Sub(va, vb)
	if d.Sign() == 0 {
		return true
	}
	scale := new(big.Float).Abs(va)
	if s := new(big.Float).Abs(vb); s.Cmp(scale) > 0 {
		scale = s
	}
	if scale.Sign() == 0 {
		return false
	}
	rel := new(big.Float).Quo(new(big.Float).Abs(d), scale)
	tol := 0x1p-120
	if loose {
		tol = 1e-11
	}
	return rel.Cmp(big.NewFloat(tol)) <= 0
}

// samplePoints are the values symbols take when two expressions with
// free symbols are compared (SymPy's simplify(a - b) == 0 in its place).
var samplePoints = []float64{0.5772156649015329, 1.4142135623730951, -0.7320508075688772,
	2.718281828459045, -1.618033988749895, 0.3183098861837907, 3.3166247903554, -2.23606797749979}

// symbolicEq is sympy_symbolic_eq: a - b is zero.
func (c *comparer) symbolicEq(a, b *Expr) bool {
	if a.Kind == Matrix || b.Kind == Matrix || !a.isArith() || !b.isArith() {
		return false
	}
	syms := map[string]bool{}
	a.symbols(syms)
	b.symbols(syms)
	if len(syms) == 0 {
		return constEq(a, b)
	}
	names := sortedKeys(syms)
	good := 0
	for i := range samplePoints {
		if c.ctx.Err() != nil {
			return false
		}
		env := map[string]*big.Float{}
		for j, n := range names {
			v := samplePoints[(i+3*j)%len(samplePoints)] * (1 + 0.137*float64(j))
			env[n] = new(big.Float).SetPrec(workPrec).SetFloat64(v)
		}
		va, la, err1 := evalAt(a, env, workPrec)
		vb, lb, err2 := evalAt(b, env, workPrec)
		if err1 != nil && err2 != nil {
			continue
		}
		if (err1 == nil) != (err2 == nil) {
			return false
		}
		if !near(va, vb, la || lb || hasFloat(a) || hasFloat(b)) {
			return false
		}
		good++
	}
	return good >= 3
}

// matrixDoit evaluates sums and products of matrices (and scalars times
// matrices) to one matrix, as SymPy's doit() does for MatAdd and MatMul.
func matrixDoit(e *Expr) (*Expr, bool) {
	switch e.Kind {
	case Matrix:
		return e, true
	case Add:
		var acc *Expr
		for _, a := range e.Args {
			m, ok := matrixDoit(a)
			if !ok {
				return nil, false
			}
			if acc == nil {
				acc = m
				continue
			}
			if acc.Rows != m.Rows || acc.Cols != m.Cols {
				return nil, false
			}
			sum := &Expr{Kind: Matrix, Rows: m.Rows, Cols: m.Cols, Args: make([]*Expr, len(m.Args))}
			for i := range m.Args {
				sum.Args[i] = node(Add, acc.Args[i], m.Args[i])
			}
			acc = sum
		}
		return acc, acc != nil
	case Mul:
		var acc *Expr
		var scalars []*Expr
		for _, a := range e.Args {
			if a.Kind != Matrix && a.Kind != Add && a.Kind != Mul {
				scalars = append(scalars, a)
				continue
			}
			m, ok := matrixDoit(a)
			if !ok {
				return nil, false
			}
			if acc == nil {
				acc = m
				continue
			}
			if acc.Cols != m.Rows || acc.Rows*m.Cols > 10000 {
				return nil, false
			}
			prod := &Expr{Kind: Matrix, Rows: acc.Rows, Cols: m.Cols}
			for i := range acc.Rows {
				for j := range m.Cols {
					var terms []*Expr
					for k := range acc.Cols {
						terms = append(terms, node(Mul, acc.Args[i*acc.Cols+k], m.Args[k*m.Cols+j]))
					}
					prod.Args = append(prod.Args, node(Add, terms...))
				}
			}
			acc = prod
		}
		if acc == nil {
			return nil, false
		}
		if len(scalars) > 0 {
			out := &Expr{Kind: Matrix, Rows: acc.Rows, Cols: acc.Cols, Args: make([]*Expr, len(acc.Args))}
			for i, x := range acc.Args {
				out.Args[i] = node(Mul, append(append([]*Expr{}, scalars...), x)...)
			}
			acc = out
		}
		return acc, true
	}
	return nil, false
}
