package schema

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Strictify makes a schema strict as NeMo Gym's strictify_schema does: in
// every object of the schema that has "properties" — at any depth reached
// through objects, whatever key leads there — "required" becomes the list
// of the properties' names and "additionalProperties" false. Lists are not
// entered, so schemas under anyOf, oneOf, allOf or prefixItems stay as
// they are, and a property named "properties" gets its sibling definitions
// turned into a "required" and an "additionalProperties" property: both
// quirks are NeMo Gym's. It changes v in place; v is what ParseJSON
// returns. The error is Python's, for "properties" that is not iterable
// (a number, a boolean or null), which fails NeMo Gym's server.
func Strictify(v any) error { return ordering(nil).strictify(v) }

func (o ordering) strictify(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if props, ok := m["properties"]; ok {
		req, err := o.pyList(props)
		if err != nil {
			return err
		}
		for _, k := range []string{"required", "additionalProperties"} {
			if _, ok := m[k]; !ok {
				o.add(m, k)
			}
		}
		m["required"] = req
		m["additionalProperties"] = false
	}
	for _, child := range m {
		if err := o.strictify(child); err != nil {
			return err
		}
	}
	return nil
}

// pyList is Python's list(v) for a value of a parsed document: the keys of
// an object, the items of a list, the characters of a string.
func (o ordering) pyList(v any) ([]any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make([]any, 0, len(v))
		for _, k := range o.keys(v) {
			out = append(out, k)
		}
		return out, nil
	case []any:
		return append([]any(nil), v...), nil
	case string:
		out := []any{}
		for _, r := range v {
			out = append(out, string(r))
		}
		return out, nil
	}
	return nil, &PyError{Name: "TypeError", Message: fmt.Sprintf("'%s' object is not iterable", pyTypeName(v))}
}

// pyTypeName is the name of the Python type of a parsed value.
func pyTypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return "float"
		}
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
