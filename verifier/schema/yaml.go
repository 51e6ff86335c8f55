package schema

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ParseYAML parses s as PyYAML's yaml.safe_load does, which reads YAML 1.1:
// yes/no/on/off are booleans, 010 is octal 8, 1_000 is 1000, 1:30 is 90,
// 1e3 (no dot) is a string, ~ is null, <<: merges mappings, and an
// unquoted 2024-05-10 is a date — a Timestamp here, which, as in Python,
// is no JSON string. Keys that are not strings get NonStringKey. Only one
// document is allowed. The syntax is read by go.yaml.in/yaml/v3 (a YAML
// 1.2 parser; the two agree on the documents models write), the types by
// PyYAML's resolver rules; errors are not PyYAML's messages.
func ParseYAML(s string) (v any, err error) { return parseYAML(s, nil) }

func parseYAML(s string, order ordering) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &PyError{Name: "YAMLError", Message: fmt.Sprint(p)}
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(s))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(err)
		}
		return nil, &PyError{Name: "ComposerError", Message: "expected a single document in the stream\n  but found another document"}
	}
	c := yamlConstructor{seen: map[*yaml.Node]bool{}, order: order}
	return c.construct(&doc, 0)
}

func yamlError(err error) error {
	return &PyError{Name: "ScannerError", Message: strings.TrimPrefix(err.Error(), "yaml: ")}
}

type yamlConstructor struct {
	seen  map[*yaml.Node]bool // anchors being constructed: a recursive alias
	order ordering
}

func (c *yamlConstructor) construct(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &PyError{Name: "RecursionError", Message: "maximum recursion depth exceeded"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.construct(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil || c.seen[n.Alias] {
			return nil, &PyError{Name: "ConstructorError", Message: "found a recursive alias"}
		}
		c.seen[n.Alias] = true
		defer delete(c.seen, n.Alias)
		return c.construct(n.Alias, depth+1)
	case yaml.SequenceNode:
		if tagged(n) && n.Tag != "!!seq" {
			return c.special(n, depth)
		}
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.construct(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		if tagged(n) && n.Tag != "!!map" {
			return c.special(n, depth)
		}
		out := map[string]any{}
		return out, c.mapping(n, out, depth)
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &PyError{Name: "ConstructorError", Message: "unexpected node"}
}

// mapping fills out with n's entries, merging <<: mappings first so that
// n's own keys win (PyYAML's flatten_mapping).
func (c *yamlConstructor) mapping(n *yaml.Node, out map[string]any, depth int) error {
	var own [][2]*yaml.Node
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && !tagged(k) && k.Style == 0 {
			merges = append(merges, v)
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	for _, m := range merges {
		target := m
		if target.Kind == yaml.AliasNode && target.Alias != nil {
			target = target.Alias
		}
		var maps []*yaml.Node
		switch target.Kind {
		case yaml.MappingNode:
			maps = []*yaml.Node{target}
		case yaml.SequenceNode:
			for i := len(target.Content) - 1; i >= 0; i-- { // the first mapping wins
				sub := target.Content[i]
				if sub.Kind == yaml.AliasNode && sub.Alias != nil {
					sub = sub.Alias
				}
				if sub.Kind != yaml.MappingNode {
					return &PyError{Name: "ConstructorError", Message: "while constructing a mapping\nexpected a mapping for merging, but found " + kindName(sub)}
				}
				maps = append(maps, sub)
			}
		default:
			return &PyError{Name: "ConstructorError", Message: "while constructing a mapping\nexpected a mapping or list of mappings for merging, but found " + kindName(target)}
		}
		for _, sub := range maps {
			if err := c.mapping(sub, out, depth+1); err != nil {
				return err
			}
		}
	}
	for _, kv := range own {
		key, err := c.key(kv[0], depth)
		if err != nil {
			return err
		}
		v, err := c.construct(kv[1], depth+1)
		if err != nil {
			return err
		}
		if _, dup := out[key]; !dup {
			c.order.add(out, key)
		}
		out[key] = v
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return "scalar"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "mapping"
}

// key is the map key of a mapping key node.
func (c *yamlConstructor) key(n *yaml.Node, depth int) (string, error) {
	v, err := c.construct(n, depth+1)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case []any, map[string]any:
		return "", &PyError{Name: "ConstructorError", Message: "while constructing a mapping\nfound unhashable key"}
	}
	return NonStringKey(pyRepr(v)), nil
}

func tagged(n *yaml.Node) bool { return n.Style&yaml.TaggedStyle != 0 }

// special constructs a collection with an explicit tag SafeLoader knows
// (!!set, !!omap, !!pairs) or fails as it does for any other.
func (c *yamlConstructor) special(n *yaml.Node, depth int) (any, error) {
	switch n.Tag {
	case "!!set":
		if n.Kind == yaml.MappingNode {
			out := map[string]any{}
			if err := c.mapping(n, out, depth); err != nil {
				return nil, err
			}
			return PySet{out}, nil
		}
	case "!!omap", "!!pairs":
		if n.Kind == yaml.SequenceNode {
			var pairs [][2]any
			for _, item := range n.Content {
				if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
					return nil, &PyError{Name: "ConstructorError", Message: "while constructing an ordered map\nexpected a single mapping item"}
				}
				k, err := c.construct(item.Content[0], depth+1)
				if err != nil {
					return nil, err
				}
				v, err := c.construct(item.Content[1], depth+1)
				if err != nil {
					return nil, err
				}
				pairs = append(pairs, [2]any{k, v})
			}
			return PyPairs(pairs), nil
		}
	}
	return nil, undefinedTag(n.Tag)
}

func undefinedTag(tag string) error {
	return &PyError{Name: "ConstructorError", Message: fmt.Sprintf("could not determine a constructor for the tag '%s'", longTag(tag))}
}

func longTag(tag string) string {
	if strings.HasPrefix(tag, "!!") {
		return "tag:yaml.org,2002:" + tag[2:]
	}
	return tag
}

// PyYAML's implicit resolvers (YAML 1.1).
var (
	yamlBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yamlTime  = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

// resolve is the tag PyYAML gives a plain scalar.
func resolve(v string) string {
	var first byte
	if v != "" {
		first = v[0]
	}
	switch {
	case v == "":
		return "!!null"
	case strings.IndexByte("yYnNtTfFoO", first) >= 0 && yamlBool.MatchString(v):
		return "!!bool"
	case strings.IndexByte("-+0123456789.", first) >= 0 && yamlFloat.MatchString(v):
		return "!!float"
	case strings.IndexByte("-+0123456789", first) >= 0 && yamlInt.MatchString(v):
		return "!!int"
	case v == "<<":
		return "!!merge"
	case strings.IndexByte("~nN", first) >= 0 && yamlNull.MatchString(v):
		return "!!null"
	case isDigit(first) && yamlTime.MatchString(v):
		return "!!timestamp"
	case v == "=":
		return "!!value"
	}
	return "!!str"
}

func scalar(n *yaml.Node) (any, error) {
	tag := "!!str"
	switch {
	case tagged(n):
		tag = n.Tag
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		tag = "!!str"
	default:
		tag = resolve(n.Value)
	}
	v := n.Value
	switch tag {
	case "!!str":
		return v, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		switch strings.ToLower(v) {
		case "yes", "true", "on":
			return true, nil
		case "no", "false", "off":
			return false, nil
		}
		return nil, &PyError{Name: "KeyError", Message: pyStrRepr(strings.ToLower(v))}
	case "!!int":
		return yamlIntValue(v)
	case "!!float":
		return yamlFloatValue(v)
	case "!!timestamp":
		return yamlTimestamp(v)
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
		if err != nil {
			return nil, &PyError{Name: "ConstructorError", Message: "failed to decode base64 data: " + err.Error()}
		}
		return PyBytes(b), nil
	case "!!merge":
		return "<<", nil // a << that is not a mapping key
	}
	return nil, undefinedTag(tag)
}

func yamlIntValue(v string) (any, error) {
	s := strings.ReplaceAll(v, "_", "")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := new(big.Int)
	ok := true
	switch {
	case s == "0":
	case strings.HasPrefix(s, "0b"):
		_, ok = n.SetString(s[2:], 2)
	case strings.HasPrefix(s, "0x"):
		_, ok = n.SetString(s[2:], 16)
	case strings.HasPrefix(s, "0") && s != "":
		_, ok = n.SetString(s, 8)
	case strings.Contains(s, ":"):
		base := big.NewInt(1)
		parts := strings.Split(s, ":")
		for i := len(parts) - 1; i >= 0; i-- {
			d, okd := new(big.Int).SetString(parts[i], 10)
			if !okd {
				ok = false
				break
			}
			n.Add(n, d.Mul(d, base))
			base = new(big.Int).Mul(base, big.NewInt(60))
		}
	default:
		_, ok = n.SetString(s, 10)
	}
	if !ok {
		return nil, &PyError{Name: "ValueError", Message: fmt.Sprintf("invalid literal for int(): %s", pyStrRepr(v))}
	}
	if neg {
		n.Neg(n)
	}
	return json.Number(n.String()), nil
}

func yamlFloatValue(v string) (any, error) {
	s := strings.ToLower(strings.ReplaceAll(v, "_", ""))
	sign := 1.0
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case s == ".inf":
		return math.Inf(int(sign)), nil
	case s == ".nan":
		return math.NaN(), nil
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		total, base := 0.0, 1.0
		for i := len(parts) - 1; i >= 0; i-- {
			f, err := strconv.ParseFloat(parts[i], 64)
			if err != nil {
				return nil, &PyError{Name: "ValueError", Message: fmt.Sprintf("could not convert string to float: %s", pyStrRepr(parts[i]))}
			}
			total += f * base
			base *= 60
		}
		return sign * total, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, &PyError{Name: "ValueError", Message: fmt.Sprintf("could not convert string to float: %s", pyStrRepr(s))}
	}
	return sign * f, nil
}

// Timestamp is a YAML date or date and time, which PyYAML reads as a
// datetime.date or datetime.datetime: no JSON value, so it matches no
// type of a schema.
type Timestamp struct {
	Time time.Time
	Date bool // a date without time
}

// String is Python's repr.
func (t Timestamp) String() string {
	if t.Date {
		return fmt.Sprintf("datetime.date(%d, %d, %d)", t.Time.Year(), t.Time.Month(), t.Time.Day())
	}
	return fmt.Sprintf("datetime.datetime(%d, %d, %d, %d, %d, %d)", t.Time.Year(), t.Time.Month(), t.Time.Day(), t.Time.Hour(), t.Time.Minute(), t.Time.Second())
}

// PyBytes is a !!binary value (Python bytes).
type PyBytes []byte

// PySet is a !!set value (a Python set).
type PySet struct{ Items map[string]any }

// PyPairs is a !!omap or !!pairs value (a Python list of tuples).
type PyPairs [][2]any

var yamlDateTime = regexp.MustCompile(`^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$`)

func yamlTimestamp(v string) (any, error) {
	m := yamlDateTime.FindStringSubmatch(v)
	if m == nil {
		return nil, &PyError{Name: "ValueError", Message: "invalid timestamp " + pyStrRepr(v)}
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d := num(m[1]), num(m[2]), num(m[3])
	if mo < 1 || mo > 12 {
		return nil, &PyError{Name: "ValueError", Message: "month must be in 1..12"}
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return nil, &PyError{Name: "ValueError", Message: "day is out of range for month"}
	}
	if m[4] == "" {
		return Timestamp{Time: t, Date: true}, nil
	}
	h, mi, s := num(m[4]), num(m[5]), num(m[6])
	if h > 23 {
		return nil, &PyError{Name: "ValueError", Message: "hour must be in 0..23"}
	}
	if mi > 59 {
		return nil, &PyError{Name: "ValueError", Message: "minute must be in 0..59"}
	}
	if s > 59 {
		return nil, &PyError{Name: "ValueError", Message: "second must be in 0..59"}
	}
	return Timestamp{Time: time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)}, nil
}
