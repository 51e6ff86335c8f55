package verifier

import (
	"fmt"

	"github.com/gymkit/gym/rollout"
)

// FieldError is a dataset row whose task field a verifier needs is
// missing or malformed.
type FieldError struct {
	Field string // the field, such as "expected_answer" or "template_metadata.output_regex"
	Err   error  // what is wrong with it
}

func (e *FieldError) Error() string { return fmt.Sprintf("row field %q: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// ErrMissing is the Err of a FieldError for a field the row lacks.
var ErrMissing = fmt.Errorf("missing")

// InvalidField returns the failure for task's field: a *rollout.Failure of
// class invalid row (stage "verify") wrapping a *FieldError, and, when the
// row was read from a file, a *rollout.LineError naming its line.
func InvalidField(task rollout.Task, field string, err error) error {
	var e error = &FieldError{Field: field, Err: err}
	if path, line := task.Source(); line > 0 {
		e = &rollout.LineError{Path: path, Line: line, Err: e}
	}
	return &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "verify", Err: e}
}
