package mathjudge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	mathv "github.com/gymkit/gym/verifier/math"
)

// Name is the implementation name in NeMo Gym's config files.
const Name = "math_with_judge"

// Config is LibraryJudgeMathResourcesServerConfig: every field NeMo Gym's
// server reads, with its defaults.
type Config struct {
	// JudgeModelServer names the judge model instance (judge_model_server).
	JudgeModelServer config.Ref `yaml:"-"`
	// JudgeResponsesCreateParams are the judge call's create parameters
	// (judge_responses_create_params); input is replaced by the prompt.
	JudgeResponsesCreateParams map[string]any `yaml:"judge_responses_create_params"`
	// ShouldUseJudge asks the judge when the library does not accept the
	// answer (should_use_judge, default true).
	ShouldUseJudge *bool `yaml:"should_use_judge"`
	// LibraryVerifierTimeoutSeconds bounds one library verification
	// (library_verifier_timeout_seconds, default 10).
	LibraryVerifierTimeoutSeconds float64 `yaml:"library_verifier_timeout_seconds"`
	// LibraryVerifierMaxConcurrency bounds concurrent library verifications
	// (library_verifier_max_concurrency, default 32).
	LibraryVerifierMaxConcurrency int `yaml:"library_verifier_max_concurrency"`

	// Informational fields of NeMo Gym's configs.
	Entrypoint  string `yaml:"entrypoint"`
	Domain      string `yaml:"domain"`
	Verified    bool   `yaml:"verified"`
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// The judge messages of NeMo Gym's server (adapted there from Arena Hard).
const (
	JudgeSystemMessage = `Please act as an impartial judge and evaluate the equivalence of the solutions given by two AI assistants to the mathematical problem displayed below. You will be given AI assistant A's answer and AI assistant B's answer. Your job is to evaluate whether assistant A's answer is equivalent to assistant B's answer.

Consider the mathematical equivalence of the AI assistants' answers above all other considerations. If the problem requests special formatting instructions, you may disregard any formatting considerations when evaluating the answers -- consider only mathematical equivalence.

After evaluating both answers for equivalence, you must output only one of the following choices as your final verdict with a label:

1.  The AI assistants' answers are equivalent: [[A=B]]
2.  The AI assistants' answers are different: [[A!=B]]

Example output: "My final verdict is different [[A!=B]]".`
	JudgeEqualLabel    = "[[A=B]]"
	JudgeNotEqualLabel = "[[A!=B]]"
)

// JudgePrompt is NeMo Gym's JUDGE_PROMPT_TEMPLATE filled in.
func JudgePrompt(question, first, second string) string {
	return "<|Problem|>\n" + question + "\n\n<|Start of Assistant A's Answer|>\n" + first +
		"\n<|End of Assistant A's Answer|>\n\n<|Start of Assistant B's Answer|>\n" + second +
		"\n<|End of Assistant B's Answer|>"
}

// Verifier scores math answers as NeMo Gym's math_with_judge does.
type Verifier struct {
	cfg   Config
	judge model.Model
	sem   chan struct{}
}

// New returns the resources server (no tools) and the verifier. judge may
// be nil when cfg does not use the judge.
func New(cfg Config, judge model.Model) (*env.Server, *Verifier, error) {
	if cfg.ShouldUseJudge == nil {
		t := true
		cfg.ShouldUseJudge = &t
	}
	if cfg.LibraryVerifierTimeoutSeconds == 0 {
		cfg.LibraryVerifierTimeoutSeconds = 10
	}
	if cfg.LibraryVerifierTimeoutSeconds < 0 {
		return nil, nil, fmt.Errorf("mathjudge: library_verifier_timeout_seconds must be positive, got %v", cfg.LibraryVerifierTimeoutSeconds)
	}
	if cfg.LibraryVerifierMaxConcurrency == 0 {
		cfg.LibraryVerifierMaxConcurrency = 32
	}
	if cfg.LibraryVerifierMaxConcurrency < 0 {
		return nil, nil, fmt.Errorf("mathjudge: library_verifier_max_concurrency must be positive, got %d", cfg.LibraryVerifierMaxConcurrency)
	}
	if *cfg.ShouldUseJudge && judge == nil {
		return nil, nil, errors.New("mathjudge: should_use_judge is true but there is no judge model")
	}
	return env.NewServer(), &Verifier{cfg: cfg, judge: judge, sem: make(chan struct{}, cfg.LibraryVerifierMaxConcurrency)}, nil
}

// FromConfig decodes a math_with_judge server instance; models resolves
// judge_model_server, which is only read when should_use_judge is true (so
// that configs with judge_model_server.name ??? load when the judge is off).
func FromConfig(s config.Server, models func(config.Ref) (model.Model, error)) (env.ResourcesServer, verifier.Verifier, error) {
	cfg, err := decode(s)
	if err != nil {
		return nil, nil, err
	}
	var judge model.Model
	if cfg.ShouldUseJudge == nil || *cfg.ShouldUseJudge {
		ref, err := s.Ref("judge_model_server")
		if err != nil {
			return nil, nil, err
		}
		cfg.JudgeModelServer = ref
		if models == nil {
			return nil, nil, errors.New("mathjudge: should_use_judge is true but no models are available")
		}
		if judge, err = models(ref); err != nil {
			return nil, nil, err
		}
	}
	srv, v, err := New(cfg, judge)
	if err != nil {
		return nil, nil, err
	}
	return srv, v, nil
}

// decode reads the fields one by one, so that judge_model_server is
// resolved only when the judge is used.
func decode(s config.Server) (Config, error) {
	var cfg Config
	get := func(name string, dst any) error {
		v, err := s.Get(name)
		if err != nil {
			var me *config.MissingError
			if errors.As(err, &me) {
				return nil // not set: NeMo Gym's default
			}
			return err
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("mathjudge: %s.%s: %w", s.Path(), name, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("mathjudge: %s.%s: %w", s.Path(), name, err)
		}
		return nil
	}
	for _, f := range []struct {
		name string
		dst  any
	}{
		{"judge_responses_create_params", &cfg.JudgeResponsesCreateParams},
		{"should_use_judge", &cfg.ShouldUseJudge},
		{"library_verifier_timeout_seconds", &cfg.LibraryVerifierTimeoutSeconds},
		{"library_verifier_max_concurrency", &cfg.LibraryVerifierMaxConcurrency},
		{"entrypoint", &cfg.Entrypoint},
		{"domain", &cfg.Domain},
		{"verified", &cfg.Verified},
		{"description", &cfg.Description},
		{"value", &cfg.Value},
	} {
		if err := get(f.name, f.dst); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// ResponseText joins the output_text parts of the response's messages, as
// NeMo Gym's verify does (refusals and reasoning are skipped).
func ResponseText(resp *rollout.Response) string {
	if resp == nil {
		return ""
	}
	var b strings.Builder
	for _, it := range resp.Output {
		if it.Type() != "message" {
			continue
		}
		raw, ok := it.Get("content")
		if !ok {
			continue
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &parts) != nil {
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

// Verify scores the response against the row's expected_answer, asking the
// judge with the row's question when the library does not accept it.
func (v *Verifier) Verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	var question, expected string
	if err := decodeString(req.Task, "question", &question); err != nil {
		return nil, err
	}
	if err := decodeString(req.Task, "expected_answer", &expected); err != nil {
		return nil, err
	}
	generated := ResponseText(req.Response)
	libReward, extracted := v.library(ctx, expected, generated)
	if err := ctx.Err(); err != nil {
		// The rollout's own deadline or cancellation, not the library's
		// timeout: no verdict.
		return nil, err
	}
	verdict := verifier.Reward(libReward)
	verdict.Set("expected_answer", expected)
	if extracted != nil {
		verdict.Set("extracted_answer", *extracted)
	} else {
		verdict.Set("extracted_answer", nil)
	}
	verdict.Set("library_reward", libReward)
	if !*v.cfg.ShouldUseJudge || libReward > 0.5 {
		verdict.Set("judge_evaluations", nil)
		return verdict, nil
	}
	answer := generated
	if extracted != nil && *extracted != "" {
		answer = *extracted
	}
	reward, evals, err := v.judgeAnswer(ctx, question, expected, answer)
	if err != nil {
		return nil, err
	}
	verdict.Reward = reward
	verdict.Set("judge_evaluations", evals)
	return verdict, nil
}

func decodeString(t rollout.Task, name string, dst *string) error {
	raw, ok := t.Get(name)
	if !ok {
		return rollout.Fail(rollout.FailInvalidRow, "verify", fmt.Errorf("mathjudge: the row has no %q field", name))
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return rollout.Fail(rollout.FailInvalidRow, "verify", fmt.Errorf("mathjudge: the row's %q is not a string: %w", name, err))
	}
	return nil
}

// library runs the math engine under the configured timeout and
// concurrency bound; a timeout scores 0 with nothing extracted.
func (v *Verifier) library(ctx context.Context, expected, generated string) (float64, *string) {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil
	}
	defer func() { <-v.sem }()
	ctx, cancel := context.WithTimeout(ctx, time.Duration(v.cfg.LibraryVerifierTimeoutSeconds*float64(time.Second)))
	defer cancel()
	r := mathv.Score(ctx, expected, generated)
	return r.Reward, r.Extracted
}

// JudgeEvaluation is one judge call as NeMo Gym records it.
type JudgeEvaluation struct {
	ResponsesCreateParams json.RawMessage `json:"responses_create_params"`
	Response              json.RawMessage `json:"response"`
}

// judgeAnswer asks the judge in both orders of the answers (NeMo Gym's
// check against positional bias): equal only if both say [[A=B]].
func (v *Verifier) judgeAnswer(ctx context.Context, question, expected, generated string) (float64, []JudgeEvaluation, error) {
	eq, first, err := v.evaluate(ctx, question, expected, generated)
	if err != nil {
		return 0, nil, err
	}
	if !eq {
		return 0, []JudgeEvaluation{first}, nil
	}
	eq, second, err := v.evaluate(ctx, question, generated, expected)
	if err != nil {
		return 0, nil, err
	}
	reward := 0.0
	if eq {
		reward = 1
	}
	return reward, []JudgeEvaluation{first, second}, nil
}

// createParamsOrder is the field order of NeMo Gym's dumped
// NeMoGymResponseCreateParamsNonStreaming, with its defaults.
var createParamsOrder = []struct {
	name string
	def  string
}{
	{"background", "null"}, {"include", "null"}, {"input", "[]"}, {"instructions", "null"},
	{"max_output_tokens", "null"}, {"max_tool_calls", "null"}, {"metadata", "null"}, {"model", "null"},
	{"parallel_tool_calls", "true"}, {"previous_response_id", "null"}, {"prompt", "null"},
	{"reasoning", "null"}, {"service_tier", "null"}, {"store", "null"}, {"temperature", "null"},
	{"text", "null"}, {"tool_choice", `"auto"`}, {"tools", "[]"}, {"top_logprobs", "null"},
	{"top_p", "null"}, {"truncation", "null"}, {"user", "null"}, {"stream", "null"},
}

type message struct {
	Content string `json:"content"`
	Role    string `json:"role"`
	Type    string `json:"type"`
}

// judgeParams builds the judge's create parameters: sent are the
// configured ones with the judge messages as input; recorded (in
// judge_evaluations) are those over the defaults NeMo Gym dumps with them.
func (v *Verifier) judgeParams(prompt string) (sent, recorded rollout.Params, err error) {
	input, err := json.Marshal([]message{
		{Content: JudgeSystemMessage, Role: "system", Type: "message"},
		{Content: prompt, Role: "user", Type: "message"},
	})
	if err != nil {
		return sent, recorded, err
	}
	var all rollout.Object
	for _, f := range createParamsOrder {
		all.Set(f.name, json.RawMessage(f.def))
	}
	var own rollout.Object
	keys := make([]string, 0, len(v.cfg.JudgeResponsesCreateParams))
	for k := range v.cfg.JudgeResponsesCreateParams {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		raw, err := json.Marshal(v.cfg.JudgeResponsesCreateParams[k])
		if err != nil {
			return sent, recorded, fmt.Errorf("mathjudge: judge_responses_create_params.%s: %w", k, err)
		}
		all.Set(k, raw)
		own.Set(k, raw)
	}
	all.Set("input", input)
	own.Set("input", input)
	return rollout.Params{Object: own}, rollout.Params{Object: all}, nil
}

func (v *Verifier) evaluate(ctx context.Context, question, first, second string) (bool, JudgeEvaluation, error) {
	params, recorded, err := v.judgeParams(JudgePrompt(question, first, second))
	if err != nil {
		return false, JudgeEvaluation{}, err
	}
	items, err := params.Input()
	if err != nil {
		return false, JudgeEvaluation{}, err
	}
	resp, err := v.judge.Respond(ctx, &model.Request{Params: params, Input: items})
	if err != nil {
		return false, JudgeEvaluation{}, &rollout.Failure{Class: rollout.FailJudge, Stage: "verify", Retryable: true,
			Err: fmt.Errorf("mathjudge: judge %q: %w", v.cfg.JudgeModelServer.Name, err)}
	}
	if resp == nil {
		return false, JudgeEvaluation{}, &rollout.Failure{Class: rollout.FailJudge, Stage: "verify", Retryable: true,
			Err: fmt.Errorf("mathjudge: judge %q returned no response", v.cfg.JudgeModelServer.Name)}
	}
	paramsJSON, err := recorded.MarshalJSON()
	if err != nil {
		return false, JudgeEvaluation{}, err
	}
	eval := JudgeEvaluation{ResponsesCreateParams: paramsJSON, Response: resp.AppendJSON(nil)}
	return verdictOf(resp), eval, nil
}

// verdictOf parses the judge's answer as NeMo Gym does: the last output
// item must be a message whose last content part is output_text; the first
// label in it decides; no label or any other shape is "not equal".
func verdictOf(resp *rollout.Response) bool {
	if len(resp.Output) == 0 {
		return false
	}
	last := resp.Output[len(resp.Output)-1]
	if last.Type() != "message" {
		return false
	}
	raw, _ := last.Get("content")
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil || len(parts) == 0 {
		return false
	}
	p := parts[len(parts)-1]
	if p.Type != "output_text" {
		return false
	}
	eq := strings.Index(p.Text, JudgeEqualLabel)
	ne := strings.Index(p.Text, JudgeNotEqualLabel)
	return eq >= 0 && (ne < 0 || eq < ne)
}
