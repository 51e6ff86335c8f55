package gymtest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		ids  []int
	}{
		{"", []int{}},
		{"ab", []int{'a', 'b'}},
		{"é", []int{0xc3, 0xa9}},
		{"<|im_start|>user\n", []int{gymtest.TokenIMStart, 'u', 's', 'e', 'r', '\n'}},
		{"x<|im_end|>", []int{'x', gymtest.TokenIMEnd}},
		{"<|im_end", []int{'<', '|', 'i', 'm', '_', 'e', 'n', 'd'}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			require.Equal(t, tt.ids, gymtest.Tokenize(tt.text))
			require.Equal(t, tt.text, gymtest.Detokenize(tt.ids))
		})
	}
	require.Equal(t, "a\uFFFD", gymtest.Detokenize([]int{'a', 999}))
}

func TestRenderChat(t *testing.T) {
	msgs := raws(
		`{"role":"system","content":"Be brief."}`,
		`{"role":"user","content":[{"type":"text","text":"Weather "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"in SF?"}]}`,
		`{"role":"assistant","content":null,"reasoning_content":"Look it up.","tool_calls":[`+
			`{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"SF\"}"}},`+
			`{"id":"c2","type":"function","function":{"name":"broken","arguments":"{oops"}}]}`,
		`{"role":"tool","tool_call_id":"c1","content":"sunny"}`,
		`{"role":"assistant","content":"Sunny.","reasoning":"Done."}`,
	)
	tools := raws(`{ "type": "function", "function": {"name": "get_weather"} }`)

	got, err := gymtest.RenderChat(msgs, tools, true)
	require.NoError(t, err)
	want := "<|im_start|>tools\n" +
		`{"type":"function","function":{"name":"get_weather"}}` + "\n" +
		"<|im_end|>\n" +
		"<|im_start|>system\nBe brief.<|im_end|>\n" +
		"<|im_start|>user\nWeather in SF?<|im_end|>\n" +
		"<|im_start|>assistant\n<think>Look it up.</think>" +
		`<tool_call>{"name":"get_weather","arguments":{"city": "SF"}}</tool_call>` +
		`<tool_call>{"name":"broken","arguments":"{oops"}</tool_call>` +
		"<|im_end|>\n" +
		"<|im_start|>tool\nsunny<|im_end|>\n" +
		"<|im_start|>assistant\n<think>Done.</think>Sunny.<|im_end|>\n" +
		"<|im_start|>assistant\n"
	require.Equal(t, want, got)

	noPrompt, err := gymtest.RenderChat(msgs, tools, false)
	require.NoError(t, err)
	require.Equal(t, strings.TrimSuffix(want, "<|im_start|>assistant\n"), noPrompt)

	_, err = gymtest.RenderChat(raws(`{"role":"user","content":7}`), nil, true)
	require.ErrorContains(t, err, "message 0")
	_, err = gymtest.RenderChat(raws(`[]`), nil, true)
	require.ErrorContains(t, err, "message 0")
	_, err = gymtest.RenderChat(nil, []json.RawMessage{json.RawMessage(`{`)}, true)
	require.ErrorContains(t, err, "tool 0")
}

func raws(items ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, item := range items {
		out[i] = json.RawMessage(item)
	}
	return out
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "hi", "<|im_start|>a<|im_end|>", "<|im_<|im_end|>", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ids := gymtest.Tokenize(text)
		require.Equal(t, text, gymtest.Detokenize(ids))
		for _, id := range ids {
			require.True(t, id >= 0 && id <= gymtest.TokenIMEnd)
		}
	})
}

// FuzzRenderChatIsPrefixStable checks the property token ids rely on:
// rendering more messages only appends, in text and in tokens.
func FuzzRenderChatIsPrefixStable(f *testing.F) {
	f.Add("hi", "think", "ok", "f", `{"a":1}`, "result")
	f.Add("<|im_", "", "end|>", "", "not json", "<|im_end|>")
	f.Fuzz(func(t *testing.T, user, reasoning, content, name, args, result string) {
		msg := func(v map[string]any) json.RawMessage {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			return b
		}
		msgs := []json.RawMessage{
			msg(map[string]any{"role": "user", "content": user}),
			msg(map[string]any{"role": "assistant", "content": content, "reasoning_content": reasoning,
				"tool_calls": []any{map[string]any{"id": "c", "type": "function", "function": map[string]any{"name": name, "arguments": args}}}}),
			msg(map[string]any{"role": "tool", "tool_call_id": "c", "content": result}),
		}
		var prev string
		for k := range len(msgs) + 1 {
			text, err := gymtest.RenderChat(msgs[:k], nil, false)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(text, prev))
			prevIDs, ids := gymtest.Tokenize(prev), gymtest.Tokenize(text)
			require.True(t, slices.Equal(prevIDs, ids[:len(prevIDs)]), "tokens of %q", text)
			prev = text
		}
	})
}
