package model_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// completion returns a vLLM chat completion around a message, with extra
// choice and top-level fields.
func completion(message, choiceExtra, topExtra string) []byte {
	s := `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":` +
		message + `,"finish_reason":"stop"` + choiceExtra + `}],"usage":{"prompt_tokens":10,"total_tokens":15,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}` +
		topExtra + `}`
	return []byte(s)
}

// itemsJSON returns the output items without their random ids.
func itemsJSON(t *testing.T, resp *rollout.Response) string {
	t.Helper()
	var out []map[string]any
	for _, it := range resp.Output {
		var m map[string]any
		require.NoError(t, json.Unmarshal(it.AppendJSON(nil), &m))
		if id, ok := m["id"].(string); ok && (strings.HasPrefix(id, "msg_") || strings.HasPrefix(id, "rs_")) {
			require.Len(t, id, len(strings.SplitN(id, "_", 2)[0])+1+32)
			delete(m, "id")
		}
		out = append(out, m)
	}
	return jsonOf(t, out)
}

func TestChatToResponse(t *testing.T) {
	parser := model.VLLMConfig{Model: "m", UsesReasoningParser: true}
	plain := model.VLLMConfig{Model: "m"}
	msg := func(text string) string {
		return `{"content":[{"annotations":[],"text":` + jsonOf(t, text) + `,"type":"output_text"}],"role":"assistant","status":"completed","type":"message"}`
	}
	tests := []struct {
		name    string
		cfg     model.VLLMConfig
		message string
		extra   string // choice fields
		want    string // output items without ids
		status  string
	}{
		{"text", plain, `{"role":"assistant","content":"hi :) how are you?","tool_calls":[]}`, "",
			`[` + msg("hi :) how are you?") + `]`, "completed"},
		{"reasoning_content from vLLM's parser", parser,
			`{"role":"assistant","content":"The answer.","reasoning_content":"Let me think.","reasoning":null}`, "",
			`[{"summary":[{"text":"Let me think.","type":"summary_text"}],"type":"reasoning","status":"completed"},` + msg("The answer.") + `]`, "completed"},
		{"reasoning (vLLM >= 0.16) when reasoning_content is empty", parser,
			`{"role":"assistant","content":null,"reasoning_content":"","reasoning":"Only thoughts."}`, "",
			`[{"summary":[{"text":"Only thoughts.","type":"summary_text"}],"type":"reasoning","status":"completed"}]`, "completed"},
		{"think tags in the text with the parser", parser,
			`{"role":"assistant","content":"<think>a</think>x<think>b</think>y"}`, "",
			`[{"summary":[{"text":"a","type":"summary_text"},{"text":"b","type":"summary_text"}],"type":"reasoning","status":"completed"},` + msg("xy") + `]`, "completed"},
		{"reasoning holding </think> splits where NeMo Gym's regex does", parser,
			`{"role":"assistant","content":"c<think>d</think>","reasoning_content":"r</think>x"}`, "",
			`[{"summary":[{"text":"r","type":"summary_text"},{"text":"d","type":"summary_text"}],"type":"reasoning","status":"completed"},` + msg("x</think>c") + `]`, "completed"},
		{"reasoning and think tags in the text", parser,
			`{"role":"assistant","content":"<think>more</think>text","reasoning":"first"}`, "",
			`[{"summary":[{"text":"first","type":"summary_text"},{"text":"more","type":"summary_text"}],"type":"reasoning","status":"completed"},` + msg("text") + `]`, "completed"},
		{"think tags stay in the text without the parser", plain,
			`{"role":"assistant","content":"<think>a</think>x"}`, "",
			`[` + msg("<think>a</think>x") + `]`, "completed"},
		{"tool calls", plain,
			`{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get","arguments":"{\"city\":\"SF\"}"}},{"id":"call_2","function":{"name":"get","arguments":"{}"}}]}`, "",
			`[{"arguments":"{\"city\":\"SF\"}","call_id":"call_1","name":"get","type":"function_call","id":"call_1","status":"completed"},
			  {"arguments":"{}","call_id":"call_2","name":"get","type":"function_call","id":"call_2","status":"completed"}]`, "completed"},
		{"text and tool call", plain,
			`{"role":"assistant","content":"Checking.","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}`, "",
			`[` + msg("Checking.") + `,{"arguments":"{}","call_id":"c","name":"f","type":"function_call","id":"c","status":"completed"}]`, "completed"},
		{"nothing at all is one empty message", plain, `{"role":"assistant","content":null}`, "",
			`[` + msg("") + `]`, "completed"},
		{"finish_reason length is incomplete", plain, `{"role":"assistant","content":"cut sh"}`, `,"finish_reason":"length"`,
			`[` + msg("cut sh") + `]`, "incomplete"},
		{"escapes survive", plain, `{"role":"assistant","content":"a\"b\\c\n\u00e9\ud83d\ude00<&>\u0001"}`, "",
			`[` + msg("a\"b\\c\né😀<&>\x01") + `]`, "completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := completion(tt.message, tt.extra, "")
			resp, err := model.ChatToResponse(tt.cfg, raw, nil)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, itemsJSON(t, resp))
			require.Equal(t, tt.status, resp.String("status"))
			require.Equal(t, "response", resp.String("object"))
			require.Equal(t, "m", resp.String("model"))
			require.True(t, strings.HasPrefix(resp.String("id"), "resp_"))
			require.True(t, resp.Has("created_at"))
			if tt.status == "incomplete" {
				require.Equal(t, "max_output_tokens", resp.IncompleteReason())
			} else {
				require.False(t, resp.Incomplete())
			}
			u := resp.Usage()
			require.Equal(t, 10, u.InputTokens)
			require.Equal(t, 5, u.OutputTokens)
			require.Equal(t, 15, u.TotalTokens)
			require.Equal(t, 4, u.InputTokensDetails.CachedTokens)
			require.True(t, json.Valid(resp.AppendJSON(nil)))
			for _, it := range resp.Output {
				tok, err := it.Tokens()
				require.NoError(t, err)
				require.Nil(t, tok)
			}
		})
	}
}

func TestChatToResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  model.VLLMConfig
		raw  string
		want string
	}{
		{"not JSON", model.VLLMConfig{}, `<html>502</html>`, "not a chat completion"},
		{"truncated", model.VLLMConfig{}, `{"choices":[{"message":{"role":"assistant","content":"ab`, "unterminated string"},
		{"no choices", model.VLLMConfig{}, `{"id":"x","choices":[]}`, "no choices"},
		{"no message", model.VLLMConfig{}, `{"choices":[{"finish_reason":"stop"}]}`, "no message"},
		{"not the assistant", model.VLLMConfig{}, `{"choices":[{"message":{"role":"user","content":"a"}}]}`, `role is "user", want assistant`},
		{"content not a string", model.VLLMConfig{}, `{"choices":[{"message":{"content":5}}]}`, "content is not a string"},
		{"trailing data", model.VLLMConfig{}, `{"choices":[{"message":{"content":"a"}}]} x`, "after the JSON value"},
		{"custom tool call", model.VLLMConfig{}, `{"choices":[{"message":{"tool_calls":[{"id":"c","type":"custom","custom":{"name":"x","input":""}}]}}]}`, `type "custom"`},
		{"tool call without id", model.VLLMConfig{}, `{"choices":[{"message":{"tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}}]}`, "has no id"},
		{"reasoning without the parser", model.VLLMConfig{}, `{"choices":[{"message":{"content":"a","reasoning_content":"r"}}]}`, "uses_reasoning_parser: false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Model = "m"
			_, err := model.ChatToResponse(tt.cfg, []byte(tt.raw), nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			var f *rollout.Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, rollout.FailModel, f.Class)
			require.False(t, f.Retryable)
		})
	}
}

// logprobContent returns vLLM's choices[0].logprobs for token ids and
// logprobs, as vLLM writes it with return_tokens_as_token_ids.
func logprobContent(ids []int, lps []string) string {
	var b strings.Builder
	b.WriteString(`,"logprobs":{"content":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		tok := "token_id:" + itoa(id)
		b.WriteString(`{"token":"` + tok + `","logprob":` + lps[i] + `,"bytes":[`)
		for j, c := range []byte(tok) {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(itoa(int(c)))
		}
		b.WriteString(`],"top_logprobs":[]}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func itoa(n int) string { return string(rollout.Int(n)) }

func TestChatToResponseTokenSources(t *testing.T) {
	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true, UsesReasoningParser: true}
	text := `{"role":"assistant","content":"ok","reasoning_content":"hmm"`
	lp := logprobContent([]int{7, 8, 9}, []string{"-0.25", "0.0", "-1.1920928244535389e-07"})
	noTokenize := func() ([]int, error) { return nil, errors.New("tokenize must not be called") }
	tokenize := func() ([]int, error) { return []int{1, 2, 3, 4}, nil }

	tests := []struct {
		name     string
		raw      []byte
		tokenize func() ([]int, error)
		want     string // the token fields of the last item
	}{
		{"a: bundle on the message",
			completion(text+`,"prompt_token_ids":[1,2],"generation_token_ids":[5,6],"generation_log_probs":[-0.5,-1e-05]}`, "", ""),
			noTokenize, `{"prompt_token_ids":[1,2],"generation_token_ids":[5,6],"generation_log_probs":[-0.5,-1e-05]}`},
		{"a: bundle agreeing with vLLM's inline ids, logprobs not needed",
			completion(text+`,"prompt_token_ids":[1,2],"generation_token_ids":[5,6],"generation_log_probs":[-0.5,-0.25]}`, `,"token_ids":[5,6],"logprobs":null`, `,"prompt_token_ids":[1,2]`),
			noTokenize, `{"prompt_token_ids":[1,2],"generation_token_ids":[5,6],"generation_log_probs":[-0.5,-0.25]}`},
		{"b: vLLM's prompt_token_ids and choice token_ids",
			completion(text+`}`, `,"token_ids":[7,8,9]`+lp, `,"prompt_token_ids":[1,2,3],"kv_transfer_params":null`),
			noTokenize, `{"prompt_token_ids":[1,2,3],"generation_token_ids":[7,8,9],"generation_log_probs":[-0.25,0.0,-1.1920928244535389e-07]}`},
		{"c: logprob tokens and /tokenize",
			completion(text+`}`, lp, ""),
			tokenize, `{"prompt_token_ids":[1,2,3,4],"generation_token_ids":[7,8,9],"generation_log_probs":[-0.25,0.0,-1.1920928244535389e-07]}`},
		{"c: empty generation",
			completion(`{"role":"assistant","content":""}`, `,"logprobs":{"content":[]}`, ""),
			tokenize, `{"prompt_token_ids":[1,2,3,4],"generation_token_ids":[],"generation_log_probs":[]}`},
		{"routed experts ride along",
			completion(text+`,"prompt_token_ids":[1],"generation_token_ids":[5],"generation_log_probs":[-0.5],"routed_experts":[[[1,2]]]}`, "", ""),
			noTokenize, `{"prompt_token_ids":[1],"generation_token_ids":[5],"generation_log_probs":[-0.5],"routed_experts":[[[1,2]]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := model.ChatToResponse(cfg, tt.raw, tt.tokenize)
			require.NoError(t, err)
			require.NotEmpty(t, resp.Output)
			for _, it := range resp.Output[:len(resp.Output)-1] {
				require.False(t, it.Has(rollout.KeyPromptTokenIDs), "only the last item carries token ids")
			}
			last := resp.Output[len(resp.Output)-1]
			got := map[string]json.RawMessage{}
			for _, k := range []string{rollout.KeyPromptTokenIDs, rollout.KeyGenerationTokenIDs, rollout.KeyGenerationLogProbs, "routed_experts"} {
				if v, ok := last.Get(k); ok {
					got[k] = v
				}
			}
			require.JSONEq(t, tt.want, jsonOf(t, got))
			tok, err := last.Tokens()
			require.NoError(t, err)
			require.NotNil(t, tok)
			require.Len(t, tok.LogProbs, len(tok.GenerationIDs))
			require.True(t, json.Valid(resp.AppendJSON(nil)))
			if len(resp.Output) > 1 {
				require.Equal(t, "reasoning", resp.Output[0].Type())
			}
		})
	}
}

func TestChatToResponseTokenRejections(t *testing.T) {
	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true}
	text := `{"role":"assistant","content":"ok"`
	lp := logprobContent([]int{7, 8}, []string{"-0.25", "-0.5"})
	tokenize := func() ([]int, error) { return []int{1}, nil }
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"message bundle without log probs",
			completion(text+`,"prompt_token_ids":[1],"generation_token_ids":[5]}`, lp, ""), "partial token metadata; missing: generation_log_probs"},
		{"message bundle with too few log probs",
			completion(text+`,"prompt_token_ids":[1],"generation_token_ids":[5,6],"generation_log_probs":[-1.0]}`, "", ""), "2 token IDs and 1 log probabilities"},
		{"message bundle disagreeing with vLLM's ids",
			completion(text+`,"prompt_token_ids":[1],"generation_token_ids":[5],"generation_log_probs":[-1.0]}`, `,"token_ids":[6]`, `,"prompt_token_ids":[1]`), "disagrees with vLLM response token IDs"},
		{"prompt ids without generation ids",
			completion(text+`}`, lp, `,"prompt_token_ids":[1,2]`), "missing: choice.token_ids"},
		{"generation ids without prompt ids",
			completion(text+`}`, `,"token_ids":[7,8]`+lp, ""), "missing: prompt_token_ids"},
		{"token_ids disagreeing with the logprob tokens",
			completion(text+`}`, `,"token_ids":[7,9]`+lp, `,"prompt_token_ids":[1]`), "disagree with the choice's logprob token IDs"},
		{"no logprobs",
			completion(text+`}`, `,"logprobs":null`, ""), "no choices[0].logprobs.content"},
		{"a token that is not token_id:<n>",
			completion(text+`}`, `,"logprobs":{"content":[{"token":"hello","logprob":-1.0}]}`, ""), "content[0].token must use the `token_id:<int>` format"},
		{"a logprob that is not a number",
			completion(text+`}`, `,"logprobs":{"content":[{"token":"token_id:5","logprob":-1.0},{"token":"token_id:6","logprob":null}]}`, ""), "content[1].logprob must be numeric"},
		{"a logprob too large for a float64",
			completion(text+`}`, `,"logprobs":{"content":[{"token":"token_id:5","logprob":-1e400,"bytes":[1],"top_logprobs":[]}]}`, ""), "content[0].logprob does not fit a float64"},
		{"a logprob too large for a float64, spaced",
			completion(text+`}`, `,"logprobs":{"content":[{"token": "token_id:5", "logprob": 1E+999}]}`, ""), "content[0].logprob does not fit a float64"},
		{"a message bundle log-prob too large for a float64",
			completion(text+`,"prompt_token_ids":[1],"generation_token_ids":[5],"generation_log_probs":[-1e309]}`, "", ""), "does not fit a float64"},
		{"a token id that is not a number",
			completion(text+`,"prompt_token_ids":["a"],"generation_token_ids":[5],"generation_log_probs":[-1.0]}`, "", ""), "want an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := model.ChatToResponse(cfg, tt.raw, tokenize)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			var f *rollout.Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, rollout.FailModel, f.Class)
		})
	}

	// Source c without a tokenizer to ask.
	_, err := model.ChatToResponse(cfg, completion(text+`}`, lp, ""), nil)
	require.ErrorContains(t, err, "no /tokenize")
	// A failing tokenizer's error is returned as it is.
	boom := errors.New("boom")
	_, err = model.ChatToResponse(cfg, completion(text+`}`, lp, ""), func() ([]int, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
}

// The items of one call go back as the next request's assistant message,
// with the call's token ids.
func TestChatToResponseRoundTrip(t *testing.T) {
	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true, UsesReasoningParser: true}
	raw := completion(`{"role":"assistant","content":"\n\nLet me call.","reasoning_content":"I should call f.","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}`,
		`,"token_ids":[7,8]`+logprobContent([]int{7, 8}, []string{"-0.1", "-0.2"}), `,"prompt_token_ids":[1,2,3]`)
	resp, err := model.ChatToResponse(cfg, raw, nil)
	require.NoError(t, err)
	require.Len(t, resp.Output, 3)

	input := append(parseItems(t, `{"role":"user","content":"go"}`), resp.Output...)
	input = append(input, rollout.NewFunctionCallOutput("c1", "done"))
	next, err := model.ChatRequest(cfg, &model.Request{Input: input})
	require.NoError(t, err)
	var body struct {
		Messages json.RawMessage `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(next, &body))
	require.JSONEq(t, `[{"role":"user","content":"go"},
		{"role":"assistant","content":"\n\nLet me call.","reasoning_content":"I should call f.","reasoning":"I should call f.",
		 "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}],
		 "prompt_token_ids":[1,2,3],"generation_token_ids":[7,8],"generation_log_probs":[-0.1,-0.2]},
		{"role":"tool","content":"done","tool_call_id":"c1"}]`, string(body.Messages))
}

// Entries in vLLM's layout and in others mix in one answer; ids and
// logprobs come out as written (ids as integers).
func TestChatToResponseLogprobLayouts(t *testing.T) {
	cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: true}
	text := `{"role":"assistant","content":"ok"}`
	vllm := strings.TrimSuffix(strings.TrimPrefix(logprobContent([]int{7, 123456, 12345678}, []string{"-0.25", "-1.5e-05", "0.0"}), `,"logprobs":{"content":[`), `]}`)
	spaced := `{"token": "token_id:8", "logprob": -1, "bytes": [1], "top_logprobs": [{"token": "token_id:9", "logprob": -2}]}`
	leadingZero := `{"token":"token_id:007","logprob":-0.5,"bytes":[116],"top_logprobs":[]}`
	odd := `{"token":"token_id:5","logprob":-0.75,"bytes":[1,2,3],"top_logprobs":[]}` // bytes not of its token
	content := `,"logprobs":{"content":[` + vllm + `,` + spaced + `,` + leadingZero + `,` + odd + `,` + vllm + `]}`
	ids := `[7,123456,12345678,8,7,5,7,123456,12345678]`
	want := `{"prompt_token_ids":[1,2],"generation_token_ids":` + ids + `,"generation_log_probs":[-0.25,-1.5e-05,0.0,-1,-0.5,-0.75,-0.25,-1.5e-05,0.0]}`
	got := func(raw []byte) string {
		resp, err := model.ChatToResponse(cfg, raw, func() ([]int, error) { return []int{1, 2}, nil })
		require.NoError(t, err)
		last := resp.Output[len(resp.Output)-1]
		m := map[string]json.RawMessage{}
		for _, k := range []string{rollout.KeyPromptTokenIDs, rollout.KeyGenerationTokenIDs, rollout.KeyGenerationLogProbs} {
			m[k], _ = last.Get(k)
		}
		return jsonOf(t, m)
	}
	require.JSONEq(t, want, got(completion(text, content, "")), "ids from the logprob tokens, prompt from /tokenize")
	require.JSONEq(t, want, got(completion(text, `,"token_ids":`+ids+content, `,"prompt_token_ids":[1,2]`)), "token_ids before the logprobs")
	require.JSONEq(t, want, got(completion(text, content+`,"token_ids":`+strings.ReplaceAll(ids, ",", ", "), `,"prompt_token_ids":[1,2]`)), "token_ids spaced")

	// A malformed entry after entries in vLLM's layout is named by its index.
	bad := `,"logprobs":{"content":[` + vllm + `,{"token":"token_id:9","logprob":null}]}`
	_, err := model.ChatToResponse(cfg, completion(text, bad, ""), func() ([]int, error) { return []int{1}, nil })
	require.ErrorContains(t, err, "choice.logprobs.content[3].logprob must be numeric")

	// Token ids that are not JSON integers as written are refused, not
	// passed on into the items.
	for _, tail := range []string{`,"token_ids":[7,0123456,12345678]` + logprobContent([]int{7, 123456, 12345678}, []string{"-0.25", "-1.5e-05", "0.0"}), ""} {
		top := `,"prompt_token_ids":[01,2]`
		if tail == "" {
			tail, top = `,"token_ids":[7]`+logprobContent([]int{7}, []string{"-1"}), `,"prompt_token_ids":[007]`
		}
		_, err = model.ChatToResponse(cfg, completion(text, tail, top), nil)
		require.ErrorContains(t, err, "want an integer token id")
	}
}
