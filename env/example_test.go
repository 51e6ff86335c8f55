package env_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
)

type WeatherArgs struct {
	City string `json:"city" jsonschema:"description=The city to get the weather for."`
}

type Weather struct {
	City               string `json:"city"`
	WeatherDescription string `json:"weather_description"`
}

func ExampleNewTool() {
	getWeather := env.NewTool("get_weather", "Get the current weather of a city.",
		func(_ context.Context, in WeatherArgs) (Weather, error) {
			return Weather{City: in.City, WeatherDescription: "The weather in " + in.City + " is cold."}, nil
		})

	// The parameters schema offered to the model, derived from WeatherArgs.
	var schema bytes.Buffer
	_ = json.Indent(&schema, getWeather.Parameters, "", "  ")
	fmt.Println(schema.String())

	// A call as the model makes it; the output is what the model sees.
	sess, _ := env.NewServer(getWeather).Seed(context.Background(), rollout.Task{})
	defer sess.Close()
	out, _ := sess.CallTool(context.Background(), "get_weather", json.RawMessage(`{"city": "San Francisco"}`))
	fmt.Println(out)
	out, _ = sess.CallTool(context.Background(), "get_weather", json.RawMessage(`{"town": "Paris"}`))
	fmt.Println(out)
	// Output:
	// {
	//   "properties": {
	//     "city": {
	//       "type": "string",
	//       "description": "The city to get the weather for."
	//     }
	//   },
	//   "additionalProperties": false,
	//   "type": "object",
	//   "required": [
	//     "city"
	//   ]
	// }
	// {"city": "San Francisco", "weather_description": "The weather in San Francisco is cold."}
	// {"error": "invalid arguments for get_weather: missing required argument \"city\""}
}

func ExampleStateOf() {
	type cart struct{ Items []string }
	type addArgs struct {
		Item string `json:"item"`
	}
	srv := env.NewServer(env.NewStateTool("add_to_cart", "Put an item in the cart.",
		func(_ context.Context, c *cart, in addArgs) (int, error) {
			c.Items = append(c.Items, in.Item)
			return len(c.Items), nil
		}))
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &cart{}, nil }

	ctx := context.Background()
	sess, _ := srv.Seed(ctx, rollout.Task{})
	defer sess.Close()
	_, _ = sess.CallTool(ctx, "add_to_cart", json.RawMessage(`{"item": "apple"}`))
	n, _ := sess.CallTool(ctx, "add_to_cart", json.RawMessage(`{"item": "pear"}`))
	fmt.Println(n)

	// A verifier reads the state through the session it is given.
	c, ok := env.StateOf[*cart](sess)
	fmt.Println(ok, c.Items)
	// Output:
	// 2
	// true [apple pear]
}
