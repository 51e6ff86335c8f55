package gymtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// ReplayConfig says what Replay replays.
type ReplayConfig struct {
	// Rollouts is a NeMo Gym rollouts JSONL file recorded with a real model.
	Rollouts string

	// Dataset, if set, is the dataset JSONL the rollouts were collected
	// from. Recorded rows may lack task fields (NeMo Gym's verify drops the
	// fields a server does not declare); each recorded row is completed
	// with the fields of the dataset row that has the same input.
	Dataset string

	// Environment builds the environment under test around a model.
	Environment func(model.Model) gym.Environment

	// Fields are the verifier fields to compare, reward included if named.
	Fields []string
}

// Replay replays the rollouts recorded in a NeMo Gym rollouts JSONL file
// through an environment and reports every difference from the recording.
//
// For each recorded row, the model outputs of every turn are played back
// (model.Replay) through the tool loop of the environment, so its tools
// answer the recorded function calls and its verifier judges the recorded
// episode. The tool outputs must equal the recorded function_call_output
// items, and each named verifier field must be JSON-equal to the recorded
// one. The fields are removed from the row before it is replayed, so a
// verifier that does not produce one is reported.
//
// It returns one line per difference; none means the environment
// reproduces the recording.
func Replay(ctx context.Context, cfg ReplayConfig) ([]string, error) {
	path, fields, newEnv := cfg.Rollouts, cfg.Fields, cfg.Environment
	var dataset *rollout.InputIndex
	if cfg.Dataset != "" {
		var err error
		if dataset, err = rollout.IndexByInput(rollout.ReadTasksFile(cfg.Dataset)); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var diffs []string
	n := 0
	for rec, err := range rollout.ReadResults(f, path) {
		if err != nil {
			return diffs, err
		}
		n++
		row := fmt.Sprintf("%s row %d", path, n)
		if rec.Response == nil {
			diffs = append(diffs, row+": no recorded response")
			continue
		}
		recorded, err := rowFields(rec)
		if err != nil {
			return diffs, fmt.Errorf("%s: %w", row, err)
		}
		task := rollout.Task{Object: rec.Task.Clone()}
		if dataset != nil {
			var found bool
			if task, found, err = dataset.Complete(task); err != nil {
				return diffs, fmt.Errorf("%s: %w", row, err)
			}
			if !found {
				diffs = append(diffs, fmt.Sprintf("%s: no row of %s has the same input", row, cfg.Dataset))
				continue
			}
		}
		for _, name := range fields {
			task.Delete(name)
		}
		task.Delete(rollout.KeyAgentRef)

		var reg gym.Registry
		if err := reg.Register("replay", newEnv(model.Replay(rec.Response.Output))); err != nil {
			return diffs, err
		}
		c := gym.Collector{Registry: &reg, DefaultAgent: "replay"}
		var got *rollout.Result
		for res, err := range c.Collect(ctx, gym.FromSlice([]rollout.Task{task})) {
			if err != nil {
				return diffs, err
			}
			got = res
		}
		if got == nil {
			return diffs, fmt.Errorf("%s: no result", row)
		}
		if got.Err != nil {
			diffs = append(diffs, fmt.Sprintf("%s: rollout failed: %v", row, got.Err))
			continue
		}
		diffs = append(diffs, diffOutputs(row, rec.Response.Output, got.Response.Output)...)
		produced, err := rowFields(got)
		if err != nil {
			return diffs, err
		}
		for _, name := range fields {
			want, ok := recorded[name]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: the recording has no field %q", row, name))
				continue
			}
			have, ok := produced[name]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: the verifier produced no %q (recorded %s)", row, name, want))
				continue
			}
			if !JSONEqual(want, have) {
				diffs = append(diffs, fmt.Sprintf("%s: field %q is %s, recorded %s", row, name, have, want))
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no recorded rollouts", path)
	}
	return diffs, nil
}

func rowFields(r *rollout.Result) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	err := json.Unmarshal(r.AppendJSON(nil), &m)
	return m, err
}

// diffOutputs compares a replayed episode with the recorded one: same items
// in the same order, the model's replayed verbatim and every tool output
// equal to the recorded text.
func diffOutputs(row string, want, got []rollout.Item) []string {
	var diffs []string
	if len(want) != len(got) {
		diffs = append(diffs, fmt.Sprintf("%s: %d output items, recorded %d", row, len(got), len(want)))
	}
	for i := range min(len(want), len(got)) {
		w, g := want[i], got[i]
		if w.Type() != g.Type() {
			diffs = append(diffs, fmt.Sprintf("%s: output[%d] is a %s, recorded a %s", row, i, g.Type(), w.Type()))
			continue
		}
		if w.Type() != rollout.TypeFunctionCallOutput {
			continue
		}
		if g.CallID() != w.CallID() {
			diffs = append(diffs, fmt.Sprintf("%s: output[%d] answers call %q, recorded %q", row, i, g.CallID(), w.CallID()))
		}
		if g.Output() != w.Output() {
			diffs = append(diffs, fmt.Sprintf("%s: output[%d] (call %s) is %q, recorded %q", row, i, w.CallID(), g.Output(), w.Output()))
		}
	}
	return diffs
}

// JSONEqual reports whether two JSON documents are equal as values: object
// member order and number spelling (1 and 1.0) do not matter.
func JSONEqual(a, b []byte) bool {
	var va, vb any
	da := json.NewDecoder(bytes.NewReader(a))
	db := json.NewDecoder(bytes.NewReader(b))
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
