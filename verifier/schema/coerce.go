package schema

import (
	"fmt"
	"strings"
)

// CoerceXML converts the strings xmltodict gives to the types schema asks
// for, as NeMo Gym's coerce_xml_types: walking data along the schema's
// "type" (a single type; a list of types is not coerced), an integer,
// number or boolean ("true"/"1", "false"/"0", any case) string is
// converted where Python's int() / float() accept it and kept otherwise; an
// empty element (null) becomes "" where a string is wanted; at an array
// position a one-key object (xmltodict's <items><item>..</item></items>
// wrapping) is unwrapped and a single value becomes a one-item list.
// Properties the schema does not list are kept as they are.
func CoerceXML(data any, schema any) any { return ordering(nil).coerceXML(data, schema) }

func (o ordering) coerceXML(data any, schema any) any {
	s, ok := schema.(map[string]any)
	if !ok {
		return data
	}
	t, ok := s["type"]
	if !ok {
		return data
	}
	typ, _ := t.(string)
	if typ == "object" {
		if obj, ok := data.(map[string]any); ok {
			props, _ := s["properties"].(map[string]any)
			out := make(map[string]any, len(obj))
			for _, k := range o.keys(obj) {
				v := obj[k]
				o.add(out, k)
				if ps, ok := props[k]; ok {
					out[k] = o.coerceXML(v, ps)
				} else {
					out[k] = v
				}
			}
			return out
		}
	}
	if typ == "array" {
		items, ok := s["items"]
		if !ok {
			items = map[string]any{}
		}
		if obj, ok := data.(map[string]any); ok && len(obj) == 1 {
			for _, v := range obj {
				data = v
			}
		}
		list, ok := data.([]any)
		if !ok {
			if data == nil {
				list = []any{}
			} else {
				list = []any{data}
			}
		}
		out := make([]any, len(list))
		for i, v := range list {
			out[i] = o.coerceXML(v, items)
		}
		return out
	}
	if data == nil && typ == "string" {
		return ""
	}
	if str, ok := data.(string); ok {
		if v, ok := coerceScalar(str, typ); ok {
			return v
		}
	}
	return data
}

// coerceScalar converts a string to an integer, number or boolean as
// NeMo Gym does, reporting false where the string stays as it is.
func coerceScalar(s, typ string) (any, bool) {
	switch typ {
	case "integer":
		if n, ok := pyInt(s); ok {
			return n, true
		}
	case "number":
		if f, ok := pyFloat(s); ok {
			return f, true
		}
	case "boolean":
		switch strings.ToLower(s) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	}
	return nil, false
}

// CoerceCSV converts the strings csv.DictReader gives to the types of the
// schema's items' properties, as NeMo Gym's coerce_csv_types: a property
// without a type is a string; a list of types tries each (but "null") in
// order and takes the first conversion, an empty value being null when
// "null" is listed; an empty value otherwise stays "". The error is
// Python's, where NeMo Gym's code fails on the schema (an items or
// property schema that is not an object).
func CoerceCSV(rows []any, schema any) ([]any, error) { return ordering(nil).coerceCSV(rows, schema) }

func (o ordering) coerceCSV(rows []any, schema any) ([]any, error) {
	s, ok := schema.(map[string]any)
	if !ok {
		return nil, attrError(schema)
	}
	items, ok := s["items"]
	if !ok {
		items = s
	}
	is, ok := items.(map[string]any)
	if !ok {
		return nil, attrError(items)
	}
	var props map[string]any
	if p, ok := is["properties"]; ok {
		if props, ok = p.(map[string]any); !ok {
			return nil, attrError(p)
		}
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		row := r.(map[string]any)
		c := make(map[string]any, len(row))
		for _, k := range o.keys(row) {
			v := row[k]
			o.add(c, k)
			var typ any = "string"
			if ps, ok := props[k]; ok {
				pm, ok := ps.(map[string]any)
				if !ok {
					return nil, attrError(ps)
				}
				if t, ok := pm["type"]; ok {
					typ = t
				}
			}
			cv, err := coerceCSVScalar(v, typ)
			if err != nil {
				return nil, err
			}
			c[k] = cv
		}
		out[i] = c
	}
	return out, nil
}

func attrError(v any) error {
	return &PyError{Name: "AttributeError", Message: fmt.Sprintf("'%s' object has no attribute 'get'", pyTypeName(v))}
}

func coerceCSVScalar(v any, typ any) (any, error) {
	if types, ok := typ.([]any); ok {
		empty := v == nil || v == ""
		for _, t := range types {
			if t == "null" && empty {
				return nil, nil
			}
		}
		for _, t := range types {
			if t == "null" {
				continue
			}
			r, err := coerceCSVScalar(v, t)
			if err != nil {
				return nil, err
			}
			if _, isStr := r.(string); !isStr || t == "string" {
				return r, nil
			}
		}
		return v, nil
	}
	if v == nil || v == "" {
		return v, nil
	}
	s, ok := v.(string)
	if !ok { // the surplus fields of a row, a list
		switch typ {
		case "integer":
			return nil, &PyError{Name: "TypeError", Message: "int() argument must be a string, a bytes-like object or a real number, not 'list'"}
		case "number":
			return nil, &PyError{Name: "TypeError", Message: "float() argument must be a string or a real number, not 'list'"}
		case "boolean":
			return nil, &PyError{Name: "AttributeError", Message: "'list' object has no attribute 'lower'"}
		}
		return v, nil
	}
	t, _ := typ.(string)
	if c, ok := coerceScalar(s, t); ok {
		return c, nil
	}
	return v, nil
}
