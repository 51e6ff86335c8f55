package deadline

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/rollout"
)

type key string

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the context did not end")
	}
}

func TestStageDeadlineEndsTheAttempt(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), time.Hour)
	defer a.Release()
	ctx := context.WithValue(a, key("k"), "v")
	sctx, end := With(ctx, 20*time.Millisecond)
	defer end()
	require.Equal(t, ctx, sctx, "the stage runs on the attempt's context")
	d, ok := sctx.Deadline()
	require.True(t, ok)
	require.WithinDuration(t, time.Now().Add(20*time.Millisecond), d, 15*time.Millisecond, "the stage's deadline is reported")
	waitDone(t, sctx)
	require.ErrorIs(t, sctx.Err(), context.DeadlineExceeded)
	require.False(t, a.Expired(), "a stage's deadline, not the attempt's")
	require.Equal(t, "v", sctx.Value(key("k")))
}

func TestAttemptDeadline(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), 20*time.Millisecond)
	defer a.Release()
	_, end := With(a, time.Hour) // longer than the attempt: bounded by it
	defer end()
	waitDone(t, a)
	require.ErrorIs(t, a.Err(), context.DeadlineExceeded)
	require.True(t, a.Expired())
}

func TestEndedStageLeavesTheAttemptRunning(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), 150*time.Millisecond)
	defer a.Release()
	_, end := With(a, 10*time.Millisecond)
	end() // before its deadline
	time.Sleep(40 * time.Millisecond)
	require.NoError(t, a.Err(), "an ended stage's deadline does not end the attempt")
	d, _ := a.Deadline()
	require.WithinDuration(t, time.Now().Add(110*time.Millisecond), d, 60*time.Millisecond, "back to the attempt's deadline")
	waitDone(t, a)
	require.True(t, a.Expired(), "the timer was set again for the attempt's own deadline")
}

func TestParentCancelAndRelease(t *testing.T) {
	defer goleak.VerifyNone(t)
	parent, cancel := context.WithCancel(context.Background())
	a := NewAttempt(parent, 0)
	defer a.Release()
	cancel()
	waitDone(t, a)
	require.ErrorIs(t, a.Err(), context.Canceled)
	require.False(t, a.Expired())

	b := NewAttempt(context.Background(), NoDeadlineForTest)
	require.False(t, closed(b.Done()))
	b.Release()
	require.True(t, closed(b.Done()))
	require.ErrorIs(t, b.Err(), context.Canceled)
}

// NoDeadlineForTest is an attempt bound by its parent alone.
const NoDeadlineForTest = 0

func TestDerivedContextsStartNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), time.Hour)
	before := runtime.NumGoroutine()
	var children []context.Context
	var cancels []context.CancelFunc
	for range 100 {
		c, cancel := context.WithCancel(a)
		children = append(children, c)
		cancels = append(cancels, cancel)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "derived through AfterFunc, not a goroutine each")
	cancels[0]() // unregisters
	a.Release()
	for _, c := range children {
		waitDone(t, c)
		require.ErrorIs(t, c.Err(), context.Canceled)
	}
	for _, cancel := range cancels {
		cancel()
	}
	// A context derived from an ended attempt ends at once.
	c, cancel := context.WithCancel(a)
	defer cancel()
	waitDone(t, c)
}

func TestWithOffAnAttempt(t *testing.T) {
	defer goleak.VerifyNone(t)
	// Not an attempt's context: a context with its own deadline.
	ctx, end := With(context.Background(), time.Hour)
	defer end()
	_, ok := ctx.Deadline()
	require.True(t, ok)

	// Derived with its own cancellation: also its own deadline, so that
	// the stage does not cancel what the caller did not hand over.
	a := NewAttempt(context.Background(), time.Hour)
	defer a.Release()
	own, cancel := context.WithCancel(a)
	defer cancel()
	sctx, end2 := With(own, 10*time.Millisecond)
	require.NotEqual(t, own, sctx)
	waitDone(t, sctx)
	end2()
	require.NoError(t, a.Err(), "the attempt goes on")
}

func TestConcurrentStages(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), time.Hour)
	defer a.Release()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			for range 100 {
				_, end := With(a, time.Duration(i+1)*time.Minute)
				_, _ = a.Deadline()
				end()
			}
		})
	}
	wg.Wait()
	require.NoError(t, a.Err())
	_, end := With(a, 5*time.Millisecond) // the timer still works after the churn
	defer end()
	waitDone(t, a)
	require.ErrorIs(t, a.Err(), context.DeadlineExceeded)
}

func TestGroupDeadlinesFallDueInTurn(t *testing.T) {
	defer goleak.VerifyNone(t)
	g := NewGroup(context.Background())
	defer g.Close()
	a1 := g.Start(60 * time.Millisecond)
	defer a1.Release()
	time.Sleep(30 * time.Millisecond)
	a2 := g.Start(60 * time.Millisecond)
	defer a2.Release()
	waitDone(t, a1)
	require.True(t, a1.Expired())
	require.NoError(t, a2.Err(), "the second attempt's deadline is 30 ms later")
	waitDone(t, a2)
	require.True(t, a2.Expired())
}

func TestGroupReleasedHeadLeavesTheQueue(t *testing.T) {
	defer goleak.VerifyNone(t)
	g := NewGroup(context.Background())
	defer g.Close()
	a1 := g.Start(20 * time.Millisecond)
	a1.Release()
	a2 := g.Start(300 * time.Millisecond)
	defer a2.Release()
	time.Sleep(60 * time.Millisecond)
	require.NoError(t, a2.Err(), "the released head's deadline ends nothing")
	require.ErrorIs(t, a1.Err(), context.Canceled)
	require.False(t, a1.Expired())
}

func TestGroupParentCancelEndsEveryAttempt(t *testing.T) {
	defer goleak.VerifyNone(t)
	parent, cancel := context.WithCancel(context.Background())
	g := NewGroup(parent)
	defer g.Close()
	var as []*Attempt
	for range 10 {
		as = append(as, g.Start(time.Hour))
	}
	as[3].Release()
	cancel()
	for i, a := range as {
		waitDone(t, a)
		require.ErrorIs(t, a.Err(), context.Canceled, "attempt %d", i)
		require.False(t, a.Expired())
	}
	late := g.Start(time.Hour)
	require.True(t, closed(late.Done()), "an attempt started after the parent ended is over at once")
	for _, a := range as {
		a.Release()
	}
	late.Release()
}

func TestGroupManyAttemptsAndStages(t *testing.T) {
	defer goleak.VerifyNone(t)
	g := NewGroup(context.Background())
	defer g.Close()
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			a := g.Start(time.Hour)
			defer a.Release()
			ctx := context.WithValue(a, key("k"), 1)
			for j := range 10 {
				_, end := With(ctx, time.Duration(j%3+1)*time.Minute)
				_, _ = ctx.Deadline()
				end()
			}
			require.NoError(t, a.Err())
		})
	}
	wg.Wait()
	// The queues still work after the churn: a short stage ends its attempt.
	a := g.Start(time.Hour)
	defer a.Release()
	_, end := With(a, 10*time.Millisecond)
	defer end()
	waitDone(t, a)
	require.ErrorIs(t, a.Err(), context.DeadlineExceeded)
	require.False(t, a.Expired())
}

func TestConcurrentStagesOfOneAttempt(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), time.Hour)
	defer a.Release()
	_, end1 := With(a, time.Hour)
	_, end2 := With(a, 15*time.Millisecond) // a second stage at once: its own node
	end1()
	waitDone(t, a)
	end2()
	require.ErrorIs(t, a.Err(), context.DeadlineExceeded)
}

// A context derived below rollout.WithID over an attempt is registered
// through the attempt's AfterFunc, not watched by a goroutine.
func TestDerivedBelowAnIDStartsNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := NewAttempt(context.Background(), time.Hour)
	ctx := rollout.WithID(a, rollout.NewID(1, 2, 1))
	before := runtime.NumGoroutine()
	var cancels []context.CancelFunc
	for range 50 {
		_, cancel := context.WithCancel(ctx)
		cancels = append(cancels, cancel)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
	id, ok := rollout.IDFrom(ctx)
	require.True(t, ok)
	require.Equal(t, 1, id.Task)
	sctx, end := With(ctx, 10*time.Millisecond)
	require.Equal(t, ctx, sctx, "a stage on the attempt under its id")
	waitDone(t, ctx)
	end()
	for _, c := range cancels {
		c()
	}
	a.Release()
}
