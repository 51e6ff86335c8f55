package math

import (
	"errors"
	gomath "math"
	"math/big"
	"sync"
)

// Numeric evaluation. Constants are evaluated with math/big at a working
// precision; exponents, results and intermediate sizes are bounded so that
// 10^{10^{10}} or 2^{2^{64}} fail fast instead of allocating without bound.

var (
	errNotNumeric = errors.New("math: not a numeric expression")
	errTooLarge   = errors.New("math: number too large to evaluate")
	errDomain     = errors.New("math: outside the real domain")
)

// maxBits bounds the binary exponent of any intermediate value.
const maxBits = 1 << 20

type evaluator struct {
	prec  uint
	env   map[string]*big.Float
	loose bool // a float64 operation lost precision
	steps int
}

func (ev *evaluator) newF() *big.Float { return new(big.Float).SetPrec(ev.prec) }

func (ev *evaluator) check(x *big.Float) (*big.Float, error) {
	if x.IsInf() {
		return nil, errTooLarge
	}
	if x.Sign() != 0 && (x.MantExp(nil) > maxBits || x.MantExp(nil) < -maxBits) {
		return nil, errTooLarge
	}
	return x, nil
}

func (ev *evaluator) eval(e *Expr) (*big.Float, error) {
	ev.steps++
	if ev.steps > 100000 {
		return nil, errTooLarge
	}
	switch e.Kind {
	case Integer:
		if e.Int.BitLen() > maxBits {
			return nil, errTooLarge
		}
		return ev.newF().SetInt(e.Int), nil
	case Rational:
		return ev.newF().SetRat(e.Rat), nil
	case Float:
		return ev.newF().Set(e.Flt), nil
	case Pi:
		return bigPi(ev.prec), nil
	case Exp1:
		return bigE(ev.prec), nil
	case Symbol:
		if v, ok := ev.env[e.Name]; ok {
			return ev.newF().Set(v), nil
		}
		return nil, errNotNumeric
	case Add:
		sum := ev.newF()
		for _, a := range e.Args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			sum.Add(sum, v)
		}
		return ev.check(sum)
	case Mul:
		prod := ev.newF().SetInt64(1)
		for _, a := range e.Args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			prod.Mul(prod, v)
			if _, err := ev.check(prod); err != nil {
				return nil, err
			}
		}
		return prod, nil
	case Pow:
		return ev.pow(e.Args[0], e.Args[1])
	case Func:
		return ev.fn(e)
	}
	return nil, errNotNumeric
}

func (ev *evaluator) pow(be, xe *Expr) (*big.Float, error) {
	base, err := ev.eval(be)
	if err != nil {
		return nil, err
	}
	// Integer exponent: exact repeated squaring within the size bound.
	if xe.Kind == Integer {
		if !xe.Int.IsInt64() {
			return nil, errTooLarge
		}
		n := xe.Int.Int64()
		return ev.powInt(base, n)
	}
	if xe.Kind == Rational && xe.Rat.Num().IsInt64() && xe.Rat.Denom().IsInt64() && xe.Rat.Denom().Int64() <= 64 {
		p, q := xe.Rat.Num().Int64(), xe.Rat.Denom().Int64()
		r, err := ev.root(base, q)
		if err != nil {
			return nil, err
		}
		return ev.powInt(r, p)
	}
	x, err := ev.eval(xe)
	if err != nil {
		return nil, err
	}
	if x.IsInt() {
		if i, acc := x.Int64(); acc == big.Exact {
			return ev.powInt(base, i)
		}
		return nil, errTooLarge
	}
	if base.Sign() < 0 {
		return nil, errDomain
	}
	if base.Sign() == 0 {
		if x.Sign() > 0 {
			return ev.newF(), nil
		}
		return nil, errDomain
	}
	// Real exponent: exp(x*log(base)) in float64 precision.
	b, _ := base.Float64()
	xf, _ := x.Float64()
	lb := gomath.Log(b)
	if gomath.IsInf(b, 0) {
		return nil, errTooLarge
	}
	ev.loose = true
	r := xf * lb
	if gomath.Abs(r) > 700 {
		return nil, errTooLarge
	}
	return ev.newF().SetFloat64(gomath.Exp(r)), nil
}

func (ev *evaluator) powInt(base *big.Float, n int64) (*big.Float, error) {
	if n == 0 {
		return ev.newF().SetInt64(1), nil
	}
	if base.Sign() == 0 {
		if n < 0 {
			return nil, errDomain
		}
		return ev.newF(), nil
	}
	neg := n < 0
	if neg {
		n = -n
	}
	bits := int64(base.MantExp(nil))
	if bits < 0 {
		bits = -bits
	}
	if bits > 0 && n > maxBits/bits+1 {
		return nil, errTooLarge
	}
	if n > 1<<24 {
		// |base| close to 1 can still blow up or vanish slowly; bound the work.
		return nil, errTooLarge
	}
	result := ev.newF().SetInt64(1)
	sq := ev.newF().Set(base)
	for n > 0 {
		if n&1 == 1 {
			result.Mul(result, sq)
			if _, err := ev.check(result); err != nil {
				return nil, err
			}
		}
		n >>= 1
		if n > 0 {
			sq.Mul(sq, sq)
			if _, err := ev.check(sq); err != nil {
				return nil, err
			}
		}
	}
	if neg {
		result.Quo(ev.newF().SetInt64(1), result)
	}
	return ev.check(result)
}

// root is the real q-th root (negative bases only for odd q).
func (ev *evaluator) root(x *big.Float, q int64) (*big.Float, error) {
	if q == 1 {
		return x, nil
	}
	if x.Sign() == 0 {
		return ev.newF(), nil
	}
	neg := x.Sign() < 0
	if neg && q%2 == 0 {
		return nil, errDomain
	}
	a := ev.newF().Abs(x)
	if q == 2 {
		r := ev.newF().Sqrt(a)
		if neg {
			r.Neg(r)
		}
		return r, nil
	}
	// Newton's method from a float64 estimate scaled by the exponent.
	mant := ev.newF()
	exp := a.MantExp(mant)
	m, _ := mant.Float64()
	e0 := float64(exp) / float64(q)
	guess := gomath.Pow(m, 1/float64(q)) * gomath.Exp2(e0-gomath.Floor(e0))
	r := ev.newF().SetFloat64(guess)
	r.SetMantExp(r, int(gomath.Floor(e0)))
	qf := ev.newF().SetInt64(q)
	q1 := ev.newF().SetInt64(q - 1)
	for range 200 {
		// r = ((q-1) r + a / r^(q-1)) / q
		rp, err := ev.powInt(r, q-1)
		if err != nil {
			return nil, err
		}
		t := ev.newF().Quo(a, rp)
		n := ev.newF().Mul(q1, r)
		n.Add(n, t)
		n.Quo(n, qf)
		d := ev.newF().Sub(n, r)
		r = n
		if d.Sign() == 0 || d.MantExp(nil) < r.MantExp(nil)-int(ev.prec)+4 {
			break
		}
	}
	if neg {
		r.Neg(r)
	}
	return r, nil
}

// sum evaluates a finite Sum or Product with integer bounds.
func (ev *evaluator) sum(e *Expr) (*big.Float, error) {
	body, v := e.Args[0], e.Args[1]
	if v.Kind != Symbol {
		return nil, errNotNumeric
	}
	lo, err := ev.eval(e.Args[2])
	if err != nil {
		return nil, err
	}
	hi, err := ev.eval(e.Args[3])
	if err != nil {
		return nil, err
	}
	if !lo.IsInt() || !hi.IsInt() {
		return nil, errNotNumeric
	}
	a, _ := lo.Int64()
	b, _ := hi.Int64()
	if b-a > 10000 {
		return nil, errTooLarge
	}
	acc := ev.newF()
	if e.Name == "Product" {
		acc.SetInt64(1)
	}
	saved, had := ev.env[v.Name]
	if ev.env == nil {
		ev.env = map[string]*big.Float{}
	}
	defer func() {
		if had {
			ev.env[v.Name] = saved
		} else {
			delete(ev.env, v.Name)
		}
	}()
	for k := a; k <= b; k++ {
		ev.env[v.Name] = ev.newF().SetInt64(k)
		x, err := ev.eval(body)
		if err != nil {
			return nil, err
		}
		if e.Name == "Product" {
			acc.Mul(acc, x)
		} else {
			acc.Add(acc, x)
		}
		if _, err := ev.check(acc); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func (ev *evaluator) fn(e *Expr) (*big.Float, error) {
	if (e.Name == "Sum" || e.Name == "Product") && len(e.Args) == 4 {
		return ev.sum(e)
	}
	args := make([]float64, len(e.Args))
	var bigArgs []*big.Float
	for i, a := range e.Args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		bigArgs = append(bigArgs, v)
		args[i], _ = v.Float64()
	}
	switch e.Name {
	case "Abs":
		return ev.newF().Abs(bigArgs[0]), nil
	case "floor", "ceiling":
		if bigArgs[0].IsInt() {
			return bigArgs[0], nil
		}
		i, _ := bigArgs[0].Int(nil)
		r := ev.newF().SetInt(i)
		if e.Name == "floor" && bigArgs[0].Sign() < 0 {
			r.Sub(r, ev.newF().SetInt64(1))
		}
		if e.Name == "ceiling" && bigArgs[0].Sign() > 0 {
			r.Add(r, ev.newF().SetInt64(1))
		}
		return r, nil
	case "factorial":
		if !bigArgs[0].IsInt() || bigArgs[0].Sign() < 0 {
			return nil, errDomain
		}
		n, _ := bigArgs[0].Int64()
		if n > 5000 {
			return nil, errTooLarge
		}
		return ev.newF().SetInt(new(big.Int).MulRange(1, n)), nil
	case "binomial":
		if len(bigArgs) != 2 || !bigArgs[0].IsInt() || !bigArgs[1].IsInt() {
			return nil, errNotNumeric
		}
		n, _ := bigArgs[0].Int64()
		k, _ := bigArgs[1].Int64()
		if n > 100000 || n < 0 || k < 0 {
			return nil, errTooLarge
		}
		if k > n {
			return ev.newF(), nil
		}
		return ev.newF().SetInt(new(big.Int).Binomial(n, k)), nil
	case "Max", "Min":
		r := bigArgs[0]
		for _, v := range bigArgs[1:] {
			if (e.Name == "Max") == (v.Cmp(r) > 0) {
				r = v
			}
		}
		return r, nil
	}
	ev.loose = true
	var r float64
	switch e.Name {
	case "sin":
		r = gomath.Sin(args[0])
	case "cos":
		r = gomath.Cos(args[0])
	case "tan":
		r = gomath.Tan(args[0])
	case "cot":
		r = 1 / gomath.Tan(args[0])
	case "sec":
		r = 1 / gomath.Cos(args[0])
	case "csc":
		r = 1 / gomath.Sin(args[0])
	case "asin":
		r = gomath.Asin(args[0])
	case "acos":
		r = gomath.Acos(args[0])
	case "atan":
		r = gomath.Atan(args[0])
	case "acot":
		r = gomath.Atan(1 / args[0])
	case "sinh":
		r = gomath.Sinh(args[0])
	case "cosh":
		r = gomath.Cosh(args[0])
	case "tanh":
		r = gomath.Tanh(args[0])
	case "asinh":
		r = gomath.Asinh(args[0])
	case "acosh":
		r = gomath.Acosh(args[0])
	case "atanh":
		r = gomath.Atanh(args[0])
	case "exp":
		r = gomath.Exp(args[0])
	case "log":
		if len(args) == 2 {
			r = gomath.Log(args[0]) / gomath.Log(args[1])
		} else {
			r = gomath.Log(args[0])
		}
	default:
		return nil, errNotNumeric
	}
	if gomath.IsNaN(r) {
		return nil, errDomain
	}
	if gomath.IsInf(r, 0) {
		return nil, errTooLarge
	}
	return ev.newF().SetFloat64(r), nil
}

// evalFloat64 evaluates a constant expression to a float64 (±Inf on
// overflow, as Python's complex() of a huge SymPy number gives).
func evalFloat64(e *Expr) (float64, bool) {
	switch e.Kind {
	case Integer:
		f, _ := new(big.Float).SetInt(e.Int).Float64()
		return f, true
	case Rational:
		f, _ := e.Rat.Float64()
		return f, true
	case Float:
		f, _ := e.Flt.Float64()
		return f, true
	case Pi:
		return gomath.Pi, true
	case Exp1:
		return gomath.E, true
	case Infinity:
		return gomath.Inf(1), true
	case NegInfinity:
		return gomath.Inf(-1), true
	}
	if e.hasFree() || !e.isArith() {
		return 0, false
	}
	ev := &evaluator{prec: 64}
	v, err := ev.eval(e)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			if e.Kind == Pow || e.Kind == Mul {
				return gomath.Inf(1), true
			}
		}
		return 0, false
	}
	f, _ := v.Float64()
	return f, true
}

// isArith reports an expression of numbers, constants and arithmetic only.
func (e *Expr) isArith() bool {
	switch e.Kind {
	case Integer, Rational, Float, Pi, Exp1, Symbol:
		return true
	case Add, Mul, Pow, Func:
		for _, a := range e.Args {
			if !a.isArith() {
				return false
			}
		}
		return true
	}
	return false
}

var (
	piCache = map[uint]*big.Float{}
	eCache  = map[uint]*big.Float{}
)

// bigPi computes pi with Machin's formula.
func bigPi(prec uint) *big.Float {
	if v, ok := cachedConst(piCache, prec); ok {
		return v
	}
	p := prec + 32
	atanInv := func(n int64) *big.Float {
		// atan(1/n) = sum (-1)^k / ((2k+1) n^(2k+1))
		x := new(big.Float).SetPrec(p).Quo(new(big.Float).SetPrec(p).SetInt64(1), new(big.Float).SetPrec(p).SetInt64(n))
		n2 := new(big.Float).SetPrec(p).SetInt64(n * n)
		sum := new(big.Float).SetPrec(p).Set(x)
		term := new(big.Float).SetPrec(p).Set(x)
		for k := int64(1); ; k++ {
			term.Quo(term, n2)
			t := new(big.Float).SetPrec(p).Quo(term, new(big.Float).SetPrec(p).SetInt64(2*k+1))
			if t.Sign() == 0 || t.MantExp(nil) < -int(p) {
				break
			}
			if k%2 == 1 {
				sum.Sub(sum, t)
			} else {
				sum.Add(sum, t)
			}
		}
		return sum
	}
	a := atanInv(5)
	a.Mul(a, new(big.Float).SetPrec(p).SetInt64(16))
	b := atanInv(239)
	b.Mul(b, new(big.Float).SetPrec(p).SetInt64(4))
	a.Sub(a, b)
	r := new(big.Float).SetPrec(prec).Set(a)
	storeConst(piCache, prec, r)
	return new(big.Float).SetPrec(prec).Set(r)
}

func bigE(prec uint) *big.Float {
	if v, ok := cachedConst(eCache, prec); ok {
		return v
	}
	p := prec + 32
	sum := new(big.Float).SetPrec(p).SetInt64(1)
	term := new(big.Float).SetPrec(p).SetInt64(1)
	for k := int64(1); ; k++ {
		term.Quo(term, new(big.Float).SetPrec(p).SetInt64(k))
		if term.MantExp(nil) < -int(p) {
			break
		}
		sum.Add(sum, term)
	}
	r := new(big.Float).SetPrec(prec).Set(sum)
	storeConst(eCache, prec, r)
	return new(big.Float).SetPrec(prec).Set(r)
}

var constMu sync.Mutex

func cachedConst(m map[uint]*big.Float, prec uint) (*big.Float, bool) {
	constMu.Lock()
	defer constMu.Unlock()
	v, ok := m[prec]
	if !ok {
		return nil, false
	}
	return new(big.Float).SetPrec(prec).Set(v), true
}

func storeConst(m map[uint]*big.Float, prec uint, v *big.Float) {
	constMu.Lock()
	defer constMu.Unlock()
	if len(m) < 64 {
		m[prec] = v
	}
}
