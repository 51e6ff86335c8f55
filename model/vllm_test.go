package model_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// fakeVLLM is a vLLM server for tests: POST /v1/chat/completions answers
// with reply, POST /tokenize with the prompt ids.
type fakeVLLM struct {
	*httptest.Server
	reply func(body map[string]json.RawMessage) (status int, answer string)

	mu        sync.Mutex
	chats     []map[string]json.RawMessage
	tokenizes []map[string]json.RawMessage
	auth      []string
	paths     []string
}

func newFakeVLLM(t *testing.T, reply func(body map[string]json.RawMessage) (int, string)) *fakeVLLM {
	f := &fakeVLLM{reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var body map[string]json.RawMessage
		if r.Method != http.MethodPost || json.Unmarshal(data, &body) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/chat/completions":
			f.mu.Lock()
			f.chats = append(f.chats, body)
			f.mu.Unlock()
			status, answer := f.reply(body)
			w.WriteHeader(status)
			io.WriteString(w, answer)
		case "/tokenize":
			f.mu.Lock()
			f.tokenizes = append(f.tokenizes, body)
			f.mu.Unlock()
			io.WriteString(w, `{"count":4,"max_model_len":32768,"tokens":[151644,8948,198,2],"token_strs":null}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeVLLM) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.chats)
}

func TestVLLMRespond(t *testing.T) {
	srv := newFakeVLLM(t, func(body map[string]json.RawMessage) (int, string) {
		return 200, string(completion(`{"role":"assistant","content":"It is sunny.","reasoning_content":"Easy."}`,
			logprobContent([]int{40, 41, 42}, []string{"-0.5", "-0.25", "0.0"}), ""))
	})
	m, err := model.NewVLLM(model.VLLMConfig{
		BaseURL:                  model.BaseURLs{srv.URL + "/v1"},
		APIKey:                   "secret-key",
		Model:                    "Qwen/Qwen3-8B",
		ReturnTokenIDInformation: true,
		UsesReasoningParser:      true,
		ChatTemplateKwargs:       map[string]any{"enable_thinking": true},
		MaxRetries:               -1,
	})
	require.NoError(t, err)
	req := &model.Request{
		Params: params(t, `{"tools":[{"type":"function","name":"weather","parameters":{"type":"object"},"strict":true}],"temperature":0.5,"max_output_tokens":64}`),
		Input:  parseItems(t, `{"role":"user","content":"Weather?"}`),
	}
	resp, err := m.Respond(context.Background(), req)
	require.NoError(t, err)

	require.Equal(t, []string{"/v1/chat/completions", "/tokenize"}, srv.paths)
	for _, a := range srv.auth {
		require.Equal(t, "Bearer secret-key", a)
	}
	chat := srv.chats[0]
	require.JSONEq(t, `"Qwen/Qwen3-8B"`, string(chat["model"]))
	require.JSONEq(t, `[{"role":"user","content":"Weather?"}]`, string(chat["messages"]))
	require.JSONEq(t, `[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}]`, string(chat["tools"]))
	require.JSONEq(t, `64`, string(chat["max_tokens"]))
	require.JSONEq(t, `0.5`, string(chat["temperature"]))
	require.JSONEq(t, `{"enable_thinking":true}`, string(chat["chat_template_kwargs"]))
	require.JSONEq(t, `true`, string(chat["logprobs"]))
	require.JSONEq(t, `0`, string(chat["top_logprobs"]))
	require.JSONEq(t, `true`, string(chat["return_tokens_as_token_ids"]))

	// /tokenize gets the fields that shape the prompt, the same messages.
	tok := srv.tokenizes[0]
	require.ElementsMatch(t, []string{"model", "messages", "tools", "chat_template_kwargs"}, keys(tok))
	for _, k := range keys(tok) {
		require.JSONEq(t, string(chat[k]), string(tok[k]), k)
	}

	require.Equal(t, "completed", resp.String("status"))
	require.Len(t, resp.Output, 2)
	require.Equal(t, "reasoning", resp.Output[0].Type())
	require.Equal(t, "Easy.", resp.Output[0].Text())
	require.Equal(t, "It is sunny.", resp.Output[1].Text())
	tokens, err := resp.Output[1].Tokens()
	require.NoError(t, err)
	require.Equal(t, &rollout.Tokens{PromptIDs: []int{151644, 8948, 198, 2}, GenerationIDs: []int{40, 41, 42}, LogProbs: []float64{-0.5, -0.25, 0}}, tokens)
	// The Responses object repeats the request's parameters.
	require.JSONEq(t, `0.5`, string(mustGet(t, resp.Object, "temperature")))
	require.JSONEq(t, `"auto"`, string(mustGet(t, resp.Object, "tool_choice")))
	require.Equal(t, 15, resp.Usage().TotalTokens)
	require.True(t, json.Valid(resp.AppendJSON(nil)))
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func mustGet(t *testing.T, o rollout.Object, k string) json.RawMessage {
	t.Helper()
	v, ok := o.Get(k)
	require.True(t, ok, k)
	return v
}

func TestVLLMErrors(t *testing.T) {
	user := parseItems(t, `{"role":"user","content":"hi"}`)
	tests := []struct {
		name      string
		status    int
		answer    string
		propagate bool
		check     func(t *testing.T, resp *rollout.Response, err error)
	}{
		{"500 is a retryable model failure", 500, `{"error":{"message":"engine died","type":"InternalServerError","code":500}}`, false,
			func(t *testing.T, _ *rollout.Response, err error) {
				var f *rollout.Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, rollout.FailModel, f.Class)
				require.Equal(t, 500, f.Status)
				require.True(t, f.Retryable)
				require.Contains(t, err.Error(), "chat/completions")
			}},
		{"a plain-text 503", 503, `Service Unavailable`, false,
			func(t *testing.T, _ *rollout.Response, err error) {
				var f *rollout.Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, 503, f.Status)
				require.True(t, f.Retryable)
			}},
		{"garbage JSON", 200, `{"id":"x","choices":[{"message":`, false,
			func(t *testing.T, _ *rollout.Response, err error) {
				var f *rollout.Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, rollout.FailModel, f.Class)
				require.False(t, f.Retryable)
				require.Contains(t, err.Error(), "model: vllm: /chat/completions answered something that is not a chat completion")
			}},
		{"a prompt over the context length ends the rollout", 400,
			`{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 32818 tokens in the messages, Please reduce the length of the messages. None","type":"BadRequestError","param":null,"code":400}`, false,
			func(t *testing.T, resp *rollout.Response, err error) {
				require.NoError(t, err)
				require.Equal(t, "incomplete", resp.String("status"))
				require.Equal(t, "max_output_tokens", resp.IncompleteReason())
				require.Len(t, resp.Output, 1)
				require.Equal(t, "message", resp.Output[0].Type())
				require.Empty(t, resp.Output[0].Text())
			}},
		{"or fails with propagate_context_overflow_errors", 400,
			`{"error":{"message":"max_tokens must be at least 1, got -3.","type":"BadRequestError","param":null,"code":400}}`, true,
			func(t *testing.T, _ *rollout.Response, err error) {
				var f *rollout.Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, 400, f.Status)
				require.False(t, f.Retryable)
			}},
		{"another 400 is an error", 400, `{"error":{"message":"bad tool schema","type":"BadRequestError","code":400}}`, false,
			func(t *testing.T, _ *rollout.Response, err error) {
				var f *rollout.Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, 400, f.Status)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeVLLM(t, func(map[string]json.RawMessage) (int, string) { return tt.status, tt.answer })
			m, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL + "/v1"}, Model: "m",
				MaxRetries: -1, PropagateContextOverflowErrors: tt.propagate})
			require.NoError(t, err)
			resp, err := m.Respond(context.Background(), &model.Request{Input: user})
			tt.check(t, resp, err)
			require.Equal(t, 1, srv.requests())
		})
	}

	// A request that cannot be converted never reaches the server.
	srv := newFakeVLLM(t, func(map[string]json.RawMessage) (int, string) { return 200, "{}" })
	m, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL + "/v1"}, Model: "m"})
	require.NoError(t, err)
	_, err = m.Respond(context.Background(), &model.Request{Input: parseItems(t, `{"type":"mcp_call"}`)})
	var f *rollout.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailInvalidRow, f.Class)
	require.Zero(t, srv.requests())
}

func TestVLLMStickySessions(t *testing.T) {
	answer := string(completion(`{"role":"assistant","content":"ok"}`, "", ""))
	var servers []*fakeVLLM
	var bases []string
	for range 3 {
		s := newFakeVLLM(t, func(map[string]json.RawMessage) (int, string) { return 200, answer })
		servers = append(servers, s)
		bases = append(bases, s.URL+"/v1")
	}
	m, err := model.NewVLLM(model.VLLMConfig{BaseURL: bases, Model: "m"})
	require.NoError(t, err)

	served := map[string]map[int]bool{}
	for round := range 3 {
		for s := range 24 {
			id := rollout.ID{Task: s, Rollout: 0, Attempt: 1, UID: fmt.Sprintf("uid-%d", s)}
			session := id.UID
			before := make([]int, len(servers))
			for i, srv := range servers {
				before[i] = srv.requests()
			}
			_, err := m.Respond(context.Background(), &model.Request{ID: id, Input: parseItems(t, `{"role":"user","content":"hi"}`)})
			require.NoError(t, err, "round %d", round)
			if served[session] == nil {
				served[session] = map[int]bool{}
			}
			for i, srv := range servers {
				if srv.requests() > before[i] {
					served[session][i] = true
					// NeMo Gym's rule: sha256 of the session key, first 8 bytes big-endian, mod N.
					sum := sha256.Sum256([]byte(session))
					require.Equal(t, int(binary.BigEndian.Uint64(sum[:8])%3), i, "session %s", session)
				}
			}
		}
	}
	used := map[int]bool{}
	for session, by := range served {
		require.Len(t, by, 1, "session %s went to several servers", session)
		for i := range by {
			used[i] = true
		}
	}
	require.Greater(t, len(used), 1, "24 sessions all went to one server")
}

func TestBaseURLs(t *testing.T) {
	tests := []struct {
		name, yaml, json string
		want             model.BaseURLs
	}{
		{"one", `base_url: http://a:8000/v1`, `{"base_url":"http://a:8000/v1"}`, model.BaseURLs{"http://a:8000/v1"}},
		{"list", "base_url:\n  - http://a/v1\n  - http://b/v1", `{"base_url":["http://a/v1","http://b/v1"]}`, model.BaseURLs{"http://a/v1", "http://b/v1"}},
		{"comma-separated", `base_url: "http://a/v1, http://b/v1"`, `{"base_url":"http://a/v1,http://b/v1"}`, model.BaseURLs{"http://a/v1", "http://b/v1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fromYAML, fromJSON model.VLLMConfig
			require.NoError(t, yaml.Unmarshal([]byte(tt.yaml+"\nmodel: m\nuses_reasoning_parser: true\nchat_template_kwargs: null\n"), &fromYAML))
			require.Equal(t, tt.want, fromYAML.BaseURL)
			require.Equal(t, "m", fromYAML.Model)
			require.True(t, fromYAML.UsesReasoningParser)
			require.NoError(t, json.Unmarshal([]byte(tt.json), &fromJSON))
			require.Equal(t, tt.want, fromJSON.BaseURL)
		})
	}
	var cfg model.VLLMConfig
	require.Error(t, yaml.Unmarshal([]byte("base_url: {a: 1}"), &cfg))
	require.Error(t, json.Unmarshal([]byte(`{"base_url":5}`), &cfg))
}

// NeMo Gym's own vllm_model configs decode.
func TestVLLMConfigYAML(t *testing.T) {
	const src = `
base_url: http://localhost:8000/v1
api_key: token-abc123
model: Qwen/Qwen3-8B
return_token_id_information: true
request_prompt_and_generation_token_ids: false
uses_reasoning_parser: true
uses_interleaved_reasoning: false
replace_developer_role_with_system: true
chat_template_kwargs: {enable_thinking: false}
sampling_overrides: null
extra_body: {top_k: 20}
default_headers: {X-Team: rl}
entrypoint: app.py
`
	var cfg model.VLLMConfig
	require.NoError(t, yaml.Unmarshal([]byte(src), &cfg))
	require.Equal(t, model.BaseURLs{"http://localhost:8000/v1"}, cfg.BaseURL)
	require.Equal(t, "token-abc123", cfg.APIKey)
	require.True(t, cfg.ReturnTokenIDInformation)
	require.NotNil(t, cfg.UsesInterleavedReasoning)
	require.False(t, *cfg.UsesInterleavedReasoning)
	require.True(t, cfg.ReplaceDeveloperRoleWithSystem)
	require.Equal(t, map[string]any{"enable_thinking": false}, cfg.ChatTemplateKwargs)
	require.Equal(t, map[string]any{"top_k": 20}, cfg.ExtraBody)
	require.Equal(t, map[string]string{"X-Team": "rl"}, cfg.DefaultHeaders)
	_, err := model.NewVLLM(cfg)
	require.NoError(t, err)
}

func TestNewVLLMErrors(t *testing.T) {
	_, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{"http://a/v1"}})
	require.ErrorContains(t, err, "no model name")
	_, err = model.NewVLLM(model.VLLMConfig{Model: "m", BaseURL: model.BaseURLs{" "}})
	require.ErrorContains(t, err, "no base URL")
	_, err = model.NewVLLM(model.VLLMConfig{Model: "m", BaseURL: model.BaseURLs{"http://a/v1"}, ExtraBody: map[string]any{"f": func() {}}})
	require.ErrorContains(t, err, "extra_body.f")
}

func TestVLLMTokenizeAtServerRoot(t *testing.T) {
	// Under a path prefix: NeMo Gym strips only the /v1.
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/tokenize") {
			io.WriteString(w, `{"tokens":[1,2]}`)
			return
		}
		io.WriteString(w, string(completion(`{"role":"assistant","content":"ok"}`, logprobContent([]int{3}, []string{"-1.0"}), "")))
	}))
	defer srv.Close()
	m, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL + "/gpu0/v1/"}, Model: "m", ReturnTokenIDInformation: true})
	require.NoError(t, err)
	resp, err := m.Respond(context.Background(), &model.Request{Input: parseItems(t, `{"role":"user","content":"hi"}`)})
	require.NoError(t, err)
	require.Equal(t, []string{"/gpu0/v1/chat/completions", "/gpu0/tokenize"}, paths)
	tok, err := resp.Output[0].Tokens()
	require.NoError(t, err)
	require.Equal(t, []int{1, 2}, tok.PromptIDs)
}
