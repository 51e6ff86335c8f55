package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/clitest"
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
	for _, r := range clitest.Results(t, filepath.Join(dir, "out.jsonl")) {
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

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
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

const testKey = "sk-test-0123456789abcdef"

// startRun runs gym run in process on the config in dir and returns the
// head server's URL; the servers stop at the end of the test.
func startRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	go func() {
		c := &cli.Command{Impls: cli.Builtin(), Stdout: io.Discard, Stderr: &stderr}
		done <- c.Run(ctx, append([]string{"run", "--head", "127.0.0.1:0"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	var head string
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(stderr.String(), "\n") {
			if h, ok := strings.CutPrefix(line, "head server at "); ok {
				head = h
			}
		}
		return head != "" && strings.Contains(stderr.String(), "all servers ready")
	}, 10*time.Second, 5*time.Millisecond, "gym run did not start: %s", stderr.String())
	require.NotContains(t, stderr.String(), testKey)
	return head
}

func get(t *testing.T, method, url string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// The head server masks every credential of the config it serves, answers
// every error as JSON and never redirects.
func TestHeadServerRedactsAndAnswersJSON(t *testing.T) {
	dir := weatherDir(t, 1)
	head := startRun(t, dir, "--config", "weather.yaml",
		"+policy_base_url=http://127.0.0.1:1/v1", "+policy_api_key="+testKey, "+policy_model_name=m",
		"+hf_token=hf_abcdefghijklmnop", "+max_output_tokens=12288")

	status, h, body := get(t, http.MethodGet, head+"/global_config_dict_yaml")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "application/yaml", h.Get("Content-Type"))
	require.NotContains(t, body, testKey)
	require.NotContains(t, body, "hf_abcdefghijklmnop")
	require.Contains(t, body, "policy_api_key: '****'")
	require.Contains(t, body, "openai_api_key: '****'", "the interpolated copy too")
	require.Contains(t, body, "max_output_tokens: 12288", "not a secret")
	require.Contains(t, body, "policy_model_name: m")

	status, _, body = get(t, http.MethodGet, head+"/server_instances")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"weather_agent"`)

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodPost, "/server_instances", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/global_config_dict_yaml", http.StatusMethodNotAllowed},
		{http.MethodGet, "//server_instances", http.StatusNotFound},     // a ServeMux redirects this
		{http.MethodGet, "/server_instances/", http.StatusNotFound},     // and this
		{http.MethodGet, "/a/../server_instances", http.StatusNotFound}, // and this
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
	} {
		status, h, body := get(t, tc.method, head+tc.path)
		require.Equal(t, tc.status, status, "%s %s: %s", tc.method, tc.path, body)
		require.Equal(t, "application/json", h.Get("Content-Type"), tc.path)
		require.Empty(t, h.Get("Location"), tc.path)
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		require.NotEmpty(t, e.Error.Message, body)
	}
	status, _, _ = get(t, http.MethodHead, head+"/server_instances")
	require.Equal(t, http.StatusOK, status)
}

// A model server that echoes the API key in its error cannot get it onto
// the terminal or into the failures file.
func TestCollectNeverPrintsTheAPIKey(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"invalid key %s","type":"invalid_request_error"}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer echo.Close()
	dir := weatherDir(t, 1)
	code, stdout, stderr := run(t, dir, "collect", "--config", "weather.yaml", "--input", "in.jsonl", "--output", "out.jsonl",
		"--agent", "weather_agent", "--max-attempts", "1",
		"+policy_base_url="+echo.URL+"/v1", "+policy_api_key="+testKey, "+policy_model_name=m")
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Contains(t, stderr, "model_error")
	require.NotContains(t, stderr+stdout, testKey)
	failures, err := os.ReadFile(filepath.Join(dir, "out_failures.jsonl"))
	require.NoError(t, err)
	require.Equal(t, 5, bytes.Count(failures, []byte("\n")))
	require.NotContains(t, string(failures), testKey)
	if strings.Contains(string(failures)+stderr, "invalid key") { // where the client keeps the server's message
		require.Contains(t, string(failures), "invalid key ****")
		require.Contains(t, stderr, "invalid key ****")
	}
}

// What gym collect makes of a BOM, a row that is not UTF-8 and a JSON
// array: the first is skipped, the second is an invalid row that is never
// written out, the third one clear error.
func TestCollectBOMInvalidUTF8AndArray(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := weatherDir(t, 1)
	rows, err := os.ReadFile(filepath.Join(dir, "in.jsonl"))
	require.NoError(t, err)
	lines := bytes.SplitAfter(rows, []byte("\n"))
	bad := bytes.Replace(lines[1], []byte("nyc"), []byte("ny\xffc"), 1)
	input := append([]byte("\xef\xbb\xbf"), lines[0]...)
	input = append(append(input, bad...), lines[2]...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.jsonl"), input, 0o644))
	args := []string{"collect", "--config", "weather.yaml", "--output", "out.jsonl", "--agent", "weather_agent",
		"+policy_base_url=" + srv.URL, "+policy_api_key=k", "+policy_model_name=m"}
	code, _, stderr := run(t, dir, append(args, "--input", "in.jsonl")...)
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Contains(t, stderr, "in.jsonl:2: invalid UTF-8")
	require.NotContains(t, stderr, "in.jsonl:1:", "the BOM is skipped")
	require.Len(t, clitest.Results(t, filepath.Join(dir, "out.jsonl")), 2)
	for _, f := range []string{"out.jsonl", "out_failures.jsonl", "out_materialized_inputs.jsonl"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		require.True(t, utf8.Valid(b), "%s is UTF-8", f)
	}

	array := "[\n" + strings.Join(strings.Split(strings.TrimSpace(string(rows)), "\n"), ",\n") + "\n]\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rows.json"), []byte(array), 0o644))
	code, _, stderr = run(t, dir, append(args, "--input", "rows.json")...)
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Equal(t, 1, strings.Count(stderr, "JSON array"), stderr)
	require.Contains(t, stderr, "jq -c '.[]' rows.json")
}

// On --resume the failures file is repaired like the output (a half line
// left by a kill is cut off, so the next record does not land on it), and
// the failures of pairs that have succeeded since, and of invalid rows
// (reported again), are dropped.
func TestCollectResumeRepairsAndPrunesFailures(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := weatherDir(t, 1)
	in, err := os.ReadFile(filepath.Join(dir, "in.jsonl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.jsonl"), append(in, []byte("{\"broken\n")...), 0o644))
	args := []string{"collect", "--config", "weather.yaml", "--input", "in.jsonl", "--output", "out.jsonl",
		"--agent", "weather_agent", "+policy_base_url=" + srv.URL, "+policy_api_key=k", "+policy_model_name=m"}
	code, _, stderr := run(t, dir, args...)
	require.Equal(t, cli.ExitFailures, code, stderr) // the broken row

	// As a killed run leaves them: tasks 0 and 1 done, a failure of task 0
	// from an earlier attempt, a final failure of task 2, the invalid row,
	// and half a line.
	var keep []string
	for _, r := range clitest.Results(t, filepath.Join(dir, "out.jsonl")) {
		if r.TaskIndex < 2 {
			keep = append(keep, string(r.AppendJSON(nil)))
		}
	}
	require.Len(t, keep, 2)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "out.jsonl"), []byte(strings.Join(keep, "\n")+"\n"), 0o644))
	old := strings.Join([]string{
		`{"_ng_task_index":0,"_ng_rollout_index":0,"_ng_failure_class":"timeout","_ng_failure_message":"slow","_ng_failure_retryable":true,"_ng_failure_attempt":1,"_ng_failure_final":false}`,
		`{"_ng_task_index":2,"_ng_rollout_index":0,"_ng_failure_class":"model_error","_ng_failure_message":"500","_ng_failure_retryable":true,"_ng_failure_attempt":3,"_ng_failure_final":true}`,
		`{"_ng_task_index":-1,"_ng_rollout_index":0,"_ng_failure_class":"invalid_row","_ng_failure_message":"in.jsonl:6: bad","_ng_failure_retryable":false,"_ng_failure_final":true}`,
		`{"_ng_task_index":3,"_ng_rollout_index":0,"_ng_failure_class":"time`,
	}, "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "out_failures.jsonl"), []byte(old), 0o644))

	code, _, stderr = run(t, dir, append(args, "--resume")...)
	require.Equal(t, cli.ExitFailures, code, stderr)
	require.Contains(t, stderr, "resuming: 2 rollouts")
	pairs := map[int]int{}
	for _, r := range clitest.Results(t, filepath.Join(dir, "out.jsonl")) {
		pairs[r.TaskIndex]++
	}
	require.Equal(t, map[int]int{0: 1, 1: 1, 2: 1, 3: 1, 4: 1}, pairs)
	rows := clitest.Results(t, filepath.Join(dir, "out_failures.jsonl")) // every line reads
	require.Len(t, rows, 1, "only this run's invalid row is left")
	f := rollout.AsFailure(rows[0].Err)
	require.Equal(t, rollout.FailInvalidRow, f.Class)
	require.True(t, f.Final)
	require.Contains(t, f.Error(), "in.jsonl:6:")
}

// Beside an output that is not a regular file, no sidecar is made up
// (/dev/null_failures.jsonl); explicit flags put them anywhere, and
// --resume needs a file to read back.
func TestCollectToADevice(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	dir := weatherDir(t, 1)
	args := []string{"collect", "--config", "weather.yaml", "--input", "in.jsonl", "--output", "/dev/null",
		"--agent", "weather_agent", "+policy_base_url=" + srv.URL, "+policy_api_key=k", "+policy_model_name=m"}
	code, stdout, stderr := run(t, dir, args...)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stdout, "the summary stays out of a stream the rows may share")
	require.Contains(t, stderr, "weather_agent: 5 rollouts", "metrics come from the results")
	require.Contains(t, stderr, "wrote /dev/null\n")
	for _, f := range []string{"/dev/null_failures.jsonl", "/dev/null_materialized_inputs.jsonl", "/dev/null_aggregate_metrics.json"} {
		_, err := os.Stat(f)
		require.ErrorIs(t, err, os.ErrNotExist, f)
	}

	code, _, stderr = run(t, dir, append(args, "--failures", "f.jsonl", "--metrics", "m.json", "--materialized-inputs", "i.jsonl")...)
	require.Equal(t, 0, code, stderr)
	for _, f := range []string{"f.jsonl", "m.json", "i.jsonl"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	m, err := os.ReadFile(filepath.Join(dir, "m.json"))
	require.NoError(t, err)
	require.Contains(t, string(m), `"num_rollouts": 5`)

	code, _, stderr = run(t, dir, append(args, "--resume")...)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "not a regular file")
}
