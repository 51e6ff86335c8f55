package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// missingValue is OmegaConf's marker for a value that must be set.
const missingValue = "???"

// object is a YAML mapping that keeps its keys in document order, so that
// YAML writes the merged config back in the order it was read.
//
// A config tree holds *object, []any, nil and YAML scalars (string, bool,
// int, uint64, float64, time.Time); resolved trees may also hold envString.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[key]
	return v, ok
}

func (o *object) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// merge merges src into dst the way OmegaConf.merge does: mappings merge key
// by key, everything else (lists included) is replaced, and a ??? in src never
// replaces a value dst already has. src's subtrees are moved, not copied.
func merge(dst, src *object) {
	for _, k := range src.keys {
		sv := src.vals[k]
		dv, exists := dst.vals[k]
		if exists && sv == missingValue {
			continue
		}
		if dm, ok := dv.(*object); ok {
			if sm, ok := sv.(*object); ok {
				merge(dm, sm)
				continue
			}
		}
		dst.set(k, sv)
	}
}

// child returns the element of a mapping or list named by one path segment.
func child(v any, seg string) (any, bool) {
	switch v := v.(type) {
	case *object:
		return v.get(seg)
	case []any:
		i, ok := index(seg)
		if !ok || i >= len(v) {
			return nil, false
		}
		return v[i], true
	}
	return nil, false
}

// index parses a list index segment, spelled "[0]" or "0".
func index(seg string) (int, bool) {
	seg = strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
	i, err := strconv.Atoi(seg)
	return i, err == nil && i >= 0
}

// keySegment matches one dotted-key segment and an optional list index.
var keySegment = regexp.MustCompile(`^([^.\[\]]*)((?:\[[0-9]+\])*)$`)

// splitKey splits a key like "a.b[0].c" into the segments a, b, [0], c.
// The empty key is the root.
func splitKey(key string) ([]string, error) {
	if key == "" {
		return nil, nil
	}
	var segs []string
	for part := range strings.SplitSeq(key, ".") {
		m := keySegment.FindStringSubmatch(part)
		if m == nil || (m[1] == "" && m[2] == "") || (m[1] == "" && len(segs) == 0) {
			return nil, fmt.Errorf("invalid key %q", key)
		}
		if m[1] != "" {
			segs = append(segs, m[1])
		}
		for idx := range strings.SplitSeq(strings.TrimPrefix(m[2], "["), "[") {
			if idx != "" {
				segs = append(segs, "["+idx)
			}
		}
	}
	return segs, nil
}

// pathString joins path segments back into a dotted key.
func pathString(p []string) string {
	var b strings.Builder
	for i, seg := range p {
		if i > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// sub returns p extended by segs without sharing p's backing array.
func sub(p []string, segs ...string) []string {
	return append(p[:len(p):len(p)], segs...)
}

// parseYAML decodes one YAML document into a tree. The document is decoded
// once into an interface value first so that yaml.v3's own checks (duplicate
// keys, self-referencing anchors, alias bombs) run before the tree is built.
func parseYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return nil, nil
	}
	var check any
	if err := doc.Decode(&check); err != nil {
		return nil, err
	}
	return fromNode(&doc)
}

func fromNode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromNode(n.Content[0])
	case yaml.AliasNode:
		return fromNode(n.Alias)
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromNode(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		return fromMapping(n)
	}
	return nil, fmt.Errorf("yaml: line %d: unsupported node", n.Line)
}

// fromMapping builds an object, applying YAML merge keys (<<): explicit keys
// win over merged ones, and earlier merge sources win over later ones.
func fromMapping(n *yaml.Node) (*object, error) {
	obj := newObject()
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("yaml: line %d: mapping keys must be scalars", k.Line)
		}
		val, err := fromNode(v)
		if err != nil {
			return nil, err
		}
		obj.set(k.Value, val)
	}
	for _, m := range merges {
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			v, err := fromNode(src)
			if err != nil {
				return nil, err
			}
			so, ok := v.(*object)
			if !ok {
				return nil, fmt.Errorf("yaml: line %d: merge key << needs a mapping", src.Line)
			}
			for _, k := range so.keys {
				if _, exists := obj.vals[k]; !exists {
					obj.set(k, so.vals[k])
				}
			}
		}
	}
	return obj, nil
}

// toNode converts a tree to a yaml.Node. With lax set, values read from the
// environment become untagged scalars, so that decoding "true" into a bool
// field works the way a plain YAML scalar would.
func toNode(v any, lax bool) *yaml.Node {
	switch v := v.(type) {
	case *object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range v.keys {
			n.Content = append(n.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k},
				toNode(v.vals[k], lax))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range v {
			n.Content = append(n.Content, toNode(e, lax))
		}
		return n
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case envString:
		if lax {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: string(v)}
		}
		return toNode(string(v), lax)
	}
	n := new(yaml.Node)
	if err := n.Encode(v); err != nil {
		// Unreachable for trees built from YAML; keep the text rather than fail.
		n.Encode(fmt.Sprint(v))
	}
	return n
}

// plain converts a tree to the map[string]any / []any form callers expect.
func plain(v any) any {
	switch v := v.(type) {
	case *object:
		m := make(map[string]any, len(v.keys))
		for _, k := range v.keys {
			m[k] = plain(v.vals[k])
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = plain(e)
		}
		return l
	case envString:
		return string(v)
	}
	return v
}

// describe names the YAML type of a tree value, for error messages.
func describe(v any) string {
	switch v.(type) {
	case *object:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "null"
	case string, envString:
		return "a string"
	case bool:
		return "a bool"
	case int, int64, uint64, float64:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
