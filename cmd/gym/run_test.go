package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// policy answers each environment's rows with its scripted policy.
var policy = gymtest.ByTool(map[string]model.Model{"get_weather": singletoolcall.Policy()}, multistep.Policy())

// The seed's two-terminal workflow: gym run serves NeMo Gym's reference
// configs in one process; gym collect in another finds the servers through
// the head server and sends each row to its agent's /run. The rewards are
// those of an in-process collection.
func TestRunAndCollectThroughHeadServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs subprocesses")
	}
	ref := reftest.Dir(t)
	bin := buildGym(t)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(
		"policy_base_url: "+srv.URL+"\npolicy_api_key: k\npolicy_model_name: fake\n"), 0o644))
	configs := strings.Join([]string{
		filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml"),
		filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml"),
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
	}, ",")
	gym := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	gym("collate",
		"--input", filepath.Join(ref, "resources_servers/example_single_tool_call/data/example.jsonl")+":example_single_tool_call_simple_agent",
		"--input", filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl")+":example_multi_step_simple_agent",
		"--output", "merged.jsonl")

	// Terminal 1: gym run.
	run := exec.Command(bin, "run", "--config", configs, "--head", "127.0.0.1:0")
	run.Dir = dir
	stderr, err := run.StderrPipe()
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, run.Start())
	defer run.Process.Kill()
	var head string
	servers := map[string]string{}
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		line := lines.Text()
		if h, ok := strings.CutPrefix(line, "head server at "); ok {
			head = h
		}
		if name, rest, ok := strings.Cut(line, " ("); ok && strings.Contains(rest, ") at ") {
			servers[name] = rest[strings.Index(rest, ") at ")+5:]
		}
		if line == "all servers ready" {
			break
		}
	}
	ready := time.Since(start)
	require.NotEmpty(t, head, "gym run did not report its head server")
	require.Len(t, servers, 5)
	t.Logf("gym run: %d servers and the head server ready in %v", len(servers), ready)
	go func() { // keep draining its log
		for lines.Scan() {
		}
	}()

	// The head server lists them, and serves the merged config.
	resp, err := http.Get(head + "/server_instances")
	require.NoError(t, err)
	var list []struct{ Name, Type, URL string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.Len(t, list, 5)
	resp, err = http.Get(head + "/global_config_dict_yaml")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// Terminal 2: gym collect through the head server, and in process.
	gym("collect", "--head", head, "--input", "merged.jsonl", "--output", "remote.jsonl")
	gym("collect", "--config", configs, "--input", "merged.jsonl", "--output", "local.jsonl")
	remote, local := rewards(t, filepath.Join(dir, "remote.jsonl")), rewards(t, filepath.Join(dir, "local.jsonl"))
	require.Len(t, remote, 10)
	require.Equal(t, local, remote)

	// openai-go calls the served /v1/responses of the agent and the model servers.
	for _, name := range []string{"example_multi_step_simple_agent", "policy_model"} {
		client := openai.NewClient(option.WithBaseURL(servers[name]+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
		r, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
			Model: "fake",
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("It is so cold today")},
		})
		require.NoError(t, err, name)
		require.NotEmpty(t, r.Output, name)
	}

	// SIGTERM shuts it down gracefully.
	require.NoError(t, run.Process.Signal(syscall.SIGTERM))
	require.NoError(t, run.Wait())
}

func rewards(t *testing.T, path string) map[[2]int]float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[[2]int]float64{}
	for r, err := range rollout.ReadResults(f, path) {
		require.NoError(t, err)
		require.NoError(t, r.Err)
		out[[2]int{r.TaskIndex, r.RolloutIndex}] = r.Reward
	}
	return out
}
