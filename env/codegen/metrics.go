package codegen

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// ComputeMetrics is NeMo Gym's code_gen compute_metrics: over the verify
// answers of each task (tasks[i]: the rollouts of task i), pass@k,
// pass@1[avg-of-k] and majority@k of accuracy (1 when the reward is
// positive) and no_answer (no extracted_model_code), their spread across
// runs and within tasks, per_sample_aggregate, and the same metrics per
// difficulty ("easy/pass@1/accuracy", ...). Values are percentages.
func ComputeMetrics(tasks [][]rollout.Object) map[string]any {
	scored := make([][]verifier.Scored, len(tasks))
	for i, rollouts := range tasks {
		for _, r := range rollouts {
			scored[i] = append(scored[i], score(r))
		}
	}
	pm := verifier.PassMajority(scored, verifier.PassOptions{Answers: true, AvgSampleStdDev: true})
	out := map[string]any{"per_sample_aggregate": pm.PerSampleAggregate}
	for k, v := range pm.Values {
		out[k] = v
	}
	var order []string
	subsets := map[string][][]verifier.Scored{}
	for i, rollouts := range tasks {
		if len(rollouts) == 0 {
			continue
		}
		name, ok := subsetName(rollouts[0])
		if !ok {
			continue
		}
		if _, seen := subsets[name]; !seen {
			order = append(order, name)
		}
		subsets[name] = append(subsets[name], scored[i])
	}
	for _, name := range order {
		for k, v := range verifier.PassMajority(subsets[name], verifier.PassOptions{Answers: true}).Values {
			out[name+"/"+k] = v
		}
	}
	return out
}

func score(r rollout.Object) verifier.Scored {
	var reward float64
	_ = r.Decode(rollout.KeyReward, &reward)
	acc := 0.0
	if reward > 0 {
		acc = 1
	}
	answer, _ := r.Get("extracted_model_code")
	return verifier.Scored{Scores: map[string]float64{"accuracy": acc}, Answer: answer}
}

// subsetName is the difficulty a task is grouped by, when it is truthy in
// Python's sense: a non-empty string or a non-zero number.
func subsetName(r rollout.Object) (string, bool) {
	raw, ok := r.Get("difficulty")
	if !ok {
		return "", false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch d := v.(type) {
	case string:
		return d, d != ""
	case float64:
		return string(raw), d != 0
	}
	return "", false
}

// KeyMetrics is NeMo Gym's code_gen get_key_metrics: mean/input_tokens and
// mean/output_tokens, then the accuracy of pass@1[avg-of-k], pass@k and
// majority@k at the highest k, and of <subset>/pass@1[avg-of-k] for every
// subset whose name starts with a lower-case letter.
func KeyMetrics(agent map[string]any) map[string]float64 {
	nums := map[string]float64{}
	for k, v := range agent {
		if f, ok := v.(float64); ok {
			nums[k] = f
		}
	}
	key := map[string]float64{}
	for _, name := range []string{"mean/input_tokens", "mean/output_tokens"} {
		if v, ok := nums[name]; ok {
			key[name] = v
		}
	}
	accuracy := []string{"accuracy"}
	for _, p := range []string{"pass@1[avg-of-{k}]", "pass@{k}", "majority@{k}"} {
		maps.Copy(key, verifier.HighestK(nums, p, accuracy))
	}
	prefixes := map[string]bool{}
	for k := range agent {
		if r := []rune(k); strings.Contains(k, "/pass@") && unicode.IsLower(r[0]) {
			prefixes[strings.SplitN(k, "/pass@", 2)[0]] = true
		}
	}
	for _, p := range slices.Sorted(maps.Keys(prefixes)) {
		maps.Copy(key, verifier.HighestK(nums, p+"/pass@1[avg-of-{k}]", accuracy))
	}
	return key
}
