package agent_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// NonExecuting calls the model once and verifies its response as it is:
// the function call it makes is not run, and no output is added for it.
func TestNonExecuting(t *testing.T) {
	calls := 0
	m := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		calls++
		return &rollout.Response{Output: []rollout.Item{rollout.NewFunctionCall("c1", "extract", `{"a": 1}`)}}, nil
	})
	ran := false
	tool := env.NewTool("extract", "Must not run.", func(ctx context.Context, in struct {
		A int `json:"a"`
	}) (int, error) {
		ran = true
		return in.A, nil
	})
	var seen *rollout.Response
	v := verifier.Func(func(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		seen = req.Response
		require.NotNil(t, req.Session)
		return verifier.Reward(1).Set("n", len(req.Response.Output)), nil
	})
	a := &agent.NonExecuting{Model: m, Resources: env.NewServer(tool), Verifier: v}
	var task rollout.Task
	task.Set(rollout.KeyCreateParams, json.RawMessage(`{"input": "extract a"}`))
	res, err := a.Run(context.Background(), task)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	require.False(t, ran)
	require.Len(t, seen.Output, 1)
	require.Equal(t, 1.0, res.Reward)
	require.Len(t, res.Response.Output, 1)

	// A row without responses_create_params is an invalid row.
	_, err = a.Run(context.Background(), rollout.Task{})
	require.Equal(t, rollout.FailInvalidRow, rollout.AsFailure(err).Class)
}
