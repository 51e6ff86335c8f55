package gym_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/rollout"
)

// Register two environments under their agent names and look one up; an
// unknown name suggests the closest registered one.
func ExampleRegistry() {
	var reg gym.Registry
	_ = reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy()))
	_ = reg.Register(multistep.AgentName, multistep.Environment(multistep.Policy()))
	fmt.Println(reg.Names())

	_, err := reg.Lookup("example_multi_step_simple_agnt")
	fmt.Println(errors.Is(err, gym.ErrUnknownAgent))
	fmt.Println(err)
	// Output:
	// [example_multi_step_simple_agent example_single_tool_call_simple_agent]
	// true
	// gym: agent "example_multi_step_simple_agnt" is not registered (did you mean "example_multi_step_simple_agent"?)
}

// Collect rollouts across two environments: each row goes to the
// environment its agent_ref names, and results come back as they finish.
func ExampleCollector() {
	var reg gym.Registry
	_ = reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy()))
	_ = reg.Register(multistep.AgentName, multistep.Environment(multistep.Policy()))

	rows := gym.Concat(
		gym.Tag(gym.FromFile("testdata/singletoolcall.jsonl"), singletoolcall.AgentName),
		gym.Tag(gym.FromFile("testdata/multistep.jsonl"), multistep.AgentName),
	)
	c := gym.Collector{Registry: &reg, Limit: 7, NumRepeats: 2}
	var results []*gym.Result
	for res, err := range c.Collect(context.Background(), rows) {
		if err != nil {
			fmt.Println("collection stopped:", err)
			return
		}
		results = append(results, res)
	}
	slices.SortFunc(results, func(a, b *gym.Result) int {
		return (a.TaskIndex-b.TaskIndex)*100 + a.RolloutIndex - b.RolloutIndex
	})
	for _, r := range results {
		calls := 0
		for _, it := range r.Response.Output {
			if it.Type() == rollout.TypeFunctionCall {
				calls++
			}
		}
		fmt.Printf("task %d/%d %-38s tool calls %d reward %.1f\n", r.TaskIndex, r.RolloutIndex, r.Agent, calls, r.Reward)
	}
	// Output:
	// task 0/0 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 0/1 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 1/0 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 1/1 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 2/0 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 2/1 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 3/0 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 3/1 example_single_tool_call_simple_agent  tool calls 1 reward 1.0
	// task 4/0 example_single_tool_call_simple_agent  tool calls 0 reward 1.0
	// task 4/1 example_single_tool_call_simple_agent  tool calls 0 reward 1.0
	// task 5/0 example_multi_step_simple_agent        tool calls 4 reward 1.0
	// task 5/1 example_multi_step_simple_agent        tool calls 4 reward 1.0
	// task 6/0 example_multi_step_simple_agent        tool calls 3 reward 1.0
	// task 6/1 example_multi_step_simple_agent        tool calls 3 reward 1.0
}
