package model

// The HTTP face of a Model: an OpenAI-compatible model server.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/rollout"
)

// DefaultMaxBodyBytes bounds a request body: a long episode with token ids
// on every turn is a few megabytes, so this leaves ample room.
const DefaultMaxBodyBytes = 64 << 20

// HandlerOption configures Handler.
type HandlerOption func(*serveConfig)

type serveConfig struct {
	maxBody int64
}

// WithMaxBodyBytes bounds the size of a request body (DefaultMaxBodyBytes
// by default); a larger body is answered with HTTP 413.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(c *serveConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// Handler serves m as an OpenAI-compatible model server, as NeMo Gym's
// model servers (responses_api_models) do:
//
//	POST /v1/responses         a Responses create body in, a Response out
//	POST /v1/chat/completions  a chat completion request in, a chat completion out
//	GET  /                     liveness
//
// The Responses body reaches m losslessly: every field, also ones this
// module does not know, is in Request.Params, and a string input is one
// user message. A Response is completed with the fields a client requires
// that m left out (id, object, created_at, status, model, tools,
// tool_choice, parallel_tool_calls), so that openai-go and NeMo Gym's
// pydantic models read it. Streaming is not supported.
//
// Chat Completions is a simple translation around m: system, developer and
// user messages become input messages (text and image_url parts), an
// assistant message becomes its reasoning (reasoning_content), text and
// function_call items, and a tool message a function_call_output; tools,
// tool_choice, parallel_tool_calls, temperature, top_p, metadata, user and
// max_tokens (or max_completion_tokens, as max_output_tokens) are carried
// over, other fields are dropped. The answer is one choice whose message
// holds the response's text, reasoning_content and tool_calls.
//
// Errors are OpenAI API errors, {"error": {"message", "type", "param",
// "code"}}, which openai-go reads: a malformed body is HTTP 400, an
// oversized one HTTP 413 (WithMaxBodyBytes), and a failing m answers the
// Status of its *rollout.Failure (500 if it has none) with the failure
// class as code, and its stage and retryability next to it (class, stage,
// retryable, and the X-Should-Retry header for openai-go). A panicking m is
// recovered and answered with HTTP 500.
func Handler(m Model, opts ...HandlerOption) http.Handler {
	cfg := serveConfig{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&cfg)
	}
	return &modelServer{m: m, cfg: cfg}
}

type modelServer struct {
	m   Model
	cfg serveConfig
}

func (s *modelServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpjson.Recover(w, func(p any) error { return fmt.Errorf("handler panicked: %v", p) })
	switch r.URL.Path {
	case "/":
		serveLiveness(w, r)
	case "/v1/responses":
		s.serve(w, r, serveParseRequest, func(resp *rollout.Response) ([]byte, error) {
			return resp.AppendJSON(nil), nil
		})
	case "/v1/chat/completions":
		s.serve(w, r, serveParseChat, func(resp *rollout.Response) ([]byte, error) {
			return json.Marshal(serveChatCompletion(resp))
		})
	default:
		httpjson.NotFound(w, r, "")
	}
}

// serve answers one model call: the body is read and parsed into a
// Request, and the model's response, completed, is encoded by answer.
func (s *modelServer) serve(w http.ResponseWriter, r *http.Request, parse func([]byte) (*Request, error), answer func(*rollout.Response) ([]byte, error)) {
	if err := httpjson.CheckMethod(w, r, http.MethodPost); err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	body, err := httpjson.ReadBody(w, r, s.cfg.maxBody, "the request body")
	if err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	req, err := parse(body)
	if err != nil {
		httpjson.WriteError(w, http.StatusBadRequest, err)
		return
	}
	resp, err := s.respond(r.Context(), req)
	if err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	out, err := answer(serveComplete(resp, req.Params))
	if err != nil {
		httpjson.WriteError(w, http.StatusInternalServerError, fmt.Errorf("model: encoding the answer: %w", err))
		return
	}
	httpjson.WriteJSON(w, http.StatusOK, out)
}

// respond calls the model, turning a panic or a missing response into a
// model failure.
func (s *modelServer) respond(ctx context.Context, req *Request) (resp *rollout.Response, err error) {
	defer failure.Recover(&err, rollout.FailModel, "model", "model")
	resp, err = s.m.Respond(ctx, req)
	if err != nil {
		return nil, rollout.Fail(rollout.FailModel, "model", err)
	}
	if resp == nil {
		return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: errors.New("model: the model returned no response")}
	}
	return resp, nil
}

// serveParseRequest reads a Responses create body into a Request: Params is the
// whole body, kept lossless and referring to body, and Input its input as
// items (a string input is one user message). A body that is not a JSON
// object, an input that is neither a string nor a list of item objects,
// and "stream": true are errors.
func serveParseRequest(body []byte) (*Request, error) {
	o, err := rollout.ParseObject(body)
	if err != nil {
		return nil, fmt.Errorf("model: request body: %w", err)
	}
	p := rollout.Params{Object: o}
	if raw, ok := p.Get("stream"); ok && strings.TrimSpace(string(raw)) == "true" {
		return nil, errors.New(`model: streaming is not supported; send "stream": false`)
	}
	input, err := p.Input()
	if err != nil {
		return nil, fmt.Errorf("model: request %w", err)
	}
	return &Request{Params: p, Input: input}, nil
}

// serveComplete returns resp with the members a Responses API client
// requires added where resp lacks them: id, object, created_at, status
// ("incomplete" when incomplete_details is set), model, tools, tool_choice
// and parallel_tool_calls, the last four taken from the request's params as
// a server echoes them. resp itself is not changed.
func serveComplete(resp *rollout.Response, params rollout.Params) *rollout.Response {
	out := &rollout.Response{Object: resp.Object.Clone(), Output: resp.Output}
	def := func(name string, value func() json.RawMessage) {
		if !out.Has(name) {
			out.Set(name, value())
		}
	}
	echo := func(name, fallback string) func() json.RawMessage {
		return func() json.RawMessage {
			if v, ok := params.Get(name); ok && string(v) != "null" {
				return v
			}
			return json.RawMessage(fallback)
		}
	}
	def("id", func() json.RawMessage { return rollout.Quote("resp_" + serveRandomHex()) })
	def("object", func() json.RawMessage { return json.RawMessage(`"response"`) })
	def("created_at", func() json.RawMessage { return rollout.Int(int(time.Now().Unix())) })
	def("status", func() json.RawMessage {
		if resp.Incomplete() {
			return json.RawMessage(`"incomplete"`)
		}
		return json.RawMessage(`"completed"`)
	})
	def("model", echo("model", `""`))
	def("output", func() json.RawMessage { return nil })
	def("parallel_tool_calls", echo("parallel_tool_calls", "true"))
	def("tool_choice", echo("tool_choice", `"auto"`))
	def("tools", echo("tools", "[]"))
	return out
}

func serveRandomHex() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serveLiveness answers GET / (the liveness check of NeMo Gym's servers)
// with {"status": "ok"}.
func serveLiveness(w http.ResponseWriter, r *http.Request) {
	if err := httpjson.CheckMethod(w, r, http.MethodGet); err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	httpjson.WriteJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

// Chat Completions.

// ParseRequest reads a Responses create body into a Request, as Handler
// does: every field is kept in Params, and a string input is one user
// message.
func ParseRequest(body []byte) (*Request, error) { return serveParseRequest(body) }

// ParseChatRequest reads a chat completion request into a Request, with the
// translation Handler applies (see Handler): a fake or proxy server answers
// Chat Completions with a Model that speaks the Responses API.
func ParseChatRequest(body []byte) (*Request, error) { return serveParseChat(body) }

// serveParseChat reads a chat completion request into a Request.
func serveParseChat(body []byte) (*Request, error) {
	var cr serveChatRequest
	if err := json.Unmarshal(body, &cr); err != nil {
		return nil, fmt.Errorf("model: chat completion request: %w", err)
	}
	return cr.request()
}

// serveChatRequest is the part of a chat completion request that Handler
// translates.
type serveChatRequest struct {
	Model               json.RawMessage    `json:"model"`
	Messages            []serveChatMessage `json:"messages"`
	Tools               []serveChatTool    `json:"tools"`
	ToolChoice          json.RawMessage    `json:"tool_choice"`
	ParallelToolCalls   json.RawMessage    `json:"parallel_tool_calls"`
	Temperature         json.RawMessage    `json:"temperature"`
	TopP                json.RawMessage    `json:"top_p"`
	MaxTokens           json.RawMessage    `json:"max_tokens"`
	MaxCompletionTokens json.RawMessage    `json:"max_completion_tokens"`
	Metadata            json.RawMessage    `json:"metadata"`
	User                json.RawMessage    `json:"user"`
	Stream              bool               `json:"stream"`
	N                   *int               `json:"n"`
}

type serveChatMessage struct {
	Role             string              `json:"role"`
	Content          json.RawMessage     `json:"content"`
	ToolCalls        []serveChatToolCall `json:"tool_calls"`
	ToolCallID       string              `json:"tool_call_id"`
	ReasoningContent string              `json:"reasoning_content"`
	Reasoning        string              `json:"reasoning"`
}

type serveChatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type serveChatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters,omitempty"`
		Strict      *bool           `json:"strict,omitempty"`
	} `json:"function"`
}

// serveChatPart is a content part of a chat message.
type serveChatPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL struct {
		URL    string `json:"url"`
		Detail string `json:"detail"`
	} `json:"image_url"`
}

func (cr *serveChatRequest) request() (*Request, error) {
	if cr.Stream {
		return nil, errors.New(`model: streaming is not supported; send "stream": false`)
	}
	if cr.N != nil && *cr.N != 1 {
		return nil, fmt.Errorf("model: n=%d: one choice per request is supported", *cr.N)
	}
	if len(cr.Messages) == 0 {
		return nil, errors.New("model: chat completion request: no messages")
	}
	var p rollout.Params
	set := func(name string, v json.RawMessage) {
		if len(v) > 0 && string(v) != "null" {
			p.Set(name, v)
		}
	}
	set("model", cr.Model)
	if len(cr.Tools) > 0 {
		tools := make([]rollout.Tool, len(cr.Tools))
		for i, t := range cr.Tools {
			if t.Type != "function" {
				return nil, fmt.Errorf("model: tools[%d]: type %q: only function tools are supported", i, t.Type)
			}
			tools[i] = rollout.Tool{Type: "function", Name: t.Function.Name, Description: t.Function.Description,
				Parameters: t.Function.Parameters, Strict: t.Function.Strict}
		}
		raw, err := json.Marshal(tools)
		if err != nil {
			return nil, fmt.Errorf("model: tools: %w", err)
		}
		p.Set("tools", raw)
	}
	choice, err := serveToolChoice(cr.ToolChoice)
	if err != nil {
		return nil, err
	}
	set("tool_choice", choice)
	set("parallel_tool_calls", cr.ParallelToolCalls)
	set("temperature", cr.Temperature)
	set("top_p", cr.TopP)
	if len(cr.MaxCompletionTokens) > 0 && string(cr.MaxCompletionTokens) != "null" {
		set("max_output_tokens", cr.MaxCompletionTokens)
	} else {
		set("max_output_tokens", cr.MaxTokens)
	}
	set("metadata", cr.Metadata)
	set("user", cr.User)

	var input []rollout.Item
	for i, m := range cr.Messages {
		items, err := m.items()
		if err != nil {
			return nil, fmt.Errorf("model: messages[%d]: %w", i, err)
		}
		input = append(input, items...)
	}
	return &Request{Params: p, Input: input}, nil
}

// serveToolChoice translates a chat tool_choice: the strings are the same,
// {"type": "function", "function": {"name": n}} becomes {"type":
// "function", "name": n}.
func serveToolChoice(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return raw, nil
	}
	var c struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Type != "function" {
		return nil, fmt.Errorf("model: tool_choice %s: want a string or a function", raw)
	}
	return json.Marshal(map[string]string{"type": "function", "name": c.Function.Name})
}

func (m *serveChatMessage) items() ([]rollout.Item, error) {
	switch m.Role {
	case "system", "developer", "user":
		content, err := serveInputContent(m.Content)
		if err != nil {
			return nil, err
		}
		it := rollout.NewMessage(m.Role, "")
		it.Set("content", content)
		return []rollout.Item{it}, nil
	case "assistant":
		var items []rollout.Item
		reasoning := m.ReasoningContent
		if reasoning == "" {
			reasoning = m.Reasoning
		}
		if reasoning != "" {
			var it rollout.Item
			it.Set("type", rollout.Quote(rollout.TypeReasoning))
			it.Set("summary", append(append([]byte(`[{"type":"summary_text","text":`), rollout.Quote(reasoning)...), '}', ']'))
			items = append(items, it)
		}
		text, err := serveText(m.Content)
		if err != nil {
			return nil, err
		}
		if text != "" || len(m.ToolCalls) == 0 {
			items = append(items, rollout.NewMessage("assistant", text))
		}
		for _, c := range m.ToolCalls {
			items = append(items, rollout.NewFunctionCall(c.ID, c.Function.Name, c.Function.Arguments))
		}
		return items, nil
	case "tool":
		text, err := serveText(m.Content)
		if err != nil {
			return nil, err
		}
		return []rollout.Item{rollout.NewFunctionCallOutput(m.ToolCallID, text)}, nil
	}
	return nil, fmt.Errorf("role %q is not supported (want system, developer, user, assistant or tool)", m.Role)
}

// serveInputContent translates the content of an input message: a string
// stays a string, text parts become input_text and image_url parts
// input_image.
func serveInputContent(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '[' {
		s, err := serveText(raw)
		return rollout.Quote(s), err
	}
	var parts []serveChatPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	out := make([]map[string]string, len(parts))
	for i, pt := range parts {
		switch pt.Type {
		case "text":
			out[i] = map[string]string{"type": "input_text", "text": pt.Text}
		case "image_url":
			detail := pt.ImageURL.Detail
			if detail == "" {
				detail = "auto"
			}
			out[i] = map[string]string{"type": "input_image", "image_url": pt.ImageURL.URL, "detail": detail}
		default:
			return nil, fmt.Errorf("content[%d]: part type %q is not supported (want text or image_url)", i, pt.Type)
		}
	}
	return json.Marshal(out)
}

// serveText returns the text of content: a string, null, or text parts.
func serveText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("content: %w", err)
		}
		return s, nil
	}
	var parts []serveChatPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content: want a string or a list of text parts: %w", err)
	}
	var b strings.Builder
	for i, pt := range parts {
		if pt.Type != "text" {
			return "", fmt.Errorf("content[%d]: part type %q is not supported here (want text)", i, pt.Type)
		}
		b.WriteString(pt.Text)
	}
	return b.String(), nil
}

type serveCompletion struct {
	ID      string            `json:"id"`
	Object  string            `json:"object"`
	Created int64             `json:"created"`
	Model   string            `json:"model"`
	Choices []serveChatChoice `json:"choices"`
	Usage   serveChatUsage    `json:"usage"`
}

type serveChatChoice struct {
	Index        int             `json:"index"`
	Message      serveChatAnswer `json:"message"`
	FinishReason string          `json:"finish_reason"`
	Logprobs     *struct{}       `json:"logprobs"`
}

type serveChatAnswer struct {
	Role             string              `json:"role"`
	Content          *string             `json:"content"`
	ReasoningContent *string             `json:"reasoning_content,omitempty"`
	ToolCalls        []serveChatToolCall `json:"tool_calls,omitempty"`
}

type serveChatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// serveChatCompletion translates a (completed) Response into a chat
// completion with one choice.
func serveChatCompletion(resp *rollout.Response) *serveCompletion {
	var text, reasoning strings.Builder
	var calls []serveChatToolCall
	hasText := false
	for _, it := range resp.Output {
		switch it.Type() {
		case rollout.TypeMessage:
			if it.Role() == "assistant" || it.Role() == "" {
				text.WriteString(it.Text())
				hasText = true
			}
		case rollout.TypeReasoning:
			reasoning.WriteString(it.Text())
		case rollout.TypeFunctionCall:
			var c serveChatToolCall
			c.ID, c.Type = it.CallID(), "function"
			c.Function.Name, c.Function.Arguments = it.Name(), it.Arguments()
			calls = append(calls, c)
		}
	}
	ans := serveChatAnswer{Role: "assistant", ToolCalls: calls}
	if hasText || len(calls) == 0 {
		s := text.String()
		ans.Content = &s
	}
	if reasoning.Len() > 0 {
		s := reasoning.String()
		ans.ReasoningContent = &s
	}
	finish := "stop"
	switch {
	case resp.IncompleteReason() == "content_filter":
		finish = "content_filter"
	case resp.Incomplete():
		finish = "length"
	case len(calls) > 0:
		finish = "tool_calls"
	}
	var created float64
	_ = resp.Decode("created_at", &created)
	u := resp.Usage()
	return &serveCompletion{
		ID:      "chatcmpl-" + strings.TrimPrefix(resp.String("id"), "resp_"),
		Object:  "chat.completion",
		Created: int64(created),
		Model:   resp.String("model"),
		Choices: []serveChatChoice{{Message: ans, FinishReason: finish}},
		Usage:   serveChatUsage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.TotalTokens},
	}
}
