package codegen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/code"
)

// Name is the implementation name of the environment in NeMo Gym's config
// files (resources_servers: code_gen:).
const Name = "code_gen"

// Config holds the fields NeMo Gym's code_gen server reads from its config
// (CompCodingResourcesServerConfig), and the sandbox's own.
type Config struct {
	// NumProcesses bounds how many programs are graded at once (NeMo Gym's
	// semaphore around check_correctness). Required; at least 1.
	NumProcesses int `yaml:"num_processes"`

	// UnitTestTimeoutSecs is LiveCodeBench's per-test timeout, in whole
	// seconds; 0 sets none (as signal.alarm(0)). Required.
	UnitTestTimeoutSecs int `yaml:"unit_test_timeout_secs"`

	// Debug writes what graded programs print, and why a run ended without
	// a result, to Log (NeMo Gym prints them). Required.
	Debug bool `yaml:"debug"`

	// ReasoningFormatPenalty is the reward of an answer whose think tags
	// are malformed, however its tests went (default 0.0).
	ReasoningFormatPenalty float64 `yaml:"reasoning_format_penalty"`

	// Sandbox sets the limits of each program (gym's own; NeMo Gym runs
	// programs unsandboxed). The zero value has code.Limits' defaults.
	Sandbox code.Limits `yaml:"sandbox"`

	// Python is the interpreter (gym's own; default python3 on PATH).
	Python string `yaml:"python"`

	// Log receives the debug output (default os.Stderr).
	Log io.Writer `yaml:"-"`
}

// New returns the environment's resources server (no tools, no state) and
// its verifier. It fails if python3 is absent (code.ErrNoPython).
func New(cfg Config) (*env.Server, verifier.Verifier, error) {
	if cfg.NumProcesses < 1 {
		return nil, nil, fmt.Errorf("code_gen: num_processes is %d; it must be at least 1", cfg.NumProcesses)
	}
	if cfg.UnitTestTimeoutSecs < 0 {
		return nil, nil, fmt.Errorf("code_gen: unit_test_timeout_secs is %d; it must not be negative", cfg.UnitTestTimeoutSecs)
	}
	opts := []code.Option{code.WithParallelism(cfg.NumProcesses), code.WithLimits(cfg.Sandbox)}
	if cfg.Python != "" {
		opts = append(opts, code.WithPython(cfg.Python))
	}
	if cfg.Debug {
		w := cfg.Log
		if w == nil {
			w = os.Stderr
		}
		opts = append(opts, code.WithDebug(w))
	}
	sb, err := code.New(opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("code_gen: %w", err)
	}
	return env.NewServer(), &Verifier{Config: cfg, sandbox: sb}, nil
}

// FromConfig builds the environment from a resources server instance of a
// NeMo Gym config. num_processes, unit_test_timeout_secs and debug are
// required, as in NeMo Gym.
func FromConfig(s config.Server) (env.ResourcesServer, verifier.Verifier, error) {
	var raw struct {
		NumProcesses           *int        `yaml:"num_processes"`
		UnitTestTimeoutSecs    *int        `yaml:"unit_test_timeout_secs"`
		Debug                  *bool       `yaml:"debug"`
		ReasoningFormatPenalty float64     `yaml:"reasoning_format_penalty"`
		Sandbox                code.Limits `yaml:"sandbox"`
		Python                 string      `yaml:"python"`
	}
	if err := s.Decode(&raw); err != nil {
		return nil, nil, err
	}
	var missing []string
	if raw.NumProcesses == nil {
		missing = append(missing, "num_processes")
	}
	if raw.UnitTestTimeoutSecs == nil {
		missing = append(missing, "unit_test_timeout_secs")
	}
	if raw.Debug == nil {
		missing = append(missing, "debug")
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("code_gen: %s: required field(s) %s not set", s.Path(), strings.Join(missing, ", "))
	}
	return New(Config{NumProcesses: *raw.NumProcesses, UnitTestTimeoutSecs: *raw.UnitTestTimeoutSecs, Debug: *raw.Debug,
		ReasoningFormatPenalty: raw.ReasoningFormatPenalty, Sandbox: raw.Sandbox, Python: raw.Python})
}

// Verifier grades the code of an answer as NeMo Gym's code_gen server
// does: it extracts the last fenced block of the answer's output_text and
// runs it against the row's verifier_metadata.unit_tests in the sandbox.
type Verifier struct {
	Config  Config
	sandbox *code.Sandbox
}

// Sandbox returns the sandbox the verifier runs programs in.
func (v *Verifier) Sandbox() *code.Sandbox { return v.sandbox }

// Verify sets, in NeMo Gym's order: extracted_model_output,
// extracted_model_code, result, metadata, unit_tests_time_taken,
// reasoning_format_violation_rate and difficulty (null where NeMo Gym
// leaves them None).
func (v *Verifier) Verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	meta, err := metadataOf(req.Task)
	if err != nil {
		return nil, err
	}
	difficulty := json.RawMessage("null")
	if d, ok := meta.Get("difficulty"); ok {
		difficulty = d
	}
	var out string
	if req.Response != nil {
		out = OutputText(req.Response.Output)
	}
	if strings.TrimFunc(out, isSpace) == "" {
		return verdict(0, nil, nil, nil, nil, nil, 0, difficulty), nil
	}
	tests, err := testsOf(req.Task, meta)
	if err != nil {
		return nil, err
	}
	program := code.Extract(out)
	if program == "" {
		return verdict(0, &out, nil, nil, nil, nil, 0, difficulty), nil
	}
	res, err := v.sandbox.Check(ctx, program, tests, time.Duration(v.Config.UnitTestTimeoutSecs)*time.Second)
	if err != nil {
		return nil, err
	}
	reward, rate := 0.0, 0.0
	if res.Passed() {
		reward = 1
	}
	if req.Response != nil && FormatViolation(req.Response.Output) {
		reward, rate = v.Config.ReasoningFormatPenalty, 1
	}
	elapsed := res.Elapsed.Seconds()
	return verdict(reward, &out, &program, res.Results, res.Metadata, &elapsed, rate, difficulty), nil
}

func verdict(reward float64, output, program *string, results []code.Status, metadata json.RawMessage,
	elapsed *float64, rate float64, difficulty json.RawMessage) *verifier.Verdict {
	v := verifier.Reward(reward)
	v.Fields.Set("extracted_model_output", stringOrNull(output))
	v.Fields.Set("extracted_model_code", stringOrNull(program))
	if results == nil {
		v.Set("result", nil)
	} else {
		v.Set("result", results)
	}
	if metadata == nil {
		metadata = json.RawMessage("null")
	}
	v.Fields.Set("metadata", metadata)
	if elapsed == nil {
		v.Set("unit_tests_time_taken", nil)
	} else {
		v.Set("unit_tests_time_taken", *elapsed)
	}
	v.Set("reasoning_format_violation_rate", rate)
	v.Fields.Set("difficulty", difficulty)
	return v
}

func stringOrNull(s *string) json.RawMessage {
	if s == nil {
		return json.RawMessage("null")
	}
	return rollout.Quote(*s)
}

// isSpace is Python's str.isspace for one character: Unicode white space
// and the separators \x1c-\x1f.
func isSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// OutputText is the Responses API's output_text of an episode: the text of
// every output_text part of every message, concatenated.
func OutputText(output []rollout.Item) string {
	var b strings.Builder
	for _, it := range output {
		if it.Type() != rollout.TypeMessage {
			continue
		}
		raw, _ := it.Get("content")
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &parts) != nil {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				b.WriteString(s)
			}
			continue
		}
		for _, p := range parts {
			if p.Type == "output_text" {
				b.WriteString(p.Text)
			}
		}
	}
	return b.String()
}

// FormatViolation reports what NeMo Gym's code_gen penalises: a think tag
// in the output_text, or more than one <think> or </think> in the
// reasoning summaries taken together.
func FormatViolation(output []rollout.Item) bool {
	const open, closing = "<think>", "</think>"
	final := OutputText(output)
	if strings.Contains(final, open) || strings.Contains(final, closing) {
		return true
	}
	var reasoning strings.Builder
	for _, it := range output {
		if it.Type() != rollout.TypeReasoning {
			continue
		}
		raw, _ := it.Get("summary")
		var parts []struct {
			Text any `json:"text"`
		}
		_ = json.Unmarshal(raw, &parts)
		for _, p := range parts {
			if s, ok := p.Text.(string); ok {
				reasoning.WriteString(s)
			}
		}
	}
	r := reasoning.String()
	return strings.Count(r, open) > 1 || strings.Count(r, closing) > 1
}

// ErrMissing is the cause of an invalid row that lacks a field.
var ErrMissing = errors.New("missing")

// invalid reports a row whose field the verifier cannot use, naming the
// field and, when known, the row's file and line.
func invalid(task rollout.Task, field string, err error) error {
	where := "row"
	if path, line := task.Source(); line > 0 {
		where = fmt.Sprintf("row %s:%d", path, line)
	}
	return &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "verify",
		Err: fmt.Errorf("code_gen: %s: field %q: %w", where, field, err)}
}

// metadataOf reads verifier_metadata: absent and null are an empty object
// (NeMo Gym's Optional[Dict] = None), anything but an object is invalid.
func metadataOf(task rollout.Task) (rollout.Object, error) {
	raw, ok := task.Get("verifier_metadata")
	if !ok || string(raw) == "null" {
		return rollout.Object{}, nil
	}
	o, err := rollout.ParseObject(raw)
	if err != nil {
		return rollout.Object{}, invalid(task, "verifier_metadata", fmt.Errorf("want an object: %w", err))
	}
	return o, nil
}

// testsOf reads verifier_metadata.unit_tests as NeMo Gym's UnitTests model
// does: inputs and outputs lists of strings, fn_name a string or null.
func testsOf(task rollout.Task, meta rollout.Object) (code.Tests, error) {
	const field = "verifier_metadata.unit_tests"
	raw, ok := meta.Get("unit_tests")
	if !ok {
		if !task.Has("verifier_metadata") {
			return code.Tests{}, invalid(task, "verifier_metadata", ErrMissing)
		}
		return code.Tests{}, invalid(task, field, ErrMissing)
	}
	ut, err := rollout.ParseObject(raw)
	if err != nil {
		return code.Tests{}, invalid(task, field, fmt.Errorf("want an object with inputs and outputs: %w", err))
	}
	var t code.Tests
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"inputs", &t.Inputs}, {"outputs", &t.Outputs}} {
		v, ok := ut.Get(f.name)
		if !ok {
			return code.Tests{}, invalid(task, field+"."+f.name, ErrMissing)
		}
		if err := json.Unmarshal(v, f.dst); err != nil || *f.dst == nil {
			return code.Tests{}, invalid(task, field+"."+f.name, fmt.Errorf("want a list of strings, got %.60s", v))
		}
	}
	if v, ok := ut.Get("fn_name"); ok && string(v) != "null" {
		var name string
		if err := json.Unmarshal(v, &name); err != nil {
			return code.Tests{}, invalid(task, field+".fn_name", fmt.Errorf("want a string or null, got %.60s", v))
		}
		t.FnName = &name
	}
	return t, nil
}
