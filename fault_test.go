package gym_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// collectMultistep collects 5 rows × repeats of the synonym environment with
// the scripted policy behind srv.
func collectMultistep(t *testing.T, srv *gymtest.Server, repeats int, failures *strings.Builder) map[[2]int]*gym.Result {
	t.Helper()
	m, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "fake", MaxRetries: 2, HTTPClient: srv.Client()})
	require.NoError(t, err)
	e := multistep.Environment(m)
	e.ModelTimeout = 500 * time.Millisecond // a hung server cannot hang the run
	var reg gym.Registry
	require.NoError(t, reg.Register(multistep.AgentName, e))
	c := gym.Collector{Registry: &reg, DefaultAgent: multistep.AgentName, NumRepeats: repeats,
		Concurrency: 16, MaxAttempts: 4, RetryBackoff: time.Millisecond, Failures: failures}
	out := map[[2]int]*gym.Result{}
	for res, err := range c.Collect(context.Background(), gym.FromFile("testdata/multistep.jsonl")) {
		require.NoError(t, err)
		out[[2]int{res.TaskIndex, res.RolloutIndex}] = res
	}
	return out
}

// A fault test: 429, 500, connection resets, hangs and malformed JSON at 10 %
// each. The run completes, every failure is classified, and every success is
// exactly what a run without faults produces.
func TestFaultInjection(t *testing.T) {
	clean := gymtest.NewServer(gymtest.Policy(multistep.Policy()))
	defer clean.Close()
	want := collectMultistep(t, clean, 4, &strings.Builder{})
	require.Len(t, want, 20)

	faulty := gymtest.NewServer(gymtest.Policy(multistep.Policy()), gymtest.WithFaults(0.5, 7,
		gymtest.RateLimited(0), gymtest.ServerError(), gymtest.Reset(), gymtest.Hang(), gymtest.Malformed()))
	defer faulty.Close()
	var failures strings.Builder
	got := collectMultistep(t, faulty, 4, &failures)
	require.Len(t, got, 20, "every rollout comes back")

	ok, failed := 0, 0
	for key, res := range got {
		if res.Err != nil {
			failed++
			f := rollout.AsFailure(res.Err)
			require.Contains(t, []rollout.FailureClass{rollout.FailModel, rollout.FailTimeout}, f.Class, "%v", res.Err)
			require.NotEmpty(t, f.Error())
			continue
		}
		ok++
		w := want[key]
		require.NoError(t, w.Err)
		require.Equal(t, w.Reward, res.Reward, "task %v", key)
		require.Equal(t, outputsOf(w), outputsOf(res), "task %v", key)
	}
	require.Positive(t, ok)
	t.Logf("%d succeeded, %d failed; %d failed attempts recorded; %d requests", ok, failed,
		strings.Count(failures.String(), "\n"), len(faulty.Requests()))
	// Every failed attempt is in the failures file, with its class.
	for line := range strings.Lines(failures.String()) {
		r, err := rollout.ParseResult([]byte(line))
		require.NoError(t, err)
		var f *rollout.Failure
		require.True(t, errors.As(r.Err, &f))
		require.NotEmpty(t, f.Class)
	}
	require.GreaterOrEqual(t, strings.Count(failures.String(), "\n"), failed)
}

// outputsOf is what a rollout produced, without the ids a server makes up.
func outputsOf(r *gym.Result) []string {
	var out []string
	for _, it := range r.Response.Output {
		switch it.Type() {
		case rollout.TypeFunctionCall:
			out = append(out, fmt.Sprintf("call %s(%s)", it.Name(), it.Arguments()))
		case rollout.TypeFunctionCallOutput:
			out = append(out, "output "+it.Output())
		default:
			out = append(out, it.Type()+" "+it.Text())
		}
	}
	return out
}
