package env

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/gymkit/gym/internal/pyjson"
)

// NewTool returns a stateless tool. Its parameters schema is derived from In,
// which must be a struct: a strict schema (every property required, no
// additional properties, no $ref), as OpenAI's strict function calling wants.
// Arguments are decoded strictly into In (unknown or missing fields are an
// error shown to the model) and the result is encoded as JSON the way
// NeMo Gym's Python servers write it.
//
// Use `json:"name"` tags for property names and `jsonschema:"description=..."`
// tags for descriptions. NewTool panics if In is not a struct type.
func NewTool[In, Out any](name, description string, fn func(ctx context.Context, in In) (Out, error)) *Tool {
	return NewStateTool(name, description, func(ctx context.Context, _ any, in In) (Out, error) {
		return fn(ctx, in)
	})
}

// NewStateTool is NewTool for a tool that reads or changes the session's
// state, which it receives as an S (the value the Server's NewState returned).
func NewStateTool[S, In, Out any](name, description string, fn func(ctx context.Context, state S, in In) (Out, error)) *Tool {
	sch := SchemaFor[In]()
	required := requiredOf(sch)
	return &Tool{
		Name:        name,
		Description: description,
		Parameters:  sch,
		Strict:      true,
		Handler: func(ctx context.Context, state any, args json.RawMessage) (json.RawMessage, error) {
			st, _ := state.(S)
			if state != nil {
				var ok bool
				if st, ok = state.(S); !ok {
					var want S
					return nil, fmt.Errorf("tool %q: session state is %T, want %T", name, state, want)
				}
			}
			var in In
			if err := decodeArgs(args, &in, required); err != nil {
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

func decodeArgs(args json.RawMessage, v any, required []string) error {
	if len(required) > 0 {
		var present map[string]json.RawMessage
		if err := json.Unmarshal(args, &present); err != nil {
			return err
		}
		for _, r := range required {
			if _, ok := present[r]; !ok {
				return fmt.Errorf("missing required argument %q", r)
			}
		}
	}
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

func requiredOf(schema json.RawMessage) []string {
	var s struct {
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(schema, &s)
	return s.Required
}

var schemaCache sync.Map // reflect.Type → json.RawMessage

// SchemaFor returns the strict JSON Schema NewTool derives for T: an object
// root, every property required, additionalProperties false at every level,
// definitions inlined, no $schema or $id. It panics if T is not a struct.
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

// strict makes every object schema in s closed with all properties required.
func strict(s *jsonschema.Schema) {
	if s == nil {
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
