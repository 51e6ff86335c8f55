package gymtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/gymtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newClient returns an openai-go client of srv that never retries.
func newClient(srv *gymtest.Server) *openai.Client {
	c := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("x"), option.WithMaxRetries(0))
	return &c
}

// httpClient returns a plain client whose connections close with the test.
func httpClient(t *testing.T, timeout time.Duration) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// post sends body (JSON-encoded unless it is a string) and reads the answer.
func post(c *http.Client, url string, body any) (*http.Response, []byte, error) {
	b, ok := body.(string)
	if !ok {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		b = string(raw)
	}
	resp, err := c.Post(url, "application/json", strings.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

// callOutput is a function_call_output input item.
func callOutput(callID, output string) responses.ResponseInputItemUnionParam {
	item := responses.ResponseInputItemParamOfFunctionCallOutput(output)
	item.OfFunctionCallOutput.CallID = openai.String(callID)
	return item
}

func root(srv *gymtest.Server) string { return strings.TrimSuffix(srv.URL, "/v1") }

var weatherTool = responses.ToolUnionParam{OfFunction: &responses.FunctionToolParam{
	Name:       "get_weather",
	Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
}}

func TestResponsesWithOpenAIClient(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Script(
		gymtest.Reply{Reasoning: "I should look it up.", Calls: []gymtest.Call{{Name: "get_weather", Arguments: `{"city":"SF"}`}}},
		gymtest.Text("It is sunny."),
	))
	defer srv.Close()
	client := newClient(srv)
	ctx := context.Background()

	params := responses.ResponseNewParams{
		Model: "policy",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in SF?")},
		Tools: []responses.ToolUnionParam{weatherTool},
	}
	first, err := client.Responses.New(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "policy", first.Model)
	require.Equal(t, responses.ResponseStatusCompleted, first.Status)
	require.NotEmpty(t, first.ID)
	require.Len(t, first.Output, 2)
	require.Equal(t, "reasoning", first.Output[0].Type)
	require.Equal(t, "I should look it up.", first.Output[0].AsReasoning().Summary[0].Text)
	call := first.Output[1].AsFunctionCall()
	require.Equal(t, "function_call", string(call.Type))
	require.Equal(t, "get_weather", call.Name)
	require.JSONEq(t, `{"city":"SF"}`, call.Arguments)
	require.NotEmpty(t, call.CallID)
	require.NotEmpty(t, call.ID)
	require.Positive(t, first.Usage.InputTokens)
	require.Positive(t, first.Usage.OutputTokens)
	require.Equal(t, first.Usage.InputTokens+first.Usage.OutputTokens, first.Usage.TotalTokens)
	require.Len(t, first.Tools, 1)

	params.Input = responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("Weather in SF?", responses.EasyInputMessageRoleUser),
		responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name),
		callOutput(call.CallID, `{"sky":"clear"}`),
	}}
	second, err := client.Responses.New(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "It is sunny.", second.OutputText())
	require.Equal(t, "message", second.Output[0].Type)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		require.Equal(t, http.MethodPost, r.Method)
		require.Equal(t, "/v1/responses", r.Path)
		require.Equal(t, "Bearer x", r.Header.Get("Authorization"))
		require.Equal(t, "policy", r.Model)
		require.Len(t, r.Tools, 1)
		require.False(t, r.Time.IsZero())
	}
	require.Len(t, reqs[0].Input, 1, "a string input is one user message")
	require.JSONEq(t, `{"type":"message","role":"user","content":"Weather in SF?"}`, string(reqs[0].Input[0]))
	require.Equal(t, 0, reqs[0].Turn)
	require.Len(t, reqs[1].Input, 3)
	require.Equal(t, 1, reqs[1].Turn)
}

func TestResponsesOutputEchoedFaithfully(t *testing.T) {
	item := `{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hi","annotations":[]}],` +
		`"prompt_token_ids":[1,2],"generation_token_ids":[3],"generation_log_probs":[-0.5],"x_custom":{"a":1}}`
	complete := `{"id":"fc_9","type":"function_call","call_id":"c9","name":"f","arguments":"{}","status":"completed"}`
	srv := gymtest.NewServer(gymtest.Script(gymtest.Output(item, complete, `{"type":"function_call","name":"g","arguments":"{}"}`)))
	defer srv.Close()

	resp, body, err := post(httpClient(t, 5*time.Second), srv.URL+"/responses", `{"model":"m","input":"hi"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var got struct {
		Output []json.RawMessage `json:"output"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Len(t, got.Output, 3)

	// Missing fields are appended; every byte given is kept.
	require.True(t, strings.HasPrefix(string(got.Output[0]), item[:len(item)-1]), string(got.Output[0]))
	var filled map[string]any
	require.NoError(t, json.Unmarshal(got.Output[0], &filled))
	require.Equal(t, "completed", filled["status"])
	require.NotEmpty(t, filled["id"])
	require.Equal(t, map[string]any{"a": 1.0}, filled["x_custom"])
	require.Equal(t, complete, string(got.Output[1]), "a complete item is echoed as is")
	var call map[string]any
	require.NoError(t, json.Unmarshal(got.Output[2], &call))
	require.NotEmpty(t, call["call_id"])

	// openai-go decodes the same answer.
	srv2 := gymtest.NewServer(gymtest.Script(gymtest.Output(item)))
	defer srv2.Close()
	r, err := newClient(srv2).Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	require.NoError(t, err)
	require.Equal(t, "hi", r.OutputText())
	require.Contains(t, r.Output[0].RawJSON(), `"generation_token_ids":[3]`)
}

func TestResponsesIncompleteAndUsage(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Script(gymtest.Reply{
		Text: "The answer is", IncompleteReason: "max_output_tokens",
		Usage: &gymtest.Usage{InputTokens: 10, OutputTokens: 3},
	}))
	defer srv.Close()
	r, err := newClient(srv).Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusIncomplete, r.Status)
	require.Equal(t, "max_output_tokens", r.IncompleteDetails.Reason)
	require.Equal(t, int64(10), r.Usage.InputTokens)
	require.Equal(t, int64(3), r.Usage.OutputTokens)
	require.Equal(t, int64(13), r.Usage.TotalTokens)
}

func TestChatWithOpenAIClient(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Turns(
		gymtest.Reply{Reasoning: "Look it up.", Calls: []gymtest.Call{{Name: "get_weather", Arguments: `{"city":"SF"}`}}},
		gymtest.Text("Sunny."),
	))
	defer srv.Close()
	client := newClient(srv)
	ctx := context.Background()

	params := openai.ChatCompletionNewParams{
		Model: "policy",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.UserMessage("Weather in SF?"),
		},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
			Name: "get_weather", Parameters: openai.FunctionParameters{"type": "object"},
		})},
	}
	first, err := client.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "chat.completion", string(first.Object))
	require.Equal(t, "policy", first.Model)
	require.Len(t, first.Choices, 1)
	choice := first.Choices[0]
	require.Equal(t, "tool_calls", choice.FinishReason)
	require.Len(t, choice.Message.ToolCalls, 1)
	tc := choice.Message.ToolCalls[0]
	require.NotEmpty(t, tc.ID)
	require.Equal(t, "get_weather", tc.Function.Name)
	require.Equal(t, `{"city":"SF"}`, tc.Function.Arguments)
	require.Contains(t, choice.Message.RawJSON(), `"reasoning_content":"Look it up."`)
	require.Positive(t, first.Usage.PromptTokens)
	require.Positive(t, first.Usage.CompletionTokens)

	params.Messages = append(params.Messages, choice.Message.ToParam(), openai.ToolMessage(`{"sky":"clear"}`, tc.ID))
	second, err := client.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "stop", second.Choices[0].FinishReason)
	require.Equal(t, "Sunny.", second.Choices[0].Message.Content)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "/v1/chat/completions", reqs[1].Path)
	require.Len(t, reqs[1].Messages, 4)
	require.Equal(t, 1, reqs[1].Turn)
}

// chatAnswer is the part of a vLLM chat completion the token tests read.
type chatAnswer struct {
	PromptTokenIDs []int `json:"prompt_token_ids"`
	Choices        []struct {
		Message      map[string]any `json:"message"`
		FinishReason string         `json:"finish_reason"`
		TokenIDs     []int          `json:"token_ids"`
		Logprobs     *struct {
			Content []struct {
				Token       string  `json:"token"`
				Logprob     float64 `json:"logprob"`
				Bytes       []int   `json:"bytes"`
				TopLogprobs []any   `json:"top_logprobs"`
			} `json:"content"`
		} `json:"logprobs"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// TestChatTokenIDsArePrefixStable runs a 3-turn tool conversation the way
// NeMo Gym's vLLM adapter does and checks that every prompt starts with the
// previous prompt and generation.
func TestChatTokenIDsArePrefixStable(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Turns(
		gymtest.Reply{Reasoning: "Need synonyms.", Calls: []gymtest.Call{
			{Name: "get_synonym_value", Arguments: `{"synonym": "Blazing"}`},
			{Name: "get_synonym_value", Arguments: `{"synonym": "Warm"}`},
		}},
		gymtest.Reply{Text: "Extracting.", Calls: []gymtest.Call{{Name: "extract_synonym_values", Arguments: `{"synonym_values": [5, 6]}`}}},
		gymtest.Text("Done: [5, 6]"),
	))
	defer srv.Close()
	c := httpClient(t, 5*time.Second)

	tools := []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_synonym_value", "parameters": map[string]any{"type": "object"}}}}
	messages := []any{
		map[string]any{"role": "system", "content": "system"},
		map[string]any{"role": "user", "content": "hello!"},
	}
	var prevPrompt, prevGen []int
	for turn := range 3 {
		body := map[string]any{
			"model": "m", "messages": messages, "tools": tools,
			"logprobs": true, "top_logprobs": 0, "return_tokens_as_token_ids": true, "return_token_ids": true,
		}
		resp, raw, err := post(c, srv.URL+"/chat/completions", body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
		var ans chatAnswer
		require.NoError(t, json.Unmarshal(raw, &ans))
		choice := ans.Choices[0]

		prompt, gen := ans.PromptTokenIDs, choice.TokenIDs
		require.NotEmpty(t, prompt)
		require.NotEmpty(t, gen)
		require.Equal(t, gymtest.TokenIMEnd, gen[len(gen)-1], "a generation ends its turn")
		require.Equal(t, len(prompt), ans.Usage.PromptTokens)
		require.Equal(t, len(gen), ans.Usage.CompletionTokens)
		require.Len(t, choice.Logprobs.Content, len(gen))
		for i, lp := range choice.Logprobs.Content {
			require.Equal(t, fmt.Sprintf("token_id:%d", gen[i]), lp.Token)
			require.Negative(t, lp.Logprob)
			require.Equal(t, []any{}, lp.TopLogprobs)
		}
		if turn > 0 {
			require.Equal(t, append(prevPrompt, prevGen...), prompt[:len(prevPrompt)+len(prevGen)],
				"turn %d prompt must extend the previous prompt and generation", turn)
		}

		// The exported template and tokenizer predict the prompt ids.
		rawMsgs, rawTools := rawList(t, messages), rawList(t, tools)
		text, err := gymtest.RenderChat(rawMsgs, rawTools, true)
		require.NoError(t, err)
		require.Equal(t, gymtest.Tokenize(text), prompt)

		// /tokenize agrees with the generation-time prompt.
		resp, raw, err = post(c, root(srv)+"/tokenize", map[string]any{"model": "m", "messages": messages, "tools": tools})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
		var tok struct {
			Tokens []int `json:"tokens"`
			Count  int   `json:"count"`
		}
		require.NoError(t, json.Unmarshal(raw, &tok))
		require.Equal(t, prompt, tok.Tokens)
		require.Equal(t, len(prompt), tok.Count)

		prevPrompt, prevGen = prompt, gen
		// Send the assistant message back unchanged, with token fields as
		// NeMo Gym attaches them, plus a result per tool call.
		msg := choice.Message
		msg["prompt_token_ids"], msg["generation_token_ids"] = prompt, gen
		messages = append(messages, msg)
		calls, _ := msg["tool_calls"].([]any)
		for _, call := range calls {
			id := call.(map[string]any)["id"]
			messages = append(messages, map[string]any{"role": "tool", "tool_call_id": id, "content": "5"})
		}
		if turn < 2 {
			require.Equal(t, "tool_calls", choice.FinishReason)
			require.NotEmpty(t, calls)
		} else {
			require.Equal(t, "stop", choice.FinishReason)
			require.Equal(t, "Done: [5, 6]", msg["content"])
		}
	}
}

func rawList(t *testing.T, values []any) []json.RawMessage {
	out := make([]json.RawMessage, len(values))
	for i, v := range values {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

func TestChatTokenFieldsFollowVLLMFlags(t *testing.T) {
	srv := gymtest.NewServer(nil)
	defer srv.Close()
	c := httpClient(t, 5*time.Second)
	msgs := []any{map[string]any{"role": "user", "content": "hi"}}

	tests := []struct {
		name      string
		flags     map[string]any
		ids       bool   // prompt_token_ids and token_ids
		logprobs  bool   // logprobs.content
		firstTok  string // name of the first generated token
		topLength int
	}{
		{name: "none", flags: map[string]any{}},
		{name: "logprobs", flags: map[string]any{"logprobs": true}, logprobs: true, firstTok: "<|im_end|>"},
		{name: "logprobs as ids", flags: map[string]any{"logprobs": true, "return_tokens_as_token_ids": true}, logprobs: true, firstTok: "token_id:257"},
		{name: "top logprobs", flags: map[string]any{"logprobs": true, "top_logprobs": 2}, logprobs: true, firstTok: "<|im_end|>", topLength: 1},
		{name: "token ids", flags: map[string]any{"return_token_ids": true}, ids: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"model": "m", "messages": msgs}
			for k, v := range tt.flags {
				body[k] = v
			}
			_, raw, err := post(c, srv.URL+"/chat/completions", body)
			require.NoError(t, err)
			var ans chatAnswer
			require.NoError(t, json.Unmarshal(raw, &ans))
			choice := ans.Choices[0]
			require.Equal(t, tt.ids, ans.PromptTokenIDs != nil)
			require.Equal(t, tt.ids, choice.TokenIDs != nil)
			if tt.ids {
				// Text("") generates only the end of the turn.
				require.Equal(t, []int{gymtest.TokenIMEnd}, choice.TokenIDs)
			}
			require.Equal(t, tt.logprobs, choice.Logprobs != nil)
			if tt.logprobs {
				lp := choice.Logprobs.Content[0]
				require.Equal(t, tt.firstTok, lp.Token)
				require.Equal(t, []int{'<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>'}, lp.Bytes)
				require.Len(t, lp.TopLogprobs, tt.topLength)
			}
		})
	}
}

func TestChatFromOutputItems(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Script(gymtest.Output(
		`{"type":"reasoning","summary":[{"type":"summary_text","text":"hmm"}]}`,
		`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]}`,
		`{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"x\":1}"}`,
	)))
	defer srv.Close()
	cc, err := newClient(srv).Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	require.NoError(t, err)
	m := cc.Choices[0].Message
	require.Equal(t, "ok", m.Content)
	require.Contains(t, m.RawJSON(), `"reasoning_content":"hmm"`)
	require.Len(t, m.ToolCalls, 1)
	require.Equal(t, "c1", m.ToolCalls[0].ID)
	require.Equal(t, `{"x":1}`, m.ToolCalls[0].Function.Arguments)
}

func TestTokenizeEndpoint(t *testing.T) {
	srv := gymtest.NewServer(nil)
	defer srv.Close()
	c := httpClient(t, 5*time.Second)
	url := root(srv) + "/tokenize"

	type answer struct {
		Count       int      `json:"count"`
		MaxModelLen int      `json:"max_model_len"`
		Tokens      []int    `json:"tokens"`
		TokenStrs   []string `json:"token_strs"`
	}
	tests := []struct {
		name string
		body string
		text string
		strs bool
	}{
		{name: "prompt", body: `{"model":"m","prompt":"hi<|im_end|>"}`, text: "hi<|im_end|>"},
		{name: "messages", body: `{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
			text: "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"},
		{name: "no generation prompt", body: `{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"add_generation_prompt":false}`,
			text: "<|im_start|>user\nhi<|im_end|>\n"},
		{name: "token strs", body: `{"prompt":"a<|im_start|>","return_token_strs":true}`, text: "a<|im_start|>", strs: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw, err := post(c, url, tt.body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
			var got answer
			require.NoError(t, json.Unmarshal(raw, &got))
			require.Equal(t, gymtest.Tokenize(tt.text), got.Tokens)
			require.Equal(t, len(got.Tokens), got.Count)
			require.Positive(t, got.MaxModelLen)
			if tt.strs {
				require.Equal(t, []string{"a", "<|im_start|>"}, got.TokenStrs)
			} else {
				require.Nil(t, got.TokenStrs)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	srv := gymtest.NewServer(nil)
	defer srv.Close()
	c := httpClient(t, 5*time.Second)

	tests := []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"unknown route", "POST", "/v1/embeddings", `{}`, http.StatusNotFound, "no route"},
		{"wrong method", "GET", "/v1/responses", ``, http.StatusMethodNotAllowed, "takes POST"},
		{"bad json", "POST", "/v1/responses", `{"input":`, http.StatusBadRequest, "not a valid request"},
		{"bad input", "POST", "/v1/responses", `{"input":7}`, http.StatusBadRequest, "input"},
		{"stream", "POST", "/v1/chat/completions", `{"messages":[],"stream":true}`, http.StatusBadRequest, "streaming"},
		{"bad content", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":7}]}`, http.StatusBadRequest, "content"},
		{"tokenize needs input", "POST", "/tokenize", `{"model":"m"}`, http.StatusBadRequest, "messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, root(srv)+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			resp, err := c.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tt.status, resp.StatusCode)
			var e struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
			require.Contains(t, e.Error.Message, tt.msg)
		})
	}
	require.Len(t, srv.Requests(), len(tests), "every request is recorded")
}

func TestScriptAndTurnsRunOut(t *testing.T) {
	for name, h := range map[string]gymtest.Handler{
		"script": gymtest.Script(gymtest.Text("only")),
		"turns":  gymtest.Turns(gymtest.Text("only")),
	} {
		t.Run(name, func(t *testing.T) {
			srv := gymtest.NewServer(h)
			defer srv.Close()
			c := httpClient(t, 5*time.Second)
			body := `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}`
			if name == "script" {
				_, _, err := post(c, srv.URL+"/chat/completions", body)
				require.NoError(t, err)
			}
			resp, raw, err := post(c, srv.URL+"/chat/completions", body)
			require.NoError(t, err)
			require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			require.Contains(t, string(raw), "only 1")
		})
	}
}

func TestFaults(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name  string
		fault gymtest.Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error, took time.Duration)
	}{
		{"latency", gymtest.Latency(50 * time.Millisecond), func(t *testing.T, resp *http.Response, body []byte, err error, took time.Duration) {
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.True(t, json.Valid(body))
			require.GreaterOrEqual(t, took, 50*time.Millisecond)
		}},
		{"latency past the client timeout", gymtest.Latency(time.Hour), func(t *testing.T, _ *http.Response, _ []byte, err error, _ time.Duration) {
			requireTimeout(t, err)
		}},
		{"rate limited", gymtest.RateLimited(1500 * time.Millisecond), func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
			require.NoError(t, err)
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			require.Equal(t, "2", resp.Header.Get("Retry-After"))
			require.Equal(t, "1500", resp.Header.Get("Retry-After-Ms"))
			require.Contains(t, string(body), `"type":"rate_limit_error"`)
		}},
		{"server error", gymtest.ServerError(), func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
			require.NoError(t, err)
			require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			require.Contains(t, string(body), `"type":"server_error"`)
		}},
		{"malformed", gymtest.Malformed(), func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			require.True(t, bytes.HasPrefix(body, []byte(`{"id":"resp_`)), string(body))
			require.False(t, json.Valid(body))
		}},
		{"hang", gymtest.Hang(), func(t *testing.T, _ *http.Response, _ []byte, err error, took time.Duration) {
			requireTimeout(t, err)
			require.GreaterOrEqual(t, took, timeout)
		}},
		{"reset", gymtest.Reset(), func(t *testing.T, _ *http.Response, _ []byte, err error, _ time.Duration) {
			require.Error(t, err)
			require.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF), "got %v", err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gymtest.NewServer(gymtest.Script(gymtest.Reply{Text: "hi", Fault: tt.fault}))
			defer srv.Close()
			start := time.Now()
			resp, body, err := post(httpClient(t, timeout), srv.URL+"/responses", `{"model":"m","input":"hi"}`)
			tt.check(t, resp, body, err, time.Since(start))
		})
	}
}

func requireTimeout(t *testing.T, err error) {
	t.Helper()
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "got %v", err)
}

func TestOpenAIClientRetriesRateLimit(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Script(gymtest.Fail(gymtest.RateLimited(time.Millisecond)), gymtest.Text("ok")))
	defer srv.Close()
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("x"), option.WithMaxRetries(1))
	r, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	require.NoError(t, err)
	require.Equal(t, "ok", r.OutputText())
	require.Len(t, srv.Requests(), 2)

	srv2 := gymtest.NewServer(gymtest.Script(gymtest.Fail(gymtest.ServerError())))
	defer srv2.Close()
	_, err = newClient(srv2).Responses.New(context.Background(), responses.ResponseNewParams{Model: "m"})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
}

// statuses sends n requests and returns the status codes (0 for a
// connection error) and the texts of the successful answers.
func statuses(t *testing.T, srv *gymtest.Server, n int) (codes []int, texts []string) {
	c := httpClient(t, 5*time.Second)
	for range n {
		resp, body, err := post(c, srv.URL+"/chat/completions", `{"messages":[{"role":"user","content":"hi"}]}`)
		if err != nil {
			codes = append(codes, 0)
			continue
		}
		codes = append(codes, resp.StatusCode)
		var ans chatAnswer
		if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &ans) == nil {
			texts = append(texts, ans.Choices[0].Message["content"].(string))
		} else if resp.StatusCode == http.StatusOK {
			texts = append(texts, "malformed")
		}
	}
	return codes, texts
}

func TestInjectedFaultsAreSeededAndSkipTheScript(t *testing.T) {
	script := func() gymtest.Handler {
		var replies []gymtest.Reply
		for i := range 20 {
			replies = append(replies, gymtest.Text(fmt.Sprint(i)))
		}
		return gymtest.Script(replies...)
	}
	run := func() ([]int, []string) {
		srv := gymtest.NewServer(script(), gymtest.WithFaults(0.4, 7, gymtest.ServerError(), gymtest.RateLimited(0)))
		defer srv.Close()
		return statuses(t, srv, 30)
	}
	codes, texts := run()
	codes2, texts2 := run()
	require.Equal(t, codes, codes2, "the same seed injects the same faults")
	require.Equal(t, texts, texts2)

	faults := 0
	for _, c := range codes {
		if c != http.StatusOK {
			require.Contains(t, []int{http.StatusInternalServerError, http.StatusTooManyRequests}, c)
			faults++
		}
	}
	require.Greater(t, faults, 3)
	require.Less(t, faults, 27)
	// Faulted requests do not use up replies: the successes get 0, 1, 2, ...
	for i, text := range texts {
		require.Equal(t, fmt.Sprint(i), text)
	}

	// The default set includes connection resets and malformed answers.
	srv := gymtest.NewServer(nil, gymtest.WithFaults(1, 1))
	defer srv.Close()
	codes, texts = statuses(t, srv, 40)
	for _, want := range []int{0, http.StatusOK, http.StatusTooManyRequests, http.StatusInternalServerError} {
		require.Contains(t, codes, want)
	}
	for _, text := range texts {
		require.Equal(t, "malformed", text, "an answer with status 200 is a malformed one")
	}

	require.Panics(t, func() { gymtest.WithFaults(1.5, 1) })
}

func TestCloseEndsHangingRequests(t *testing.T) {
	handler := gymtest.HandlerFunc(func(_ context.Context, req *gymtest.Request) gymtest.Reply {
		if strings.Contains(string(req.Body), "hang") {
			return gymtest.Fail(gymtest.Hang())
		}
		return gymtest.Reply{Fault: gymtest.Latency(time.Hour)}
	})
	srv := gymtest.NewServer(handler)
	tr := &http.Transport{}
	c := &http.Client{Transport: tr} // no timeout: only Close ends these

	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			body := `{"input":"hang"}`
			if i%2 == 1 {
				body = `{"input":"slow"}`
			}
			_, _, errs[i] = post(c, srv.URL+"/responses", body)
		})
	}
	require.Eventually(t, func() bool { return len(srv.Requests()) == n }, 5*time.Second, time.Millisecond)

	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end hanging requests")
	}
	wg.Wait()
	for _, err := range errs {
		require.Error(t, err)
	}
	srv.Close() // idempotent
	tr.CloseIdleConnections()
	goleak.VerifyNone(t)
}

func TestCloseCancelsHandlerContext(t *testing.T) {
	started := make(chan struct{})
	srv := gymtest.NewServer(gymtest.HandlerFunc(func(ctx context.Context, _ *gymtest.Request) gymtest.Reply {
		close(started)
		<-ctx.Done() // a handler that waits must watch ctx
		return gymtest.Text("late")
	}))
	c := httpClient(t, 0)
	done := make(chan error, 1)
	go func() {
		_, _, err := post(c, srv.URL+"/responses", `{"input":"hi"}`)
		done <- err
	}()
	<-started
	srv.Close()
	require.NoError(t, <-done, "the handler's reply is still sent")
}

func TestConcurrentRolloutsShareTurns(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Turns(gymtest.ToolCall("get_weather", `{"city":"SF"}`), gymtest.Text("Sunny.")))
	defer srv.Close()
	client := newClient(srv)

	const rollouts = 16
	var wg sync.WaitGroup
	errs := make([]error, rollouts)
	for i := range rollouts {
		wg.Go(func() {
			errs[i] = runRollout(client)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, srv.Requests(), 2*rollouts)
}

// rollout runs a two-step tool loop against the Responses API.
func runRollout(client *openai.Client) error {
	ctx := context.Background()
	input := responses.ResponseInputParam{responses.ResponseInputItemParamOfMessage("Weather?", responses.EasyInputMessageRoleUser)}
	for step := 0; ; step++ {
		r, err := client.Responses.New(ctx, responses.ResponseNewParams{
			Model: "m", Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input},
		})
		if err != nil {
			return err
		}
		called := false
		for _, item := range r.Output {
			if item.Type == "function_call" {
				fc := item.AsFunctionCall()
				input = append(input,
					responses.ResponseInputItemParamOfFunctionCall(fc.Arguments, fc.CallID, fc.Name),
					callOutput(fc.CallID, "sunny"))
				called = true
			}
		}
		if !called {
			if r.OutputText() != "Sunny." || step != 1 {
				return fmt.Errorf("step %d: got %q", step, r.OutputText())
			}
			return nil
		}
	}
}
