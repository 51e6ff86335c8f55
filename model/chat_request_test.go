package model_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// roundTripData is NeMo Gym's vllm_model round-trip test data: a recorded
// Responses object whose output items become the conversation, and the Chat
// Completions request NeMo Gym's converter makes of it.
type roundTripData struct {
	Input struct {
		Output json.RawMessage `json:"output"`
	} `json:"input"`
	Expected          map[string]json.RawMessage `json:"expected_output"`
	ExpectedWithToken map[string]json.RawMessage `json:"expected_output_return_token_id_information"`
}

func loadRoundTrip(t *testing.T) (roundTripData, *model.Request) {
	t.Helper()
	data, err := os.ReadFile(reftest.Path(t, "responses_api_models", "vllm_model", "tests", "round_trip_test_data.json"))
	require.NoError(t, err)
	var rt roundTripData
	require.NoError(t, json.Unmarshal(data, &rt))
	output, err := rollout.ParseItems(rt.Input.Output)
	require.NoError(t, err)
	require.NotEmpty(t, output)
	// NeMo Gym's test puts a system and a user message (easy input
	// messages, no type) before the recorded output.
	input := append(parseItems(t,
		`{"content":"system","role":"system"}`,
		`{"content":"hello!","role":"user"}`,
	), output...)
	return rt, &model.Request{Input: input}
}

// requireSetFieldsEqual checks that every non-null field of want is in got
// with a JSON-equal value.
func requireSetFieldsEqual(t *testing.T, want map[string]json.RawMessage, got []byte) {
	t.Helper()
	var gotFields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got, &gotFields))
	checked := 0
	for k, v := range want {
		if string(v) == "null" {
			continue
		}
		if k == "parallel_tool_calls" {
			// NeMo Gym's expectation is a model_dump() of its pydantic
			// request, which fills in the field's default (true). The
			// request it sends is dumped with exclude_unset, without it;
			// and with no tools the field is dropped.
			require.JSONEq(t, "true", string(v))
			require.NotContains(t, gotFields, k)
			continue
		}
		require.Contains(t, gotFields, k)
		require.JSONEq(t, string(v), string(gotFields[k]), "field %s", k)
		checked++
	}
	require.Positive(t, checked)
}

func TestChatRequestReferenceRoundTrip(t *testing.T) {
	rt, req := loadRoundTrip(t)
	for _, tt := range []struct {
		name   string
		tokens bool
		want   map[string]json.RawMessage
	}{
		{"expected_output", false, rt.Expected},
		{"expected_output_return_token_id_information", true, rt.ExpectedWithToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := model.VLLMConfig{Model: "Qwen/Qwen3-0.6B", ReturnTokenIDInformation: tt.tokens}
			got, err := model.ChatRequest(cfg, req)
			require.NoError(t, err)
			require.True(t, json.Valid(got))
			requireSetFieldsEqual(t, tt.want, got)

			var body map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(got, &body))
			require.JSONEq(t, `"Qwen/Qwen3-0.6B"`, string(body["model"]))
			if tt.tokens {
				require.JSONEq(t, "true", string(body["logprobs"]))
				require.JSONEq(t, "0", string(body["top_logprobs"]))
				require.JSONEq(t, "true", string(body["return_tokens_as_token_ids"]))
			} else {
				require.NotContains(t, body, "logprobs")
				require.NotContains(t, string(body["messages"]), "prompt_token_ids")
			}
		})
	}
}

// With uses_reasoning_parser (the default of NeMo Gym's configs) the
// reference messages are post-processed before they are sent: the first
// <think> block of an assistant message moves to reasoning_content and
// reasoning, and every block leaves the content.
func TestChatRequestReferenceWithReasoningParser(t *testing.T) {
	rt, req := loadRoundTrip(t)
	var want []map[string]any
	require.NoError(t, json.Unmarshal(rt.ExpectedWithToken["messages"], &want))
	think := regexp.MustCompile(`(?s)<think>(.*?)</think>`)
	for _, m := range want {
		content, ok := m["content"].(string)
		if m["role"] != "assistant" || !ok {
			continue
		}
		if found := think.FindAllStringSubmatch(content, -1); len(found) > 0 {
			m["reasoning_content"] = found[0][1]
			m["reasoning"] = found[0][1]
		}
		m["content"] = think.ReplaceAllString(content, "")
	}
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)

	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true, UsesReasoningParser: true}
	got, err := model.ChatRequest(cfg, req)
	require.NoError(t, err)
	var body map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got, &body))
	require.JSONEq(t, string(wantJSON), string(body["messages"]))

	// uses_interleaved_reasoning: false drops the reasoning instead.
	off := false
	cfg.UsesInterleavedReasoning = &off
	got, err = model.ChatRequest(cfg, req)
	require.NoError(t, err)
	require.NotContains(t, string(got), `"reasoning_content"`)
	require.NotContains(t, string(got), `<think>`)
}

func chatBody(t *testing.T, cfg model.VLLMConfig, params string, items ...string) map[string]any {
	t.Helper()
	req := &model.Request{Input: parseItems(t, items...)}
	if params != "" {
		req.Params = params2(t, params)
	}
	got, err := model.ChatRequest(cfg, req)
	require.NoError(t, err)
	require.True(t, json.Valid(got), "%s", got)
	var body map[string]any
	require.NoError(t, json.Unmarshal(got, &body))
	return body
}

func params2(t *testing.T, js string) rollout.Params { return params(t, js) }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestChatRequestConversion(t *testing.T) {
	user := `{"type":"message","role":"user","content":"hi"}`
	tests := []struct {
		name   string
		cfg    model.VLLMConfig
		params string
		items  []string
		// want holds the expected value of each listed body field.
		want map[string]string
		// absent lists fields the body must not have.
		absent []string
	}{
		{
			name:  "string content and easy input message without type",
			items: []string{`{"role":"system","content":"be brief"}`, user},
			want: map[string]string{"messages": `[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]`,
				"model": `"m"`},
			absent: []string{"tools", "tool_choice", "parallel_tool_calls", "chat_template_kwargs", "logprobs"},
		},
		{
			name:  "content parts become chat parts",
			items: []string{`{"type":"message","role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"data:x"}]}`},
			want: map[string]string{"messages": `[{"role":"user","content":[{"type":"text","text":"look"},
				{"type":"image_url","image_url":{"url":"data:x","detail":"auto"}}]}]`},
		},
		{
			name:  "developer kept",
			items: []string{`{"role":"developer","content":"rules"}`, user},
			want:  map[string]string{"messages": `[{"role":"developer","content":"rules"},{"role":"user","content":"hi"}]`},
		},
		{
			name:  "developer replaced with system",
			cfg:   model.VLLMConfig{ReplaceDeveloperRoleWithSystem: true},
			items: []string{`{"role":"developer","content":[{"type":"input_text","text":"rules"}]}`, user},
			want:  map[string]string{"messages": `[{"role":"system","content":[{"type":"text","text":"rules"}]},{"role":"user","content":"hi"}]`},
		},
		{
			name: "parallel tool calls merge into one assistant message, outputs become tool messages",
			items: []string{user,
				`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look.","annotations":[]}],"id":"msg_1","status":"completed"}`,
				`{"type":"function_call","call_id":"c1","name":"get","arguments":"{\"a\":1}","id":"fc1","status":"completed"}`,
				`{"type":"function_call","call_id":"c2","name":"get","arguments":"{\"a\":2}"}`,
				`{"type":"function_call_output","call_id":"c1","output":"one"}`,
				`{"type":"function_call_output","call_id":"c2","output":"two"}`,
				`{"type":"message","role":"assistant","content":"Done."}`,
			},
			want: map[string]string{"messages": `[{"role":"user","content":"hi"},
				{"role":"assistant","content":"Let me look.","tool_calls":[
					{"id":"c1","type":"function","function":{"name":"get","arguments":"{\"a\":1}"}},
					{"id":"c2","type":"function","function":{"name":"get","arguments":"{\"a\":2}"}}]},
				{"role":"tool","content":"one","tool_call_id":"c1"},
				{"role":"tool","content":"two","tool_call_id":"c2"},
				{"role":"assistant","content":"Done."}]`},
		},
		{
			name:  "a function call alone has null content",
			items: []string{user, `{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}`},
			want: map[string]string{"messages": `[{"role":"user","content":"hi"},
				{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}]`},
		},
		{
			name: "reasoning becomes <think> content without a reasoning parser",
			items: []string{user,
				`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"step 1"},{"type":"summary_text","text":""},{"type":"summary_text","text":"step 2"}]}`,
				`{"type":"message","role":"assistant","content":"answer"}`},
			want: map[string]string{"messages": `[{"role":"user","content":"hi"},
				{"role":"assistant","content":"<think>step 1</think><think>step 2</think>answer"}]`},
		},
		{
			name: "reasoning becomes reasoning_content with a reasoning parser",
			cfg:  model.VLLMConfig{UsesReasoningParser: true},
			items: []string{user,
				`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"step 1"},{"type":"summary_text","text":"step 2"}]}`,
				`{"type":"message","role":"assistant","content":"answer"}`},
			want: map[string]string{"messages": `[{"role":"user","content":"hi"},
				{"role":"assistant","content":"answer","reasoning_content":"step 1","reasoning":"step 1"}]`},
		},
		{
			name:  "reasoning kept in content with preserve_reasoning_in_assistant_content",
			cfg:   model.VLLMConfig{UsesReasoningParser: true, PreserveReasoningInAssistantContent: true},
			items: []string{user, `{"type":"reasoning","summary":[{"type":"summary_text","text":"r"}]}`, `{"role":"assistant","content":"a"}`},
			want:  map[string]string{"messages": `[{"role":"user","content":"hi"},{"role":"assistant","content":"<think>r</think>a"}]`},
		},
		{
			name: "tools, tool choice and max_output_tokens",
			params: `{"tools":[{"type":"function","name":"get","description":"Get it.","parameters":{"type":"object","properties":{}},"strict":true}],
				"tool_choice":{"type":"function","name":"get"},"parallel_tool_calls":false,"max_output_tokens":128,"temperature":0.6,"top_p":0.95,"input":"ignored"}`,
			items: []string{user},
			want: map[string]string{
				"tools":               `[{"type":"function","function":{"name":"get","description":"Get it.","parameters":{"type":"object","properties":{}}}}]`,
				"tool_choice":         `{"type":"function","function":{"name":"get"}}`,
				"parallel_tool_calls": `false`, "max_tokens": `128`, "temperature": `0.6`, "top_p": `0.95`,
			},
			absent: []string{"max_output_tokens", "input"},
		},
		{
			name:   "tool_choice and parallel_tool_calls dropped without tools",
			params: `{"tools":[],"tool_choice":"auto","parallel_tool_calls":true,"max_output_tokens":null,"instructions":null}`,
			items:  []string{user},
			absent: []string{"tools", "tool_choice", "parallel_tool_calls", "max_tokens", "instructions"},
		},
		{
			name: "chat_template_kwargs and extra_body from config, overridden by metadata",
			cfg: model.VLLMConfig{
				ChatTemplateKwargs: map[string]any{"enable_thinking": true, "kept": "yes"},
				ExtraBody:          map[string]any{"top_k": 20, "temperature": 0.1, "min_p": 0.0},
			},
			params: `{"temperature":0.7,"metadata":{"chat_template_kwargs":"{\"enable_thinking\": false}","extra_body":"{\"top_k\": 5, \"repetition_penalty\": 1.1}","other":"x"}}`,
			items:  []string{user},
			want: map[string]string{
				"chat_template_kwargs": `{"enable_thinking":false,"kept":"yes"}`,
				"top_k":                `5`, "repetition_penalty": `1.1`, "min_p": `0.0`,
				"temperature": `0.7`, // extra_body never replaces the request's fields
				"metadata":    `{"chat_template_kwargs":"{\"enable_thinking\": false}","extra_body":"{\"top_k\": 5, \"repetition_penalty\": 1.1}","other":"x"}`,
			},
		},
		{
			name:   "metadata alone sets chat_template_kwargs",
			params: `{"metadata":{"chat_template_kwargs":"{\"enable_thinking\":false}","extra_body":""}}`,
			items:  []string{user},
			want:   map[string]string{"chat_template_kwargs": `{"enable_thinking":false}`},
		},
		{
			name:   "sampling_overrides replace the request's sampling",
			cfg:    model.VLLMConfig{SamplingOverrides: map[string]any{"temperature": 1.0, "top_p": 1.0}, ExtraBody: map[string]any{"temperature": 0.2}},
			params: `{"temperature":0.1}`,
			items:  []string{user},
			want:   map[string]string{"temperature": `1.0`, "top_p": `1.0`},
		},
		{
			name:   "token ids requested, null top_logprobs pinned to 0",
			cfg:    model.VLLMConfig{ReturnTokenIDInformation: true, RequestPromptAndGenerationTokenIDs: true},
			params: `{"top_logprobs":null,"n":1}`,
			items:  []string{user},
			want: map[string]string{"logprobs": `true`, "top_logprobs": `0`, "return_tokens_as_token_ids": `true`,
				"return_token_ids": `true`},
		},
		{
			name:   "null top_logprobs dropped without token ids",
			params: `{"top_logprobs":null,"user":"u1"}`,
			items:  []string{user},
			want:   map[string]string{"user": `"u1"`},
			absent: []string{"top_logprobs", "logprobs"},
		},
		{
			name:  "function_call_output with a list of parts",
			items: []string{`{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"ok"}]}`},
			want:  map[string]string{"messages": `[{"role":"tool","content":[{"type":"text","text":"ok"}],"tool_call_id":"c"}]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Model == "" {
				tt.cfg.Model = "m"
			}
			body := chatBody(t, tt.cfg, tt.params, tt.items...)
			for k, v := range tt.want {
				require.Contains(t, body, k)
				require.JSONEq(t, v, jsonOf(t, body[k]), "field %s", k)
			}
			for _, k := range tt.absent {
				require.NotContains(t, body, k)
			}
			require.Contains(t, body, "messages")
		})
	}
}

func TestChatRequestTokenIDs(t *testing.T) {
	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true}
	user := `{"role":"user","content":"hi"}`
	body := chatBody(t, cfg, "",
		user,
		`{"type":"function_call","call_id":"c1","name":"f","arguments":"{}","prompt_token_ids":[1,2],"generation_token_ids":[3,4],"generation_log_probs":[-0.5,0.0]}`,
		`{"type":"function_call_output","call_id":"c1","output":"x"}`,
		// An assistant message from the input, without ids: NeMo Gym sends
		// the last ids seen again.
		`{"role":"assistant","content":"from the row"}`,
		user,
		`{"type":"message","role":"assistant","content":"last","prompt_token_ids":[],"generation_token_ids":[],"generation_log_probs":[]}`,
	)
	require.JSONEq(t, `[{"role":"user","content":"hi"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}],
		 "prompt_token_ids":[1,2],"generation_token_ids":[3,4],"generation_log_probs":[-0.5,0.0]},
		{"role":"tool","content":"x","tool_call_id":"c1"},
		{"role":"assistant","content":"from the row","prompt_token_ids":[1,2],"generation_token_ids":[3,4],"generation_log_probs":[-0.5,0.0]},
		{"role":"user","content":"hi"},
		{"role":"assistant","content":"last","prompt_token_ids":[1,2],"generation_token_ids":[3,4],"generation_log_probs":[-0.5,0.0]}]`,
		jsonOf(t, body["messages"]))

	// Without return_token_id_information the ids are not sent.
	body = chatBody(t, model.VLLMConfig{Model: "m"}, "", user,
		`{"role":"assistant","content":"a","prompt_token_ids":[1],"generation_token_ids":[2],"generation_log_probs":[-1.0]}`)
	require.JSONEq(t, `[{"role":"user","content":"hi"},{"role":"assistant","content":"a"}]`, jsonOf(t, body["messages"]))
}

func TestChatRequestErrors(t *testing.T) {
	user := `{"role":"user","content":"hi"}`
	tests := []struct {
		name   string
		cfg    model.VLLMConfig
		params string
		items  []string
		want   string
	}{
		{"unsupported item", model.VLLMConfig{}, "", []string{`{"type":"web_search_call","id":"w"}`}, `unsupported item type "web_search_call"`},
		{"unknown role", model.VLLMConfig{}, "", []string{`{"role":"critic","content":"x"}`}, `unrecognized message role "critic"`},
		{"unsupported part", model.VLLMConfig{}, "", []string{`{"role":"user","content":[{"type":"input_file","file_id":"f"}]}`}, `unsupported content part type "input_file"`},
		{"function call without call_id", model.VLLMConfig{}, "", []string{`{"type":"function_call","name":"f","arguments":"{}"}`}, "no call_id"},
		{"tool_choice without tools", model.VLLMConfig{}, `{"tool_choice":"required"}`, []string{user}, "requires at least one tool"},
		{"responses-only parameter", model.VLLMConfig{}, `{"instructions":"be nice"}`, []string{user}, `"instructions" has no Chat Completions equivalent`},
		{"non-function tool", model.VLLMConfig{}, `{"tools":[{"type":"web_search"}]}`, []string{user}, "has no Chat Completions equivalent"},
		{"streaming", model.VLLMConfig{}, `{"stream":true}`, []string{user}, "streaming"},
		{"metadata override is not JSON", model.VLLMConfig{}, `{"metadata":{"extra_body":"{nope"}}`, []string{user}, "metadata.extra_body must be a JSON object"},
		{"several choices with token ids", model.VLLMConfig{ReturnTokenIDInformation: true}, `{"n":2}`, []string{user}, "n=2"},
		{"partial token ids on an item", model.VLLMConfig{ReturnTokenIDInformation: true}, "",
			[]string{user, `{"role":"assistant","content":"a","prompt_token_ids":[1]}`}, "needs generation_token_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Model = "m"
			req := &model.Request{Input: parseItems(t, tt.items...)}
			if tt.params != "" {
				req.Params = params(t, tt.params)
			}
			_, err := model.ChatRequest(tt.cfg, req)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.True(t, strings.HasPrefix(err.Error(), "model: vllm: "), err.Error())
		})
	}
}

func ExampleChatRequest() {
	items, _ := rollout.ParseItems([]byte(`[
		{"role": "user", "content": "What is the weather in Paris?"},
		{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Call the tool."}]},
		{"type": "function_call", "call_id": "call_1", "name": "weather", "arguments": "{\"city\": \"Paris\"}"},
		{"type": "function_call_output", "call_id": "call_1", "output": "21 C"}
	]`))
	params, _ := rollout.ParseObject([]byte(`{"max_output_tokens": 512, "temperature": 0.6}`))
	cfg := model.VLLMConfig{Model: "Qwen/Qwen3-8B", UsesReasoningParser: true}
	body, err := model.ChatRequest(cfg, &model.Request{Params: rollout.Params{Object: params}, Input: items})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))
	// Output:
	// {"messages":[{"content":"What is the weather in Paris?","role":"user"},{"role":"assistant","content":"","reasoning_content":"Call the tool.","reasoning":"Call the tool.","tool_calls":[{"id":"call_1","function":{"arguments":"{\"city\": \"Paris\"}","name":"weather"},"type":"function"}]},{"content":"21 C","role":"tool","tool_call_id":"call_1"}],"model":"Qwen/Qwen3-8B","max_tokens":512,"temperature":0.6}
}
