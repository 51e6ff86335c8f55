package env_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
)

type address struct {
	Street string `json:"street" jsonschema:"description=Street and house number"`
	Zip    string `json:"zip,omitempty"`
}

type contact struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type Audit struct {
	Reason string `json:"reason"`
}

type person struct {
	Name     string             `json:"name" jsonschema:"description=Full name of the person"`
	Age      int                `json:"age,omitempty"`
	Home     address            `json:"home"`
	Past     []address          `json:"past"`
	Work     *address           `json:"work"`
	Contacts [][]contact        `json:"contacts"`
	ByName   map[string]address `json:"by_name"`
	Tags     []string           `json:"tags"`
	Secret   string             `json:"-"`
	private  int
	Audit    // embedded: its fields are promoted, as encoding/json does
}

// walkSchema calls fn on every JSON object in the decoded schema v, with its
// JSON path.
func walkSchema(path string, v any, fn func(path string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(path, v)
		for _, k := range slices.Sorted(maps.Keys(v)) {
			walkSchema(path+"/"+k, v[k], fn)
		}
	case []any:
		for i, e := range v {
			walkSchema(fmt.Sprintf("%s/%d", path, i), e, fn)
		}
	}
}

// requireStrict checks the rules of OpenAI's strict function calling on a
// schema: an object root, every object closed with all its properties
// required, and everything inlined.
func requireStrict(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var root map[string]any
	require.NoError(t, json.Unmarshal(raw, &root), "%s", raw)
	require.Equal(t, "object", root["type"])
	objects := 0
	walkSchema("#", root, func(path string, m map[string]any) {
		for _, banned := range []string{"$ref", "$defs", "$schema", "$id", "definitions"} {
			require.NotContains(t, m, banned, "at %s", path)
		}
		props, ok := m["properties"].(map[string]any)
		if !ok {
			return
		}
		objects++
		require.Equal(t, "object", m["type"], "at %s", path)
		require.Equal(t, false, m["additionalProperties"], "at %s", path)
		var required []string
		for _, r := range m["required"].([]any) {
			required = append(required, r.(string))
		}
		require.ElementsMatch(t, slices.Collect(maps.Keys(props)), required, "at %s", path)
	})
	require.NotZero(t, objects)
	return root
}

// at returns the value at a path of keys in a decoded JSON document.
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		require.True(t, ok, "no object at %q", k)
		v, ok = m[k]
		require.True(t, ok, "no key %q in %v", k, m)
	}
	return v
}

func TestSchemaForIsStrict(t *testing.T) {
	root := requireStrict(t, env.SchemaFor[person]())
	props := at(t, root, "properties").(map[string]any)
	require.ElementsMatch(t,
		[]string{"name", "age", "home", "past", "work", "contacts", "by_name", "tags", "reason"},
		slices.Collect(maps.Keys(props)), "json:\"-\" and unexported fields are left out, embedded fields promoted")

	// Nested structs, slices of structs, pointers and slices of slices are
	// inlined as closed objects with every property required (requireStrict
	// walked them); check that they really are the nested objects.
	for _, p := range [][]string{
		{"home"},
		{"past", "items"},
		{"work"},
		{"contacts", "items", "items"},
		{"by_name", "additionalProperties"},
	} {
		obj := at(t, props, p...)
		require.Equal(t, "object", at(t, obj, "type"), "%v", p)
		require.Equal(t, false, at(t, obj, "additionalProperties"), "%v", p)
		require.NotEmpty(t, at(t, obj, "required"), "%v", p)
	}
	require.Equal(t, []any{"street", "zip"}, at(t, props, "by_name", "additionalProperties", "required"),
		"a map's value schema is strict too: omitempty does not make a property optional")
	require.Equal(t, []any{"street", "zip"}, at(t, props, "home", "required"))
	require.Equal(t, "array", at(t, props, "tags", "type"))
	require.Equal(t, "string", at(t, props, "tags", "items", "type"))
}

func TestSchemaForDescriptions(t *testing.T) {
	var root map[string]any
	require.NoError(t, json.Unmarshal(env.SchemaFor[person](), &root))
	require.Equal(t, "Full name of the person", at(t, root, "properties", "name", "description"))
	require.Equal(t, "Street and house number", at(t, root, "properties", "home", "properties", "street", "description"))
	require.Equal(t, "Street and house number", at(t, root, "properties", "past", "items", "properties", "street", "description"))
	require.NotContains(t, at(t, root, "properties", "age"), "description")
}

// The schema NeMo Gym's example_single_tool_call offers the model (from its
// recorded rollouts) is what NewTool derives for the same arguments.
func TestSchemaForMatchesNeMoGym(t *testing.T) {
	type weatherArgs struct {
		City string `json:"city"`
	}
	const recorded = `{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}`
	require.JSONEq(t, recorded, string(env.SchemaFor[weatherArgs]()))
}

func TestSchemaForPointerAndCache(t *testing.T) {
	require.JSONEq(t, string(env.SchemaFor[address]()), string(env.SchemaFor[*address]()))

	var wg sync.WaitGroup
	got := make([]string, 16)
	for i := range got {
		wg.Go(func() { got[i] = string(env.SchemaFor[contact]()) })
	}
	wg.Wait()
	for _, g := range got {
		require.Equal(t, got[0], g)
	}
	requireStrict(t, json.RawMessage(got[0]))
}

func TestSchemaForEmptyStruct(t *testing.T) {
	var root map[string]any
	require.NoError(t, json.Unmarshal(env.SchemaFor[struct{}](), &root))
	require.Equal(t, "object", root["type"])
	require.Equal(t, false, root["additionalProperties"])
}

type node struct {
	Value    int    `json:"value"`
	Children []node `json:"children"`
}

type ping struct {
	Pong *pong `json:"pong"`
}

type pong struct {
	Ping []ping `json:"ping"`
}

// panicValue returns what f panics with, or nil.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestNewToolPanics(t *testing.T) {
	noop := func(context.Context, int) (int, error) { return 0, nil }
	tests := []struct {
		name string
		new  func()
		want []string
	}{
		{"int", func() { env.NewTool("t", "", noop) }, []string{"must be a struct", "int"}},
		{"slice", func() {
			env.NewTool("t", "", func(context.Context, []address) (int, error) { return 0, nil })
		}, []string{"must be a struct"}},
		{"pointer to int", func() { env.SchemaFor[*int]() }, []string{"must be a struct", "*int"}},
		{"map", func() { env.SchemaFor[map[string]any]() }, []string{"must be a struct"}},
		{"recursive", func() { env.SchemaFor[node]() }, []string{"recursive", "env_test.node → env_test.node"}},
		{"mutually recursive", func() {
			env.NewStateTool("t", "", func(context.Context, any, ping) (int, error) { return 0, nil })
		}, []string{"recursive", "env_test.ping → env_test.pong → env_test.ping"}},
		{"duplicate tool names", func() {
			a := env.NewTool("same", "", func(context.Context, address) (int, error) { return 0, nil })
			env.NewServer(a, a)
		}, []string{`"same"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := panicValue(tt.new)
			require.NotNil(t, v, "no panic")
			msg := fmt.Sprint(v)
			for _, w := range tt.want {
				require.Contains(t, msg, w)
			}
		})
	}
}

func TestToolSpec(t *testing.T) {
	tool := env.NewTool("get_weather", "Get the weather.", func(context.Context, address) (string, error) { return "", nil })
	spec := tool.Spec()
	require.Equal(t, "function", spec.Type)
	require.Equal(t, "get_weather", spec.Name)
	require.Equal(t, "Get the weather.", spec.Description)
	require.NotNil(t, spec.Strict)
	require.True(t, *spec.Strict)
	require.JSONEq(t, string(env.SchemaFor[address]()), string(spec.Parameters))

	tool.Strict = false
	require.False(t, *tool.Spec().Strict)
}

type weatherArgs struct {
	City string `json:"city"`
}

type weather struct {
	City               string `json:"city"`
	WeatherDescription string `json:"weather_description"`
}

// call runs one tool of a stateless Server.
func call(t *testing.T, tool *env.Tool, args string) (string, error) {
	t.Helper()
	sess, err := env.NewServer(tool).Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	defer func() { require.NoError(t, sess.Close()) }()
	return sess.CallTool(context.Background(), tool.Name, json.RawMessage(args))
}

// The outputs read exactly as those of NeMo Gym's Python servers, which
// write json.dumps(result): ", " and ": " separators, non-ASCII escaped.
func TestToolOutputIsFormattedAsPython(t *testing.T) {
	getWeather := env.NewTool("get_weather", "", func(_ context.Context, in weatherArgs) (weather, error) {
		return weather{City: in.City, WeatherDescription: "The weather in " + in.City + " is cold."}, nil
	})
	tests := []struct {
		name string
		tool *env.Tool
		args string
		want string
	}{
		{"object", getWeather, `{"city": "San Francisco"}`,
			`{"city": "San Francisco", "weather_description": "The weather in San Francisco is cold."}`},
		{"non-ASCII", getWeather, `{"city":"Zürich"}`,
			`{"city": "Z\u00fcrich", "weather_description": "The weather in Z\u00fcrich is cold."}`},
		{"astral plane", getWeather, `{"city":"🌧 town"}`,
			`{"city": "\ud83c\udf27 town", "weather_description": "The weather in \ud83c\udf27 town is cold."}`},
		{"HTML characters are not escaped", getWeather, `{"city":"<a&b>"}`,
			`{"city": "<a&b>", "weather_description": "The weather in <a&b> is cold."}`},
		{"escapes", getWeather, `{"city":"a\"b\\c\nd\te\u0001"}`,
			`{"city": "a\"b\\c\nd\te\u0001", "weather_description": "The weather in a\"b\\c\nd\te\u0001 is cold."}`},
		{"separators inside strings are kept", getWeather, `{"city":"a,b:c"}`,
			`{"city": "a,b:c", "weather_description": "The weather in a,b:c is cold."}`},
		{"nested", env.NewTool("n", "", func(context.Context, struct{}) (map[string]any, error) {
			return map[string]any{"b": []int{1, 2}, "a": map[string]any{"x": nil, "y": true}}, nil
		}), `{}`, `{"a": {"x": null, "y": true}, "b": [1, 2]}`},
		{"string result", env.NewTool("s", "", func(context.Context, struct{}) (string, error) {
			return "done", nil
		}), `{}`, `"done"`},
		{"empty containers", env.NewTool("e", "", func(context.Context, struct{}) ([]any, error) {
			return []any{map[string]any{}, []int{}}, nil
		}), `{}`, `[{}, []]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, tt.tool, tt.args)
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

// errorOf returns the message of an {"error": msg} output, failing if out
// is anything else.
func errorOf(t *testing.T, out string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(out, `{"error": "`), "not an error output: %s", out)
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &m), out)
	require.Len(t, m, 1)
	return m["error"]
}

type order struct {
	Count int       `json:"count"`
	Ship  address   `json:"ship"`
	Lines []contact `json:"lines"`
	Note  *string   `json:"note"`
}

// Bad arguments are an observation for the model, not a failure.
func TestToolArgumentErrors(t *testing.T) {
	called := false
	tool := env.NewTool("place_order", "", func(_ context.Context, in order) (order, error) {
		called = true
		return in, nil
	})
	const ship = `"ship":{"street":"Main St 1","zip":"1000"}`
	tests := []struct {
		name string
		args string
		want []string // in the error message
	}{
		{"missing argument", `{` + ship + `,"lines":[],"note":null}`, []string{`missing required argument "count"`}},
		{"missing nested argument", `{"count":1,"ship":{"street":"x"},"lines":[],"note":null}`, []string{`missing required argument "ship.zip"`}},
		{"missing argument in a list", `{"count":1,` + ship + `,"lines":[{"kind":"a","value":"b"},{"kind":"a"}],"note":null}`,
			[]string{`missing required argument "lines[1].value"`}},
		{"unknown argument", `{"count":1,` + ship + `,"lines":[],"note":null,"colour":"red"}`, []string{`"colour"`, "unknown"}},
		{"unknown nested argument", `{"count":1,"ship":{"street":"x","zip":"y","floor":2},"lines":[],"note":null}`, []string{`"floor"`}},
		{"string for int", `{"count":"3",` + ship + `,"lines":[],"note":null}`, []string{`"count"`, "int", "string"}},
		{"float for int", `{"count":1.5,` + ship + `,"lines":[],"note":null}`, []string{`"count"`, "int"}},
		{"object for list", `{"count":1,` + ship + `,"lines":{},"note":null}`, []string{`"lines"`}},
		{"wrong nested type", `{"count":1,"ship":{"street":7,"zip":"y"},"lines":[],"note":null}`, []string{`"ship.street"`, "string", "number"}},
		{"not an object", `[1, 2]`, []string{"place_order", "object"}},
		{"null", `null`, []string{"place_order", "object"}},
		{"invalid JSON", `{"count":`, []string{"place_order"}},
		{"trailing data", `{"count":1,` + ship + `,"lines":[],"note":null} {}`, []string{"place_order"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			out, err := call(t, tool, tt.args)
			require.NoError(t, err)
			msg := errorOf(t, out)
			require.Contains(t, msg, "invalid arguments for place_order")
			for _, w := range tt.want {
				require.Contains(t, msg, w)
			}
			require.False(t, called, "the tool ran with bad arguments")
		})
	}

	// And the same arguments, complete, do run the tool.
	out, err := call(t, tool, `{"count":2,`+ship+`,"lines":[{"kind":"a","value":"b"}],"note":"x"}`)
	require.NoError(t, err)
	require.True(t, called)
	require.Equal(t, `{"count": 2, "ship": {"street": "Main St 1", "zip": "1000"}, "lines": [{"kind": "a", "value": "b"}], "note": "x"}`, out)
}

func TestToolErrorIsAnOutput(t *testing.T) {
	tool := env.NewTool("get_weather", "", func(_ context.Context, in weatherArgs) (weather, error) {
		return weather{}, fmt.Errorf("no weather station in %s", in.City)
	})
	out, err := call(t, tool, `{"city":"Atlantis ☂"}`)
	require.NoError(t, err)
	require.Equal(t, `{"error": "no weather station in Atlantis \u2602"}`, out)
}

func TestErrorOutput(t *testing.T) {
	require.Equal(t, `{"error": "boom"}`, env.ErrorOutput("boom"))
	require.Equal(t, `{"error": "say \"\u00e9\"\n"}`, env.ErrorOutput("say \"é\"\n"))
	require.Equal(t, `{"error": ""}`, env.ErrorOutput(""))
}

func TestUnknownToolListsTheTools(t *testing.T) {
	noop := func(context.Context, struct{}) (int, error) { return 0, nil }
	srv := env.NewServer(env.NewTool("zeta", "", noop), env.NewTool("alpha", "", noop))
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	out, err := sess.CallTool(context.Background(), "gamma", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Equal(t, `unknown tool "gamma"; the tools are: alpha, zeta`, errorOf(t, out))
}

func explode(context.Context, weatherArgs) (weather, error) { panic("the barometer broke") }

func TestToolPanicIsAFailure(t *testing.T) {
	out, err := call(t, env.NewTool("get_weather", "", explode), `{"city":"x"}`)
	require.Empty(t, out)
	var f *rollout.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailToolPanic, f.Class)
	require.Equal(t, "tool", f.Stage)
	require.False(t, f.Retryable)
	require.Contains(t, f.Error(), "the barometer broke")
	require.Contains(t, f.Error(), `"get_weather"`)
	require.Contains(t, f.Stack, "env_test.explode", "the stack shows where the tool panicked")
}

func TestToolContextFailures(t *testing.T) {
	slow := env.NewTool("slow", "", func(ctx context.Context, _ struct{}) (string, error) {
		<-ctx.Done()
		return "", fmt.Errorf("gave up waiting: %w", ctx.Err())
	})
	sess, err := env.NewServer(slow).Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := sess.CallTool(ctx, "slow", json.RawMessage(`{}`))
		f := rollout.AsFailure(err)
		require.Equal(t, rollout.FailTimeout, f.Class)
		require.Equal(t, "tool", f.Stage)
		require.True(t, f.Retryable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Millisecond, cancel)
		_, err := sess.CallTool(ctx, "slow", json.RawMessage(`{}`))
		f := rollout.AsFailure(err)
		require.Equal(t, rollout.FailCancelled, f.Class)
		require.Equal(t, "tool", f.Stage)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("an error with a live context is the tool's answer", func(t *testing.T) {
		tool := env.NewTool("t", "", func(context.Context, struct{}) (string, error) {
			return "", context.DeadlineExceeded // e.g. a timeout inside the tool
		})
		out, err := call(t, tool, `{}`)
		require.NoError(t, err)
		require.Equal(t, "context deadline exceeded", errorOf(t, out))
	})
}

// A Tool built by hand (not by NewTool) gets its arguments unchanged and its
// result verbatim.
func TestHandWrittenTool(t *testing.T) {
	var got json.RawMessage
	tool := &env.Tool{Name: "raw", Handler: func(_ context.Context, state any, args json.RawMessage) (json.RawMessage, error) {
		require.Nil(t, state)
		got = args
		return json.RawMessage(`{"ok":true}`), nil
	}}
	out, err := call(t, tool, `{"x": [1,2]}`)
	require.NoError(t, err)
	require.Equal(t, `{"ok":true}`, out)
	require.Equal(t, `{"x": [1,2]}`, string(got))

	tool.Handler = func(context.Context, any, json.RawMessage) (json.RawMessage, error) {
		return nil, errors.New("nope")
	}
	out, err = call(t, tool, `{}`)
	require.NoError(t, err)
	require.Equal(t, `{"error": "nope"}`, out)
}

type flatArgs struct {
	Word  string   `json:"word"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

// A tool whose required arguments are all at the root is decoded by a
// faster path; its answers, errors included, are the general path's.
func TestFlatToolArguments(t *testing.T) {
	called := false
	tool := env.NewTool("flat", "", func(_ context.Context, in flatArgs) (flatArgs, error) {
		called = true
		return in, nil
	})
	tests := []struct{ name, args, want string }{
		{"complete", `{"word":"a","count":2,"tags":["x"]}`, `{"word": "a", "count": 2, "tags": ["x"]}`},
		{"spaces and escaped key", " {\"w\\u006frd\":\"a\" , \"count\":2,\"tags\":null}\n", `{"word": "a", "count": 2, "tags": null}`},
		{"duplicate key, last wins", `{"word":"a","word":"b","count":2,"tags":[]}`, `{"word": "b", "count": 2, "tags": []}`},
		{"missing", `{"word":"a","tags":[]}`, `{"error": "invalid arguments for flat: missing required argument \"count\""}`},
		{"missing, wrong case", `{"Word":"a","count":1,"tags":[]}`, `{"error": "invalid arguments for flat: missing required argument \"word\""}`},
		{"unknown", `{"word":"a","count":1,"tags":[],"x":1}`, `{"error": "invalid arguments for flat: json: unknown field \"x\""}`},
		{"type", `{"word":"a","count":"1","tags":[]}`, `{"error": "invalid arguments for flat: argument \"count\": want int, got JSON string"}`},
		{"trailing data", `{"word":"a","count":1,"tags":[]} {}`, `{"error": "invalid arguments for flat: invalid character '{' after top-level value"}`},
		{"invalid", `{"word":"a","count":1,"tags":[}`, `{"error": "invalid arguments for flat: invalid character '}' looking for beginning of value"}`},
		{"not an object", `["word"]`, `{"error": "invalid arguments for flat: want a JSON object, got [\"word\"]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			out, err := call(t, tool, tt.args)
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
			require.Equal(t, !strings.HasPrefix(tt.want, `{"error"`), called)
		})
	}
}
