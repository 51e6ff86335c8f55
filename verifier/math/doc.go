// Package math decides whether a model's answer to a math problem equals
// the expected one, as the Python library math_verify 0.8.0 (with
// latex2sympy2_extended 1.10.2 and SymPy) does for NVIDIA NeMo Gym's
// math_with_judge environment — without Python.
//
//	r := math.Score(ctx, `\frac{1}{2}`, `... so the answer is $\boxed{0.5}$.`)
//	r.Reward      // 1
//	*r.Extracted  // "1/2", SymPy's printed form of the extracted answer
//
// Score is NeMo Gym's library path. Underneath are math_verify's two steps:
//
//   - Parse extracts answers from a text as math_verify's parse does: its
//     regular expressions for LaTeX ($...$, \[...\], \(...\), \boxed{...},
//     after "final answer is" or "answer:") and for plain numbers and
//     expressions (1,234.5, 50%, 7/5), by priority, the last match first,
//     with latex2sympy's normalization (units, \text, \left, malformed
//     \frac12 and \sqrt2, percent words) and its LaTeX grammar: numbers,
//     fractions and mixed numbers, roots, powers, π and e, percentages,
//     scientific notation, functions (trigonometric, log, exp, floor, abs,
//     factorial, binomial), intervals, finite sets and tuples (with ±),
//     unions, equations and chains of inequalities, and matrices.
//   - Verify compares the extractions as math_verify's verify does: the
//     same structure, then relations (both orders, and solved for their
//     symbol), sets, intervals and tuples element by element, symbols by
//     name, numbers rounded to float_rounding decimals when one side is a
//     float, and otherwise exactly (math/big rationals) or numerically at
//     far beyond SymPy's 15 digits; expressions with free symbols are
//     compared at sample points, in place of SymPy's simplify(a - b) == 0.
//
// An Expr prints (String) as SymPy's str printer prints the corresponding
// SymPy expression — ordering of terms and factors, parentheses, Rational,
// sqrt, Float digits — which is how NeMo Gym records extracted_answer:
// 83/499, sqrt(2), (-(1 - sqrt(3))**4033 + (1 + sqrt(3))**4033)/((2**2017*sqrt(3))).
//
// Bounds. Nothing here hangs or grows without bound: nesting deeper than
// 200 levels, LaTeX longer than 20,000 bytes, numbers beyond 2^(2^20),
// exponents that would exceed that, and factorials and binomials beyond
// small sizes are not evaluated (the comparison is false, so the reward is
// 0); Score reads the last 32 KB of a response; a single regular-expression
// match is abandoned after 2 s; and Parse and Verify stop when their
// context ends, as math_verify's timeouts do.
//
// Where it differs from math_verify: integrals, derivatives, limits,
// \operatorname and determinants are not parsed (math_verify parses them);
// complex numbers compare only structurally; equivalence of expressions
// with symbols is decided numerically (SymPy's simplify can fail to prove
// an identity that holds; this never does); equations are solved only when
// linear in a symbol; and where SymPy evaluates part of an unevaluated
// product while printing it (a negative numerator over a product), the
// printed form differs. The tests measure agreement with math_verify 0.8.0,
// latex2sympy2_extended 1.10.2 and SymPy 1.14 on: math_verify's own
// equivalence cases (TestMathVerifyEquivalence, misses listed in
// testdata/mathverify_known_misses.txt), generated answer pairs and
// model-style responses (reward and extracted_answer), and LaTeX printing
// facts (testdata/*.jsonl, each with its known misses, if any).
package math
