package structuredoutputs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/schema"
)

// Name is the implementation name of the environment in NeMo Gym's config
// files (resources_servers: structured_outputs:).
const Name = "structured_outputs"

// Config holds the fields NeMo Gym's structured_outputs server reads from
// its config.
type Config struct {
	// XMLCoerceTypes converts XML text to the schema's integer, number and
	// boolean types before validation; unset means true, NeMo Gym's
	// default.
	XMLCoerceTypes *bool `yaml:"xml_coerce_types"`
}

// New returns the environment's resources server (no tools, no state) and
// its verifier.
func New(cfg Config) (*env.Server, *Verifier, error) {
	coerce := true
	if cfg.XMLCoerceTypes != nil {
		coerce = *cfg.XMLCoerceTypes
	}
	return env.NewServer(), &Verifier{checker: &schema.Checker{XMLCoerceTypes: coerce}}, nil
}

// FromConfig builds the environment from a resources server instance of a
// NeMo Gym config.
func FromConfig(s config.Server) (env.ResourcesServer, verifier.Verifier, error) {
	var cfg Config
	if err := s.Decode(&cfg); err != nil {
		return nil, nil, err
	}
	return New(cfg)
}

// Verifier checks structured outputs as NeMo Gym's structured_outputs
// server does.
type Verifier struct {
	checker *schema.Checker
	strs    stringCache
}

// stringCache holds decoded JSON strings by their literal.
type stringCache struct {
	mu sync.Mutex
	m  map[string]string
}

const stringCacheSize = 4096

func (c *stringCache) get(raw json.RawMessage) (string, bool) {
	if c == nil {
		return jsonscan.String(raw)
	}
	c.mu.Lock()
	s, ok := c.m[string(raw)]
	c.mu.Unlock()
	if ok {
		return s, true
	}
	s, ok = jsonscan.String(raw)
	if !ok {
		return "", false
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= stringCacheSize {
		c.m = make(map[string]string)
	}
	c.m[string(raw)] = s
	c.mu.Unlock()
	return s, true
}

// XMLCoerceTypes reports whether XML values are converted to the schema's
// types.
func (v *Verifier) XMLCoerceTypes() bool { return v.checker.XMLCoerceTypes }

type fieldKind int

const (
	kindString fieldKind = iota
	kindInt
	kindBool
)

// fields are the task fields NeMo Gym's verify request declares after
// schema_str and schema_type, with their types, in its response's order
// (error_type and error_message come between schema_type and these).
var fields = []struct {
	name string
	kind fieldKind
}{
	{"problem_type", kindString}, {"schema_repr", kindString}, {"source_format", kindString},
	{"num_turns", kindInt}, {"source_record_id", kindString}, {"response_mode", kindString},
	{"tool_name", kindString}, {"tool_schema_mode", kindString}, {"tool_payload_key", kindString},
	{"tool_choice", kindString}, {"parallel_tool_calls", kindBool}, {"source_schema_type", kindString},
	{"num_tools", kindInt}, {"num_distractors", kindInt}, {"has_distractors", kindBool},
	{"instruction_layout", kindString}, {"instruction_detail_level", kindString},
	{"system_instruction_style", kindString}, {"tool_name_style", kindString},
	{"distractor_style", kindString}, {"tool_union_mode", kindString},
}

// Row is the task data the verifier reads from a dataset row, each field
// normalized as NeMo Gym's request model validates it.
type Row struct {
	SchemaStr  string
	schemaRaw  json.RawMessage // schema_str as written in the row
	SchemaType schema.Format
	// Values holds each field of fields as its JSON value (null when the
	// row lacks it, except response_mode, "text" then).
	Values map[string]json.RawMessage

	ResponseMode   string // "" for null
	ToolName       string
	ToolPayloadKey string
}

// ParseRow reads and checks the fields of task the verifier uses: a
// missing schema_str, a schema_type that is not one of schema.Formats, or
// a field of the wrong type is an invalid row naming the field.
func ParseRow(task rollout.Task) (*Row, error) { return parseRow(task, nil) }

// parseRow is ParseRow, reading schema_str through strs (when not nil): a
// dataset's rows are verified num_repeats times each, and schema_str is
// the largest field of a row.
func parseRow(task rollout.Task, strs *stringCache) (*Row, error) {
	r := &Row{SchemaType: schema.JSON, Values: make(map[string]json.RawMessage, len(fields))}
	raw, ok := task.Get("schema_str")
	if !ok {
		return nil, verifier.InvalidField(task, "schema_str", verifier.ErrMissing)
	}
	if r.SchemaStr, ok = strs.get(raw); !ok {
		return nil, verifier.InvalidField(task, "schema_str", fmt.Errorf("want a string, got %.60s", raw))
	}
	r.schemaRaw = raw
	if raw, ok := task.Get("schema_type"); ok {
		s, _ := jsonscan.String(raw)
		if !schema.Format(s).Valid() {
			return nil, verifier.InvalidField(task, "schema_type", fmt.Errorf("want one of %v, got %.60s", schema.Formats, raw))
		}
		r.SchemaType = schema.Format(s)
	}
	for _, f := range fields {
		raw, ok := task.Get(f.name)
		if !ok {
			if f.name == "response_mode" {
				r.Values[f.name] = json.RawMessage(`"text"`)
				r.ResponseMode = "text"
				continue
			}
			r.Values[f.name] = json.RawMessage("null")
			continue
		}
		v, err := normalize(raw, f.kind)
		if err != nil {
			return nil, verifier.InvalidField(task, f.name, err)
		}
		r.Values[f.name] = v
		if s, ok := jsonscan.String(v); f.kind == kindString && ok {
			switch f.name {
			case "response_mode":
				r.ResponseMode = s
			case "tool_name":
				r.ToolName = s
			case "tool_payload_key":
				r.ToolPayloadKey = s
			}
		}
	}
	return r, nil
}

// normalize validates a field's value as pydantic 2 (lax mode) does and
// returns it as the response would dump it: an int may be given as an
// integral float, a numeric string or a boolean; a bool as 0 or 1 or one
// of pydantic's words ("yes", "off", "t", ...).
func normalize(raw json.RawMessage, k fieldKind) (json.RawMessage, error) {
	if string(raw) == "null" {
		return raw, nil
	}
	switch k {
	case kindString:
		if raw[0] == '"' {
			return raw, nil
		}
		return nil, fmt.Errorf("want a string or null, got %.60s", raw)
	case kindInt:
		switch string(raw) {
		case "true":
			return json.RawMessage("1"), nil
		case "false":
			return json.RawMessage("0"), nil
		}
		lit := string(raw)
		if raw[0] == '"' {
			str, _ := jsonscan.String(raw)
			lit = strings.TrimSpace(str)
		}
		if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return rollout.Int(int(i)), nil
		}
		if f, err := strconv.ParseFloat(lit, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return rollout.Int(int(f)), nil
		}
		return nil, fmt.Errorf("want an integer or null, got %.60s", raw)
	case kindBool:
		if raw[0] == '"' {
			str, _ := jsonscan.String(raw)
			switch strings.ToLower(strings.TrimSpace(str)) {
			case "true", "1", "yes", "on", "t", "y":
				return json.RawMessage("true"), nil
			case "false", "0", "no", "off", "f", "n":
				return json.RawMessage("false"), nil
			}
			return nil, fmt.Errorf("want a boolean or null, got %.60s", raw)
		}
		switch string(raw) {
		case "true", "false":
			return raw, nil
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil && (f == 0 || f == 1) {
			return json.RawMessage(strconv.FormatBool(f == 1)), nil
		}
		return nil, fmt.Errorf("want a boolean or null, got %.60s", raw)
	}
	return raw, nil
}

// Verify checks the response against the row's schema_str: in
// response_mode "tool_call", the arguments of the response's one function
// call (or their tool_payload_key member); otherwise the response's text
// in schema_type's format. The verdict's fields are NeMo Gym's:
// schema_str, schema_type, error_type, error_message and the row's
// metadata fields (problem_type ... tool_union_mode), null where unset.
func (v *Verifier) Verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	row, err := parseRow(req.Task, &v.strs)
	if err != nil {
		return nil, err
	}
	resp := req.Response
	if resp == nil {
		resp = &rollout.Response{}
	}
	var res schema.Result
	if row.ResponseMode == "tool_call" {
		res, err = v.checkToolCall(row, resp)
	} else {
		res, err = v.checker.Text(row.SchemaType, row.SchemaStr, verifier.OutputText(resp.Output))
	}
	if err != nil {
		return nil, fmt.Errorf("structured_outputs: %w", err)
	}
	return verdict(row, res), nil
}

func verdict(row *Row, res schema.Result) *verifier.Verdict {
	d := verifier.Reward(res.Reward)
	if row.schemaRaw != nil {
		d.Fields.Set("schema_str", row.schemaRaw)
	} else {
		d.Fields.Set("schema_str", rollout.Quote(row.SchemaStr))
	}
	d.Fields.Set("schema_type", rollout.Quote(string(row.SchemaType)))
	d.Fields.Set("error_type", nullable(res.ErrorType))
	d.Fields.Set("error_message", nullable(res.ErrorMessage))
	for _, f := range fields {
		d.Fields.Set(f.name, row.Values[f.name])
	}
	return d
}

func nullable(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return rollout.Quote(s)
}

// NeMo Gym's error_type values of tool-call responses.
const (
	ErrAPI               = "api_error"
	ErrMissingToolCall   = "missing_tool_call"
	ErrMultipleToolCalls = "multiple_tool_calls"
	ErrWrongToolName     = "wrong_tool_name"
	ErrToolArguments     = "tool_arguments_parse_error"
	ErrMissingPayloadKey = "missing_tool_payload_key"
)

func toolFailure(typ, msg string) (schema.Result, error) {
	return schema.Result{ErrorType: typ, ErrorMessage: msg}, nil
}

func (v *Verifier) checkToolCall(row *Row, resp *rollout.Response) (schema.Result, error) {
	if raw, ok := resp.Get("error"); ok && string(raw) != "null" {
		return toolFailure(ErrAPI, truncate(errorString(raw), 200))
	}
	var calls []rollout.Item
	for _, it := range resp.Output {
		if it.Type() == rollout.TypeFunctionCall {
			calls = append(calls, it)
		}
	}
	names := func() string {
		n := make([]string, len(calls))
		for i, c := range calls {
			n[i] = c.Name()
		}
		return strings.Join(n, ", ")
	}
	switch {
	case len(calls) == 0:
		return toolFailure(ErrMissingToolCall, "No function_call item found in assistant response")
	case len(calls) > 1:
		return toolFailure(ErrMultipleToolCalls, "Expected exactly one function_call, got: "+names())
	}
	call := calls[0]
	if row.ToolName != "" && call.Name() != row.ToolName {
		return toolFailure(ErrWrongToolName, fmt.Sprintf("Expected tool '%s', got: %s", row.ToolName, names()))
	}
	raw, _ := call.Get("arguments")
	if len(raw) == 0 || raw[0] != '"' {
		return toolFailure(ErrToolArguments, "Unsupported arguments type: "+jsonTypeName(raw))
	}
	args, err := schema.ParseJSON(call.Arguments())
	if err != nil {
		var pe *schema.PyError
		if errors.As(err, &pe) && pe.Name == "JSONDecodeError" {
			return toolFailure(ErrToolArguments, pe.Name+": "+truncate(pe.Message, 200))
		}
		return schema.Result{}, err // NeMo Gym's server fails on it too
	}
	if row.ToolPayloadKey != "" {
		obj, ok := args.(map[string]any)
		payload, found := obj[row.ToolPayloadKey]
		if !ok || !found {
			return toolFailure(ErrMissingPayloadKey, "Missing tool payload key: "+row.ToolPayloadKey)
		}
		args = payload
	}
	return v.checker.Value(row.SchemaStr, args)
}

// errorString is Python's str() of the response's error object (a pydantic
// model): its fields as name=repr, separated by spaces.
func errorString(raw json.RawMessage) string {
	var o rollout.Object
	if json.Unmarshal(raw, &o) != nil {
		return string(raw)
	}
	parts := make([]string, 0, o.Len())
	for _, f := range o.Fields() {
		v, err := schema.ParseJSON(string(f.Value))
		if err != nil {
			continue
		}
		parts = append(parts, f.Name+"="+schema.Repr(v))
	}
	return strings.Join(parts, " ")
}

func jsonTypeName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "NoneType"
	}
	switch raw[0] {
	case '{':
		return "dict"
	case '[':
		return "list"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	return "float"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
