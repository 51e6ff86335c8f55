package model_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// srvServe serves h on a local port and returns its URL and a client whose
// connections are closed, with the server, when the test ends; goleak then
// checks that nothing is left running.
func srvServe(t *testing.T, h http.Handler) (string, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	tr := &http.Transport{}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
		goleak.VerifyNone(t)
	})
	return srv.URL, &http.Client{Transport: tr}
}

func srvOpenAI(url string, hc *http.Client) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/v1"), option.WithAPIKey("x"),
		option.WithHTTPClient(hc), option.WithMaxRetries(0))
}

// srvRecorder is a scripted model that records its requests.
type srvRecorder struct {
	mu    sync.Mutex
	calls []*model.Request
	reply func(req *model.Request) (*rollout.Response, error)
}

func (r *srvRecorder) Respond(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	r.mu.Lock()
	r.calls = append(r.calls, req)
	r.mu.Unlock()
	return r.reply(req)
}

func srvItems(t *testing.T, items []rollout.Item) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(items))
	for i, it := range items {
		require.NoError(t, json.Unmarshal(it.AppendJSON(nil), &out[i]))
	}
	return out
}

func TestHandlerResponsesOpenAI(t *testing.T) {
	call := rollout.NewFunctionCall("call_1", "get_weather", `{"city":"Paris"}`)
	call.Set("prompt_token_ids", json.RawMessage(`[1,2,3]`))
	call.Set("generation_token_ids", json.RawMessage(`[4,5]`))
	call.Set("generation_log_probs", json.RawMessage(`[-0.5,-0.25]`))
	rec := &srvRecorder{reply: func(*model.Request) (*rollout.Response, error) {
		resp := model.NewResponse(rollout.NewOutputMessage("msg_1", "Let me look."), call)
		resp.SetUsage(rollout.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15})
		return resp, nil
	}}
	url, hc := srvServe(t, model.Handler(rec))
	client := srvOpenAI(url, hc)

	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "policy",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("Be brief.", responses.EasyInputMessageRoleSystem),
			responses.ResponseInputItemParamOfMessage("Weather in Paris?", responses.EasyInputMessageRoleUser),
		}},
		Tools:       []responses.ToolUnionParam{responses.ToolParamOfFunction("get_weather", map[string]any{"type": "object"}, true)},
		Temperature: openai.Float(0.5),
	}, option.WithJSONSet("unknown_field", map[string]any{"kept": true}))
	require.NoError(t, err)

	// The request reached the model losslessly.
	require.Len(t, rec.calls, 1)
	req := rec.calls[0]
	require.Equal(t, "policy", req.Params.String("model"))
	temp, _ := req.Params.Get("temperature")
	require.JSONEq(t, `0.5`, string(temp))
	unknown, _ := req.Params.Get("unknown_field")
	require.JSONEq(t, `{"kept":true}`, string(unknown))
	tools, err := req.Params.Tools()
	require.NoError(t, err)
	require.Len(t, tools, 1)
	require.Equal(t, "get_weather", tools[0].Name)
	require.Len(t, req.Input, 2)
	require.Equal(t, "system", req.Input[0].Role())
	require.Equal(t, "Weather in Paris?", req.Input[1].Text())

	// openai-go decodes the answer; the server filled in what it requires.
	require.True(t, strings.HasPrefix(resp.ID, "resp_"))
	require.Equal(t, "policy", resp.Model)
	require.Equal(t, responses.ResponseStatusCompleted, resp.Status)
	require.NotZero(t, resp.CreatedAt)
	require.Len(t, resp.Tools, 1)
	require.Len(t, resp.Output, 2)
	require.Equal(t, "message", resp.Output[0].Type)
	require.Equal(t, "Let me look.", resp.OutputText())
	require.Equal(t, "function_call", resp.Output[1].Type)
	require.Equal(t, "get_weather", resp.Output[1].Name)
	require.Equal(t, "call_1", resp.Output[1].CallID)
	require.EqualValues(t, 15, resp.Usage.TotalTokens)
	// Token ids travel with their item.
	var raw struct {
		Output []map[string]json.RawMessage `json:"output"`
	}
	require.NoError(t, json.Unmarshal([]byte(resp.RawJSON()), &raw))
	require.JSONEq(t, `[1,2,3]`, string(raw.Output[1]["prompt_token_ids"]))
	require.JSONEq(t, `[-0.5,-0.25]`, string(raw.Output[1]["generation_log_probs"]))
}

func TestHandlerStringInputAndIncomplete(t *testing.T) {
	rec := &srvRecorder{reply: func(*model.Request) (*rollout.Response, error) {
		r := &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("m", "truncat")}}
		r.Set("incomplete_details", json.RawMessage(`{"reason":"max_output_tokens"}`))
		return r, nil
	}}
	url, hc := srvServe(t, model.Handler(rec))
	client := srvOpenAI(url, hc)
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hello")},
	})
	require.NoError(t, err)
	require.Equal(t, []map[string]any{{"type": "message", "role": "user", "content": "hello"}}, srvItems(t, rec.calls[0].Input))
	require.Equal(t, responses.ResponseStatusIncomplete, resp.Status)
	require.Equal(t, "max_output_tokens", resp.IncompleteDetails.Reason)
	require.Equal(t, "truncat", resp.OutputText())
}

func TestHandlerModelFailureStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"failure with status", &rollout.Failure{Class: rollout.FailModel, Stage: "model", Status: http.StatusTooManyRequests, Retryable: true, Err: errors.New("slow down")}, 429, "model_error"},
		{"failure without status", &rollout.Failure{Class: rollout.FailTimeout, Err: errors.New("too slow")}, 500, "timeout"},
		{"plain error", errors.New("boom"), 500, "model_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, hc := srvServe(t, model.Handler(model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
				return nil, tc.err
			})))
			client := srvOpenAI(url, hc)
			_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
				Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
			var apiErr *openai.Error
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tc.status, apiErr.StatusCode)
			require.Equal(t, tc.code, apiErr.Code)
			require.Contains(t, apiErr.Message, tc.err.Error())
		})
	}
}

// srvPost sends a raw request and decodes the JSON answer.
func srvPost(t *testing.T, hc *http.Client, method, url, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "body %s", raw)
	var out map[string]any
	if method != http.MethodHead {
		require.NoError(t, json.Unmarshal(raw, &out), "body %s", raw)
	}
	return resp.StatusCode, out, resp.Header
}

func TestHandlerErrors(t *testing.T) {
	ok := model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
	})
	var h http.Handler = model.Handler(model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		switch req.Input[len(req.Input)-1].Text() {
		case "panic":
			panic("model bug")
		case "nil":
			return nil, nil
		}
		return ok(ctx, req)
	}), model.WithMaxBodyBytes(1024))
	url, hc := srvServe(t, h)
	big := `{"input":"` + strings.Repeat("x", 2048) + `"}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		errType                  string
	}{
		{"not JSON", "POST", "/v1/responses", `{"input":`, 400, "invalid_request_error"},
		{"not an object", "POST", "/v1/responses", `[1,2]`, 400, "invalid_request_error"},
		{"null", "POST", "/v1/responses", `null`, 400, "invalid_request_error"},
		{"empty", "POST", "/v1/responses", ``, 400, "invalid_request_error"},
		{"input a number", "POST", "/v1/responses", `{"input": 5}`, 400, "invalid_request_error"},
		{"item not an object", "POST", "/v1/responses", `{"input": ["hi"]}`, 400, "invalid_request_error"},
		{"stream", "POST", "/v1/responses", `{"input": "hi", "stream": true}`, 400, "invalid_request_error"},
		{"too large", "POST", "/v1/responses", big, 413, "invalid_request_error"},
		{"GET responses", "GET", "/v1/responses", ``, 405, "invalid_request_error"},
		{"unknown route", "POST", "/v1/embeddings", `{}`, 404, "not_found_error"},
		{"model panics", "POST", "/v1/responses", `{"input": "panic"}`, 500, "server_error"},
		{"model returns nothing", "POST", "/v1/responses", `{"input": "nil"}`, 500, "server_error"},
		{"chat not JSON", "POST", "/v1/chat/completions", `{"messages": [`, 400, "invalid_request_error"},
		{"chat no messages", "POST", "/v1/chat/completions", `{"messages": []}`, 400, "invalid_request_error"},
		{"chat bad role", "POST", "/v1/chat/completions", `{"messages": [{"role": "function", "content": "x"}]}`, 400, "invalid_request_error"},
		{"chat stream", "POST", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "stream": true}`, 400, "invalid_request_error"},
		{"chat n", "POST", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "n": 2}`, 400, "invalid_request_error"},
		{"chat audio part", "POST", "/v1/chat/completions", `{"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}`, 400, "invalid_request_error"},
		{"chat custom tool", "POST", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "custom"}]}`, 400, "invalid_request_error"},
		{"chat panics", "POST", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "panic"}]}`, 500, "server_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hdr := srvPost(t, hc, tc.method, url+tc.path, tc.body)
			require.Equal(t, tc.status, status, "%v", body)
			e, _ := body["error"].(map[string]any)
			require.NotNil(t, e, "%v", body)
			require.NotEmpty(t, e["message"])
			require.Equal(t, tc.errType, e["type"])
			if status == 405 {
				require.Equal(t, "POST", hdr.Get("Allow"))
			}
		})
	}

	status, body, _ := srvPost(t, hc, "GET", url+"/", "")
	require.Equal(t, 200, status)
	require.Equal(t, "ok", body["status"])
	status, _, _ = srvPost(t, hc, "HEAD", url+"/", "")
	require.Equal(t, 200, status)
	status, _, _ = srvPost(t, hc, "POST", url+"/", "{}")
	require.Equal(t, 405, status)
}

func TestHandlerChatCompletionsOpenAI(t *testing.T) {
	rec := &srvRecorder{reply: func(req *model.Request) (*rollout.Response, error) {
		if req.Input[len(req.Input)-1].Type() == rollout.TypeFunctionCallOutput {
			var r rollout.Item
			r.Set("type", rollout.Quote("reasoning"))
			r.Set("summary", json.RawMessage(`[{"type":"summary_text","text":"It is sunny."}]`))
			resp := model.NewResponse(r, rollout.NewOutputMessage("m2", "Sunny in Paris."))
			resp.SetUsage(rollout.Usage{InputTokens: 20, OutputTokens: 4, TotalTokens: 24})
			return resp, nil
		}
		return model.NewResponse(rollout.NewFunctionCall("call_9", "get_weather", `{"city":"Paris"}`)), nil
	}}
	url, hc := srvServe(t, model.Handler(rec))
	client := srvOpenAI(url, hc)
	ctx := context.Background()
	tool := openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
		Name: "get_weather", Parameters: openai.FunctionParameters{"type": "object"}, Strict: openai.Bool(true)})
	params := openai.ChatCompletionNewParams{
		Model:               "policy",
		Messages:            []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Weather in Paris?")},
		Tools:               []openai.ChatCompletionToolUnionParam{tool},
		MaxCompletionTokens: openai.Int(64),
	}
	first, err := client.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Len(t, first.Choices, 1)
	require.Equal(t, "tool_calls", first.Choices[0].FinishReason)
	calls := first.Choices[0].Message.ToolCalls
	require.Len(t, calls, 1)
	require.Equal(t, "call_9", calls[0].ID)
	require.Equal(t, "get_weather", calls[0].Function.Name)
	require.Equal(t, `{"city":"Paris"}`, calls[0].Function.Arguments)

	params.Messages = append(params.Messages, first.Choices[0].Message.ToParam(), openai.ToolMessage(`{"sky":"clear"}`, "call_9"))
	second, err := client.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "stop", second.Choices[0].FinishReason)
	require.Equal(t, "Sunny in Paris.", second.Choices[0].Message.Content)
	require.Equal(t, "policy", second.Model)
	require.EqualValues(t, 24, second.Usage.TotalTokens)
	require.EqualValues(t, 20, second.Usage.PromptTokens)
	require.Contains(t, second.RawJSON(), `"reasoning_content":"It is sunny."`)

	// The chat request became a Responses request.
	require.Len(t, rec.calls, 2)
	req := rec.calls[1]
	require.Equal(t, "policy", req.Params.String("model"))
	maxOut, _ := req.Params.Get("max_output_tokens")
	require.Equal(t, "64", string(maxOut))
	tools, err := req.Params.Tools()
	require.NoError(t, err)
	require.Equal(t, "get_weather", tools[0].Name)
	require.JSONEq(t, `{"type":"object"}`, string(tools[0].Parameters))
	require.Equal(t, []map[string]any{
		{"type": "message", "role": "system", "content": "Be brief."},
		{"type": "message", "role": "user", "content": "Weather in Paris?"},
		{"type": "function_call", "call_id": "call_9", "name": "get_weather", "arguments": `{"city":"Paris"}`, "status": "completed"},
		{"type": "function_call_output", "call_id": "call_9", "output": `{"sky":"clear"}`},
	}, srvItems(t, req.Input))
}

func TestHandlerChatContentParts(t *testing.T) {
	rec := &srvRecorder{reply: func(*model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
	}}
	url, hc := srvServe(t, model.Handler(rec))
	status, body, _ := srvPost(t, hc, "POST", url+"/v1/chat/completions", `{"model": "m", "messages": [
		{"role": "developer", "content": [{"type": "text", "text": "Rules."}]},
		{"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]},
		{"role": "assistant", "content": "A cat.", "reasoning_content": "Whiskers."},
		{"role": "user", "content": "Sure?"}],
		"tool_choice": {"type": "function", "function": {"name": "f"}}, "max_tokens": 7, "temperature": 0}`)
	require.Equal(t, 200, status, "%v", body)
	req := rec.calls[0]
	require.Equal(t, []map[string]any{
		{"type": "message", "role": "developer", "content": []any{map[string]any{"type": "input_text", "text": "Rules."}}},
		{"type": "message", "role": "user", "content": []any{
			map[string]any{"type": "input_text", "text": "What is this?"},
			map[string]any{"type": "input_image", "image_url": "data:image/png;base64,AA==", "detail": "auto"}}},
		{"type": "reasoning", "summary": []any{map[string]any{"type": "summary_text", "text": "Whiskers."}}},
		{"type": "message", "role": "assistant", "content": "A cat."},
		{"type": "message", "role": "user", "content": "Sure?"},
	}, srvItems(t, req.Input))
	choice, _ := req.Params.Get("tool_choice")
	require.JSONEq(t, `{"type":"function","name":"f"}`, string(choice))
	maxOut, _ := req.Params.Get("max_output_tokens")
	require.Equal(t, "7", string(maxOut))
	temp, _ := req.Params.Get("temperature")
	require.Equal(t, "0", string(temp))
}

// FuzzHandlerBody checks that no request body makes the handler panic or
// answer anything but JSON with a sensible status.
func FuzzHandlerBody(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","input":"hi"}`,
		`{"input":[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c","output":"x"}]}`,
		`{"input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}],"tools":[{"type":"function","name":"f"}]}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],"tool_choice":"auto"}`,
		`{"input": 5}`, `[]`, `null`, `{"input":"x","stream":true}`, `{"messages":[{"role":"user","content":null}],"tool_choice":{"type":"function"}}`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	h := model.Handler(model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		out := make([]rollout.Item, 0, len(req.Input))
		for _, it := range req.Input {
			if it.Type() == rollout.TypeFunctionCall || it.Type() == rollout.TypeMessage {
				out = append(out, it)
			}
		}
		return model.NewResponse(out...), nil
	}))
	f.Fuzz(func(t *testing.T, body string, chat bool) {
		path := "/v1/responses"
		if chat {
			path = "/v1/chat/completions"
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", w.Body)
		}
		if w.Code == http.StatusOK && !chat {
			_, err := rollout.ParseResponse(bytes.Clone(w.Body.Bytes()))
			require.NoError(t, err)
		}
	})
}
