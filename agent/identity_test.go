package agent_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// The identity of an attempt crosses HTTP as it travels in process: a
// remote agent runs under it, and a remote resources server's Seed and
// verifier see it.
func TestIdentityOverHTTP(t *testing.T) {
	id := rollout.ID{Task: 4, Rollout: 1, Attempt: 2, UID: "0123456789abcdef0123456789abcdef"}
	seen := map[string]rollout.ID{}
	srv := env.NewServer()
	srv.NewState = func(ctx context.Context, _ rollout.Task) (any, error) {
		seen["seed"], _ = rollout.IDFrom(ctx)
		return nil, nil
	}
	v := verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		seen["verify"] = req.ID
		return verifier.Reward(1), nil
	})
	h := env.NewHandler(srv, v)
	defer h.Close()
	resources := httptest.NewServer(h)
	defer resources.Close()
	remote := env.NewRemote(resources.URL)

	simple := &agent.Simple{
		Model: model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
			seen["model"] = req.ID
			return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
		}),
		Resources: remote, Verifier: remote.Verifier(),
	}
	agents := httptest.NewServer(agent.Handler(simple))
	defer agents.Close()

	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"hi"},"_ng_task_index":4,"_ng_rollout_index":1}`))
	require.NoError(t, err)
	res, err := agent.NewRemote(agents.URL).Run(rollout.WithID(context.Background(), id), task)
	require.NoError(t, err)
	require.Equal(t, 1.0, res.Reward)
	require.Equal(t, map[string]rollout.ID{"seed": id, "model": id, "verify": id}, seen)
	require.Empty(t, res.Fields.Fields(), "the identity is bookkeeping, not a verifier field")
}
