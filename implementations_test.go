package gym_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
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
	require.Equal(t, 1, seeded, "a resources server named by two agents is built once")

	inst, err := im.Build(cfg)
	require.NoError(t, err)
	require.Len(t, inst.Models, 2, "Build builds unused instances too")
	require.Len(t, inst.Resources, 1)
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
