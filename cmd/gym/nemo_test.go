package main_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// startServers runs `gym env start ARGS` in dir and waits until every
// server is ready; it is stopped with SIGTERM when the test ends.
func startServers(t *testing.T, bin, dir string, args ...string) {
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
	for lines.Scan() {
		log = append(log, lines.Text())
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
	port := freePort(t)
	head := []string{"+head_server.host=127.0.0.1", "+head_server.port=" + port}

	startServers(t, bin, dir, append([]string{
		"--model-type", "openai_model",
		"--resources-server", "example_single_tool_call",
		"--resources-server", "example_multi_step",
		"--model", "fake", "--model-url", srv.URL, "--model-api-key", "k",
	}, head...)...)

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
