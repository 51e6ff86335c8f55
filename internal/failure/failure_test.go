package failure_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/rollout"
)

func TestClassAndOf(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	require.Equal(t, rollout.FailModel, failure.Class(ctx, rollout.FailModel))
	require.Equal(t, rollout.FailCancelled, failure.Class(cancelled, rollout.FailModel))
	require.Equal(t, rollout.FailTimeout, failure.Class(expired, rollout.FailModel))

	boom := errors.New("boom")
	f := rollout.AsFailure(failure.Of(expired, rollout.FailModel, "model", boom))
	require.Equal(t, rollout.FailTimeout, f.Class)
	require.True(t, f.Retryable)
	require.Equal(t, "model", f.Stage)
	require.ErrorIs(t, f, boom)
	require.Nil(t, failure.Of(ctx, rollout.FailModel, "model", nil))
	kept := &rollout.Failure{Class: rollout.FailRemote}
	require.Same(t, kept, failure.Of(expired, rollout.FailModel, "model", kept), "the innermost class wins")
}

func TestPanic(t *testing.T) {
	run := func() (err error) {
		defer failure.Recover(&err, rollout.FailToolPanic, "tool", `tool "f"`)
		panic("kaput")
	}
	err := run()
	f := rollout.AsFailure(err)
	require.Equal(t, rollout.FailToolPanic, f.Class)
	require.Equal(t, "tool", f.Stage)
	require.EqualError(t, err, `tool "f" panicked: kaput`)
	require.Contains(t, f.Stack, "failure_test.TestPanic")
	var pe *rollout.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "kaput", pe.Value)
	require.Equal(t, f.Stack, pe.Stack)
	require.NoError(t, func() (err error) { defer failure.Recover(&err, rollout.FailAgent, "agent", "agent"); return nil }())
}
