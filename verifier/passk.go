package verifier

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Scored is one rollout as NeMo Gym's pass@k metrics see it: its named
// scores and, for majority@k, its extracted answer (nil or JSON null: no
// answer).
type Scored struct {
	Scores map[string]float64
	Answer json.RawMessage
}

func (s Scored) hasAnswer() bool { return s.Answer != nil && string(s.Answer) != "null" }

// PassOptions select the parts of PassMajority.
type PassOptions struct {
	// Answers enables majority@k and the no_answer score (NeMo Gym's
	// answer_key).
	Answers bool
	// AvgSampleStdDev adds pass@1[avg-of-k]/<name>/avg_sample_std_dev
	// (NeMo Gym's add_avg_sample_std_dev).
	AvgSampleStdDev bool
}

// PassMetrics are the metrics of PassMajority: name → value, and
// per_sample_aggregate (score name → the pass@1 of each rollout index).
type PassMetrics struct {
	Values             map[string]float64
	PerSampleAggregate map[string][]float64
}

// PassMajority computes NeMo Gym's compute_pass_majority_metrics
// (nemo_gym/reward_profile.py) over tasks[i], the rollouts of task i, in
// percent: pass@k/<name> (combinatorial for 0/1 scores, best of the first k
// otherwise), pass@1[avg-of-k]/<name>, majority@k/<name> (with Answers; ties
// averaged), and for k ≥ 2 the std_dev_across_runs and std_err_across_runs
// of pass@1[avg-of-k]. With Answers, no_answer (1 when a rollout has no
// answer) is a score like the others.
func PassMajority(tasks [][]Scored, opt PassOptions) PassMetrics {
	m := PassMetrics{Values: map[string]float64{}, PerSampleAggregate: map[string][]float64{}}
	if len(tasks) == 0 {
		return m
	}
	maxK := 0
	scores := make([][]map[string]float64, len(tasks))
	names := map[string]bool{}
	for i, rollouts := range tasks {
		maxK = max(maxK, len(rollouts))
		for _, r := range rollouts {
			s := make(map[string]float64, len(r.Scores)+1)
			for k, v := range r.Scores {
				s[k] = v
				names[k] = true
			}
			if opt.Answers {
				s["no_answer"] = 0
				if !r.hasAnswer() {
					s["no_answer"] = 1
				}
				names["no_answer"] = true
			}
			scores[i] = append(scores[i], s)
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)

	for k := 1; k <= maxK; k++ {
		ks := strconv.Itoa(k)
		for _, name := range sorted {
			var pass []float64
			for _, task := range scores {
				vals := valuesOf(task, name)
				if len(vals) == 0 || k > len(vals) {
					continue
				}
				if binary(vals) {
					wrong := 0
					for _, v := range vals {
						if v == 0 {
							wrong++
						}
					}
					if wrong < k {
						pass = append(pass, 1)
					} else {
						pass = append(pass, 1-combRatio(wrong, len(vals), k))
					}
				} else {
					pass = append(pass, slices.Max(vals[:k]))
				}
			}
			if len(pass) > 0 {
				m.Values["pass@"+ks+"/"+name] = 100 * sum(pass) / float64(len(pass))
			}
			var avg []float64
			for _, task := range scores {
				if vals := valuesOf(task[:min(k, len(task))], name); len(vals) > 0 {
					avg = append(avg, sum(vals)/float64(len(vals)))
				}
			}
			if len(avg) > 0 {
				m.Values["pass@1[avg-of-"+ks+"]/"+name] = 100 * sum(avg) / float64(len(avg))
			}
			if opt.Answers {
				var major []float64
				for i, task := range scores {
					major = append(major, majority(tasks[i], task, k, name))
				}
				m.Values["majority@"+ks+"/"+name] = 100 * sum(major) / float64(len(major))
			}
		}
	}

	for run := 0; run < maxK; run++ {
		for _, name := range sorted {
			var vals []float64
			for _, task := range scores {
				if run < len(task) {
					if v, ok := task[run][name]; ok {
						vals = append(vals, v)
					}
				}
			}
			if len(vals) > 0 {
				m.PerSampleAggregate[name] = append(m.PerSampleAggregate[name], 100*sum(vals)/float64(len(vals)))
			}
		}
	}
	for k := 2; k <= maxK; k++ {
		prefix := "pass@1[avg-of-" + strconv.Itoa(k) + "]/"
		for _, name := range sorted {
			runs := m.PerSampleAggregate[name]
			runs = runs[:min(k, len(runs))]
			if len(runs) >= 2 {
				sd := sampleStdDev(runs)
				m.Values[prefix+name+"/std_dev_across_runs"] = sd
				m.Values[prefix+name+"/std_err_across_runs"] = sd / math.Sqrt(float64(len(runs)))
			}
		}
		if !opt.AvgSampleStdDev {
			continue
		}
		for _, name := range sorted {
			var sds []float64
			for _, task := range scores {
				if vals := valuesOf(task[:min(k, len(task))], name); len(vals) >= 2 {
					sds = append(sds, sampleStdDev(vals))
				}
			}
			if len(sds) > 0 {
				m.Values[prefix+name+"/avg_sample_std_dev"] = sum(sds) / float64(len(sds))
			}
		}
	}
	return m
}

func valuesOf(task []map[string]float64, name string) []float64 {
	var vals []float64
	for _, s := range task {
		if v, ok := s[name]; ok {
			vals = append(vals, v)
		}
	}
	return vals
}

func binary(vals []float64) bool {
	for _, v := range vals {
		if v != 0 && v != 1 {
			return false
		}
	}
	return true
}

// combRatio is C(a, k) / C(n, k), exactly rounded as Python's int / int.
func combRatio(a, n, k int) float64 {
	var num, den big.Int
	num.Binomial(int64(a), int64(k))
	den.Binomial(int64(n), int64(k))
	f, _ := new(big.Rat).SetFrac(&num, &den).Float64()
	return f
}

// majority is one task's majority@k: the most frequent (answer, score)
// pairs among the first k rollouts with an answer, their scores averaged.
func majority(rollouts []Scored, task []map[string]float64, k int, name string) float64 {
	type pair struct {
		answer string
		score  float64
	}
	counts := map[pair]int{}
	var order []pair
	for i := 0; i < min(k, len(task)); i++ {
		v, ok := task[i][name]
		if !rollouts[i].hasAnswer() || !ok {
			continue
		}
		p := pair{string(rollouts[i].Answer), v}
		if counts[p] == 0 {
			order = append(order, p)
		}
		counts[p]++
	}
	if len(order) == 0 {
		return 0
	}
	best := 0
	for _, p := range order {
		best = max(best, counts[p])
	}
	var tied []float64
	for _, p := range order {
		if counts[p] == best {
			tied = append(tied, p.score)
		}
	}
	return sum(tied) / float64(len(tied))
}

func sum(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s
}

func sampleStdDev(vs []float64) float64 {
	mean := sum(vs) / float64(len(vs))
	var ss float64
	for _, v := range vs {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(vs)-1))
}

// HighestK is NeMo Gym's highest_k_metrics: the entries of metrics named
// pattern/<score> (pattern has a {k} placeholder, as "pass@{k}") at the
// highest k, leaving out the std_dev_across_runs, std_err_across_runs and
// avg_sample_std_dev statistics and, when scores is not nil, every score
// not in it.
func HighestK(metrics map[string]float64, pattern string, scores []string) map[string]float64 {
	re := regexp.MustCompile("^" + strings.Replace(regexp.QuoteMeta(pattern), `\{k\}`, `(\d+)`, 1) + "/(.+)$")
	type match struct {
		k   int
		key string
	}
	var matches []match
	for key := range metrics {
		sm := re.FindStringSubmatch(key)
		if sm == nil {
			continue
		}
		k, err := strconv.Atoi(sm[1])
		if err != nil {
			continue
		}
		name := sm[2]
		if strings.HasSuffix(name, "std_dev_across_runs") || strings.HasSuffix(name, "std_err_across_runs") ||
			strings.HasSuffix(name, "avg_sample_std_dev") {
			continue
		}
		if scores != nil && !slices.Contains(scores, name) {
			continue
		}
		matches = append(matches, match{k, key})
	}
	out := map[string]float64{}
	if len(matches) == 0 {
		return out
	}
	top := 0
	for _, m := range matches {
		top = max(top, m.k)
	}
	for _, m := range matches {
		if m.k == top {
			out[m.key] = metrics[m.key]
		}
	}
	return out
}
