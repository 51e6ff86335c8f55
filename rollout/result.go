package rollout

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/gymkit/gym/internal/pyjson"
)

// Result is one output row: the input row, the episode's response, the reward
// and the verifier's extra fields, the indices, and — for a failed rollout —
// the error.
type Result struct {
	Task         Task // the input row, unchanged
	TaskIndex    int
	RolloutIndex int
	Agent        string // agent_ref.name of the environment that ran the row

	// ID is the identity of the attempt that produced the result; its
	// Attempt and UID are written as _ng_rollout_attempt and _ng_rollout_uid
	// (when set), next to the indices.
	ID ID

	Response *Response // every output item of every turn, usage summed
	Reward   float64
	Fields   Object             // the verifier's extra fields, in order
	Rewards  map[string]float64 // reward components of multi-objective verifiers

	// Err is non-nil for a failed rollout; Response may then hold what was
	// produced before the failure. Use AsFailure to read its class.
	Err error
}

// Failed reports whether the rollout failed.
func (r *Result) Failed() bool { return r.Err != nil }

// Field returns the raw value of a verifier field.
func (r *Result) Field(name string) (json.RawMessage, bool) { return r.Fields.Get(name) }

// MarshalJSON writes the output row.
func (r *Result) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the output row, in NeMo Gym's layout, to b: the input
// row's fields, then _ng_task_index, _ng_rollout_index, agent_ref, response,
// reward, the verifier fields and reward_components. A failed rollout has no
// reward and carries _ng_failure_* fields instead.
func (r *Result) AppendJSON(b []byte) []byte {
	size := r.Task.size() + r.Fields.size() + 256
	if r.Response != nil {
		size += r.Response.EncodedSize()
	}
	b = slices.Grow(b, size)
	b = append(b, '{')
	n := 0
	sep := func() {
		if n > 0 {
			b = append(b, ',')
		}
		n++
	}
	for _, f := range r.Task.Fields() {
		if r.overrides(f.Name) {
			continue
		}
		sep()
		b = appendKey(b, f.Name)
		b = appendValue(b, f.Value)
	}
	sep()
	b = appendKey(b, KeyTaskIndex)
	b = strconv.AppendInt(b, int64(r.TaskIndex), 10)
	sep()
	b = appendKey(b, KeyRolloutIndex)
	b = strconv.AppendInt(b, int64(r.RolloutIndex), 10)
	if r.ID.Attempt > 0 {
		sep()
		b = appendKey(b, KeyAttempt)
		b = strconv.AppendInt(b, int64(r.ID.Attempt), 10)
	}
	if r.ID.UID != "" {
		sep()
		b = appendKey(b, KeyRolloutUID)
		b = appendString(b, r.ID.UID)
	}
	if r.Agent != "" {
		sep()
		b = appendKey(b, KeyAgentRef)
		b = r.appendAgentRef(b)
	}
	if r.Response != nil {
		sep()
		b = appendKey(b, KeyResponse)
		b = r.Response.AppendJSON(b)
	}
	if r.Err != nil {
		f := AsFailure(r.Err)
		sep()
		b = appendKey(b, KeyFailureClass)
		b = appendString(b, string(f.Class))
		if f.Stage != "" {
			sep()
			b = appendKey(b, KeyFailureStage)
			b = appendString(b, f.Stage)
		}
		sep()
		b = appendKey(b, KeyFailureMessage)
		b = appendString(b, f.Error())
		sep()
		b = appendKey(b, KeyFailureRetryable)
		b = strconv.AppendBool(b, f.Retryable)
		if f.Status != 0 {
			sep()
			b = appendKey(b, KeyFailureStatus)
			b = strconv.AppendInt(b, int64(f.Status), 10)
		}
		if f.Attempt > 0 {
			sep()
			b = appendKey(b, KeyFailureAttempt)
			b = strconv.AppendInt(b, int64(f.Attempt), 10)
		}
		if f.Attempt > 0 || f.Final { // placed among its rollout's attempts
			sep()
			b = appendKey(b, KeyFailureFinal)
			b = strconv.AppendBool(b, f.Final)
		}
		if f.Stack != "" {
			sep()
			b = appendKey(b, KeyFailureStack)
			b = appendString(b, f.Stack)
		}
		return append(b, '}')
	}
	sep()
	b = appendKey(b, KeyReward)
	b = appendFloat(b, r.Reward)
	for _, f := range r.Fields.Fields() {
		if r.writes(f.Name) {
			continue
		}
		sep()
		b = appendKey(b, f.Name)
		b = appendValue(b, f.Value)
	}
	if len(r.Rewards) > 0 {
		sep()
		b = appendKey(b, KeyComponents)
		b = AppendComponents(b, r.Rewards)
	}
	return append(b, '}')
}

// overrides reports whether the output row writes name itself, so the input
// row's value (for example a stale reward of a reverified row) is dropped.
func (r *Result) overrides(name string) bool {
	switch name {
	case KeyTaskIndex, KeyRolloutIndex, KeyResponse, KeyReward, KeyComponents,
		KeyAttempt, KeyRolloutUID, KeyFailureClass, KeyFailureStage, KeyFailureMessage, KeyFailureRetryable,
		KeyFailureStatus, KeyFailureStack, KeyFailureAttempt, KeyFailureFinal:
		return true
	case KeyAgentRef:
		return r.Agent != ""
	}
	// A failed row does not write the verifier fields, so the task's stay.
	return r.Err == nil && r.Fields.Has(name)
}

// writes reports whether a successful row writes name itself (or reserves
// it for failed rows), so a verifier field of that name is not written: a
// row never has a member twice, and never reads back as failed.
func (r *Result) writes(name string) bool {
	switch name {
	case KeyTaskIndex, KeyRolloutIndex, KeyReward, KeyAttempt, KeyRolloutUID,
		KeyFailureClass, KeyFailureStage, KeyFailureMessage, KeyFailureRetryable,
		KeyFailureStatus, KeyFailureStack, KeyFailureAttempt, KeyFailureFinal:
		return true
	case KeyAgentRef:
		return r.Agent != ""
	case KeyResponse:
		return r.Response != nil
	case KeyComponents:
		return len(r.Rewards) > 0
	}
	return false
}

// appendAgentRef appends agent_ref for r.Agent: the row's own agent_ref if it
// names the same agent (NeMo Gym's agents write it in more than one shape,
// {"name": ...} alone for one), else {"type": ..., "name": ...}.
func (r *Result) appendAgentRef(b []byte) []byte {
	if raw, ok := r.Task.Get(KeyAgentRef); ok && r.Task.AgentName() == r.Agent {
		return append(b, raw...)
	}
	return append(b, agentRefJSON(r.Agent)...)
}

// appendFloat writes a float as Python's json module does (float.__repr__):
// the shortest digits that read back the same, in positional notation for
// 1e-4 <= |f| < 1e16 with at least one decimal (1.0, 0.5, 1000000.0) and in
// exponent notation with at least two exponent digits otherwise (1e-07,
// 1.5e+16), so rewards read the same in both ecosystems. NaN and the
// infinities are written as Python writes them.
func appendFloat(b []byte, f float64) []byte { return pyjson.AppendFloat(b, f) }

// ParseResult reads an output row back: the indices, agent, response,
// reward, reward_components and failure fields are taken out; everything
// else (including the verifier fields of the earlier run) stays in Task.
// data is referred to.
func ParseResult(data []byte) (*Result, error) {
	o, err := ParseObject(data)
	if err != nil {
		return nil, err
	}
	r := &Result{Task: Task{Object: o}}
	if err := r.Task.Decode(KeyTaskIndex, &r.TaskIndex); err != nil {
		return nil, err
	}
	if err := r.Task.Decode(KeyRolloutIndex, &r.RolloutIndex); err != nil {
		return nil, err
	}
	r.Agent = r.Task.AgentName()
	r.ID = ID{Task: r.TaskIndex, Rollout: r.RolloutIndex}
	if err := r.Task.Decode(KeyAttempt, &r.ID.Attempt); err != nil {
		return nil, err
	}
	r.ID.UID = r.Task.String(KeyRolloutUID)
	if r.ID.Attempt == 0 && r.ID.UID == "" {
		r.ID = ID{} // a row without an identity (NeMo Gym's)
	}
	if raw, ok := r.Task.Get(KeyResponse); ok && string(raw) != "null" {
		resp, err := parseResponse(raw, false) // validated with the row
		if err != nil {
			return nil, err
		}
		r.Response = resp
	}
	if raw, ok := r.Task.Get(KeyReward); ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &r.Reward); err != nil {
			return nil, fmt.Errorf("field %q: %w", KeyReward, err)
		}
	}
	if err := r.Task.Decode(KeyComponents, &r.Rewards); err != nil {
		return nil, err
	}
	if raw, ok := r.Task.Get(KeyFailureClass); ok {
		f := &Failure{}
		_ = json.Unmarshal(raw, &f.Class)
		f.Stage = r.Task.String(KeyFailureStage)
		f.Message = r.Task.String(KeyFailureMessage)
		_ = r.Task.Decode(KeyFailureRetryable, &f.Retryable)
		_ = r.Task.Decode(KeyFailureStatus, &f.Status)
		f.Stack = r.Task.String(KeyFailureStack)
		_ = r.Task.Decode(KeyFailureAttempt, &f.Attempt)
		_ = r.Task.Decode(KeyFailureFinal, &f.Final)
		r.Err = f
	}
	for _, k := range []string{KeyTaskIndex, KeyRolloutIndex, KeyAttempt, KeyRolloutUID, KeyResponse, KeyReward, KeyComponents,
		KeyFailureClass, KeyFailureStage, KeyFailureMessage, KeyFailureRetryable, KeyFailureStatus, KeyFailureStack,
		KeyFailureAttempt, KeyFailureFinal} {
		r.Task.Delete(k)
	}
	return r, nil
}

// Group is the complete set of rollouts of one task (num_repeats results),
// as GRPO-style trainers consume them.
type Group struct {
	TaskIndex int
	Agent     string
	Results   []*Result // ordered by RolloutIndex
}

// MeanReward returns the mean reward of the group's successful rollouts.
func (g *Group) MeanReward() float64 {
	var sum float64
	n := 0
	for _, r := range g.Results {
		if r.Err == nil {
			sum += r.Reward
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// CheckRewards returns an error naming the first reward or reward
// component that is NaN or infinite, which no trainer can use and JSON
// cannot carry; nil when every one is finite.
func CheckRewards(reward float64, components map[string]float64) error {
	if math.IsNaN(reward) || math.IsInf(reward, 0) {
		return fmt.Errorf("non-finite reward (%v), which JSON cannot carry", reward)
	}
	names := make([]string, 0, len(components))
	for k, c := range components {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			names = append(names, k)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		return fmt.Errorf("non-finite reward component %q (%v), which JSON cannot carry", names[0], components[names[0]])
	}
	return nil
}

// AppendComponents appends reward components as the reward_components
// object of an output row: names sorted, values written as Python writes
// floats.
func AppendComponents(b []byte, components map[string]float64) []byte {
	names := make([]string, 0, len(components))
	for k := range components {
		names = append(names, k)
	}
	slices.Sort(names)
	b = append(b, '{')
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, k)
		b = appendFloat(b, components[k])
	}
	return append(b, '}')
}
