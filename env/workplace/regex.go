package workplace

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2"
)

// pandas' str.contains reads its pattern as a Python regular expression,
// so a model's search for "C++" or "(urgent" gets Python's answer: a
// match, or the re.error message. Patterns are translated from Python's
// syntax to regexp2's (.NET) where the two differ: possessive quantifiers
// become atomic groups, (?P<name>...) and (?P=name) named groups, \Z the
// end of the text. The translator reports the re.error messages of the
// malformed patterns people write by accident; the rarer errors of
// extensions Python does not have are reported as regexp2 words them.

type pattern struct{ re *regexp2.Regexp }

func (p *pattern) search(s string) (bool, error) {
	ok, err := p.re.MatchString(s)
	if err != nil {
		return false, raise("%v", err)
	}
	return ok, nil
}

var (
	patterns     sync.Map // string → *pattern or error
	patternCount atomic.Int64
)

const maxCachedPatterns = 4096

// compilePattern is re.compile(p, re.IGNORECASE).
func compilePattern(p string) (*pattern, error) {
	if v, ok := patterns.Load(p); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*pattern), nil
	}
	var v any
	expr, err := translatePattern(p)
	if err == nil {
		var re *regexp2.Regexp
		re, err = regexp2.Compile(expr, regexp2.IgnoreCase)
		if err == nil {
			re.MatchTimeout = 2 * time.Second
			v = &pattern{re: re}
		} else {
			err = raise("%v", err)
		}
	}
	if err != nil {
		v = err
	}
	if patternCount.Load() < maxCachedPatterns {
		if _, loaded := patterns.LoadOrStore(p, v); !loaded {
			patternCount.Add(1)
		}
	}
	if err != nil {
		return nil, err
	}
	return v.(*pattern), nil
}

// translatePattern turns a Python pattern into regexp2 syntax, reporting
// Python's error for a malformed one.
func translatePattern(p string) (string, error) {
	rs := []rune(p)
	var out strings.Builder
	type open struct{ pos int }
	var stack []open
	// atomStart is where the last atom begins in out (-1: none, a
	// quantifier here has nothing to repeat); quantified says the last
	// atom already has a quantifier.
	atomStart, quantified, lazyOrPossessive := -1, false, false
	for i := 0; i < len(rs); {
		r := rs[i]
		switch r {
		case '\\':
			if i+1 >= len(rs) {
				return "", raise("bad escape (end of pattern) at position %d", i)
			}
			e := rs[i+1]
			start := out.Len()
			switch {
			case e == 'Z':
				out.WriteString(`\z`)
			case e == 'A' || e == 'b' || e == 'B' || e == 'd' || e == 'D' || e == 's' || e == 'S' ||
				e == 'w' || e == 'W' || e == 'a' || e == 'f' || e == 'n' || e == 'r' || e == 't' || e == 'v':
				out.WriteRune('\\')
				out.WriteRune(e)
			case e == 'x' || e == 'u' || e == 'U':
				n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+2+n > len(rs) {
					return "", raise("incomplete escape \\%c%s at position %d", e, string(rs[i+2:]), i)
				}
				hex := string(rs[i+2 : i+2+n])
				cp, err := strconv.ParseUint(hex, 16, 32)
				if err != nil {
					return "", raise("incomplete escape \\%c%s at position %d", e, hex, i)
				}
				out.WriteString(regexp2.Escape(string(rune(cp))))
				i += n
			case e >= '0' && e <= '9':
				out.WriteRune('\\')
				out.WriteRune(e)
			case e < 128 && (('a' <= e && e <= 'z') || ('A' <= e && e <= 'Z')):
				return "", raise("bad escape \\%c at position %d", e, i)
			default:
				out.WriteString(regexp2.Escape(string(e)))
			}
			i += 2
			if e == 'A' || e == 'Z' || e == 'b' || e == 'B' {
				atomStart = -1
			} else {
				atomStart = start
			}
			quantified, lazyOrPossessive = false, false
			continue
		case '[':
			start := out.Len()
			j := i + 1
			out.WriteRune('[')
			if j < len(rs) && rs[j] == '^' {
				out.WriteRune('^')
				j++
			}
			first := true
			closed := false
			for j < len(rs) {
				c := rs[j]
				if c == ']' && !first {
					closed = true
					j++
					break
				}
				first = false
				switch c {
				case '\\':
					if j+1 >= len(rs) {
						return "", raise("bad escape (end of pattern) at position %d", j)
					}
					e := rs[j+1]
					if e < 128 && (('a' <= e && e <= 'z') || ('A' <= e && e <= 'Z')) && !strings.ContainsRune("dDsSwWabfnrtvxuU", e) {
						return "", raise("bad escape \\%c at position %d", e, j)
					}
					out.WriteRune('\\')
					out.WriteRune(e)
					j += 2
					continue
				case '[', ']':
					out.WriteRune('\\')
					out.WriteRune(c)
				default:
					out.WriteRune(c)
				}
				j++
			}
			if !closed {
				return "", raise("unterminated character set at position %d", i)
			}
			out.WriteRune(']')
			i = j
			atomStart, quantified, lazyOrPossessive = start, false, false
			continue
		case '(':
			stack = append(stack, open{pos: i})
			switch {
			case strings.HasPrefix(string(rs[i:]), "(?P<"):
				out.WriteString("(?<")
				i += 4
			case strings.HasPrefix(string(rs[i:]), "(?P="):
				end := strings.IndexRune(string(rs[i:]), ')')
				if end < 0 {
					return "", raise("missing ), unterminated name at position %d", i+4)
				}
				name := string(rs[i+4 : i+end])
				out.WriteString(`\k<` + name + `>`)
				stack = stack[:len(stack)-1]
				start := out.Len()
				i += end + 1
				atomStart, quantified, lazyOrPossessive = start, false, false
				continue
			case i+1 < len(rs) && rs[i+1] == '?':
				rest := string(rs[i+2:])
				switch {
				case rest == "":
					return "", raise("unexpected end of pattern at position %d", i+2)
				case strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!"):
					out.WriteString("(?" + rest[:2])
					i += 4
				case strings.ContainsRune(":=!>", rs[i+2]):
					out.WriteString("(?" + string(rs[i+2]))
					i += 3
				case rs[i+2] == '#':
					end := strings.IndexRune(rest, ')')
					if end < 0 {
						return "", raise("missing ), unterminated comment at position %d", i)
					}
					stack = stack[:len(stack)-1]
					i += 2 + len([]rune(rest[:end])) + 1
					continue
				default:
					j := i + 2
					for j < len(rs) && strings.ContainsRune("aiLmsux-", rs[j]) {
						j++
					}
					if j == i+2 || j >= len(rs) || (rs[j] != ')' && rs[j] != ':') {
						return "", raise("unknown extension ?%c at position %d", rs[i+2], i+1)
					}
					flags := strings.NewReplacer("a", "", "L", "", "u", "").Replace(string(rs[i+2 : j]))
					if rs[j] == ')' {
						stack = stack[:len(stack)-1]
						if flags != "" && flags != "-" {
							out.WriteString("(?" + flags + ")")
						}
						i = j + 1
						continue
					}
					out.WriteString("(?" + flags + ":")
					i = j + 1
				}
			default:
				out.WriteRune('(')
				i++
			}
			atomStart, quantified, lazyOrPossessive = -1, false, false
			continue
		case ')':
			if len(stack) == 0 {
				return "", raise("unbalanced parenthesis at position %d", i)
			}
			stack = stack[:len(stack)-1]
			out.WriteRune(')')
			// The group is the atom: find its opening parenthesis in out.
			atomStart = groupStart(out.String())
			quantified, lazyOrPossessive = false, false
			i++
			continue
		case '|':
			out.WriteRune('|')
			atomStart, quantified, lazyOrPossessive = -1, false, false
			i++
			continue
		case '^', '$':
			out.WriteRune(r)
			atomStart, quantified, lazyOrPossessive = -1, false, false
			i++
			continue
		case '*', '+', '?', '{':
			q, n, ok := quantifier(rs, i)
			if !ok { // a { that is not a repeat is a literal
				start := out.Len()
				out.WriteString(`\{`)
				atomStart, quantified, lazyOrPossessive = start, false, false
				i++
				continue
			}
			if q.err != nil {
				return "", q.err
			}
			if quantified {
				if !lazyOrPossessive && (r == '?' || r == '+') && n == 1 {
					lazyOrPossessive = true
					if r == '?' {
						out.WriteRune('?')
					} else {
						// possessive: (?>atom quantifier)
						s := out.String()
						out.Reset()
						out.WriteString(s[:atomStart] + "(?>" + s[atomStart:] + ")")
					}
					i++
					continue
				}
				return "", raise("multiple repeat at position %d", i)
			}
			if atomStart < 0 {
				return "", raise("nothing to repeat at position %d", i)
			}
			text := string(rs[i : i+n])
			if strings.HasPrefix(text, "{,") {
				text = "{0" + text[1:]
			}
			out.WriteString(text)
			quantified = true
			i += n
			continue
		}
		start := out.Len()
		if r == '.' {
			out.WriteRune('.')
		} else {
			out.WriteString(regexp2.Escape(string(r)))
		}
		atomStart, quantified, lazyOrPossessive = start, false, false
		i++
	}
	if len(stack) > 0 {
		return "", raise("missing ), unterminated subpattern at position %d", stack[len(stack)-1].pos)
	}
	return out.String(), nil
}

type quant struct{ err error }

// quantifier reads the repeat at rs[i]: its length, and ok false for a {
// that does not start a repeat.
func quantifier(rs []rune, i int) (quant, int, bool) {
	if rs[i] != '{' {
		return quant{}, 1, true
	}
	j := i + 1
	lo := ""
	for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
		lo += string(rs[j])
		j++
	}
	hi, comma := "", false
	if j < len(rs) && rs[j] == ',' {
		comma = true
		j++
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			hi += string(rs[j])
			j++
		}
	}
	if j >= len(rs) || rs[j] != '}' || (lo == "" && !comma) {
		return quant{}, 0, false
	}
	if lo != "" && hi != "" {
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		if b < a {
			return quant{err: raise("min repeat greater than max repeat at position %d", i+1)}, 0, true
		}
	}
	if lo == "" {
		// {,n}: Python reads it as {0,n}; .NET wants the 0.
		return quant{}, j - i + 1, true
	}
	return quant{}, j - i + 1, true
}

// groupStart returns the index in s of the '(' matching its final ')'.
func groupStart(s string) int {
	depth := 0
	inClass := false
	// Walk forward to pair parentheses, skipping escapes and classes.
	var opens []int
	last := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			opens = append(opens, i)
			depth++
		case c == ')':
			if len(opens) > 0 {
				last = opens[len(opens)-1]
				opens = opens[:len(opens)-1]
			}
			depth--
		}
	}
	return last
}
