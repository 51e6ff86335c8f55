package agent_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func ExampleSimple() {
	type WeatherArgs struct {
		City string `json:"city"`
	}
	type Weather struct {
		City               string `json:"city"`
		WeatherDescription string `json:"weather_description"`
	}
	getWeather := env.NewTool("get_weather", "Get the current weather of a city.",
		func(_ context.Context, in WeatherArgs) (Weather, error) {
			return Weather{in.City, "The weather in " + in.City + " is cold."}, nil
		})

	// A scripted policy: first call get_weather, then answer with what it said.
	policy := model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		last := req.Input[len(req.Input)-1]
		if last.Type() != rollout.TypeFunctionCallOutput {
			return model.NewResponse(rollout.NewFunctionCall("call_1", "get_weather", `{"city": "Paris"}`)), nil
		}
		return model.NewResponse(rollout.NewOutputMessage("msg_1", "Tool says: "+last.Output())), nil
	})

	// Reward 1 if the answer says it is cold.
	judge := verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		cold := strings.Contains(verifier.LastMessage(req.Response.Output), "cold")
		v := verifier.Reward(0).Set("said_cold", cold)
		if cold {
			v.Reward = 1
		}
		return v, nil
	})

	a := &agent.Simple{Model: policy, Resources: env.NewServer(getWeather), Verifier: judge, MaxSteps: 10}
	task, _ := rollout.ParseTask([]byte(`{"responses_create_params": {"input": "How is the weather in Paris?"}}`))
	res, err := a.Run(context.Background(), task)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range res.Response.Output {
		switch it.Type() {
		case rollout.TypeFunctionCall:
			fmt.Println("call:", it.Name(), it.Arguments())
		case rollout.TypeFunctionCallOutput:
			fmt.Println("tool:", it.Output())
		case rollout.TypeMessage:
			fmt.Println("answer:", it.Text())
		}
	}
	fmt.Println("reward:", res.Reward)
	said, _ := res.Fields.Get("said_cold")
	fmt.Println("said_cold:", string(said))
	// Output:
	// call: get_weather {"city": "Paris"}
	// tool: {"city": "Paris", "weather_description": "The weather in Paris is cold."}
	// answer: Tool says: {"city": "Paris", "weather_description": "The weather in Paris is cold."}
	// reward: 1
	// said_cold: true
}
