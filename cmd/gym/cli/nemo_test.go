package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/internal/reftest"
)

// gymIn runs a command line in dir and returns its exit status and streams.
func gymIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { require.NoError(t, os.Chdir(wd)) }()
	var out, errb strings.Builder
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &out, Stderr: &errb}
	code := c.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// gym dataset collate computes NeMo Gym's dataset statistics: on every
// example dataset of the reference, they equal the example_metrics.json
// NeMo Gym wrote for it (the statistics; the dataset's own config fields
// differ between the NeMo Gym versions that wrote those files).
func TestDatasetCollateMetricsLikeNeMoGym(t *testing.T) {
	ref := reftest.Dir(t)
	envs, err := filepath.Glob(filepath.Join(ref, "resources_servers", "*", "data", "example_metrics.json"))
	require.NoError(t, err)
	require.NotEmpty(t, envs)
	datasetKeys := map[string]bool{"name": true, "type": true, "jsonl_fpath": true, "num_repeats": true, "source": true,
		"gitlab_identifier": true, "huggingface_identifier": true, "license": true}
	for _, metricsPath := range envs {
		env := filepath.Base(filepath.Dir(filepath.Dir(metricsPath)))
		t.Run(env, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(filepath.Dir(metricsPath), "example.jsonl")
			cfg := fmt.Sprintf(`res:
  resources_servers:
    any: {}
model:
  responses_api_models:
    any: {}
agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: res}
      model_server: {type: responses_api_models, name: model}
      datasets:
      - name: example
        type: example
        jsonl_fpath: %s
`, data)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(cfg), 0o644))
			code, stdout, stderr := gymIn(t, dir, "dataset", "collate", "--config", "c.yaml", "--mode", "example_validation", "--output-dir", "out")
			require.Equal(t, 0, code, stderr)
			require.Contains(t, stdout, "example: out/example.jsonl")

			var want, got map[string]any
			raw, err := os.ReadFile(metricsPath)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &want))
			raw, err = os.ReadFile(filepath.Join(dir, "out", "example_metrics.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &got))
			for k := range datasetKeys {
				delete(want, k)
				delete(got, k)
			}
			require.Equal(t, want, got)

			// Every row is there, tagged with its agent.
			rows, err := os.ReadFile(filepath.Join(dir, "out", "example.jsonl"))
			require.NoError(t, err)
			in, err := os.ReadFile(data)
			require.NoError(t, err)
			require.Equal(t, len(strings.Fields(strings.TrimSpace(string(in)))) > 0, true)
			require.Equal(t, len(strings.Split(strings.TrimSpace(string(in)), "\n")), strings.Count(string(rows), `"name":"agent"`))
		})
	}
}

// The command tree answers as NeMo Gym's does: help on stdout with status
// 0, a usage error once on stderr with status 2, did-you-mean for commands,
// flags and names, and counts that cannot be negative.
func TestTreeMessages(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args      []string
		code      int
		stdout    string
		stderr    string
		notStdout string
	}{
		{args: []string{"--help"}, code: 0, stdout: "gym env start"},
		{args: []string{"eval", "--help"}, code: 0, stdout: "reverify"},
		{args: []string{"eval", "run", "--help"}, code: 0, stdout: "--num-repeats N"},
		{args: []string{"eval", "run", "-h"}, code: 0, stdout: "[+num_samples_in_parallel]"},
		{args: []string{"env"}, code: 2, stderr: "give a command: start, resolve, validate, status"},
		{args: []string{"evl", "run"}, code: 2, stderr: `did you mean "eval"?`},
		{args: []string{"eval", "rnu"}, code: 2, stderr: `unknown command "rnu" (did you mean "run"?)`},
		{args: []string{"eval", "run", "--num-repets", "2"}, code: 2, stderr: "(did you mean --num-repeats?)"},
		{args: []string{"eval", "run", "--limit", "-1"}, code: 2, stderr: `--limit: want a count (an integer ≥ 0), got "-1"`},
		{args: []string{"eval", "run", "--temperature", "hot"}, code: 2, stderr: `--temperature: want a number`},
		{args: []string{"dataset", "collate", "--mode", "train_prep"}, code: 2, stderr: `(did you mean "train_preparation"?)`},
		{args: []string{"env", "start", "--resources-server", "example_multi_stp"}, code: 2, stderr: `Did you mean "example_multi_step"?`},
		{args: []string{"env", "start", "--resources-server", "example_multi_step/nope"}, code: 2, stderr: "configs/nope.yaml, which does not exist. Available: example_multi_step."},
		{args: []string{"list", "resources-servers", "example_singl"}, code: 2, stderr: `did you mean "example_single_tool_call"?`},
		{args: []string{"list", "models"}, code: 0, stdout: "vllm_model"},
		{args: []string{"eval", "profile", "--inputs", "nope.jsonl", "--rollouts", "r.jsonl"}, code: 2, stderr: filepath.Join(dir, "nope.jsonl") + " does not exist"},
		{args: []string{"--version", "--json"}, code: 0, stdout: `"go":"go1.`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := gymIn(t, dir, tc.args...)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Contains(t, stdout, tc.stdout)
			require.Contains(t, stderr, tc.stderr)
			if tc.code == 0 {
				require.Empty(t, stderr)
			} else {
				require.Equal(t, 1, strings.Count(stderr, tc.stderr), "the error is printed once:\n%s", stderr)
			}
		})
	}
}

// gym env resolve prints the merged config of named assets with every
// credential redacted.
func TestEnvResolveRedacts(t *testing.T) {
	code, stdout, stderr := gymIn(t, t.TempDir(), "env", "resolve", "--resources-server", "example_single_tool_call",
		"--model-type", "openai_model", "--model", "m", "--model-url", "http://127.0.0.1:1/v1", "--model-api-key", "sk-very-secret")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout, "sk-very-secret")
	require.Contains(t, stdout, "openai_api_key: '****'") // NeMo Gym's mask
	require.Contains(t, stdout, "openai_base_url: http://127.0.0.1:1/v1")
	require.Contains(t, stdout, "example_single_tool_call_simple_agent:")
}

// gym env validate builds every server without serving and checks the
// datasets' rows; a bad row and an unknown agent_ref are named with their
// file and line.
func TestEnvValidate(t *testing.T) {
	dir := t.TempDir()
	args := []string{"env", "validate", "--resources-server", "example_single_tool_call", "--model-type", "openai_model",
		"+policy_base_url=http://127.0.0.1:1/v1", "+policy_api_key=k", "+policy_model_name=m"}
	code, stdout, stderr := gymIn(t, dir, args...)
	require.Equal(t, 0, code, stdout+stderr)
	require.Contains(t, stdout, "agents: example_single_tool_call_simple_agent")
	require.Contains(t, stdout, "valid")

	bad := `{"responses_create_params":{"input":"hi"},"agent_ref":{"type":"responses_api_agents","name":"nobody"}}` + "\n" + `{"oops": 1}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(bad), 0o644))
	code, stdout, _ = gymIn(t, dir, append(args, "-i", "bad.jsonl")...)
	require.Equal(t, 2, code)
	require.Contains(t, stdout, filepath.Join(dir, "bad.jsonl")+`:1: agent_ref names "nobody"`)
	require.Contains(t, stdout, filepath.Join(dir, "bad.jsonl")+":2:")

	// A ??? value is a problem too.
	code, stdout, _ = gymIn(t, dir, "env", "validate", "--resources-server", "example_single_tool_call", "--model-type", "openai_model", "--json")
	require.Equal(t, 2, code)
	var r struct {
		Valid    bool
		Problems []string
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	require.False(t, r.Valid)
	require.Contains(t, strings.Join(r.Problems, "\n"), "policy_base_url")
}

// gym eval profile writes NeMo Gym's reward profile: per task and per agent,
// pandas' mean/max/min/median/std of every numeric field (bools as ints,
// ints kept as ints by max and min), the task's row and its rollouts.
func TestEvalProfile(t *testing.T) {
	dir := t.TempDir()
	row := func(task, roll int) string {
		return fmt.Sprintf(`{"responses_create_params":{"input":"q%d"},"id":%d,"_ng_task_index":%d,"_ng_rollout_index":%d,"agent_ref":{"type":"responses_api_agents","name":"a"}}`, task, task, task, roll)
	}
	result := func(task, roll int, reward string, passed bool) string {
		return fmt.Sprintf(`{"responses_create_params":{"input":"q%d"},"id":%d,"_ng_task_index":%d,"_ng_rollout_index":%d,"agent_ref":{"type":"responses_api_agents","name":"a"},"response":{"output":[],"usage":{"input_tokens":10,"output_tokens":%d,"total_tokens":%d,"input_tokens_details":{"cached_tokens":0}}},"reward":%s,"passed":%v}`,
			task, task, task, roll, 4+roll, 14+roll, reward, passed)
	}
	inputs := strings.Join([]string{row(0, 0), row(0, 1), row(1, 0), row(1, 1)}, "\n") + "\n"
	// Out of order, as a collection writes them.
	rollouts := strings.Join([]string{result(1, 1, "0.0", false), result(0, 0, "1.0", true), result(1, 0, "1.0", true), result(0, 1, "1.0", true)}, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(inputs), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.jsonl"), []byte(rollouts), 0o644))

	code, stdout, stderr := gymIn(t, dir, "eval", "profile", "--inputs", "in.jsonl", "--rollouts", "r.jsonl")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "Reward profile completion: 4/4 rollout rows (100.00%)")
	require.Contains(t, stdout, "Input rows: 2 total; 2 complete; 0 partial; 0 without rollouts dropped from output.")
	require.Contains(t, stdout, "1 always solved (1), 0 never solved (0), 1 sometimes")
	require.Contains(t, stdout, "a: pass@1 75.00%, pass@2 100.00% over 2 tasks")

	prof, err := os.ReadFile(filepath.Join(dir, "r_reward_profiling.jsonl"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(prof)), "\n")
	require.Len(t, lines, 2)
	// Columns in first-seen order: id, reward, passed, then usage. The id is
	// the same for a task's rollouts.
	require.Equal(t, `{"_ng_task_index":1,`+
		`"mean/id":1.0,"mean/reward":0.5,"mean/passed":0.5,"mean/input_tokens":10.0,"mean/output_tokens":4.5,"mean/total_tokens":14.5,`+
		`"max/id":1,"max/reward":1.0,"max/passed":1,"max/input_tokens":10,"max/output_tokens":5,"max/total_tokens":15,`+
		`"min/id":1,"min/reward":0.0,"min/passed":0,"min/input_tokens":10,"min/output_tokens":4,"min/total_tokens":14,`+
		`"median/id":1.0,"median/reward":0.5,"median/passed":0.5,"median/input_tokens":10.0,"median/output_tokens":4.5,"median/total_tokens":14.5,`+
		`"std/id":0.0,"std/reward":0.7071067811865476,"std/passed":0.7071067811865476,"std/input_tokens":0.0,"std/output_tokens":0.7071067811865476,"std/total_tokens":0.7071067811865476,`+
		`"sample":{"responses_create_params":{"input":"q1"},"id":1,"agent_ref":{"type":"responses_api_agents","name":"a"}},`+
		`"num_rollouts":2,"expected_num_rollouts":2,"missing_num_rollouts":0,"reward_profile_completion_pct":100.0,`+
		`"rollout_infos":[{"rollout_id":"1:0","_ng_task_index":1,"_ng_rollout_index":0,"reward":1.0,"input_tokens":10,"output_tokens":4,"total_tokens":14,"id":1,"passed":1},`+
		`{"rollout_id":"1:1","_ng_task_index":1,"_ng_rollout_index":1,"reward":0.0,"input_tokens":10,"output_tokens":5,"total_tokens":15,"id":1,"passed":0}]}`, lines[1])

	agents, err := os.ReadFile(filepath.Join(dir, "r_agent_metrics.json"))
	require.NoError(t, err)
	require.Contains(t, string(agents), `"mean/reward":0.75,`)
	require.True(t, strings.HasSuffix(string(agents), `"agent_ref":{"name":"a"}}]`), string(agents))

	// A partial collection needs ++allow_partial_rollouts=true.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.jsonl"), []byte(result(0, 0, "1.0", true)+"\n"), 0o644))
	code, _, stderr = gymIn(t, dir, "eval", "profile", "--inputs", "in.jsonl", "--rollouts", "r.jsonl")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "allow_partial_rollouts")
	code, stdout, stderr = gymIn(t, dir, "eval", "profile", "--inputs", "in.jsonl", "--rollouts", "r.jsonl", "++allow_partial_rollouts=true")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "Input rows: 2 total; 0 complete; 1 partial; 1 without rollouts dropped from output.")
}

// gym eval aggregate merges shards in (task, rollout) order and writes the
// metrics of all of them next to the output.
func TestEvalAggregate(t *testing.T) {
	dir := t.TempDir()
	res := func(task int, reward string) string {
		return fmt.Sprintf(`{"responses_create_params":{"input":"q"},"_ng_task_index":%d,"_ng_rollout_index":0,"agent_ref":{"type":"responses_api_agents","name":"a"},"response":{"output":[]},"reward":%s}`, task, reward)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rollouts-s1.jsonl"), []byte(res(2, "1.0")+"\n"+res(0, "0.0")+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rollouts-s0.jsonl"), []byte(res(1, "1.0")+"\n"), 0o644))
	code, stdout, stderr := gymIn(t, dir, "eval", "aggregate", "-i", "rollouts-s*.jsonl", "-o", "all/rollouts.jsonl")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "3 rollouts")
	merged, err := os.ReadFile(filepath.Join(dir, "all", "rollouts.jsonl"))
	require.NoError(t, err)
	var order []int
	for _, l := range strings.Split(strings.TrimSpace(string(merged)), "\n") {
		var r struct {
			T int `json:"_ng_task_index"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		order = append(order, r.T)
	}
	require.Equal(t, []int{0, 1, 2}, order)
	m, err := os.ReadFile(filepath.Join(dir, "all", "rollouts_aggregate_metrics.json"))
	require.NoError(t, err)
	require.Contains(t, string(m), `"mean/reward"`)

	code, _, stderr = gymIn(t, dir, "eval", "aggregate", "-i", "nothing-*.jsonl", "-o", "x.jsonl")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `no shards matched --input-glob "nothing-*.jsonl"`)
}
