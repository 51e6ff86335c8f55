package model_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func params(t *testing.T, js string) rollout.Params {
	t.Helper()
	o, err := rollout.ParseObject([]byte(js))
	require.NoError(t, err)
	return rollout.Params{Object: o}
}

func parseItems(t *testing.T, jsons ...string) []rollout.Item {
	t.Helper()
	items, err := rollout.ParseItems([]byte("[" + strings.Join(jsons, ",") + "]"))
	require.NoError(t, err)
	return items
}

func TestRequestAppendJSON(t *testing.T) {
	in := parseItems(t,
		`{"type":"message","role":"user","content":"hi"}`,
		`{"type":"function_call","call_id":"c1","name":"f","arguments":"{}","prompt_token_ids":[1,2]}`,
	)
	const inJSON = `[{"type":"message","role":"user","content":"hi"},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}","prompt_token_ids":[1,2]}]`
	tests := []struct {
		name   string
		params string
		input  []rollout.Item
		want   string
	}{
		{"input replaced, other params kept in order",
			`{"temperature": 0.5, "input": "old", "tools": [{"type":"function","name":"f"}], "metadata": {"k": "v"}}`, in,
			`{"temperature":0.5,"tools": [{"type":"function","name":"f"}],"metadata":{"k": "v"},"input":` + inJSON + `}`},
		{"no input in params", `{"max_output_tokens": 10}`, in,
			`{"max_output_tokens":10,"input":` + inJSON + `}`},
		{"input only", `{"input": [{"role":"user","content":"old"}]}`, in, `{"input":` + inJSON + `}`},
		{"empty params", `{}`, in, `{"input":` + inJSON + `}`},
		{"zero Params", ``, in, `{"input":` + inJSON + `}`},
		{"no input items", `{"top_p": 1}`, nil, `{"top_p":1,"input":[]}`},
		{"keys that need escaping", `{"a\"b": 1, "\u00e9\n": 2, "\u0001": 3}`, nil,
			`{"a\"b":1,"\u00e9\n":2,"\u0001":3,"input":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p rollout.Params
			if tt.params != "" {
				p = params(t, tt.params)
			}
			req := &model.Request{Params: p, Input: tt.input, ID: rollout.ID{Task: 1, Rollout: 2, Attempt: 3, UID: "not sent"}}
			got := req.AppendJSON(nil)
			require.True(t, json.Valid(got), "%s", got)
			require.JSONEq(t, tt.want, string(got))
			require.NotContains(t, string(got), "not sent")

			// Keys and their order survive.
			o, err := rollout.ParseObject(got)
			require.NoError(t, err)
			var keys, wantKeys []string
			for _, f := range o.Fields() {
				keys = append(keys, f.Name)
			}
			w, err := rollout.ParseObject([]byte(tt.want))
			require.NoError(t, err)
			for _, f := range w.Fields() {
				wantKeys = append(wantKeys, f.Name)
			}
			require.Equal(t, wantKeys, keys)

			m, err := req.MarshalJSON()
			require.NoError(t, err)
			require.Equal(t, string(got), string(m))
			require.Equal(t, "prefix"+string(got), string(req.AppendJSON([]byte("prefix"))))
		})
	}
}

func TestFunc(t *testing.T) {
	want := model.NewResponse()
	var got *model.Request
	m := model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		got = req
		return want, nil
	})
	req := &model.Request{ID: rollout.NewID(0, 0, 1)}
	resp, err := m.Respond(context.Background(), req)
	require.NoError(t, err)
	require.Same(t, want, resp)
	require.Same(t, req, got)
}

func TestNewResponse(t *testing.T) {
	msg := rollout.NewOutputMessage("msg_1", "hello")
	r := model.NewResponse(msg)
	require.Equal(t, "response", r.String("object"))
	require.Equal(t, "completed", r.String("status"))
	require.True(t, strings.HasPrefix(r.String("id"), "resp_"))
	require.False(t, r.Incomplete())
	require.Len(t, r.Output, 1)

	var decoded struct {
		ID     string `json:"id"`
		Output []struct {
			ID string `json:"id"`
		} `json:"output"`
	}
	require.NoError(t, json.Unmarshal(r.AppendJSON(nil), &decoded))
	require.Equal(t, r.String("id"), decoded.ID)
	require.Len(t, decoded.Output, 1)
	require.Equal(t, "msg_1", decoded.Output[0].ID)

	empty := model.NewResponse()
	require.Equal(t, `{"id":"`+empty.String("id")+`","object":"response","status":"completed","output":[]}`, string(empty.AppendJSON(nil)))
	empty.SetUsage(rollout.Usage{TotalTokens: 3})
	require.Regexp(t, `^\{"id":"resp_[0-9a-f]+","object":"response","status":"completed","output":\[\],"usage":\{.*"total_tokens":3\}\}$`,
		string(empty.AppendJSON(nil)), "output keeps its place before fields set later, as in OpenAI's layout")
}

func TestNewResponseIDsAreUnique(t *testing.T) {
	const goroutines, each = 8, 500
	ids := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				ids[g] = append(ids[g], model.NewResponse().String("id"))
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, list := range ids {
		for _, id := range list {
			require.False(t, seen[id], "duplicate id %s", id)
			seen[id] = true
		}
	}
	require.Len(t, seen, goroutines*each)
}

// Short item constructors for the turn tables: fc(n) is a function call with
// call id c<n>, fco(n) its output, msg(s) an assistant message, rs a
// reasoning item.
func fc(n string) rollout.Item  { return rollout.NewFunctionCall("c"+n, "tool", `{"n":`+n+`}`) }
func fco(n string) rollout.Item { return rollout.NewFunctionCallOutput("c"+n, "out "+n) }
func msg(s string) rollout.Item { return rollout.NewOutputMessage("m_"+s, s) }

var rs = rollout.Item{Object: func() rollout.Object {
	o, _ := rollout.ParseObject([]byte(`{"type":"reasoning","summary":[{"type":"summary_text","text":"hm"}]}`))
	return o
}()}

// js returns the items as JSON lines, for readable comparisons.
func js(items ...rollout.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, string(it.AppendJSON(nil)))
	}
	return out
}

func jsTurns(turns [][]rollout.Item) [][]string {
	out := [][]string{}
	for _, tr := range turns {
		out = append(out, js(tr...))
	}
	return out
}

func TestSplitTurns(t *testing.T) {
	tests := []struct {
		name     string
		recorded []rollout.Item
		want     [][]rollout.Item
	}{
		{"one message", []rollout.Item{msg("a")}, [][]rollout.Item{{msg("a")}}},
		{"sequential calls",
			[]rollout.Item{fc("1"), fco("1"), fc("2"), fco("2"), msg("done")},
			[][]rollout.Item{{fc("1")}, {fc("2")}, {msg("done")}}},
		{"parallel calls",
			[]rollout.Item{fc("1"), fc("2"), fco("1"), fco("2"), msg("done")},
			[][]rollout.Item{{fc("1"), fc("2")}, {msg("done")}}},
		{"reasoning and messages with calls",
			[]rollout.Item{rs, msg("let me look"), fc("1"), fco("1"), rs, msg("done")},
			[][]rollout.Item{{rs, msg("let me look"), fc("1")}, {rs, msg("done")}}},
		{"ends with tool outputs (max steps)",
			[]rollout.Item{fc("1"), fco("1"), fc("2"), fco("2")},
			[][]rollout.Item{{fc("1")}, {fc("2")}}},
		{"empty", nil, [][]rollout.Item{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, jsTurns(tt.want), jsTurns(model.SplitTurns(tt.recorded)))
		})
	}
}

// replay plays a recording through a minimal tool loop and returns the
// turns the model gave.
func replay(t *testing.T, m model.Model, input []rollout.Item, recorded []rollout.Item) [][]rollout.Item {
	t.Helper()
	outputs := map[string]rollout.Item{}
	for _, it := range recorded {
		if it.Type() == rollout.TypeFunctionCallOutput {
			outputs[it.CallID()] = it
		}
	}
	history := append([]rollout.Item(nil), input...)
	var turns [][]rollout.Item
	for range len(recorded) + 1 {
		resp, err := m.Respond(context.Background(), &model.Request{Input: history})
		require.NoError(t, err)
		turns = append(turns, resp.Output)
		history = append(history, resp.Output...)
		calls := 0
		for _, it := range resp.Output {
			if it.Type() == rollout.TypeFunctionCall {
				calls++
				history = append(history, outputs[it.CallID()])
			}
		}
		if calls == 0 {
			return turns
		}
	}
	t.Fatal("the replay did not end")
	return nil
}

func TestReplay(t *testing.T) {
	user := rollout.NewMessage("user", "go")
	tests := []struct {
		name     string
		input    []rollout.Item
		recorded []rollout.Item
	}{
		{"sequential", []rollout.Item{user}, []rollout.Item{fc("1"), fco("1"), fc("2"), fco("2"), msg("done")}},
		{"parallel", []rollout.Item{user}, []rollout.Item{fc("1"), fc("2"), fco("1"), fco("2"), msg("done")}},
		{"no calls", []rollout.Item{user}, []rollout.Item{rs, msg("done")}},
		{"the row's input already has tool outputs",
			[]rollout.Item{user, fc("0"), fco("0"), msg("earlier"), user},
			[]rollout.Item{fc("1"), fco("1"), msg("done")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := model.Replay(tt.recorded)
			require.Equal(t, jsTurns(model.SplitTurns(tt.recorded)), jsTurns(replay(t, m, tt.input, tt.recorded)))
		})
	}
}

func TestReplayResponses(t *testing.T) {
	m := model.Replay([]rollout.Item{fc("1"), fco("1"), msg("done")})
	a, err := m.Respond(context.Background(), &model.Request{})
	require.NoError(t, err)
	b, err := m.Respond(context.Background(), &model.Request{})
	require.NoError(t, err)
	require.Equal(t, js(a.Output...), js(b.Output...), "stateless: the same input gives the same turn")
	require.NotEqual(t, a.String("id"), b.String("id"))
	require.Equal(t, "completed", a.String("status"))
}

// Each call gets a response of its own: a caller that adds to or changes
// its output (attaching token data, say) touches neither the recording
// nor the response of a concurrent rollout.
func TestReplayResponsesAreIndependent(t *testing.T) {
	recorded := []rollout.Item{rs, msg("a"), msg("b")}
	m := model.Replay(recorded)
	a, err := m.Respond(context.Background(), &model.Request{})
	require.NoError(t, err)
	b, err := m.Respond(context.Background(), &model.Request{})
	require.NoError(t, err)
	a.Output = append(a.Output, msg("added to a"))
	b.Output = append(b.Output, msg("added to b"))
	require.Equal(t, "added to a", a.Output[3].Text())
	a.Output[1].SetTokens(&rollout.Tokens{PromptIDs: []int{1}, GenerationIDs: []int{2}, LogProbs: []float64{-1}})
	a.Output[2].Set("content", rollout.Quote("changed"))
	require.False(t, b.Output[1].Has(rollout.KeyPromptTokenIDs))
	require.Equal(t, "b", b.Output[2].Text())
	c, err := m.Respond(context.Background(), &model.Request{})
	require.NoError(t, err)
	require.Equal(t, js(recorded...), js(c.Output...))
}

func TestReplayPastTheRecording(t *testing.T) {
	m := model.Replay([]rollout.Item{fc("1"), fco("1"), fc("2"), fco("2")})
	_, err := m.Respond(context.Background(), &model.Request{Input: []rollout.Item{fc("1"), fco("1"), fc("2"), fco("2")}})
	require.ErrorContains(t, err, "call 3 asked, the recording has 2 model turns")

	_, err = model.Replay(nil).Respond(context.Background(), &model.Request{})
	require.ErrorContains(t, err, "call 1 asked, the recording has 0 model turns")
}

// The episodes NeMo Gym recorded split into as many model turns as the
// agent made model calls: one per run of tool outputs, plus the last.
func TestSplitTurnsOfReferenceRollouts(t *testing.T) {
	path := reftest.Path(t, "resources_servers", "example_multi_step", "data", "example_rollouts.jsonl")
	n := 0
	for res, err := range rollout.ReadResults(openFile(t, path), path) {
		require.NoError(t, err)
		n++
		out := res.Response.Output
		turns := model.SplitTurns(out)
		runs, calls, outputs := 0, 0, 0
		for i, it := range out {
			switch it.Type() {
			case rollout.TypeFunctionCallOutput:
				outputs++
				if i == 0 || out[i-1].Type() != rollout.TypeFunctionCallOutput {
					runs++
				}
			case rollout.TypeFunctionCall:
				calls++
			}
		}
		require.Equal(t, calls, outputs)
		require.NotZero(t, runs)
		require.Len(t, turns, runs+1)
		flat := 0
		for _, tr := range turns {
			flat += len(tr)
		}
		require.Equal(t, len(out)-outputs, flat, "every non-output item is in a turn")
	}
	require.NotZero(t, n)
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func ExampleSplitTurns() {
	recorded := []rollout.Item{
		rollout.NewFunctionCall("c1", "get_weather", `{"city": "Paris"}`),
		rollout.NewFunctionCall("c2", "get_weather", `{"city": "Rome"}`),
		rollout.NewFunctionCallOutput("c1", `{"weather": "cold"}`),
		rollout.NewFunctionCallOutput("c2", `{"weather": "warm"}`),
		rollout.NewOutputMessage("msg_1", "Paris is cold, Rome is warm."),
	}
	for i, turn := range model.SplitTurns(recorded) {
		for _, it := range turn {
			fmt.Println(i, it.Type(), it.CallID()+it.Text())
		}
	}
	// Output:
	// 0 function_call c1
	// 0 function_call c2
	// 1 message Paris is cold, Rome is warm.
}
