// Package schema checks structured outputs against JSON Schemas as NeMo
// Gym's structured_outputs environment does: it parses a response in one
// of five formats with the semantics of the Python parsers NeMo Gym uses,
// makes the schema strict, coerces XML and CSV strings to the schema's
// types, and validates with the rules of NeMo Gym's validator.
//
//	var c schema.Checker{XMLCoerceTypes: true} // NeMo Gym's default
//	res, err := c.Text(schema.YAML, `{"type": "object", "properties": {"ok": {"type": "boolean"}}}`, "ok: yes\n")
//	// res.Reward == 1 (YAML 1.1: yes is true); else res.ErrorType is
//	// empty_response, schema_error, parse_error or validation_error
//
// The parsers, usable alone:
//
//   - ParseJSON is Python's json.loads (3.13): NaN and Infinity are
//     accepted, integers are unbounded (json.Number), a repeated key keeps
//     its last value, and errors are Python's JSONDecodeError messages, with
//     positions in code points ("Expecting value: line 1 column 1 (char 0)",
//     "Illegal trailing comma before end of object: ...").
//   - ParseYAML is PyYAML's yaml.safe_load: YAML 1.1 types (yes/no/on/off
//     booleans, 0o-less octal 010, 1_000, sexagesimal 1:30, 1e3 without a
//     dot a string, unquoted dates a Timestamp), merge keys, one document.
//   - ParseXML is xmltodict.parse (1.0.2, defaults): attributes "@name",
//     text "#text", repeated children a list, empty elements null, text
//     stripped, namespace prefixes kept.
//   - ParseTOML is tomllib.loads (TOML 1.0).
//   - ParseCSV is csv.DictReader over io.StringIO: Python's csv state
//     machine (excel dialect, not strict), blank lines skipped, surplus
//     fields under the key None, missing ones null.
//
// The validation follows openapi-schema-validator 0.6.3's validate(), the
// validator NeMo Gym pins: the schema is checked first (an invalid one is a
// SchemaError, reported as a validation_error), with the OpenAPI 3.1
// dialect, that is JSON Schema 2020-12 whatever the schema's $schema says;
// "format" is not asserted (validate passes no format checker); "pattern"
// is a Python regular expression, searched (regexp2 with Python's classes);
// remote $refs are not fetched. Validation is by santhosh-tekuri/jsonschema
// configured so. Strictify reproduces NeMo Gym's strictify_schema with its
// quirks: it sets required and additionalProperties: false on every object
// with properties reached through objects, but not inside lists (anyOf,
// oneOf, allOf, prefixItems).
//
// error_message is NeMo Gym's: "<exception name>: <message>" with the
// message cut to 200 characters. Validation errors are str() of
// jsonschema's ValidationError — its message ("'age' is a required
// property", "Additional properties are not allowed ('x' was unexpected)",
// ...), the keyword and the schema path, the schema and the instance
// pretty-printed as pprint.pformat(width=72) does — for the error
// jsonschema 4.25's best_match picks (nearest the document's root, then at
// the greater path, then the schema's earlier keyword). JSON and CSV parse
// errors are Python's messages.
//
// These were compared with NeMo Gym's own evaluate functions (app.py, run
// with PyYAML, xmltodict, jsonschema and openapi-schema-validator's
// OAS31Validator used as 0.6.3's validate() uses it) on 7,500 generated
// responses in the five formats: every reward and error_type agreed but
// for NaN (below), and every error_message of a JSON, CSV, YAML or XML
// answer's validation, but for the differences listed here.
//
// Known differences from NeMo Gym, all on unusual input:
//
//   - YAML, XML and TOML parse errors have the exception name but not the
//     Python parser's message. Objects of a TOML answer are shown with
//     sorted keys (go-toml keeps no order; Python shows document order). A
//     SchemaError (an invalid schema) has only its first line, naming the
//     meta-schema's innermost failing keyword ("'strng' is not one of
//     [...]") where Python's names its anyOf. An error under a $ref shows
//     the referenced schema's path, not Python's path through "$ref".
//   - NaN and infinite numbers (JSON NaN, YAML .nan), dates and times (YAML
//     timestamps, TOML dates), !!binary and !!set values are no JSON values
//     for the validator: they fail every schema, where Python's jsonschema
//     lets NaN pass "number" and a date pass a schema without "type".
//   - The YAML syntax is read by a YAML 1.2 parser (go.yaml.in/yaml/v3);
//     documents that only one of the two parsers accepts differ.
package schema
