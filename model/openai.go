package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gymkit/gym/rollout"
)

// OpenAIConfig configures a Responses API client, with the fields of NeMo
// Gym's openai_model.
type OpenAIConfig struct {
	// BaseURL is the API base, e.g. https://api.openai.com/v1; several
	// comma-separated bases spread rollouts over servers (each rollout sticks
	// to one).
	BaseURL        string            `yaml:"openai_base_url" json:"openai_base_url"`
	APIKey         string            `yaml:"openai_api_key" json:"openai_api_key"`
	Model          string            `yaml:"openai_model" json:"openai_model"`
	DefaultHeaders map[string]string `yaml:"openai_default_headers" json:"openai_default_headers"`

	// DropInputReasoningItems removes reasoning items from the input before
	// sending it (NeMo Gym's drop_input_reasoning_items).
	DropInputReasoningItems bool `yaml:"drop_input_reasoning_items" json:"drop_input_reasoning_items"`

	// MaxRetries bounds the retries of 408/409/429/5xx answers and
	// connection errors (with exponential backoff honouring Retry-After, as
	// OpenAI's SDK does). 0 means the SDK's default (2); a negative value
	// disables retries.
	MaxRetries int `yaml:"max_retries" json:"max_retries"`

	// HTTPClient, if set, sends the requests.
	HTTPClient *http.Client `yaml:"-" json:"-"`

	// Poster, if set, sends the requests instead of the built-in client
	// (openaisdk.Poster: OpenAI's Go SDK); APIKey, DefaultHeaders,
	// MaxRetries and HTTPClient are then the Poster's to apply.
	Poster Poster `yaml:"-" json:"-"`
}

// OpenAI is a Model that calls POST /responses of an OpenAI-compatible
// endpoint (NeMo Gym's openai_model). Items travel as raw JSON, so fields
// the OpenAI SDKs do not know survive both ways.
type OpenAI struct {
	cfg     OpenAIConfig
	clients *pool[endpoint]
}

// NewOpenAI returns a Responses API client.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.Model == "" {
		return nil, errors.New("model: openai: no model name (openai_model)")
	}
	bases := splitBases(cfg.BaseURL)
	if len(bases) == 0 {
		return nil, errors.New("model: openai: no base URL (openai_base_url)")
	}
	var clients []endpoint
	for _, base := range bases {
		clients = append(clients, endpoint{
			client: cfg.poster(),
			base:   strings.TrimSuffix(base, "/"),
		})
	}
	return &OpenAI{cfg: cfg, clients: newPool(clients)}, nil
}

func splitBases(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// Respond sends req to /responses with the configured model name.
func (m *OpenAI) Respond(ctx context.Context, req *Request) (*rollout.Response, error) {
	call := *req
	call.Params = rollout.Params{Object: req.Params.Clone()}
	call.Params.Set("model", rollout.Quote(m.cfg.Model))
	if m.cfg.DropInputReasoningItems {
		call.Input = make([]rollout.Item, 0, len(req.Input))
		for _, it := range req.Input {
			if it.Type() != rollout.TypeReasoning {
				call.Input = append(call.Input, it)
			}
		}
	}
	ep := m.clients.pick(req.ID)
	raw, err := ep.client.Post(ctx, ep.base+"/responses", call.AppendJSON(nil))
	if err != nil {
		return nil, callError(ep.base+"/responses", err)
	}
	resp, err := rollout.ParseResponse(raw)
	if err != nil {
		// A truncated or garbled body is a server glitch: worth another attempt.
		return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Retryable: true,
			Err: fmt.Errorf("model: /responses answered something that is not a Response: %w (body %.200q)", err, raw)}
	}
	if !resp.Has("output") {
		return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model",
			Err: fmt.Errorf("model: /responses answered an object without output (body %.200q)", raw)}
	}
	return resp, nil
}

// endpoint is one server of a client.
type endpoint struct {
	client Poster
	base   string
}

// callError classifies an error of a call to url: HTTP status, and whether
// a later attempt may succeed. The message names the URL, so that a wrong
// base URL (a 404, a refused connection) is plain to see.
func callError(url string, err error) error {
	f := &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: fmt.Errorf("model: POST %s: %w", url, err)}
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		if msg := errorMessage(apiErr); msg != "" {
			f.Err = &serverError{err: f.Err, msg: msg}
		}
		f.Status = apiErr.StatusCode
		f.Retryable = apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode == http.StatusRequestTimeout || apiErr.StatusCode >= 500
	case errors.Is(err, context.DeadlineExceeded):
		f.Class = rollout.FailTimeout
		f.Retryable = true
	case errors.Is(err, context.Canceled):
		f.Class = rollout.FailCancelled
	default:
		f.Retryable = true // connection errors
	}
	return f
}

// maxErrorMessage bounds the part of an error answer's body that goes into
// an error message.
const maxErrorMessage = 500

// serverError is an HTTP error answer with the reason its body gives.
type serverError struct {
	err error
	msg string
}

func (e *serverError) Error() string { return e.err.Error() + ": " + e.msg }
func (e *serverError) Unwrap() error { return e.err }

// errorBody returns the body of an error answer.
func errorBody(apiErr *APIError) []byte { return apiErr.Body }

// errorMessage returns why an error answer says the call failed, truncated:
// the message of OpenAI's {"error": {"message": ...}}, of vLLM's {"object":
// "error", "message": ...} or of FastAPI's {"detail": ...}, or else the
// body's text (APIError's own message shows only the status).
func errorMessage(apiErr *APIError) string {
	var msg string
	body := bytes.TrimSpace(errorBody(apiErr))
	var shapes struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &shapes) == nil {
		// OpenAI's {"error": {"message": "..."}} first, as openai-go read it.
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(shapes.Error, &e) == nil {
			msg = e.Message
		}
	}
	if msg == "" {
		if json.Unmarshal(body, &shapes) == nil {
			for _, raw := range []json.RawMessage{shapes.Message, shapes.Detail, shapes.Error} {
				if m := textOf(raw); m != "" {
					msg = m
					break
				}
			}
		}
		if msg == "" && !json.Valid(body) {
			msg = string(body)
		}
	}
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "\uFFFD")), " ")
	if len(msg) > maxErrorMessage {
		msg = strings.ToValidUTF8(msg[:maxErrorMessage], "") + "..."
	}
	return msg
}

// textOf returns a JSON string's text, an object's "message", or a
// non-empty value's JSON.
func textOf(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Message != "" {
		return o.Message
	}
	return string(raw)
}
