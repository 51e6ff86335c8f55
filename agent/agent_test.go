package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// world is a resources server whose sessions record their opening and
// closing; each session's state is an *episode.
type world struct {
	opened, closed atomic.Int32
	seedErr        error
	closeErr       error
}

// episode is one rollout's state: the cities get_weather was asked about.
type episode struct {
	w      *world
	mu     sync.Mutex
	cities []string
	closed bool
}

func (e *episode) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.w.closed.Add(1)
	return e.w.closeErr
}

type cityArgs struct {
	City string `json:"city"`
}

type weather struct {
	City               string `json:"city"`
	WeatherDescription string `json:"weather_description"`
}

func weatherOutput(city string) string {
	return `{"city": "` + city + `", "weather_description": "The weather in ` + city + ` is cold."}`
}

func (w *world) server() *env.Server {
	srv := env.NewServer(
		env.NewStateTool("get_weather", "", func(_ context.Context, e *episode, in cityArgs) (weather, error) {
			e.mu.Lock()
			e.cities = append(e.cities, in.City)
			e.mu.Unlock()
			return weather{City: in.City, WeatherDescription: "The weather in " + in.City + " is cold."}, nil
		}),
		env.NewTool("explode", "", func(context.Context, struct{}) (int, error) { panic("kaboom") }),
		env.NewTool("hang", "", func(ctx context.Context, _ struct{}) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}),
	)
	srv.NewState = func(context.Context, rollout.Task) (any, error) {
		if w.seedErr != nil {
			return nil, w.seedErr
		}
		w.opened.Add(1)
		return &episode{w: w}, nil
	}
	return srv
}

const row = `{"responses_create_params":{"input":[` +
	`{"role":"developer","content":"Be brief.","type":"message"},` +
	`{"role":"user","content":"Weather?","type":"message"}],` +
	`"temperature":0.2,"tools":[{"type":"function","name":"get_weather","parameters":{},"strict":true}]},` +
	`"expected":"cold","agent_ref":{"type":"responses_api_agents","name":"weather"}}`

func parseTask(t testing.TB, js string) rollout.Task {
	t.Helper()
	tk, err := rollout.ParseTask([]byte(js))
	require.NoError(t, err)
	return tk
}

func rowInput(t testing.TB) []rollout.Item {
	t.Helper()
	p, err := parseTask(t, row).Params()
	require.NoError(t, err)
	in, err := p.Input()
	require.NoError(t, err)
	return in
}

// js returns items as JSON strings, for comparisons with readable diffs.
func js(items ...rollout.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, string(it.AppendJSON(nil)))
	}
	return out
}

func cat(lists ...[]rollout.Item) []rollout.Item {
	var out []rollout.Item
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func types(items []rollout.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Type())
	}
	return out
}

func call(id, name, args string) rollout.Item { return rollout.NewFunctionCall(id, name, args) }
func msg(text string) rollout.Item            { return rollout.NewOutputMessage("msg_"+text, text) }

var reasoning = mustItem(`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Let me think."}]}`)

func mustItem(s string) rollout.Item {
	it, err := rollout.ParseItem([]byte(s))
	if err != nil {
		panic(err)
	}
	return it
}

func mustResponse(s string) *rollout.Response {
	r, err := rollout.ParseResponse([]byte(s))
	if err != nil {
		panic(err)
	}
	return r
}

func incomplete(reason string, items ...rollout.Item) *rollout.Response {
	r := model.NewResponse(items...)
	r.Set("status", rollout.Quote("incomplete"))
	r.Set("incomplete_details", json.RawMessage(`{"reason":"`+reason+`"}`))
	return r
}

// script is a model that answers its calls with turns in order (repeating
// the last one) and records every request.
type script struct {
	mu    sync.Mutex
	turns []func(ctx context.Context) (*rollout.Response, error)
	reqs  []*model.Request
}

func (s *script) Respond(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	s.mu.Lock()
	// A copy: the test checks what the call received, whatever happens later.
	cp := *req
	cp.Input = append([]rollout.Item(nil), req.Input...)
	s.reqs = append(s.reqs, &cp)
	n := len(s.reqs)
	s.mu.Unlock()
	if n > 100 {
		return nil, errors.New("script: runaway loop")
	}
	return s.turns[min(n, len(s.turns))-1](ctx)
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func reply(items ...rollout.Item) func(context.Context) (*rollout.Response, error) {
	return func(context.Context) (*rollout.Response, error) { return model.NewResponse(items...), nil }
}

func answer(r *rollout.Response) func(context.Context) (*rollout.Response, error) {
	return func(context.Context) (*rollout.Response, error) { return r, nil }
}

func fail(err error) func(context.Context) (*rollout.Response, error) {
	return func(context.Context) (*rollout.Response, error) { return nil, err }
}

var hangModel = func(ctx context.Context) (*rollout.Response, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func newScript(turns ...func(context.Context) (*rollout.Response, error)) *script {
	return &script{turns: turns}
}

func TestEachCallGetsTheWholeHistory(t *testing.T) {
	w := &world{}
	turn1 := []rollout.Item{reasoning, call("c1", "get_weather", `{"city":"Paris"}`)}
	turn2 := []rollout.Item{call("c2", "get_weather", `{"city":"Rome"}`), call("c3", "get_weather", `{"city": "Oslo"}`)}
	turn3 := []rollout.Item{msg("It is cold everywhere.")}
	m := newScript(reply(turn1...), reply(turn2...), reply(turn3...))
	var cities []string
	a := &agent.Simple{Model: m, Resources: w.server(), Verifier: verifier.Func(
		func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			e, _ := env.StateOf[*episode](req.Session)
			cities = e.cities
			return verifier.Reward(1), nil
		})}

	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)

	out1 := []rollout.Item{rollout.NewFunctionCallOutput("c1", weatherOutput("Paris"))}
	out2 := []rollout.Item{
		rollout.NewFunctionCallOutput("c2", weatherOutput("Rome")),
		rollout.NewFunctionCallOutput("c3", weatherOutput("Oslo")),
	}
	input := rowInput(t)
	require.Len(t, m.reqs, 3)
	require.Equal(t, js(input...), js(m.reqs[0].Input...))
	require.Equal(t, js(cat(input, turn1, out1)...), js(m.reqs[1].Input...))
	require.Equal(t, js(cat(input, turn1, out1, turn2, out2)...), js(m.reqs[2].Input...))
	for _, req := range m.reqs {
		temp, ok := req.Params.Get("temperature")
		require.True(t, ok, "each call gets the row's create params")
		require.Equal(t, "0.2", string(temp))
		require.True(t, req.Params.Has("tools"))
	}

	require.Equal(t, []string{"Paris", "Rome", "Oslo"}, cities, "calls run in order")
	require.Equal(t, js(cat(turn1, out1, turn2, out2, turn3)...), js(res.Response.Output...),
		"the response holds every item of every turn and the tool outputs, in order")
	require.Equal(t, 1.0, res.Reward)
}

func TestStringInputIsAUserMessage(t *testing.T) {
	m := newScript(reply(msg("hi")))
	a := &agent.Simple{Model: m, Resources: env.NewServer()}
	_, err := a.Run(context.Background(), parseTask(t, `{"responses_create_params":{"input":"Hello?"}}`))
	require.NoError(t, err)
	require.Equal(t, []string{`{"type":"message","role":"user","content":"Hello?"}`}, js(m.reqs[0].Input...))
}

// A model that keeps and appends to the input it was given cannot change
// the history: each call gets a slice with no room to grow into.
func TestTheModelCannotChangeTheHistory(t *testing.T) {
	calls := 0
	var first, third []rollout.Item
	m := model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		calls++
		switch calls {
		case 1:
			first = req.Input
			return model.NewResponse(call("c1", "get_weather", `{"city":"Paris"}`)), nil
		case 2:
			_ = append(first, msg("scribble"), msg("scribble"), msg("scribble"))
			_ = append(req.Input, msg("scribble"))
			return model.NewResponse(call("c2", "get_weather", `{"city":"Rome"}`)), nil
		}
		third = append([]rollout.Item(nil), req.Input...)
		return model.NewResponse(msg("done")), nil
	})
	a := &agent.Simple{Model: m, Resources: (&world{}).server()}
	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)
	require.Equal(t, []string{"message", "message", "function_call", "function_call_output", "function_call", "function_call_output"}, types(third))
	require.Equal(t, []string{"function_call", "function_call_output", "function_call", "function_call_output", "message"}, types(res.Response.Output))
}

func TestInvalidArgumentsAreShownToTheModel(t *testing.T) {
	w := &world{}
	bad := []struct{ id, args string }{
		{"c1", `{"city": "Par`},
		{"c2", `["Paris"]`},
		{"c3", `"Paris"`},
		{"c4", ``},
		{"c5", `null`},
		{"c6", `{"city": "Paris"} {}`},
	}
	var turn1 []rollout.Item
	for _, b := range bad {
		turn1 = append(turn1, call(b.id, "get_weather", b.args))
	}
	turn1 = append(turn1, call("ok", "get_weather", `{"city":"Oslo"}`))
	m := newScript(reply(turn1...), reply(msg("Sorry.")))
	var cities []string
	verified := false
	a := &agent.Simple{Model: m, Resources: w.server(), Verifier: verifier.Func(
		func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			verified = true
			e, _ := env.StateOf[*episode](req.Session)
			cities = e.cities
			return verifier.Reward(0.5), nil
		})}

	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err, "bad arguments do not fail the rollout")
	require.True(t, verified)
	require.Equal(t, 0.5, res.Reward)
	require.Equal(t, []string{"Oslo"}, cities, "the tool runs only for valid arguments")

	require.Len(t, m.reqs, 2)
	seen := m.reqs[1].Input[len(rowInput(t))+len(turn1):]
	require.Len(t, seen, len(bad)+1)
	for i, b := range bad {
		require.Equal(t, rollout.TypeFunctionCallOutput, seen[i].Type())
		require.Equal(t, b.id, seen[i].CallID())
		var e map[string]string
		require.NoError(t, json.Unmarshal([]byte(seen[i].Output()), &e), seen[i].Output())
		require.Contains(t, e["error"], "get_weather")
		require.Contains(t, e["error"], "not a valid JSON object")
		require.True(t, strings.HasPrefix(seen[i].Output(), `{"error": "`), "formatted as NeMo Gym's servers do")
	}
	require.Equal(t, weatherOutput("Oslo"), seen[len(bad)].Output())
}

func TestStopConditions(t *testing.T) {
	weatherCall := call("c", "get_weather", `{"city":"Paris"}`)
	tests := []struct {
		name      string
		maxSteps  int
		turns     []func(context.Context) (*rollout.Response, error)
		wantCalls int
		wantTypes []string
		wantTools int
	}{
		{"a message without calls ends", 0,
			[]func(context.Context) (*rollout.Response, error){reply(reasoning, msg("done"))},
			1, []string{"reasoning", "message"}, 0},
		{"a message with calls goes on", 0,
			[]func(context.Context) (*rollout.Response, error){reply(msg("looking"), weatherCall), reply(msg("done"))},
			2, []string{"message", "function_call", "function_call_output", "message"}, 1},
		{"incomplete stops before running the calls", 0,
			[]func(context.Context) (*rollout.Response, error){answer(incomplete("max_output_tokens", reasoning, weatherCall)), reply(msg("never"))},
			1, []string{"reasoning", "function_call"}, 0},
		{"incomplete for another reason stops too", 0,
			[]func(context.Context) (*rollout.Response, error){answer(incomplete("content_filter", weatherCall)), reply(msg("never"))},
			1, []string{"function_call"}, 0},
		{"incomplete without output stops", 0,
			[]func(context.Context) (*rollout.Response, error){answer(incomplete("max_output_tokens")), reply(msg("never"))},
			1, []string{}, 0},
		{"null incomplete_details is complete", 0,
			[]func(context.Context) (*rollout.Response, error){
				answer(mustResponse(`{"id":"r","incomplete_details":null,"output":[{"type":"function_call","call_id":"c","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}]}`)),
				reply(msg("done"))},
			2, []string{"function_call", "function_call_output", "message"}, 1},
		{"neither message nor call goes on", 0,
			[]func(context.Context) (*rollout.Response, error){reply(reasoning), reply(), reply(msg("done"))},
			3, []string{"reasoning", "message"}, 0},
		{"a user message is not an answer", 0,
			[]func(context.Context) (*rollout.Response, error){reply(rollout.NewMessage("user", "echo")), reply(msg("done"))},
			2, []string{"message", "message"}, 0},
		{"max steps bounds the model calls", 3,
			[]func(context.Context) (*rollout.Response, error){reply(weatherCall)},
			3, []string{"function_call", "function_call_output", "function_call", "function_call_output", "function_call", "function_call_output"}, 3},
		{"max steps with no progress", 2,
			[]func(context.Context) (*rollout.Response, error){reply(reasoning)},
			2, []string{"reasoning", "reasoning"}, 0},
		{"max steps not reached", 5,
			[]func(context.Context) (*rollout.Response, error){reply(weatherCall), reply(msg("done"))},
			2, []string{"function_call", "function_call_output", "message"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &world{}
			m := newScript(tt.turns...)
			tools := 0
			a := &agent.Simple{Model: m, Resources: w.server(), MaxSteps: tt.maxSteps, Verifier: verifier.Func(
				func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
					e, _ := env.StateOf[*episode](req.Session)
					tools = len(e.cities)
					return verifier.Reward(1), nil
				})}
			res, err := a.Run(context.Background(), parseTask(t, row))
			require.NoError(t, err)
			require.Equal(t, tt.wantCalls, m.calls())
			require.Equal(t, tt.wantTypes, types(res.Response.Output))
			require.Equal(t, tt.wantTools, tools)
			require.Equal(t, 1.0, res.Reward, "the rollout is verified")
		})
	}
}

func TestFinalResponse(t *testing.T) {
	r1 := mustResponse(`{"id":"resp_a","object":"response","created_at":1,"model":"policy-1",` +
		`"output":[{"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}],` +
		`"usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":2},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":15},"temperature":0.2}`)
	r2 := mustResponse(`{"id":"resp_b","object":"response","created_at":2,"model":"policy-2",` +
		`"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Cold."}],"generation_token_ids":[7,8]}],` +
		`"usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":3},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":27},"metadata":{"k":"v"},"x_custom":[1]}`)
	m := newScript(answer(r1), answer(r2))
	a := &agent.Simple{Model: m, Resources: (&world{}).server()}
	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)

	want := `{"id":"resp_b","object":"response","created_at":2,"model":"policy-2","output":[` +
		`{"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},` +
		`{"type":"function_call_output","call_id":"c1","output":` + string(rollout.Quote(weatherOutput("Paris"))) + `},` +
		`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Cold."}],"generation_token_ids":[7,8]}],` +
		`"usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":5},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":42},` +
		`"metadata":{"k":"v"},"x_custom":[1]}`
	require.Equal(t, want, string(res.Response.AppendJSON(nil)),
		"the last response's fields in their order, every item, usage summed")

	require.Len(t, r2.Output, 1, "the model's responses are not changed")
	require.Equal(t, 27, r2.Usage().TotalTokens)
}

func TestMissingUsageCountsAsZero(t *testing.T) {
	withUsage := model.NewResponse(call("c1", "get_weather", `{"city":"Paris"}`))
	withUsage.SetUsage(rollout.Usage{InputTokens: 4, OutputTokens: 1, TotalTokens: 5})
	a := &agent.Simple{Model: newScript(answer(withUsage), reply(msg("done"))), Resources: (&world{}).server()}
	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)
	require.Equal(t, 5, res.Response.Usage().TotalTokens)
	require.Equal(t, 4, res.Response.Usage().InputTokens)
}

func TestVerifierGetsTheRollout(t *testing.T) {
	w := &world{}
	m := newScript(reply(call("c1", "get_weather", `{"city":"Paris"}`)), reply(msg("It is cold.")))
	task := parseTask(t, row)
	var got *verifier.Request
	var stateAtVerify []string
	closedAtVerify := true
	a := &agent.Simple{Model: m, Resources: w.server(), Verifier: verifier.Func(
		func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			got = req
			e, ok := env.StateOf[*episode](req.Session)
			if !ok {
				return nil, errors.New("no state")
			}
			e.mu.Lock()
			stateAtVerify, closedAtVerify = append([]string(nil), e.cities...), e.closed
			e.mu.Unlock()
			var expected string
			if err := req.Task.Decode("expected", &expected); err != nil {
				return nil, err
			}
			v := verifier.Reward(0)
			if strings.Contains(verifier.LastMessage(req.Response.Output), expected) {
				v.Reward = 1
			}
			v.Set("accuracy", v.Reward == 1)
			v.Components = map[string]float64{"format": 0.5}
			return v, nil
		})}
	res, err := a.Run(context.Background(), task)
	require.NoError(t, err)

	require.Equal(t, string(task.AppendJSON(nil)), string(got.Task.AppendJSON(nil)), "the row, unchanged")
	require.Same(t, res.Response, got.Response, "the final response")
	require.Equal(t, []string{"function_call", "function_call_output", "message"}, types(got.Response.Output))
	require.Equal(t, []string{"Paris"}, stateAtVerify)
	require.False(t, closedAtVerify, "the session is still open during verification")
	require.EqualValues(t, 1, w.closed.Load(), "and closed after it")

	require.Equal(t, 1.0, res.Reward)
	require.Equal(t, map[string]float64{"format": 0.5}, res.Rewards)
	raw, ok := res.Fields.Get("accuracy")
	require.True(t, ok)
	require.Equal(t, "true", string(raw))
	require.NoError(t, res.Err)
}

func TestNoVerifier(t *testing.T) {
	a := &agent.Simple{Model: newScript(reply(msg("done"))), Resources: env.NewServer()}
	res, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)
	require.Zero(t, res.Reward)
	require.Zero(t, res.Fields.Len())
	require.Len(t, res.Response.Output, 1)
}

// errSession is a Session from another implementation, whose tool calls
// fail with plain errors (a remote server that went away, say).
type errSession struct {
	err    error
	closed *atomic.Int32
}

func (s errSession) CallTool(context.Context, string, json.RawMessage) (string, error) {
	return "", s.err
}

func (s errSession) Close() error { s.closed.Add(1); return nil }

type errServer struct {
	err    error
	closed atomic.Int32
}

func (s *errServer) Seed(context.Context, rollout.Task) (env.Session, error) {
	return errSession{s.err, &s.closed}, nil
}

type failureCase struct {
	name      string
	turns     []func(context.Context) (*rollout.Response, error)
	verifier  verifier.Verifier
	setup     func(a *agent.Simple, w *world)
	ctx       func() (context.Context, context.CancelFunc)
	row       string
	class     rollout.FailureClass
	stage     string
	is        error    // errors.Is(err, is), if set
	stack     string   // in the Failure's stack, if set
	partial   []string // the item types of the returned response; nil: no response
	wantState bool     // the session was opened
}

var (
	errModel  = errors.New("model server is down")
	errVerify = errors.New("judge unreachable")
	errSeed   = errors.New("no sandbox left")
	errClose  = errors.New("sandbox leak")
)

func explodingVerifier(context.Context, *verifier.Request) (*verifier.Verdict, error) {
	panic("verifier bug")
}

func failureCases() []failureCase {
	weatherCall := call("c1", "get_weather", `{"city":"Paris"}`)
	ok := reply(msg("done"))
	return []failureCase{
		{name: "model error", turns: turnsOf(reply(weatherCall), fail(errModel)),
			class: rollout.FailModel, stage: "model", is: errModel,
			partial: []string{"function_call", "function_call_output"}, wantState: true},
		{name: "model error on the first call", turns: turnsOf(fail(errModel)),
			class: rollout.FailModel, stage: "model", is: errModel, partial: []string{}, wantState: true},
		{name: "model returns nothing", turns: turnsOf(answer(nil)),
			class: rollout.FailModel, stage: "model", partial: []string{}, wantState: true},
		{name: "model timeout", turns: turnsOf(reply(weatherCall), hangModel),
			setup: func(a *agent.Simple, _ *world) { a.ModelTimeout = 20 * time.Millisecond },
			class: rollout.FailTimeout, stage: "model", is: context.DeadlineExceeded,
			partial: []string{"function_call", "function_call_output"}, wantState: true},
		{name: "rollout deadline during a model call", turns: turnsOf(hangModel),
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 20*time.Millisecond)
			},
			class: rollout.FailTimeout, stage: "model", is: context.DeadlineExceeded, partial: []string{}, wantState: true},
		{name: "rollout cancelled during a model call", turns: turnsOf(hangModel),
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(20*time.Millisecond, cancel)
				return ctx, cancel
			},
			class: rollout.FailCancelled, stage: "model", is: context.Canceled, partial: []string{}, wantState: true},
		{name: "tool panic", turns: turnsOf(reply(call("c1", "explode", `{}`)), ok),
			class: rollout.FailToolPanic, stage: "tool", stack: "kaboom", partial: []string{"function_call"}, wantState: true},
		{name: "tool timeout", turns: turnsOf(reply(weatherCall, call("c2", "hang", `{}`)), ok),
			setup: func(a *agent.Simple, _ *world) { a.ToolTimeout = 20 * time.Millisecond },
			class: rollout.FailTimeout, stage: "tool", is: context.DeadlineExceeded,
			partial: []string{"function_call", "function_call", "function_call_output"}, wantState: true},
		{name: "verifier error", turns: turnsOf(ok),
			verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, errVerify }),
			class:    rollout.FailVerifier, stage: "verify", is: errVerify, partial: []string{"message"}, wantState: true},
		{name: "verifier panic", turns: turnsOf(ok), verifier: verifier.Func(explodingVerifier),
			class: rollout.FailVerifier, stage: "verify", stack: "agent_test.explodingVerifier", partial: []string{"message"}, wantState: true},
		{name: "verifier returns nothing", turns: turnsOf(ok),
			verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, nil }),
			class:    rollout.FailVerifier, stage: "verify", partial: []string{"message"}, wantState: true},
		{name: "verifier timeout", turns: turnsOf(ok),
			verifier: verifier.Func(func(ctx context.Context, _ *verifier.Request) (*verifier.Verdict, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			}),
			setup: func(a *agent.Simple, _ *world) { a.VerifyTimeout = 20 * time.Millisecond },
			class: rollout.FailTimeout, stage: "verify", is: context.DeadlineExceeded, partial: []string{"message"}, wantState: true},
		{name: "seed error", turns: turnsOf(ok),
			setup: func(_ *agent.Simple, w *world) { w.seedErr = errSeed },
			class: rollout.FailResources, stage: "seed", is: errSeed},
		{name: "close error", turns: turnsOf(ok),
			setup: func(_ *agent.Simple, w *world) { w.closeErr = errClose },
			class: rollout.FailResources, stage: "close", is: errClose, partial: []string{"message"}, wantState: true},
		{name: "invalid input", turns: turnsOf(ok), row: `{"responses_create_params":{"input":[1]}}`,
			class: rollout.FailInvalidRow, stage: "seed", wantState: true},
	}
}

func turnsOf(turns ...func(context.Context) (*rollout.Response, error)) []func(context.Context) (*rollout.Response, error) {
	return turns
}

func TestFailures(t *testing.T) {
	for _, tc := range failureCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := &world{}
			a := &agent.Simple{Model: newScript(tc.turns...), Resources: w.server(), Verifier: tc.verifier}
			if a.Verifier == nil {
				a.Verifier = verifier.Constant(1)
			}
			if tc.setup != nil {
				tc.setup(a, w)
			}
			// A safety deadline, later than any the cases set, so that a
			// timeout that does not work fails the test instead of hanging it.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			task := rollout.Task{}
			if tc.row == "" {
				task = parseTask(t, row)
			} else {
				o, err := rollout.ParseObject([]byte(tc.row))
				require.NoError(t, err)
				task = rollout.Task{Object: o}
			}

			start := time.Now()
			res, err := a.Run(ctx, task)
			require.Less(t, time.Since(start), 2*time.Second, "the rollout ends promptly")

			require.Error(t, err)
			var f *rollout.Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, tc.class, f.Class, "%v", err)
			require.Equal(t, tc.stage, f.Stage, "%v", err)
			require.Equal(t, tc.class == rollout.FailTimeout, f.Retryable)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			if tc.stack != "" {
				require.Contains(t, f.Stack+f.Error(), tc.stack)
				require.NotEmpty(t, f.Stack)
			}
			if tc.partial == nil {
				if res != nil {
					require.Nil(t, res.Response)
				}
			} else {
				require.NotNil(t, res)
				require.NotNil(t, res.Response, "what was produced before the failure is returned")
				require.Equal(t, tc.partial, types(res.Response.Output))
			}

			// The session is closed on every path.
			if tc.wantState {
				require.EqualValues(t, 1, w.opened.Load())
			} else {
				require.Zero(t, w.opened.Load())
			}
			require.Equal(t, w.opened.Load(), w.closed.Load(), "every session opened is closed")
		})
	}
}

func TestSessionIsClosedOnSuccess(t *testing.T) {
	w := &world{}
	a := &agent.Simple{Model: newScript(reply(call("c", "get_weather", `{"city":"Paris"}`)), reply(msg("ok"))), Resources: w.server()}
	_, err := a.Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)
	require.EqualValues(t, 1, w.opened.Load())
	require.EqualValues(t, 1, w.closed.Load())
}

// An infrastructure error of a Session that is not an env.Server session
// fails the rollout in the tool stage.
func TestSessionErrorFailsTheRollout(t *testing.T) {
	gone := errors.New("connection reset")
	srv := &errServer{err: gone}
	a := &agent.Simple{Model: newScript(reply(call("c", "get_weather", `{"city":"Paris"}`)), reply(msg("ok"))), Resources: srv}
	res, err := a.Run(context.Background(), parseTask(t, row))
	require.ErrorIs(t, err, gone)
	f := rollout.AsFailure(err)
	require.Equal(t, rollout.FailAgent, f.Class)
	require.Equal(t, "tool", f.Stage)
	require.Contains(t, f.Error(), "get_weather")
	require.Equal(t, []string{"function_call"}, types(res.Response.Output))
	require.EqualValues(t, 1, srv.closed.Load())
}

// A model that honours its context is abandoned at ModelTimeout, not at the
// rollout's (much later) deadline.
func TestModelTimeoutIsPerCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	a := &agent.Simple{Model: newScript(hangModel), Resources: env.NewServer(), ModelTimeout: 10 * time.Millisecond}
	start := time.Now()
	_, err := a.Run(ctx, parseTask(t, row))
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, rollout.FailTimeout, rollout.AsFailure(err).Class)
	require.NoError(t, ctx.Err(), "the rollout's own context is still live")

	// A call that ends in time is not affected by the deadline of an earlier one.
	slowOK := func(ctx context.Context) (*rollout.Response, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
			return model.NewResponse(call("c", "get_weather", `{"city":"Paris"}`)), nil
		}
	}
	a = &agent.Simple{Model: newScript(slowOK, slowOK, slowOK, reply(msg("done"))), Resources: (&world{}).server(),
		ModelTimeout: 500 * time.Millisecond}
	res, err := a.Run(ctx, parseTask(t, row))
	require.NoError(t, err)
	require.Len(t, res.Response.Output, 7)
}

func TestLoopPassesTheSession(t *testing.T) {
	m := newScript(reply(call("c", "get_weather", `{"city":"Paris"}`)), reply(msg("ok")))
	a := &agent.Simple{Model: m}
	w := &world{}
	sess, err := w.server().Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	defer sess.Close()
	in := []rollout.Item{rollout.NewMessage("user", "hi")}
	resp, err := a.Loop(context.Background(), sess, &model.Request{Input: in, ID: rollout.ID{Task: 7, Rollout: 1, Attempt: 2, UID: "u7"}})
	require.NoError(t, err)
	require.Equal(t, []string{"function_call", "function_call_output", "message"}, types(resp.Output))
	for _, req := range m.reqs {
		require.Equal(t, rollout.ID{Task: 7, Rollout: 1, Attempt: 2, UID: "u7"}, req.ID)
	}
	require.Len(t, in, 1, "the caller's input is not changed")
	require.Zero(t, w.closed.Load(), "Loop leaves closing to its caller")
}

// Rollouts run at once do not see each other's history or state (-race).
func TestConcurrentRollouts(t *testing.T) {
	// A stateless policy: ask for the weather of the city in the user's
	// message, then answer with the tool's output.
	policy := model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		last := req.Input[len(req.Input)-1]
		if last.Type() == rollout.TypeFunctionCallOutput {
			return model.NewResponse(msg(last.Output())), nil
		}
		return model.NewResponse(call("c", "get_weather", `{"city":"`+last.Text()+`"}`)), nil
	})
	w := &world{}
	a := &agent.Simple{Model: policy, Resources: w.server(), Verifier: verifier.Func(
		func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			e, _ := env.StateOf[*episode](req.Session)
			var city string
			if err := req.Task.Decode("city", &city); err != nil {
				return nil, err
			}
			if len(e.cities) != 1 || e.cities[0] != city || verifier.LastMessage(req.Response.Output) != weatherOutput(city) {
				return verifier.Reward(0), nil
			}
			return verifier.Reward(1), nil
		})}
	const n = 32
	rewards := make([]float64, n)
	errs := make([]error, n)
	tasks := make([]rollout.Task, n)
	for i := range n {
		city := fmt.Sprint("City", i)
		tasks[i] = parseTask(t, `{"responses_create_params":{"input":"`+city+`"},"city":"`+city+`"}`)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := a.Run(context.Background(), tasks[i])
			errs[i] = err
			if err == nil {
				rewards[i] = res.Reward
			}
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, 1.0, rewards[i], "rollout %d", i)
	}
	require.EqualValues(t, n, w.opened.Load())
	require.EqualValues(t, n, w.closed.Load())
}

func TestFunc(t *testing.T) {
	want := &rollout.Result{Reward: 0.25}
	var a agent.Agent = agent.Func(func(_ context.Context, task rollout.Task) (*rollout.Result, error) {
		if task.String("id") != "x" {
			return nil, errors.New("wrong task")
		}
		return want, nil
	})
	got, err := a.Run(context.Background(), parseTask(t, `{"responses_create_params":{},"id":"x"}`))
	require.NoError(t, err)
	require.Same(t, want, got)
}

func TestNaNRewardIsAVerifierFailure(t *testing.T) {
	a := &agent.Simple{
		Model: model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewOutputMessage("m", "hi")), nil
		}),
		Resources: env.NewServer(),
		Verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
			return verifier.Reward(math.NaN()), nil
		}),
	}
	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"x"}}`))
	require.NoError(t, err)
	_, err = a.Run(context.Background(), task)
	require.Equal(t, rollout.FailVerifier, rollout.AsFailure(err).Class)
	require.ErrorContains(t, err, "NaN")
}
