package rollout_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func TestParseTaskValid(t *testing.T) {
	for _, in := range []string{
		`{"responses_create_params":{"input":"hi"}}`,
		`{"responses_create_params":{"input":[]}}`,
		`{"responses_create_params":{"input": [{"role":"user","content":"x"}]}}`,
		`{"responses_create_params":{}}`,
		`{"responses_create_params":{"input":"hi"},"agent_ref":{"type":"responses_api_agents","name":"a"}}`,
		`{"responses_create_params":{"input":"hi"},"agent_ref":{"name":"a"}}`,
		`{"responses_create_params":{"input":"hi"},"agent_ref":null}`,
		`{"id":7,"responses_create_params":{"input":"hi","tools":[]},"expected":["x"]}`,
	} {
		task, err := rollout.ParseTask([]byte(in))
		require.NoError(t, err, in)
		require.NoError(t, task.Validate(), in)
		requireSameTokens(t, []byte(in), task.AppendJSON(nil))
	}
}

func TestTaskValidate(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
	}{
		{`{}`, `missing "responses_create_params"`},
		{`{"input":"hi"}`, `missing "responses_create_params"`},
		{`{"responses_create_params":null}`, `"responses_create_params"`},
		{`{"responses_create_params":"hi"}`, `"responses_create_params"`},
		{`{"responses_create_params":[{"input":"hi"}]}`, `"responses_create_params"`},
		{`{"responses_create_params":{"input":1}}`, `"responses_create_params".input`},
		{`{"responses_create_params":{"input":{"role":"user"}}}`, `"responses_create_params".input`},
		{`{"responses_create_params":{"input":null}}`, `"responses_create_params".input`},
		{`{"responses_create_params":{"input":true}}`, `"responses_create_params".input`},
		{`{"responses_create_params":{"input":"hi"},"agent_ref":{"name":1}}`, `"agent_ref".name`},
		{`{"responses_create_params":{"input":"hi"},"agent_ref":{"type":"responses_api_agents"}}`, `"agent_ref".name`},
		{`{"responses_create_params":{"input":"hi"},"agent_ref":{"name":null}}`, `"agent_ref".name`},
		{`{"responses_create_params":{"input":"hi"},"agent_ref":"simple_agent"}`, `"agent_ref"`},
		{`{"responses_create_params":{"input":"hi"},"agent_ref":[]}`, `"agent_ref"`},
	}
	for _, c := range cases {
		_, err := rollout.ParseTask([]byte(c.in))
		require.Error(t, err, c.in)
		require.Contains(t, err.Error(), c.wantErr, c.in)

		// Validate reports the same on a row built without ParseTask.
		o, perr := rollout.ParseObject([]byte(c.in))
		require.NoError(t, perr)
		require.Error(t, rollout.Task{Object: o}.Validate(), c.in)
	}
	_, err := rollout.ParseTask([]byte(`{"input":"hi"}`))
	require.ErrorIs(t, err, rollout.ErrNoCreateParams)
	_, err = rollout.ParseTask([]byte(`[]`))
	require.ErrorIs(t, err, rollout.ErrNotObject)
	_, err = rollout.ParseTask([]byte(`{"responses_create_params":`))
	require.Error(t, err)
	var zero rollout.Task
	require.ErrorIs(t, zero.Validate(), rollout.ErrNoCreateParams)
}

func TestTaskAgent(t *testing.T) {
	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"hi"},"x":1}`))
	require.NoError(t, err)
	require.Empty(t, task.AgentName())

	named := task.WithAgent(`my "agent"`)
	require.Equal(t, `my "agent"`, named.AgentName())
	require.Empty(t, task.AgentName(), "WithAgent does not change the original row")
	require.False(t, task.Has(rollout.KeyAgentRef))
	require.NoError(t, named.Validate())
	require.Equal(t, `{"responses_create_params":{"input":"hi"},"x":1,"agent_ref":{"type":"responses_api_agents","name":"my \"agent\""}}`,
		string(named.AppendJSON(nil)))

	// Renaming keeps agent_ref's position.
	renamed := named.WithAgent("other")
	require.Equal(t, "other", renamed.AgentName())
	require.Equal(t, `my "agent"`, named.AgentName())
	require.Equal(t, []string{"responses_create_params", "x", "agent_ref"}, names(renamed.Object))

	first, err := rollout.ParseTask([]byte(`{"agent_ref":{"type":"responses_api_agents","name":"a"},"responses_create_params":{"input":"hi"}}`))
	require.NoError(t, err)
	require.Equal(t, "a", first.AgentName())
	require.Equal(t, []string{"agent_ref", "responses_create_params"}, names(first.WithAgent("b").Object))

	for _, in := range []string{`{"agent_ref":null}`, `{"agent_ref":"a"}`, `{"agent_ref":{"name":3}}`, `{"agent_ref":{}}`} {
		o, err := rollout.ParseObject([]byte(in))
		require.NoError(t, err)
		require.Empty(t, rollout.Task{Object: o}.AgentName(), in)
	}
	var ref rollout.AgentRef
	raw, _ := named.Get(rollout.KeyAgentRef)
	require.NoError(t, json.Unmarshal(raw, &ref))
	require.Equal(t, rollout.AgentRef{Type: rollout.AgentKind, Name: `my "agent"`}, ref)
}

func TestTaskParams(t *testing.T) {
	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"What is 2+2?","temperature":0.5,"tools":[{"type":"function","name":"calc","description":"adds","parameters":{"type":"object","properties":{"a":{"type":"number"}}},"strict":true}],"metadata":{"k":"v"}}}`))
	require.NoError(t, err)
	p, err := task.Params()
	require.NoError(t, err)

	input, err := p.Input()
	require.NoError(t, err)
	require.Len(t, input, 1)
	require.Equal(t, rollout.TypeMessage, input[0].Type())
	require.Equal(t, "user", input[0].Role())
	require.Equal(t, "What is 2+2?", input[0].Text())
	require.JSONEq(t, `{"type":"message","role":"user","content":"What is 2+2?"}`, string(input[0].AppendJSON(nil)))

	tools, err := p.Tools()
	require.NoError(t, err)
	require.Len(t, tools, 1)
	require.Equal(t, "function", tools[0].Type)
	require.Equal(t, "calc", tools[0].Name)
	require.Equal(t, "adds", tools[0].Description)
	require.JSONEq(t, `{"type":"object","properties":{"a":{"type":"number"}}}`, string(tools[0].Parameters))
	require.NotNil(t, tools[0].Strict)
	require.True(t, *tools[0].Strict)

	raw, ok := p.Get("temperature")
	require.True(t, ok)
	require.Equal(t, "0.5", string(raw))

	list, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":[{"role":"system","content":"sys"},{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]}]}}`))
	require.NoError(t, err)
	p, err = list.Params()
	require.NoError(t, err)
	input, err = p.Input()
	require.NoError(t, err)
	require.Len(t, input, 2)
	require.Equal(t, "system", input[0].Role())
	require.Equal(t, "sys", input[0].Text())
	require.Equal(t, "q", input[1].Text())
	tools, err = p.Tools()
	require.NoError(t, err)
	require.Empty(t, tools)

	none, err := rollout.ParseTask([]byte(`{"responses_create_params":{}}`))
	require.NoError(t, err)
	p, err = none.Params()
	require.NoError(t, err)
	input, err = p.Input()
	require.NoError(t, err)
	require.Empty(t, input)

	o, err := rollout.ParseObject([]byte(`{"responses_create_params":{"input":[1]}}`))
	require.NoError(t, err)
	p, err = rollout.Task{Object: o}.Params()
	require.NoError(t, err)
	_, err = p.Input()
	require.Error(t, err)

	o, err = rollout.ParseObject([]byte(`{"responses_create_params":{"tools":{"not":"a list"}}}`))
	require.NoError(t, err)
	p, err = rollout.Task{Object: o}.Params()
	require.NoError(t, err)
	_, err = p.Tools()
	require.Error(t, err)

	_, err = rollout.Task{}.Params()
	require.ErrorIs(t, err, rollout.ErrNoCreateParams)
}

func TestTaskWithFields(t *testing.T) {
	var row rollout.Task
	for task, err := range rollout.ReadTasks(strings.NewReader(`{"a":1,"responses_create_params":{"input":"hi"}}`+"\n"), "rows.jsonl") {
		require.NoError(t, err)
		row = task
	}
	c := row.WithFields(
		rollout.Field{Name: "a", Value: rollout.Int(2)},
		rollout.Field{Name: rollout.KeyTaskIndex, Value: rollout.Int(7)},
		rollout.Field{Name: rollout.KeyAgentRef, Value: rollout.AgentRefValue("env")})
	require.Equal(t, `{"a":2,"responses_create_params":{"input":"hi"},"_ng_task_index":7,"agent_ref":{"type":"responses_api_agents","name":"env"}}`, string(c.AppendJSON(nil)))
	require.Equal(t, `{"a":1,"responses_create_params":{"input":"hi"}}`, string(row.AppendJSON(nil)), "the row is not changed")
	require.Equal(t, "env", c.AgentName())
	path, line := c.Source()
	require.Equal(t, "rows.jsonl", path)
	require.Equal(t, 1, line)
	d := c.WithFields(rollout.Field{Name: "b", Value: rollout.Int(1)})
	e := c.WithFields(rollout.Field{Name: "b", Value: rollout.Int(2)})
	require.NotEqual(t, string(d.AppendJSON(nil)), string(e.AppendJSON(nil)), "copies do not share a member list")
	require.Panics(t, func() { row.WithFields(rollout.Field{Name: "x", Value: []byte("NaN")}) })
}
