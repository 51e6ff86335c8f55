package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

const twoServers = `
example_multi_step_resources_server:
  resources_servers:
    example_multi_step: {domain: instruction_following}
policy_model:
  responses_api_models:
    openai_model: {openai_base_url: "${policy_base_url}"}
`

func TestReferences(t *testing.T) {
	agent := func(resourcesName, modelName string) string {
		return twoServers + `
example_multi_step_simple_agent:
  responses_api_agents:
    simple_agent:
      resources_server:
        type: resources_servers
        name: ` + resourcesName + `
      model_server:
        type: responses_api_models
        name: ` + modelName + `
      datasets:
        - {name: train, type: train}
`
	}

	t.Run("valid", func(t *testing.T) {
		cfg, err := loadFiles(t, map[string]string{"a.yaml": agent("example_multi_step_resources_server", "policy_model")},
			config.Loader{Paths: []string{"a.yaml"}})
		require.NoError(t, err)
		s := must(cfg.Server("example_multi_step_simple_agent"))
		require.Equal(t, "example_multi_step_simple_agent.responses_api_agents.simple_agent", s.Path())
		ref, err := s.Ref("model_server")
		require.NoError(t, err)
		require.Equal(t, config.Ref{Type: config.Models, Name: "policy_model"}, ref)
		_, err = s.Ref("datasets")
		require.EqualError(t, err, "config: example_multi_step_simple_agent.responses_api_agents.simple_agent.datasets is not a server reference: want {type: responses_api_models|resources_servers|responses_api_agents, name: <instance>}")
		_, err = s.Ref("missing_field")
		var missing *config.MissingError
		require.ErrorAs(t, err, &missing)
	})

	t.Run("unknown name suggests the closest", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": agent("example_multi_step_resources_srver", "policy_model")},
			config.Loader{Paths: []string{"a.yaml"}})
		var refErr *config.RefError
		require.ErrorAs(t, err, &refErr)
		require.Equal(t, "example_multi_step_simple_agent.responses_api_agents.simple_agent.resources_server.name", refErr.Path)
		require.Equal(t, config.Ref{Type: config.Resources, Name: "example_multi_step_resources_srver"}, refErr.Ref)
		require.EqualError(t, err, `config: example_multi_step_simple_agent.responses_api_agents.simple_agent.resources_server.name: `+
			`resources_servers "example_multi_step_resources_srver" is not defined (did you mean "example_multi_step_resources_server"?)`)
	})

	t.Run("unknown name, nothing close", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": agent("example_multi_step_resources_server", "gpt")},
			config.Loader{Paths: []string{"a.yaml"}})
		require.EqualError(t, err, `config: example_multi_step_simple_agent.responses_api_agents.simple_agent.model_server.name: `+
			`responses_api_models "gpt" is not defined (defined responses_api_models: policy_model)`)
	})

	t.Run("a name of another kind is not defined", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": agent("policy_model", "policy_model")},
			config.Loader{Paths: []string{"a.yaml"}})
		require.ErrorContains(t, err, `resources_servers "policy_model" is not defined (defined resources_servers: example_multi_step_resources_server)`)
	})

	t.Run("??? is missing, not unknown", func(t *testing.T) {
		cfg, err := loadFiles(t, map[string]string{"a.yaml": agent("???", "${model_name}")},
			config.Loader{Paths: []string{"a.yaml"}})
		require.NoError(t, err)
		var missing *config.MissingError
		require.ErrorAs(t, must(cfg.Server("example_multi_step_simple_agent")).Decode(new(map[string]any)), &missing)
		require.Equal(t, []string{
			"example_multi_step_simple_agent.responses_api_agents.simple_agent.resources_server.name",
			"model_name",
		}, missing.Keys)
	})

	t.Run("names set by interpolation are checked", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": agent("example_multi_step_resources_server", "${model_name}")},
			config.Loader{Paths: []string{"a.yaml"}, Overrides: []string{"+model_name=policy_modle"}})
		require.ErrorContains(t, err, `responses_api_models "policy_modle" is not defined (did you mean "policy_model"?)`)
	})

	t.Run("references in lists are checked", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": twoServers + `
router:
  responses_api_agents:
    router_agent:
      routes: [{type: responses_api_agents, name: nobody}]
`}, config.Loader{Paths: []string{"a.yaml"}})
		var refErr *config.RefError
		require.ErrorAs(t, err, &refErr)
		require.Equal(t, "router.responses_api_agents.router_agent.routes[0].name", refErr.Path)
	})
}

func TestServerLookup(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"a.yaml": twoServers}, config.Loader{Paths: []string{"a.yaml"}})
	require.NoError(t, err)

	_, err = cfg.Server("policy_modl")
	require.EqualError(t, err, `config: server "policy_modl" is not defined (did you mean "policy_model"?)`)
	_, err = cfg.Server("judge")
	require.EqualError(t, err, `config: server "judge" is not defined (defined: example_multi_step_resources_server, policy_model)`)

	require.Equal(t, []string{"config_paths"}, cfg.Globals())
	require.Equal(t, []config.Kind{config.Resources, config.Models},
		[]config.Kind{cfg.Servers()[0].Kind, cfg.Servers()[1].Kind})

	var fields struct{}
	require.EqualError(t, must(cfg.Server("policy_model")).Decode(fields), "config: Decode needs a non-nil pointer, got struct {}")

	// A Server not from a Config says so instead of panicking.
	require.ErrorContains(t, config.Server{Name: "x"}.Decode(new(any)), `config: server "x" does not belong to a Config`)
}

func TestServerURL(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"a.yaml": `
by_url:
  resources_servers:
    r: {url: "${remote}/r"}
by_host:
  resources_servers:
    r: {host: 10.0.0.2, port: 9000}
by_ipv6:
  resources_servers:
    r: {host: "::1", port: 9000}
local:
  resources_servers:
    r: {domain: math}
unset:
  resources_servers:
    r: {url: "${remote_url}"}
remote: http://example.com
`}, config.Loader{Paths: []string{"a.yaml"}})
	require.NoError(t, err)
	tests := []struct{ server, want, err string }{
		{server: "by_url", want: "http://example.com/r"},
		{server: "by_host", want: "http://10.0.0.2:9000"},
		{server: "by_ipv6", want: "http://[::1]:9000"},
		{server: "local", want: ""},
		{server: "unset", err: "config: remote_url is not set (used by unset.resources_servers.r.url); set it in env.yaml or on the command line with +remote_url=..."},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			got, err := must(cfg.Server(tt.server)).URL()
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
