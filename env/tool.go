package env

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/rollout"
)

// NewTool returns a stateless tool. Its parameters schema is derived from In,
// which must be a struct: a strict schema (every property required, no
// additional properties, no $ref), as OpenAI's strict function calling wants.
// Arguments are decoded strictly into In (unknown or missing fields, also in
// nested objects, are an error shown to the model) and the result is encoded
// as JSON the way NeMo Gym's Python servers write it.
//
// Use `json:"name"` tags for property names and `jsonschema:"description=..."`
// tags for descriptions. NewTool panics if In is not a struct type or is
// recursive: a strict schema without $ref cannot describe a type that
// contains itself.
func NewTool[In, Out any](name, description string, fn func(ctx context.Context, in In) (Out, error)) *Tool {
	return NewStateTool(name, description, func(ctx context.Context, _ any, in In) (Out, error) {
		return fn(ctx, in)
	})
}

// NewStateTool is NewTool for a tool that reads or changes the session's
// state, which it receives as an S (the value the Server's NewState returned).
// A state that is not an S fails the rollout with a *rollout.Failure of
// class FailEnvironment: the environment is put together wrong, and the
// model is not told.
func NewStateTool[S, In, Out any](name, description string, fn func(ctx context.Context, state S, in In) (Out, error)) *Tool {
	sch := SchemaFor[In]()
	var shape argShape
	if err := json.Unmarshal(sch, &shape); err != nil {
		panic(fmt.Sprintf("env: tool %q: schema: %v", name, err))
	}
	shape.flat = shape.isFlat()
	return &Tool{
		Name:        name,
		Description: description,
		Parameters:  sch,
		Strict:      true,
		Handler: func(ctx context.Context, state any, args json.RawMessage) (json.RawMessage, error) {
			var st S
			if state != nil {
				var ok bool
				if st, ok = state.(S); !ok {
					// A programming error of the environment, not an answer
					// for the model: the rollout fails (see Session.CallTool).
					return nil, &rollout.Failure{Class: rollout.FailEnvironment, Stage: "tool",
						Err: fmt.Errorf("tool %q: the session state is a %T, but the tool takes a %v (NewState and NewStateTool disagree)", name, state, reflect.TypeFor[S]())}
				}
			}
			var in In
			if err := decodeArgs(args, &in, &shape); err != nil {
				return nil, fmt.Errorf("invalid arguments for %s: %w", name, err)
			}
			out, err := fn(ctx, st, in)
			if err != nil {
				return nil, err
			}
			return pyjson.Marshal(out)
		},
	}
}

// argShape is the part of a strict schema that decodeArgs checks beyond
// what encoding/json does: the required properties of every object, also
// nested ones.
type argShape struct {
	Properties map[string]*argShape `json:"properties"`
	Required   []string             `json:"required"`
	Items      *argShape            `json:"items"`

	flat bool // the root's properties require nothing of their own (isFlat)
}

// isFlat reports whether missing can look only at the root's required
// names: no property has required members of its own, at any depth.
func (s *argShape) isFlat() bool {
	for _, p := range s.Properties {
		if p != nil && (len(p.Required) > 0 || p.Items != nil || len(p.Properties) > 0) {
			return false
		}
	}
	return s.Items == nil
}

// missing returns the path of the first required property absent from v
// (a decoded JSON value), or "".
func (s *argShape) missing(v any, path string) string {
	if s == nil {
		return ""
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := v[r]; !ok {
				return join(path, r)
			}
		}
		for _, r := range s.Required {
			if m := s.Properties[r].missing(v[r], join(path, r)); m != "" {
				return m
			}
		}
	case []any:
		for i, e := range v {
			if m := s.Items.missing(e, fmt.Sprintf("%s[%d]", path, i)); m != "" {
				return m
			}
		}
	}
	return ""
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func decodeArgs(args json.RawMessage, v any, shape *argShape) error {
	if shape.flat && len(shape.Required) <= 64 && decodeFlat(args, v, shape.Required) {
		return nil
	}
	// The general path, also for every failure of the fast one: its
	// errors are the ones the model is shown.
	reflect.ValueOf(v).Elem().SetZero()
	var doc any
	if err := json.Unmarshal(args, &doc); err != nil {
		return err
	}
	if _, ok := doc.(map[string]any); !ok {
		return fmt.Errorf("want a JSON object, got %.40s", args)
	}
	if m := shape.missing(doc, ""); m != "" {
		return fmt.Errorf("missing required argument %q", m)
	}
	return decodeStrict(args, v)
}

// decodeFlat decodes args into v for a shape whose required names are all
// at the root: it finds them with the library's scanner instead of
// decoding the arguments twice with encoding/json. It reports false,
// leaving the error to the general path, for anything but arguments that
// the general path would decode the same way: an object with every name
// of required, that decodes strictly into v, with nothing after it.
func decodeFlat(args json.RawMessage, v any, required []string) bool {
	var seen uint64
	known := true
	if jsonscan.Object(args, func(key string, _ []byte) error {
		if i := slices.Index(required, key); i >= 0 {
			seen |= 1 << i
		} else {
			known = false
		}
		return nil
	}) != nil || seen != 1<<len(required)-1 {
		return false
	}
	if known {
		// Every name is one of the schema's, which SchemaFor derived from
		// v's fields and all requires: no name is unknown to v, so the
		// strict decoder's answer is json.Unmarshal's (which also refuses
		// anything after the object), without the decoder's buffers.
		return json.Unmarshal(args, v) == nil
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if dec.Decode(v) != nil {
		return false
	}
	rest := args[dec.InputOffset():]
	return len(bytes.TrimLeft(rest, " \t\r\n")) == 0
}

// decodeStrict decodes args into v, refusing unknown fields.
func decodeStrict(args json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("argument %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return err
	}
	return nil
}

var schemaCache sync.Map // reflect.Type → json.RawMessage

// SchemaFor returns the strict JSON Schema NewTool derives for T: an object
// root, every property required, additionalProperties false at every level,
// definitions inlined, no $schema or $id. It panics if T is not a struct or
// is recursive.
func SchemaFor[T any]() json.RawMessage {
	t := reflect.TypeFor[T]()
	if v, ok := schemaCache.Load(t); ok {
		return v.(json.RawMessage)
	}
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if base.Kind() != reflect.Struct {
		panic(fmt.Sprintf("env: tool arguments must be a struct, not %s", t))
	}
	if cycle := recursion(base, nil); cycle != "" {
		panic(fmt.Sprintf("env: tool arguments %s are recursive (%s): a strict schema without $ref cannot describe them", t, cycle))
	}
	r := jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Anonymous: true}
	s := r.ReflectFromType(base)
	strict(s)
	s.Version = ""
	s.ID = ""
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("env: schema of %s: %v", t, err))
	}
	v, _ := schemaCache.LoadOrStore(t, json.RawMessage(raw))
	return v.(json.RawMessage)
}

var customSchema = reflect.TypeFor[interface{ JSONSchema() *jsonschema.Schema }]()

// recursion returns the path through which the struct type t contains
// itself, or "" if it does not. Inlining such a type would never end.
func recursion(t reflect.Type, path []reflect.Type) string {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
			continue
		}
		break
	}
	if t.Kind() != reflect.Struct || t.Implements(customSchema) || reflect.PointerTo(t).Implements(customSchema) {
		return ""
	}
	for i, p := range path {
		if p == t {
			var b strings.Builder
			for _, q := range path[i:] {
				b.WriteString(q.String())
				b.WriteString(" → ")
			}
			b.WriteString(t.String())
			return b.String()
		}
	}
	path = append(path, t)
	for f := range t.Fields() {
		if (!f.IsExported() && !f.Anonymous) || f.Tag.Get("json") == "-" {
			continue
		}
		if c := recursion(f.Type, path); c != "" {
			return c
		}
	}
	return ""
}

// strict makes every object schema in s closed with all properties required.
func strict(s *jsonschema.Schema) {
	if s == nil || s == jsonschema.TrueSchema || s == jsonschema.FalseSchema {
		return
	}
	s.ID = ""
	s.Version = ""
	if s.Properties != nil {
		s.Type = "object"
		s.Required = s.Required[:0]
		for name, prop := range s.Properties.FromOldest() {
			s.Required = append(s.Required, name)
			strict(prop)
		}
		s.AdditionalProperties = jsonschema.FalseSchema
	} else if s.Type == "object" && s.AdditionalProperties == nil {
		s.AdditionalProperties = jsonschema.FalseSchema
	}
	strict(s.Items)
	strict(s.AdditionalProperties)
	for _, sub := range s.PatternProperties {
		strict(sub)
	}
	for _, sub := range s.PrefixItems {
		strict(sub)
	}
	for _, sub := range s.AnyOf {
		strict(sub)
	}
	for _, sub := range s.OneOf {
		strict(sub)
	}
	for _, sub := range s.AllOf {
		strict(sub)
	}
	for _, d := range s.Definitions {
		strict(d)
	}
}
