package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/internal/clitest"
	"github.com/gymkit/gym/internal/reftest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts the fake policy with args and returns its base URL.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	_, url, ok := strings.Cut(strings.TrimSpace(line), " at ")
	require.True(t, ok, line)
	url, _, _ = strings.Cut(url, " ")
	return url
}

func gym(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &out, Stderr: &errb}
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer os.Chdir(wd)
	code := c.Run(context.Background(), args)
	return code, out.String() + errb.String()
}

// The README's offline walkthrough, start to finish, against the fake
// policy: collate, collect with either model type, aggregate, reverify.
func TestOfflineWalkthrough(t *testing.T) {
	ref := reftest.Dir(t)
	url := serve(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(
		"policy_base_url: "+url+"\npolicy_api_key: EMPTY\npolicy_model_name: fake-policy\n"), 0o644))
	single := filepath.Join(ref, "resources_servers/example_single_tool_call")
	multi := filepath.Join(ref, "resources_servers/example_multi_step")

	code, out := gym(t, dir, "collate",
		"--input", filepath.Join(single, "data/example.jsonl")+":example_single_tool_call_simple_agent",
		"--input", filepath.Join(multi, "data/example.jsonl")+":example_multi_step_simple_agent",
		"--output", "data/merged.jsonl")
	require.Equal(t, 0, code, out)

	for _, modelType := range []string{"openai_model", "vllm_model"} {
		configs := strings.Join([]string{
			filepath.Join(single, "configs/example_single_tool_call.yaml"),
			filepath.Join(multi, "configs/example_multi_step.yaml"),
			filepath.Join(ref, "responses_api_models", modelType, "configs", modelType+".yaml"),
		}, ",")
		output := filepath.Join("results", modelType+".jsonl")
		code, out = gym(t, dir, "collect", "--config", configs, "--input", "data/merged.jsonl",
			"--output", output, "--num-repeats", "2")
		require.Equal(t, 0, code, out)
		got := clitest.Results(t, filepath.Join(dir, output))
		require.Len(t, got, 20)
		rewards := map[string]float64{}
		for _, r := range got {
			require.NoError(t, r.Err)
			rewards[r.Agent] += r.Reward
		}
		// The scripted policies: every weather answer is right, and the
		// synonym policy solves the rows whose synonyms it finds (1 of 5).
		require.Equal(t, map[string]float64{"example_single_tool_call_simple_agent": 10, "example_multi_step_simple_agent": 2}, rewards, modelType)

		code, out = gym(t, dir, "aggregate", "--input", output)
		require.Equal(t, 0, code, out)
		require.Contains(t, out, `"num_rollouts": 10`)

		code, out = gym(t, dir, "reverify", "--config", filepath.Join(single, "configs/example_single_tool_call.yaml")+","+
			filepath.Join(multi, "configs/example_multi_step.yaml"), "--input", output, "--output", "reverified.jsonl")
		require.Equal(t, 0, code, out)
		require.Contains(t, out, "reverified 20 rows: 0 rewards changed, 0 failed")
	}
}

// -replay plays back NeMo Gym's recorded rollouts over both APIs: collecting
// the recorded rows again reproduces their rewards.
func TestReplayRecordedRollouts(t *testing.T) {
	ref := reftest.Dir(t)
	multi := filepath.Join(ref, "resources_servers/example_multi_step")
	url := serve(t, "-replay", filepath.Join(multi, "data/example_rollouts.jsonl"))
	dir := t.TempDir()
	for _, modelType := range []string{"openai_model", "vllm_model"} {
		configs := filepath.Join(multi, "configs/example_multi_step.yaml") + "," +
			filepath.Join(ref, "responses_api_models", modelType, "configs", modelType+".yaml")
		code, out := gym(t, dir, "collect", "--config", configs, "--input", filepath.Join(multi, "data/example.jsonl"),
			"--output", modelType+".jsonl", "+agent_name=example_multi_step_simple_agent",
			"+policy_base_url="+url, "+policy_api_key=EMPTY", "+policy_model_name=m")
		require.Equal(t, 0, code, out)
		got := clitest.Results(t, filepath.Join(dir, modelType+".jsonl"))
		require.Len(t, got, 5)
		for _, r := range got {
			require.Equal(t, 1.0, r.Reward, modelType)
		}
	}
}

func TestBadFlags(t *testing.T) {
	require.Error(t, run(context.Background(), []string{"-replay", "/nonexistent.jsonl"}, io.Discard, io.Discard))
	require.ErrorContains(t, run(context.Background(), []string{"extra"}, io.Discard, io.Discard), "unexpected arguments")
}
