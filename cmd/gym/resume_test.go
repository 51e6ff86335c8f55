package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// buildGym builds the gym command into a temporary directory.
func buildGym(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gym")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// After kill -9 in the middle of gym collect, gym collect --resume yields
// exactly one output row per (task, rollout): none missing, none duplicated,
// and a half-written last line is repaired.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a subprocess")
	}
	bin := buildGym(t)
	slow := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		select {
		case <-time.After(15 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return multistep.Policy().Respond(ctx, req)
	})
	srv := gymtest.NewServer(gymtest.Policy(slow))
	defer srv.Close()

	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	cfg := filepath.Join(dir, "gym.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`
synonyms_resources:
  resources_servers:
    example_multi_step: {}
synonyms_agent:
  responses_api_agents:
    simple_agent:
      resources_server: {type: resources_servers, name: synonyms_resources}
      model_server: {type: responses_api_models, name: policy_model}
policy_model:
  responses_api_models:
    openai_model:
      openai_base_url: %s
      openai_api_key: k
      openai_model: fake
`, srv.URL)), 0o644))
	input := filepath.Join(wd, "..", "..", "testdata", "multistep.jsonl")
	out := filepath.Join(dir, "out.jsonl")
	const repeats, rows = 40, 5
	args := []string{"collect", "--config", cfg, "--input", input, "--output", out,
		"--agent", "synonyms_agent", "--num-repeats", fmt.Sprint(repeats), "--concurrency", "8"}

	cmd := exec.Command(bin, args...)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(out)
		if bytes.Count(data, []byte("\n")) >= 30 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no progress: %s", stderr.String())
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	before, err := os.ReadFile(out)
	require.NoError(t, err)
	n := bytes.Count(before, []byte("\n"))
	require.Less(t, n, repeats*rows, "killed too late to test resume")

	// A write cut short by the kill.
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"responses_create_params":{"input":"half`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	res, err := exec.Command(bin, append(args, "--resume")...).CombinedOutput()
	require.NoError(t, err, string(res))
	require.Contains(t, string(res), fmt.Sprintf("resuming: %d rollouts already", n))

	data, err := os.ReadFile(out)
	require.NoError(t, err)
	seen := map[[2]int]int{}
	for r, err := range rollout.ReadResults(bytes.NewReader(data), out) {
		require.NoError(t, err)
		require.NoError(t, r.Err)
		seen[[2]int{r.TaskIndex, r.RolloutIndex}]++
	}
	require.Len(t, seen, repeats*rows)
	for ti := range rows {
		for ri := range repeats {
			require.Equal(t, 1, seen[[2]int{ti, ri}], "task %d rollout %d", ti, ri)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while a subprocess writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
