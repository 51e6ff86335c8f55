package deadline

import (
	"context"
	"sync"
	"time"
)

// A Group starts the attempts of one collection. It carries their
// deadlines and those of their stages on one timer per distinct duration
// (deadlines of one duration fall due in the order they were set, so each
// duration is a queue whose head alone needs a timer) and their
// cancellation on one registration with the parent context: starting an
// attempt or a stage allocates no timer and registers nothing with package
// context.
type Group struct {
	parent     context.Context
	stopParent func() bool

	base time.Time // deadlines are kept as nanoseconds since base

	mu      sync.Mutex
	err     error // the parent's, once it is done
	queues  map[time.Duration]*queue
	live    Attempt // the running attempts: a ring through Attempt.prevLive/nextLive
	closing bool
}

// queue is the deadlines of one duration, in the order they fall due.
type queue struct {
	g     *Group
	d     time.Duration
	head  node // a ring through node.prev/next
	timer *time.Timer
	armed int64 // when the timer fires (nanoseconds since g.base); 0: not set
}

// node is one deadline in a queue.
type node struct {
	prev, next *node
	q          *queue
	a          *Attempt
	at         int64 // nanoseconds since g.base
	own        bool  // the attempt's own deadline, not a stage's
}

// NewGroup returns a Group for attempts under parent. Close it when the
// collection ends.
func NewGroup(parent context.Context) *Group {
	g := &Group{parent: parent, base: time.Now(), queues: make(map[time.Duration]*queue)}
	g.live.nextLive, g.live.prevLive = &g.live, &g.live
	if parent.Done() != nil {
		g.stopParent = context.AfterFunc(parent, g.parentDone)
	}
	return g
}

// Close stops the group's timers and its registration with the parent.
// Attempts still running keep running, bounded by their parent alone.
func (g *Group) Close() {
	if g.stopParent != nil {
		g.stopParent()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closing = true
	for _, q := range g.queues {
		if q.timer != nil {
			q.timer.Stop()
		}
	}
}

func (g *Group) parentDone() {
	err := g.parent.Err()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.err = err
	for a := g.live.nextLive; a != &g.live; a = a.nextLive {
		a.cancel(err, false)
	}
}

// An Attempt is the context of one rollout attempt. With, given a context
// that carries an Attempt, queues the stage's deadline on the attempt's
// Group instead of deriving a context with a timer of its own. A stage
// that overruns its deadline ends the whole attempt (with
// context.DeadlineExceeded), which is what the tool loop does with a stage
// that timed out anyway; the stage's context is the attempt's, so it is
// not cancelled when the stage returns but when the attempt ends (Release).
//
// An Attempt is a context.Context: Err is context.DeadlineExceeded once the
// attempt's or a stage's deadline passed and the parent's error once the
// parent is done; Deadline is the earliest of the attempt's, its running
// stages' and the parent's deadlines. It implements the AfterFunc method
// that package context uses to register contexts derived from it, so
// deriving one starts no goroutine.
type Attempt struct {
	g    *Group
	own  bool // the group is the attempt's alone (NewAttempt)
	done chan struct{}

	// Under g.mu:
	prevLive, nextLive *Attempt // in g.live
	deadline           node     // the attempt's own deadline, when queued
	stage              node     // the one stage that needs no allocation
	endStage           func()   // ends stage: made once per attempt

	mu      sync.Mutex
	err     error
	expired bool // the attempt's own deadline passed
	afters  []*afterFunc
}

type afterFunc struct{ f func() }

type attemptKey struct{}

// Start starts an attempt bounded by d (0: by the parent alone). Release
// it when the attempt ends.
func (g *Group) Start(d time.Duration) *Attempt {
	a := &Attempt{g: g, done: make(chan struct{})}
	a.deadline.a, a.stage.a = a, a
	a.deadline.own = true
	a.endStage = func() { a.g.unqueue(&a.stage) }
	if pd, ok := g.parent.Deadline(); ok && d > 0 && time.Until(pd) < d {
		d = 0 // the parent's deadline comes first: its error is the one
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		a.cancel(g.err, false)
		return a
	}
	a.nextLive, a.prevLive = &g.live, g.live.prevLive
	g.live.prevLive.nextLive = a
	g.live.prevLive = a
	if d > 0 {
		g.enqueue(&a.deadline, d)
	}
	return a
}

// NewAttempt starts an attempt of a group of its own, under parent and
// bounded by d (0: by the parent alone). Release it when the attempt ends.
func NewAttempt(parent context.Context, d time.Duration) *Attempt {
	a := NewGroup(parent).Start(d)
	a.own = true
	return a
}

// Release ends the attempt: its context is cancelled (context.Canceled if
// nothing ended it before) and its deadlines leave the group's queues.
func (a *Attempt) Release() {
	g := a.g
	g.mu.Lock()
	if a.nextLive != nil {
		a.prevLive.nextLive = a.nextLive
		a.nextLive.prevLive = a.prevLive
		a.nextLive, a.prevLive = nil, nil
	}
	g.unlink(&a.deadline)
	g.unlink(&a.stage)
	g.mu.Unlock()
	a.cancel(context.Canceled, false)
	if a.own {
		g.Close()
	}
}

// Expired reports whether the attempt's own deadline (not a stage's, not
// the parent's) ended it.
func (a *Attempt) Expired() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expired
}

// Deadline returns the earliest of the attempt's, its running stages' and
// the parent's deadlines.
func (a *Attempt) Deadline() (time.Time, bool) {
	t, ok := a.g.parent.Deadline()
	a.g.mu.Lock()
	defer a.g.mu.Unlock()
	for _, n := range [...]*node{&a.deadline, &a.stage} {
		if at := a.g.base.Add(time.Duration(n.at)); n.q != nil && (!ok || at.Before(t)) {
			t, ok = at, true
		}
	}
	return t, ok
}

// Done is closed when the attempt ends.
func (a *Attempt) Done() <-chan struct{} { return a.done }

// Err is nil until the attempt ends, then why it ended.
func (a *Attempt) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Value returns the attempt for its own key and the parent's values otherwise.
func (a *Attempt) Value(key any) any {
	if key == (attemptKey{}) {
		return a
	}
	return a.g.parent.Value(key)
}

// AfterFunc arranges for f to run in its own goroutine once the attempt
// ends, as context.AfterFunc does; stop unregisters it.
func (a *Attempt) AfterFunc(f func()) (stop func() bool) {
	e := &afterFunc{f: f}
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	a.afters = append(a.afters, e)
	a.mu.Unlock()
	return func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, x := range a.afters {
			if x == e {
				a.afters = append(a.afters[:i], a.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

// cancel ends the attempt with err, once. It may run under g.mu.
func (a *Attempt) cancel(err error, expired bool) {
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	a.err, a.expired = err, expired
	close(a.done)
	afters := a.afters
	a.afters = nil
	a.mu.Unlock()
	for _, e := range afters {
		go e.f()
	}
}

// startStage starts a stage of a bounded by d and returns the function
// that ends it.
func (a *Attempt) startStage(d time.Duration) context.CancelFunc {
	g := a.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if a.Err() != nil {
		return noop
	}
	if a.deadline.q != nil && g.now()+int64(d) >= a.deadline.at {
		return noop // bounded by the attempt itself
	}
	if a.stage.q == nil {
		g.enqueue(&a.stage, d)
		return a.endStage
	}
	n := &node{a: a} // stages running at once
	g.enqueue(n, d)
	return func() { g.unqueue(n) }
}

func noop() {}

// enqueue queues n to fall due d from now. g.mu is held.
func (g *Group) enqueue(n *node, d time.Duration) {
	q := g.queues[d]
	if q == nil {
		q = &queue{g: g, d: d}
		q.head.next, q.head.prev = &q.head, &q.head
		g.queues[d] = q
	}
	now := g.now()
	n.q, n.at = q, now+int64(d)
	n.prev, n.next = q.head.prev, &q.head
	q.head.prev.next = n
	q.head.prev = n
	if q.armed == 0 && !g.closing {
		q.arm(n.at, now)
	}
}

// unqueue takes n out of its queue.
func (g *Group) unqueue(n *node) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unlink(n)
}

// unlink takes n out of its queue, if it is in one. g.mu is held. The
// queue's timer stays set: when it fires before the new head is due, fire
// sets it again.
func (g *Group) unlink(n *node) {
	if n.q == nil {
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next, n.q = nil, nil, nil
}

// arm sets q's timer to fire at t. g.mu is held.
func (q *queue) arm(t, now int64) {
	q.armed = t
	if q.timer == nil {
		q.timer = time.AfterFunc(time.Duration(t-now), q.fire)
		return
	}
	q.timer.Reset(time.Duration(t - now))
}

// now is the time in nanoseconds since g.base (monotonic, and never 0).
func (g *Group) now() int64 { return int64(time.Since(g.base)) + 1 }

// fire ends the attempts whose deadlines in q are due and sets the timer
// for the next one.
func (q *queue) fire() {
	g := q.g
	g.mu.Lock()
	defer g.mu.Unlock()
	q.armed = 0
	if g.closing {
		return
	}
	now := g.now()
	for n := q.head.next; n != &q.head; n = q.head.next {
		if now < n.at {
			q.arm(n.at, now)
			return
		}
		g.unlink(n)
		n.a.cancel(context.DeadlineExceeded, n.own)
	}
}

// stageOn returns the attempt ctx belongs to, if ctx is the attempt's
// context or a context that only adds values to it (its cancellation is
// the attempt's).
func stageOn(ctx context.Context) (*Attempt, bool) {
	a, ok := ctx.Value(attemptKey{}).(*Attempt)
	if !ok || ctx.Done() != a.done {
		return nil, false
	}
	return a, true
}
