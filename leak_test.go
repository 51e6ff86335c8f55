package gym_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// No goroutine outlives Collect or CollectGroups, however the caller's loop
// body leaves: a panic, runtime.Goexit (what t.FailNow calls), a break or a
// return, with thousands of rollouts in flight.
func TestCollectLeavesNoGoroutine(t *testing.T) {
	var waiting atomic.Int64
	slow := gym.Environment{
		Model: model.Func(func(ctx context.Context, _ *model.Request) (*rollout.Response, error) {
			waiting.Add(1)
			defer waiting.Add(-1)
			<-ctx.Done() // every rollout but the first waits until cancelled
			return nil, ctx.Err()
		}),
		Resources: env.NewServer(),
		Verifier:  verifier.Constant(1),
	}
	var reg gym.Registry
	require.NoError(t, reg.Register("slow", slow))
	require.NoError(t, reg.Register("fast", echoEnv(1)))
	tasks := []gym.Task{row(t, "fast", "first")}
	for i := range 3000 {
		tasks = append(tasks, row(t, "slow", fmt.Sprint(i)))
	}
	c := gym.Collector{Registry: &reg, Concurrency: 2048}

	// The loop body leaves once every slot is taken: more rollouts are then
	// cancelled at once than the collector's buffer holds.
	full := func() {
		for waiting.Load() < 2047 {
			time.Sleep(time.Millisecond)
		}
	}
	exits := map[string]func(){
		"panic":  func() { panic("the loop body panicked") },
		"Goexit": runtime.Goexit,
		"break":  nil, // handled below
		"return": nil,
	}
	for _, groups := range []bool{false, true} {
		for name, exit := range exits {
			t.Run(fmt.Sprintf("%s groups=%v", name, groups), func(t *testing.T) {
				defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
				done := make(chan any)
				go func() {
					defer func() { done <- recover() }()
					// One loop over either sequence: the body below is the caller's.
					results := func(yield func() bool) {
						if groups {
							for range c.CollectGroups(context.Background(), gym.FromSlice(tasks)) {
								if !yield() {
									return
								}
							}
							return
						}
						for range c.Collect(context.Background(), gym.FromSlice(tasks)) {
							if !yield() {
								return
							}
						}
					}
					for range results {
						full()
						if name == "break" {
							break
						}
						if name == "return" {
							return
						}
						exit()
					}
				}()
				p := <-done
				if name == "panic" {
					require.Equal(t, "the loop body panicked", p)
				}
			})
		}
	}
}
