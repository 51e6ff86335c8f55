package codegen_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env/codegen"
	"github.com/gymkit/gym/rollout"
)

func rows(t *testing.T, tasks ...[]string) [][]rollout.Object {
	t.Helper()
	out := make([][]rollout.Object, len(tasks))
	for i, task := range tasks {
		for _, r := range task {
			o, err := rollout.ParseObject([]byte(r))
			require.NoError(t, err)
			out[i] = append(out[i], o)
		}
	}
	return out
}

// NeMo Gym's TestComputeMetrics.test_produces_pass_at_k_and_subsets, with
// the values its code gives.
func TestComputeMetrics(t *testing.T) {
	m := codegen.ComputeMetrics(rows(t,
		[]string{`{"reward": 1.0, "extracted_model_code": "print(1)", "difficulty": "easy"}`, `{"reward": 1.0, "extracted_model_code": "print(1)", "difficulty": "easy"}`},
		[]string{`{"reward": 0.0, "extracted_model_code": "print(2)", "difficulty": "hard"}`, `{"reward": 1.0, "extracted_model_code": "print(2b)", "difficulty": "hard"}`},
		[]string{`{"reward": 1.0, "extracted_model_code": "print(3)", "difficulty": "easy"}`, `{"reward": 0.0, "extracted_model_code": null, "difficulty": "easy"}`},
	))
	for _, k := range []string{"pass@1/accuracy", "pass@2/accuracy", "majority@2/accuracy", "pass@1[avg-of-2]/accuracy",
		"pass@1[avg-of-2]/accuracy/avg_sample_std_dev", "easy/pass@1/accuracy", "hard/pass@1/accuracy"} {
		require.Contains(t, m, k)
	}
	require.Greater(t, m["easy/pass@1/accuracy"], m["hard/pass@1/accuracy"])
	want := map[string]float64{
		"pass@1/accuracy":                              200.0 / 3,
		"pass@2/accuracy":                              100,
		"pass@1[avg-of-1]/accuracy":                    200.0 / 3,
		"pass@1[avg-of-2]/accuracy":                    200.0 / 3,
		"majority@1/accuracy":                          200.0 / 3,
		"majority@2/accuracy":                          250.0 / 3,
		"pass@1[avg-of-2]/no_answer":                   100.0 / 6,
		"pass@1[avg-of-2]/accuracy/avg_sample_std_dev": (0 + 0.7071067811865476 + 0.7071067811865476) / 3,
		"easy/pass@1/accuracy":                         75,
		"hard/pass@1/accuracy":                         50,
		"hard/majority@2/accuracy":                     50,
	}
	for k, v := range want {
		require.InDelta(t, v, m[k], 1e-9, k)
	}
	require.Equal(t, map[string][]float64{"accuracy": {200.0 / 3, 200.0 / 3}, "no_answer": {0, 100.0 / 3}}, m["per_sample_aggregate"])
	require.NotContains(t, m, "easy/per_sample_aggregate")
	require.NotContains(t, m, "easy/pass@1[avg-of-2]/accuracy/avg_sample_std_dev", "subsets have no avg_sample_std_dev")
}

// NeMo Gym's TestComputeMetrics.test_no_answer_tracked.
func TestComputeMetricsNoAnswer(t *testing.T) {
	m := codegen.ComputeMetrics(rows(t, []string{`{"reward": 1.0, "extracted_model_code": "x"}`, `{"reward": 0.0, "extracted_model_code": null}`}))
	require.InDelta(t, 50.0, m["pass@1[avg-of-2]/no_answer"], 1e-12)
	require.InDelta(t, 100.0, m["pass@2/accuracy"], 1e-12)
	require.InDelta(t, 50.0, m["pass@1/accuracy"], 1e-12)
}

// NeMo Gym's TestGetKeyMetrics.test_selects_headline_metrics: four tasks of
// three rollouts, the last without code.
func TestKeyMetrics(t *testing.T) {
	var tasks [][]string
	for task := range 4 {
		var rs []string
		for r := range 3 {
			code := "null"
			if r < 2 {
				code = fmt.Sprintf(`"print(%d)"`, task)
			}
			rs = append(rs, fmt.Sprintf(`{"_ng_task_index": %d, "_ng_rollout_index": %d, "reward": %d.0, "extracted_model_code": %s, "difficulty": %q}`,
				task, r, (task+r)%2, code, []string{"easy", "easy", "hard", "hard"}[task]))
		}
		tasks = append(tasks, rs)
	}
	agent := codegen.ComputeMetrics(rows(t, tasks...))
	agent["mean/input_tokens"] = 12.0
	agent["mean/reward"] = 0.5
	km := codegen.KeyMetrics(agent)
	for _, k := range []string{"pass@3/accuracy", "majority@3/accuracy", "pass@1[avg-of-3]/accuracy",
		"easy/pass@1[avg-of-3]/accuracy", "hard/pass@1[avg-of-3]/accuracy", "mean/input_tokens"} {
		require.Contains(t, km, k)
	}
	for k := range km {
		require.NotContains(t, k, "std_dev")
		require.NotContains(t, k, "no_answer")
		require.NotContains(t, k, "pass@2")
	}
	require.NotContains(t, km, "mean/reward")
	require.Len(t, km, 6)
	require.InDelta(t, 100.0, km["pass@3/accuracy"], 1e-12)
	require.Equal(t, agent["pass@1[avg-of-3]/accuracy"], km["pass@1[avg-of-3]/accuracy"])

	// A subset named with a capital is not a headline (k[0].islower()).
	agent["Hard/pass@1[avg-of-3]/accuracy"] = 1.0
	for k := range codegen.KeyMetrics(agent) {
		require.False(t, strings.HasPrefix(k, "Hard/"), k)
	}
}

// testdata/metrics.json holds what NeMo Gym's reward_profile functions
// (compute_pass_majority_metrics, add_avg_sample_std_dev,
// compute_subset_metrics, highest_k_metrics, as code_gen's app.py combines
// them) give on three sets of tasks: test_app.py's, its key-metrics test's,
// and uneven random groups (1 to 6 rollouts, rewards of 0.5, ties, missing
// and empty difficulties). ComputeMetrics and KeyMetrics give the same.
func TestMetricsAsNeMoGym(t *testing.T) {
	data, err := os.ReadFile("testdata/metrics.json")
	require.NoError(t, err)
	var cases []struct {
		Name       string             `json:"name"`
		Tasks      [][]map[string]any `json:"tasks"`
		Metrics    map[string]any     `json:"metrics"`
		KeyMetrics map[string]float64 `json:"key_metrics"`
	}
	require.NoError(t, json.Unmarshal(data, &cases))
	require.Len(t, cases, 3)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var tasks [][]rollout.Object
			for _, task := range c.Tasks {
				var rs []rollout.Object
				for _, r := range task {
					var o rollout.Object
					for k, v := range r {
						require.NoError(t, o.SetValue(k, v))
					}
					rs = append(rs, o)
				}
				tasks = append(tasks, rs)
			}
			got := codegen.ComputeMetrics(tasks)
			got["mean/input_tokens"] = 12.0
			require.Equal(t, len(c.Metrics), len(got))
			for k, want := range c.Metrics {
				if k == "per_sample_aggregate" {
					w := map[string][]float64{}
					for name, vs := range want.(map[string]any) {
						for _, v := range vs.([]any) {
							w[name] = append(w[name], v.(float64))
						}
					}
					g := got[k].(map[string][]float64)
					require.Len(t, g, len(w))
					for name, vs := range w {
						require.InDeltaSlice(t, vs, g[name], 1e-9, name)
					}
					continue
				}
				require.Contains(t, got, k)
				require.InDelta(t, want.(float64), got[k].(float64), 1e-9, k)
			}
			key := codegen.KeyMetrics(got)
			require.Equal(t, len(c.KeyMetrics), len(key), "%v", key)
			for k, want := range c.KeyMetrics {
				require.InDelta(t, want, key[k], 1e-9, k)
			}
		})
	}
}
