package workplace

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/gymkit/gym/internal/pyrepr"
)

// The pandas operations the tools use, on one column of a table, with
// pandas' semantics for object columns.

// mask is a boolean mask; na marks the rows where pandas' mask holds NaN
// (str.contains on a missing or non-str cell), which cannot index a frame.
type mask struct {
	keep []bool
	na   bool
}

var errNAMask = raise("Cannot mask with non-boolean array containing NA / NaN values")

// apply is df[mask].
func (m mask) apply(t *table) (*table, error) {
	if m.na {
		return nil, errNAMask
	}
	return t.filter(func(i int) bool { return m.keep[i] }), nil
}

// strContains is df[col].str.contains(pat, case=False) (a regular
// expression, as pandas' default regex=True reads it). naFalse is na=False:
// missing and non-str cells do not match instead of being NaN.
func strContains(t *table, col int, pat any, naFalse bool) (mask, error) {
	p, ok := pat.(string)
	if !ok {
		return mask{}, raise("first argument must be string or compiled pattern")
	}
	re, err := compilePattern(p)
	if err != nil {
		return mask{}, err
	}
	m := mask{keep: make([]bool, t.len())}
	for i, r := range t.rows {
		s, ok := r[col].(string)
		if !ok {
			m.na = m.na || !naFalse
			continue
		}
		if m.keep[i], err = re.search(s); err != nil {
			return mask{}, err
		}
	}
	return m, nil
}

// eqMask is df[col] == v (ne inverts it).
func eqMask(t *table, col int, v any, ne bool) (mask, error) {
	m := mask{keep: make([]bool, t.len())}
	if l, ok := v.([]any); ok {
		if len(l) != t.len() {
			return mask{}, raise("('Lengths must match to compare', (%d,), (%d,))", t.len(), len(l))
		}
		for i, r := range t.rows {
			m.keep[i] = pyEq(r[col], l[i]) != ne
		}
		return m, nil
	}
	for i, r := range t.rows {
		m.keep[i] = pyEq(r[col], v) != ne
	}
	return m, nil
}

// inValues is `v in df[col].values`: numpy's (values == v).any(), which
// broadcasts a list against the values.
func inValues(t *table, col int, v any) (bool, error) {
	l, isList := v.([]any)
	if !isList {
		for _, r := range t.rows {
			if pyEq(r[col], v) {
				return true, nil
			}
		}
		return false, nil
	}
	n, m := t.len(), len(l)
	if n != m && n != 1 && m != 1 {
		return false, raise("operands could not be broadcast together with shapes (%d,) (%d,) ", n, m)
	}
	if n == 0 || m == 0 {
		return false, nil
	}
	for i := range max(n, m) {
		if pyEq(t.rows[min(i, n-1)][col], l[min(i, m-1)]) {
			return true, nil
		}
	}
	return false, nil
}

// cmpMask is df[col] <op> v for an object column: a missing cell is
// False, other cells are compared as Python compares them.
func cmpMask(t *table, col int, op string, v any) (mask, error) {
	if l, ok := v.([]any); ok && len(l) != t.len() {
		return mask{}, raise("('Lengths must match to compare', (%d,), (%d,))", t.len(), len(l))
	}
	m := mask{keep: make([]bool, t.len())}
	for i, r := range t.rows {
		x := r[col]
		if isNA(x) {
			continue
		}
		y := v
		if l, ok := v.([]any); ok {
			y = l[i]
		}
		ok, err := pyCompare(x, op, y)
		if err != nil {
			return mask{}, err
		}
		m.keep[i] = ok
	}
	return m, nil
}

// pyCompare is Python's x <op> y for < <= >= >.
func pyCompare(x any, op string, y any) (bool, error) {
	var c int
	if xs, ok := x.(string); ok {
		ys, ok := y.(string)
		if !ok {
			return false, raise("'%s' not supported between instances of '%s' and '%s'", op, typeName(x), typeName(y))
		}
		c = strings.Compare(xs, ys)
	} else if xn, ok := number(x); ok {
		yn, ok := number(y)
		if !ok {
			return false, raise("'%s' not supported between instances of '%s' and '%s'", op, typeName(x), typeName(y))
		}
		if xn != xn || yn != yn {
			return false, nil
		}
		switch {
		case xn < yn:
			c = -1
		case xn > yn:
			c = 1
		}
	} else {
		return false, raise("'%s' not supported between instances of '%s' and '%s'", op, typeName(x), typeName(y))
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	default:
		return c > 0, nil
	}
}

// lowerEq is df[col].str.lower() == s (NaN for a non-str cell, which
// equals nothing).
func lowerValues(t *table, col int) []any {
	out := make([]any, t.len())
	for i, r := range t.rows {
		out[i] = lowerCell(r[col])
	}
	return out
}

func containsValue(values []any, v any) bool {
	for _, x := range values {
		if pyEq(x, v) {
			return true
		}
	}
	return false
}

// nextID is str(int(df[col].max()) + 1), zero-filled to width if width > 0.
func nextID(t *table, col int, width int) (string, error) {
	var best any
	for _, r := range t.rows {
		v := r[col]
		if isNA(v) {
			continue
		}
		if best == nil {
			best = v
			continue
		}
		gt, err := pyCompare(v, ">", best)
		if err != nil {
			return "", err
		}
		if gt {
			best = v
		}
	}
	if best == nil {
		return "", raise("cannot convert float NaN to integer")
	}
	n, err := pyInt(best)
	if err != nil {
		return "", err
	}
	s := strconv.FormatInt(n+1, 10)
	if width > 0 {
		s = zfill(s, width)
	}
	return s, nil
}

func zfill(s string, width int) string {
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = s[:1], s[1:]
	}
	for len(sign)+len(s) < width {
		s = "0" + s
	}
	return sign + s
}

// pyInt is Python's int(v).
func pyInt(v any) (int64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) {
			return 0, raise("cannot convert float NaN to integer")
		}
		if math.IsInf(x, 0) {
			return 0, raise("cannot convert float infinity to integer")
		}
		return int64(x), nil
	case string:
		s := strings.TrimFunc(x, isPySpace)
		body := s
		neg := false
		if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") {
			neg = body[0] == '-'
			body = body[1:]
		}
		var n int64
		prevUnderscore := true
		ok := body != ""
		for _, r := range body {
			if r == '_' {
				if prevUnderscore {
					ok = false
					break
				}
				prevUnderscore = true
				continue
			}
			d, isDigit := decimalValue(r)
			if !isDigit {
				ok = false
				break
			}
			n = n*10 + int64(d)
			prevUnderscore = false
		}
		if !ok || prevUnderscore {
			return 0, raise("invalid literal for int() with base 10: %s", pyrepr.Str(x))
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	return 0, raise("int() argument must be a string, a bytes-like object or a real number, not '%s'", typeName(v))
}

// decimalValue is the value of a Unicode decimal digit.
func decimalValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	// Decimal digits come in runs of ten starting at a code point
	// ending in 0 in every Unicode block that has them.
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return int(r - z), true
		}
	}
	return int(r - (r - 9)), true
}

// isDigitString is str.isdigit().
func isDigitString(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune("¹²³⁰⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", r) {
			return false
		}
	}
	return true
}

// pyIn is Python's item in container.
func pyIn(item, container any) (bool, error) {
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			return false, raise("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(c, s), nil
	case []any:
		return containsValue(c, item), nil
	case *dict:
		if err := hashable(item); err != nil {
			return false, err
		}
		s, ok := item.(string)
		if !ok {
			return false, nil
		}
		_, found := c.get(s)
		return found, nil
	}
	return false, raise("argument of type '%s' is not iterable", typeName(container))
}

func inStrings(v any, list ...string) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
