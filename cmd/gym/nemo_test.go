package main_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
)

// startServers runs `gym env start ARGS` in dir and waits until every
// server is ready; it is stopped with SIGTERM when the test ends. It
// returns the head server's port.
func startServers(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"env", "start"}, args...)...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	lines := bufio.NewScanner(stderr)
	var log []string
	ready := false
	port := ""
	for lines.Scan() {
		log = append(log, lines.Text())
		if h, ok := strings.CutPrefix(lines.Text(), "head server at "); ok {
			port = h[strings.LastIndexByte(h, ':')+1:]
		}
		if lines.Text() == "all servers ready" {
			ready = true
			break
		}
	}
	require.True(t, ready, "gym env start did not get ready:\n%s", strings.Join(log, "\n"))
	go func() {
		for lines.Scan() {
		}
		_ = cmd.Wait()
		close(done)
	}()
	require.NotEmpty(t, port, "gym env start did not say where its head server is")
	return port
}

// NeMo Gym's quickstart, typed as its README types it, from an empty
// directory with nothing but the binary: gym env start with named assets
// serves both example environments (their configs bundled in the binary),
// and gym eval run --no-serve collects through it; NeMo Gym's legacy
// ng_collect_rollouts, called through a link, does the same with +key=value
// settings.
func TestNeMoGymCommandLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs subprocesses")
	}
	bin := buildGym(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	// The head server on a port of the system's choosing (0), so that
	// tests running at once never collide.
	port := startServers(t, bin, dir, append([]string{
		"--model-type", "openai_model",
		"--resources-server", "example_single_tool_call",
		"--resources-server", "example_multi_step",
		"--model", "fake", "--model-url", srv.URL, "--model-api-key", "k",
	}, "+head_server.host=127.0.0.1", "+head_server.port=0")...)
	head := []string{"+head_server.host=127.0.0.1", "+head_server.port=" + port}

	gym := func(name string, args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "%s %v\nstdout:\n%s\nstderr:\n%s", name, args, stdout.String(), stderr.String())
		return stdout.String(), stderr.String()
	}

	// gym env status lists the five servers.
	out, _ := gym(bin, append([]string{"env", "status"}, head...)...)
	for _, name := range []string{"example_single_tool_call_simple_agent", "example_multi_step_simple_agent", "policy_model"} {
		require.Contains(t, out, name)
	}
	require.Contains(t, out, "5 servers running")

	// The README's gym eval run --no-serve, with the dataset path of NeMo
	// Gym's repository: found among the bundled data.
	out, _ = gym(bin, append([]string{"eval", "run", "--no-serve",
		"--agent", "example_single_tool_call_simple_agent",
		"--input", "resources_servers/example_single_tool_call/data/example.jsonl",
		"--output", "results/weather_rollouts.jsonl",
		"--limit", "3", "--num-repeats", "2"}, head...)...)
	require.Contains(t, out, "6 rollouts, mean reward 1.0000")
	got := rewards(t, filepath.Join(dir, "results/weather_rollouts.jsonl"))
	require.Len(t, got, 6)
	for k, r := range got {
		require.Equal(t, 1.0, r, "rollout %v", k)
	}
	for _, f := range []string{"weather_rollouts_materialized_inputs.jsonl", "weather_rollouts_failures.jsonl", "weather_rollouts_aggregate_metrics.json"} {
		require.FileExists(t, filepath.Join(dir, "results", f))
	}

	// gym eval profile on that collection.
	out, _ = gym(bin, "eval", "profile",
		"--inputs", "results/weather_rollouts_materialized_inputs.jsonl",
		"--rollouts", "results/weather_rollouts.jsonl")
	require.Contains(t, out, "Reward profile completion: 6/6 rollout rows (100.00%)")
	require.Contains(t, out, "3 always solved")
	require.FileExists(t, filepath.Join(dir, "results/weather_rollouts_reward_profiling.jsonl"))
	require.FileExists(t, filepath.Join(dir, "results/weather_rollouts_agent_metrics.json"))

	// The legacy name, through a link, with NeMo Gym's +key=value settings.
	links := t.TempDir()
	out, _ = gym(bin, "install-aliases", links)
	require.Contains(t, out, "made")
	in := filepath.Join(dir, "in.jsonl")
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "multistep.jsonl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(in, data, 0o644))
	_, stderr := gym(filepath.Join(links, "ng_collect_rollouts"), append([]string{
		"+input_jsonl_fpath=" + in, "+output_jsonl_fpath=legacy/out.jsonl",
		"+agent_name=example_multi_step_simple_agent"}, head...)...)
	require.Contains(t, stderr, "`ng_collect_rollouts` is deprecated and will be removed in a future release; use `gym eval run --no-serve` instead.")
	require.Len(t, rewards(t, filepath.Join(dir, "legacy/out.jsonl")), 5)

	out, _ = gym(filepath.Join(links, "ng_version"), "--json")
	require.Contains(t, out, `"gym":`)
	out, stderr = gym(filepath.Join(links, "ng"), "--help")
	require.Contains(t, out, "gym env start")
	require.Empty(t, stderr, "ng is gym itself: no deprecation notice")
}

// gym eval run without --no-serve runs the environments in this process,
// from named assets and an empty directory.
func TestEvalRunInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs subprocesses")
	}
	bin := buildGym(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "eval", "run",
		"--model-type", "openai_model", "--resources-server", "example_multi_step",
		"--model", "fake", "--model-url", srv.URL, "--model-api-key", "k",
		"--split", "example", "-o", "out/rollouts.jsonl")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	require.Len(t, rewards(t, filepath.Join(dir, "out/rollouts.jsonl")), 5)
	require.FileExists(t, filepath.Join(dir, "out/rollouts/preprocessed_datasets/example.jsonl"))
}

// nanoBlend are the config_paths of NVIDIA's Nemotron 3 Nano GRPO recipe.
var nanoBlend = []string{
	"responses_api_models/vllm_model/configs/vllm_model_for_training.yaml",
	"resources_servers/math_with_judge/configs/math_with_judge.yaml",
	"resources_servers/code_gen/configs/code_gen.yaml",
	"resources_servers/workplace_assistant/configs/workplace_assistant.yaml",
	"resources_servers/mcqa/configs/mcqa.yaml",
	"resources_servers/instruction_following/configs/instruction_following.yaml",
	"resources_servers/structured_outputs/configs/structured_outputs_json.yaml",
}

// The Nano blend from the command line, two ways. From an empty directory,
// its config_paths as NeMo Gym's recipe spells them resolve to the configs
// bundled in the binary, and gym eval run --split example collates the six
// environments' example datasets and collects them against a fake vLLM
// policy. Then NeMo Gym's own files, unchanged: gym dataset collate with the
// NeMo Gym checkout as --search-dir, and gym collect with the seven files.
func TestNanoBlendCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs subprocesses")
	}
	ref := reftest.Dir(t)
	reftest.Python(t)
	bin := buildGym(t)
	srv := gymtest.NewServer(gymtest.Policy(gymtest.CallThenAnswer(`{"name": "x"} The answer is \boxed{B}.`)))
	defer srv.Close()
	model := []string{"+policy_base_url=" + srv.URL, "+policy_api_key=EMPTY", "+policy_model_name=nano"}
	paths := "+config_paths=[" + strings.Join(nanoBlend, ",") + "]"
	gym := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "gym %v\n%s", args, out)
		return string(out)
	}
	agents := []string{"math_with_judge_simple_agent", "code_gen_simple_agent", "workplace_assistant_simple_agent",
		"mcqa_simple_agent", "instruction_following_simple_agent", "structured_outputs_simple_agent"}
	perAgent := func(path string) map[string]int {
		t.Helper()
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		n := map[string]int{}
		for r, err := range rollout.ReadResults(f, path) {
			require.NoError(t, err)
			n[r.Agent]++
		}
		return n
	}

	// 1. Bundled configs and data, from an empty directory.
	empty := t.TempDir()
	out := gym(empty, append([]string{"eval", "run", paths, "--split", "example", "-o", "out/rollouts.jsonl"}, model...)...)
	got := perAgent(filepath.Join(empty, "out/rollouts.jsonl"))
	require.ElementsMatch(t, agents, keys(got), out)
	collated := perAgent(filepath.Join(empty, "out/rollouts/preprocessed_datasets/example.jsonl"))
	require.Equal(t, collated, got, "every collated row has its rollout")

	// 2. NeMo Gym's own files, unchanged.
	dir := t.TempDir()
	gym(dir, "dataset", "collate", "--search-dir", ref, paths, "--mode", "example_validation", "--output-dir", "data")
	var abs []string
	for _, p := range nanoBlend {
		abs = append(abs, filepath.Join(ref, p))
	}
	gym(dir, append([]string{"collect", "--config", strings.Join(abs, ","), "--input", "data/example.jsonl", "--output", "results/nano.jsonl", "--num-repeats", "2"}, model...)...)
	got = perAgent(filepath.Join(dir, "results/nano.jsonl"))
	require.ElementsMatch(t, agents, keys(got))
	for a, n := range perAgent(filepath.Join(dir, "data/example.jsonl")) {
		require.Equal(t, 2*n, got[a], a)
	}
	// gym eval run resolves the same relative paths in the search dir.
	gym(dir, append([]string{"eval", "run", "--search-dir", ref, paths, "-i", "data/example.jsonl", "-o", "results/nano2.jsonl", "--num-repeats", "2"}, model...)...)
	require.Equal(t, got, perAgent(filepath.Join(dir, "results/nano2.jsonl")))
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
