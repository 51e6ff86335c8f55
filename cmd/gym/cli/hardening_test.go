package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/deadline"
	"github.com/gymkit/gym/rollout"
)

// weatherConfig is the project's own config of the single-tool-call
// example against the policy at policy_base_url.
const weatherConfig = `weather:
  resources_servers:
    example_single_tool_call:
      entrypoint: app.py
weather_agent:
  responses_api_agents:
    simple_agent:
      entrypoint: app.py
      resources_server: {type: resources_servers, name: weather}
      model_server: {type: responses_api_models, name: policy_model}
policy_model:
  responses_api_models:
    openai_model:
      entrypoint: app.py
      openai_base_url: ${policy_base_url}
      openai_api_key: ${policy_api_key}
      openai_model: ${policy_model_name}
`

// weatherDir writes the config (weather.yaml) and repeats rows of the
// project's single-tool-call dataset (in.jsonl) into a new directory.
func weatherDir(t *testing.T, repeats int) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "weather.yaml"), []byte(weatherConfig), 0o644))
	rows, err := os.ReadFile("../../../testdata/singletoolcall.jsonl")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.jsonl"), bytes.Repeat(rows, repeats), 0o644))
	return dir
}

// gym collect with its default flags finishes against a policy that never
// answers 2% of its calls: the default model deadline (shortened here)
// fails them, they are retried, and every pair ends in the output or the
// failures file.
func TestCollectDefaultFlagsFinishAgainstAHangingPolicy(t *testing.T) {
	deadline.SetForTest(t, deadline.Model, 300*time.Millisecond)
	srv := gymtest.NewServer(gymtest.Policy(policy), gymtest.WithFaults(0.02, 7, gymtest.Hang()))
	defer srv.Close()
	dir := weatherDir(t, 16) // 80 rows, two model calls each
	var code int
	var stderr string
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, _, stderr = run(t, dir, "collect", "--config", "weather.yaml", "--input", "in.jsonl", "--output", "out.jsonl",
			"--agent", "weather_agent", "+policy_base_url="+srv.URL, "+policy_api_key=k", "+policy_model_name=m")
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("gym collect still running after 60s: it waits for calls that never answer")
	}
	pairs := map[[2]int]bool{}
	for _, r := range readRows(t, filepath.Join(dir, "out.jsonl")) {
		pairs[[2]int{r.TaskIndex, r.RolloutIndex}] = true
	}
	f, err := os.Open(filepath.Join(dir, "out_failures.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	timeouts := 0
	for r, err := range rollout.ReadResults(f, "") {
		require.NoError(t, err)
		require.Equal(t, rollout.FailTimeout, rollout.AsFailure(r.Err).Class)
		timeouts++
		if rollout.AsFailure(r.Err).Stage == "" {
			t.Fatal("a failure without its stage")
		}
		pairs[[2]int{r.TaskIndex, r.RolloutIndex}] = true
	}
	require.NotZero(t, timeouts, "some calls hung; stderr:\n%s", stderr)
	require.Len(t, pairs, 80, "every pair is in the output or the failures")
	require.Contains(t, []int{0, 1}, code, stderr)
}
