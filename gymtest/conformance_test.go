package gymtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func rows(t *testing.T, path string) []rollout.Task {
	t.Helper()
	var out []rollout.Task
	for task, err := range gym.FromFile(path) {
		require.NoError(t, err)
		out = append(out, task)
	}
	return out
}

// The example environments conform.
func TestCheckExamples(t *testing.T) {
	ctx := context.Background()
	require.Empty(t, gymtest.Check(ctx, singletoolcall.Environment(nil), singletoolcall.Policy(), rows(t, "../testdata/singletoolcall.jsonl")))
	require.Empty(t, gymtest.Check(ctx, multistep.Environment(nil), multistep.Policy(), rows(t, "../testdata/multistep.jsonl")))
}

// An environment with a lax schema, a tool that panics on arguments it
// does not expect, and a verifier that fails is reported.
func TestCheckReportsProblems(t *testing.T) {
	lax := &env.Tool{
		Name:       "lax",
		Parameters: json.RawMessage(`{"type":"object","properties":{"x":{"type":"string"}}}`),
		Handler: func(_ context.Context, _ any, args json.RawMessage) (json.RawMessage, error) {
			var in struct{ X string }
			if err := json.Unmarshal(args, &in); err != nil || in.X == "" {
				panic("no x")
			}
			return json.RawMessage(`{}`), nil
		},
	}
	e := gym.Environment{
		Resources: env.NewServer(lax),
		Verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
			return nil, errors.New("judge unreachable")
		}),
	}
	problems := strings.Join(gymtest.Check(context.Background(), e, singletoolcall.Policy(), rows(t, "../testdata/singletoolcall.jsonl")[:2]), "\n")
	require.Contains(t, problems, `tool "lax": parameters: additionalProperties is not false`)
	require.Contains(t, problems, `property "x" is not required`)
	require.Contains(t, problems, `tool "lax": arguments that do not fit are a failure`)
	require.Contains(t, problems, "the rollout failed")
	require.Contains(t, problems, "judge unreachable")
}

// A tool whose state type is not the server's, and rows that offer the
// model no tools, are reported.
func TestCheckReportsStateMismatchAndRowsWithoutTools(t *testing.T) {
	type want struct{ n int }
	type got struct{ s string }
	peek := env.NewStateTool("get_weather", "Peek.", func(_ context.Context, st *want, in struct {
		City string `json:"city"`
	}) (int, error) {
		return st.n, nil
	})
	srv := env.NewServer(peek)
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &got{}, nil }
	e := gym.Environment{Resources: srv, Verifier: verifier.Constant(1)}
	all := rows(t, "../testdata/singletoolcall.jsonl")[:2]
	problems := strings.Join(gymtest.Check(context.Background(), e, singletoolcall.Policy(), all), "\n")
	require.Contains(t, problems, `tool "get_weather": the environment is put together wrong`)
	require.Contains(t, problems, "the environment is put together wrong: tool \"get_weather\": the session state is a *gymtest_test.got, but the tool takes a *gymtest_test.want")
	require.NotContains(t, problems, "arguments that do not fit")
	require.NotContains(t, problems, "offers the model no tools")

	bare, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"What is the weather in Paris?"}}`))
	require.NoError(t, err)
	fine := gym.Environment{Resources: env.NewServer(env.NewTool("get_weather", "Weather.", func(context.Context, struct {
		City string `json:"city"`
	}) (string, error) {
		return "sunny", nil
	})), Verifier: verifier.Constant(1)}
	problems = strings.Join(gymtest.Check(context.Background(), fine, singletoolcall.Policy(), append(all, bare)), "\n")
	require.Contains(t, problems, "warning: row 2 offers the model no tools (responses_create_params.tools), but the environment has [get_weather]")
	require.NotContains(t, problems, "row 0 offers")
}

// A tool the rows offer with "strict": false may leave arguments optional;
// the same schema undeclared is reported.
func TestCheckDeclaredNonStrict(t *testing.T) {
	optional := &env.Tool{
		Name:       "get_weather",
		Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":[],"additionalProperties":false}`),
		Handler: func(context.Context, any, json.RawMessage) (json.RawMessage, error) {
			return json.RawMessage(`{"city": "SF", "weather_description": "cold"}`), nil
		},
	}
	e := gym.Environment{Resources: env.NewServer(optional), Verifier: verifier.Constant(1)}
	all := rows(t, "../testdata/singletoolcall.jsonl")[:1]
	require.Contains(t, strings.Join(gymtest.Check(context.Background(), e, singletoolcall.Policy(), all), "\n"), `property "city" is not required`)

	declared, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"weather in sf?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"},"strict":false}]}}`))
	require.NoError(t, err)
	require.Empty(t, gymtest.Check(context.Background(), e, singletoolcall.Policy(), []rollout.Task{declared}))
}
