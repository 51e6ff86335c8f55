package model_test

import (
	"encoding/json"
	"testing"

	"github.com/gymkit/gym/internal/trusted"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// checkTrusted makes the values the converters set without validation
// (internal/trusted) validated all the same, for the rest of the test:
// rollout panics on one that is not one JSON value.
func checkTrusted(tb testing.TB) {
	prev := trusted.Check.Swap(true)
	tb.Cleanup(func() { trusted.Check.Store(prev) })
}

// FuzzChatToResponse feeds arbitrary bytes as a chat completion: the
// conversion must never panic, and whatever it accepts must give valid
// JSON (each value the converter sets is checked as it is set), with
// token data that reads back and items that convert back into a request.
func FuzzChatToResponse(f *testing.F) {
	checkTrusted(f)
	lp := logprobContent([]int{7, 8}, []string{"-0.25", "-1e-05"})
	for _, seed := range [][]byte{
		completion(`{"role":"assistant","content":"hi"}`, "", ""),
		completion(`{"role":"assistant","content":"<think>a</think>b\n\"q\"\u00e9","reasoning_content":"r</think>x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}`, `,"finish_reason":"length"`, ""),
		completion(`{"role":"assistant","content":"ok"}`, `,"token_ids":[7,8]`+lp, `,"prompt_token_ids":[1,2]`),
		completion(`{"role":"assistant","content":"ok"}`, lp, ""),
		completion(`{"role":"assistant","content":"ok","prompt_token_ids":[1],"generation_token_ids":[5],"generation_log_probs":[-0.5],"routed_experts":[[1]]}`, "", ""),
		completion(`{"role":"assistant","content":null}`, ` , "logprobs" : { "content" : [ { "token" : "token_id:1" , "logprob" : 0.0 , "bytes" : null , "top_logprobs" : [ {"token":"x","logprob":-1}] } ] }`, ""),
		[]byte(`{"choices":[{"message":{"content":"\ud800\udc00\ud800"}}]}`),
		[]byte(`{"choices":[[[[[[[[[[`),
		[]byte(`{"choices":[{"message":{"role":"0","content":"x"}}]}`),
		[]byte(`null`),
		[]byte(``),
	} {
		f.Add(seed, true, true)
		f.Add(seed, false, false)
	}
	tokenize := func() ([]int, error) { return []int{1, 2, 3}, nil }
	f.Fuzz(func(t *testing.T, raw []byte, tokens, parser bool) {
		cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: tokens, UsesReasoningParser: parser}
		resp, err := model.ChatToResponse(cfg, raw, tokenize)
		if err != nil {
			return
		}
		out := resp.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON from %q:\n%s", raw, out)
		}
		if len(resp.Output) == 0 {
			t.Fatal("no output items")
		}
		for _, it := range resp.Output {
			if _, err := it.Tokens(); err != nil {
				t.Fatalf("token data of %s: %v", it.AppendJSON(nil), err)
			}
		}
		req, err := model.ChatRequest(cfg, &model.Request{Input: resp.Output})
		if err != nil {
			t.Fatalf("the items of an accepted answer do not convert back: %v", err)
		}
		if !json.Valid(req) {
			t.Fatalf("invalid request JSON:\n%s", req)
		}
	})
}

// FuzzChatRequest converts arbitrary items (any JSON objects) into a chat
// request: it must never panic, and what it accepts must be valid JSON.
func FuzzChatRequest(f *testing.F) {
	checkTrusted(f)
	for _, seed := range []string{
		`[{"role":"user","content":"hi"},{"type":"reasoning","summary":[{"type":"summary_text","text":"r"}]},{"role":"assistant","content":[{"type":"output_text","text":"<think>x</think>a"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}","prompt_token_ids":[1],"generation_token_ids":[2],"generation_log_probs":[-0.5]},{"type":"function_call_output","call_id":"c","output":"o"}]`,
		`[{"role":"developer","content":[{"type":"input_text","text":"d"},{"type":"input_image","image_url":"data:"}]}]`,
		`[{"role":"assistant","content":"a","prompt_token_ids":[]}]`,
		`[{"type":"function_call_output","call_id":"c","output":[{"type":"output_text","text":"x"}]}]`,
	} {
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, flags bool) {
		items, err := rollout.ParseItems(data)
		if err != nil {
			return
		}
		cfg := model.VLLMConfig{Model: "m", ReturnTokenIDInformation: flags, UsesReasoningParser: flags, ReplaceDeveloperRoleWithSystem: flags}
		req, err := model.ChatRequest(cfg, &model.Request{Input: items})
		if err != nil {
			return
		}
		if !json.Valid(req) {
			t.Fatalf("invalid request JSON from %s:\n%s", data, req)
		}
	})
}
