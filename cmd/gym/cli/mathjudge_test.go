package cli_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/clitest"
	"github.com/gymkit/gym/internal/reftest"
)

// gym reverify with NeMo Gym's math_with_judge config, unchanged, re-scores
// its recorded rollouts: the same rewards and library fields.
func TestReverifyMathWithJudge(t *testing.T) {
	ref := reftest.Dir(t)
	dir := t.TempDir()
	cfg := filepath.Join(ref, "resources_servers/math_with_judge/configs/math_with_judge.yaml") + "," +
		filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")
	data := filepath.Join(ref, "resources_servers/math_with_judge/data")
	code, stdout, stderr := run(t, dir, "reverify", "--config", cfg, "--agent", "math_with_judge_simple_agent",
		"--input", filepath.Join(data, "example_rollouts.jsonl"),
		"--dataset", filepath.Join(data, "example.jsonl"),
		"--output", "math.jsonl",
		"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "reverified 5 rows: 0 rewards changed, 0 failed")
	rows := clitest.Results(t, filepath.Join(dir, "math.jsonl"))
	require.Len(t, rows, 5)
	got := map[string]string{} // expected_answer -> reward and extracted_answer
	for _, r := range rows {
		var expected string
		require.NoError(t, r.Task.Decode("expected_answer", &expected))
		raw, ok := r.Task.Get("extracted_answer")
		require.True(t, ok)
		var s string
		require.NoError(t, json.Unmarshal(raw, &s))
		got[expected] = jsonFloat(r.Reward) + " " + s
		raw, ok = r.Task.Get("library_reward")
		require.True(t, ok)
		require.JSONEq(t, jsonFloat(r.Reward), string(raw))
	}
	require.Equal(t, map[string]string{
		`\(\frac{333}{1997}\)`: "0 83/499",
		`\(\frac{(3-\sqrt{3})(2-\sqrt{3})^{2016}+(3+\sqrt{3})(2+\sqrt{3})^{2016}}{6}\)`: "1 (-(1 - sqrt(3))**4033 + (1 + sqrt(3))**4033)/((2**2017*sqrt(3)))",
		"32":           "1 32",
		`\(\sqrt{2}\)`: "1 sqrt(2)",
		"-3":           "0 -4",
	}, got)
}

func jsonFloat(f float64) string { b, _ := json.Marshal(f); return string(b) }
