package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/internal/suggest"
)

// envString is a value read from the environment. It is a string, as in
// OmegaConf, but Decode lets it stand for a bool or a number the way a plain
// YAML scalar would, so FLAG=true decodes into a bool field.
type envString string

// resolver resolves interpolations in one Config. It lives for one call
// (Get, Decode, Validate, YAML), memoizing what that call looked up.
type resolver struct {
	root *object
	env  func(string) (string, bool)
	// lenient keeps a value that cannot be resolved as written instead of
	// failing, for YAML.
	lenient bool
	memo    map[string]result
	stack   []string // keys being looked up, to detect cycles
}

type result struct {
	v   any
	err error
}

// lookup returns the resolved value at path p. from is the path of the value
// that asked for it ("" for a caller outside the config), for error messages.
func (r *resolver) lookup(p []string, from string) (any, error) {
	key := pathString(p)
	if res, ok := r.memo[key]; ok {
		return res.v, res.err
	}
	if i := slices.Index(r.stack, key); i >= 0 {
		chain := strings.Join(append(slices.Clone(r.stack[i:]), key), " -> ")
		return nil, fmt.Errorf("config: %s: interpolation cycle: %s", from, chain)
	}
	r.stack = append(r.stack, key)
	v, err := r.walk(p, from)
	r.stack = r.stack[:len(r.stack)-1]
	if r.memo == nil {
		r.memo = map[string]result{}
	}
	r.memo[key] = result{v, err}
	return v, err
}

// walk finds the value at p and resolves it, resolving any interpolation the
// path goes through on the way.
func (r *resolver) walk(p []string, from string) (any, error) {
	cur := any(r.root)
	for i, seg := range p {
		if cur == missingValue {
			return nil, missing(pathString(p[:i]), missingInfo{marked: true})
		}
		if s, ok := cur.(string); ok && strings.Contains(s, "${") {
			// The path goes through an interpolation (${a.b} with a: ${c}):
			// resolve it, then walk the rest inside the resolved value.
			v, err := r.lookup(p[:i], from)
			if err != nil {
				return nil, err
			}
			for j := i; j < len(p); j++ {
				next, ok := child(v, p[j])
				if !ok {
					return nil, r.notSet(p, j, v, from)
				}
				v = next
			}
			return v, nil
		}
		next, ok := child(cur, seg)
		if !ok {
			return nil, r.notSet(p, i, cur, from)
		}
		cur = next
	}
	return r.tree(p, cur)
}

// notSet reports that p is not in the config; p[i] is the first segment that
// was not found in parent.
func (r *resolver) notSet(p []string, i int, parent any, from string) error {
	var hint string
	if o, ok := parent.(*object); ok {
		if s, ok := suggest.Closest(p[i], o.keys); ok {
			hint = pathString(sub(p[:i], s))
		}
	}
	return missing(pathString(p), missingInfo{usedBy: from, suggest: hint})
}

// tree resolves every interpolation in v, which is found at path p. It keeps
// going after an error so that one call reports every missing value.
func (r *resolver) tree(p []string, v any) (any, error) {
	switch v := v.(type) {
	case *object:
		out := &object{keys: slices.Clone(v.keys), vals: make(map[string]any, len(v.vals))}
		var errs []error
		for _, k := range v.keys {
			c, err := r.tree(sub(p, k), v.vals[k])
			if err != nil {
				errs = append(errs, err)
				c = v.vals[k]
			}
			out.vals[k] = c
		}
		return out, r.fail(errs)
	case []any:
		out := make([]any, len(v))
		var errs []error
		for i, e := range v {
			c, err := r.tree(sub(p, "["+strconv.Itoa(i)+"]"), e)
			if err != nil {
				errs = append(errs, err)
				c = e
			}
			out[i] = c
		}
		return out, r.fail(errs)
	case string:
		if v == missingValue {
			return nil, missing(pathString(p), missingInfo{marked: true})
		}
		if strings.Contains(v, "${") {
			return r.interpolate(p, v)
		}
	}
	return v, nil
}

// fail combines the errors of a container's elements. A lenient resolver
// has kept those elements as written, so the container itself is fine.
func (r *resolver) fail(errs []error) error {
	if r.lenient {
		return nil
	}
	return combine(errs...)
}

// interpolate resolves the string s found at path p. A string that is one
// interpolation takes the type of its value; otherwise the values are
// formatted into the string.
func (r *resolver) interpolate(p []string, s string) (any, error) {
	parts, err := splitInterpolation(s)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", pathString(p), err)
	}
	if len(parts) == 1 && parts[0].expr {
		return r.eval(p, parts[0].text)
	}
	var b strings.Builder
	var errs []error
	for _, part := range parts {
		if !part.expr {
			b.WriteString(part.text)
			continue
		}
		v, err := r.eval(p, part.text)
		if err == nil {
			var text string
			if text, err = format(v); err != nil {
				err = fmt.Errorf("config: %s: cannot insert ${%s} into a string: it is %s", pathString(p), part.text, describe(v))
			}
			b.WriteString(text)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := combine(errs...); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// resolverCall matches "name:args", as in ${oc.env:HOME}.
var resolverCall = regexp.MustCompile(`(?s)^([A-Za-z_][\w.\-]*):(.*)$`)

// eval evaluates the text between ${ and } for the value at path p.
func (r *resolver) eval(p []string, expr string) (any, error) {
	expr = strings.TrimSpace(expr)
	if m := resolverCall.FindStringSubmatch(expr); m != nil {
		return r.call(p, m[1], m[2])
	}
	if strings.Contains(expr, "${") { // a computed key, as in ${servers.${name}}
		v, err := r.interpolate(p, expr)
		if err != nil {
			return nil, err
		}
		if expr, err = format(v); err != nil {
			return nil, fmt.Errorf("config: %s: interpolated key is %s", pathString(p), describe(v))
		}
	}
	target, err := absolute(p, expr)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", pathString(p), err)
	}
	return r.lookup(target, pathString(p))
}

// absolute turns the key of an interpolation at path p into a path from the
// root. A key with leading dots is relative, as in OmegaConf: ${.x} is a
// sibling of the value, ${..x} a sibling of its parent.
func absolute(p []string, key string) ([]string, error) {
	rest := strings.TrimLeft(key, ".")
	dots := len(key) - len(rest)
	if key == "" {
		return nil, fmt.Errorf("empty interpolation ${}")
	}
	segs, err := splitKey(rest)
	if err != nil {
		return nil, err
	}
	if dots == 0 {
		return segs, nil
	}
	base := p[:max(len(p)-1, 0)]
	if dots-1 > len(base) {
		return nil, fmt.Errorf("${%s} goes above the root of the config", key)
	}
	return sub(base[:len(base)-(dots-1)], segs...), nil
}

// call runs a resolver. Only oc.env is supported: NeMo Gym configs use
// nothing else that is meant to be resolved.
func (r *resolver) call(p []string, name, args string) (any, error) {
	where := pathString(p)
	if name != "oc.env" {
		return nil, fmt.Errorf("config: %s: unsupported resolver %q in ${%s:%s} (supported: oc.env)", where, name, name, args)
	}
	argv, err := r.args(p, args)
	if err != nil {
		return nil, err
	}
	if len(argv) == 0 || len(argv) > 2 {
		return nil, fmt.Errorf("config: %s: ${oc.env:%s}: want ${oc.env:VAR} or ${oc.env:VAR,default}", where, args)
	}
	v, ok := argv[0].(string)
	if e, isEnv := argv[0].(envString); isEnv {
		v, ok = string(e), true
	}
	if !ok || v == "" {
		return nil, fmt.Errorf("config: %s: ${oc.env:%s}: the variable name must be a non-empty string", where, args)
	}
	if val, ok := r.env(v); ok {
		return envString(val), nil
	}
	if len(argv) == 2 {
		return argv[1], nil
	}
	return nil, fmt.Errorf("config: %s: environment variable %s is not set; set it or give a default: ${oc.env:%s,default}", where, v, v)
}

// args evaluates comma-separated resolver arguments. An unquoted argument is
// a YAML scalar (null, false, 3 ...); a quoted one is a string.
func (r *resolver) args(p []string, s string) ([]any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []any
	var errs []error
	for _, a := range splitArgs(s) {
		v, err := r.arg(p, strings.TrimSpace(a))
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, v)
	}
	return out, combine(errs...)
}

func (r *resolver) arg(p []string, a string) (any, error) {
	if len(a) >= 2 && (a[0] == '\'' || a[0] == '"') && a[len(a)-1] == a[0] {
		inner := strings.ReplaceAll(a[1:len(a)-1], `\`+a[:1], a[:1])
		if !strings.Contains(inner, "${") {
			return inner, nil
		}
		v, err := r.interpolate(p, inner)
		if err != nil {
			return nil, err
		}
		return format(v)
	}
	if strings.Contains(a, "${") {
		return r.interpolate(p, a)
	}
	if a == "" {
		return "", nil
	}
	var v any
	if err := (&yaml.Node{Kind: yaml.ScalarNode, Value: a}).Decode(&v); err != nil {
		return a, nil
	}
	return v, nil
}

// format writes a scalar into a string.
func format(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case envString:
		return string(v), nil
	case nil:
		return "null", nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case *object, []any:
		return "", fmt.Errorf("%s is not a scalar", describe(v))
	}
	return fmt.Sprint(v), nil
}

type part struct {
	text string
	expr bool // text is the inside of ${...}
}

// splitInterpolation splits s into literal text and ${...} expressions.
// \${ is a literal ${, and \\${ a backslash before an interpolation.
func splitInterpolation(s string) ([]part, error) {
	var parts []part
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], `\\${`):
			lit.WriteByte('\\')
			i += 2
		case strings.HasPrefix(s[i:], `\${`):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end, err := closingBrace(s, i+2)
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				parts = append(parts, part{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, part{text: s[i+2 : end], expr: true})
			i = end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	if lit.Len() > 0 || len(parts) == 0 {
		parts = append(parts, part{text: lit.String()})
	}
	return parts, nil
}

// closingBrace returns the index of the } that closes the ${ before start,
// skipping nested interpolations and quoted strings.
func closingBrace(s string, start int) (int, error) {
	depth := 1
	for i := start; i < len(s); i++ {
		switch c := s[i]; c {
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				depth++
				i++
			}
		case '}':
			if depth--; depth == 0 {
				return i, nil
			}
		case '\'', '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return 0, fmt.Errorf("unterminated quote in %q", s)
			}
			i = j
		}
	}
	return 0, fmt.Errorf("unterminated interpolation in %q: missing }", s)
}

// splitArgs splits resolver arguments at the commas that are not inside a
// nested interpolation or a quoted string.
func splitArgs(s string) []string {
	var args []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case c == '}' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			args = append(args, s[start:i])
			start = i + 1
		}
	}
	return append(args, s[start:])
}
