package gym

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gymkit/gym/rollout"
)

// Bulkhead keeps one environment (one Source of the Blend) from taking
// the collection down with it.
//
// Fair share: each live source may have at most its share of the
// Collector's Concurrency in flight — Concurrency split in proportion to
// the weights, by largest remainder, at least one slot each — so that an
// environment whose tools or model take seconds cannot occupy every slot;
// MaxInFlight lowers a source's cap further. With Borrow, a source may use
// slots beyond its share while no other source has rollouts waiting.
//
// Failure budget: a source at least FailureRate of whose last Window
// finished rollouts failed is paused: its unfinished groups are replaced
// by rows of the other sources (whose quotas are renormalised), a
// *PausedError reports it in every batch's stats, and after ProbeAfter one
// probe rollout is run on it; if the probe succeeds, the source is back.
type Bulkhead struct {
	MaxInFlight map[string]int // by source name
	Borrow      bool

	// FailureRate 0 means 0.5; a negative value turns the budget off.
	// Window 0 means 20; ProbeAfter 0 means 30s.
	FailureRate float64
	Window      int
	ProbeAfter  time.Duration
}

// ErrPaused is matched (errors.Is) by a *PausedError.
var ErrPaused = errors.New("gym: environment paused")

// PausedError reports a source paused by its failure budget.
type PausedError struct {
	Source   string
	Failures int                  // failures among the last Window rollouts
	Window   int                  // rollouts considered
	Class    rollout.FailureClass // the most frequent class among those failures
	Last     error                // the last failure
	Since    time.Time
	ProbeAt  time.Time // when the next probe rollout starts
}

func (e *PausedError) Error() string {
	return fmt.Sprintf("gym: environment %s paused: %d of its last %d rollouts failed (mostly %s; last: %v); its rows go to the other environments until a probe rollout succeeds",
		e.Source, e.Failures, e.Window, e.Class, e.Last)
}

func (e *PausedError) Is(target error) bool { return target == ErrPaused }

// ErrAllPaused is matched by the error that ends a Batcher's run when
// every source is paused. (A run whose other sources run dry while some are
// paused ends normally; the last batch's stats list the paused ones.)
var ErrAllPaused = errors.New("gym: every environment is paused")

// shares splits the concurrency among the live sources by weight.
func (r *batchRun) shares() {
	w := make([]float64, len(r.srcs))
	for i, s := range r.srcs {
		if r.active(i) {
			w[i] = s.weight
		}
	}
	q := largestRemainder(w, r.conc)
	for i, s := range r.srcs {
		s.share = max(q[i], 1)
	}
}

// active reports whether source i takes part in the fair shares: it is
// not paused, and it has rows left or rollouts to run.
func (r *batchRun) active(i int) bool {
	s := r.srcs[i]
	return s.paused == nil && (!r.bl.srcs[i].dry || len(s.queue) > 0 || s.flight > 0)
}

// largestRemainder apportions n by weights w.
func largestRemainder(w []float64, n int) []int {
	var total float64
	for _, x := range w {
		total += x
	}
	q := make([]int, len(w))
	if total == 0 {
		return q
	}
	rem := make([]int, 0, len(w))
	left := n
	for i, x := range w {
		e := float64(n) * x / total
		q[i] = int(math.Floor(e))
		left -= q[i]
		rem = append(rem, i)
	}
	slices.SortStableFunc(rem, func(a, b int) int {
		fa := float64(n)*w[a]/total - float64(q[a])
		fb := float64(n)*w[b]/total - float64(q[b])
		switch {
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	for _, i := range rem[:min(max(left, 0), len(rem))] {
		q[i]++
	}
	return q
}

// pick chooses the group whose rollout starts next: among the sources
// under their cap, the one whose next group belongs to the oldest batch,
// then the one with the lowest use of its share. Called with mu held.
func (r *batchRun) pick() *groupRun {
	var mask uint64
	for i := range r.srcs {
		if r.active(i) {
			mask |= 1 << (i % 64)
		}
	}
	if mask != r.activeMask {
		r.activeMask = mask
		r.shares()
	}
	best := -1
	var bestStep int
	var bestUse float64
	waiting := 0
	for _, s := range r.srcs {
		if len(s.queue) > 0 && (s.paused == nil || s.probing) {
			waiting++
		}
	}
	for i, s := range r.srcs {
		if len(s.queue) == 0 {
			continue
		}
		if s.paused != nil && s.queue[0].batch != nil {
			continue
		}
		limit := s.share
		if r.b.Bulkhead.Borrow && waiting == 1 {
			limit = r.conc
		}
		if s.maxIn > 0 {
			limit = min(limit, s.maxIn)
		}
		if s.flight >= limit {
			continue
		}
		st := s.queue[0].step()
		use := float64(s.flight) / float64(s.share)
		if best < 0 || st < bestStep || st == bestStep && use < bestUse {
			best, bestStep, bestUse = i, st, use
		}
	}
	if best < 0 {
		return nil
	}
	return r.srcs[best].queue[0]
}

// startProbes queues a probe rollout on each paused source whose time has
// come. Called with mu held.
func (r *batchRun) startProbes(now time.Time) {
	for i, s := range r.srcs {
		if s.paused == nil || s.probing || now.Before(s.paused.ProbeAt) {
			continue
		}
		t, ok, err := r.bl.draw(i)
		if err != nil || !ok {
			continue
		}
		s.probing = true
		r.newGroup(pick{source: i, task: t}, nil, 0)
	}
}

func (r *batchRun) nextProbe(now time.Time) time.Duration {
	var d time.Duration
	for _, s := range r.srcs {
		if s.paused != nil && !s.probing {
			w := max(s.paused.ProbeAt.Sub(now), time.Millisecond)
			if d == 0 || w < d {
				d = w
			}
		}
	}
	return d
}

// budget records an outcome of source i and pauses it past its budget.
func (r *batchRun) budget(i int, res *Result) {
	if r.rate < 0 {
		return
	}
	s := r.srcs[i]
	if s.paused != nil {
		return
	}
	failed := res.Err != nil
	if s.n == r.window && s.recent[s.pos] {
		s.failures-- // the outcome that leaves the window
	}
	s.recent[s.pos] = failed
	s.classes[s.pos] = ""
	if failed {
		s.failures++
		s.classes[s.pos] = rollout.AsFailure(res.Err).Class
		s.lastErr = res.Err
	}
	s.pos = (s.pos + 1) % r.window
	s.n = min(s.n+1, r.window)
	if s.n < r.window || float64(s.failures) < r.rate*float64(r.window) {
		return
	}
	n := s.failures
	count := map[rollout.FailureClass]int{}
	for k, f := range s.recent {
		if f {
			count[s.classes[k]]++
		}
	}
	var class rollout.FailureClass
	for c, k := range count {
		if k > count[class] || k == count[class] && c < class {
			class = c
		}
	}
	now := time.Now()
	r.paused++
	s.paused = &PausedError{Source: s.name, Failures: n, Window: r.window, Class: class, Last: s.lastErr, Since: now, ProbeAt: now.Add(r.probe)}
	r.bl.setPaused(i, true)
	r.shares()
	// Its unfinished groups give their slots to the other sources.
	for _, ob := range r.open {
		for slot, g := range ob.slots {
			if !ob.doomed && g.src == i && !g.kept && !g.dropped {
				r.replace(ob, slot, g, -1)
			}
		}
	}
}

// probeDone takes in a probe's outcome: success ends the pause.
func (r *batchRun) probeDone(g *groupRun, res *Result) {
	s := r.srcs[g.src]
	s.probing = false
	g.kept = true
	if res.Err != nil {
		s.paused.ProbeAt = time.Now().Add(r.probe)
		s.paused.Last = res.Err
		return
	}
	s.paused = nil
	r.paused--
	s.n, s.pos, s.failures = 0, 0, 0
	clear(s.recent)
	r.bl.setPaused(g.src, false)
	r.shares()
}

// pausedErrs returns the pauses of the sources paused now.
func (r *batchRun) pausedErrs() []error {
	var out []error
	for _, s := range r.srcs {
		if s.paused != nil {
			out = append(out, s.paused)
		}
	}
	return out
}
