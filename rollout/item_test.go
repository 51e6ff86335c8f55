package rollout_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func mustItem(t testing.TB, s string) rollout.Item {
	t.Helper()
	it, err := rollout.ParseItem([]byte(s))
	require.NoError(t, err)
	return it
}

func TestItemType(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"type":"message","role":"user","content":"hi"}`, rollout.TypeMessage},
		{`{"role":"user","content":"hi"}`, rollout.TypeMessage}, // an easy input message
		{`{"role":"system","content":[{"type":"input_text","text":"x"}]}`, rollout.TypeMessage},
		{`{"type":"function_call","name":"f","arguments":"{}","call_id":"c"}`, rollout.TypeFunctionCall},
		{`{"type":"function_call_output","call_id":"c","output":"r"}`, rollout.TypeFunctionCallOutput},
		{`{"type":"reasoning","summary":[]}`, rollout.TypeReasoning},
		{`{"type":"web_search_call","id":"w"}`, "web_search_call"},
		{`{"content":"no role, no type"}`, ""},
		{`{}`, ""},
		{`{"type":1,"role":"user"}`, rollout.TypeMessage},
	}
	for _, c := range cases {
		require.Equal(t, c.want, mustItem(t, c.in).Type(), c.in)
	}
}

func TestItemAccessors(t *testing.T) {
	call := mustItem(t, `{"type":"function_call","name":"get_weather","arguments":"{\"city\": \"Paris\"}","call_id":"call_1","id":"fc_1"}`)
	require.Equal(t, "get_weather", call.Name())
	require.Equal(t, `{"city": "Paris"}`, call.Arguments())
	require.Equal(t, "call_1", call.CallID())
	require.Empty(t, call.Role())
	require.Empty(t, call.Text())
	require.Empty(t, call.Output())

	out := mustItem(t, `{"type":"function_call_output","call_id":"call_1","output":"{\"temp\": 21}"}`)
	require.Equal(t, `{"temp": 21}`, out.Output())
	require.Equal(t, "call_1", out.CallID())

	parts := mustItem(t, `{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}`)
	require.Equal(t, "ab", parts.Output())
	weird := mustItem(t, `{"type":"function_call_output","call_id":"c","output":42}`)
	require.Empty(t, weird.Output())
}

func TestItemText(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"role":"user","content":"plain string"}`, "plain string"},
		{`{"type":"message","role":"user","content":"esc\u00e9\n"}`, "escé\n"},
		{`{"type":"message","role":"user","content":[{"type":"input_text","text":"one "},{"type":"input_text","text":"two"}]}`, "one two"},
		{`{"type":"message","role":"assistant","content":[{"type":"output_text","annotations":[],"text":"answer","logprobs":null}]}`, "answer"},
		{`{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"no"},{"type":"output_text","text":"x"}]}`, "x"},
		{`{"type":"message","role":"user","content":[]}`, ""},
		{`{"type":"message","role":"user"}`, ""},
		{`{"type":"message","role":"user","content":null}`, ""},
		{`{"type":"message","role":"user","content":7}`, ""},
		{`{"type":"reasoning","summary":[{"type":"summary_text","text":"think "},{"type":"summary_text","text":"more"}],"content":"ignored"}`, "think more"},
		{`{"type":"reasoning","summary":[]}`, ""},
	}
	for _, c := range cases {
		require.Equal(t, c.want, mustItem(t, c.in).Text(), c.in)
	}
}

func TestItemConstructors(t *testing.T) {
	text := "say \"hi\" <b>&</b>\n é"
	cases := []struct {
		item rollout.Item
		want map[string]any
		typ  string
		keys []string
	}{
		{rollout.NewMessage("user", text), map[string]any{"type": "message", "role": "user", "content": text}, rollout.TypeMessage,
			[]string{"type", "role", "content"}},
		{rollout.NewOutputMessage("msg_1", text), map[string]any{
			"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
			"content": []any{map[string]any{"type": "output_text", "annotations": []any{}, "text": text}},
		}, rollout.TypeMessage, []string{"id", "type", "role", "status", "content"}},
		{rollout.NewFunctionCall("call_1", "lookup", `{"q": "x"}`), map[string]any{
			"type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": `{"q": "x"}`, "status": "completed",
		}, rollout.TypeFunctionCall, []string{"type", "call_id", "name", "arguments", "status"}},
		{rollout.NewFunctionCallOutput("call_1", `{"r": 1}`), map[string]any{
			"type": "function_call_output", "call_id": "call_1", "output": `{"r": 1}`,
		}, rollout.TypeFunctionCallOutput, []string{"type", "call_id", "output"}},
	}
	for _, c := range cases {
		b := c.item.AppendJSON(nil)
		require.True(t, json.Valid(b), "%s", b)
		require.Equal(t, c.want, decodeAny(t, b))
		require.Equal(t, c.typ, c.item.Type())
		require.Equal(t, c.keys, topKeys(t, b))

		m, err := c.item.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, string(b), string(m))

		back := mustItem(t, string(b))
		require.Equal(t, string(b), string(back.AppendJSON(nil)))
	}
	require.Equal(t, text, rollout.NewMessage("user", text).Text())
	require.Equal(t, "user", rollout.NewMessage("user", text).Role())
	require.Equal(t, text, rollout.NewOutputMessage("m", text).Text())
	require.Equal(t, "assistant", rollout.NewOutputMessage("m", text).Role())
	fc := rollout.NewFunctionCall("c", "n", "{}")
	require.Equal(t, "c", fc.CallID())
	require.Equal(t, "n", fc.Name())
	require.Equal(t, "{}", fc.Arguments())
	require.Equal(t, "out", rollout.NewFunctionCallOutput("c", "out").Output())
}

func TestItemClone(t *testing.T) {
	it := mustItem(t, `{"type":"message","role":"user","content":"a"}`)
	c := it.Clone()
	c.Set("content", rollout.Quote("b"))
	c.Set("generation_token_ids", json.RawMessage(`[1,2]`))
	require.Equal(t, "a", it.Text())
	require.False(t, it.Has("generation_token_ids"))
	require.Equal(t, "b", c.Text())
}

func TestParseItem(t *testing.T) {
	_, err := rollout.ParseItem([]byte(`[1]`))
	require.ErrorIs(t, err, rollout.ErrNotObject)
	require.Contains(t, err.Error(), "rollout: item")
	_, err = rollout.ParseItem([]byte(`{"type":`))
	require.Error(t, err)
}

func TestParseItems(t *testing.T) {
	in := ` [ {"type":"message","role":"user","content":"a"} ,
		{"type":"function_call","name":"f","arguments":"{}","call_id":"1","prompt_token_ids":[1,2]},{"role":"user","content":"]"} ] `
	items, err := rollout.ParseItems(json.RawMessage(in))
	require.NoError(t, err)
	require.Len(t, items, 3)
	require.Equal(t, rollout.TypeMessage, items[0].Type())
	require.Equal(t, rollout.TypeFunctionCall, items[1].Type())
	raw, ok := items[1].Get("prompt_token_ids")
	require.True(t, ok)
	require.Equal(t, "[1,2]", string(raw))
	require.Equal(t, "]", items[2].Text())

	for _, empty := range []string{`[]`, ` [ ] `, `null`} {
		items, err := rollout.ParseItems(json.RawMessage(empty))
		require.NoError(t, err, empty)
		require.Empty(t, items, empty)
	}

	bad := []string{
		``, `{}`, `"x"`, `1`, `[1]`, `["a"]`, `[null]`, `[[]]`, `[{}`, `[{},`, `[{},]`, `[{}{}]`,
		`[{} {}]`, `[{}]]`, `[{}] x`, `[{"a":}]`, `nul`, `[,{}]`, `[{"a":1]`,
	}
	for _, in := range bad {
		_, err := rollout.ParseItems(json.RawMessage(in))
		require.Error(t, err, "%q", in)
	}
}

func TestResponse(t *testing.T) {
	in := `{"id":"resp_1","created_at":1.7e9,"output":[{"type":"reasoning","summary":[]},{"type":"function_call","name":"f","arguments":"{}","call_id":"c"},{"type":"message","role":"assistant","content":"done"}],"usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":2},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":15},"incomplete_details":null,"x_unknown":{"keep":true}}`
	r, err := rollout.ParseResponse([]byte(in))
	require.NoError(t, err)
	require.Len(t, r.Output, 3)
	require.Equal(t, []string{rollout.TypeReasoning, rollout.TypeFunctionCall, rollout.TypeMessage},
		[]string{r.Output[0].Type(), r.Output[1].Type(), r.Output[2].Type()})
	requireSameTokens(t, []byte(in), r.AppendJSON(nil))
	require.False(t, r.Incomplete())
	require.Empty(t, r.IncompleteReason())

	u := r.Usage()
	require.Equal(t, 10, u.InputTokens)
	require.Equal(t, 2, u.InputTokensDetails.CachedTokens)
	require.Equal(t, 5, u.OutputTokens)
	require.Equal(t, 1, u.OutputTokensDetails.ReasoningTokens)
	require.Equal(t, 15, u.TotalTokens)
	u.Add(u)
	require.Equal(t, 20, u.InputTokens)
	require.Equal(t, 4, u.InputTokensDetails.CachedTokens)
	require.Equal(t, 10, u.OutputTokens)
	require.Equal(t, 2, u.OutputTokensDetails.ReasoningTokens)
	require.Equal(t, 30, u.TotalTokens)
	r.SetUsage(u)
	require.Equal(t, u, r.Usage())
	require.Equal(t, []string{"id", "created_at", "output", "usage", "incomplete_details", "x_unknown"}, topKeys(t, r.AppendJSON(nil)),
		"SetUsage keeps the position of usage")

	// Output can be changed; the output member keeps its place.
	r.Output = append(r.Output, rollout.NewFunctionCallOutput("c", "ok"))
	var back struct {
		Output []map[string]any
	}
	require.NoError(t, json.Unmarshal(r.AppendJSON(nil), &back))
	require.Len(t, back.Output, 4)
	require.Equal(t, "function_call_output", back.Output[3]["type"])

	// Marshalling a Response value or pointer gives the same JSON.
	byPtr, err := json.Marshal(r)
	require.NoError(t, err)
	byVal, err := json.Marshal(*r)
	require.NoError(t, err)
	require.Equal(t, string(byPtr), string(byVal))
	var wrapped struct {
		Response rollout.Response `json:"response"`
	}
	wrapped.Response = *r
	b, err := json.Marshal(wrapped)
	require.NoError(t, err)
	require.True(t, json.Valid(b))

	var un rollout.Response
	require.NoError(t, json.Unmarshal(byPtr, &un))
	require.Len(t, un.Output, 4)
	require.Equal(t, string(byPtr), string(un.AppendJSON(nil)))
}

func TestResponseIncomplete(t *testing.T) {
	r, err := rollout.ParseResponse([]byte(`{"output":[],"incomplete_details":{"reason":"max_output_tokens"}}`))
	require.NoError(t, err)
	require.True(t, r.Incomplete())
	require.Equal(t, "max_output_tokens", r.IncompleteReason())

	r, err = rollout.ParseResponse([]byte(`{"status":"completed"}`))
	require.NoError(t, err)
	require.False(t, r.Incomplete())
	require.Empty(t, r.Output)
	require.Equal(t, rollout.Usage{}, r.Usage())
	require.Equal(t, `{"status":"completed","output":[]}`, string(r.AppendJSON(nil)), "output is always written")
}

func TestResponseZeroValue(t *testing.T) {
	var r rollout.Response
	require.Equal(t, `{"output":[]}`, string(r.AppendJSON(nil)))
	r.Output = []rollout.Item{rollout.NewMessage("user", "x")}
	r.Set("id", rollout.Quote("resp"))
	require.Equal(t, `{"id":"resp","output":[{"type":"message","role":"user","content":"x"}]}`, string(r.AppendJSON(nil)))
}

func TestParseResponseErrors(t *testing.T) {
	for _, in := range []string{`[]`, `{"output":{}}`, `{"output":[1]}`, `{"output":"x"}`, `{"output":[{}`, `null`} {
		_, err := rollout.ParseResponse([]byte(in))
		require.Error(t, err, in)
	}
}

func TestArgumentsJSON(t *testing.T) {
	for _, args := range []string{`{"city":"Paris"}`, `{"q":"a \"quoted\" \u00e9 word\n"}`, ``, `not json`} {
		it := rollout.NewFunctionCall("c1", "f", args)
		require.Equal(t, it.Arguments(), string(it.ArgumentsJSON()), "arguments %q", args)
	}
	var none rollout.Item
	require.Nil(t, none.ArgumentsJSON())
	obj, err := rollout.ParseItem([]byte(`{"type":"function_call","arguments":{"city":"Paris"}}`))
	require.NoError(t, err)
	require.Nil(t, obj.ArgumentsJSON(), "arguments that are not a string")
	require.Equal(t, "", obj.Arguments())
}
