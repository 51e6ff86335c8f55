package gym

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/internal/deadline"
	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/rollout"
)

// DefaultConcurrency is the number of rollouts a Collector keeps in flight
// when Concurrency is 0.
const DefaultConcurrency = 256

// DefaultRolloutTimeout bounds one attempt of one rollout when
// Collector.RolloutTimeout is 0: room for dozens of model calls at their
// own default deadline, finite so that a stuck rollout ends as a timeout.
const DefaultRolloutTimeout = 2 * time.Hour

// Collector runs the rollouts of dataset rows on the environments of a
// Registry, routing each row by its agent_ref.name, and hands back results
// as they finish. Set its fields before the first call; a Collector may run
// several collections, one after another or at once.
type Collector struct {
	Registry *Registry

	// Concurrency caps the rollouts in flight (NeMo Gym's
	// num_samples_in_parallel); 0 means DefaultConcurrency.
	Concurrency int

	// Limit caps the rows read from the source; 0 reads all.
	Limit int

	// NumRepeats is how many rollouts each row gets; 0 means 1.
	// RepeatsByAgent overrides it per agent name.
	NumRepeats     int
	RepeatsByAgent map[string]int

	// DefaultAgent runs rows that have no agent_ref.
	DefaultAgent string

	// Shard, if Shards > 1, runs only the tasks whose _ng_task_index is
	// Shard modulo Shards, so that Shards processes (or machines) split one
	// dataset; indices are the same in every shard, and the outputs
	// concatenate into the output of one whole run.
	Shard, Shards int

	// Output, if set, receives each successful result as one JSONL line,
	// written before the result is handed back. Failures, if set, receives
	// one line per failed attempt and per invalid row, each with its
	// attempt (_ng_failure_attempt, from 1; none for an invalid row) and
	// whether it is final (_ng_failure_final: false when the rollout was
	// tried again).
	Output   io.Writer
	Failures io.Writer

	// Inputs, if set, receives every planned rollout's row as it will be run
	// (with _ng_task_index, _ng_rollout_index and agent_ref stamped), one
	// JSONL line each: NeMo Gym's materialized inputs.
	Inputs io.Writer

	// Skip, if set, is asked about every planned rollout; those it reports
	// as done are not run (they are still written to Inputs). Resuming a
	// collection skips the (task, rollout) pairs already in its output.
	Skip func(taskIndex, rolloutIndex int) bool

	// RolloutTimeout bounds one attempt of one rollout; 0 means
	// DefaultRolloutTimeout and NoTimeout no bound. With the default
	// deadlines of each stage (Environment), no collection waits forever
	// on a policy, tool or verifier that never answers.
	RolloutTimeout time.Duration

	// MaxAttempts bounds the attempts of a rollout whose failure is
	// retryable (a model 429 or 5xx, a timeout, a dead connection): it is
	// run again, whole, with a fresh session, after an exponential backoff
	// with jitter starting at RetryBackoff (default 500ms, capped at 30s).
	// 0 means 1: no retry.
	MaxAttempts  int
	RetryBackoff time.Duration
}

// FromSlice returns tasks as a source for Collect.
func FromSlice(tasks []Task) iter.Seq2[Task, error] {
	return func(yield func(Task, error) bool) {
		for _, t := range tasks {
			if !yield(t, nil) {
				return
			}
		}
	}
}

// FromFile returns the rows of a JSONL dataset file as a source for Collect.
func FromFile(path string) iter.Seq2[Task, error] { return rollout.ReadTasksFile(path) }

// Collect runs a rollout for every row of tasks (times its repeats) and
// yields each result as soon as it is done, in completion order.
//
// A failed rollout, an invalid row (a *rollout.LineError from the source) and
// a row for an unknown agent each yield a Result with Err set; they never stop
// the others. The error of the sequence is non-nil only for a fault that ends
// the collection: an I/O error of the source or of Output/Failures. When ctx
// is cancelled, no new rollout starts, the running ones are cancelled, and
// each is still yielded (with its error) before the sequence ends. Leaving
// the loop early — break, return, a panic, runtime.Goexit (t.FailNow) —
// cancels the running rollouts and waits for them: no goroutine outlives
// the loop.
//
// Each attempt of each rollout runs with its identity (rollout.ID) on its
// context; the agent hands it to every model call and to the verifier, and
// the result (Result.ID) and its output or failure line record it.
func (c *Collector) Collect(ctx context.Context, tasks iter.Seq2[Task, error]) iter.Seq2[*Result, error] {
	return func(yield func(*Result, error) bool) {
		for ev := range c.run(ctx, tasks) {
			if !yield(ev.res, ev.err) || ev.err != nil {
				return
			}
		}
	}
}

// CollectGroups is Collect for group-based trainers (GRPO): it yields the
// complete group of one row's repeats as soon as its last rollout is done.
// Results in a group are ordered by rollout index.
func (c *Collector) CollectGroups(ctx context.Context, tasks iter.Seq2[Task, error]) iter.Seq2[*Group, error] {
	return func(yield func(*Group, error) bool) {
		open := make(map[*groupState]struct{})
		for ev := range c.run(ctx, tasks) {
			if ev.err != nil {
				yield(nil, ev.err)
				return
			}
			g := ev.group
			g.g.Results = append(g.g.Results, ev.res)
			open[g] = struct{}{}
			if len(g.g.Results) < g.size {
				continue
			}
			delete(open, g)
			slices.SortFunc(g.g.Results, func(a, b *Result) int { return a.RolloutIndex - b.RolloutIndex })
			if !yield(&g.g, nil) {
				return
			}
		}
		// Groups cut short by cancellation: hand back what finished.
		for g := range open {
			slices.SortFunc(g.g.Results, func(a, b *Result) int { return a.RolloutIndex - b.RolloutIndex })
			if !yield(&g.g, nil) {
				return
			}
		}
	}
}

// Run collects every rollout, writing Output and Failures, and returns a
// summary per agent. Its error is a fault that ended the collection early
// (see Collect); failed rollouts are counted in the summary, not returned.
func (c *Collector) Run(ctx context.Context, tasks iter.Seq2[Task, error]) (*Summary, error) {
	s := &Summary{}
	for res, err := range c.Collect(ctx, tasks) {
		if err != nil {
			return s, err
		}
		s.Add(res)
	}
	return s, ctx.Err()
}

type groupState struct {
	g    Group
	size int
}

type event struct {
	res   *Result
	group *groupState
	err   error
}

type planned struct {
	task  Task
	agent agent.Agent
	res   *Result
	group *groupState
	skip  bool // already done (Skip): written to Inputs, not run
}

// run is the engine behind Collect and CollectGroups: a producer that
// expands rows into rollouts and a bounded set of workers, each writing its
// result before sending it on.
func (c *Collector) run(ctx context.Context, tasks iter.Seq2[Task, error]) iter.Seq[event] {
	return c.runPlan(ctx, func(ctx context.Context, emit func(planned) bool) error { return c.plan(ctx, tasks, emit) })
}

// runPlan runs the rollouts a planner emits (plan, or a Batcher's feed).
func (c *Collector) runPlan(ctx context.Context, plan func(context.Context, func(planned) bool) error) iter.Seq[event] {
	return func(yield func(event) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		conc := c.Concurrency
		if conc <= 0 {
			conc = DefaultConcurrency
		}
		var out, fail, inputs *rollout.Writer
		if c.Inputs != nil {
			inputs = rollout.NewWriter(c.Inputs)
		}
		if c.Output != nil {
			out = rollout.NewWriter(c.Output)
		}
		if c.Failures != nil {
			fail = rollout.NewWriter(c.Failures)
			if c.Failures == c.Output {
				fail = out
			}
		}
		// A buffer lets finished rollouts hand over without waiting for the
		// consumer; it is capped so that a huge Concurrency allocates nothing.
		events := make(chan event, min(conc, 1024))
		var fatalOnce sync.Once
		fatal := func(err error) {
			fatalOnce.Do(func() {
				cancel()
				events <- event{err: err}
			})
		}
		finish := func(p planned) {
			w := out
			if p.res.Err != nil {
				w = fail
				if f := rollout.AsFailure(p.res.Err); !f.Final { // an invalid row: it is never run
					p.res.Err = placed(f, f.Attempt, true)
				}
			}
			if w != nil {
				if err := w.Write(p.res); err != nil {
					fatal(fmt.Errorf("gym: write result of task %d rollout %d: %w", p.res.TaskIndex, p.res.RolloutIndex, err))
				}
			}
			events <- event{res: p.res, group: p.group}
		}

		// The attempts' deadlines and cancellation ride on one group: no
		// timer or context registration per attempt or per stage.
		attempts := deadline.NewGroup(ctx)
		var wg sync.WaitGroup
		go func() {
			defer func() {
				wg.Wait()
				attempts.Close()
				close(events)
			}()
			// Rollouts run on up to conc workers, each taking the next
			// planned rollout when it is done with one: a worker keeps
			// the stack a rollout grew, and the next rollout starts
			// without a goroutine of its own.
			work := make(chan planned)
			workers := 0
			worker := func(p planned) {
				defer wg.Done()
				for {
					c.attempt(ctx, attempts, p, fail)
					finish(p)
					var ok bool
					select {
					case p, ok = <-work:
						if !ok {
							return
						}
					case <-ctx.Done():
						return
					}
					if ctx.Err() != nil { // the rollout and the cancel came together: start nothing after a cancel
						return
					}
				}
			}
			err := plan(ctx, func(p planned) bool {
				if p.agent != nil && inputs != nil {
					if err := inputs.Write(p.task); err != nil {
						fatal(fmt.Errorf("gym: write materialized input: %w", err))
						return false
					}
				}
				if p.skip {
					return true
				}
				if p.agent == nil { // an invalid row: nothing to run
					finish(p)
					return ctx.Err() == nil
				}
				if ctx.Err() != nil {
					return false
				}
				select {
				case work <- p: // an idle worker took it
					return true
				default:
				}
				if workers < conc {
					workers++
					wg.Add(1)
					go worker(p)
					return true
				}
				select {
				case work <- p:
					return true
				case <-ctx.Done():
					return false
				}
			})
			close(work)
			if err != nil {
				fatal(err)
			}
		}()

		// However the consumer leaves — the end, a break, a return, a panic
		// or runtime.Goexit (t.FailNow) in its loop body — the running
		// rollouts are cancelled and waited for: events is closed only
		// after every owned goroutine is done.
		defer func() {
			cancel()
			for range events {
			}
		}()
		for ev := range events {
			if !yield(ev) || ev.err != nil {
				return
			}
		}
	}
}

// plan reads the rows, assigns indices as NeMo Gym does and emits one
// planned rollout per (row, repeat). It returns a fatal source error.
func (c *Collector) plan(ctx context.Context, tasks iter.Seq2[Task, error], emit func(planned) bool) error {
	seed := maphash.MakeSeed()
	taskIndex := make(map[uint64]int) // row content → task index
	rolloutNext := make(map[int]int)  // task index → next rollout index
	agentRefs := make(map[string]json.RawMessage)
	rows := 0
	for task, err := range tasks {
		if ctx.Err() != nil {
			return nil
		}
		if c.Limit > 0 && rows >= c.Limit {
			return nil
		}
		rows++
		if err != nil {
			var le *rollout.LineError
			if !errors.As(err, &le) {
				return fmt.Errorf("gym: read rows: %w", err)
			}
			if !c.inShard(0) { // a row without an index is reported once, by shard 0
				continue
			}
			res := &Result{Task: task, TaskIndex: -1, Err: &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "read", Err: err}}
			if !emit(planned{res: res, group: &groupState{g: Group{TaskIndex: -1}, size: 1}}) {
				return nil
			}
			continue
		}

		name := task.AgentName()
		if name == "" {
			name = c.DefaultAgent
		}
		ti := -1
		if task.Has(rollout.KeyTaskIndex) {
			if err := task.Decode(rollout.KeyTaskIndex, &ti); err != nil {
				ti = -1
			}
		}
		if ti < 0 {
			h := rowHash(seed, task.Object)
			idx, ok := taskIndex[h]
			if !ok {
				idx = len(taskIndex)
				taskIndex[h] = idx
			}
			ti = idx
		}

		var ag agent.Agent
		var lookupErr error
		switch {
		case name == "":
			lookupErr = errors.New("gym: the row has no agent_ref and no default agent is set")
		case task.Validate() != nil:
			lookupErr = fmt.Errorf("gym: invalid row: %w", task.Validate())
		default:
			ag, lookupErr = c.Registry.Lookup(name)
		}
		if lookupErr != nil {
			if path, line := task.Source(); line > 0 {
				lookupErr = &rollout.LineError{Path: path, Line: line, Err: lookupErr}
			}
			ri := rolloutNext[ti]
			rolloutNext[ti]++
			if !c.inShard(ti) {
				continue
			}
			res := &Result{Task: task, TaskIndex: ti, RolloutIndex: ri, Agent: name,
				Err: &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "route", Err: lookupErr}}
			if !emit(planned{res: res, group: &groupState{g: Group{TaskIndex: ti, Agent: name}, size: 1}}) {
				return nil
			}
			continue
		}

		n := c.repeats(name)
		first := rolloutNext[ti]
		rolloutNext[ti] += n
		if !c.inShard(ti) {
			continue
		}
		g := &groupState{g: Group{TaskIndex: ti, Agent: name, Results: make([]*Result, 0, n)}}
		skip := make([]bool, n)
		for i := range n {
			skip[i] = c.Skip != nil && c.Skip(ti, first+i)
			if !skip[i] {
				g.size++
			}
		}
		var ref json.RawMessage
		if !task.Has(rollout.KeyAgentRef) {
			ref = agentRefs[name]
			if ref == nil {
				ref = rollout.AgentRefValue(name)
				agentRefs[name] = ref
			}
		}
		for i := range n {
			ri := first + i
			// WithFields copies the row and keeps its file and line, which
			// a verifier names when the row lacks a field it needs.
			stamp := [3]rollout.Field{
				{Name: rollout.KeyTaskIndex, Value: rollout.Int(ti)},
				{Name: rollout.KeyRolloutIndex, Value: rollout.Int(ri)},
				{Name: rollout.KeyAgentRef, Value: ref},
			}
			set := stamp[:2]
			if ref != nil {
				set = stamp[:3]
			}
			stamped := task.WithFields(set...)
			res := &Result{Task: stamped, TaskIndex: ti, RolloutIndex: ri, Agent: name}
			if !emit(planned{task: stamped, agent: ag, res: res, group: g, skip: skip[i]}) {
				return nil
			}
		}
	}
	return nil
}

// rowHash hashes a row's members in order, as its JSON encoding would be
// hashed, without encoding it: a 1 MB row is read once, not copied first.
func rowHash(seed maphash.Seed, o rollout.Object) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	for _, f := range o.Fields() {
		binary.LittleEndian.PutUint64(n[:], uint64(len(f.Name)))
		_, _ = h.Write(n[:])
		_, _ = h.WriteString(f.Name)
		v := f.Value
		if len(v) == 0 {
			v = json.RawMessage("null") // as AppendJSON writes it
		}
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		_, _ = h.Write(n[:])
		_, _ = h.Write(v)
	}
	return h.Sum64()
}

func (c *Collector) inShard(taskIndex int) bool {
	return c.Shards <= 1 || taskIndex%c.Shards == c.Shard
}

func (c *Collector) repeats(agent string) int {
	if n, ok := c.RepeatsByAgent[agent]; ok && n > 0 {
		return n
	}
	if c.NumRepeats > 0 {
		return c.NumRepeats
	}
	return 1
}

// attempt runs a planned rollout up to MaxAttempts times while its failure
// is retryable, writing every failed attempt but the last to fail. Each
// attempt has its own identity (rollout.ID, on the agent's context and in
// the result), so that a retry may go to another model endpoint.
func (c *Collector) attempt(ctx context.Context, group *deadline.Group, p planned, fail *rollout.Writer) {
	attempts := max(c.MaxAttempts, 1)
	backoff := c.RetryBackoff
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	timeout := deadline.Resolve(deadline.Rollout, c.RolloutTimeout, DefaultRolloutTimeout)
	for n := 1; ; n++ {
		// The attempt's context carries the deadlines of its stages too
		// (see deadline.Attempt): one timer per attempt, not per call.
		actx := group.Start(timeout)
		id := rollout.NewID(p.res.TaskIndex, p.res.RolloutIndex, n)
		*p.res = Result{Task: p.res.Task, TaskIndex: p.res.TaskIndex, RolloutIndex: p.res.RolloutIndex, Agent: p.res.Agent, ID: id}
		runOne(rollout.WithID(actx, id), p.agent, p.task, p.res)
		timedOut := actx.Expired() && ctx.Err() == nil
		actx.Release()
		if p.res.Err == nil {
			return
		}
		if timedOut {
			p.res.Err = &rollout.Failure{Class: rollout.FailTimeout, Stage: "rollout", Retryable: true,
				Err: fmt.Errorf("rollout deadline of %v passed: %w", timeout, p.res.Err)}
		}
		if n >= attempts || ctx.Err() != nil || !rollout.AsFailure(p.res.Err).Retryable {
			p.res.Err = placed(p.res.Err, n, true)
			return
		}
		p.res.Err = placed(p.res.Err, n, false)
		if fail != nil {
			_ = fail.Write(p.res) // a record of the attempt; the final outcome is written by the caller
		}
		d := min(backoff<<(n-1), 30*time.Second)
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return
		}
	}
}

// placed returns err's failure marked as attempt n, final or not (a copy:
// an agent may return one failure value for many rollouts).
func placed(err error, n int, final bool) error {
	f := *rollout.AsFailure(err)
	f.Attempt, f.Final = n, final
	return &f
}

// runOne runs one rollout into res, turning a panic into a failure.
func runOne(ctx context.Context, a agent.Agent, task Task, res *Result) {
	defer func() {
		if p := recover(); p != nil {
			res.Err = failure.Panic(rollout.FailAgent, "agent", "agent", p)
		}
	}()
	out, err := a.Run(ctx, task)
	if out != nil {
		res.Response = out.Response
		res.Reward = out.Reward
		res.Fields = out.Fields
		res.Rewards = out.Rewards
	}
	if err == nil && out != nil {
		// An agent other than agent.Simple may hand back what its verifier
		// said without verifier.Run's check: the row must still be JSON.
		if cerr := rollout.CheckRewards(out.Reward, out.Rewards); cerr != nil {
			err = &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: fmt.Errorf("agent result: %w", cerr)}
		}
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			err = &rollout.Failure{Class: rollout.FailCancelled, Stage: rollout.AsFailure(err).Stage, Err: err}
		}
		res.Err = err
	}
}

// Summary counts the results of a collection per agent.
type Summary struct {
	Agents map[string]*AgentSummary
}

// AgentSummary is one agent's share of a Summary.
type AgentSummary struct {
	Rollouts  int     // successful rollouts
	Failures  int     // failed rollouts and invalid rows
	RewardSum float64 // sum of the successful rollouts' rewards
}

// MeanReward is the mean reward of the successful rollouts.
func (a *AgentSummary) MeanReward() float64 {
	if a.Rollouts == 0 {
		return 0
	}
	return a.RewardSum / float64(a.Rollouts)
}

// Add counts one result.
func (s *Summary) Add(r *Result) {
	if s.Agents == nil {
		s.Agents = make(map[string]*AgentSummary)
	}
	a := s.Agents[r.Agent]
	if a == nil {
		a = &AgentSummary{}
		s.Agents[r.Agent] = a
	}
	if r.Err != nil {
		a.Failures++
		return
	}
	a.Rollouts++
	a.RewardSum += r.Reward
}

// Failures is the number of failed rollouts over all agents.
func (s *Summary) Failures() int {
	n := 0
	for _, a := range s.Agents {
		n += a.Failures
	}
	return n
}

// Tag sets agent_ref to name on every row of src — the step that tags a
// dataset with its environment before datasets are merged.
func Tag(src iter.Seq2[Task, error], name string) iter.Seq2[Task, error] {
	return func(yield func(Task, error) bool) {
		for t, err := range src {
			if err == nil {
				t = t.WithAgent(name)
			}
			if !yield(t, err) {
				return
			}
		}
	}
}

// Concat returns the rows of each source in turn.
func Concat(srcs ...iter.Seq2[Task, error]) iter.Seq2[Task, error] {
	return func(yield func(Task, error) bool) {
		for _, src := range srcs {
			for t, err := range src {
				if !yield(t, err) {
					return
				}
			}
		}
	}
}
