// Package structuredoutputs is NeMo Gym's structured_outputs environment:
// the model answers in a structured format (JSON, YAML, XML, TOML or CSV
// text, or the arguments of a function call) and the answer is checked
// against the row's JSON Schema (package schema does the parsing and the
// validation). It has no tools.
//
//	srv, v, err := structuredoutputs.New(structuredoutputs.Config{}) // or FromConfig, from NeMo Gym's configs
//	reg.Register("structured_outputs_simple_agent", gym.Environment{Model: policy, Resources: srv, Verifier: v})
//
// A row carries schema_str (the JSON Schema, as a string), schema_type
// (json, the default, yaml, xml, toml or csv) and, for tool-call rows (NeMo
// Gym's v4 data, run by non_executing_simple_agent), response_mode
// "tool_call" with tool_name and tool_payload_key. The reward is 1.0 when
// the answer conforms. The verdict's fields are NeMo Gym's, in its order:
// schema_str, schema_type, error_type, error_message, then the row's
// metadata (problem_type, schema_repr, source_format, num_turns,
// source_record_id, response_mode, tool_name, tool_schema_mode,
// tool_payload_key, tool_choice, parallel_tool_calls, source_schema_type,
// num_tools, num_distractors, has_distractors, instruction_layout,
// instruction_detail_level, system_instruction_style, tool_name_style,
// distractor_style, tool_union_mode), null where the row has none
// (response_mode: "text").
//
// As in NeMo Gym's resources_servers/structured_outputs/app.py:
//
//   - Text answers: the text of every output_text part of every message
//     item, joined; blank is empty_response; then the schema is parsed
//     (schema_error: Python's JSON message, without the exception name),
//     made strict (schema.Strictify: every property required, no other
//     property allowed, except under anyOf/oneOf/allOf lists), the answer
//     parsed (parse_error) and validated (validation_error). A Markdown
//     fence around the answer (```json) is a parse_error.
//   - XML values are converted to the schema's types first when the
//     config's xml_coerce_types is true (the default); CSV values always.
//   - Tool calls: a response error is api_error; then exactly one
//     function_call item must be there (missing_tool_call,
//     multiple_tool_calls), named tool_name when the row has one
//     (wrong_tool_name), with JSON arguments (tool_arguments_parse_error)
//     holding tool_payload_key when the row has one
//     (missing_tool_payload_key); that payload is validated. The other
//     checks of text answers (empty response) do not apply.
//   - Where NeMo Gym's server fails on a row (a schema whose "properties"
//     is a number, arguments with an integer of more than 4300 digits), the
//     rollout fails as a verifier error.
//
// A row without schema_str, with a schema_type that is not one of the five,
// or with a field of the wrong type (num_turns "two") is an invalid row (a
// *rollout.Failure naming the field), where NeMo Gym's server answers 422;
// int and bool fields are read as pydantic reads them (2.0 is 2, "yes" is
// true) and written normalized. See package schema for where messages and
// unusual values differ from Python's.
package structuredoutputs
