package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gymkit/gym/rollout"
)

// VLLMConfig configures a vLLM client, with the fields of NeMo Gym's
// vllm_model, so that its YAML configs load unchanged.
type VLLMConfig struct {
	// BaseURL is the OpenAI API base of the vLLM server(s), e.g.
	// http://localhost:8000/v1: one URL or a list. Each rollout sticks to
	// one server; /tokenize is called at the base without its /v1.
	BaseURL BaseURLs `yaml:"base_url" json:"base_url"`
	APIKey  string   `yaml:"api_key" json:"api_key"`
	Model   string   `yaml:"model" json:"model"`

	// ReturnTokenIDInformation asks vLLM for the token ids and logprobs of
	// each call and puts prompt_token_ids, generation_token_ids and
	// generation_log_probs on the last output item of the call.
	ReturnTokenIDInformation bool `yaml:"return_token_id_information" json:"return_token_id_information"`
	// RequestPromptAndGenerationTokenIDs also sends return_token_ids, which
	// makes vLLM >= 0.10.2 answer with the ids inline.
	RequestPromptAndGenerationTokenIDs bool `yaml:"request_prompt_and_generation_token_ids" json:"request_prompt_and_generation_token_ids"`

	// UsesReasoningParser says that vLLM runs a reasoning parser: its
	// reasoning_content (or reasoning) becomes a reasoning item, and the
	// reasoning of earlier turns is sent back as reasoning_content. When
	// false, <think> text stays in the message text.
	UsesReasoningParser bool `yaml:"uses_reasoning_parser" json:"uses_reasoning_parser"`
	// UsesInterleavedReasoning (default true) sends earlier turns'
	// reasoning back to vLLM; false drops it.
	UsesInterleavedReasoning *bool `yaml:"uses_interleaved_reasoning" json:"uses_interleaved_reasoning"`
	// PreserveReasoningInAssistantContent sends earlier reasoning back as
	// <think> text inside the assistant content instead.
	PreserveReasoningInAssistantContent bool `yaml:"preserve_reasoning_in_assistant_content" json:"preserve_reasoning_in_assistant_content"`
	ReplaceDeveloperRoleWithSystem      bool `yaml:"replace_developer_role_with_system" json:"replace_developer_role_with_system"`

	// ChatTemplateKwargs is sent as chat_template_kwargs; a row overrides
	// keys with metadata.chat_template_kwargs (a JSON object in a string).
	ChatTemplateKwargs map[string]any `yaml:"chat_template_kwargs" json:"chat_template_kwargs"`
	// ExtraBody adds fields to every request that the request does not set
	// itself; a row overrides keys with metadata.extra_body (a JSON string).
	ExtraBody map[string]any `yaml:"extra_body" json:"extra_body"`
	// SamplingOverrides replace the request's fields (temperature, top_p,
	// ...) on every request: on-policy training pins sampling here.
	SamplingOverrides map[string]any    `yaml:"sampling_overrides" json:"sampling_overrides"`
	DefaultHeaders    map[string]string `yaml:"default_headers" json:"default_headers"`

	// PropagateContextOverflowErrors makes a prompt too long for the model
	// an error; by default it is an empty, incomplete answer (finish reason
	// "length"), so that the rollout ends normally.
	PropagateContextOverflowErrors bool `yaml:"propagate_context_overflow_errors" json:"propagate_context_overflow_errors"`

	// MaxRetries bounds the retries of 408/409/429/5xx answers and
	// connection errors. 0 means OpenAI's SDK's default (2); negative
	// disables.
	MaxRetries int `yaml:"max_retries" json:"max_retries"`

	// HTTPClient, if set, sends the requests.
	HTTPClient *http.Client `yaml:"-" json:"-"`

	// Poster, if set, sends the requests instead of the built-in client
	// (openaisdk.Poster: OpenAI's Go SDK); APIKey, DefaultHeaders,
	// MaxRetries and HTTPClient are then the Poster's to apply.
	Poster Poster `yaml:"-" json:"-"`
}

// BaseURLs is one base URL or several. In YAML and JSON it is a string (a
// comma-separated string is split) or a list of strings.
type BaseURLs []string

// UnmarshalYAML accepts a string or a list of strings.
func (u *BaseURLs) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		*u = splitBases(s)
		return nil
	}
	var list []string
	if err := unmarshal(&list); err != nil {
		return errors.New("base_url: want a URL or a list of URLs")
	}
	*u = list
	return nil
}

// UnmarshalJSON accepts a string or a list of strings.
func (u *BaseURLs) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*u = splitBases(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return errors.New("base_url: want a URL or a list of URLs")
	}
	*u = list
	return nil
}

// VLLM is a Model that serves the Responses API from a vLLM server's Chat
// Completions endpoint, as NeMo Gym's vllm_model does: each call converts
// the conversation to chat messages, calls POST /chat/completions and
// converts the answer back into output items, with token ids for training
// when asked. It is safe for concurrent use.
type VLLM struct {
	conv      *chatConv
	endpoints *pool[vllmEndpoint]
}

type vllmEndpoint struct {
	client Poster
	base   string // the OpenAI API base, for messages
	root   string // the server root, where /tokenize is
}

// NewVLLM returns a vLLM client.
func NewVLLM(cfg VLLMConfig) (*VLLM, error) {
	if cfg.Model == "" {
		return nil, errors.New("model: vllm: no model name (model)")
	}
	var bases []string
	for _, b := range cfg.BaseURL {
		if b = strings.TrimSpace(b); b != "" {
			bases = append(bases, b)
		}
	}
	if len(bases) == 0 {
		return nil, errors.New("model: vllm: no base URL (base_url)")
	}
	conv, err := newChatConv(cfg)
	if err != nil {
		return nil, err
	}
	var eps []vllmEndpoint
	for _, base := range bases {
		eps = append(eps, vllmEndpoint{
			client: cfg.poster(),
			base:   strings.TrimSuffix(base, "/"),
			// NeMo Gym: base_url.removesuffix("/v1")
			root: strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/v1"),
		})
	}
	return &VLLM{conv: conv, endpoints: newPool(eps)}, nil
}

// Respond converts req to a chat completion request, sends it to the
// rollout's server and converts the answer.
func (m *VLLM) Respond(ctx context.Context, req *Request) (*rollout.Response, error) {
	body, err := m.conv.request(req)
	if err != nil {
		return nil, &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "model", Err: err}
	}
	ep := m.endpoints.pick(req.ID)
	raw, err := ep.client.Post(ctx, ep.base+"/chat/completions", body.json)
	var resp *rollout.Response
	switch {
	case err == nil:
		resp, err = m.conv.response(raw, func() ([]int, error) { return m.tokenize(ctx, ep, body) })
		if err != nil {
			return nil, err
		}
	case m.contextOverflow(err):
		// NeMo Gym answers a prompt that does not fit with an empty
		// message cut short, so that the rollout ends instead of failing.
		resp = m.conv.build(&chatAnswer{role: "assistant", finishReason: "length"}, nil)
	default:
		return nil, callError(ep.base+"/chat/completions", err)
	}
	echoParams(resp, req.Params)
	return resp, nil
}

// contextOverflow reports vLLM's answer to a prompt longer than the model's
// context: HTTP 400 mentioning the context length or max_tokens.
func (m *VLLM) contextOverflow(err error) bool {
	var apiErr *APIError
	if m.conv.cfg.PropagateContextOverflowErrors || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return false
	}
	return bytes.Contains(apiErr.Body, []byte("context length")) || bytes.Contains(apiErr.Body, []byte("max_tokens"))
}

// tokenize asks vLLM's /tokenize for the prompt token ids of a chat request,
// with the fields that shape the prompt (NeMo Gym's _TOKENIZE_CHAT_FIELDS).
func (m *VLLM) tokenize(ctx context.Context, ep vllmEndpoint, chat *chatBody) ([]int, error) {
	var body rollout.Object
	for _, k := range []string{"model", "messages", "tools", "chat_template_kwargs", "mm_processor_kwargs", "required_prefix_token_ids"} {
		if k == "messages" {
			setRaw(&body, k, chat.messages) // built by messages: megabytes with token ids
		} else if v, ok := chat.fields.Get(k); ok {
			body.Set(k, v)
		}
	}
	raw, err := ep.client.Post(ctx, ep.root+"/tokenize", appendObject(nil, body))
	if err != nil {
		return nil, callError(ep.root+"/tokenize", err)
	}
	var ids []int
	r := jsonReader{data: raw}
	found := false
	err = r.object(func(k []byte) error {
		if string(k) != "tokens" {
			return r.skip(0)
		}
		found = true
		var err error
		ids, err = r.ints(ids)
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err == nil && !found {
		err = errors.New("no tokens")
	}
	if err != nil {
		return nil, modelFailure("/tokenize answered no list of integer token ids (`tokenize.tokens`): %v (body %.200q)", err, raw)
	}
	return ids, nil
}

// echoParams copies the request parameters a Responses object repeats.
func echoParams(resp *rollout.Response, p rollout.Params) {
	defaults := []rollout.Field{
		{Name: "parallel_tool_calls", Value: json.RawMessage("true")},
		{Name: "tool_choice", Value: json.RawMessage(`"auto"`)},
		{Name: "tools", Value: json.RawMessage("[]")},
	}
	for _, d := range defaults {
		v, ok := p.Get(d.Name)
		if !ok || isNull(v) {
			v = d.Value
		}
		resp.Set(d.Name, v)
	}
	for _, k := range []string{"temperature", "top_p", "max_output_tokens", "metadata", "instructions"} {
		if v, ok := p.Get(k); ok {
			resp.Set(k, v)
		}
	}
}

// chatConv converts between the Responses and Chat Completions APIs for one
// configuration, with the config's maps encoded once.
type chatConv struct {
	cfg            VLLMConfig
	interleaved    bool
	templateKwargs []rollout.Field
	extraBody      []rollout.Field
	overrides      []rollout.Field
}

func newChatConv(cfg VLLMConfig) (*chatConv, error) {
	c := &chatConv{cfg: cfg, interleaved: cfg.UsesInterleavedReasoning == nil || *cfg.UsesInterleavedReasoning}
	var err error
	if c.templateKwargs, err = fieldsOf("chat_template_kwargs", cfg.ChatTemplateKwargs); err != nil {
		return nil, err
	}
	if c.extraBody, err = fieldsOf("extra_body", cfg.ExtraBody); err != nil {
		return nil, err
	}
	if c.overrides, err = fieldsOf("sampling_overrides", cfg.SamplingOverrides); err != nil {
		return nil, err
	}
	return c, nil
}

// fieldsOf encodes a config map, in key order.
func fieldsOf(name string, m map[string]any) ([]rollout.Field, error) {
	var fs []rollout.Field
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, err := json.Marshal(m[k])
		if err != nil {
			return nil, fmt.Errorf("model: vllm: %s.%s: %w", name, k, err)
		}
		fs = append(fs, rollout.Field{Name: k, Value: v})
	}
	return fs, nil
}

// modelFailure is a non-retryable failure of the model server's answer.
func modelFailure(format string, args ...any) error {
	return &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: fmt.Errorf("model: vllm: "+format, args...)}
}

// appendObject appends o's JSON, sized up front: a request with a long
// generation's token ids is megabytes.
func appendObject(b []byte, o rollout.Object) []byte {
	n := 2
	for _, f := range o.Fields() {
		n += len(f.Name) + len(f.Value) + 4
	}
	return o.AppendJSON(slices.Grow(b, n))
}

func isNull(v []byte) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || string(v) == "null"
}
