package gym_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// A non-finite number anywhere in a verdict makes the rollout a verifier
// failure, and every line written — output and failures — is JSON that the
// project's own reader takes back.
func TestEveryLineWrittenIsJSON(t *testing.T) {
	say := model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
	})
	verdicts := map[string]func() *verifier.Verdict{
		"nan_reward": func() *verifier.Verdict { return verifier.Reward(math.NaN()) },
		"inf_component": func() *verifier.Verdict {
			return &verifier.Verdict{Reward: 1, Components: map[string]float64{"a": math.Inf(1)}}
		},
		"nan_field":   func() *verifier.Verdict { return verifier.Reward(1).Set("score", math.NaN()) },
		"nan_in_list": func() *verifier.Verdict { return verifier.Reward(1).Set("scores", []float64{1, math.Inf(-1)}) },
		"fine":        func() *verifier.Verdict { return verifier.Reward(1).Set("score", 0.5) },
	}
	var reg gym.Registry
	var tasks []gym.Task
	for name, v := range verdicts {
		require.NoError(t, reg.Register(name, gym.Environment{Model: say, Resources: env.NewServer(),
			Verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return v(), nil })}))
		tasks = append(tasks, row(t, name, name))
	}
	// An agent of its own that skips verifier.Run's check.
	require.NoError(t, reg.Register("custom", gym.Environment{Agent: agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) {
		return &rollout.Result{Reward: math.Inf(1)}, nil
	})}))
	tasks = append(tasks, row(t, "custom", "custom"))

	var out, failures bytes.Buffer
	c := gym.Collector{Registry: &reg, Output: &out, Failures: &failures}
	failed := map[string]string{}
	for _, res := range collectAll(t, &c, gym.FromSlice(tasks)) {
		if res.Err != nil {
			f := rollout.AsFailure(res.Err)
			require.Equal(t, rollout.FailVerifier, f.Class, res.Agent)
			failed[res.Agent] = f.Error()
		}
	}
	require.Len(t, failed, 5)
	require.Contains(t, failed["nan_reward"], "non-finite reward (NaN)")
	require.Contains(t, failed["inf_component"], `non-finite reward component "a" (+Inf)`)
	require.Contains(t, failed["nan_field"], `field "score" is NaN`)
	require.Contains(t, failed["nan_in_list"], `field "scores"`)
	require.Contains(t, failed["custom"], "non-finite reward (+Inf)")

	for _, buf := range []*bytes.Buffer{&out, &failures} {
		n := 0
		for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
			require.True(t, json.Valid(line), "%s", line)
			n++
		}
		for _, err := range rollout.ReadResults(bytes.NewReader(buf.Bytes()), "") {
			require.NoError(t, err)
		}
		require.Positive(t, n)
	}
}
