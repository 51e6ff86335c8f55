// Package deadline resolves the deadlines of a rollout's stages: a
// positive duration is used as it is, zero means the stage's finite
// default, and a negative duration (the exported NoTimeout constants)
// means none. Tests of the module shorten the defaults with SetForTest, so
// that a default deadline can be seen to pass in milliseconds.
//
// It also enforces them cheaply: a Group carries the deadlines of all the
// attempts of a collection, and of their stages, on one timer per distinct
// duration, and With, on an Attempt's context, queues a stage's deadline
// there instead of deriving a context and a timer per call.
package deadline

import (
	"context"
	"sync/atomic"
	"time"
)

// Kind names a stage whose deadline has a default.
type Kind int

// The stages.
const (
	Model Kind = iota
	Tool
	Verify
	Rollout
	kinds
)

var testDefaults [kinds]atomic.Int64

// Resolve returns the deadline of stage k given the configured d and the
// stage's default def: 0 for none.
func Resolve(k Kind, d, def time.Duration) time.Duration {
	switch {
	case d < 0:
		return 0
	case d > 0:
		return d
	}
	if o := testDefaults[k].Load(); o != 0 {
		return time.Duration(o)
	}
	return def
}

// With returns ctx bounded by d (0: ctx itself) and its cancel function.
// On an Attempt's context (see Attempt) the stage arms the attempt's timer
// and ctx itself is returned: overrunning d then ends the attempt.
func With(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, noop
	}
	if a, ok := stageOn(ctx); ok {
		return ctx, a.startStage(d)
	}
	return context.WithTimeout(ctx, d)
}

// SetForTest replaces the default of stage k by d until the test ends.
// Tests that use it must not run in parallel with tests that rely on the
// real defaults.
func SetForTest(t interface{ Cleanup(func()) }, k Kind, d time.Duration) {
	old := testDefaults[k].Swap(int64(d))
	t.Cleanup(func() { testDefaults[k].Store(old) })
}
