package model

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/gymkit/gym/rollout"
)

// Model is a policy model behind the OpenAI Responses API: one call takes
// the whole conversation so far and returns the model's output items. A
// Model is stateless across calls and safe for concurrent use.
type Model interface {
	Respond(ctx context.Context, req *Request) (*rollout.Response, error)
}

// Func adapts a function to a Model.
type Func func(ctx context.Context, req *Request) (*rollout.Response, error)

// Respond calls f.
func (f Func) Respond(ctx context.Context, req *Request) (*rollout.Response, error) {
	return f(ctx, req)
}

// Request is one Responses API call: the create parameters of the row
// (tools, temperature, ... — everything but input, which is ignored there)
// and the full input: the row's input followed by every item produced so
// far in the rollout.
type Request struct {
	Params rollout.Params
	Input  []rollout.Item

	// ID is the identity of the rollout attempt the call belongs to (the
	// zero ID outside a collection). A client with several endpoints sends
	// every call of one attempt to the same server (ID.Endpoint, prefix
	// caching); a scripted policy can tell rollouts apart by it. It is not
	// sent.
	ID rollout.ID
}

// AppendJSON appends the Responses create body: Params with input replaced
// by Input.
func (r *Request) AppendJSON(b []byte) []byte {
	size := r.Params.EncodedSize() + 16
	for _, it := range r.Input {
		size += it.EncodedSize() + 1
	}
	b = slices.Grow(b, size)
	b = append(b, '{')
	n := 0
	for _, f := range r.Params.Fields() {
		if f.Name == "input" {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, rollout.Quote(f.Name)...) // a JSON string: strconv.Quote is Go syntax
		b = append(b, ':')
		b = append(b, f.Value...)
	}
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `"input":[`...)
	for i, it := range r.Input {
		if i > 0 {
			b = append(b, ',')
		}
		b = it.AppendJSON(b)
	}
	return append(b, ']', '}')
}

// MarshalJSON returns the Responses create body.
func (r *Request) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

var responseSeq atomic.Uint64

// NewResponse returns a completed Response object around output, with an id,
// as a Responses API server would return it.
func NewResponse(output ...rollout.Item) *rollout.Response {
	id := make([]byte, 0, 24)
	id = append(id, `"resp_`...)
	id = strconv.AppendUint(id, responseSeq.Add(1), 16)
	id = append(id, '"')
	r := &rollout.Response{Output: output}
	r.Grow(4)
	r.Set("id", id)
	r.Set("object", json.RawMessage(`"response"`))
	r.Set("status", json.RawMessage(`"completed"`))
	r.Set("output", nil)
	return r
}

// Replay returns a Model that plays back the model turns of a recorded
// episode: the output of a recorded response, in which every run of
// function_call_output items ends one model call. Call k of a rollout (k =
// the number of runs of function_call_output items answering recorded
// function calls in the request's input, so that tool outputs already in
// the row's own input do not count) returns turn k. It is stateless, so one
// Replay serves any number of concurrent rollouts of the same episode.
func Replay(recorded []rollout.Item) Model {
	turns := SplitTurns(recorded)
	calls := make(map[string]bool)
	for _, it := range recorded {
		if it.Type() == rollout.TypeFunctionCall {
			calls[it.CallID()] = true
		}
	}
	return Func(func(ctx context.Context, req *Request) (*rollout.Response, error) {
		k := countOutputRuns(req.Input, calls)
		if k >= len(turns) {
			return nil, fmt.Errorf("model: replay: call %d asked, the recording has %d model turns", k+1, len(turns))
		}
		// Copies: the caller may change its response, and the turns are
		// shared by every rollout.
		output := make([]rollout.Item, len(turns[k]))
		for i, it := range turns[k] {
			output[i] = it.Clone()
		}
		return NewResponse(output...), nil
	})
}

// SplitTurns splits the output of a finished episode into the output of each
// model call: the items between runs of function_call_output items.
func SplitTurns(output []rollout.Item) [][]rollout.Item {
	var turns [][]rollout.Item
	var cur []rollout.Item
	prevOutput := false
	for _, it := range output {
		isOut := it.Type() == rollout.TypeFunctionCallOutput
		if isOut {
			if !prevOutput && cur != nil {
				turns = append(turns, cur)
				cur = nil
			}
		} else {
			cur = append(cur, it)
		}
		prevOutput = isOut
	}
	if cur != nil {
		turns = append(turns, cur)
	}
	return turns
}

// countOutputRuns counts the runs of function_call_output items that answer
// one of calls.
func countOutputRuns(items []rollout.Item, calls map[string]bool) int {
	n := 0
	prev := false
	for _, it := range items {
		isOut := it.Type() == rollout.TypeFunctionCallOutput && calls[it.CallID()]
		if isOut && !prev {
			n++
		}
		prev = isOut
	}
	return n
}
