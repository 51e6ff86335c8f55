package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

const interpolations = `
host: localhost
port: 8000
url: http://${host}:${port}/v1
port_copy: ${port}
server:
  h: ${host}
  sibling: ${.h}
  parent: ${..port}
  nested: {deeper: "${..h}"}
list: ["${port}", x]
list_copy: ${list}
first: ${list[0]}
first_dotted: ${list.0}
server_copy: ${server}
via_copy: ${server_copy.h}
key_name: h
computed: ${server.${key_name}}
chain: ${url}
env_set: ${oc.env:GYM_TEST_SET}
env_number: ${oc.env:GYM_TEST_NUMBER}
env_zero: ${oc.env:GYM_TEST_ZERO}
env_default_false: ${oc.env:GYM_TEST_UNSET,false}
env_default_number: ${oc.env:GYM_TEST_UNSET,5}
env_default_null: ${oc.env:GYM_TEST_UNSET,null}
env_default_empty: ${oc.env:GYM_TEST_UNSET,}
env_default_quoted: ${oc.env:GYM_TEST_UNSET,'a,b'}
env_default_interpolated: ${oc.env:GYM_TEST_UNSET,${host}}
env_default_spaced: ${oc.env:GYM_TEST_UNSET, x y }
env_set_with_default: ${oc.env:GYM_TEST_SET,false}
env_in_string: flag=${oc.env:GYM_TEST_SET}
escaped: \${host}
escaped_backslash: \\${host}
no_interpolation: $host {host}
`

func TestInterpolation(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"a.yaml": interpolations}, config.Loader{
		Paths: []string{"a.yaml"},
		Env:   envOf(map[string]string{"GYM_TEST_SET": "true", "GYM_TEST_NUMBER": "42", "GYM_TEST_ZERO": "0123"}),
	})
	require.NoError(t, err)
	tests := []struct {
		key  string
		want any
	}{
		{"url", "http://localhost:8000/v1"},
		{"port_copy", 8000}, // a whole-value interpolation keeps its type
		{"server.h", "localhost"},
		{"server.sibling", "localhost"},
		{"server.parent", 8000},
		{"server.nested.deeper", "localhost"},
		{"list", []any{8000, "x"}},
		{"list_copy", []any{8000, "x"}},
		{"first", 8000},
		{"first_dotted", 8000},
		{"server_copy", map[string]any{"h": "localhost", "sibling": "localhost", "parent": 8000, "nested": map[string]any{"deeper": "localhost"}}},
		{"via_copy", "localhost"},
		{"computed", "localhost"},
		{"chain", "http://localhost:8000/v1"},
		// The environment holds strings, as in OmegaConf ...
		{"env_set", "true"},
		{"env_number", "42"},
		{"env_zero", "0123"},
		// ... and a default is a YAML scalar.
		{"env_default_false", false},
		{"env_default_number", 5},
		{"env_default_null", nil},
		{"env_default_empty", ""},
		{"env_default_quoted", "a,b"},
		{"env_default_interpolated", "localhost"},
		{"env_default_spaced", "x y"},
		{"env_set_with_default", "true"},
		{"env_in_string", "flag=true"},
		{"escaped", "${host}"},
		{"escaped_backslash", `\localhost`},
		{"no_interpolation", "$host {host}"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := cfg.Get(tt.key)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	require.NoError(t, cfg.Validate())

	// An environment value decodes into a typed field like YAML text would,
	// without losing what a string field sees.
	flag, err := cfg.Bool("env_set")
	require.NoError(t, err)
	require.True(t, flag)
	var fields struct {
		Number int    `yaml:"env_number"`
		Text   string `yaml:"env_set"`
		Port   string `yaml:"port"`
	}
	require.NoError(t, cfg.Decode("", &fields))
	require.Equal(t, 42, fields.Number)
	require.Equal(t, "true", fields.Text)
	require.Equal(t, "8000", fields.Port)
	text, err := cfg.String("env_zero") // a key or token keeps its text
	require.NoError(t, err)
	require.Equal(t, "0123", text)
}

func TestInterpolationErrors(t *testing.T) {
	tests := []struct {
		name, yaml, key, want string
	}{
		{"cycle", "a: ${b}\nb: ${a}\n", "a",
			"config: b: interpolation cycle: a -> b -> a"},
		{"self", "a: x${a}\n", "a",
			"config: a: interpolation cycle: a -> a"},
		{"contains itself", "a: {x: 1, y: '${a}'}\n", "a",
			"config: a.y: interpolation cycle: a -> a"},
		{"longer cycle", "s:\n  a: ${s.b}\n  b: ${s.c}\n  c: ${s.a}\n", "s.a",
			"config: s.c: interpolation cycle: s.a -> s.b -> s.c -> s.a"},
		{"not set", "a: ${nope}\n", "a",
			"config: nope is not set (used by a); set it in env.yaml or on the command line with +nope=..."},
		{"typo", "policy_base_url: x\na: ${policy_bse_url}\n", "a",
			"config: policy_bse_url is not set (used by a; did you mean policy_base_url?); set it in env.yaml or on the command line with +policy_bse_url=..."},
		{"nested not set", "s: {x: 1}\na: ${s.y}\n", "a",
			"config: s.y is not set (used by a); set it in env.yaml or on the command line with +s.y=..."},
		{"required", "a: ${r}\nr: ???\n", "a",
			"config: r is ???, a value that must be set; set it in env.yaml or on the command line with r=..."},
		{"through required", "r: ???\na: ${r.x}\n", "a",
			"config: r is ???, a value that must be set; set it in env.yaml or on the command line with r=..."},
		{"unsupported resolver", "a: ${oc.select:b,1}\n", "a",
			`config: a: unsupported resolver "oc.select" in ${oc.select:b,1} (supported: oc.env)`},
		{"env not set", "a: ${oc.env:GYM_TEST_UNSET}\n", "a",
			"config: a: environment variable GYM_TEST_UNSET is not set; set it or give a default: ${oc.env:GYM_TEST_UNSET,default}"},
		{"env too many args", "a: ${oc.env:A,b,c}\n", "a",
			"config: a: ${oc.env:A,b,c}: want ${oc.env:VAR} or ${oc.env:VAR,default}"},
		{"unterminated", "a: ${host\n", "a",
			`config: a: unterminated interpolation in "${host": missing }`},
		{"empty", "a: ${}\n", "a",
			"config: a: empty interpolation ${}"},
		{"mapping in string", "m: {x: 1}\na: x=${m}\n", "a",
			"config: a: cannot insert ${m} into a string: it is a mapping"},
		{"above root", "a: ${...x}\n", "a",
			"config: a: ${...x} goes above the root of the config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadFiles(t, map[string]string{"a.yaml": tt.yaml}, config.Loader{Paths: []string{"a.yaml"}})
			require.NoError(t, err, "interpolations are resolved when read, not when loaded")
			_, err = cfg.Get(tt.key)
			require.EqualError(t, err, tt.want)
			require.Error(t, cfg.Validate())
		})
	}
}

func TestMissingValuesReportedTogether(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"a.yaml": `
model:
  responses_api_models:
    vllm_model:
      base_url: ${policy_base_url}
      api_key: ???
agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: "???"}
      model_server: {type: responses_api_models, name: model}
      datasets:
        - {name: train, jsonl_fpath: "???"}
      prefix: ${oc.env:GYM_TEST_UNSET}/x
complete:
  resources_servers:
    example: {domain: math, url: "${base}/math"}
base: http://remote
other: ???
`}, config.Loader{Paths: []string{"a.yaml"}})
	require.NoError(t, err)

	// Each server reports what it needs.
	var fields map[string]any
	require.NoError(t, must(cfg.Server("complete")).Decode(&fields))
	require.Equal(t, map[string]any{"domain": "math", "url": "http://remote/math"}, fields)

	err = must(cfg.Server("model")).Decode(&fields)
	var missing *config.MissingError
	require.ErrorAs(t, err, &missing)
	require.Equal(t, []string{"policy_base_url", "model.responses_api_models.vllm_model.api_key"}, missing.Keys)
	require.EqualError(t, err, "config: 2 values are not set: "+
		"policy_base_url (used by model.responses_api_models.vllm_model.base_url), "+
		"model.responses_api_models.vllm_model.api_key (???); "+
		"set them in env.yaml or on the command line with ++key=value")

	// Validate reports them all, plus the errors that are not about missing values.
	err = cfg.Validate()
	require.ErrorAs(t, err, &missing)
	require.Equal(t, []string{
		"policy_base_url",
		"model.responses_api_models.vllm_model.api_key",
		"agent.responses_api_agents.simple_agent.resources_server.name",
		"agent.responses_api_agents.simple_agent.datasets[0].jsonl_fpath",
		"other",
	}, missing.Keys)
	require.ErrorContains(t, err, "config: agent.responses_api_agents.simple_agent.prefix: environment variable GYM_TEST_UNSET is not set")

	// Setting them fixes it.
	cfg, err = loadFiles(t, map[string]string{"a.yaml": `
a: ???
b: ${c}
`}, config.Loader{Paths: []string{"a.yaml"}, Overrides: []string{"a=1", "+c=2"}})
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	require.Equal(t, 2, must(cfg.Get("b")))
}

func TestYAMLKeepsWhatCannotBeResolved(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"a.yaml": `
m:
  responses_api_models:
    vllm_model:
      base_url: ${policy_base_url}
      model: ${name}
      key: ???
      flag: ${oc.env:GYM_TEST_SET}
      cycle: ${m.responses_api_models.vllm_model.cycle}
name: qwen
`}, config.Loader{Paths: []string{"a.yaml"}, Env: envOf(map[string]string{"GYM_TEST_SET": "true"})})
	require.NoError(t, err)
	out, err := cfg.YAML()
	require.NoError(t, err)
	require.Equal(t, `m:
  responses_api_models:
    vllm_model:
      base_url: ${policy_base_url}
      model: qwen
      key: ???
      flag: "true"
      cycle: ${m.responses_api_models.vllm_model.cycle}
name: qwen
config_paths:
  - a.yaml
`, string(out))
}
