package structuredoutputs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env/structuredoutputs"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func row(t testing.TB, fields map[string]any) rollout.Task {
	t.Helper()
	var task rollout.Task
	task.Set(rollout.KeyCreateParams, json.RawMessage(`{"input":[]}`))
	for k, v := range fields {
		require.NoError(t, task.SetValue(k, v))
	}
	return task
}

func message(text string) rollout.Item { return rollout.NewOutputMessage("msg", text) }

func call(name, args string) rollout.Item { return rollout.NewFunctionCall("call_1", name, args) }

func check(t *testing.T, coerce *bool, fields map[string]any, out ...rollout.Item) *verifier.Verdict {
	t.Helper()
	_, v, err := structuredoutputs.New(structuredoutputs.Config{XMLCoerceTypes: coerce})
	require.NoError(t, err)
	d, err := v.Verify(context.Background(), &verifier.Request{Task: row(t, fields), Response: &rollout.Response{Output: out}})
	require.NoError(t, err)
	return d
}

func errorType(t *testing.T, d *verifier.Verdict) any {
	t.Helper()
	var e any
	require.NoError(t, d.Field("error_type", &e))
	return e
}

// test_verify_tool_call_modes of NeMo Gym's tests/test_app.py.
func TestNeMoGymToolCallModes(t *testing.T) {
	schemaStr := `{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}`
	valid := `{"name": "Alice", "age": 30}`
	base := func(extra map[string]any) map[string]any {
		f := map[string]any{"schema_str": schemaStr, "response_mode": "tool_call", "tool_name": "extract_record",
			"tool_schema_mode": "direct", "tool_choice": "auto", "parallel_tool_calls": true}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	for _, tc := range []struct {
		name    string
		fields  map[string]any
		out     []rollout.Item
		reward  float64
		errType any
	}{
		{"direct", base(nil), []rollout.Item{call("extract_record", valid)}, 1, nil},
		{"extraction wrapper", base(map[string]any{"tool_schema_mode": "extraction_wrapper", "tool_payload_key": "extraction"}),
			[]rollout.Item{call("extract_record", `{"extraction": `+valid+`}`)}, 1, nil},
		{"random wrapper", base(map[string]any{"tool_schema_mode": "random_wrapper", "tool_payload_key": "summary"}),
			[]rollout.Item{call("extract_record", `{"summary": `+valid+`}`)}, 1, nil},
		{"wrong tool", base(nil), []rollout.Item{call("distractor_tool", valid)}, 0, "wrong_tool_name"},
		{"no tool call", base(nil), []rollout.Item{message("I cannot extract that.")}, 0, "missing_tool_call"},
		{"two tool calls", base(nil), []rollout.Item{call("extract_record", valid), call("distractor_tool", valid)}, 0, "multiple_tool_calls"},
		{"arguments not JSON", base(nil), []rollout.Item{call("extract_record", `{"name":`)}, 0, "tool_arguments_parse_error"},
		{"wrapper key missing", base(map[string]any{"tool_schema_mode": "extraction_wrapper", "tool_payload_key": "extraction"}),
			[]rollout.Item{call("extract_record", `{"result": `+valid+`}`)}, 0, "missing_tool_payload_key"},
		{"bad payload", base(nil), []rollout.Item{call("extract_record", `{"name": "Alice", "age": "thirty"}`)}, 0, "validation_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := check(t, nil, tc.fields, tc.out...)
			require.Equal(t, tc.reward, d.Reward)
			require.Equal(t, tc.errType, errorType(t, d))
		})
	}
	// NeMo Gym's messages.
	d := check(t, nil, base(nil), call("distractor_tool", valid))
	require.Equal(t, "Expected tool 'extract_record', got: distractor_tool", field(t, d, "error_message"))
	d = check(t, nil, base(nil), call("extract_record", `{"name":`))
	require.Equal(t, "JSONDecodeError: Expecting value: line 1 column 9 (char 8)", field(t, d, "error_message"))
	d = check(t, nil, base(nil), call("extract_record", valid), call("distractor_tool", valid))
	require.Equal(t, "Expected exactly one function_call, got: extract_record, distractor_tool", field(t, d, "error_message"))
	d = check(t, nil, base(nil), call("extract_record", `{"name": "Alice", "age": "thirty"}`))
	require.Equal(t, "ValidationError: 'thirty' is not of type 'integer'\n\nFailed validating 'type' in schema['properties']['age']:\n    {'type': 'integer'}\n\nOn instance['age']:\n    'thirty'", field(t, d, "error_message"))
	d = check(t, nil, base(nil), call("extract_record", `{"name": "Alice"}`))
	// Python's str() of the error, cut at 200 characters.
	require.Equal(t, "ValidationError: 'age' is a required property\n\nFailed validating 'required' in schema:\n    {'type': 'object',\n     'properties': {'name': {'type': 'string'}, 'age': {'type': 'integer'}},\n     'required': ['name', 'age", field(t, d, "error_message"))
}

func field(t *testing.T, d *verifier.Verdict, name string) any {
	t.Helper()
	var v any
	require.NoError(t, d.Field(name, &v))
	return v
}

// The schema of test_verify_json and test_verify_yaml.
const studySchema = `{"type": "object", "properties": {"studentId": {"type": "string"}, "examSubject": {"type": "string"}, "plannedStudyHours": {"type": "integer"}, "isFullTimeStudent": {"type": "boolean"}, "studyMaterials": {"type": "object", "properties": {"textbooks": {"type": "array", "items": {"type": "string"}}, "onlineResources": {"type": "array", "items": {"type": "string"}}, "practiceExams": {"type": "object", "properties": {"completedCount": {"type": "integer"}, "averageScore": {"type": "number"}, "mostRecentDate": {"type": "string", "format": "date"}}, "required": ["completedCount", "averageScore", "mostRecentDate"], "additionalProperties": false}}, "required": ["textbooks", "onlineResources", "practiceExams"], "additionalProperties": false}, "studySchedule": {"type": "object", "properties": {"weeklyHours": {"type": "integer"}, "sessionsPerWeek": {"type": "integer"}, "preferredTimeOfDay": {"type": "string", "enum": ["morning", "afternoon", "evening"]}, "studyDays": {"type": "array", "items": {"type": "string"}}, "breakSchedule": {"type": "object", "properties": {"shortBreakMinutes": {"type": "integer"}, "longBreakMinutes": {"type": "integer"}, "breakFrequencyMinutes": {"type": "integer"}}, "required": ["shortBreakMinutes", "longBreakMinutes", "breakFrequencyMinutes"], "additionalProperties": false}}, "required": ["weeklyHours", "sessionsPerWeek", "preferredTimeOfDay", "studyDays", "breakSchedule"], "additionalProperties": false}, "preparationStatus": {"type": "string", "enum": ["not_started", "in_progress", "review_only", "ready"]}}}`

const studyJSON = `{"studentId":"STU12345","examSubject":"Calculus II","plannedStudyHours":120,"isFullTimeStudent":true,"studyMaterials":{"textbooks":["Calculus: Early Transcendentals","Schaum’s Outline of Calculus","The Humongous Book of Calculus Problems"],"onlineResources":["Khan Academy","Paul’s Online Math Notes","Coursera Calculus Course"],"practiceExams":{"completedCount":8,"averageScore":87.5,"mostRecentDate":"2024-05-10"}},"studySchedule":{"weeklyHours":15,"sessionsPerWeek":5,"preferredTimeOfDay":"evening","studyDays":["Monday","Wednesday","Friday","Saturday","Sunday"],"breakSchedule":{"shortBreakMinutes":10,"longBreakMinutes":25,"breakFrequencyMinutes":50}},"preparationStatus":"in_progress"}`

// yaml.dump(test_completion_obj, default_flow_style=False) of test_verify_yaml.
const studyYAML = "examSubject: Calculus II\nisFullTimeStudent: true\nplannedStudyHours: 120\npreparationStatus: in_progress\nstudentId: STU12345\nstudyMaterials:\n  onlineResources:\n  - Khan Academy\n  - Coursera Calculus Course\n  practiceExams:\n    averageScore: 87.5\n    completedCount: 8\n    mostRecentDate: '2024-05-10'\n  textbooks:\n  - 'Calculus: Early Transcendentals'\n  - \"Schaum\\u2019s Outline of Calculus\"\nstudySchedule:\n  breakSchedule:\n    breakFrequencyMinutes: 50\n    longBreakMinutes: 25\n    shortBreakMinutes: 10\n  preferredTimeOfDay: evening\n  sessionsPerWeek: 5\n  studyDays:\n  - Monday\n  - Wednesday\n  - Friday\n  weeklyHours: 15\n"

type textCase struct {
	name    string
	text    string
	reward  float64
	errType any
}

func runText(t *testing.T, coerce *bool, schemaType, schemaStr string, cases []textCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(schemaType+"/"+tc.name, func(t *testing.T) {
			d := check(t, coerce, map[string]any{"schema_str": schemaStr, "schema_type": schemaType}, message(tc.text))
			require.Equal(t, tc.reward, d.Reward, "%v", field(t, d, "error_message"))
			require.Equal(t, tc.errType, errorType(t, d), "%v", field(t, d, "error_message"))
		})
	}
}

func edit(t *testing.T, doc string, f func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	f(m)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out)
}

func TestNeMoGymJSON(t *testing.T) {
	runText(t, nil, "json", studySchema, []textCase{
		{"valid", studyJSON, 1, nil},
		{"not parsable", `{"studentId":"STU12345", `, 0, "parse_error"},
		{"missing field", edit(t, studyJSON, func(m map[string]any) { delete(m, "studentId") }), 0, "validation_error"},
		{"extra field", edit(t, studyJSON, func(m map[string]any) { m["extraField"] = "some value" }), 0, "validation_error"},
		{"wrong type", edit(t, studyJSON, func(m map[string]any) { m["plannedStudyHours"] = "one hundred" }), 0, "validation_error"},
		{"nested extra field", edit(t, studyJSON, func(m map[string]any) {
			m["studyMaterials"].(map[string]any)["practiceExams"].(map[string]any)["extraNestedField"] = "bad value"
		}), 0, "validation_error"},
	})
}

func yamlEdit(doc string, old, new string) string { return strings.Replace(doc, old, new, 1) }

func TestNeMoGymYAML(t *testing.T) {
	runText(t, nil, "yaml", studySchema, []textCase{
		{"valid", studyYAML, 1, nil},
		{"not parsable", "key: value\n  bad_indent: oops\n notvalid", 0, "parse_error"},
		{"missing field", yamlEdit(studyYAML, "studentId: STU12345\n", ""), 0, "validation_error"},
		{"extra field", "extraField: some value\n" + studyYAML, 0, "validation_error"},
		{"wrong type", yamlEdit(studyYAML, "plannedStudyHours: 120", "plannedStudyHours: one hundred"), 0, "validation_error"},
		{"nested extra field", yamlEdit(studyYAML, "    completedCount: 8\n", "    completedCount: 8\n    extraNestedField: bad value\n"), 0, "validation_error"},
		// YAML 1.1, as PyYAML reads it.
		{"unquoted date is no string", yamlEdit(studyYAML, "'2024-05-10'", "2024-05-10"), 0, "validation_error"},
		{"yes is a boolean", yamlEdit(studyYAML, "isFullTimeStudent: true", "isFullTimeStudent: yes"), 1, nil},
		{"two documents", studyYAML + "---\n" + studyYAML, 0, "parse_error"},
	})
}

const xmlSchema = `{"type": "object", "properties": {"root": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "score": {"type": "number"}, "active": {"type": "boolean"}, "tag": {"type": "array", "items": {"type": "string"}}}}}}`

func TestNeMoGymXML(t *testing.T) {
	const decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	valid := decl + "<root><name>Alice</name><age>25</age><score>95.5</score><active>true</active><tag>python</tag><tag>ml</tag></root>"
	runText(t, nil, "xml", xmlSchema, []textCase{
		{"valid", valid, 1, nil},
		{"malformed", "<root><name>Alice</name><age>25", 0, "parse_error"},
		{"missing field", decl + "<root><name>Alice</name><score>95.5</score><active>true</active><tag>python</tag><tag>ml</tag></root>", 0, "validation_error"},
		{"extra field", strings.Replace(valid, "</root>", "<extraField>bad</extraField></root>", 1), 0, "validation_error"},
		{"one tag is a list", strings.Replace(valid, "<tag>ml</tag>", "", 1), 1, nil},
		{"text before the root", "```xml\n" + valid, 0, "parse_error"},
	})
	off := false
	runText(t, &off, "xml", xmlSchema, []textCase{{"no coercion", valid, 0, "validation_error"}})
}

func TestNeMoGymTOML(t *testing.T) {
	schemaStr := `{"type": "object", "properties": {"name": {"type": "string"}, "version": {"type": "string"}, "buildNumber": {"type": "integer"}, "isStable": {"type": "boolean"}, "score": {"type": "number"}, "settings": {"type": "object", "properties": {"debug": {"type": "boolean"}, "timeout": {"type": "integer"}, "logLevel": {"type": "string"}}, "required": ["debug", "timeout", "logLevel"], "additionalProperties": false}, "tags": {"type": "array", "items": {"type": "string"}}}}`
	valid := "name = \"my-project\"\nversion = \"1.2.3\"\nbuildNumber = 42\nisStable = true\nscore = 98.5\ntags = [\"python\", \"ml\"]\n\n[settings]\ndebug = false\ntimeout = 30\nlogLevel = \"info\"\n"
	runText(t, nil, "toml", schemaStr, []textCase{
		{"valid", valid, 1, nil},
		{"unparseable", "name = \"hello\n[invalid", 0, "parse_error"},
		{"missing field", strings.Replace(valid, "name = \"my-project\"\n", "", 1), 0, "validation_error"},
		{"extra field", strings.Replace(valid, "tags = [\"python\", \"ml\"]\n", "tags = [\"python\", \"ml\"]\nextraField = \"some value\"\n", 1), 0, "validation_error"},
		{"wrong type", strings.Replace(valid, "buildNumber = 42", "buildNumber = \"forty-two\"", 1), 0, "validation_error"},
		{"nested extra field", valid + "extraNestedField = \"bad value\"\n", 0, "validation_error"},
	})
}

func TestNeMoGymCSV(t *testing.T) {
	schemaStr := `{"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "score": {"type": "number"}, "active": {"type": "boolean"}}}}`
	runText(t, nil, "csv", schemaStr, []textCase{
		{"valid", "name,age,score,active\nAlice,30,95.5,true\nBob,25,88.0,false\n", 1, nil},
		{"empty", "   ", 0, "empty_response"},
		{"missing column", "age,score,active\n30,95.5,true\n25,88.0,false\n", 0, "validation_error"},
		{"extra column", "name,age,score,active,bonus\nAlice,30,95.5,true,extra\nBob,25,88.0,false,extra\n", 0, "validation_error"},
		{"wrong type", "name,age,score,active\nAlice,not_a_number,95.5,true\n", 0, "validation_error"},
		{"surplus field", "name,age,score,active\nAlice,30,95.5,true,surplus\n", 0, "validation_error"},
	})
	runText(t, nil, "csv", `{"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}}}}`,
		[]textCase{{"nullable", "name,age\nAlice,\nBob,25\n", 1, nil}})
}

// The verdict has NeMo Gym's response fields, in its order, with the row's
// values and NeMo Gym's defaults.
func TestVerdictFields(t *testing.T) {
	// pydantic's lax reading of the ints and bools (checked against pydantic 2.13).
	for in, want := range map[string]map[string]any{
		`{"num_turns": "2.0", "num_tools": true, "num_distractors": " 3 ", "has_distractors": 0.0, "parallel_tool_calls": "T"}`: {
			"num_turns": 2.0, "num_tools": 1.0, "num_distractors": 3.0, "has_distractors": false, "parallel_tool_calls": true},
	} {
		var fields map[string]any
		require.NoError(t, json.Unmarshal([]byte(in), &fields))
		fields["schema_str"] = "{}"
		d := check(t, nil, fields, message(`{}`))
		for k, v := range want {
			require.Equal(t, v, field(t, d, k), k)
		}
	}
	d := check(t, nil, map[string]any{"schema_str": `{"type": "object"}`, "num_turns": 2.0, "has_distractors": "yes", "problem_type": "direct"}, message(`{}`))
	var names []string
	for _, f := range d.Fields.Fields() {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"schema_str", "schema_type", "error_type", "error_message", "problem_type", "schema_repr",
		"source_format", "num_turns", "source_record_id", "response_mode", "tool_name", "tool_schema_mode", "tool_payload_key",
		"tool_choice", "parallel_tool_calls", "source_schema_type", "num_tools", "num_distractors", "has_distractors",
		"instruction_layout", "instruction_detail_level", "system_instruction_style", "tool_name_style", "distractor_style",
		"tool_union_mode"}, names)
	require.JSONEq(t, `{"schema_str":"{\"type\": \"object\"}","schema_type":"json","error_type":null,"error_message":null,
		"problem_type":"direct","schema_repr":null,"source_format":null,"num_turns":2,"source_record_id":null,"response_mode":"text",
		"tool_name":null,"tool_schema_mode":null,"tool_payload_key":null,"tool_choice":null,"parallel_tool_calls":null,
		"source_schema_type":null,"num_tools":null,"num_distractors":null,"has_distractors":true,"instruction_layout":null,
		"instruction_detail_level":null,"system_instruction_style":null,"tool_name_style":null,"distractor_style":null,
		"tool_union_mode":null}`, string(d.Fields.AppendJSON(nil)))
	require.Equal(t, 1.0, d.Reward)

	// NeMo Gym's messages for the text checks.
	d = check(t, nil, map[string]any{"schema_str": `{"type": "object"}`}, message("```json\n{}\n```"))
	require.Equal(t, "JSONDecodeError: Expecting value: line 1 column 1 (char 0)", field(t, d, "error_message"))
	d = check(t, nil, map[string]any{"schema_str": `{"type": "object",}`}, message("{}"))
	require.Equal(t, "schema_error", errorType(t, d))
	require.Equal(t, "Illegal trailing comma before end of object: line 1 column 18 (char 17)", field(t, d, "error_message"))
	d = check(t, nil, map[string]any{"schema_str": `{"type": "object"}`}, message(" \n"))
	require.Equal(t, "No assistant response text", field(t, d, "error_message"))
	d = check(t, nil, map[string]any{"schema_str": `{"type": "strng"}`}, message("{}"))
	require.Equal(t, "validation_error", errorType(t, d))
	require.True(t, strings.HasPrefix(field(t, d, "error_message").(string), "SchemaError: "))
	// Reasoning and refusals are not the answer; message parts are joined.
	d = check(t, nil, map[string]any{"schema_str": `{"type": "array"}`}, message("[1,"), message("2]"))
	require.Equal(t, 1.0, d.Reward)
}

// A row missing schema_str, or with a field of the wrong type, is an
// invalid row naming the field.
func TestBadRows(t *testing.T) {
	_, v, err := structuredoutputs.New(structuredoutputs.Config{})
	require.NoError(t, err)
	for _, tc := range []struct {
		fields map[string]any
		field  string
	}{
		{map[string]any{"schema_type": "json"}, "schema_str"},
		{map[string]any{"schema_str": map[string]any{"type": "object"}}, "schema_str"},
		{map[string]any{"schema_str": "{}", "schema_type": "JSON"}, "schema_type"},
		{map[string]any{"schema_str": "{}", "schema_type": "ini"}, "schema_type"},
		{map[string]any{"schema_str": "{}", "num_turns": "two"}, "num_turns"},
		{map[string]any{"schema_str": "{}", "num_turns": 1.5}, "num_turns"},
		{map[string]any{"schema_str": "{}", "has_distractors": 2}, "has_distractors"},
		{map[string]any{"schema_str": "{}", "problem_type": true}, "problem_type"},
		{map[string]any{"schema_str": "{}", "parallel_tool_calls": "maybe"}, "parallel_tool_calls"},
		{map[string]any{"schema_str": "{}", "tool_name": 7}, "tool_name"},
	} {
		_, err := v.Verify(context.Background(), &verifier.Request{Task: row(t, tc.fields), Response: &rollout.Response{Output: []rollout.Item{message("{}")}}})
		require.Error(t, err, tc.field)
		require.Equal(t, rollout.FailInvalidRow, rollout.AsFailure(err).Class, tc.field)
		var fe *verifier.FieldError
		require.True(t, errors.As(err, &fe), tc.field)
		require.Equal(t, tc.field, fe.Field)
	}
	// Where NeMo Gym's server fails (a "properties" that cannot be listed),
	// the rollout fails.
	_, err = v.Verify(context.Background(), &verifier.Request{Task: row(t, map[string]any{"schema_str": `{"properties": 5}`}),
		Response: &rollout.Response{Output: []rollout.Item{message("{}")}}})
	require.ErrorContains(t, err, "TypeError: 'int' object is not iterable")
}

// The project's own dataset: each row's sample answer scores as the row says.
func TestOwnDataset(t *testing.T) {
	_, v, err := structuredoutputs.New(structuredoutputs.Config{})
	require.NoError(t, err)
	n := 0
	for task, err := range rollout.ReadTasksFile(filepath.Join("..", "..", "testdata", "structured_outputs", "example.jsonl")) {
		require.NoError(t, err)
		var want struct {
			Output  *string                           `json:"sample_output"`
			Call    *struct{ Name, Arguments string } `json:"sample_call"`
			Reward  float64                           `json:"sample_reward"`
			ErrType any                               `json:"sample_error_type"`
		}
		require.NoError(t, json.Unmarshal(task.AppendJSON(nil), &want))
		out := []rollout.Item{}
		if want.Output != nil {
			out = append(out, message(*want.Output))
		}
		if want.Call != nil {
			out = append(out, call(want.Call.Name, want.Call.Arguments))
		}
		d, err := v.Verify(context.Background(), &verifier.Request{Task: task, Response: &rollout.Response{Output: out}})
		require.NoError(t, err)
		require.Equal(t, want.Reward, d.Reward, "line %d: %v", n+1, field(t, d, "error_message"))
		require.Equal(t, want.ErrType, errorType(t, d), "line %d", n+1)
		n++
	}
	require.Equal(t, 8, n)
}

func textEnvironment(m model.Model) gym.Environment {
	srv, v, err := structuredoutputs.New(structuredoutputs.Config{})
	if err != nil {
		panic(err)
	}
	return gym.Environment{Model: m, Resources: srv, Verifier: v}
}

// recordedDataset returns the dataset NeMo Gym's recorded rollouts were
// collected from. NeMo Gym replaced data/example.jsonl by tool-call (v4)
// rows after recording example_rollouts.jsonl (commit 9e447f7), so the
// recorded rows — which carry no schema_str — have no dataset row in the
// reference. With GYM_NEMO_GYM_GIT naming a clone of NeMo Gym's git
// repository, the original rows are read from its history (commit
// 45f090f); otherwise each recorded row gets the schema "{}", which every
// JSON document satisfies: four of the five recorded answers are fenced
// in ```json and fail to parse before the schema is used, and the fifth
// is valid JSON, so the recorded rewards are reproduced either way, with
// the full schemas only in the first case.
func recordedDataset(t testing.TB, rollouts string) (path string, full bool) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "example.jsonl")
	if git := os.Getenv("GYM_NEMO_GYM_GIT"); git != "" {
		out, err := exec.Command("git", "-C", git, "show", "45f090fb3:resources_servers/structured_outputs/data/example.jsonl").Output()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, out, 0o644))
		return path, true
	}
	var b bytes.Buffer
	f, err := os.Open(rollouts)
	require.NoError(t, err)
	defer f.Close()
	for res, err := range rollout.ReadResults(f, rollouts) {
		require.NoError(t, err)
		params, ok := res.Task.Get(rollout.KeyCreateParams)
		require.True(t, ok)
		fmt.Fprintf(&b, `{"responses_create_params":%s,"schema_str":"{}","schema_type":"json"}`+"\n", params)
	}
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path, false
}

// The rollouts NeMo Gym recorded with a real model replay to their rewards.
func TestReplayRecordedRollouts(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "structured_outputs", "data")
	rollouts := filepath.Join(data, "example_rollouts.jsonl")
	dataset, full := recordedDataset(t, rollouts)
	t.Logf("full schemas: %v", full)
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    rollouts,
		Dataset:     dataset,
		Environment: textEnvironment,
		Fields:      []string{"reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// gym reverify with NeMo Gym's structured_outputs_json.yaml, unchanged,
// re-scores the recorded rollouts with their recorded rewards.
func TestReverifyCommand(t *testing.T) {
	ref := reftest.Dir(t)
	data := filepath.Join(ref, "resources_servers/structured_outputs/data")
	rollouts := filepath.Join(data, "example_rollouts.jsonl")
	dataset, _ := recordedDataset(t, rollouts)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: bundled.Implementations(), Stdout: &stdout, Stderr: &stderr}
	code := c.Run(context.Background(), []string{"reverify",
		"--config", filepath.Join(ref, "resources_servers/structured_outputs/configs/structured_outputs_json.yaml") + "," +
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		"--agent", "structured_outputs_simple_agent",
		"--input", rollouts, "--dataset", dataset,
		"--output", filepath.Join(dir, "out.jsonl"),
		"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "reverified 5 rows: 0 rewards changed, 0 failed")
	out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	require.NoError(t, err)
	types := map[string]int{}
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var r struct {
			Reward    float64 `json:"reward"`
			ErrorType *string `json:"error_type"`
			Message   *string `json:"error_message"`
		}
		require.NoError(t, json.Unmarshal(line, &r))
		if r.ErrorType == nil {
			require.Equal(t, 1.0, r.Reward)
			types["none"]++
			continue
		}
		types[*r.ErrorType]++
		require.Equal(t, "JSONDecodeError: Expecting value: line 1 column 1 (char 0)", *r.Message)
	}
	require.Equal(t, map[string]int{"none": 1, "parse_error": 4}, types)
}

func loadReference(t *testing.T, file, url string, overrides ...string) *config.Config {
	t.Helper()
	ref := reftest.Dir(t)
	cfg, err := config.Loader{
		Paths: []string{
			filepath.Join(ref, "resources_servers/structured_outputs/configs", file),
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		},
		Overrides: append([]string{"+policy_base_url=" + url, "+policy_api_key=k", "+policy_model_name=m"}, overrides...),
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)
	return cfg
}

// toolPolicy calls the first tool the request offers with "{}", or answers
// "{}" when it offers none.
var toolPolicy = model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	tools, err := req.Params.Tools()
	if err != nil {
		return nil, err
	}
	if len(tools) == 0 {
		return &rollout.Response{Output: []rollout.Item{message("{}")}}, nil
	}
	return &rollout.Response{Output: []rollout.Item{call(tools[0].Name, "{}")}}, nil
})

// Every NeMo Gym config of the environment loads unchanged and builds;
// xml_coerce_types reaches the verifier.
func TestReferenceConfigs(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Policy(toolPolicy))
	defer srv.Close()
	for file, agentName := range map[string]string{
		"structured_outputs_json.yaml":             "structured_outputs_simple_agent",
		"structured_outputs_json_yaml_xml_v1.yaml": "structured_outputs_simple_agent",
		"structured_outputs_v3.yaml":               "structured_outputs_v3_simple_agent",
		"structured_outputs_v4.yaml":               "structured_outputs_v4_simple_agent",
	} {
		reg, err := bundled.Implementations().Registry(loadReference(t, file, srv.URL))
		require.NoError(t, err, file)
		e, err := reg.Environment(agentName)
		require.NoError(t, err, file)
		require.True(t, e.Verifier.(*structuredoutputs.Verifier).XMLCoerceTypes(), file)
	}
	reg, err := bundled.Implementations().Registry(loadReference(t, "structured_outputs_v3.yaml", srv.URL,
		"+structured_outputs.resources_servers.structured_outputs.xml_coerce_types=false"))
	require.NoError(t, err)
	e, err := reg.Environment("structured_outputs_v3_simple_agent")
	require.NoError(t, err)
	require.False(t, e.Verifier.(*structuredoutputs.Verifier).XMLCoerceTypes())
}

// NeMo Gym's v4 config runs its tool-call rows (the reference example.jsonl)
// through non_executing_simple_agent: one model call, whose function call
// is the answer and is not run.
func TestToolCallRowsThroughNonExecutingAgent(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(toolPolicy))
	defer srv.Close()
	reg, err := bundled.Implementations().Registry(loadReference(t, "structured_outputs_v4.yaml", srv.URL))
	require.NoError(t, err)
	c := gym.Collector{Registry: reg}
	n := 0
	for res, err := range c.Collect(context.Background(), gym.FromFile(filepath.Join(ref, "resources_servers/structured_outputs/data/example.jsonl"))) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		n++
		require.Len(t, res.Response.Output, 1, "no tool output is added")
		require.Equal(t, 0.0, res.Reward)
		var e string
		raw, ok := res.Fields.Get("error_type")
		require.True(t, ok)
		require.NoError(t, json.Unmarshal(raw, &e))
		require.Contains(t, []string{"wrong_tool_name", "missing_tool_payload_key", "validation_error"}, e)
	}
	require.Equal(t, 5, n)
}

func TestConformance(t *testing.T) {
	var rows []rollout.Task
	for task, err := range rollout.ReadTasksFile(filepath.Join("..", "..", "testdata", "structured_outputs", "example.jsonl")) {
		require.NoError(t, err)
		rows = append(rows, task)
	}
	// NeMo Gym runs the tool-call rows with non_executing_simple_agent; the
	// tool loop of simple_agent gets text answers here.
	textPolicy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return &rollout.Response{Output: []rollout.Item{message(`{"name": "x", "age": 1, "member": true}`)}}, nil
	})
	require.Empty(t, gymtest.Check(context.Background(), textEnvironment(nil), textPolicy, rows))
}

// The project's own configs (bundled) load and build like NeMo Gym's; their
// example data is testdata/structured_outputs/example.jsonl.
func TestBundledConfigs(t *testing.T) {
	for file, agentName := range map[string]string{
		"structured_outputs_json.yaml":             "structured_outputs_simple_agent",
		"structured_outputs_json_yaml_xml_v1.yaml": "structured_outputs_simple_agent",
		"structured_outputs_v3.yaml":               "structured_outputs_v3_simple_agent",
		"structured_outputs_v4.yaml":               "structured_outputs_v4_simple_agent",
	} {
		cfg, err := config.Loader{
			Paths:     []string{"resources_servers/structured_outputs/configs/" + file, "responses_api_models/openai_model/configs/openai_model.yaml"},
			Overrides: []string{"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"},
			FS:        bundled.Configs,
			WorkDir:   t.TempDir(),
		}.Load()
		require.NoError(t, err, file)
		reg, err := bundled.Implementations().Registry(cfg)
		require.NoError(t, err, file)
		e, err := reg.Environment(agentName)
		require.NoError(t, err, file)
		require.True(t, e.Verifier.(*structuredoutputs.Verifier).XMLCoerceTypes(), file)
	}
	embedded, err := fs.ReadFile(bundled.Configs, "resources_servers/structured_outputs/data/example.jsonl")
	require.NoError(t, err)
	own, err := os.ReadFile(filepath.Join("..", "..", "testdata", "structured_outputs", "example.jsonl"))
	require.NoError(t, err)
	require.Equal(t, string(own), string(embedded))
}

// The README's offline command for the environment works as written (from
// the repository's root).
func TestREADMECommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "structured_outputs.jsonl")
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join("..", "..")))
	defer os.Chdir(wd)
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: bundled.Implementations(), Stdout: &stdout, Stderr: &stderr}
	code := c.Run(context.Background(), []string{"reverify",
		"--config", "resources_servers/structured_outputs/configs/structured_outputs_v3.yaml,resources_servers/structured_outputs/configs/structured_outputs_v4.yaml,responses_api_models/openai_model/configs/openai_model.yaml",
		"--input", "testdata/structured_outputs/example_rollouts.jsonl", "--output", out,
		"+policy_base_url=http://unused", "+policy_api_key=none", "+policy_model_name=none"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "reverified 8 rows: 0 rewards changed, 0 failed")
}

// NeMo Gym's v3 and v4 example rows (in its repository, not in the
// reference data; set GYM_NEMO_GYM_GIT to a clone's git directory) are
// valid rows of every schema_type and response_mode, and verify.
func TestNeMoGymFlavourRows(t *testing.T) {
	git := os.Getenv("GYM_NEMO_GYM_GIT")
	if git == "" {
		t.Skip("GYM_NEMO_GYM_GIT is not set")
	}
	_, v, err := structuredoutputs.New(structuredoutputs.Config{})
	require.NoError(t, err)
	types := map[string]int{}
	for _, name := range []string{"structured_outputs_v3_example.jsonl", "structured_outputs_v4_example.jsonl"} {
		out, err := exec.Command("git", "-C", git, "show", "HEAD:resources_servers/structured_outputs/data/"+name).Output()
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, out, 0o644))
		for task, err := range rollout.ReadTasksFile(path) {
			require.NoError(t, err)
			row, err := structuredoutputs.ParseRow(task)
			require.NoError(t, err)
			types[string(row.SchemaType)+"/"+row.ResponseMode]++
			resp := &rollout.Response{Output: []rollout.Item{message("{}"), call(row.ToolName, "{}")}}
			d, err := v.Verify(context.Background(), &verifier.Request{Task: task, Response: resp})
			require.NoError(t, err)
			require.Equal(t, 0.0, d.Reward)
		}
	}
	t.Log(types)
	require.Greater(t, len(types), 2)
}
