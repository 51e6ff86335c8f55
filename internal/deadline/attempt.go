package deadline

import (
	"context"
	"sync"
	"time"
)

// An Attempt is the context of one rollout attempt, built so that the
// deadlines of its stages cost one timer per attempt instead of a context
// and a timer per stage: With, given a context that carries an Attempt,
// arms the attempt's one timer for the stage instead of deriving a new
// context. A stage that overruns its deadline ends the whole attempt (with
// context.DeadlineExceeded), which is what the tool loop does with a stage
// that timed out anyway; the stage's context is the attempt's, so it is
// not cancelled when the stage returns but when the attempt ends (Release).
//
// An Attempt is a context.Context: Err is context.DeadlineExceeded once the
// attempt's or a stage's deadline passed and the parent's error once the
// parent is done; Deadline is the earliest of the attempt's and its running
// stages' deadlines. It implements the AfterFunc method that package
// context uses to register contexts derived from it, so deriving one starts
// no goroutine.
type Attempt struct {
	parent     context.Context
	done       chan struct{}
	stopParent func() bool

	mu      sync.Mutex
	err     error
	expired bool      // the attempt's own deadline passed
	end     time.Time // the attempt's deadline; zero: none
	stages  []time.Time
	timer   *time.Timer
	at      time.Time // when the timer is set to fire; zero: not set
	afters  []*afterFunc
}

type afterFunc struct{ f func() }

type attemptKey struct{}

// NewAttempt returns the context of an attempt under parent bounded by d
// (0: by the parent alone). Release it when the attempt ends.
func NewAttempt(parent context.Context, d time.Duration) *Attempt {
	a := &Attempt{parent: parent, done: make(chan struct{})}
	if d > 0 {
		a.end = time.Now().Add(d)
		if pd, ok := parent.Deadline(); ok && pd.Before(a.end) {
			a.end = time.Time{} // the parent's deadline comes first: its error is the one
		}
	}
	if parent.Done() != nil {
		a.stopParent = context.AfterFunc(parent, func() { a.cancel(parent.Err(), false) })
	}
	if !a.end.IsZero() {
		a.mu.Lock()
		a.arm(a.end, time.Now())
		a.mu.Unlock()
	}
	return a
}

// Release ends the attempt: its context is cancelled (context.Canceled if
// no deadline passed before) and its timer stopped.
func (a *Attempt) Release() {
	a.cancel(context.Canceled, false)
	if a.stopParent != nil {
		a.stopParent()
	}
}

// Expired reports whether the attempt's own deadline (not a stage's, not
// the parent's) ended it.
func (a *Attempt) Expired() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expired
}

// Deadline returns the earliest of the attempt's and its running stages'
// deadlines, and the parent's if that comes first.
func (a *Attempt) Deadline() (time.Time, bool) {
	a.mu.Lock()
	t := a.next()
	a.mu.Unlock()
	if pd, ok := a.parent.Deadline(); ok && (t.IsZero() || pd.Before(t)) {
		return pd, true
	}
	return t, !t.IsZero()
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
	return a.parent.Value(key)
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

// stage starts a stage bounded by d on the attempt and returns the
// function that ends it.
func (a *Attempt) stage(d time.Duration) context.CancelFunc {
	now := time.Now()
	t := now.Add(d)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil || (!a.end.IsZero() && !t.Before(a.end)) {
		return noop // already over, or bounded by the attempt itself
	}
	a.stages = append(a.stages, t)
	if a.at.IsZero() || t.Before(a.at) {
		a.arm(t, now)
	}
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, x := range a.stages {
			if x.Equal(t) {
				a.stages = append(a.stages[:i], a.stages[i+1:]...)
				break
			}
		}
		// The timer stays set: if it fires before a later deadline, fire
		// finds nothing due and sets it again.
	}
}

func noop() {}

// next returns the earliest deadline of the attempt and its stages.
func (a *Attempt) next() time.Time {
	t := a.end
	for _, s := range a.stages {
		if t.IsZero() || s.Before(t) {
			t = s
		}
	}
	return t
}

// arm sets the timer to fire at t. a.mu is held.
func (a *Attempt) arm(t, now time.Time) {
	a.at = t
	if a.timer == nil {
		a.timer = time.AfterFunc(t.Sub(now), a.fire)
		return
	}
	a.timer.Reset(t.Sub(now))
}

// fire ends the attempt if a deadline is due, and sets the timer again
// otherwise (a stage whose deadline armed it has ended).
func (a *Attempt) fire() {
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	now := time.Now()
	a.at = time.Time{}
	expired := !a.end.IsZero() && !now.Before(a.end)
	due := expired
	for _, s := range a.stages {
		if !now.Before(s) {
			due = true
		}
	}
	if !due {
		if t := a.next(); !t.IsZero() {
			a.arm(t, now)
		}
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	a.cancel(context.DeadlineExceeded, expired)
}

// cancel ends the attempt with err, once.
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
	if a.timer != nil {
		a.timer.Stop()
	}
	a.mu.Unlock()
	for _, e := range afters {
		go e.f()
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
