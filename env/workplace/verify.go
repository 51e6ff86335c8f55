package workplace

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Action is a tool call to replay: a function_call of the episode or an
// entry of the row's ground_truth.
type Action struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// NewVerifier returns NeMo Gym's state-comparison verifier: the episode's
// function calls and the row's ground_truth calls are each replayed on a
// fresh workplace, and the reward is 1.0 iff the two end states are equal
// (calendar, emails, plots, tasks and customers; strings compared
// case-insensitively except status, list_name and board), 0.0 otherwise.
//
// The row must have ground_truth (a list of {"name", "arguments"} objects,
// or a string, which replays nothing), id (an integer), category and
// environment_name; a missing or mistyped one fails the rollout as an
// invalid row naming the field.
func NewVerifier() verifier.Verifier {
	return verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		truth, err := TaskActions(req.Task)
		if err != nil {
			return nil, err
		}
		var predicted []Action
		if req.Response != nil {
			for _, it := range req.Response.Output {
				if it.Type() == rollout.TypeFunctionCall {
					predicted = append(predicted, Action{Name: it.Name(), Arguments: it.Arguments()})
				}
			}
		}
		ok, err := SameOutcome(predicted, truth)
		if err != nil {
			return nil, err
		}
		v := verifier.Reward(0.0)
		if ok {
			v = verifier.Reward(1.0)
		}
		// NeMo Gym echoes the request as pydantic validated it: an id
		// given as "7", 7.0 or true comes back as the int.
		if raw, _ := req.Task.Get("id"); !isJSONInt(raw) {
			if n, err := taskID(req.Task); err == nil {
				v.Set("id", n)
			}
		}
		return v, nil
	})
}

func invalidRow(t rollout.Task, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if path, line := t.Source(); path != "" {
		msg = fmt.Sprintf("%s:%d: %s", path, line, msg)
	}
	return &rollout.Failure{Class: rollout.FailInvalidRow, Stage: "verify", Err: fmt.Errorf("workplace: %s", msg)}
}

// TaskActions reads and checks the fields NeMo Gym's verify request
// declares (ground_truth, id, category, environment_name) and returns the
// ground truth actions.
func TaskActions(t rollout.Task) ([]Action, error) {
	for _, f := range []string{"ground_truth", "id", "category", "environment_name"} {
		if !t.Has(f) {
			return nil, invalidRow(t, "row has no %q field", f)
		}
	}
	if _, err := taskID(t); err != nil {
		return nil, err
	}
	for _, f := range []string{"category", "environment_name"} {
		var s string
		if err := t.Decode(f, &s); err != nil {
			return nil, invalidRow(t, "field %q is not a string", f)
		}
	}
	return groundTruth(t)
}

func isJSONInt(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c >= '0' && c <= '9') && !(i == 0 && c == '-') {
			return false
		}
	}
	return true
}

// taskID is the row's id as pydantic's lax int reads it.
func taskID(t rollout.Task) (int64, error) {
	var id json.Number
	if err := t.Decode("id", &id); err != nil {
		// pydantic's lax int also takes an integer string and a bool.
		var s string
		var b bool
		switch {
		case t.Decode("id", &s) == nil:
			id = json.Number(strings.TrimSpace(s))
		case t.Decode("id", &b) == nil:
			id = "0"
			if b {
				id = "1"
			}
		default:
			return 0, invalidRow(t, `field "id" is not an integer`)
		}
	}
	if n, err := id.Int64(); err == nil {
		return n, nil
	}
	// pydantic's lax int also takes a float with no fractional part.
	if f, err := id.Float64(); err == nil && f == float64(int64(f)) {
		return int64(f), nil
	}
	return 0, invalidRow(t, `field "id" is not an integer: %s`, id)
}

func groundTruth(t rollout.Task) ([]Action, error) {
	raw, _ := t.Get("ground_truth")
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return nil, nil // a string: iterating it replays nothing
	}
	var list []map[string]string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalidRow(t, `field "ground_truth" is neither a list of {"name", "arguments"} string objects nor a string`)
	}
	actions := make([]Action, 0, len(list))
	for _, m := range list {
		name, okN := m["name"]
		args, okA := m["arguments"]
		if !okN || !okA {
			// NeMo Gym's replay skips an action it cannot run.
			actions = append(actions, Action{Name: "\x00", Arguments: ""})
			continue
		}
		actions = append(actions, Action{Name: name, Arguments: args})
	}
	return actions, nil
}

// SameOutcome replays both lists of actions on fresh workplaces and
// reports whether they end in the same state, as NeMo Gym's is_correct
// does. An action that fails (unknown tool, arguments that are not a JSON
// object, an exception) is skipped, as NeMo Gym skips it.
func SameOutcome(predicted, truth []Action) (bool, error) {
	init, err := initial()
	if err != nil {
		return false, err
	}
	return sameOutcome(init, predicted, truth), nil
}

func sameOutcome(init *state, predicted, truth []Action) bool {
	return replay(init, predicted).equal(replay(init, truth))
}

// replay is execute_actions_and_reset_state: the actions' arguments are
// passed as they are (null included), unlike a tool call's.
func replay(init *state, actions []Action) *state {
	st := *init
	for _, act := range actions {
		m, ok := methods[act.Name]
		if !ok {
			continue
		}
		v, err := decodeJSON([]byte(act.Arguments))
		if err != nil {
			continue
		}
		kwargs, ok := v.(*dict)
		if !ok {
			continue
		}
		a, err := m.bind(kwargs)
		if err != nil {
			continue
		}
		_, _ = try(func() (any, error) { return m.call(&st, a) })
	}
	return &st
}

// caseSensitive are the columns the verifier does not lower-case.
var caseSensitive = []string{"status", "list_name", "board"}

// equal compares two end states as is_correct does.
func (st *state) equal(o *state) bool {
	return equalLowered(st.calendar, o.calendar, caseSensitive) &&
		equalLowered(st.emails, o.emails, caseSensitive) &&
		equalLowered(st.plots, o.plots, caseSensitive) &&
		equalLowered(st.tasks, o.tasks, caseSensitive) &&
		equalLowered(st.crm, o.crm, caseSensitive)
}
