package rollout

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Metrics accumulates the aggregate metrics of rollouts per agent, as NeMo
// Gym writes them to <out>_aggregate_metrics.json: for every numeric or
// boolean top-level field of the output rows (reward, accuracy, ...) its
// mean, max, min, median and std, and pass@k and majority@k of the reward
// when tasks have k > 1 rollouts. The zero value is ready to use; it is not
// safe for concurrent use.
type Metrics struct {
	agents map[string]*agentMetrics
}

type agentMetrics struct {
	fields  map[string][]float64
	rewards map[int][]float64 // task index → rewards of its rollouts
	n       int
	failed  int
}

// Add counts one result. Failed results are counted but contribute no values.
func (m *Metrics) Add(r *Result) {
	if m.agents == nil {
		m.agents = map[string]*agentMetrics{}
	}
	a := m.agents[r.Agent]
	if a == nil {
		a = &agentMetrics{fields: map[string][]float64{}, rewards: map[int][]float64{}}
		m.agents[r.Agent] = a
	}
	if r.Err != nil {
		a.failed++
		return
	}
	a.n++
	a.fields[KeyReward] = append(a.fields[KeyReward], r.Reward)
	a.rewards[r.TaskIndex] = append(a.rewards[r.TaskIndex], r.Reward)
	seen := map[string]bool{KeyReward: true}
	add := func(fs []Field) {
		for _, f := range fs {
			if seen[f.Name] || strings.HasPrefix(f.Name, "_ng_") {
				continue
			}
			if v, ok := number(f.Value); ok {
				seen[f.Name] = true
				a.fields[f.Name] = append(a.fields[f.Name], v)
			}
		}
	}
	add(r.Fields.Fields())
	add(r.Task.Fields())
}

// number reads a JSON number or boolean (true = 1).
func number(raw json.RawMessage) (float64, bool) {
	switch s := string(raw); s {
	case "true":
		return 1, true
	case "false":
		return 0, true
	case "NaN", "Infinity", "-Infinity", "null":
		return 0, false
	}
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

// Agents returns the agents seen, sorted.
func (m *Metrics) Agents() []string {
	names := make([]string, 0, len(m.agents))
	for n := range m.agents {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Agent returns the metrics of one agent: "mean/<field>", "max/<field>",
// "min/<field>", "median/<field>", "std/<field>" (sample standard
// deviation), "pass@k" (the mean over tasks of the best reward of their k
// rollouts), "majority@k" (the mean over tasks of their most frequent
// reward, ties to the higher), "num_rollouts", "num_failed", "num_tasks".
func (m *Metrics) Agent(name string) map[string]float64 {
	a := m.agents[name]
	out := map[string]float64{}
	if a == nil {
		return out
	}
	out["num_rollouts"] = float64(a.n)
	out["num_failed"] = float64(a.failed)
	out["num_tasks"] = float64(len(a.rewards))
	for f, vs := range a.fields {
		s := Summarize(vs)
		out["mean/"+f] = s.Mean
		out["max/"+f] = s.Max
		out["min/"+f] = s.Min
		out["median/"+f] = s.Median
		out["std/"+f] = s.Std
	}
	k := 0
	for _, rs := range a.rewards {
		k = max(k, len(rs))
	}
	if k > 1 {
		var pass, major float64
		for _, rs := range a.rewards {
			pass += slices.Max(rs)
			major += mostFrequent(rs)
		}
		n := float64(len(a.rewards))
		out["pass@"+strconv.Itoa(k)] = pass / n
		out["majority@"+strconv.Itoa(k)] = major / n
	}
	return out
}

// JSON returns the metrics of every agent as one JSON object keyed by agent
// name, keys sorted.
func (m *Metrics) JSON() []byte {
	all := map[string]map[string]float64{}
	for _, n := range m.Agents() {
		all[n] = m.Agent(n)
	}
	b, _ := json.MarshalIndent(all, "", "  ")
	return append(b, '\n')
}

func mostFrequent(vs []float64) float64 {
	counts := map[float64]int{}
	best, bestN := math.Inf(-1), 0
	for _, v := range vs {
		counts[v]++
		if c := counts[v]; c > bestN || c == bestN && v > best {
			best, bestN = v, c
		}
	}
	return best
}

// Summary is the summary statistics of a list of values.
type Summary struct {
	Mean, Max, Min, Median, Std float64
}

// Summarize computes a Summary; Std is the sample standard deviation (0 for
// fewer than two values).
func Summarize(vs []float64) Summary {
	if len(vs) == 0 {
		return Summary{}
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	mean := sum / float64(len(s))
	var ss float64
	for _, v := range s {
		ss += (v - mean) * (v - mean)
	}
	std := 0.0
	if len(s) > 1 {
		std = math.Sqrt(ss / float64(len(s)-1))
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Summary{Mean: mean, Max: s[len(s)-1], Min: s[0], Median: med, Std: std}
}
