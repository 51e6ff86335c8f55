package ifeval

import (
	"strings"
)

// pythonToNET rewrites the parts of Python's regular-expression syntax
// that .NET's (regexp2's) spells differently: possessive quantifiers
// (X*+, X++, X?+, X{m,n}+, Python 3.11 and later) become atomic groups,
// (?P<name>...) becomes (?<name>...), (?P=name) becomes \k<name>, and
// {,n} becomes {0,n}.
// Everything else is passed through.
func pythonToNET(expr string) string {
	if !strings.Contains(expr, "+") && !strings.Contains(expr, "(?P") && !strings.Contains(expr, "{,") {
		return expr
	}
	var b strings.Builder
	var groups []int // output offsets of the open groups
	atom := -1       // output offset where the last atom starts
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			n := 2
			switch expr[i+1] {
			case 'x':
				n = 4
			case 'u':
				n = 6
			case 'U':
				n = 10
			}
			n = min(n, len(expr)-i)
			atom = b.Len()
			b.WriteString(expr[i : i+n])
			i += n
		case c == '[':
			j := i + 1
			if j < len(expr) && expr[j] == '^' {
				j++
			}
			if j < len(expr) && expr[j] == ']' {
				j++
			}
			for j < len(expr) && expr[j] != ']' {
				if expr[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(expr))
			atom = b.Len()
			b.WriteString(expr[i:j])
			i = j
		case strings.HasPrefix(expr[i:], "(?P<"):
			groups = append(groups, b.Len())
			b.WriteString("(?<")
			i += 4
			atom = -1
		case strings.HasPrefix(expr[i:], "(?P="):
			end := strings.IndexByte(expr[i:], ')')
			if end < 0 {
				b.WriteString(expr[i:])
				i = len(expr)
				continue
			}
			atom = b.Len()
			b.WriteString(`\k<` + expr[i+4:i+end] + ">")
			i += end + 1
		case c == '(':
			groups = append(groups, b.Len())
			b.WriteByte(c)
			i++
			atom = -1
		case c == ')':
			atom = -1
			if n := len(groups); n > 0 {
				atom = groups[n-1]
				groups = groups[:n-1]
			}
			b.WriteByte(c)
			i++
		case c == '*' || c == '+' || c == '?' || (c == '{' && quantifierEnd(expr[i:]) > 0):
			n := 1
			if c == '{' {
				n = quantifierEnd(expr[i:])
			}
			q := expr[i : i+n]
			if strings.HasPrefix(q, "{,") {
				q = "{0," + q[2:] // Python's {,n} is .NET's {0,n}
			}
			i += n
			if atom >= 0 && i < len(expr) && expr[i] == '+' {
				i++
				if i < len(expr) && (strings.IndexByte("*+?", expr[i]) >= 0 || (expr[i] == '{' && quantifierEnd(expr[i:]) > 0)) {
					return expr // "multiple repeat": left for regexp2 to reject
				}
				body := b.String()[atom:] + q
				s := b.String()[:atom]
				b.Reset()
				b.WriteString(s)
				b.WriteString("(?>" + body + ")")
			} else {
				b.WriteString(q)
				if i < len(expr) && expr[i] == '?' {
					b.WriteByte('?')
					i++
				}
			}
			atom = -1
		default:
			atom = b.Len()
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// quantifierEnd is the length of a {m}, {m,}, {,n} or {m,n} quantifier at
// the start of s, or 0 where Python reads the brace literally.
func quantifierEnd(s string) int {
	end := strings.IndexByte(s, '}')
	if end < 2 {
		return 0
	}
	body := s[1:end]
	digits := 0
	for k := 0; k < len(body); k++ {
		switch {
		case body[k] >= '0' && body[k] <= '9':
			digits++
		case body[k] == ',' && strings.Count(body, ",") == 1:
		default:
			return 0
		}
	}
	if digits == 0 {
		return 0
	}
	return end + 1
}
