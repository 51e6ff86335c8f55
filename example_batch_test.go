package gym_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/rollout"
)

// A 3:1 blend in blocks of 4 rows: three rows of one source and one of the
// other in every block, in a seeded order.
func ExampleBlend() {
	rows := func(name string, n int) []gym.Task {
		var out []gym.Task
		for i := range n {
			t, _ := rollout.ParseTask(fmt.Appendf(nil, `{"responses_create_params":{"input":"%s %d"}}`, name, i))
			out = append(out, t.WithAgent(name))
		}
		return out
	}
	b := gym.Blend{Seed: 1, Epochs: -1, Sources: []gym.Source{
		{Rows: gym.FromSlice(rows("math", 10)), Weight: 3},
		{Rows: gym.FromSlice(rows("tools", 4)), Weight: 1},
	}}
	var block []string
	n := 0
	for t, err := range b.Rows(4) {
		if err != nil {
			fmt.Println(err)
			return
		}
		block = append(block, t.AgentName())
		if len(block) == 4 {
			fmt.Println(strings.Join(block, " "))
			block = block[:0]
			if n++; n == 3 {
				break
			}
		}
	}
	// Output:
	// math math math tools
	// tools math math math
	// math tools math math
}

// Batches of 4 groups of 2 rollouts from a 1:1 blend, with each group's
// GRPO advantages.
func ExampleBatcher() {
	var reg gym.Registry
	for _, name := range []string{"coin", "sure"} {
		_ = reg.Register(name, gym.Environment{Agent: agent.Func(func(_ context.Context, t rollout.Task) (*rollout.Result, error) {
			var ri int
			_ = t.Decode(rollout.KeyRolloutIndex, &ri)
			if name == "sure" {
				return &rollout.Result{Reward: 1}, nil
			}
			return &rollout.Result{Reward: float64(ri % 2)}, nil // 0, 1, 0, 1, ...
		})})
	}
	row := func(name string) []gym.Task {
		t, _ := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"hi"}}`))
		return []gym.Task{t.WithAgent(name)}
	}
	b := gym.Batcher{
		Collector: &gym.Collector{Registry: &reg},
		Blend: gym.Blend{Epochs: -1, Sources: []gym.Source{
			{Rows: gym.FromSlice(row("coin"))}, {Rows: gym.FromSlice(row("sure"))},
		}},
		Prompts: 4, Generations: 2, MaxSteps: 2,
	}
	for batch, err := range b.Batches(context.Background()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		st := batch.Stats
		fmt.Printf("step %d: %d rollouts, reward %.2f, coin %d groups, sure %d groups\n",
			batch.Step, st.Rollouts, st.RewardMean, st.Sources["coin"].Groups, st.Sources["sure"].Groups)
		for _, g := range batch.Groups[:2] {
			fmt.Println(" ", g.Agent, gym.GRPO.Group(g))
		}
	}
	// Output:
	// step 0: 8 rollouts, reward 0.75, coin 2 groups, sure 2 groups
	//   sure [0 0]
	//   coin [-1 1]
	// step 1: 8 rollouts, reward 0.75, coin 2 groups, sure 2 groups
	//   coin [-1 1]
	//   sure [0 0]
}
