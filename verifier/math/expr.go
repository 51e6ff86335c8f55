package math

import (
	"math/big"
)

// Kind is the type of an expression node. The kinds follow SymPy's classes
// so that an answer prints as SymPy prints it.
type Kind uint8

// Expression kinds.
const (
	Integer  Kind = iota + 1 // Int
	Rational                 // Rat, never an integer
	Float                    // Flt with Prec decimal digits
	Symbol                   // Name
	Pi
	Exp1 // E
	Infinity
	NegInfinity
	ImaginaryUnit
	NaN
	Add
	Mul
	Pow
	Func // Name(Args...): sin, log, Abs, factorial, binomial, floor, ...
	Rel  // Name is one of == != < <= > >=; Args are lhs, rhs
	And  // a chain of relations, in the written order
	FiniteSet
	Tuple
	Interval // Args are start and end; LeftOpen, RightOpen
	Union
	Intersection
	Complement
	EmptySet
	Reals
	Naturals
	Integers
	Rationals
	Complexes
	Matrix // Rows x Cols, Args row by row
	Str    // an unparsed string (a fallback of the extraction)
)

// Expr is a parsed answer: a tree that keeps the shape the answer was
// written in (as latex2sympy builds SymPy expressions with evaluate=False),
// so that it prints as NeMo Gym records it and compares as math_verify does.
type Expr struct {
	Kind      Kind
	Name      string
	Int       *big.Int
	Rat       *big.Rat
	Flt       *big.Float
	Prec      int // decimal digits of a Float
	Args      []*Expr
	LeftOpen  bool
	RightOpen bool
	Rows      int
	Cols      int
}

var (
	bigOne    = big.NewInt(1)
	bigZero   = big.NewInt(0)
	bigMinus1 = big.NewInt(-1)
)

func intExpr(v *big.Int) *Expr      { return &Expr{Kind: Integer, Int: v} }
func intOf(v int64) *Expr           { return intExpr(big.NewInt(v)) }
func symExpr(name string) *Expr     { return &Expr{Kind: Symbol, Name: name} }
func leaf(k Kind) *Expr             { return &Expr{Kind: k} }
func node(k Kind, a ...*Expr) *Expr { return &Expr{Kind: k, Args: a} }
func fn(name string, a ...*Expr) *Expr {
	return &Expr{Kind: Func, Name: name, Args: a}
}
func rel(op string, l, r *Expr) *Expr { return &Expr{Kind: Rel, Name: op, Args: []*Expr{l, r}} }

// ratExpr is SymPy's Rational(p, q): an Integer when q divides p.
func ratExpr(r *big.Rat) *Expr {
	if r.IsInt() {
		return intExpr(new(big.Int).Set(r.Num()))
	}
	return &Expr{Kind: Rational, Rat: r}
}

func half() *Expr { return ratExpr(big.NewRat(1, 2)) }

// isNumber reports a SymPy Number: Integer, Rational or Float (and the
// infinities and nan, which SymPy also counts as numbers).
func (e *Expr) isNumber() bool {
	switch e.Kind {
	case Integer, Rational, Float, Infinity, NegInfinity, NaN:
		return true
	}
	return false
}

func (e *Expr) isRational() bool { return e.Kind == Integer || e.Kind == Rational }

// rat returns the value of an Integer or Rational.
func (e *Expr) rat() *big.Rat {
	if e.Kind == Integer {
		return new(big.Rat).SetInt(e.Int)
	}
	return e.Rat
}

func (e *Expr) isInt(v int64) bool { return e.Kind == Integer && e.Int.IsInt64() && e.Int.Int64() == v }

func (e *Expr) isNegativeNumber() bool {
	switch e.Kind {
	case Integer:
		return e.Int.Sign() < 0
	case Rational:
		return e.Rat.Sign() < 0
	case Float:
		return e.Flt.Sign() < 0
	case NegInfinity:
		return true
	}
	return false
}

// neg is SymPy's -x for a number (which latex2sympy applies to numbers).
func (e *Expr) neg() *Expr {
	switch e.Kind {
	case Integer:
		return intExpr(new(big.Int).Neg(e.Int))
	case Rational:
		return &Expr{Kind: Rational, Rat: new(big.Rat).Neg(e.Rat)}
	case Float:
		return &Expr{Kind: Float, Flt: new(big.Float).Neg(e.Flt), Prec: e.Prec}
	case Infinity:
		return leaf(NegInfinity)
	case NegInfinity:
		return leaf(Infinity)
	}
	return node(Mul, intOf(-1), e)
}

func (e *Expr) isSet() bool {
	switch e.Kind {
	case FiniteSet, Interval, Union, Intersection, Complement, EmptySet, Reals, Naturals, Integers, Rationals, Complexes:
		return true
	}
	return false
}

func (e *Expr) isRelation() bool {
	if e.Kind == Rel {
		return true
	}
	if e.Kind == And && len(e.Args) > 0 {
		for _, a := range e.Args {
			if a.Kind != Rel {
				return false
			}
		}
		return true
	}
	return false
}

// size counts the nodes of e, for the resource bounds.
func (e *Expr) size() int {
	n := 1
	for _, a := range e.Args {
		n += a.size()
	}
	return n
}

// hasFree reports whether e has a free symbol.
func (e *Expr) hasFree() bool {
	if e.Kind == Symbol {
		return true
	}
	for _, a := range e.Args {
		if a.hasFree() {
			return true
		}
	}
	return false
}

func (e *Expr) symbols(dst map[string]bool) {
	if e.Kind == Symbol {
		dst[e.Name] = true
	}
	for _, a := range e.Args {
		a.symbols(dst)
	}
}

// equal is structural equality (SymPy's ==), with Add and Mul arguments
// compared as multisets, since SymPy's == sorts commutative arguments.
func (e *Expr) equal(o *Expr) bool {
	if e.Kind != o.Kind || e.Name != o.Name || len(e.Args) != len(o.Args) {
		return false
	}
	switch e.Kind {
	case Integer:
		return e.Int.Cmp(o.Int) == 0
	case Rational:
		return e.Rat.Cmp(o.Rat) == 0
	case Float:
		return e.Flt.Cmp(o.Flt) == 0
	case Interval:
		if e.LeftOpen != o.LeftOpen || e.RightOpen != o.RightOpen {
			return false
		}
	case Matrix:
		if e.Rows != o.Rows || e.Cols != o.Cols {
			return false
		}
	case Add, Mul, FiniteSet:
		used := make([]bool, len(o.Args))
	next:
		for _, a := range e.Args {
			for j, b := range o.Args {
				if !used[j] && a.equal(b) {
					used[j] = true
					continue next
				}
			}
			return false
		}
		return true
	}
	for i := range e.Args {
		if !e.Args[i].equal(o.Args[i]) {
			return false
		}
	}
	return true
}
