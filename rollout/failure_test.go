package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func TestFail(t *testing.T) {
	require.NoError(t, rollout.Fail(rollout.FailModel, "model", nil))

	base := errors.New("connection refused")
	err := rollout.Fail(rollout.FailModel, "model", base)
	require.Equal(t, "connection refused", err.Error())
	require.ErrorIs(t, err, base)
	var f *rollout.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailModel, f.Class)
	require.Equal(t, "model", f.Stage)
	require.False(t, f.Retryable)
	require.Same(t, base, f.Unwrap())

	timeout := rollout.Fail(rollout.FailTimeout, "tool", base)
	require.True(t, rollout.AsFailure(timeout).Retryable, "timeouts may succeed on retry")
	require.Equal(t, "tool", rollout.AsFailure(timeout).Stage)

	// The innermost classification wins, also through wrapping.
	inner := rollout.Fail(rollout.FailToolPanic, "tool", &rollout.PanicError{Value: "oops"})
	wrapped := fmt.Errorf("step 3: %w", inner)
	again := rollout.Fail(rollout.FailAgent, "agent", wrapped)
	require.Same(t, wrapped, again, "an error that holds a Failure is returned unchanged")
	got := rollout.AsFailure(again)
	require.Equal(t, rollout.FailToolPanic, got.Class)
	require.Equal(t, "tool", got.Stage)
	require.Equal(t, "step 3: panic: oops", again.Error())
	var pe *rollout.PanicError
	require.ErrorAs(t, again, &pe)
	require.Equal(t, "oops", pe.Value)

	// errors.Is and errors.As see through a Failure.
	cancelled := rollout.Fail(rollout.FailAgent, "model", fmt.Errorf("call: %w", context.Canceled))
	require.ErrorIs(t, cancelled, context.Canceled)
	require.Equal(t, rollout.FailAgent, rollout.AsFailure(cancelled).Class, "an explicit class is kept")
}

func TestAsFailure(t *testing.T) {
	cases := []struct {
		err       error
		class     rollout.FailureClass
		retryable bool
	}{
		{context.Canceled, rollout.FailCancelled, false},
		{fmt.Errorf("model: %w", context.Canceled), rollout.FailCancelled, false},
		{context.DeadlineExceeded, rollout.FailTimeout, true},
		{fmt.Errorf("tool: %w", context.DeadlineExceeded), rollout.FailTimeout, true},
		{errors.New("boom"), rollout.FailAgent, false},
		{&rollout.PanicError{Value: 1}, rollout.FailAgent, false},
		{&rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: errors.New("x")}, rollout.FailVerifier, false},
		{fmt.Errorf("wrapped: %w", &rollout.Failure{Class: rollout.FailResources, Retryable: true, Err: errors.New("x")}), rollout.FailResources, true},
		{errors.Join(errors.New("a"), &rollout.Failure{Class: rollout.FailInvalidRow, Err: errors.New("b")}), rollout.FailInvalidRow, false},
	}
	for _, c := range cases {
		f := rollout.AsFailure(c.err)
		require.NotNil(t, f, "%v", c.err)
		require.Equal(t, c.class, f.Class, "%v", c.err)
		require.Equal(t, c.retryable, f.Retryable, "%v", c.err)
		var held *rollout.Failure
		if errors.As(c.err, &held) {
			require.Same(t, held, f, "the Failure the error holds is returned")
		} else {
			require.ErrorIs(t, f, c.err, "the classified error wraps the original")
		}
	}

	// A context that really was cancelled or timed out.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.Equal(t, rollout.FailCancelled, rollout.AsFailure(ctx.Err()).Class)
	ctx, cancel = context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	require.Equal(t, rollout.FailTimeout, rollout.AsFailure(ctx.Err()).Class)
	require.Equal(t, rollout.FailTimeout, rollout.AsFailure(context.Cause(ctx)).Class)

	// The same Failure comes back, not a copy.
	f := &rollout.Failure{Class: rollout.FailModel}
	require.Same(t, f, rollout.AsFailure(fmt.Errorf("x: %w", f)))
}

func TestFailureError(t *testing.T) {
	require.Equal(t, "read back", (&rollout.Failure{Message: "read back"}).Error())
	require.Equal(t, "live", (&rollout.Failure{Message: "ignored", Err: errors.New("live")}).Error())
	require.NoError(t, (&rollout.Failure{Message: "m"}).Unwrap())
	require.Equal(t, "panic: index out of range", (&rollout.PanicError{Value: "index out of range", Stack: "..."}).Error())
	require.Equal(t, "panic: 42", (&rollout.PanicError{Value: 42}).Error())
}

// The failure classes are the strings NeMo Gym output files carry, and
// Known is true of them alone.
func TestFailureClassStrings(t *testing.T) {
	for class, want := range map[rollout.FailureClass]string{
		rollout.FailModel:      "model_error",
		rollout.FailTimeout:    "timeout",
		rollout.FailToolPanic:  "tool_panic",
		rollout.FailVerifier:   "verifier_error",
		rollout.FailInvalidRow: "invalid_row",
		rollout.FailRemote:     "remote_server_error",
		rollout.FailCancelled:  "cancelled",
		rollout.FailAgent:      "agent_error",
		rollout.FailResources:  "resources_server_error",
		rollout.FailJudge:      "judge_failed",
	} {
		require.Equal(t, want, string(class))
		require.True(t, class.Known(), class)
	}
	for _, c := range []rollout.FailureClass{"", "model", "Timeout", "server_error", "invalid_api_key"} {
		require.False(t, c.Known(), "%q", c)
	}
}
