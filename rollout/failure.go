package rollout

import (
	"context"
	"errors"
	"fmt"
)

// FailureClass says what kind of fault ended a rollout. The values are the
// strings written to _ng_failure_class.
type FailureClass string

// Failure classes.
const (
	FailModel       FailureClass = "model_error"            // the policy model failed or answered garbage
	FailTimeout     FailureClass = "timeout"                // a deadline passed (Stage says which)
	FailToolPanic   FailureClass = "tool_panic"             // a tool panicked
	FailVerifier    FailureClass = "verifier_error"         // the verifier failed or panicked
	FailInvalidRow  FailureClass = "invalid_row"            // the input row is malformed or names no known agent
	FailRemote      FailureClass = "remote_server_error"    // a remote (HTTP) environment server failed
	FailCancelled   FailureClass = "cancelled"              // the run was cancelled
	FailAgent       FailureClass = "agent_error"            // anything else raised by the agent or the environment
	FailResources   FailureClass = "resources_server_error" // seeding or closing a session failed
	FailEnvironment FailureClass = "environment_error"      // the environment is put together wrong (a tool's state type is not its server's)
	FailJudge       FailureClass = "judge_failed"           // a verifier's judge model call failed (NeMo Gym's judge_failsafe)
)

// Known reports whether c is one of the classes above. A client that reads
// a class from a server's error answer keeps only a known one.
func (c FailureClass) Known() bool {
	switch c {
	case FailModel, FailTimeout, FailToolPanic, FailVerifier, FailInvalidRow,
		FailRemote, FailCancelled, FailAgent, FailResources, FailEnvironment, FailJudge:
		return true
	}
	return false
}

// Failure is an error with its class, the stage it happened in ("seed",
// "model", "tool", "verify", ...) and whether retrying may succeed.
type Failure struct {
	Class     FailureClass
	Stage     string
	Retryable bool
	Status    int    // HTTP status, when the failure came from an HTTP answer
	Stack     string // the goroutine stack, for panics
	Message   string // used when Err is nil (a failure read back from a file)
	Err       error

	// Attempt (1-based; 0 for a row that never ran) and Final (no attempt
	// follows) place a failure among the attempts of its rollout, as the
	// Collector writes them to the failures file (_ng_failure_attempt,
	// _ng_failure_final).
	Attempt int
	Final   bool
}

func (f *Failure) Error() string {
	if f.Err != nil {
		return f.Err.Error()
	}
	return f.Message
}

func (f *Failure) Unwrap() error { return f.Err }

// Fail wraps err as a failure of the given class and stage. A nil err gives nil.
// If err already is a Failure it is returned unchanged: the innermost
// classification wins.
func Fail(class FailureClass, stage string, err error) error {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return err
	}
	return &Failure{Class: class, Stage: stage, Err: err, Retryable: class == FailTimeout}
}

// AsFailure returns err's Failure, classifying plain errors: context
// cancellation is FailCancelled, a passed deadline FailTimeout, anything else
// FailAgent.
func AsFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &Failure{Class: FailCancelled, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Failure{Class: FailTimeout, Err: err, Retryable: true}
	}
	return &Failure{Class: FailAgent, Err: err}
}

// PanicError is a recovered panic.
type PanicError struct {
	Value any
	Stack string
	What  string // what panicked ("agent", `tool "f"`, "verifier"), if known
}

func (e *PanicError) Error() string {
	if e.What != "" {
		return fmt.Sprintf("%s panicked: %v", e.What, e.Value)
	}
	return fmt.Sprintf("panic: %v", e.Value)
}
