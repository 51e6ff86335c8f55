package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/clitest"
	"github.com/gymkit/gym/internal/endpointtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
)

// policy answers each environment's rows with its scripted policy, picked
// by the tools the request offers.
var policy = gymtest.ByTool(map[string]model.Model{"get_weather": singletoolcall.Policy()}, multistep.Policy())

func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &out, Stderr: &errb}
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer os.Chdir(wd)
	code = c.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// The seed's workflow with NeMo Gym's own files: collate two datasets, then
// collect with the reference configs against a fake policy server.
func TestCollateAndCollectWithReferenceConfigs(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()

	code, stdout, stderr := run(t, dir, "collate",
		"--input", filepath.Join(ref, "resources_servers/example_single_tool_call/data/example.jsonl")+":example_single_tool_call_simple_agent",
		"--input", filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl")+":example_multi_step_simple_agent",
		"--output", "merged.jsonl")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "wrote 10 rows to merged.jsonl")

	configs := strings.Join([]string{
		filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml"),
		filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml"),
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
	}, ",")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(
		"policy_base_url: "+srv.URL+"\npolicy_api_key: test-key\npolicy_model_name: fake-policy\n"), 0o644))
	code, stdout, stderr = run(t, dir, "collect", "--config", configs,
		"--input", "merged.jsonl", "--output", "results/out.jsonl", "--concurrency", "4")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "example_multi_step_simple_agent: 5 rollouts")

	rows := clitest.Results(t, filepath.Join(dir, "results/out.jsonl"))
	require.Len(t, rows, 10)
	perAgent := map[string]int{}
	for _, r := range rows {
		require.NoError(t, r.Err)
		require.NotNil(t, r.Response)
		perAgent[r.Agent]++
		if r.Agent == "example_multi_step_simple_agent" {
			_, ok := r.Task.Get("accuracy") // the verifier's fields are in the row
			require.True(t, ok)
		}
	}
	require.Equal(t, map[string]int{"example_single_tool_call_simple_agent": 5, "example_multi_step_simple_agent": 5}, perAgent)
	for _, f := range []string{"out_materialized_inputs.jsonl", "out_failures.jsonl", "out_aggregate_metrics.json"} {
		_, err := os.Stat(filepath.Join(dir, "results", f))
		require.NoError(t, err, f)
	}
	inputs, err := os.ReadFile(filepath.Join(dir, "results/out_materialized_inputs.jsonl"))
	require.NoError(t, err)
	require.Equal(t, 10, bytes.Count(inputs, []byte("\n")))
	metrics, err := os.ReadFile(filepath.Join(dir, "results/out_aggregate_metrics.json"))
	require.NoError(t, err)
	require.Contains(t, string(metrics), `"mean/reward"`)
	require.Contains(t, string(metrics), `"mean/set_overlap"`)

	// Every model call went to the fake server with the configured model name and key.
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		require.Equal(t, "/v1/responses", r.Path)
		require.Equal(t, "fake-policy", r.Model)
		require.Equal(t, "Bearer test-key", r.Header.Get("Authorization"))
	}
}

// NeMo Gym's spellings of the run settings work as overrides.
func TestCollectNeMoGymSpellings(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	code, _, stderr := run(t, dir, "collect",
		"+config_paths=["+filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml")+","+
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")+"]",
		"+input_jsonl_fpath="+filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl"),
		"+output_jsonl_fpath=out.jsonl",
		"+agent_name=example_multi_step_simple_agent",
		"+limit=2", "+num_repeats=3", "+num_samples_in_parallel=2",
		"+policy_base_url="+srv.URL, "+policy_api_key=k", "+policy_model_name=m")
	require.Equal(t, 0, code, stderr)
	rows := clitest.Results(t, filepath.Join(dir, "out.jsonl"))
	require.Len(t, rows, 6)
	seen := map[[2]int]bool{}
	for _, r := range rows {
		seen[[2]int{r.TaskIndex, r.RolloutIndex}] = true
	}
	require.Len(t, seen, 6)
}

func TestCollectErrors(t *testing.T) {
	ref := reftest.Dir(t)
	dir := t.TempDir()
	cfg := filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml") + "," +
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")

	code, _, stderr := run(t, dir, "collect", "--config", cfg, "--input", "x.jsonl", "--output", "o.jsonl")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "policy_base_url")
	require.Contains(t, stderr, "env.yaml or on the command line")

	code, _, stderr = run(t, dir, "collect", "--input", "x.jsonl", "--output", "o.jsonl")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "no --config given")
	require.Contains(t, stderr, "gym run")

	code, _, stderr = run(t, dir, "frobnicate")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, `unknown command "frobnicate"`)

	code, _, _ = run(t, dir, "collect", "--help")
	require.Equal(t, cli.ExitOK, code)

	// An unknown default agent is a usage error before anything runs.
	input := filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl")
	for _, agentArg := range [][]string{{"--agent", "example_multi_step_simple_agnt"}, {"+agent_name=example_multi_step_simple_agnt"}} {
		args := append([]string{"collect", "--config", cfg, "--input", input, "--output", "unknown.jsonl",
			"+policy_base_url=http://127.0.0.1:9/v1", "+policy_api_key=k", "+policy_model_name=m"}, agentArg...)
		code, _, stderr = run(t, dir, args...)
		require.Equal(t, cli.ExitUsage, code, stderr)
		require.Contains(t, stderr, `did you mean "example_multi_step_simple_agent"?`)
		_, err := os.Stat(filepath.Join(dir, "unknown.jsonl"))
		require.ErrorIs(t, err, os.ErrNotExist)
	}
}

// gym reverify reproduces the recorded rewards of NeMo Gym's reference
// rollouts (their task fields come back from the dataset).
func TestReverifyReferenceRollouts(t *testing.T) {
	ref := reftest.Dir(t)
	dir := t.TempDir()
	cfg := filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml") + "," +
		filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml") + "," +
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")
	for _, env := range []struct{ dir, agent string }{
		{"example_single_tool_call", "example_single_tool_call_simple_agent"},
		{"example_multi_step", "example_multi_step_simple_agent"},
	} {
		data := filepath.Join(ref, "resources_servers", env.dir, "data")
		code, stdout, stderr := run(t, dir, "reverify", "--config", cfg, "--agent", env.agent,
			"--input", filepath.Join(data, "example_rollouts.jsonl"),
			"--dataset", filepath.Join(data, "example.jsonl"),
			"--output", env.dir+".jsonl",
			"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "reverified 5 rows: 0 rewards changed, 0 failed")
		rows := clitest.Results(t, filepath.Join(dir, env.dir+".jsonl"))
		require.Len(t, rows, 5)
		for _, r := range rows {
			require.Equal(t, 1.0, r.Reward)
		}
	}
}

func TestAggregate(t *testing.T) {
	ref := reftest.Dir(t)
	dir := t.TempDir()
	code, stdout, stderr := run(t, dir, "aggregate",
		"--input", filepath.Join(ref, "resources_servers/example_multi_step/data/example_rollouts.jsonl"),
		"--output", "m.json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "5 rollouts, mean reward 1.0000")
	data, err := os.ReadFile(filepath.Join(dir, "m.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"mean/set_overlap": 1`)
	require.Contains(t, string(data), `"max/accuracy": 1`)
}

// Bad rows are reported with their line on stderr and in the failures
// file; the valid rows still run; the exit status says failures occurred.
func TestCollectBadInput(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	good := `{"responses_create_params":{"input":"weather in sf?"},"agent_ref":{"type":"responses_api_agents","name":"example_single_tool_call_simple_agent"}}`
	input := strings.Join([]string{
		good,
		`{"responses_create_params": {"input": "broken"`,                                                        // 2: malformed JSON
		`{"agent_ref":{"name":"example_single_tool_call_simple_agent"}}`,                                        // 3: no responses_create_params
		`{"responses_create_params":{"input":"x"},"agent_ref":{"name":"example_single_tool_call_simple_agnt"}}`, // 4: unknown agent
		`{"responses_create_params":{"input":42},"agent_ref":{"name":"example_single_tool_call_simple_agent"}}`, // 5: wrong type
		strings.Replace(good, "sf", "nyc", 1),
	}, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(input), 0o644))
	code, _, stderr := run(t, dir, "collect",
		"--config", filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml")+","+
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		"--input", "in.jsonl", "--output", "out.jsonl",
		"+policy_base_url="+srv.URL, "+policy_api_key=k", "+policy_model_name=m")
	require.Equal(t, cli.ExitFailures, code, stderr)
	for _, want := range []string{"in.jsonl:2:", "in.jsonl:3:", `"responses_create_params"`, "in.jsonl:4:",
		`did you mean "example_single_tool_call_simple_agent"?`, "in.jsonl:5:", "4 of the rollouts failed"} {
		require.Contains(t, stderr, want)
	}
	require.Len(t, clitest.Results(t, filepath.Join(dir, "out.jsonl")), 2)
	failures, err := os.ReadFile(filepath.Join(dir, "out_failures.jsonl"))
	require.NoError(t, err)
	require.Equal(t, 4, strings.Count(string(failures), "\n"))
	require.Equal(t, 4, strings.Count(string(failures), `"_ng_failure_class":"invalid_row"`))
}

// Two shards collect half the tasks each; aggregate merges their outputs.
func TestCollectShardsAndAggregate(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"collect",
		"--config", filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml") + "," +
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		"--input", filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl"),
		"--agent", "example_multi_step_simple_agent", "--num-repeats", "2",
		"+policy_base_url=" + srv.URL, "+policy_api_key=k", "+policy_model_name=m"}
	tasks := map[int]bool{}
	for i, out := range []string{"s0.jsonl", "s1.jsonl"} {
		code, _, stderr := run(t, dir, append(args, "--output", out, "--shard", fmt.Sprintf("%d/2", i))...)
		require.Equal(t, 0, code, stderr)
		want := []int{6, 4}[i] // tasks 0, 2, 4 and 1, 3, twice each
		require.Contains(t, stderr, fmt.Sprintf("%d/%d rollouts", want, want), "the progress total is exact")
		code, _, stderr = run(t, dir, append(args, "--output", out, "--shard", fmt.Sprintf("%d/2", i), "--resume")...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, "0/0 rollouts", "a finished shard has nothing left")
		for _, r := range clitest.Results(t, filepath.Join(dir, out)) {
			require.Equal(t, i, r.TaskIndex%2)
			tasks[r.TaskIndex] = true
		}
	}
	require.Len(t, tasks, 5)
	code, stdout, stderr := run(t, dir, "aggregate", "--input", "s0.jsonl,s1.jsonl")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, `"num_rollouts": 10`)
	require.Contains(t, stdout, `"pass@2"`)
	for range 20 { // the key metrics print in a stable order
		code, stdout, stderr = run(t, dir, "aggregate", "--input", "s0.jsonl,s1.jsonl", "--output", "m.json")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, ", majority@2 0.2000, pass@2 0.2000\n")
	}

	code, _, stderr = run(t, dir, append(args, "--output", "x.jsonl", "--shard", "2/2")...)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "0 <= I < N")
}

// A bad --input is a usage error found before the output is touched: an
// existing merged dataset is not truncated by a typo.
func TestCollateBadInputKeepsOutput(t *testing.T) {
	dir := t.TempDir()
	good := `{"responses_create_params":{"input":"hi"}}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(good), 0o644))
	for _, tc := range []struct {
		name  string
		input string
		want  string
	}{
		{"missing file", "nope.jsonl:agent", "nope.jsonl"},
		{"missing among good", "a.jsonl:agent,nope.jsonl:agent", "nope.jsonl"},
		{"no agent", "a.jsonl", "want PATH:AGENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "merged.jsonl"), []byte(good), 0o644))
			code, _, stderr := run(t, dir, "collate", "--input", tc.input, "--output", "merged.jsonl")
			require.Equal(t, cli.ExitUsage, code, stderr)
			require.Contains(t, stderr, tc.want)
			data, err := os.ReadFile(filepath.Join(dir, "merged.jsonl"))
			require.NoError(t, err)
			require.Equal(t, good, string(data))
		})
	}
}

// Every call of one rollout goes to one server when policy_base_url is a
// YAML list, with NeMo Gym's vllm_model config unchanged.
func TestCollectSticksToOneEndpoint(t *testing.T) {
	ref := reftest.Dir(t)
	var tr endpointtest.Tracker
	var urls []string
	for i := range 2 {
		srv := gymtest.NewServer(gymtest.Policy(tr.Policy(i, multistep.Policy())))
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(
		"policy_base_url:\n  - "+urls[0]+"\n  - "+urls[1]+"\npolicy_api_key: EMPTY\npolicy_model_name: fake-policy\n"), 0o644))
	configs := filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml") + "," +
		filepath.Join(ref, "responses_api_models/vllm_model/configs/vllm_model.yaml")
	code, _, stderr := run(t, dir, "collect", "--config", configs,
		"--input", filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl"),
		"--output", "out.jsonl", "--num-repeats", "8", "--concurrency", "8", "+agent_name=example_multi_step_simple_agent")
	require.Equal(t, 0, code, stderr)
	rows := clitest.Results(t, filepath.Join(dir, "out.jsonl"))
	require.Len(t, rows, 40)
	uids := map[string]bool{}
	for _, r := range rows {
		require.NoError(t, r.Err)
		require.Equal(t, 1, r.ID.Attempt)
		uids[r.ID.UID] = true
	}
	require.Len(t, uids, 40, "each row records its own attempt id")
	require.Empty(t, tr.Check(40, 2))
}

// gym reverify needs only the resources servers' configs: no model config,
// no policy_* values. A row without agent_ref gets a hint to pass --agent, a
// row missing its verifier's field a hint about --dataset, each with its
// file and line.
func TestReverifyNeedsOnlyResourcesConfigs(t *testing.T) {
	ref := reftest.Dir(t)
	dir := t.TempDir()
	data := filepath.Join(ref, "resources_servers/example_multi_step/data")
	cfg := filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml")
	rollouts := filepath.Join(data, "example_rollouts.jsonl")

	code, stdout, stderr := run(t, dir, "reverify", "--config", cfg, "--agent", "example_multi_step_simple_agent",
		"--input", rollouts, "--dataset", filepath.Join(data, "example.jsonl"), "--output", "out.jsonl")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "reverified 5 rows: 0 rewards changed, 0 failed")

	// Without --agent: the rows have no agent_ref.
	code, _, stderr = run(t, dir, "reverify", "--config", cfg,
		"--input", rollouts, "--dataset", filepath.Join(data, "example.jsonl"), "--output", "out.jsonl")
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Contains(t, stderr, rollouts+":1: task 0 rollout 0: the row has no agent_ref: pass --agent with the agent that ran it (the config's agents: example_multi_step_simple_agent)")
	require.Equal(t, 5, strings.Count(stderr, "pass --agent"))

	// Without --dataset: the rows lack the task fields NeMo Gym dropped.
	code, _, stderr = run(t, dir, "reverify", "--config", cfg, "--agent", "example_multi_step_simple_agent",
		"--input", rollouts, "--output", "out.jsonl")
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Contains(t, stderr, rollouts+":1: task 0 rollout 0: verify: ")
	require.Contains(t, stderr, "pass --dataset with the dataset they were collected from")
}
