package instructionfollowing_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
)

// gym reverify with NeMo Gym's config unchanged re-scores the recorded
// rollouts to their rewards.
func TestReverifyReferenceRollouts(t *testing.T) {
	ref := reftest.Dir(t)
	data := filepath.Join(ref, "resources_servers", "instruction_following", "data")
	dir := t.TempDir()
	cfg := filepath.Join(ref, "resources_servers/instruction_following/configs/instruction_following.yaml") + "," +
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &stdout, Stderr: &stderr}
	out := filepath.Join(dir, "reverified.jsonl")
	code := c.Run(context.Background(), []string{"reverify", "--config", cfg, "--agent", "instruction_following_simple_agent",
		"--input", filepath.Join(data, "example_rollouts.jsonl"), "--dataset", filepath.Join(data, "example.jsonl"),
		"--output", out, "+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "reverified 5 rows: 0 rewards changed, 0 failed")

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rec, err := os.Open(filepath.Join(data, "example_rollouts.jsonl"))
	require.NoError(t, err)
	defer rec.Close()
	var got, want []*rollout.Result
	for r, err := range rollout.ReadResults(f, out) {
		require.NoError(t, err)
		got = append(got, r)
	}
	for r, err := range rollout.ReadResults(rec, "recorded") {
		require.NoError(t, err)
		want = append(want, r)
	}
	require.Len(t, got, len(want))
	// Rows are written as they finish: match them by their input.
	byInput := map[string]*rollout.Result{}
	for _, r := range got {
		in, _ := r.Task.Get("responses_create_params")
		byInput[string(in)] = r
	}
	got = got[:0]
	for _, r := range want {
		in, _ := r.Task.Get("responses_create_params")
		require.Contains(t, byInput, string(in))
		got = append(got, byInput[string(in)])
	}
	for i := range want {
		require.Equal(t, want[i].Reward, got[i].Reward, "row %d", i+1)
		for _, name := range []string{"follow_all_instructions", "follow_instruction_list"} {
			w, _ := field(want[i], name)
			g, ok := field(got[i], name)
			require.True(t, ok, "row %d: no %s", i+1, name)
			require.JSONEq(t, string(w), string(g), "row %d: %s", i+1, name)
		}
		_, ok := field(got[i], "verifier_metadata")
		require.True(t, ok)
		id, _ := got[i].Task.Get("id")
		require.NotEmpty(t, id, "row %d: the dataset's id is restored", i+1)
		for _, name := range []string{"instruction_id_list", "kwargs", "prompt"} {
			w, _ := want[i].Task.Get(name)
			g, ok := got[i].Task.Get(name)
			require.True(t, ok, "row %d: task field %s survives", i+1, name)
			require.JSONEq(t, string(w), string(g))
		}
	}
}

func field(r *rollout.Result, name string) ([]byte, bool) {
	if v, ok := r.Field(name); ok {
		return v, true
	}
	return r.Task.Get(name)
}
