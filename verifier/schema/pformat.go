package schema

import (
	"strings"
	"unicode/utf8"
)

// pformat is Python's pprint.pformat(v, width=72, sort_dicts=False), which
// jsonschema's error messages show the schema and the instance with.
func (o ordering) pformat(v any) string {
	p := printer{order: o, width: 72}
	p.format(v, 0, 0, 0)
	return p.b.String()
}

type printer struct {
	order ordering
	width int
	b     strings.Builder
}

func pyLen(s string) int { return utf8.RuneCountInString(s) }

func (p *printer) format(v any, indent, allowance, level int) {
	rep := p.order.repr(v)
	if pyLen(rep) > p.width-indent-allowance {
		switch x := v.(type) {
		case map[string]any:
			p.dict(x, indent, allowance, level+1)
			return
		case []any:
			p.list(x, indent, allowance, level+1)
			return
		case string:
			p.str(x, indent, allowance, level+1)
			return
		}
	}
	p.b.WriteString(rep)
}

func (p *printer) dict(m map[string]any, indent, allowance, level int) {
	p.b.WriteByte('{')
	keys := p.order.keys(m)
	indent++
	allowance++
	for i, k := range keys {
		last := i == len(keys)-1
		rep := keyRepr(k)
		p.b.WriteString(rep)
		p.b.WriteString(": ")
		a := 1
		if last {
			a = allowance
		}
		p.format(m[k], indent+pyLen(rep)+2, a, level)
		if !last {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
	}
	p.b.WriteByte('}')
}

func (p *printer) list(l []any, indent, allowance, level int) {
	p.b.WriteByte('[')
	indent++
	allowance++
	for i, x := range l {
		last := i == len(l)-1
		if i > 0 {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
		a := 1
		if last {
			a = allowance
		}
		p.format(x, indent, a, level)
	}
	p.b.WriteByte(']')
}

// str is pprint's _pprint_str: a long string is cut after whitespace into
// adjacent literals, one per line.
func (p *printer) str(s string, indent, allowance, level int) {
	if s == "" {
		p.b.WriteString(pyStrRepr(s))
		return
	}
	lines := splitLinesPy(s)
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth1 := p.width - indent
	maxWidth := maxWidth1
	var chunks []string
	var rep string
	for i, line := range lines {
		rep = pyStrRepr(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if pyLen(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordParts(line)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if pyLen(pyStrRepr(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, pyStrRepr(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, pyStrRepr(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 1 {
		p.b.WriteByte(')')
	}
}

// splitLinesPy is Python's str.splitlines(keepends=True).
func splitLinesPy(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := i + size
		switch r {
		case '\r':
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		default:
			i = end
			continue
		}
		out = append(out, s[start:end])
		start, i = end, end
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// wordParts is re.findall(r'\S*\s*', line) without its final empty match.
func wordParts(line string) []string {
	var parts []string
	i := 0
	for i < len(line) {
		j := i
		for j < len(line) {
			r, size := utf8.DecodeRuneInString(line[j:])
			if pyIsSpace(r) {
				break
			}
			j += size
		}
		for j < len(line) {
			r, size := utf8.DecodeRuneInString(line[j:])
			if !pyIsSpace(r) {
				break
			}
			j += size
		}
		parts = append(parts, line[i:j])
		i = j
	}
	return parts
}
