package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/rollout"
)

// Verifier turns a finished rollout into a reward. It must be safe for
// concurrent use.
type Verifier interface {
	Verify(ctx context.Context, req *Request) (*Verdict, error)
}

// Func adapts a function to a Verifier.
type Func func(ctx context.Context, req *Request) (*Verdict, error)

// Verify calls f.
func (f Func) Verify(ctx context.Context, req *Request) (*Verdict, error) { return f(ctx, req) }

// Request is what a verifier judges: the dataset row, the episode's
// response, and the rollout's session.
type Request struct {
	Task     rollout.Task
	Response *rollout.Response

	// Session is the rollout's env.Session, still open, for checks on the
	// environment's state (env.StateOf reads a Server session's state). It
	// is nil when verifying stored rollouts again.
	Session any

	// ID is the identity of the rollout attempt (the zero ID when verifying
	// stored rollouts again without one).
	ID rollout.ID
}

// Verdict is a verifier's judgement.
type Verdict struct {
	Reward float64

	// Fields are extra named results written next to reward in the output
	// row (accuracy, parsed answers, ...), in the order they were set.
	Fields rollout.Object

	// Components are the parts of a multi-objective reward, written as
	// reward_components.
	Components map[string]float64

	err error // the first field Set could not encode
}

// Reward returns a Verdict with only a reward.
func Reward(r float64) *Verdict { return &Verdict{Reward: r} }

// Set adds a named field to the verdict; value is encoded with encoding/json
// (without HTML escaping, as Python writes "<b>"; a float64 as Python writes
// it, 1.0). It returns the verdict for
// chaining. A value JSON cannot carry — NaN or an infinity, anywhere in it,
// or a type encoding/json refuses — is not set: it makes the verdict a
// verifier failure (see Run) whose message names the field.
func (v *Verdict) Set(name string, value any) *Verdict {
	switch f := value.(type) {
	case float64:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			v.fail(fmt.Errorf("field %q is %v, which JSON cannot carry", name, f))
			return v
		}
		v.Fields.Set(name, rollout.Float(f))
		return v
	case float32:
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			v.fail(fmt.Errorf("field %q is %v, which JSON cannot carry", name, f))
			return v
		}
		// Widen through the shortest decimal that round-trips as a float32,
		// so float32(0.1) is written 0.1, not 0.10000000149011612.
		f64, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
		v.Fields.Set(name, rollout.Float(f64))
		return v
	}
	if err := v.Fields.SetValue(name, value); err != nil {
		v.fail(err) // err names the field
	}
	return v
}

func (v *Verdict) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// Err returns the first problem Set met (a value JSON cannot carry), or nil.
func (v *Verdict) Err() error { return v.err }

// Field decodes the named field into dst.
func (v *Verdict) Field(name string, dst any) error {
	raw, ok := v.Fields.Get(name)
	if !ok {
		return fmt.Errorf("verifier: no field %q", name)
	}
	return json.Unmarshal(raw, dst)
}

// Run runs v on req as an agent does, and returns the verdict or a
// *rollout.Failure of stage "verify": a panic (with its stack), an error
// or no verdict is FailVerifier, unless ctx's deadline passed (FailTimeout,
// retryable) or ctx was cancelled (FailCancelled); a Failure v returns is
// kept as it is. A verdict whose reward, a component or a field is NaN or
// infinite (or a field Set could not encode) is FailVerifier too: it is no
// number a trainer can use, nor valid JSON. A
// nil v gives every rollout the verdict reward 0.
func Run(ctx context.Context, v Verifier, req *Request) (verdict *Verdict, err error) {
	if v == nil {
		return &Verdict{}, nil
	}
	defer func() {
		if p := recover(); p != nil {
			verdict, err = nil, failure.Panic(rollout.FailVerifier, "verify", "verifier", p)
		}
	}()
	verdict, err = v.Verify(ctx, req)
	if err != nil {
		return nil, failure.Of(ctx, rollout.FailVerifier, "verify", fmt.Errorf("verify: %w", err))
	}
	if verdict == nil {
		return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: errors.New("verify: the verifier returned no verdict")}
	}
	if err := verdict.Err(); err != nil {
		return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: fmt.Errorf("verify: %w", err)}
	}
	if err := rollout.CheckRewards(verdict.Reward, verdict.Components); err != nil {
		return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: fmt.Errorf("verify: %w", err)}
	}
	return verdict, nil
}

// Constant returns a Verifier that gives every rollout the same reward.
func Constant(reward float64) Verifier {
	return Func(func(context.Context, *Request) (*Verdict, error) { return Reward(reward), nil })
}

// LastCall returns the last function_call item in output that called the
// tool name, and whether there is one.
func LastCall(output []rollout.Item, name string) (rollout.Item, bool) {
	for _, it := range slices.Backward(output) {
		if it.Type() == rollout.TypeFunctionCall && it.Name() == name {
			return it, true
		}
	}
	return rollout.Item{}, false
}

// LastMessage returns the text of the last assistant message in output.
func LastMessage(output []rollout.Item) string {
	for _, it := range slices.Backward(output) {
		if it.Type() == rollout.TypeMessage && it.Role() == "assistant" {
			return it.Text()
		}
	}
	return ""
}
