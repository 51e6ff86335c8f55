package schema

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Format is a structured-output format of NeMo Gym's structured_outputs
// (its schema_type).
type Format string

// The formats.
const (
	JSON Format = "json"
	YAML Format = "yaml"
	XML  Format = "xml"
	TOML Format = "toml"
	CSV  Format = "csv"
)

// Formats lists every format.
var Formats = []Format{JSON, YAML, XML, TOML, CSV}

// Valid reports whether f is one of Formats.
func (f Format) Valid() bool {
	switch f {
	case JSON, YAML, XML, TOML, CSV:
		return true
	}
	return false
}

// Parse parses content in format f as NeMo Gym does (json.loads,
// yaml.safe_load, xmltodict.parse, tomllib.loads, csv.DictReader). A parse
// failure is a *PyError.
func Parse(f Format, content string) (any, error) {
	switch f {
	case JSON:
		return ParseJSON(content)
	case YAML:
		return ParseYAML(content)
	case XML:
		return ParseXML(content)
	case TOML:
		return ParseTOML(content)
	case CSV:
		return ParseCSV(content)
	}
	return nil, fmt.Errorf("schema: unknown format %q (want one of %v)", f, Formats)
}

// NeMo Gym's error_type values.
const (
	ErrEmptyResponse = "empty_response"
	ErrSchema        = "schema_error"
	ErrParse         = "parse_error"
	ErrValidation    = "validation_error"
)

// Result is the outcome of a check: reward 1 and no error, or reward 0
// with NeMo Gym's error_type and error_message.
type Result struct {
	Reward       float64
	ErrorType    string // "" when the output conforms
	ErrorMessage string
}

func fail(typ, msg string) Result { return Result{ErrorType: typ, ErrorMessage: msg} }

// Checker checks structured outputs against schemas, as NeMo Gym's
// structured_outputs server does. The zero value coerces no XML types;
// NeMo Gym's default (xml_coerce_types: true) is XMLCoerceTypes set. A
// Checker caches compiled schemas and is safe for concurrent use.
type Checker struct {
	// XMLCoerceTypes converts XML text to the schema's integer, number and
	// boolean types before validation (CoerceXML).
	XMLCoerceTypes bool

	cache cache
}

// Text checks a text response in format f against schemaStr (a JSON
// Schema as a string), in NeMo Gym's order: an empty response, then the
// schema (not JSON: schema_error), then the response (parse_error), then
// its validation (validation_error, also for a schema that is no valid
// JSON Schema). CSV values, and XML values when XMLCoerceTypes is set, are
// converted to the schema's types first. The error is Python's, where
// NeMo Gym's server fails (a "properties" that is a number).
func (c *Checker) Text(f Format, schemaStr, text string) (Result, error) {
	if strings.TrimFunc(text, pyIsSpace) == "" {
		return fail(ErrEmptyResponse, "No assistant response text"), nil
	}
	s, res, err := c.schema(schemaStr)
	if s == nil {
		return res, err
	}
	res, err = c.text(f, s, text, nil)
	if err != nil || res.ErrorType != ErrValidation {
		return res, err
	}
	// Again with the document's key order, for the message.
	return c.text(f, s, text, ordering{})
}

// text parses, coerces and validates text, recording the key order of its
// objects in order when it is not nil.
func (c *Checker) text(f Format, s *Schema, text string, order ordering) (Result, error) {
	var v any
	var err error
	switch f {
	case JSON:
		var o ordering
		v, o, err = parseJSON(text, order != nil)
		if order != nil {
			order = o
		}
	case YAML:
		v, err = parseYAML(text, order)
	case XML:
		v, err = parseXML(text, order)
	case CSV:
		v, err = parseCSV(text, order)
	default:
		v, err = Parse(f, text)
	}
	if err != nil {
		var pe *PyError
		if !errors.As(err, &pe) {
			return Result{}, err
		}
		return fail(ErrParse, pe.Name+": "+truncate(pe.Message, 200)), nil
	}
	switch {
	case f == XML && c.XMLCoerceTypes:
		v = order.coerceXML(v, s.tree)
	case f == CSV:
		rows, err := order.coerceCSV(v.([]any), s.tree)
		if err != nil {
			return validationFailure(err), nil
		}
		v = rows
	}
	return c.validate(s, v, order), nil
}

// Value checks an already parsed value (a tool call's arguments) against
// schemaStr: schema_error or validation_error.
func (c *Checker) Value(schemaStr string, v any) (Result, error) {
	s, res, err := c.schema(schemaStr)
	if s == nil {
		return res, err
	}
	return c.validate(s, v, nil), nil
}

func (c *Checker) schema(schemaStr string) (*Schema, Result, error) {
	s, err := c.cache.compile(schemaStr)
	if err != nil {
		var se *SchemaError
		if errors.As(err, &se) {
			return nil, fail(ErrSchema, truncate(se.Error(), 200)), nil
		}
		return nil, Result{}, err
	}
	return s, Result{}, nil
}

func (c *Checker) validate(s *Schema, v any, order ordering) Result {
	if err := s.validate(v, order); err != nil {
		return validationFailure(err)
	}
	return Result{Reward: 1}
}

func validationFailure(err error) Result {
	var pe *PyError
	if errors.As(err, &pe) {
		return fail(ErrValidation, pe.Name+": "+truncate(pe.Message, 200))
	}
	return fail(ErrValidation, truncate(err.Error(), 200))
}

// truncate is Python's s[:n]: the first n code points.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
