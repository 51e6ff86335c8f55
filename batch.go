package gym

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/rollout"
)

// Defaults of a Batcher: NeMo RL's grpo_math_1B step shape.
const (
	DefaultPrompts     = 32 // num_prompts_per_step
	DefaultGenerations = 16 // num_generations_per_prompt
)

// GroupFailure says what a Batcher does with a group some of whose rollouts
// failed.
type GroupFailure int

const (
	// DropGroup drops the group and draws a fresh row from the same source
	// in its place.
	DropGroup GroupFailure = iota
	// KeepSuccesses keeps the group with its successful rollouts only: the
	// batch has fewer than P·G rollouts. A group with none is dropped.
	KeepSuccesses
	// RetryFailed runs the failed rollouts again, as new rollouts of the
	// same task, until the group has G successes.
	RetryFailed
)

// Batcher collects training batches of exactly Prompts complete groups of
// Generations rollouts — the step shape of a GRPO trainer (NeMo RL's
// num_prompts_per_step × num_generations_per_prompt) — from a Blend, with
// each source's exact quota in every batch. It runs the rollouts with its
// Collector (Registry, Concurrency, Output, Failures, Inputs, MaxAttempts,
// RetryBackoff and RolloutTimeout apply; NumRepeats, Limit, Skip and Shard
// do not) and collects the next batches while the trainer works on the
// current one.
//
// The rows each batch draws depend only on the blend's seed; when groups
// are dropped (dynamic sampling, failures) or a source is paused, which
// batch a refill row lands in depends on when the groups finish.
//
// In a Batcher's output each group is one task: _ng_task_index numbers the
// groups in the order they are drawn (0, 1, 2, ...), so a row drawn again
// in a later epoch is a new task, and _ng_rollout_index runs 0..G-1 (and
// on, for retried rollouts).
type Batcher struct {
	Collector *Collector
	Blend     Blend

	// Prompts (P) is the number of groups per batch, Generations (G) the
	// rollouts per group; 0 means DefaultPrompts and DefaultGenerations.
	Prompts, Generations int

	// MaxAge bounds how stale a rollout may be when it is trained on, in
	// steps (NeMo RL's async GRPO max_trajectory_age_steps): while the
	// trainer works on batch k, the batches up to k+MaxAge are collected.
	// 0 means 1; a negative value means none: batch k+1 starts when the
	// loop asks for it.
	MaxAge int

	// DynamicSampling drops a group whose rewards are all equal (its GRPO
	// advantages are all zero) and draws a fresh row from the same source
	// in its place (DAPO's dynamic sampling). MaxExtraRollouts caps the
	// rollouts a batch may spend beyond P·G on such refills and on failed
	// groups: 0 means 10·P·G (NeMo RL's dynamic_sampling_max_gen_batches
	// of 10), a negative value means none. Past the cap, groups are kept
	// as they are, and the batch's stats say so. (NeMo RL raises an error
	// past its cap instead, and filters samples by their leave-one-out std,
	// which can split a group; here a group is kept or dropped whole.)
	DynamicSampling  bool
	MaxExtraRollouts int

	// MaxSteps, if positive, ends the run after that many batches; no
	// batch beyond it is collected.
	MaxSteps int

	// OnFailure is what happens to a group with failed rollouts (DropGroup
	// by default).
	OnFailure GroupFailure

	// Bulkhead isolates the sources from each other.
	Bulkhead Bulkhead

	// OnRollout, if set, is called with every finished rollout (dropped,
	// failed and probe ones too) as it comes in, from the goroutine that
	// collects them: for live progress.
	OnRollout func(*Result)
}

// Batch is one training step's data: exactly P groups, in the order their
// rows were drawn, each of G rollouts ordered by rollout index (fewer with
// KeepSuccesses).
type Batch struct {
	Step   int
	Groups []*Group
	Stats  BatchStats
}

// BatchStats describes how a batch was collected.
type BatchStats struct {
	Rollouts       int // rollouts run for the batch: kept, failed, dropped and retried ones
	Failures       int // failed rollouts among them
	Invalid        int // invalid rows read while the batch was collected (they are in Failures)
	DroppedUniform int // groups dropped because their rewards were all equal
	DroppedFailed  int // groups dropped because rollouts failed
	Retried        int // failed rollouts run again
	CapReached     bool

	// Reward statistics of the kept rollouts; a rollout passes with a
	// reward of at least 1.
	RewardMean, RewardStd, PassRate float64

	Sources map[string]*SourceStats // by source name
	Dry     []string                // sources that ran dry while the batch was drawn
	Paused  []*PausedError          // sources paused when the batch was handed out
	Probes  int                     // probe rollouts run on paused sources meanwhile
	Elapsed time.Duration           // from the batch's first draw to its hand-over
}

// SourceStats is one source's part of a batch.
type SourceStats struct {
	Groups   int // groups kept
	Rollouts int // rollouts run
	Failures int
	InFlight int // rollouts of the source in flight when the batch was handed out

	RewardMean, RewardStd, PassRate float64
}

// Batches yields training batches until the blend is exhausted (a last
// batch that cannot be filled is not handed out; its rollouts are in the
// output files), ctx is cancelled (the error is ctx.Err()) or the loop
// breaks, which cancels the rollouts in flight and waits for them. The
// error is also set for a fault of a source or of the output files, and
// when every source is paused (ErrAllPaused).
func (b *Batcher) Batches(ctx context.Context) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		r, err := newBatchRun(b)
		if err != nil {
			yield(nil, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			r.mu.Lock()
			r.finished = true
			r.mu.Unlock()
			r.signal()
			cancel()
			wg.Wait()
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range b.Collector.runPlan(ctx, r.plan) {
				if ev.err != nil {
					r.fail(ev.err)
					return
				}
				r.done(ev.res)
				if b.OnRollout != nil {
					b.OnRollout(ev.res)
				}
			}
			r.mu.Lock()
			r.collectorDone = true
			r.mu.Unlock()
			r.signal()
		}()

		r.mu.Lock()
		r.openBatches()
		r.mu.Unlock()
		r.signal()
		for {
			r.mu.Lock()
			for len(r.ready) == 0 && r.err == nil && !r.over() && ctx.Err() == nil {
				r.mu.Unlock()
				select {
				case <-r.readyCh:
				case <-ctx.Done():
				}
				r.mu.Lock()
			}
			if len(r.ready) == 0 {
				err := r.err
				r.mu.Unlock()
				if err == nil {
					err = context.Cause(ctx)
				}
				if err != nil {
					yield(nil, err)
				}
				return
			}
			bt := r.ready[0]
			r.ready = r.ready[1:]
			r.mu.Unlock()
			if !yield(bt, nil) {
				return
			}
			r.mu.Lock()
			r.bodies++
			r.openBatches()
			r.mu.Unlock()
			r.signal()
		}
	}
}

// batchRun is the state of one Batches call, shared by the loop, the
// feed (the Collector's row source) and the consumer of results, under mu.
type batchRun struct {
	b      *Batcher
	p, g   int
	maxAge int
	extra  int // MaxExtraRollouts, resolved
	conc   int
	policy GroupFailure

	rate   float64
	window int
	probe  time.Duration

	mu     sync.Mutex
	bl     *blender
	srcs   []*srcRun
	open   []*openBatch // steps not yet handed out, in order
	ready  []*Batch
	nextID int // the next group's task index
	groups map[int]*groupRun
	step   int // the next step to open
	bodies int // loop bodies finished
	ended  bool
	err    error
	inv    []error // invalid rows waiting to be fed
	spare  []pick  // rows drawn for a batch that could not be filled
	paused int     // sources paused
	flight int     // rollouts in flight over all sources

	activeMask uint64 // the sources the shares were computed for

	finished      bool // feed no more
	collectorDone bool

	wake    chan struct{} // to the feed
	readyCh chan struct{} // to the loop
}

type srcRun struct {
	name     string
	weight   float64
	maxIn    int // MaxInFlight, 0 none
	share    int
	queue    []*groupRun // groups with rollouts to start, oldest step first
	flight   int
	recent   []bool // ring of the last outcomes, true = failed
	classes  []rollout.FailureClass
	pos, n   int
	failures int // in the window
	lastErr  error
	paused   *PausedError
	probing  bool
}

type openBatch struct {
	step    int
	slots   []*groupRun
	done    int
	extra   int // rollouts spent beyond P·G
	stats   BatchStats
	start   time.Time
	doomed  bool
	byStats map[int]*SourceStats
}

type groupRun struct {
	id      int
	src     int
	batch   *openBatch // nil for a probe
	slot    int
	task    Task // the row, stamped with the group's task index and agent
	agent   agent.Agent
	name    string // the agent's name
	invalid error  // why the row cannot run (no or unknown agent, malformed)
	nextRI  int    // the next rollout index
	queued  int    // rollouts waiting to start
	running int
	ok      []*Result
	failed  int
	dropped bool // replaced in its slot; results still arriving are counted only
	kept    bool
}

func newBatchRun(b *Batcher) (*batchRun, error) {
	if b.Collector == nil || b.Collector.Registry == nil {
		return nil, errors.New("gym: the Batcher has no Collector with a Registry")
	}
	bl, err := newBlender(&b.Blend)
	if err != nil {
		return nil, err
	}
	names, err := bl.names()
	if err != nil {
		return nil, err
	}
	r := &batchRun{b: b, bl: bl, p: b.Prompts, g: b.Generations, maxAge: b.MaxAge, policy: b.OnFailure,
		conc: b.Collector.Concurrency, groups: map[int]*groupRun{},
		wake: make(chan struct{}, 1), readyCh: make(chan struct{}, 1),
		rate: b.Bulkhead.FailureRate, window: b.Bulkhead.Window, probe: b.Bulkhead.ProbeAfter}
	if r.p <= 0 {
		r.p = DefaultPrompts
	}
	if r.g <= 0 {
		r.g = DefaultGenerations
	}
	switch {
	case r.maxAge == 0:
		r.maxAge = 1
	case r.maxAge < 0:
		r.maxAge = 0
	}
	switch {
	case b.MaxExtraRollouts == 0:
		r.extra = 10 * r.p * r.g
	case b.MaxExtraRollouts < 0:
		r.extra = 0
	default:
		r.extra = b.MaxExtraRollouts
	}
	if r.conc <= 0 {
		r.conc = DefaultConcurrency
	}
	if r.rate == 0 {
		r.rate = 0.5
	}
	if r.window <= 0 {
		r.window = 20
	}
	if r.probe <= 0 {
		r.probe = 30 * time.Second
	}
	for i, n := range names {
		if slices.Index(names, n) != i {
			return nil, fmt.Errorf("gym: two blend sources are named %q; give them distinct names", n)
		}
	}
	for k := range b.Bulkhead.MaxInFlight {
		if !slices.Contains(names, k) {
			return nil, fmt.Errorf("gym: Bulkhead.MaxInFlight names %q, which is not a source of the blend (sources: %s)", k, strings.Join(names, ", "))
		}
	}
	for i, s := range bl.srcs {
		r.srcs = append(r.srcs, &srcRun{name: names[i], weight: s.weight, maxIn: b.Bulkhead.MaxInFlight[names[i]],
			recent: make([]bool, r.window), classes: make([]rollout.FailureClass, r.window)})
	}
	r.shares()
	return r, nil
}

func (r *batchRun) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *batchRun) signalReady() {
	select {
	case r.readyCh <- struct{}{}:
	default:
	}
}

// over reports that no more batch will be ready.
func (r *batchRun) over() bool {
	if r.collectorDone {
		return true
	}
	return r.ended && len(r.open) == 0
}

func (r *batchRun) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.finished = true
	r.collectorDone = true
	r.mu.Unlock()
	r.signal()
	r.signalReady()
}

// openBatches opens the steps the age bound allows. Called with mu held.
func (r *batchRun) openBatches() {
	for !r.ended && r.step <= r.bodies+r.maxAge {
		if r.b.MaxSteps > 0 && r.step >= r.b.MaxSteps {
			r.ended = true
			r.finishIfIdle()
			return
		}
		picks, err := r.bl.batch(r.p)
		if err != nil {
			r.err = err
			r.ended = true
			r.finished = true
			r.signalReady()
			return
		}
		ob := &openBatch{step: r.step, start: time.Now(), byStats: map[int]*SourceStats{}}
		ob.stats.Dry = r.bl.takeDried()
		r.inv = append(r.inv, r.bl.takeInvalid()...)
		if len(picks) < r.p {
			// Not enough rows for another batch: keep them for refills.
			r.spare = append(r.spare, picks...)
			r.ended = true
			if paused := r.pausedErrs(); len(paused) == len(r.srcs) && r.err == nil {
				r.err = fmt.Errorf("%w: %w", ErrAllPaused, errors.Join(paused...))
			}
			r.finishIfIdle()
			return
		}
		r.step++
		r.open = append(r.open, ob)
		for i, p := range picks {
			ob.slots = append(ob.slots, r.newGroup(p, ob, i))
		}
	}
}

// newGroup queues the G rollouts of a drawn row.
func (r *batchRun) newGroup(p pick, ob *openBatch, slot int) *groupRun {
	g := &groupRun{id: r.nextID, src: p.source, batch: ob, slot: slot}
	r.nextID++
	g.task = Task{Object: p.task.Clone()}
	g.task.Set(rollout.KeyTaskIndex, rollout.Int(g.id))
	g.name = p.task.AgentName()
	if g.name == "" {
		g.name = r.b.Collector.DefaultAgent
		if g.name != "" {
			g.task = g.task.WithAgent(g.name)
		}
	}
	// The Collector's checks of a row, once per group.
	switch err := p.task.Validate(); {
	case g.name == "":
		g.invalid = errors.New("gym: the row has no agent_ref and no default agent is set")
	case err != nil:
		g.invalid = fmt.Errorf("gym: invalid row: %w", err)
	default:
		g.agent, g.invalid = r.b.Collector.Registry.Lookup(g.name)
	}
	if g.invalid != nil {
		if path, line := p.task.Source(); line > 0 {
			g.invalid = &rollout.LineError{Path: path, Line: line, Err: g.invalid}
		}
	}
	r.groups[g.id] = g
	n := r.g
	if ob == nil {
		n = 1 // a probe
	}
	r.enqueue(g, n)
	return g
}

func (r *batchRun) enqueue(g *groupRun, n int) {
	if g.queued == 0 {
		s := r.srcs[g.src]
		// Keep the queue ordered by step: a refill of an old batch goes
		// before the groups of newer ones.
		at := len(s.queue)
		for at > 0 && s.queue[at-1].step() > g.step() {
			at--
		}
		s.queue = slices.Insert(s.queue, at, g)
	}
	g.queued += n
}

func (g *groupRun) step() int {
	if g.batch == nil {
		return -1 // probes first
	}
	return g.batch.step
}

// dequeue removes g's waiting rollouts.
func (r *batchRun) dequeue(g *groupRun) {
	if g.queued == 0 {
		return
	}
	s := r.srcs[g.src]
	if i := slices.Index(s.queue, g); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
	}
	g.queued = 0
}

// finishIfIdle stops the feed once nothing is left to collect.
func (r *batchRun) finishIfIdle() {
	if r.ended && len(r.open) == 0 {
		r.finished = true
		r.signal()
		r.signalReady()
	}
}

// plan is the Collector's planner for a Batcher: it hands over one rollout
// at a time, when a slot is free, from the source the bulkhead picks.
func (r *batchRun) plan(ctx context.Context, emit func(planned) bool) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		g, ri, st, wait, err := r.take(ctx)
		switch {
		case st == takeStop:
			return nil
		case st == takeGot && err != nil: // an invalid row read from a source
			res := &Result{TaskIndex: -1, Err: &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "read", Err: err}}
			if !emit(planned{res: res}) {
				return nil
			}
			continue
		case st == takeGot:
			stamped := Task{Object: g.task.Clone()}
			stamped.Set(rollout.KeyRolloutIndex, rollout.Int(ri))
			res := &Result{Task: stamped, TaskIndex: g.id, RolloutIndex: ri, Agent: g.name}
			if g.invalid != nil {
				res.Task = g.task
				res.Err = &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "route", Err: g.invalid}
				if !emit(planned{res: res}) {
					return nil
				}
				continue
			}
			if !emit(planned{task: stamped, agent: g.agent, res: res}) {
				return nil
			}
			continue
		}
		var tc <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			tc = timer.C
		}
		select {
		case <-r.wake:
		case <-tc:
		case <-ctx.Done():
		}
	}
}

type takeState int

const (
	takeGot  takeState = iota // a rollout (or an invalid row) to hand over
	takeWait                  // nothing can start now: wait for a wake-up (or the duration, if positive)
	takeStop                  // the run is over
)

// take is the bookkeeping of one handed-out rollout: the next rollout to
// start, if a slot is free and a source may start one.
func (r *batchRun) take(ctx context.Context) (g *groupRun, rolloutIndex int, st takeState, wait time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || ctx.Err() != nil {
		return nil, 0, takeStop, 0, nil
	}
	if len(r.inv) > 0 {
		e := r.inv[0]
		r.inv = r.inv[1:]
		return nil, 0, takeGot, 0, e
	}
	var now time.Time
	if r.paused > 0 {
		now = time.Now()
		r.startProbes(now)
	}
	if r.flight < r.conc {
		if g = r.pick(); g != nil {
			g.queued--
			if g.queued == 0 {
				s := r.srcs[g.src]
				s.queue[0] = nil
				s.queue = s.queue[1:] // pick returns the head of its queue
			}
			g.running++
			r.flight++
			r.srcs[g.src].flight++
			ri := g.nextRI
			g.nextRI++
			return g, ri, takeGot, 0, nil
		}
	}
	if r.paused > 0 {
		return nil, 0, takeWait, r.nextProbe(now), nil
	}
	return nil, 0, takeWait, 0, nil
}

// done takes in one finished rollout.
func (r *batchRun) done(res *Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.signal()
	g := r.groups[res.TaskIndex]
	if g == nil { // an invalid row read from a source
		if len(r.open) > 0 {
			r.open[0].stats.Invalid++
		}
		return
	}
	s := r.srcs[g.src]
	g.running--
	r.flight--
	s.flight--
	if res.Err == nil {
		g.ok = append(g.ok, res)
	} else {
		g.failed++
	}
	if ob := g.batch; ob != nil {
		ob.stats.Rollouts++
		ss := ob.source(g.src)
		ss.Rollouts++
		if res.Err != nil {
			ob.stats.Failures++
			ss.Failures++
		}
	} else if len(r.open) > 0 {
		r.open[0].stats.Probes++
	}
	if g.batch == nil {
		r.probeDone(g, res)
	} else if res.Err == nil || rollout.AsFailure(res.Err).Class != rollout.FailCancelled {
		r.budget(g.src, res)
	}
	if g.running == 0 && g.queued == 0 {
		if !g.dropped && g.batch != nil {
			r.resolve(g)
		}
		if g.dropped || g.kept {
			delete(r.groups, g.id)
		}
	}
	r.deliver()
}

func (ob *openBatch) source(i int) *SourceStats {
	ss := ob.byStats[i]
	if ss == nil {
		ss = &SourceStats{}
		ob.byStats[i] = ss
	}
	return ss
}

// resolve decides on a group whose rollouts are all done.
func (r *batchRun) resolve(g *groupRun) {
	ob := g.batch
	slices.SortFunc(g.ok, func(a, b *Result) int { return a.RolloutIndex - b.RolloutIndex })
	if g.failed > 0 && len(g.ok) < r.g {
		switch {
		case r.policy == RetryFailed && r.canSpend(ob, r.g-len(g.ok)):
			k := r.g - len(g.ok)
			ob.extra += k
			ob.stats.Retried += k
			g.failed = 0
			r.enqueue(g, k)
			return
		case r.policy != KeepSuccesses && r.canSpend(ob, r.g):
			ob.stats.DroppedFailed++
			r.replace(ob, g.slot, g, g.src)
			return
		case r.policy == KeepSuccesses && len(g.ok) == 0 && r.canSpend(ob, r.g):
			ob.stats.DroppedFailed++
			r.replace(ob, g.slot, g, g.src)
			return
		}
		if r.policy != KeepSuccesses || len(g.ok) == 0 {
			ob.stats.CapReached = true // a drop or retry was due
		}
	}
	if r.b.DynamicSampling && uniform(g.ok) {
		if r.canSpend(ob, r.g) {
			ob.stats.DroppedUniform++
			r.replace(ob, g.slot, g, g.src)
			return
		}
		ob.stats.CapReached = true
	}
	g.kept = true
	ob.done++
}

func (r *batchRun) canSpend(ob *openBatch, n int) bool { return ob.extra+n <= r.extra }

// uniform reports whether rs holds two or more rewards, all equal (a lone
// rollout has nothing to compare with: it is kept).
func uniform(rs []*Result) bool {
	if len(rs) < 2 {
		return false
	}
	for _, x := range rs[1:] {
		if x.Reward != rs[0].Reward {
			return false
		}
	}
	return true
}

// replace puts a fresh row in a batch slot: of source src, or, when it is
// dry or paused (or src < 0), of another live source.
func (r *batchRun) replace(ob *openBatch, slot int, old *groupRun, src int) {
	if ob.doomed {
		return
	}
	old.dropped = true
	r.dequeue(old)
	if old.running == 0 {
		delete(r.groups, old.id)
	}
	if src >= 0 {
		// A refill (dynamic sampling, a failed group) spends G rollouts of
		// the batch's extra budget; a replacement forced by a pause does not.
		ob.extra += r.g
	}
	i := src
	if i < 0 || !r.bl.live(i) {
		i = r.bl.fill(-1)
	}
	var p pick
	ok := false
	if k := r.spareOf(src); k >= 0 {
		p, ok = r.spare[k], true
		r.spare = slices.Delete(r.spare, k, k+1)
	} else if i >= 0 {
		var err error
		var got int
		p, got, err = r.bl.drawFrom(i)
		if err != nil {
			r.err = err
			r.finished = true
			r.signalReady()
			return
		}
		ok = got >= 0
	}
	ob.stats.Dry = append(ob.stats.Dry, r.bl.takeDried()...)
	if !ok {
		r.doom(ob)
		return
	}
	ob.slots[slot] = r.newGroup(p, ob, slot)
}

// spareOf returns the index of a spare row of source src, or of any live
// source when src has none (or src < 0), or -1.
func (r *batchRun) spareOf(src int) int {
	usable := func(i int) bool { return !r.bl.srcs[i].paused }
	if src >= 0 && usable(src) {
		if k := slices.IndexFunc(r.spare, func(p pick) bool { return p.source == src }); k >= 0 {
			return k
		}
		if r.bl.live(src) {
			return -1 // src has rows left: draw from it
		}
	}
	return slices.IndexFunc(r.spare, func(p pick) bool { return usable(p.source) })
}

// doom gives up on a batch that cannot be filled, and on every later one.
func (r *batchRun) doom(from *openBatch) {
	r.ended = true
	paused := r.pausedErrs()
	k := slices.Index(r.open, from)
	if k < 0 {
		return
	}
	for _, ob := range r.open[k:] {
		ob.doomed = true
		for _, g := range ob.slots {
			if !g.kept {
				g.dropped = true
				r.dequeue(g)
			}
		}
	}
	r.open = r.open[:k]
	if len(paused) == len(r.srcs) && r.err == nil {
		r.err = fmt.Errorf("%w: %w", ErrAllPaused, errors.Join(paused...))
	}
	r.finishIfIdle()
}

// deliver hands the completed batches at the head of the line to the loop.
func (r *batchRun) deliver() {
	for len(r.open) > 0 && r.open[0].done == r.p {
		ob := r.open[0]
		r.open = r.open[1:]
		r.ready = append(r.ready, r.batchOf(ob))
		r.signalReady()
	}
	r.finishIfIdle()
}

func (r *batchRun) batchOf(ob *openBatch) *Batch {
	bt := &Batch{Step: ob.step, Groups: make([]*Group, len(ob.slots)), Stats: ob.stats}
	st := &bt.Stats
	st.Sources = map[string]*SourceStats{}
	var all moments
	per := make([]moments, len(r.srcs))
	for i, g := range ob.slots {
		name := r.srcs[g.src].name
		bt.Groups[i] = &Group{TaskIndex: g.id, Agent: agentOf(g), Results: g.ok}
		ss := ob.source(g.src)
		ss.Groups++
		for _, res := range g.ok {
			all.add(res.Reward)
			per[g.src].add(res.Reward)
		}
		st.Sources[name] = ss
	}
	for i, ss := range ob.byStats {
		st.Sources[r.srcs[i].name] = ss
		ss.RewardMean, ss.RewardStd, ss.PassRate = per[i].stats()
	}
	for _, s := range r.srcs {
		if ss, ok := st.Sources[s.name]; ok {
			ss.InFlight = s.flight
		} else if s.flight > 0 {
			st.Sources[s.name] = &SourceStats{InFlight: s.flight}
		}
	}
	st.RewardMean, st.RewardStd, st.PassRate = all.stats()
	for _, s := range r.srcs {
		if s.paused != nil {
			p := *s.paused
			st.Paused = append(st.Paused, &p)
		}
	}
	st.Elapsed = time.Since(ob.start)
	return bt
}

// moments accumulates reward statistics.
type moments struct{ sum, sq, pass, n float64 }

func (a *moments) add(reward float64) {
	a.sum += reward
	a.sq += reward * reward
	a.n++
	if reward >= 1 {
		a.pass++
	}
}

// stats returns the mean, the sample standard deviation and the pass rate.
func (a *moments) stats() (mean, std, pass float64) {
	if a.n == 0 {
		return 0, 0, 0
	}
	mean = a.sum / a.n
	if a.n > 1 {
		std = math.Sqrt(max(a.sq-a.n*mean*mean, 0) / (a.n - 1))
	}
	return mean, std, a.pass / a.n
}

func agentOf(g *groupRun) string {
	if len(g.ok) > 0 {
		return g.ok[0].Agent
	}
	return g.task.AgentName()
}
