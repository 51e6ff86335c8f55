package config_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/reftest"
)

// referenceDir returns the NeMo Gym reference tree the config tests load
// (see internal/reftest: skipped where absent, a failure under
// GYM_REQUIRE_REFERENCE=1).
func referenceDir(t testing.TB) string { return reftest.Dir(t) }

const (
	exampleMultiStep      = "resources_servers/example_multi_step/configs/example_multi_step.yaml"
	exampleSingleToolCall = "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml"
	vllmModel             = "responses_api_models/vllm_model/configs/vllm_model.yaml"
	vllmModelForTraining  = "responses_api_models/vllm_model/configs/vllm_model_for_training.yaml"
	openaiModel           = "responses_api_models/openai_model/configs/openai_model.yaml"
	simpleAgent           = "responses_api_agents/simple_agent/configs/simple_agent.yaml"
)

// noEnv is an empty environment, so tests do not depend on the caller's.
func noEnv(string) (string, bool) { return "", false }

func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// policy are the overrides that point the reference model configs at a model.
var policy = []string{
	"+policy_base_url=http://localhost:8000/v1",
	"+policy_api_key=sk-test",
	"+policy_model_name=Qwen/Qwen3-8B",
}

func serverList(cfg *config.Config) []string {
	var out []string
	for _, s := range cfg.Servers() {
		out = append(out, s.Name+" "+string(s.Kind)+" "+s.Impl)
	}
	return out
}

func TestReferenceConfigs(t *testing.T) {
	dir := referenceDir(t)
	tests := []struct {
		file    string
		servers []string
		// needsModel: the file refers to policy_model but does not define it.
		needsModel bool
		// missing are the ??? values left when the file is loaded with a model.
		missing []string
	}{
		{
			file: exampleMultiStep,
			servers: []string{
				"example_multi_step_resources_server resources_servers example_multi_step",
				"example_multi_step_simple_agent responses_api_agents simple_agent",
			},
			needsModel: true,
		},
		{
			file: exampleSingleToolCall,
			servers: []string{
				"example_single_tool_call resources_servers example_single_tool_call",
				"example_single_tool_call_simple_agent responses_api_agents simple_agent",
			},
			needsModel: true,
		},
		{file: vllmModel, servers: []string{"policy_model responses_api_models vllm_model"}},
		{file: vllmModelForTraining, servers: []string{"policy_model responses_api_models vllm_model"}},
		{file: openaiModel, servers: []string{"policy_model responses_api_models openai_model"}},
		{
			file:       simpleAgent,
			servers:    []string{"simple_agent responses_api_agents simple_agent"},
			needsModel: true,
			missing:    []string{"simple_agent.responses_api_agents.simple_agent.resources_server.name"},
		},
	}

	// Every config of the models, the agents and the example environments in
	// the reference tree is covered by the table; the configs of the bundled
	// blend environments are loaded by their packages' tests (env/...).
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") && filepath.Base(filepath.Dir(path)) == "configs" {
			rel, _ := filepath.Rel(dir, path)
			rel = filepath.ToSlash(rel)
			if strings.HasPrefix(rel, "resources_servers/") && !strings.HasPrefix(rel, "resources_servers/example_") {
				return nil
			}
			found = append(found, rel)
		}
		return err
	})
	require.NoError(t, err)
	var files []string
	for _, tt := range tests {
		files = append(files, tt.file)
	}
	require.ElementsMatch(t, files, found)

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := config.Loader{Paths: []string{tt.file}, WorkDir: dir, Env: noEnv}.Load()
			if tt.needsModel {
				var refErr *config.RefError
				require.ErrorAs(t, err, &refErr)
				require.Equal(t, config.Ref{Type: config.Models, Name: "policy_model"}, refErr.Ref)
				require.True(t, strings.HasSuffix(refErr.Path, ".model_server.name"), refErr.Path)
				require.ErrorContains(t, err, `responses_api_models "policy_model" is not defined: no responses_api_models server is defined`)

				cfg, err = config.Loader{Paths: []string{tt.file, openaiModel}, WorkDir: dir, Overrides: policy, Env: noEnv}.Load()
				require.NoError(t, err)
				tt.servers = append(tt.servers, "policy_model responses_api_models openai_model")
			} else {
				require.NoError(t, err)
				cfg, err = config.Loader{Paths: []string{tt.file}, WorkDir: dir, Overrides: policy, Env: noEnv}.Load()
				require.NoError(t, err)
			}
			require.Equal(t, tt.servers, serverList(cfg))

			err = cfg.Validate()
			if tt.missing == nil {
				require.NoError(t, err)
			} else {
				var missing *config.MissingError
				require.ErrorAs(t, err, &missing)
				require.Equal(t, tt.missing, missing.Keys)
			}
			_, err = cfg.YAML()
			require.NoError(t, err)
		})
	}
}

// vllmFields is how a vllm_model server would decode its config.
type vllmFields struct {
	BaseURL                  string            `yaml:"base_url"`
	APIKey                   string            `yaml:"api_key"`
	Model                    string            `yaml:"model"`
	ReturnTokenIDInformation bool              `yaml:"return_token_id_information"`
	UsesReasoningParser      bool              `yaml:"uses_reasoning_parser"`
	ChatTemplateKwargs       map[string]any    `yaml:"chat_template_kwargs"`
	DefaultHeaders           map[string]string `yaml:"default_headers"`
}

func TestVLLMModelWithoutPolicyLoadsButDoesNotDecode(t *testing.T) {
	dir := referenceDir(t)
	cfg, err := config.Loader{Paths: []string{vllmModel}, WorkDir: dir, Env: noEnv}.Load()
	require.NoError(t, err, "loading must not need values nothing has read yet")

	model, err := cfg.Server("policy_model")
	require.NoError(t, err)
	var fields vllmFields
	err = model.Decode(&fields)
	var missing *config.MissingError
	require.ErrorAs(t, err, &missing)
	require.Equal(t, []string{"policy_base_url", "policy_api_key", "policy_model_name"}, missing.Keys)
	require.EqualError(t, err, "config: 3 values are not set: "+
		"policy_base_url (used by policy_model.responses_api_models.vllm_model.base_url), "+
		"policy_api_key (used by policy_model.responses_api_models.vllm_model.api_key), "+
		"policy_model_name (used by policy_model.responses_api_models.vllm_model.model); "+
		"set them in env.yaml or on the command line with +key=value")

	// Fields that need nothing unset can still be read.
	v, err := model.Get("uses_reasoning_parser")
	require.NoError(t, err)
	require.Equal(t, true, v)

	// With two of the three set, the error names the one left.
	cfg, err = config.Loader{Paths: []string{vllmModel}, WorkDir: dir, Env: noEnv, Overrides: policy[1:]}.Load()
	require.NoError(t, err)
	_, err = cfg.String("policy_model.responses_api_models.vllm_model.base_url")
	require.EqualError(t, err, "config: policy_base_url is not set "+
		"(used by policy_model.responses_api_models.vllm_model.base_url); "+
		"set it in env.yaml or on the command line with +policy_base_url=...")
}

func TestVLLMModelWithPolicy(t *testing.T) {
	dir := referenceDir(t)
	envDir := t.TempDir()
	writeFile(t, envDir, "env.yaml", `
policy_base_url: http://gpu-node:8000/v1
policy_api_key: sk-env
policy_model_name: Qwen/Qwen3-8B
`)
	abs, err := filepath.Abs(filepath.Join(dir, vllmModel))
	require.NoError(t, err)
	want := vllmFields{
		BaseURL: "http://gpu-node:8000/v1", APIKey: "sk-env", Model: "Qwen/Qwen3-8B",
		UsesReasoningParser: true, DefaultHeaders: map[string]string{},
	}

	for name, loader := range map[string]config.Loader{
		"env.yaml": {Paths: []string{abs}, WorkDir: envDir, Env: noEnv},
		"overrides": {Paths: []string{vllmModel}, WorkDir: dir, Env: noEnv, Overrides: []string{
			"+policy_base_url=http://gpu-node:8000/v1", "+policy_api_key=sk-env", "+policy_model_name=Qwen/Qwen3-8B",
		}},
		"overrides over env.yaml": {Paths: []string{abs}, WorkDir: envDir, Env: noEnv, Overrides: []string{"policy_api_key=sk-env"}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := loader.Load()
			require.NoError(t, err)
			require.NoError(t, cfg.Validate())
			model, err := cfg.Server("policy_model")
			require.NoError(t, err)
			var got vllmFields
			require.NoError(t, model.Decode(&got))
			require.Equal(t, want, got)
		})
	}
}

func TestComposedReferenceConfigs(t *testing.T) {
	dir := referenceDir(t)
	var paths []string
	for _, p := range []string{exampleSingleToolCall, exampleMultiStep, openaiModel} {
		abs, err := filepath.Abs(filepath.Join(dir, p))
		require.NoError(t, err)
		paths = append(paths, abs)
	}
	work := t.TempDir()
	writeFile(t, work, "env.yaml", `
policy_base_url: https://api.openai.com/v1
policy_api_key: sk-test
policy_model_name: gpt-4.1
`)
	// NeMo Gym reads config_paths from env.yaml too.
	withPaths := t.TempDir()
	writeFile(t, withPaths, "env.yaml", readFile(t, filepath.Join(work, "env.yaml"))+
		"config_paths:\n  - "+strings.Join(paths, "\n  - ")+"\n")

	loaders := map[string]config.Loader{
		"Paths":        {Paths: paths, WorkDir: work},
		"config_paths": {Overrides: []string{"+config_paths=[" + strings.Join(paths, ",") + "]"}, WorkDir: work},
		"env.yaml":     {WorkDir: withPaths},
	}
	for name, loader := range loaders {
		t.Run(name, func(t *testing.T) {
			loader.Env = noEnv
			cfg, err := loader.Load()
			require.NoError(t, err)
			require.Equal(t, []string{
				"example_single_tool_call resources_servers example_single_tool_call",
				"example_single_tool_call_simple_agent responses_api_agents simple_agent",
				"example_multi_step_resources_server resources_servers example_multi_step",
				"example_multi_step_simple_agent responses_api_agents simple_agent",
				"policy_model responses_api_models openai_model",
			}, serverList(cfg))
			require.NoError(t, cfg.Validate())

			agent, err := cfg.Server("example_multi_step_simple_agent")
			require.NoError(t, err)
			var fields struct {
				ResourcesServer config.Ref `yaml:"resources_server"`
				ModelServer     config.Ref `yaml:"model_server"`
				Datasets        []struct {
					Name      string `yaml:"name"`
					Type      string `yaml:"type"`
					JSONLPath string `yaml:"jsonl_fpath"`
					Source    struct {
						Version string `yaml:"version"`
					} `yaml:"source"`
				} `yaml:"datasets"`
			}
			require.NoError(t, agent.Decode(&fields))
			require.Equal(t, config.Ref{Type: config.Resources, Name: "example_multi_step_resources_server"}, fields.ResourcesServer)
			require.Equal(t, config.Ref{Type: config.Models, Name: "policy_model"}, fields.ModelServer)
			require.Len(t, fields.Datasets, 3)
			require.Equal(t, "validation", fields.Datasets[1].Type)
			require.Equal(t, "0.0.1", fields.Datasets[1].Source.Version)

			ref, err := agent.Ref("resources_server")
			require.NoError(t, err)
			resources, err := cfg.Server(ref.Name)
			require.NoError(t, err)
			require.Equal(t, config.Resources, resources.Kind)

			require.Len(t, must(cfg.Get("config_paths")), 3)
			require.Equal(t, []string{"policy_base_url", "policy_api_key", "policy_model_name", "config_paths"}, cfg.Globals())
		})
	}

	// drop_input_reasoning_items is ${oc.env:POLICY_DROP_REASONING_ITEMS,false}.
	type openaiFields struct {
		BaseURL       string `yaml:"openai_base_url"`
		DropReasoning bool   `yaml:"drop_input_reasoning_items"`
	}
	for env, want := range map[string]bool{"": false, "true": true, "False": false} {
		loader := config.Loader{Paths: paths, WorkDir: work, Env: noEnv}
		if env != "" {
			loader.Env = envOf(map[string]string{"POLICY_DROP_REASONING_ITEMS": env})
		}
		cfg, err := loader.Load()
		require.NoError(t, err)
		model, err := cfg.Server("policy_model")
		require.NoError(t, err)
		var got openaiFields
		require.NoError(t, model.Decode(&got), "POLICY_DROP_REASONING_ITEMS=%q", env)
		require.Equal(t, "https://api.openai.com/v1", got.BaseURL)
		require.Equal(t, want, got.DropReasoning, "POLICY_DROP_REASONING_ITEMS=%q", env)
	}
}

func TestReferenceYAMLRoundTrip(t *testing.T) {
	dir := referenceDir(t)
	cfg, err := config.Loader{
		Paths:     []string{exampleMultiStep, openaiModel},
		WorkDir:   dir,
		Overrides: policy,
		Env:       noEnv,
	}.Load()
	require.NoError(t, err)
	out, err := cfg.YAML()
	require.NoError(t, err)
	require.Contains(t, string(out), "openai_base_url: http://localhost:8000/v1\n")
	require.NotContains(t, string(out), "${")

	// The output is a config in its own right, with the same values.
	again := t.TempDir()
	writeFile(t, again, "global_config.yaml", string(out))
	cfg2, err := config.Loader{Paths: []string{filepath.Join(again, "global_config.yaml")}, WorkDir: dir, Env: noEnv}.Load()
	require.NoError(t, err)
	for _, key := range []string{"policy_model", "example_multi_step_simple_agent", "policy_base_url"} {
		require.Equal(t, must(cfg.Get(key)), must(cfg2.Get(key)), key)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(strings.TrimPrefix(content, "\n")), 0o644))
	return path
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
