package rollout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func mustTask(t testing.TB, s string) rollout.Task {
	t.Helper()
	task, err := rollout.ParseTask([]byte(s))
	require.NoError(t, err)
	return task
}

func multiStepResponse(t testing.TB) *rollout.Response {
	t.Helper()
	r := &rollout.Response{Output: []rollout.Item{
		rollout.NewFunctionCall("call_1", "get_synonym_value", `{"synonym": "Arid"}`),
		rollout.NewFunctionCallOutput("call_1", `{"synonym_value": 1}`),
		rollout.NewOutputMessage("msg_1", "[1]"),
	}}
	r.Set("id", rollout.Quote("resp_1"))
	r.Set("output", nil)
	r.SetUsage(rollout.Usage{InputTokens: 10, OutputTokens: 3, TotalTokens: 13})
	return r
}

func TestResultLayout(t *testing.T) {
	var fields rollout.Object
	fields.Set("accuracy", json.RawMessage(`true`))
	fields.Set("set_overlap", rollout.Float(0.5))
	res := &rollout.Result{
		Task:         mustTask(t, `{"id":3,"responses_create_params":{"input":"q"},"expected":[1]}`),
		TaskIndex:    3,
		RolloutIndex: 2,
		Agent:        "multi_step_agent",
		Response:     multiStepResponse(t),
		Reward:       1,
		Fields:       fields,
		Rewards:      map[string]float64{"b": 1, "a": 0.25, "c": 1e-7},
	}
	out := res.AppendJSON(nil)
	require.Equal(t, []string{
		"id", "responses_create_params", "expected",
		"_ng_task_index", "_ng_rollout_index", "agent_ref", "response", "reward",
		"accuracy", "set_overlap", "reward_components",
	}, requireNoDuplicateKeys(t, out))

	s := string(out)
	require.Contains(t, s, `"_ng_task_index":3,"_ng_rollout_index":2,"agent_ref":{"type":"responses_api_agents","name":"multi_step_agent"},"response":{"id":"resp_1","output":[`)
	require.Contains(t, s, `"reward":1.0,"accuracy":true,"set_overlap":0.5,"reward_components":{"a":0.25,"b":1.0,"c":1e-07}}`)

	var row struct {
		Response struct {
			Output []map[string]any
			Usage  rollout.Usage
		}
	}
	require.NoError(t, json.Unmarshal(out, &row))
	require.Len(t, row.Response.Output, 3)
	require.Equal(t, []any{"function_call", "function_call_output", "message"},
		[]any{row.Response.Output[0]["type"], row.Response.Output[1]["type"], row.Response.Output[2]["type"]})
	require.Equal(t, 13, row.Response.Usage.TotalTokens)

	m, err := json.Marshal(res)
	require.NoError(t, err)
	require.Equal(t, s, string(m))
	require.Equal(t, "prefix"+s, string(res.AppendJSON([]byte("prefix"))))
}

func TestResultRewardFormatting(t *testing.T) {
	for _, c := range []struct {
		reward float64
		want   string
	}{
		{1, `"reward":1.0`},
		{0, `"reward":0.0`},
		{0.5, `"reward":0.5`},
		{1e-7, `"reward":1e-07`},
		{-1, `"reward":-1.0`},
		{100, `"reward":100.0`},
		{2.5e6, `"reward":2500000.0`},
	} {
		res := &rollout.Result{Task: mustTask(t, `{"responses_create_params":{}}`), Reward: c.reward}
		out := res.AppendJSON(nil)
		require.Contains(t, string(out), c.want)
		require.True(t, json.Valid(out))
	}
}

func TestResultMinimal(t *testing.T) {
	var res rollout.Result
	require.Equal(t, `{"_ng_task_index":0,"_ng_rollout_index":0,"reward":0.0}`, string(res.AppendJSON(nil)))
	res.Task = mustTask(t, `{"responses_create_params":{}}`)
	require.Equal(t, `{"responses_create_params":{},"_ng_task_index":0,"_ng_rollout_index":0,"reward":0.0}`, string(res.AppendJSON(nil)))
}

// A row that is itself an output row (re-verification, resume) has stale
// results; they are replaced, never written twice.
func TestResultReplacesStaleFields(t *testing.T) {
	stale := `{"responses_create_params":{"input":"q"},"id":1,` +
		`"response":{"output":[]},"reward":0.25,"accuracy":false,"reward_components":{"old":1.0},` +
		`"_ng_task_index":9,"_ng_rollout_index":9,"agent_ref":{"type":"responses_api_agents","name":"old_agent"},` +
		`"_ng_failure_class":"timeout","_ng_failure_stage":"model","_ng_failure_message":"slow",` +
		`"_ng_failure_retryable":true,"_ng_failure_status":504,"_ng_failure_stack":"..."}`
	var fields rollout.Object
	fields.Set("accuracy", json.RawMessage(`true`))
	fields.Set("reward", json.RawMessage(`0.75`)) // a verifier echoing reward in its fields
	res := &rollout.Result{
		Task:         mustTask(t, stale),
		TaskIndex:    1,
		RolloutIndex: 0,
		Agent:        "new_agent",
		Response:     multiStepResponse(t),
		Reward:       1,
		Fields:       fields,
		Rewards:      map[string]float64{"new": 1},
	}
	out := res.AppendJSON(nil)
	require.Equal(t, []string{
		"responses_create_params", "id",
		"_ng_task_index", "_ng_rollout_index", "agent_ref", "response", "reward",
		"accuracy", "reward_components",
	}, requireNoDuplicateKeys(t, out))
	var row map[string]any
	require.NoError(t, json.Unmarshal(out, &row))
	require.Equal(t, 1.0, row["reward"])
	require.Equal(t, true, row["accuracy"])
	require.Equal(t, 1.0, row["_ng_task_index"])
	require.Equal(t, 0.0, row["_ng_rollout_index"])
	require.Equal(t, map[string]any{"new": 1.0}, row["reward_components"])
	require.Equal(t, "new_agent", row["agent_ref"].(map[string]any)["name"])
	require.Len(t, row["response"].(map[string]any)["output"], 3)

	// A failure of that row drops the stale reward and results too.
	res.Err = rollout.Fail(rollout.FailModel, "model", errors.New("model down"))
	out = res.AppendJSON(nil)
	keys := requireNoDuplicateKeys(t, out)
	require.NotContains(t, keys, "reward")
	require.NotContains(t, keys, "reward_components")
	require.NotContains(t, keys, "_ng_failure_status")
	require.NotContains(t, keys, "_ng_failure_stack")
	require.NoError(t, json.Unmarshal(out, &row))
	require.Equal(t, "model_error", row["_ng_failure_class"])
	require.Equal(t, "model down", row["_ng_failure_message"])
}

// Verifier fields may not shadow the members the row writes itself: each
// key appears once and the row's own value wins.
func TestResultVerifierFieldsCannotDuplicate(t *testing.T) {
	var fields rollout.Object
	for _, k := range []string{rollout.KeyTaskIndex, rollout.KeyRolloutIndex, rollout.KeyAgentRef, rollout.KeyResponse, rollout.KeyReward, rollout.KeyComponents} {
		fields.Set(k, rollout.Quote("from verifier"))
	}
	fields.Set("responses_create_params", json.RawMessage(`{"input":"echoed"}`))
	res := &rollout.Result{
		Task:     mustTask(t, `{"responses_create_params":{"input":"q"}}`),
		Agent:    "a",
		Response: multiStepResponse(t),
		Reward:   0.5,
		Fields:   fields,
		Rewards:  map[string]float64{"x": 0.5},
	}
	out := res.AppendJSON(nil)
	requireNoDuplicateKeys(t, out)
	var row map[string]any
	require.NoError(t, json.Unmarshal(out, &row))
	require.Equal(t, 0.0, row[rollout.KeyTaskIndex])
	require.Equal(t, 0.0, row[rollout.KeyRolloutIndex])
	require.Equal(t, map[string]any{"type": "responses_api_agents", "name": "a"}, row[rollout.KeyAgentRef])
	require.IsType(t, map[string]any{}, row[rollout.KeyResponse])
	require.Equal(t, 0.5, row[rollout.KeyReward])
	require.Equal(t, map[string]any{"x": 0.5}, row[rollout.KeyComponents])
	require.Equal(t, map[string]any{"input": "echoed"}, row["responses_create_params"], "a verifier field replaces the task field")

	// Without components of its own the row writes the verifier's.
	res.Rewards = nil
	res.Fields = rollout.Object{}
	res.Fields.Set(rollout.KeyComponents, json.RawMessage(`{"y":1.0}`))
	out = res.AppendJSON(nil)
	requireNoDuplicateKeys(t, out)
	require.NoError(t, json.Unmarshal(out, &row))
	require.Equal(t, map[string]any{"y": 1.0}, row[rollout.KeyComponents])
}

func TestResultFailureRow(t *testing.T) {
	var fields rollout.Object
	fields.Set("id", json.RawMessage(`"from verifier"`)) // never written for a failure
	res := &rollout.Result{
		Task:         mustTask(t, `{"responses_create_params":{"input":"q"},"id":"task-7"}`),
		TaskIndex:    7,
		RolloutIndex: 1,
		Agent:        "agent",
		Response:     multiStepResponse(t),
		Reward:       1, // ignored: a failed rollout has no reward
		Fields:       fields,
		Rewards:      map[string]float64{"x": 1},
		Err: &rollout.Failure{Class: rollout.FailRemote, Stage: "verify", Retryable: true, Status: 503,
			Stack: "goroutine 1", Err: fmt.Errorf("POST /verify: %w", errors.New("unavailable"))},
	}
	require.True(t, res.Failed())
	out := res.AppendJSON(nil)
	require.Equal(t, []string{
		"responses_create_params", "id", "_ng_task_index", "_ng_rollout_index", "agent_ref", "response",
		"_ng_failure_class", "_ng_failure_stage", "_ng_failure_message", "_ng_failure_retryable",
		"_ng_failure_status", "_ng_failure_stack",
	}, requireNoDuplicateKeys(t, out))
	var row map[string]any
	require.NoError(t, json.Unmarshal(out, &row))
	require.Equal(t, "task-7", row["id"], "the task's data is kept in a failure row")
	require.Equal(t, "remote_server_error", row["_ng_failure_class"])
	require.Equal(t, "verify", row["_ng_failure_stage"])
	require.Equal(t, "POST /verify: unavailable", row["_ng_failure_message"])
	require.Equal(t, true, row["_ng_failure_retryable"])
	require.Equal(t, 503.0, row["_ng_failure_status"])
	require.Equal(t, "goroutine 1", row["_ng_failure_stack"])

	back, err := rollout.ParseResult(out)
	require.NoError(t, err)
	require.True(t, back.Failed())
	f := rollout.AsFailure(back.Err)
	require.Equal(t, rollout.FailRemote, f.Class)
	require.Equal(t, "verify", f.Stage)
	require.True(t, f.Retryable)
	require.Equal(t, 503, f.Status)
	require.Equal(t, "goroutine 1", f.Stack)
	require.Equal(t, "POST /verify: unavailable", f.Error())
	require.Equal(t, 7, back.TaskIndex)
	require.Equal(t, 1, back.RolloutIndex)
	require.Equal(t, "agent", back.Agent)
	require.Len(t, back.Response.Output, 3)
	for _, k := range []string{rollout.KeyFailureClass, rollout.KeyFailureMessage, rollout.KeyTaskIndex, rollout.KeyResponse} {
		require.False(t, back.Task.Has(k), k)
	}
	requireSameTokens(t, out, back.AppendJSON(nil))

	// A plain error is classified; a minimal failure writes no stage, status or stack.
	plain := &rollout.Result{Task: mustTask(t, `{"responses_create_params":{}}`), Err: errors.New("boom")}
	out = plain.AppendJSON(nil)
	require.Equal(t, `{"responses_create_params":{},"_ng_task_index":0,"_ng_rollout_index":0,`+
		`"_ng_failure_class":"agent_error","_ng_failure_message":"boom","_ng_failure_retryable":false}`, string(out))
	back, err = rollout.ParseResult(out)
	require.NoError(t, err)
	require.Equal(t, rollout.FailAgent, rollout.AsFailure(back.Err).Class)
	require.Nil(t, back.Response)
	require.Equal(t, string(out), string(back.AppendJSON(nil)))
}

func TestParseResultSuccessRoundTrip(t *testing.T) {
	var fields rollout.Object
	fields.Set("accuracy", rollout.Float(0.5))
	res := &rollout.Result{
		Task:         mustTask(t, `{"responses_create_params":{"input":"q"},"expected":"x"}`),
		TaskIndex:    4,
		RolloutIndex: 3,
		Agent:        "agent",
		Response:     multiStepResponse(t),
		Reward:       0.75,
		Fields:       fields,
		Rewards:      map[string]float64{"b": 0.5, "a": 1},
	}
	out := res.AppendJSON(nil)
	back, err := rollout.ParseResult(out)
	require.NoError(t, err)
	require.False(t, back.Failed())
	require.Equal(t, 4, back.TaskIndex)
	require.Equal(t, 3, back.RolloutIndex)
	require.Equal(t, "agent", back.Agent)
	require.Equal(t, 0.75, back.Reward)
	require.Equal(t, map[string]float64{"a": 1, "b": 0.5}, back.Rewards)
	require.Len(t, back.Response.Output, 3)
	require.Equal(t, "get_synonym_value", back.Response.Output[0].Name())
	require.Equal(t, 13, back.Response.Usage().TotalTokens)
	// Verifier fields of the earlier run are task data now.
	require.Equal(t, "x", back.Task.String("expected"))
	raw, ok := back.Task.Get("accuracy")
	require.True(t, ok)
	require.Equal(t, "0.5", string(raw))
	require.NoError(t, back.Task.Validate())

	requireJSONEqual(t, out, back.AppendJSON(nil))
	requireNoDuplicateKeys(t, back.AppendJSON(nil))
}

// agent_ref is written as the row had it when it names the same agent (NeMo
// Gym's hermes agent writes {"name": ...} alone).
func TestResultKeepsAgentRefAsWritten(t *testing.T) {
	in := `{"responses_create_params":{"input":"q"},"reward":1.0,"_ng_task_index":0,"_ng_rollout_index":0,"agent_ref":{"name":"hermes","extra":1}}`
	res, err := rollout.ParseResult([]byte(in))
	require.NoError(t, err)
	require.Equal(t, "hermes", res.Agent)
	requireJSONEqual(t, []byte(in), res.AppendJSON(nil))

	res.Agent = "other"
	var row map[string]any
	require.NoError(t, json.Unmarshal(res.AppendJSON(nil), &row))
	require.Equal(t, map[string]any{"type": "responses_api_agents", "name": "other"}, row["agent_ref"])

	// Without an agent the row's agent_ref stays in place.
	task := mustTask(t, `{"agent_ref":{"type":"responses_api_agents","name":"x"},"responses_create_params":{}}`)
	out := (&rollout.Result{Task: task}).AppendJSON(nil)
	require.Equal(t, []string{"agent_ref", "responses_create_params", "_ng_task_index", "_ng_rollout_index", "reward"}, requireNoDuplicateKeys(t, out))
}

func TestParseResultErrors(t *testing.T) {
	for _, in := range []string{
		`[]`, `{`, `null`,
		`{"_ng_task_index":"0"}`,
		`{"_ng_task_index":1.5}`,
		`{"_ng_rollout_index":true}`,
		`{"reward":"high"}`,
		`{"response":[]}`,
		`{"response":{"output":[1]}}`,
		`{"reward_components":{"a":"x"}}`,
		`{"reward_components":[1]}`,
	} {
		_, err := rollout.ParseResult([]byte(in))
		require.Error(t, err, in)
	}
	res, err := rollout.ParseResult([]byte(`{"response":null,"reward":null,"reward_components":null,"_ng_task_index":null}`))
	require.NoError(t, err)
	require.Nil(t, res.Response)
	require.Zero(t, res.Reward)
	require.Empty(t, res.Rewards)
	require.Zero(t, res.TaskIndex)
	require.Equal(t, 0, res.Task.Len(), "the null members are results, not task data")
}

func TestResultField(t *testing.T) {
	var fields rollout.Object
	fields.Set("accuracy", json.RawMessage(`true`))
	res := &rollout.Result{Fields: fields}
	raw, ok := res.Field("accuracy")
	require.True(t, ok)
	require.Equal(t, "true", string(raw))
	_, ok = res.Field("missing")
	require.False(t, ok)
}

func TestGroupMeanReward(t *testing.T) {
	g := &rollout.Group{Results: []*rollout.Result{
		{Reward: 1},
		{Reward: 0},
		{Reward: 0.5},
		{Reward: 100, Err: errors.New("failed")},
	}}
	require.InDelta(t, 0.5, g.MeanReward(), 1e-12)
	require.Zero(t, (&rollout.Group{}).MeanReward())
	require.Zero(t, (&rollout.Group{Results: []*rollout.Result{{Reward: 1, Err: errors.New("x")}}}).MeanReward())
	require.False(t, math.IsNaN(g.MeanReward()))
}

func TestSetUsageWritesWhatEncodingJSONWrites(t *testing.T) {
	u := rollout.Usage{InputTokens: 12, OutputTokens: 7, TotalTokens: 19}
	u.InputTokensDetails.CachedTokens = 3
	u.OutputTokensDetails.ReasoningTokens = -2
	var r rollout.Response
	r.SetUsage(u)
	raw, ok := r.Get("usage")
	require.True(t, ok)
	want, err := json.Marshal(u)
	require.NoError(t, err)
	require.Equal(t, string(want), string(raw))
	require.Equal(t, u, r.Usage())
	var none rollout.Response
	require.Equal(t, rollout.Usage{}, none.Usage())
}

func TestResponseEpisode(t *testing.T) {
	last, err := rollout.ParseResponse([]byte(`{"id":"r2","usage":{"input_tokens":1},"output":[],"status":"completed"}`))
	require.NoError(t, err)
	items := []rollout.Item{rollout.NewOutputMessage("m", "hi")}
	u := rollout.Usage{InputTokens: 5, OutputTokens: 2, TotalTokens: 7}
	ep := last.Episode(items, u)
	require.Equal(t, u, ep.Usage())
	require.Len(t, ep.Output, 1)
	require.Equal(t, rollout.Usage{InputTokens: 1}, last.Usage(), "the last response is not changed")
	a := ep.Object
	b := ep.Object
	a.Set("x", rollout.Int(1))
	b.Set("x", rollout.Int(2))
	ra, _ := a.Get("x")
	require.Equal(t, "1", string(ra), "copies do not share spare room")

	var none *rollout.Response
	empty := none.Episode(nil, rollout.Usage{})
	raw, ok := empty.Get("usage")
	require.True(t, ok)
	require.JSONEq(t, `{"input_tokens":0,"input_tokens_details":{"cached_tokens":0},"output_tokens":0,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":0}`, string(raw))
}
