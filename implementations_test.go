package gym_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/verifier"
)

func loadYAML(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	return cfg
}

const twoAgents = `
weather:
  resources_servers:
    weather_env: {}
weather_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: weather}
      model_server: {type: responses_api_models, name: policy_model}
      max_steps: 3
      model_timeout: 30s
other_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: weather}
      model_server: {type: responses_api_models, name: policy_model}
policy_model:
  responses_api_models:
    openai_model:
      openai_base_url: http://127.0.0.1:1/v1
      openai_api_key: k
      openai_model: m
unused_model:
  responses_api_models:
    openai_model:
      openai_base_url: http://127.0.0.1:2/v1
      openai_model: m2
`

func TestImplementationsBuildFromConfig(t *testing.T) {
	im := gym.Builtin()
	seeded := 0
	im.AddResources("weather_env", func(config.Server) (gym.Resources, error) {
		seeded++
		return gym.Resources{Server: env.NewServer(), Verifier: verifier.Constant(1)}, nil
	})
	cfg := loadYAML(t, twoAgents)
	reg, err := im.Registry(cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"other_agent", "weather_agent"}, reg.Names())
	e, err := reg.Environment("weather_agent")
	require.NoError(t, err)
	require.Equal(t, 3, e.MaxSteps)
	require.Equal(t, 30*time.Second, e.ModelTimeout)
	require.Zero(t, e.ToolTimeout, "unset: the default")
	require.Equal(t, 1, seeded, "a resources server named by two agents is built once")

	inst, err := im.Build(cfg)
	require.NoError(t, err)
	require.Len(t, inst.Models, 2, "Build builds unused instances too")
	require.Len(t, inst.Resources, 1)
}

// A simple_agent's deadlines: unset is the default (0), 0 or "none" is no
// deadline, a duration replaces the default; anything else is an error
// that says what to write.
func TestSimpleAgentTimeouts(t *testing.T) {
	im := gym.Builtin()
	im.AddResources("weather_env", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: env.NewServer(), Verifier: verifier.Constant(1)}, nil
	})
	base := strings.Replace(twoAgents, "      model_timeout: 30s\n", "      model_timeout: 0\n      tool_timeout: none\n      verify_timeout: 90m\n", 1)
	reg, err := im.Registry(loadYAML(t, base))
	require.NoError(t, err)
	e, err := reg.Environment("weather_agent")
	require.NoError(t, err)
	require.Equal(t, gym.NoTimeout, e.ModelTimeout)
	require.Equal(t, gym.NoTimeout, e.ToolTimeout)
	require.Equal(t, 90*time.Minute, e.VerifyTimeout)

	_, err = im.Registry(loadYAML(t, strings.Replace(twoAgents, "model_timeout: 30s", "model_timeout: soon", 1)))
	require.ErrorContains(t, err, `"soon" is not a duration`)
}

func TestImplementationsErrors(t *testing.T) {
	cfg := loadYAML(t, twoAgents)
	_, err := gym.Builtin().Registry(cfg)
	require.ErrorContains(t, err, `no Go implementation of resources_servers "weather_env"`)
	// Reported once although two agents use it.
	require.NotContains(t, err.Error(), "\n")

	im := gym.Builtin()
	im.AddResources("weather_envs", func(config.Server) (gym.Resources, error) { return gym.Resources{}, nil })
	_, err = im.Registry(cfg)
	require.ErrorContains(t, err, `did you mean "weather_envs"?`)
}

// A server instance with a url and no Go implementation — a NeMo Gym
// server written in Python, say — is called over HTTP, and mixes with
// in-process ones in one registry.
func TestImplementationsRemoteInstances(t *testing.T) {
	// A resources server served over HTTP by this library stands in for a remote one.
	h := env.NewHandler(singletoolcall.NewServer(), singletoolcall.NewVerifier())
	defer h.Close()
	remote := httptest.NewServer(h)
	defer remote.Close()
	policy := gymtest.NewServer(gymtest.Policy(singletoolcall.Policy()))
	defer policy.Close()

	cfg := loadYAML(t, `
python_weather:
  resources_servers:
    some_python_server:
      url: `+remote.URL+`
weather_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: python_weather}
      model_server: {type: responses_api_models, name: policy_model}
local_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: local_weather}
      model_server: {type: responses_api_models, name: policy_model}
local_weather:
  resources_servers:
    example_single_tool_call: {}
policy_model:
  responses_api_models:
    openai_model:
      openai_base_url: `+policy.URL+`
      openai_model: fake
`)
	im := gym.Builtin()
	im.AddResources("example_single_tool_call", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: singletoolcall.NewServer(), Verifier: singletoolcall.NewVerifier()}, nil
	})
	reg, err := im.Registry(cfg)
	require.NoError(t, err)
	c := gym.Collector{Registry: reg}
	var tasks []gym.Task
	for task, err := range gym.FromFile("testdata/singletoolcall.jsonl") {
		require.NoError(t, err)
		tasks = append(tasks, task.WithAgent("weather_agent"), task.WithAgent("local_agent"))
	}
	outputs := map[string][]string{}
	for res, err := range c.Collect(context.Background(), gym.FromSlice(tasks)) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		require.Equal(t, 1.0, res.Reward)
		outputs[res.Agent] = append(outputs[res.Agent], strings.Join(outputsOf(res), "|"))
	}
	require.Len(t, outputs["weather_agent"], 5)
	require.ElementsMatch(t, outputs["local_agent"], outputs["weather_agent"], "remote and in-process tools answer alike")
}
