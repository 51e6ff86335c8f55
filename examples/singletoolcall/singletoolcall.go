// Package singletoolcall is NeMo Gym's example_single_tool_call environment:
// one tool, get_weather, that always reports cold weather, and a verifier
// that gives every rollout a reward of 1.0.
package singletoolcall

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Names of the environment's NeMo Gym config instances.
const (
	AgentName  = "example_single_tool_call_simple_agent"
	ServerName = "example_single_tool_call"
)

// WeatherArgs are the arguments of get_weather.
type WeatherArgs struct {
	City string `json:"city" jsonschema:"description=The city to get the weather for."`
}

// Weather is get_weather's result.
type Weather struct {
	City               string `json:"city"`
	WeatherDescription string `json:"weather_description"`
}

// GetWeather reports the weather of a city: always cold.
func GetWeather(_ context.Context, in WeatherArgs) (Weather, error) {
	return Weather{City: in.City, WeatherDescription: "The weather in " + in.City + " is cold."}, nil
}

// NewServer returns the resources server: the get_weather tool, no state.
func NewServer() *env.Server {
	return env.NewServer(env.NewTool("get_weather", "Get the current weather of a city.", GetWeather))
}

// NewVerifier returns the verifier: reward 1.0 for every rollout.
func NewVerifier() verifier.Verifier { return verifier.Constant(1.0) }

// Environment returns the environment with m as its policy model.
func Environment(m model.Model) gym.Environment {
	return gym.Environment{Model: m, Resources: NewServer(), Verifier: NewVerifier()}
}

// cities maps the names and nicknames the policy knows, in lower case, to
// the city.
var cities = map[string]string{
	"sf": "San Francisco", "san francisco": "San Francisco", "frisco": "San Francisco",
	"nyc": "New York", "new york": "New York",
	"la": "Los Angeles", "los angeles": "Los Angeles",
	"seattle": "Seattle", "chicago": "Chicago", "boston": "Boston", "denver": "Denver",
}

// cityIn returns the first city text names, by one word or two.
func cityIn(text string) (string, bool) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	})
	for i, w := range words {
		if i+1 < len(words) {
			if c, ok := cities[w+" "+words[i+1]]; ok {
				return c, true
			}
		}
		if c, ok := cities[w]; ok {
			return c, true
		}
	}
	return "", false
}

// Policy returns a scripted policy for offline runs: if the user names a
// city it knows, it calls get_weather for it, then answers with the tool's
// description; otherwise it asks which city.
func Policy() model.Model {
	return model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		var user string
		for i := len(req.Input) - 1; i >= 0; i-- {
			it := req.Input[i]
			switch {
			case it.Type() == rollout.TypeFunctionCallOutput:
				var w Weather
				if err := json.Unmarshal([]byte(it.Output()), &w); err != nil || w.WeatherDescription == "" {
					return model.NewResponse(rollout.NewOutputMessage("msg_policy", "I could not get the weather.")), nil
				}
				return model.NewResponse(rollout.NewOutputMessage("msg_policy", w.WeatherDescription+" Bring a jacket.")), nil
			case it.Type() == rollout.TypeMessage && it.Role() == "user" && user == "":
				user = it.Text()
			}
		}
		if city, ok := cityIn(user); ok {
			args := fmt.Sprintf(`{"city":%q}`, city)
			return model.NewResponse(rollout.NewFunctionCall("call_"+strings.ReplaceAll(strings.ToLower(city), " ", "_"), "get_weather", args)), nil
		}
		return model.NewResponse(rollout.NewOutputMessage("msg_policy", "Which city would you like the weather for?")), nil
	})
}
