package config_test

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

// loadFiles writes files into a temporary WorkDir and loads with loader.
func loadFiles(t *testing.T, files map[string]string, loader config.Loader) (*config.Config, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	loader.WorkDir = dir
	if loader.Env == nil {
		loader.Env = noEnv
	}
	return loader.Load()
}

func TestMerge(t *testing.T) {
	files := map[string]string{
		"a.yaml": `
top: a
nested: {x: 1, y: 1, deep: {p: 1, q: 1}}
list: [1, 2, 3]
required: ???
filled: from a
nulled: {x: 1}
`,
		"b.yaml": `
top: b
nested: {y: 2, deep: {q: 2}, z: 2}
list: [9]
required: from b
filled: ???
nulled: null
`,
		"env.yaml": `
top: env
nested: {z: env}
`,
	}
	cfg, err := loadFiles(t, files, config.Loader{
		Paths:     []string{"a.yaml", "b.yaml"},
		Overrides: []string{"top=override"},
	})
	require.NoError(t, err)
	want := map[string]any{
		"top":          "override", // files < env.yaml < overrides
		"nested":       map[string]any{"x": 1, "y": 2, "z": "env", "deep": map[string]any{"p": 1, "q": 2}},
		"list":         []any{9}, // lists are replaced, not merged
		"required":     "from b",
		"filled":       "from a", // ??? never replaces a value
		"nulled":       nil,
		"config_paths": []any{"a.yaml", "b.yaml"},
	}
	require.Equal(t, want, must(cfg.Get("")))

	// Keys keep the order they were first read in.
	out, err := cfg.YAML()
	require.NoError(t, err)
	require.Equal(t, `top: override
nested:
  x: 1
  y: 2
  deep:
    p: 1
    q: 2
  z: env
list:
  - 9
required: from b
filled: from a
nulled: null
config_paths:
  - a.yaml
  - b.yaml
`, string(out))
}

func TestIncludes(t *testing.T) {
	t.Run("a file overrides what it includes, siblings in order", func(t *testing.T) {
		cfg, err := loadFiles(t, map[string]string{
			"main.yaml":       "config_paths: [base.yaml, sub/other.yaml]\nwho: main\n",
			"base.yaml":       "who: base\nbase: true\nsibling: base\n",
			"sub/other.yaml":  "config_paths: [deeper.yaml]\nsibling: other\n",
			"sub/deeper.yaml": "sibling: deeper\ndeeper: true\n",
		}, config.Loader{Paths: []string{"main.yaml"}})
		require.NoError(t, err)
		require.Equal(t, "main", must(cfg.Get("who")))
		require.Equal(t, "other", must(cfg.Get("sibling")), "other.yaml overrides deeper.yaml, which it includes, and base.yaml, listed before it")
		require.Equal(t, true, must(cfg.Get("deeper")))
		require.Equal(t, []any{"main.yaml", "base.yaml", "sub/other.yaml", "deeper.yaml"}, must(cfg.Get("config_paths")))
	})

	t.Run("working directory first, then the including file's directory", func(t *testing.T) {
		cfg, err := loadFiles(t, map[string]string{
			"sub/main.yaml": "config_paths: [x.yaml, y.yaml]\n",
			"x.yaml":        "x: workdir\n",
			"sub/x.yaml":    "x: sub\n",
			"sub/y.yaml":    "y: sub\n",
		}, config.Loader{Paths: []string{"sub/main.yaml"}})
		require.NoError(t, err)
		require.Equal(t, "workdir", must(cfg.Get("x")))
		require.Equal(t, "sub", must(cfg.Get("y")))
	})

	t.Run("a file listed twice is loaded once", func(t *testing.T) {
		cfg, err := loadFiles(t, map[string]string{
			"a.yaml":      "config_paths: [common.yaml]\nv: a\n",
			"b.yaml":      "config_paths: [common.yaml]\n",
			"common.yaml": "v: common\n",
		}, config.Loader{Paths: []string{"a.yaml", "b.yaml"}})
		require.NoError(t, err)
		require.Equal(t, "a", must(cfg.Get("v")), "common.yaml is not merged again after a.yaml")
	})

	t.Run("cycle", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{
			"a.yaml": "config_paths: [b.yaml]\n",
			"b.yaml": "config_paths: [a.yaml]\n",
		}, config.Loader{Paths: []string{"a.yaml"}})
		require.ErrorContains(t, err, "config: config_paths cycle: ")
		require.Regexp(t, `a\.yaml -> .*b\.yaml -> .*a\.yaml$`, err.Error())
	})

	t.Run("not found", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{
			"sub/a.yaml": "config_paths: [missing.yaml]\n",
		}, config.Loader{Paths: []string{"sub/a.yaml"}})
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.ErrorContains(t, err, "config: missing.yaml (listed in config_paths of ")
		require.ErrorContains(t, err, filepath.Join("sub", "missing.yaml"), "the error lists where it looked")
	})

	t.Run("config_paths must be a list", func(t *testing.T) {
		_, err := loadFiles(t, map[string]string{"a.yaml": "config_paths: b.yaml\n"}, config.Loader{Paths: []string{"a.yaml"}})
		require.ErrorContains(t, err, "a.yaml: config_paths must be a list of paths, such as [a.yaml, b.yaml], got a string")
	})
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		// yaml.v3 reports the line where the broken construct starts, counted
		// from 0 for parser errors; the file:line form is ours.
		{"malformed", "a: 1\nb: [1, 2\nc: 3\n", `a.yaml:1: did not find expected ',' or ']'`},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", `a.yaml:2: did not find expected key`},
		{"scanner error", "a: 1\nb: \"unterminated\n", `a.yaml:2: found unexpected end of stream`},
		{"duplicate key", "a: 1\na: 2\n", `a.yaml:2: mapping key "a" already defined at line 1`},
		{"top level list", "- a\n", "a.yaml: the top level must be a mapping, got a list"},
		{"anchor contains itself", "a: &x [*x]\n", "a.yaml: anchor 'x' value contains itself"},
		{"almost a server", "s:\n  responses_api_models:\n    a: {}\n    b: {}\n",
			"config: s.responses_api_models: want exactly one implementation mapped to its fields (such as simple_agent: {...}), got 2 implementations (a, b)"},
		{"server with extra keys", "s:\n  resources_servers: {r: {}}\n  extra: 1\n",
			"config: s: a server instance has exactly one key, its kind, but this one has resources_servers, extra; move the other keys under s.<kind>.<implementation>"},
		{"fields not a mapping", "s:\n  resources_servers: {r: 3}\n",
			"config: s.resources_servers.r: the fields of a server are a mapping, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFiles(t, map[string]string{"a.yaml": tt.file}, config.Loader{Paths: []string{"a.yaml"}})
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestEmptyAndMinimal(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"empty.yaml": "", "comment.yaml": "# nothing\n"},
		config.Loader{Paths: []string{"empty.yaml", "comment.yaml"}})
	require.NoError(t, err)
	require.Empty(t, cfg.Servers())

	// A file with no kind keys has only globals; a server with no fields is fine.
	cfg, err = loadFiles(t, map[string]string{"a.yaml": "head_server: {host: 0.0.0.0, port: 11000}\nm:\n  responses_api_models:\n    dummy_model:\n"},
		config.Loader{Paths: []string{"a.yaml"}})
	require.NoError(t, err)
	require.Equal(t, []string{"head_server", "config_paths"}, cfg.Globals())
	port, err := cfg.Int("head_server.port")
	require.NoError(t, err)
	require.Equal(t, 11000, port)
	var fields map[string]any
	require.NoError(t, must(cfg.Server("m")).Decode(&fields))
	require.Empty(t, fields)

	// The zero Config is empty, not broken.
	var zero config.Config
	require.Equal(t, map[string]any{}, must(zero.Get("")))
	require.NoError(t, zero.Validate())
}

// A reference to an undefined server of an unneeded kind is no error: a
// program that builds no model loads a config without one.
func TestUnneededKinds(t *testing.T) {
	files := map[string]string{"a.yaml": `
env:
  resources_servers:
    example_multi_step: {}
agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: env}
      model_server: {type: responses_api_models, name: policy_model}
`}
	_, err := loadFiles(t, files, config.Loader{Paths: []string{"a.yaml"}})
	require.ErrorContains(t, err, `responses_api_models "policy_model" is not defined`)
	cfg, err := loadFiles(t, files, config.Loader{Paths: []string{"a.yaml"}, Unneeded: []config.Kind{config.Models}})
	require.NoError(t, err)
	s, err := cfg.Server("agent")
	require.NoError(t, err)
	ref, err := s.Ref("resources_server")
	require.NoError(t, err)
	require.Equal(t, "env", ref.Name)
	// Other kinds are still checked.
	files["a.yaml"] += "      extra: {type: resources_servers, name: nowhere}\n"
	_, err = loadFiles(t, files, config.Loader{Paths: []string{"a.yaml"}, Unneeded: []config.Kind{config.Models}})
	require.ErrorContains(t, err, `resources_servers "nowhere" is not defined`)
}
