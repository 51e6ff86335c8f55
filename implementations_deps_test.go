package gym_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

const judgeConfig = `
judged:
  resources_servers:
    judged_env:
      judge_model_server: {type: responses_api_models, name: judge}
judge:
  responses_api_models:
    fake_model: {}
policy:
  responses_api_models:
    fake_model: {}
judged_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: judged}
      model_server: {type: responses_api_models, name: policy}
other_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: judged}
      model_server: {type: responses_api_models, name: judge}
`

// A resources server built with AddResourcesWithDeps resolves a model of
// the config while the builder builds it (no deadlock on the builder's
// lock), and each instance is built once.
func TestAddResourcesWithDeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte(judgeConfig), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)

	builds := map[string]int{}
	im := gym.Builtin()
	im.AddModel("fake_model", func(s config.Server) (model.Model, error) {
		builds[s.Name]++
		name := s.Name
		return model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewOutputMessage("m", name)), nil
		}), nil
	})
	im.AddResourcesWithDeps("judged_env", func(s config.Server, deps gym.Deps) (gym.Resources, error) {
		builds[s.Name]++
		ref, err := s.Ref("judge_model_server")
		if err != nil {
			return gym.Resources{}, err
		}
		judge, err := deps.Model(ref)
		if err != nil {
			return gym.Resources{}, err
		}
		v := verifier.Func(func(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			resp, err := judge.Respond(ctx, &model.Request{})
			if err != nil {
				return nil, err
			}
			return verifier.Reward(1).Set("judge_said", verifier.LastMessage(resp.Output)), nil
		})
		return gym.Resources{Server: env.NewServer(), Verifier: v}, nil
	})

	done := make(chan struct{})
	var inst *gym.Instances
	go func() {
		defer close(done)
		inst, err = im.Build(cfg)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Build deadlocked")
	}
	require.NoError(t, err)
	require.Equal(t, map[string]int{"judged": 1, "judge": 1, "policy": 1}, builds)
	e, err := inst.Registry.Environment("judged_agent")
	require.NoError(t, err)
	verdict, err := e.Verifier.Verify(context.Background(), &verifier.Request{})
	require.NoError(t, err)
	var said string
	require.NoError(t, verdict.Field("judge_said", &said))
	require.Equal(t, "judge", said)
}

// A resources server whose judge has no Go implementation names it.
func TestAddResourcesWithDepsUnknownModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte(judgeConfig), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	im := gym.Builtin()
	im.AddResourcesWithDeps("judged_env", func(s config.Server, deps gym.Deps) (gym.Resources, error) {
		_, err := deps.Model(config.Ref{Type: config.Models, Name: "judge"})
		return gym.Resources{}, err
	})
	_, err = im.Registry(cfg)
	require.ErrorContains(t, err, `no Go implementation of responses_api_models "fake_model"`)
}
