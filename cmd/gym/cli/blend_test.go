package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/clitest"
	"github.com/gymkit/gym/internal/reftest"
)

// blendSetup writes env.yaml for a fake policy server and returns the
// reference configs of the two example environments and the project's two
// example datasets.
func blendSetup(t *testing.T) (dir, configs, weather, synonyms string) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	configs = strings.Join([]string{
		filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml"),
		filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml"),
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
	}, ",")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(
		"policy_base_url: "+srv.URL+"\npolicy_api_key: test-key\npolicy_model_name: fake-policy\n"), 0o644))
	wd, err := os.Getwd()
	require.NoError(t, err)
	testdata := filepath.Join(wd, "..", "..", "..", "testdata")
	return dir, configs, filepath.Join(testdata, "singletoolcall.jsonl"), filepath.Join(testdata, "multistep.jsonl")
}

// verifyNoLeak checks that no goroutine of the collection outlives the
// command; the fake policy server's keep-alive connections (closed with the
// server, after the test) are not the command's.
func verifyNoLeak(t *testing.T, opts ...goleak.Option) {
	goleak.VerifyNone(t, append(opts,
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"))...)
}

// gym collect with a blend: batches of exact shares, the same output files,
// and each batch reported per environment.
func TestCollectBlend(t *testing.T) {
	dir, configs, weather, synonyms := blendSetup(t)
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	code, stdout, stderr := run(t, dir, "collect", "--config", configs,
		"--blend", weather+":example_single_tool_call_simple_agent:3",
		"--blend", synonyms+":example_multi_step_simple_agent:1",
		"--prompts", "4", "--generations", "2", "--steps", "3", "--seed", "7", "--epochs", "-1",
		"--output", "results/out.jsonl", "--concurrency", "8")
	require.Equal(t, 0, code, stderr)
	for _, step := range []string{"step 0: 4 groups", "step 1: 4 groups", "step 2: 4 groups"} {
		require.Contains(t, stderr, step)
	}
	require.NotContains(t, stderr, "step 3:")
	require.Contains(t, stderr, "  example_single_tool_call_simple_agent: 3 groups (75.0%), ")
	require.Contains(t, stderr, "  example_multi_step_simple_agent: 1 groups (25.0%), ")
	require.Contains(t, stdout, "wrote results/out.jsonl")

	rows := clitest.Results(t, filepath.Join(dir, "results/out.jsonl"))
	require.GreaterOrEqual(t, len(rows), 3*8, "every rollout of the three batches (and of those collected ahead)")
	groups := map[int]int{}
	for _, r := range rows {
		groups[r.TaskIndex]++
		require.Less(t, r.RolloutIndex, 2)
	}
	for ti, n := range groups {
		if ti < 12 {
			require.Equal(t, 2, n, "group %d", ti)
		}
	}
	var metrics map[string]map[string]float64
	data, err := os.ReadFile(filepath.Join(dir, "results/out_aggregate_metrics.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &metrics))
	require.Contains(t, metrics, "example_multi_step_simple_agent")
	_, err = os.Stat(filepath.Join(dir, "results/out_materialized_inputs.jsonl"))
	require.NoError(t, err)
}

// The same from NeMo Gym-style overrides, with NeMo RL's names.
func TestCollectBlendFromOverrides(t *testing.T) {
	dir, configs, weather, synonyms := blendSetup(t)
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	blend := "+blend=[{input: " + weather + ", agent: example_single_tool_call_simple_agent, weight: 1}, " +
		"{input: " + synonyms + ", agent: example_multi_step_simple_agent, weight: 1, name: synonyms}]"
	code, _, stderr := run(t, dir, "collect", "--config", configs, blend,
		"+num_prompts_per_step=2", "+num_generations_per_prompt=3", "+max_num_epochs=1", "+seed=3",
		"+bulkhead={max_in_flight: {synonyms: 1}}", "+output_jsonl_fpath=out.jsonl")
	require.Equal(t, 0, code, stderr)
	// Five rows each, one of each per batch: five batches.
	require.Contains(t, stderr, "step 4: 2 groups")
	require.NotContains(t, stderr, "step 5:")
	require.Contains(t, stderr, "  synonyms: 1 groups (50.0%)")
	require.Contains(t, stderr, "ran dry")
	require.NotContains(t, stderr, "warning")
	require.Len(t, clitest.Results(t, filepath.Join(dir, "out.jsonl")), 5*2*3)
}

func TestCollectBlendUsageErrors(t *testing.T) {
	dir, configs, weather, _ := blendSetup(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--blend", weather}, "want PATH:AGENT[:WEIGHT]"},
		{[]string{"--blend", weather + ":a:heavy"}, `the weight "heavy" is not a number`},
		{[]string{"--blend", weather + ":a:-1"}, "weights are relative shares >= 0"},
		{[]string{"--blend", "missing.jsonl:a"}, "missing.jsonl"},
		{[]string{"--blend", weather + ":a", "--on-failed-group", "ignore"}, "want drop, keep or retry"},
		{[]string{"--blend", weather + ":a", "--resume"}, "--resume does not apply"},
		{[]string{"--blend", weather + ":a", "--input", weather}, "either --input or a blend"},
		{[]string{"--prompts", "x"}, `--prompts "x": want a whole number`},
		{[]string{"--blend", weather + ":a", "--num-repeats", "4"}, "--num-repeats (num_repeats) does not apply to a collection in batches; use --generations"},
		{[]string{"--blend", weather + ":a", "--limit", "4"}, "use --steps"},
		{[]string{"--blend", weather + ":a", "--shard", "0/2"}, "--shard does not apply"},
	}
	for _, tc := range cases {
		args := append([]string{"collect", "--config", configs, "--output", "o.jsonl"}, tc.args...)
		code, _, stderr := run(t, dir, args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
}

// gym eval run takes the same blend, with NeMo RL's names as flags.
func TestEvalRunBlend(t *testing.T) {
	dir, configs, weather, synonyms := blendSetup(t)
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	args := []string{"eval", "run"}
	for _, c := range strings.Split(configs, ",") {
		args = append(args, "--config", c)
	}
	args = append(args, "--blend", weather+":example_single_tool_call_simple_agent:1", "--blend", synonyms+":example_multi_step_simple_agent:1",
		"--num-prompts-per-step", "2", "--num-generations-per-prompt", "2", "--max-num-steps", "2", "--max-num-epochs", "-1",
		"--seed", "9", "--use-dynamic-sampling", "--on-failed-group", "retry", "-o", "out.jsonl")
	code, _, stderr := run(t, dir, args...)
	// The example environments reward every rollout 1.0: dynamic sampling
	// drops every group until the cap, then keeps them.
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "step 1: 2 groups")
	require.Contains(t, stderr, "extra-rollout cap reached")
	require.NotContains(t, stderr, "step 2:")
}
