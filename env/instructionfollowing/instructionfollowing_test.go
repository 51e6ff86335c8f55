package instructionfollowing_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

var fields = []string{"reward", "follow_all_instructions", "follow_instruction_list"}

func environment(m model.Model) gym.Environment {
	srv, v, err := instructionfollowing.New(instructionfollowing.Config{})
	if err != nil {
		panic(err)
	}
	return gym.Environment{Model: m, Resources: srv, Verifier: v}
}

// NeMo Gym's recorded rollouts re-score to their rewards and fields (their
// id comes back from the dataset, matched by input).
func TestReplayReference(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "instruction_following", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: environment,
		Fields:      fields,
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// A verifier that scores differently is caught by the same replay.
func TestReplayReferenceCatchesDifferences(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "instruction_following", "data")
	wrong := func(m model.Model) gym.Environment {
		e := environment(m)
		e.Verifier = verifier.Constant(1)
		return e
	}
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: wrong,
		Fields:      fields,
	})
	require.NoError(t, err)
	require.NotEmpty(t, diffs)
}

// NeMo Gym's config loads unchanged and builds through bundled.
func TestReferenceConfig(t *testing.T) {
	path := reftest.Path(t, "resources_servers", "instruction_following", "configs", "instruction_following.yaml")
	cfg, err := load(path, reftest.Path(t, "responses_api_models", "openai_model", "configs", "openai_model.yaml"))
	require.NoError(t, err)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	_, err = reg.Lookup(instructionfollowing.AgentName)
	require.NoError(t, err)
	s, err := cfg.Server(instructionfollowing.ServerName)
	require.NoError(t, err)
	var c instructionfollowing.Config
	require.NoError(t, s.Decode(&c))
	require.Equal(t, "instruction_following", c.Domain)
	require.Equal(t, "app.py", c.Entrypoint)
	require.False(t, c.Verified)
}

// The project's own config names the same instances.
func TestOwnConfig(t *testing.T) {
	cfg, err := load("../../bundled/configs/resources_servers/instruction_following/configs/instruction_following.yaml",
		reftest.Path(t, "responses_api_models", "openai_model", "configs", "openai_model.yaml"))
	require.NoError(t, err)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	_, err = reg.Lookup(instructionfollowing.AgentName)
	require.NoError(t, err)
}

func load(paths ...string) (*config.Config, error) {
	return config.Loader{Paths: paths, Overrides: []string{"+policy_base_url=http://127.0.0.1:9/v1", "+policy_api_key=k", "+policy_model_name=m"}}.Load()
}

func readTasks(t *testing.T, path string) []rollout.Task {
	t.Helper()
	var rows []rollout.Task
	for task, err := range rollout.ReadTasksFile(path) {
		require.NoError(t, err)
		rows = append(rows, task)
	}
	return rows
}

// The environment passes the conformance checks on the project's dataset,
// against a policy that answers every prompt the same way.
func TestConformance(t *testing.T) {
	rows := readTasks(t, "../../testdata/instruction_following/example.jsonl")
	require.NotEmpty(t, rows)
	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return textResponse("<<A title>>\n\nOne paragraph. P.S. done"), nil
	})
	require.Empty(t, gymtest.Check(context.Background(), environment(policy), policy, rows))
}

func TestProjectDataset(t *testing.T) {
	for i, task := range readTasks(t, "../../testdata/instruction_following/example.jsonl") {
		var want struct {
			Answer string `json:"answer"`
			Reward float64
		}
		require.NoError(t, task.Decode("example_answer", &want.Answer), "row %d", i+1)
		require.NoError(t, task.Decode("example_reward", &want.Reward), "row %d", i+1)
		res, err := instructionfollowing.Verify(task, textResponse(want.Answer))
		require.NoError(t, err, "row %d", i+1)
		require.Equal(t, want.Reward, res.Reward, "row %d: %v %v", i+1, res.FollowList, res.Errors)
	}
}

func textResponse(text string) *rollout.Response {
	b, _ := json.Marshal(map[string]any{
		"id": "resp", "object": "response", "output": []any{map[string]any{
			"type": "message", "role": "assistant", "id": "msg",
			"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}},
		}},
	})
	var r rollout.Response
	if err := json.Unmarshal(b, &r); err != nil {
		panic(err)
	}
	return &r
}

func writeLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}
