package rollout_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

// Endpoint follows NeMo Gym's vllm_model: the first 8 bytes of the SHA-256
// of the session key, big-endian, modulo the number of endpoints (values
// computed with Python's hashlib).
func TestIDEndpoint(t *testing.T) {
	tests := []struct {
		id   rollout.ID
		key  string
		want []int // for 2, 3, 5, 7 endpoints
	}{
		{rollout.ID{Task: 9, Rollout: 9, Attempt: 1, UID: "abc"}, "abc", []int{0, 0, 4, 2}},
		{rollout.ID{UID: "0123456789abcdef0123456789abcdef"}, "0123456789abcdef0123456789abcdef", []int{0, 1, 2, 2}},
		{rollout.ID{Task: 3, Rollout: 2, Attempt: 1}, "3-2", []int{1, 2, 1, 3}},    // NeMo Gym's rollout id
		{rollout.ID{Task: 3, Rollout: 2, Attempt: 2}, "3-2-a1", []int{0, 0, 1, 3}}, // its first re-dispatch
	}
	for _, tt := range tests {
		require.Equal(t, tt.key, tt.id.SessionKey())
		for i, n := range []int{2, 3, 5, 7} {
			require.Equal(t, tt.want[i], tt.id.Endpoint(n), "%v of %d", tt.id, n)
		}
		require.Zero(t, tt.id.Endpoint(1))
	}
	require.Equal(t, -1, rollout.ID{}.Endpoint(2), "no identity: the caller spreads the call")
	require.Empty(t, rollout.ID{}.SessionKey())
}

func TestNewID(t *testing.T) {
	a, b := rollout.NewID(1, 2, 3), rollout.NewID(1, 2, 3)
	require.Equal(t, [3]int{1, 2, 3}, [3]int{a.Task, a.Rollout, a.Attempt})
	require.Len(t, a.UID, 32)
	require.NotEqual(t, a.UID, b.UID)
	require.False(t, a.IsZero())
	require.True(t, rollout.ID{}.IsZero())
	require.Equal(t, "task 1 rollout 2 attempt 3 ("+a.UID+")", a.String())

	ctx := rollout.WithID(context.Background(), a)
	got, ok := rollout.IDFrom(ctx)
	require.True(t, ok)
	require.Equal(t, a, got)
	_, ok = rollout.IDFrom(context.Background())
	require.False(t, ok)
}

// A row records the identity under keys of its own, next to NeMo Gym's
// indices, and reads it back; NeMo Gym's own _ng_attempt_index and
// _ng_rollout_id ride along untouched.
func TestIDInRows(t *testing.T) {
	id := rollout.ID{Task: 4, Rollout: 1, Attempt: 2, UID: "u1"}
	task := mustTask(t, `{"responses_create_params":{"input":"hi"},"_ng_attempt_index":0,"_ng_rollout_id":"s7-3-2"}`)
	require.True(t, task.RolloutID().IsZero())
	stamped := task.WithRolloutID(id)
	require.Equal(t, id, stamped.RolloutID())
	require.False(t, task.Has(rollout.KeyAttempt), "the row itself is not changed")

	for _, failed := range []bool{false, true} {
		res := &rollout.Result{Task: task, TaskIndex: 4, RolloutIndex: 1, Agent: "a", ID: id, Reward: 1}
		if failed {
			res.Err = rollout.Fail(rollout.FailModel, "model", fmt.Errorf("boom"))
		}
		line := string(res.AppendJSON(nil))
		require.Contains(t, line, `"_ng_task_index":4,"_ng_rollout_index":1,"_ng_rollout_attempt":2,"_ng_rollout_uid":"u1"`)
		require.Contains(t, line, `"_ng_attempt_index":0,"_ng_rollout_id":"s7-3-2"`)
		back, err := rollout.ParseResult([]byte(line))
		require.NoError(t, err)
		require.Equal(t, id, back.ID)
		require.False(t, back.Task.Has(rollout.KeyAttempt))
		require.False(t, back.Task.Has(rollout.KeyRolloutUID))
		require.True(t, back.Task.Has("_ng_rollout_id"))
		// Written again, the identity is there once.
		again := string(back.AppendJSON(nil))
		require.Equal(t, 1, strings.Count(again, rollout.KeyRolloutUID), again)
		require.Contains(t, again, `"_ng_rollout_attempt":2,"_ng_rollout_uid":"u1"`)
	}

	// A stale identity in the input row is replaced by the result's.
	res := &rollout.Result{Task: stamped, TaskIndex: 4, RolloutIndex: 1, ID: rollout.ID{Task: 4, Rollout: 1, Attempt: 3, UID: "u2"}}
	line := string(res.AppendJSON(nil))
	require.NotContains(t, line, `"u1"`)
	require.Contains(t, line, `"_ng_rollout_attempt":3,"_ng_rollout_uid":"u2"`)

	// A row of NeMo Gym's has no identity.
	back, err := rollout.ParseResult([]byte(`{"_ng_task_index":1,"_ng_rollout_index":0,"reward":1.0}`))
	require.NoError(t, err)
	require.True(t, back.ID.IsZero())
}
