package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/internal/suggest"
)

// An override is a parsed command-line override, Hydra style.
type override struct {
	raw   string
	mode  overrideMode
	key   []string
	value any
}

type overrideMode int

const (
	replace  overrideMode = iota // key=value: the key must exist
	add                          // +key=value: add the key (also replaces it: NeMo Gym users pass +policy_model_name=... while env.yaml sets it)
	addOrSet                     // ++key=value
)

func parseOverride(s string) (override, error) {
	o := override{raw: s}
	rest := s
	switch {
	case strings.HasPrefix(rest, "++"):
		o.mode, rest = addOrSet, rest[2:]
	case strings.HasPrefix(rest, "+"):
		o.mode, rest = add, rest[1:]
	}
	k, v, ok := strings.Cut(rest, "=")
	if !ok {
		return o, fmt.Errorf("config: override %q: want key=value, +key=value (add a key) or ++key=value (add or replace)", s)
	}
	key, err := splitKey(k)
	if err == nil && len(key) == 0 {
		err = fmt.Errorf("empty key")
	}
	if err != nil {
		return o, fmt.Errorf("config: override %q: %w", s, err)
	}
	o.key = key
	if o.value, err = parseValue(v); err != nil {
		return o, fmt.Errorf("config: override %q: %w", s, err)
	}
	return o, nil
}

// parseValue parses an override's value as a YAML scalar or flow collection
// ([a, b], {k: v}). Anything else, such as "a: b", is a string as written.
func parseValue(s string) (any, error) {
	if s == "" {
		return "", nil
	}
	if strings.ContainsAny(s, "\r\n") {
		return s, nil
	}
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(s), &doc)
	if err == nil && (doc.Kind == 0 || len(doc.Content) == 0) {
		return s, nil // only a comment
	}
	if err == nil {
		if n := doc.Content[0]; n.Kind != yaml.ScalarNode && n.Style&yaml.FlowStyle == 0 {
			return s, nil
		}
		var v any
		if v, err = parseYAML([]byte(s)); err == nil {
			return v, nil
		}
	}
	if s[0] == '[' || s[0] == '{' {
		return nil, fmt.Errorf("value is not a valid YAML list or mapping (%v); quote it to use it as a string", err)
	}
	return s, nil
}

// apply applies the override to the tree.
func (o override) apply(root *object) error {
	cur := any(root)
	for i, seg := range o.key {
		last := i == len(o.key)-1
		next, exists := child(cur, seg)
		switch {
		case last && !exists && o.mode == replace:
			return o.notFound(i, cur)
		case last:
			return o.set(i, cur, o.value)
		case !exists && o.mode == replace:
			return o.notFound(i, cur)
		case !exists || next == nil:
			// +a.b=1 creates a, as Hydra does.
			if o.mode == replace {
				return o.notFound(i+1, newObject())
			}
			next = newObject()
			if err := o.set(i, cur, next); err != nil {
				return err
			}
		}
		cur = next
	}
	return nil
}

// set sets segment i of the key in its parent.
func (o override) set(i int, parent, v any) error {
	seg := o.key[i]
	switch p := parent.(type) {
	case *object:
		if !strings.HasPrefix(seg, "[") {
			p.set(seg, v)
			return nil
		}
	case []any:
		if j, ok := index(seg); ok && j < len(p) {
			p[j] = v
			return nil
		}
		return fmt.Errorf("config: override %q: %s has no element %s", o.raw, pathString(o.key[:i]), seg)
	}
	return fmt.Errorf("config: override %q: %s is %s, not a mapping", o.raw, pathString(o.key[:i]), describe(parent))
}

// notFound reports that segment i of the key is not in parent.
func (o override) notFound(i int, parent any) error {
	if _, ok := parent.([]any); ok {
		return fmt.Errorf("config: override %q: %s has no element %s", o.raw, pathString(o.key[:i]), o.key[i])
	}
	if _, ok := parent.(*object); !ok && i > 0 {
		return fmt.Errorf("config: override %q: %s is %s, not a mapping", o.raw, pathString(o.key[:i]), describe(parent))
	}
	msg := fmt.Sprintf("config: override %q: %s is not in the config", o.raw, pathString(o.key))
	if p, ok := parent.(*object); ok {
		if s, ok := suggest.Closest(o.key[i], p.keys); ok {
			msg += fmt.Sprintf(" (did you mean %s?)", pathString(append(o.key[:i:i], s)))
		}
	}
	return fmt.Errorf("%s; use +%s to add it", msg, strings.TrimLeft(o.raw, "+"))
}
