// Package failure is the one policy for two things every stage of a
// rollout does: classifying an error by the context it ran under, and
// turning a recovered panic into a *rollout.Failure.
package failure

import (
	"context"
	"runtime/debug"

	"github.com/gymkit/gym/rollout"
)

// Class is the class of a failure of a stage that ran under ctx: a passed
// deadline is FailTimeout and a cancellation FailCancelled, whatever the
// stage answered (a model call cut short reports a broken connection, not a
// timeout); otherwise it is the stage's own class.
func Class(ctx context.Context, class rollout.FailureClass) rollout.FailureClass {
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return rollout.FailTimeout
	case context.Canceled:
		return rollout.FailCancelled
	}
	return class
}

// Of wraps err, a failure of stage that ran under ctx, as rollout.Fail does,
// with the class Class gives: a failure err already is stays as it is.
func Of(ctx context.Context, class rollout.FailureClass, stage string, err error) error {
	return rollout.Fail(Class(ctx, class), stage, err)
}

// Panic returns the failure for the value p recovered from a panic of what
// ("agent", `tool "f"`, "verifier", ...): its message is "<what> panicked:
// <p>", its error a *rollout.PanicError, and its stack the panicking
// goroutine's. Call it in the deferred function that recovered.
func Panic(class rollout.FailureClass, stage, what string, p any) *rollout.Failure {
	stack := string(debug.Stack())
	return &rollout.Failure{Class: class, Stage: stage, Stack: stack,
		Err: &rollout.PanicError{Value: p, Stack: stack, What: what}}
}

// Recover, deferred, turns a panic into the failure Panic makes, stored in
// *err.
func Recover(err *error, class rollout.FailureClass, stage, what string) {
	if p := recover(); p != nil {
		*err = Panic(class, stage, what, p)
	}
}
