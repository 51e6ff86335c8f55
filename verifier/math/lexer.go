package math

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The lexer follows latex2sympy2_extended's PS.g4: longest match, and the
// first rule on a tie.

type tokKind uint8

const (
	tEOF tokKind = iota
	tNumber
	tENotation
	tPercentNumber
	tLetter // LETTER_NO_E
	tExpE   // e
	tEUpper // E
	tDifferential
	tGreek
	tOtherSym
	tAccent  // \text{...}, \bar{...}
	tSymbol  // \infty, \partial
	tAdd     // +
	tSub     // -
	tMul     // * × \times \cdot
	tDiv     // / ÷ \div \over
	tColon   // :
	tMod     // \mod
	tLParen  // (
	tRParen  // )
	tLParenV // \(
	tRParenV // \)
	tLBrace  // {
	tRBrace  // }
	tLBraceV // \{ \lbrace
	tRBraceV // \} \rbrace
	tLBracket
	tRBracket
	tLBrack // \lbrack
	tRBrack
	tBar   // |
	tLVert // \lvert
	tRVert // \rvert
	tVert  // \vert
	tNorm  // \|
	tLFloor
	tRFloor
	tLCeil
	tRCeil
	tCaret
	tUnderscore
	tComma
	tSemicolon
	tBang
	tPrime
	tFrac
	tBinom
	tSqrt
	tFunc       // \sin \log ... (Text is the name)
	tFuncMulti  // \gcd \lcm \max \min
	tOperatorNm // \operatorname
	tBoxed
	tRel // = < > \le ... (Text is the canonical operator)
	tIn
	tNotIn
	tApprox
	tPM // \pm
	tUnion
	tIntersection
	tSetMinus
	tSetLiteral // \mathbb{R}, \emptyset, ... (Text is the kind)
	tMatrixStart
	tMatrixEnd
	tMatrixCol
	tMatrixRow
	tDegree // ^\circ
	tKeyword
	tSum  // \sum
	tProd // \prod
	tOther
)

type token struct {
	kind tokKind
	text string
	pos  int
}

var greekNames = map[string]string{}

func init() {
	for _, g := range []string{"alpha", "beta", "gamma", "Gamma", "delta", "Delta", "epsilon", "varepsilon",
		"zeta", "eta", "theta", "Theta", "vartheta", "iota", "kappa", "lambda", "Lambda", "mu", "nu", "xi", "Xi",
		"omicron", "pi", "Pi", "varpi", "rho", "varrho", "sigma", "Sigma", "varsigma", "tau", "upsilon", "Upsilon",
		"phi", "Phi", "varphi", "chi", "psi", "Psi", "omega", "Omega"} {
		greekNames["\\"+g] = g
	}
	for k, v := range map[string]string{"α": "alpha", "β": "beta", "γ": "gamma", "Γ": "Gamma", "δ": "delta", "Δ": "Delta",
		"ε": "epsilon", "ϵ": "varepsilon", "ζ": "zeta", "η": "eta", "θ": "theta", "Θ": "Theta", "ϑ": "vartheta",
		"ι": "iota", "κ": "kappa", "λ": "lambda", "Λ": "Lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "Ξ": "Xi",
		"ο": "omicron", "π": "pi", "Π": "Pi", "ϖ": "varpi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma", "Σ": "Sigma",
		"ς": "varsigma", "τ": "tau", "υ": "upsilon", "Υ": "Upsilon", "φ": "phi", "Φ": "Phi", "ϕ": "varphi",
		"χ": "chi", "ψ": "psi", "Ψ": "Psi", "ω": "omega", "Ω": "Omega"} {
		greekNames[k] = v
	}
}

var skipCmds = []string{"\\,", "\\thinspace", "\\:", "\\medspace", "\\;", "\\thickspace", "\\quad", "\\qquad",
	"\\!", "\\negthinspace", "\\negmedspace", "\\negthickspace", "\\$", "\\vrule", "\\vcenter", "\\vbox",
	"\\vskip", "\\vspace", "\\hfil"}

var funcSingle = map[string]bool{"log": true, "ln": true, "exp": true, "sin": true, "cos": true, "tan": true,
	"csc": true, "sec": true, "cot": true, "arcsin": true, "arccos": true, "arctan": true, "arccsc": true,
	"arcsec": true, "arccot": true, "sinh": true, "cosh": true, "tanh": true, "arsinh": true, "arcosh": true,
	"artanh": true, "arcsinh": true, "arccosh": true, "arctanh": true, "floor": true, "ceil": true, "det": true}

var funcMulti = map[string]bool{"gcd": true, "lcm": true, "max": true, "min": true}

var accentCmds = []string{"acute", "bar", "overline", "breve", "check", "widecheck", "dot", "ddot", "grave",
	"hat", "tilde", "widetilde", "vec", "overrightarrow", "bm", "boldsymbol", "text", "textit", "textbf",
	"textnormal", "mathbb", "mathbin", "mathbf", "mathcal", "mathclap", "mathclose", "mathellipsis", "mathfrak",
	"mathinner", "mathit", "mathnormal", "mathop", "mathopen", "mathord", "mathpunct", "mathrel", "mathring",
	"mathrlap", "mathrm", "mathscr", "mathsf", "mathsterling", "mathtt", "mbox"}

var otherSymbols = []string{"Bbbk", "wp", "nabla", "bigstar", "angle", "nexists", "diagdown", "measuredangle",
	"eth", "diagup", "sphericalangle", "clubsuit", "varnothing", "Diamond", "complement", "diamondsuit", "imath",
	"Finv", "triangledown", "heartsuit", "jmath", "Game", "triangle", "spadesuit", "ell", "hbar", "vartriangle",
	"hslash", "blacklozenge", "lozenge", "blacksquare", "mho", "blacktriangle", "sharp", "prime", "Im", "flat",
	"square", "backprime", "Re", "natural", "surd", "circledS"}

// keywords are the bare-word tokens of PS.g4 (operator names), which make
// a plain expression containing them fail to parse, as in latex2sympy.
var keywords = []string{"arsinh", "arcsinh", "arcosh", "arccosh", "artanh", "arctanh", "gcd", "lcm", "floor", "ceil",
	"eye", "zeros", "ones", "cols", "rows", "diag", "norm", "rank", "trace", "tr", "rref", "hstack", "vstack",
	"orthogonalize", "orthogonal", "ortho", "orth", "nullspace", "diagonalize", "eigen", "eig", "eigenvals", "eigenvalues",
	"eigenvects", "eigenvectors", "svd", "SVD", "matrix", "pmatrix", "bmatrix", "vmatrix"}

// fixed maps literal token texts to kinds (commands and symbols).
var fixed = map[string]tokKind{
	"+": tAdd, "∔": tAdd, "⊕": tAdd, "⊞": tAdd,
	"-": tSub, "−": tSub, "∸": tSub,
	"*": tMul, "×": tMul, "⋅": tMul, "∗": tMul, "⋆": tMul, "∘": tMul, "∙": tMul, "\\times": tMul, "\\cdot": tMul,
	"/": tDiv, "÷": tDiv, "∕": tDiv, "\\over": tDiv, "\\div": tDiv,
	"(": tLParen, ")": tRParen, "\\(": tLParenV, "\\)": tRParenV, "\\lgroup": tLParen, "\\rgroup": tRParen,
	"{": tLBrace, "}": tRBrace, "\\{": tLBraceV, "\\}": tRBraceV, "\\lbrace": tLBraceV, "\\rbrace": tRBraceV,
	"[": tLBracket, "]": tRBracket, "\\lbrack": tLBrack, "\\rbrack": tRBrack,
	"|": tBar, "\\lvert": tLVert, "\\rvert": tRVert, "\\vert": tVert, "\\|": tNorm,
	"\\lfloor": tLFloor, "\\rfloor": tRFloor, "\\llcorner": tLFloor, "\\lrcorner": tRFloor,
	"\\lceil": tLCeil, "\\rceil": tRCeil, "\\ulcorner": tLCeil, "\\urcorner": tRCeil,
	"^": tCaret, "_": tUnderscore, ",": tComma, ";": tSemicolon, ":": tColon, "!": tBang, "'": tPrime,
	"\\frac": tFrac, "\\dfrac": tFrac, "\\tfrac": tFrac, "\\cfrac": tFrac,
	"\\binom": tBinom, "\\tbinom": tBinom, "\\dbinom": tBinom,
	"\\sqrt": tSqrt, "\\mod": tMod, "\\sum": tSum, "\\prod": tProd, "\\operatorname": tOperatorNm, "\\boxed": tBoxed, "\\phantom": tBoxed,
	"\\in": tIn, "\\notin": tNotIn, "∉": tNotIn,
	"\\approx": tApprox, "~=": tApprox, "≈": tApprox, "≊": tApprox, "≋": tApprox, "≃": tApprox, "≅": tApprox,
	"\\pm": tPM, "±": tPM, "∓": tPM, "\\mp": tPM,
	"\\cup": tUnion, "∪": tUnion, "\\cap": tIntersection, "∩": tIntersection, "\\setminus": tSetMinus, "∖": tSetMinus,
	"&": tMatrixCol, "\\\\": tMatrixRow,
	"\\infty": tSymbol, "\\partial": tSymbol,
	"e": tExpE, "\\exponentialE": tExpE, "E": tEUpper,
	"^\\circ": tDegree, "^{\\circ}": tDegree, "^\\degree": tDegree, "^{\\degree}": tDegree, "^°": tDegree, "^{°}": tDegree,
}

var relTokens = map[string]string{
	"=": "=", "≡": "=", "==": "==", "\\equiv": "==",
	"<": "<", "\\lt": "<", "≪": "<", "≺": "<", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<=", "≤": "<=", "≦": "<=", "<=": "<=",
	">": ">", "\\gt": ">", "≫": ">", "≻": ">", "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=", "≥": ">=", "≧": ">=", ">=": ">=",
	"!=": "!=", "\\ne": "!=", "\\neq": "!=", "≠": "!=",
}

var setLiterals = map[string]string{
	"\\mathbb{N}": "N", "ℕ": "N", "\\mathbb{Z}": "Z", "ℤ": "Z", "\\mathbb{Q}": "Q", "ℚ": "Q",
	"\\mathbb{R}": "R", "ℝ": "R", "\\mathbb{C}": "C", "ℂ": "C", "\\mathbb{P}": "P", "ℙ": "P",
	"\\emptyset": "0", "∅": "0", "\\{\\}": "0", "\\lbrace\\rbrace": "0",
}

// literals sorted longest first, for longest-match lexing.
var literals []string

func init() {
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			literals = append(literals, s)
		}
	}
	for k := range fixed {
		add(k)
	}
	for k := range relTokens {
		add(k)
	}
	for k := range setLiterals {
		add(k)
	}
	for _, k := range skipCmds {
		add(k)
	}
	sort.Slice(literals, func(i, j int) bool {
		if len(literals[i]) != len(literals[j]) {
			return len(literals[i]) > len(literals[j])
		}
		return literals[i] < literals[j]
	})
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// lex splits s into tokens, or fails on a character the grammar has no
// token for.
func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		start := i
		// Numbers, e-notation, percent numbers.
		if isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])) {
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]) {
				j++
				for j < len(s) && isDigit(s[j]) {
					j++
				}
			}
			num := s[i:j]
			// E_NOTATION: NUMBER 'E' [+-]? DIGIT+
			if j < len(s) && s[j] == 'E' {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				d := k
				for k < len(s) && isDigit(s[k]) {
					k++
				}
				if k > d {
					toks = append(toks, token{tENotation, s[i:k], start})
					i = k
					continue
				}
			}
			// PERCENT_NUMBER: NUMBER WS? ('\%' | '%')
			k := j
			if k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
				k++
			}
			if strings.HasPrefix(s[k:], "\\%") {
				toks = append(toks, token{tPercentNumber, num, start})
				i = k + 2
				continue
			}
			if k < len(s) && s[k] == '%' {
				toks = append(toks, token{tPercentNumber, num, start})
				i = k + 1
				continue
			}
			toks = append(toks, token{tNumber, num, start})
			i = j
			continue
		}
		if c == '\\' {
			// Commands: read the name.
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			name := s[i+1 : j]
			if name != "" {
				t, n, ok := lexCommand(s, i, name)
				for k := len(name) - 1; !ok && k > 0; k-- {
					// The longest command that is a prefix (\quadx is \quad x).
					t, n, ok = lexCommand(s, i, name[:k])
				}
				if !ok {
					return nil, fmt.Errorf("math: unknown command \\%s at %d", name, i)
				}
				if t.kind != tOther {
					t.pos = start
					toks = append(toks, t)
				}
				i += n
				continue
			}
		}
		if c == 'd' && i+1 < len(s) {
			// DIFFERENTIAL: 'd' WS*? ([a-zA-Z] | '\' [a-zA-Z]+)
			k := i + 1
			for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
				k++
			}
			if k < len(s) && isLetter(s[k]) {
				// A keyword starting at i wins only if longer.
				if kw := keywordAt(s, i); len(kw) > k+1-i {
					toks = append(toks, token{tKeyword, kw, start})
					i += len(kw)
					continue
				}
				toks = append(toks, token{tDifferential, s[i : k+1], start})
				i = k + 1
				continue
			}
			if k+1 < len(s) && s[k] == '\\' && isLetter(s[k+1]) {
				m := k + 1
				for m < len(s) && isLetter(s[m]) {
					m++
				}
				toks = append(toks, token{tDifferential, s[i:m], start})
				i = m
				continue
			}
		}
		if isLetter(c) {
			if kw := keywordAt(s, i); kw != "" && len(kw) > 1 {
				toks = append(toks, token{tKeyword, kw, start})
				i += len(kw)
				continue
			}
			switch c {
			case 'e':
				toks = append(toks, token{tExpE, "e", start})
			case 'E':
				toks = append(toks, token{tEUpper, "E", start})
			default:
				toks = append(toks, token{tLetter, string(c), start})
			}
			i++
			continue
		}
		// Literal tokens, longest first.
		matched := false
		for _, lit := range literals {
			if strings.HasPrefix(s[i:], lit) {
				matched = true
				i += len(lit)
				if slicesContains(skipCmds, lit) {
					break
				}
				switch {
				case relTokens[lit] != "":
					toks = append(toks, token{tRel, relTokens[lit], start})
				case setLiterals[lit] != "":
					toks = append(toks, token{tSetLiteral, setLiterals[lit], start})
				default:
					toks = append(toks, token{fixed[lit], lit, start})
				}
				break
			}
		}
		if matched {
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if g, ok := greekNames[string(r)]; ok {
			toks = append(toks, token{tGreek, g, start})
			i += n
			continue
		}
		return nil, fmt.Errorf("math: unexpected %q at %d", string(r), i)
	}
	toks = append(toks, token{tEOF, "", len(s)})
	return toks, nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func keywordAt(s string, i int) string {
	best := ""
	for _, kw := range keywords {
		if strings.HasPrefix(s[i:], kw) && len(kw) > len(best) {
			best = kw
		}
	}
	return best
}

// lexCommand lexes a backslash command starting at s[i] with the given
// letters; it returns the token and the number of bytes consumed.
func lexCommand(s string, i int, name string) (token, int, bool) {
	full := "\\" + name
	n := len(full)
	rest := s[i+n:]
	// Matrix environments.
	if name == "begin" || name == "end" {
		for _, env := range []string{"matrix", "pmatrix", "bmatrix", "vmatrix", "array"} {
			p := "{" + env + "}"
			if strings.HasPrefix(rest, p) {
				kind := tMatrixStart
				if name == "end" {
					kind = tMatrixEnd
				}
				m := n + len(p)
				if env == "array" && name == "begin" {
					r := s[i+m:]
					if strings.HasPrefix(r, "{") {
						k := strings.IndexByte(r, '}')
						if k < 0 {
							return token{}, 0, false
						}
						m += k + 1
					}
				}
				return token{kind: kind, text: env}, m, true
			}
		}
		return token{}, 0, false
	}
	if g, ok := greekNames[full]; ok {
		m := n
		if strings.HasPrefix(rest, " ") {
			m++
		}
		return token{kind: tGreek, text: g}, m, true
	}
	if slicesContains(otherSymbols, name) {
		m := n
		if strings.HasPrefix(rest, " ") {
			m++
		}
		return token{kind: tOtherSym, text: full}, m, true
	}
	// SET literals such as \mathbb{R} beat the accent rule (defined first).
	for lit, k := range setLiterals {
		if strings.HasPrefix(s[i:], lit) && strings.HasPrefix(lit, full) && len(lit) >= n && (len(lit) == n || !isLetter(lit[n])) {
			return token{kind: tSetLiteral, text: k}, len(lit), true
		}
	}
	if slicesContains(accentCmds, name) {
		// ACCENT: cmd WS? '{' ('\}' | ~'}')*? '}'
		m := n
		if m < len(s)-i && (s[i+m] == ' ' || s[i+m] == '\t' || s[i+m] == '\n' || s[i+m] == '\r') {
			m++
		}
		if i+m < len(s) && s[i+m] == '{' {
			k := i + m + 1
			for k < len(s) {
				if s[k] == '\\' && k+1 < len(s) && s[k+1] == '}' {
					// Non-greedy: '\}' or any non-'}' char; the first
					// unescaped '}' ends the accent.
					k += 2
					continue
				}
				if s[k] == '}' {
					return token{kind: tAccent, text: s[i : k+1]}, k + 1 - i, true
				}
				k++
			}
		}
		return token{}, 0, false
	}
	if funcSingle[name] {
		return token{kind: tFunc, text: name}, n, true
	}
	if funcMulti[name] {
		return token{kind: tFuncMulti, text: name}, n, true
	}
	if strings.HasPrefix(s[i:], "\\not\\equiv") {
		return token{kind: tRel, text: "!="}, len("\\not\\equiv"), true
	}
	if r, ok := relTokens[full]; ok {
		return token{kind: tRel, text: r}, n, true
	}
	if k, ok := fixed[full]; ok {
		return token{kind: k, text: full}, n, true
	}
	if slicesContains(skipCmds, full) {
		return token{kind: tOther}, n, true
	}
	if name == "variable" {
		return token{}, 0, false
	}
	return token{}, 0, false
}
