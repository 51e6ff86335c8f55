package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/rollout"
)

// evalProfile is NeMo Gym's reward profile (nemo_gym/reward_profile.py):
// for every task, the mean, max, min, median and std of every numeric field
// of its rollouts (reward, verifier fields, token usage) with the task's
// row and a line per rollout, in <rollouts>_reward_profiling.jsonl; the same
// statistics per agent in <rollouts>_agent_metrics.json. It also prints
// which tasks are always, never and sometimes solved, and pass@k.
func (c *Command) evalProfile(_ context.Context, inv *invocation) error {
	cfg, err := c.loader(nil, inv.overrides).Load()
	if err != nil {
		return usageError{err}
	}
	var inputs, rollouts string
	var partial bool
	if err := readSettings(cfg,
		into("materialized_inputs_jsonl_fpath", &inputs),
		into("rollouts_jsonl_fpath", &rollouts),
		into("allow_partial_rollouts", &partial),
	); err != nil {
		return err
	}
	if err := statFile("--inputs", inputs); err != nil {
		return err
	}
	if err := statFile("--rollouts", rollouts); err != nil {
		return err
	}
	rows, err := readKeyed(inputs, "materialized input")
	if err != nil {
		return err
	}
	results, err := readKeyed(rollouts, "result")
	if err != nil {
		return err
	}
	p, err := profile(rows, results, partial)
	if err != nil {
		return usageError{err}
	}
	ext := filepath.Ext(rollouts)
	stem := strings.TrimSuffix(rollouts, ext)
	profPath, agentPath := stem+"_reward_profiling.jsonl", stem+"_agent_metrics.json"
	var buf bytes.Buffer
	for _, g := range p.groups {
		buf.Write(g)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(profPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	agents := append([]byte{'['}, bytes.Join(p.agents, []byte{','})...)
	if err := os.WriteFile(agentPath, append(agents, ']'), 0o644); err != nil {
		return err
	}
	s := p.summary
	pct := 100.0
	if s.expected > 0 {
		pct = 100 * float64(s.completed) / float64(s.expected)
	}
	fmt.Fprintf(c.Stdout, "Reward profile completion: %d/%d rollout rows (%.2f%%)\n", s.completed, s.expected, pct)
	fmt.Fprintf(c.Stdout, "Input rows: %d total; %d complete; %d partial; %d without rollouts dropped from output.\n",
		s.tasks, s.complete, s.partialTasks, s.missing)
	fmt.Fprintf(c.Stdout, "Tasks by mean reward: %d always solved (1), %d never solved (0), %d sometimes\n",
		p.always, p.never, p.sometimes)
	for _, a := range p.passAtK {
		fmt.Fprintf(c.Stdout, "%s: %s\n", a.agent, a.text)
	}
	fmt.Fprintf(c.Stdout, "Reward profiling outputs: %s\nAgent-level metrics: %s\n", profPath, agentPath)
	return nil
}

// keyedRow is a row with its (task, rollout) key, fields in order.
type keyedRow struct {
	task, rollout int
	obj           rollout.Object
}

func readKeyed(path, what string) ([]keyedRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	defer f.Close()
	var out []keyedRow
	seen := map[[2]int]bool{}
	line := 0
	for o, err := range rollout.ReadObjects(f, path) {
		line++
		if err != nil {
			return nil, usageError{err}
		}
		var k keyedRow
		k.obj = o
		if o.Decode(rollout.KeyTaskIndex, &k.task) != nil || o.Decode(rollout.KeyRolloutIndex, &k.rollout) != nil {
			return nil, usagef("%s:%d: the %s row has no integer %s and %s", absPath(path), line, what, rollout.KeyTaskIndex, rollout.KeyRolloutIndex)
		}
		key := [2]int{k.task, k.rollout}
		if seen[key] {
			return nil, usagef("%s:%d: duplicate %s row for rollout key (%d, %d)", absPath(path), line, what, k.task, k.rollout)
		}
		seen[key] = true
		out = append(out, k)
	}
	return out, nil
}

// num is a numeric value as Python holds it: an int or a float.
type num struct {
	f     float64
	isInt bool
}

func numeric(raw json.RawMessage) (num, bool) {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "true":
		return num{1, true}, true
	case "false":
		return num{0, true}, true
	}
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return num{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return num{}, false
	}
	return num{f, !strings.ContainsAny(s, ".eE")}, true
}

type profileResult struct {
	groups, agents           [][]byte
	summary                  completion
	always, never, sometimes int
	passAtK                  []struct{ agent, text string }
}

type completion struct {
	expected, completed, tasks, complete, partialTasks, missing int
}

// record is one rollout's numeric fields, in first-seen order.
type record struct {
	agent  string
	task   int
	values map[string]num
}

func profile(rows, results []keyedRow, partial bool) (*profileResult, error) {
	byKey := map[[2]int]keyedRow{}
	for _, r := range rows {
		byKey[[2]int{r.task, r.rollout}] = r
	}
	resKey := map[[2]int]keyedRow{}
	var extra, missing [][2]int
	for _, r := range results {
		k := [2]int{r.task, r.rollout}
		resKey[k] = r
		if _, ok := byKey[k]; !ok {
			extra = append(extra, k)
		}
	}
	for k := range byKey {
		if _, ok := resKey[k]; !ok {
			missing = append(missing, k)
		}
	}
	sortKeys := func(ks [][2]int) {
		slices.SortFunc(ks, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	}
	sortKeys(extra)
	sortKeys(missing)
	if len(extra) > 0 {
		return nil, fmt.Errorf("the rollouts contain %d rows with no matching materialized input row: %v", len(extra), extra[:min(10, len(extra))])
	}
	if len(missing) > 0 && !partial {
		return nil, fmt.Errorf("%d materialized input rows have no rollout: %v (profile a partial collection with ++allow_partial_rollouts=true)", len(missing), missing[:min(10, len(missing))])
	}

	p := &profileResult{}
	expectedByTask := map[int]int{}
	for _, r := range rows {
		expectedByTask[r.task]++
	}
	completedByTask := map[int]int{}
	var keys [][2]int
	for k := range resKey {
		if _, ok := byKey[k]; ok {
			keys = append(keys, k)
			completedByTask[k[0]]++
		}
	}
	sortKeys(keys)
	p.summary = completion{expected: len(byKey), completed: len(keys), tasks: len(expectedByTask)}
	for t, n := range expectedByTask {
		switch done := completedByTask[t]; {
		case done == n:
			p.summary.complete++
		case done > 0:
			p.summary.partialTasks++
		default:
			p.summary.missing++
		}
	}

	// The numeric fields of every rollout (its row's fields, then usage), as
	// pandas sees them: bools are ints; a column is int only if every record
	// has it as an int.
	var columns []string
	colSeen := map[string]bool{}
	var recs []record
	infos := map[int][][]byte{}
	taskRow := map[int]rollout.Object{}
	for _, k := range keys {
		row, res := byKey[k], resKey[k]
		var agent string
		if ref, ok := row.obj.Get(rollout.KeyAgentRef); ok {
			var r rollout.AgentRef
			_ = json.Unmarshal(ref, &r)
			agent = r.Name
		}
		rec := record{agent: agent, task: k[0], values: map[string]num{}}
		add := func(name string, raw json.RawMessage) {
			v, ok := numeric(raw)
			if !ok {
				return
			}
			if _, dup := rec.values[name]; !dup && !colSeen[name] {
				colSeen[name] = true
				columns = append(columns, name)
			}
			rec.values[name] = v
		}
		var usage rollout.Object
		if resp, ok := res.obj.Get(rollout.KeyResponse); ok {
			var r struct {
				Usage json.RawMessage `json:"usage"`
			}
			if json.Unmarshal(resp, &r) == nil && len(r.Usage) > 0 && string(r.Usage) != "null" {
				usage, _ = rollout.ParseObject(r.Usage)
			}
		}
		for _, f := range res.obj.Fields() {
			if f.Name == rollout.KeyTaskIndex || f.Name == rollout.KeyRolloutIndex {
				continue
			}
			add(f.Name, f.Value)
		}
		for _, f := range usage.Fields() {
			if !res.obj.Has(f.Name) {
				add(f.Name, f.Value)
			}
		}
		recs = append(recs, rec)
		infos[k[0]] = append(infos[k[0]], rolloutInfo(k, res.obj, usage))
		if _, ok := taskRow[k[0]]; !ok {
			taskRow[k[0]] = row.obj
		}
	}
	isInt := map[string]bool{}
	for _, col := range columns {
		isInt[col] = true
		for _, r := range recs {
			if v, ok := r.values[col]; !ok || !v.isInt {
				isInt[col] = false
				break
			}
		}
	}

	// Per task, in task order.
	var tasks []int
	groups := map[int][]record{}
	for _, r := range recs {
		if _, ok := groups[r.task]; !ok {
			tasks = append(tasks, r.task)
		}
		groups[r.task] = append(groups[r.task], r)
	}
	slices.Sort(tasks)
	for _, t := range tasks {
		w := newObjWriter()
		w.field(rollout.KeyTaskIndex, []byte(strconv.Itoa(t)))
		means := describe(w, groups[t], columns, isInt)
		if m, ok := means["reward"]; ok {
			switch {
			case m == 1:
				p.always++
			case m == 0:
				p.never++
			default:
				p.sometimes++
			}
		}
		sample := taskRow[t].Clone()
		sample.Delete(rollout.KeyTaskIndex)
		sample.Delete(rollout.KeyRolloutIndex)
		w.field("sample", compact(sample.AppendJSON(nil)))
		n, want := len(groups[t]), expectedByTask[t]
		w.field("num_rollouts", []byte(strconv.Itoa(n)))
		w.field("expected_num_rollouts", []byte(strconv.Itoa(want)))
		w.field("missing_num_rollouts", []byte(strconv.Itoa(want-n)))
		pct := 100.0
		if want > 0 {
			pct = 100 * float64(n) / float64(want)
		}
		w.field("reward_profile_completion_pct", pyjson.AppendFloat(nil, pct))
		w.field("rollout_infos", append(append([]byte{'['}, bytes.Join(infos[t], []byte{','})...), ']'))
		p.groups = append(p.groups, w.done())
	}

	// Per agent, in name order.
	byAgent := map[string][]record{}
	var agents []string
	for _, r := range recs {
		if _, ok := byAgent[r.agent]; !ok {
			agents = append(agents, r.agent)
		}
		byAgent[r.agent] = append(byAgent[r.agent], r)
	}
	slices.Sort(agents)
	for _, a := range agents {
		w := newObjWriter()
		describe(w, byAgent[a], columns, isInt)
		ref, _ := json.Marshal(map[string]string{"name": a})
		w.field(rollout.KeyAgentRef, ref)
		p.agents = append(p.agents, w.done())
		p.passAtK = append(p.passAtK, struct{ agent, text string }{a, passAtKText(byAgent[a])})
	}
	return p, nil
}

// describe writes mean/, max/, min/, median/ and std/ of every column over
// the records, as pandas' describe of the group gives them (NaN dropped;
// the std of a single value is NaN, or 0 where every column has values).
// It returns the means.
func describe(w *objWriter, recs []record, columns []string, isInt map[string]bool) map[string]float64 {
	type stats struct {
		vals []float64
	}
	per := make([]stats, len(columns))
	for i, col := range columns {
		for _, r := range recs {
			if v, ok := r.values[col]; ok {
				per[i].vals = append(per[i].vals, v.f)
			}
		}
	}
	means := map[string]float64{}
	format := func(col string, f float64, keepInt bool) []byte {
		if keepInt && isInt[col] {
			return []byte(strconv.FormatInt(int64(f), 10))
		}
		return pyjson.AppendFloat(nil, f)
	}
	for i, col := range columns {
		if vs := per[i].vals; len(vs) > 0 {
			s := rollout.Summarize(vs)
			means[col] = s.Mean
			w.field("mean/"+col, format(col, s.Mean, false))
		}
	}
	for i, col := range columns {
		if vs := per[i].vals; len(vs) > 0 {
			w.field("max/"+col, format(col, slices.Max(vs), true))
		}
	}
	for i, col := range columns {
		if vs := per[i].vals; len(vs) > 0 {
			w.field("min/"+col, format(col, slices.Min(vs), true))
		}
	}
	for i, col := range columns {
		if vs := per[i].vals; len(vs) > 0 {
			w.field("median/"+col, format(col, rollout.Summarize(vs).Median, false))
		}
	}
	allNaN := true
	for i := range columns {
		if len(per[i].vals) > 1 {
			allNaN = false
		}
	}
	for i, col := range columns {
		vs := per[i].vals
		switch {
		case len(vs) > 1:
			w.field("std/"+col, pyjson.AppendFloat(nil, rollout.Summarize(vs).Std))
		case allNaN && len(vs) == len(recs):
			w.field("std/"+col, []byte("0.0"))
		}
	}
	return means
}

// rolloutInfo is one entry of rollout_infos: the rollout's id and indices,
// its reward, and its numeric usage and top-level fields.
func rolloutInfo(k [2]int, res, usage rollout.Object) []byte {
	w := newObjWriter()
	id, _ := json.Marshal(fmt.Sprintf("%d:%d", k[0], k[1]))
	w.field("rollout_id", id)
	w.field(rollout.KeyTaskIndex, []byte(strconv.Itoa(k[0])))
	w.field(rollout.KeyRolloutIndex, []byte(strconv.Itoa(k[1])))
	set := map[string]bool{}
	put := func(name string, raw json.RawMessage) {
		if v, ok := numeric(raw); ok {
			if set[name] {
				w.replace(name, numJSON(v))
				return
			}
			set[name] = true
			w.field(name, numJSON(v))
		}
	}
	if raw, ok := res.Get(rollout.KeyReward); ok {
		set[rollout.KeyReward] = true
		w.field(rollout.KeyReward, compact(raw))
	}
	for _, f := range usage.Fields() {
		put(f.Name, f.Value)
	}
	for _, f := range res.Fields() {
		switch f.Name {
		case rollout.KeyTaskIndex, rollout.KeyRolloutIndex, rollout.KeyReward, rollout.KeyResponse:
			continue
		}
		put(f.Name, f.Value)
	}
	return w.done()
}

func numJSON(v num) []byte {
	if v.isInt {
		return []byte(strconv.FormatInt(int64(v.f), 10))
	}
	return pyjson.AppendFloat(nil, v.f)
}

// passAtKText reports pass@1 and pass@k (k = the most rollouts of a task)
// of the reward, with the unbiased estimator for binary rewards.
func passAtKText(recs []record) string {
	byTask := map[int][]float64{}
	for _, r := range recs {
		if v, ok := r.values["reward"]; ok {
			byTask[r.task] = append(byTask[r.task], v.f)
		}
	}
	k := 0
	for _, vs := range byTask {
		k = max(k, len(vs))
	}
	if k == 0 {
		return "no rewards"
	}
	pass := func(k int) float64 {
		sum, n := 0.0, 0
		for _, vs := range byTask {
			if len(vs) < k {
				continue
			}
			wrong := 0
			for _, v := range vs {
				if v != 1 {
					wrong++
				}
			}
			if wrong < k {
				sum++
			} else {
				sum += 1 - binom(wrong, k)/binom(len(vs), k)
			}
			n++
		}
		if n == 0 {
			return math.NaN()
		}
		return 100 * sum / float64(n)
	}
	return fmt.Sprintf("pass@1 %.2f%%, pass@%d %.2f%% over %d tasks", pass(1), k, pass(k), len(byTask))
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// compact writes JSON without whitespace, as orjson does.
func compact(raw []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// objWriter builds a compact JSON object with fields in order.
type objWriter struct {
	names []string
	vals  [][]byte
}

func newObjWriter() *objWriter { return &objWriter{} }

func (w *objWriter) field(name string, v []byte) {
	w.names = append(w.names, name)
	w.vals = append(w.vals, v)
}

func (w *objWriter) replace(name string, v []byte) {
	if i := slices.Index(w.names, name); i >= 0 {
		w.vals[i] = v
	}
}

func (w *objWriter) done() []byte {
	b := []byte{'{'}
	for i, n := range w.names {
		if i > 0 {
			b = append(b, ',')
		}
		q, _ := json.Marshal(n)
		b = append(b, q...)
		b = append(b, ':')
		b = append(b, w.vals[i]...)
	}
	return append(b, '}')
}
