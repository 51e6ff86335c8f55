package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// fields returns the verdict's fields as "name=value" in order.
func fields(v *verifier.Verdict) []string {
	var out []string
	for _, f := range v.Fields.Fields() {
		out = append(out, f.Name+"="+string(f.Value))
	}
	return out
}

func TestVerdictSetKeepsOrder(t *testing.T) {
	v := verifier.Reward(1).
		Set("accuracy", true).
		Set("parsed", []int{1, 2}).
		Set("set_overlap", 0.5).
		Set("accuracy", false) // replaced in place
	require.Equal(t, []string{"accuracy=false", "parsed=[1,2]", "set_overlap=0.5"}, fields(v))
	require.Equal(t, 1.0, v.Reward)
}

// Floats are written as Python writes them, so a field reads the same in
// both ecosystems (1.0, not 1).
func TestVerdictSetValues(t *testing.T) {
	type answer struct {
		Text string `json:"text"`
	}
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"float one", 1.0, "1.0"},
		{"float zero", 0.0, "0.0"},
		{"negative float", -2.0, "-2.0"},
		{"half", 0.5, "0.5"},
		{"third", 1.0 / 3, "0.3333333333333333"},
		{"small", 1e-7, "1e-07"},
		{"float32 one", float32(1), "1.0"},
		{"float32 tenth", float32(0.1), "0.1"},
		{"int", 1, "1"},
		{"bool", true, "true"},
		{"string", "a <b>", `"a <b>"`},
		{"nil", nil, "null"},
		{"struct", answer{"x"}, `{"text":"x"}`},
		{"list", []string{"a"}, `["a"]`},
		{"raw JSON", rollout.Int(3), "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := (&verifier.Verdict{}).Set("f", tt.value)
			require.Equal(t, []string{"f=" + tt.want}, fields(v))
		})
	}
}

// A value JSON cannot carry is not set: the verdict records why, and Run
// makes it a verifier failure naming the field.
func TestVerdictSetRejectsWhatJSONCannotCarry(t *testing.T) {
	type scores struct {
		F float64 `json:"f"`
	}
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"NaN", math.NaN(), `field "x" is NaN`},
		{"infinity", math.Inf(1), `field "x" is +Inf`},
		{"float32 infinity", float32(math.Inf(-1)), `field "x" is -Inf`},
		{"NaN in a list", []float64{1, math.NaN()}, `field "x": json: unsupported value: NaN`},
		{"NaN in a struct", scores{math.Inf(1)}, `field "x": json: unsupported value: +Inf`},
		{"channel", make(chan int), `field "x": json: unsupported type: chan int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verifier.Reward(1).Set("ok", 1.0).Set("x", tt.value).Set("later", 2.0)
			require.ErrorContains(t, v.Err(), tt.want)
			require.Equal(t, []string{"ok=1.0", "later=2.0"}, fields(v), "the bad field is not set")
			_, err := verifier.Run(context.Background(), verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
				return v, nil
			}), &verifier.Request{})
			f := rollout.AsFailure(err)
			require.Equal(t, rollout.FailVerifier, f.Class)
			require.Equal(t, "verify", f.Stage)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestVerdictInOutputRow(t *testing.T) {
	v := verifier.Reward(1).Set("accuracy", 1.0).Set("parsed", []int{7})
	res := &rollout.Result{Reward: v.Reward, Fields: v.Fields}
	require.Equal(t, `{"_ng_task_index":0,"_ng_rollout_index":0,"reward":1.0,"accuracy":1.0,"parsed":[7]}`, string(res.AppendJSON(nil)))
}

func TestVerdictField(t *testing.T) {
	v := verifier.Reward(0).Set("parsed", []int{1, 2}).Set("score", 0.25)

	var parsed []int
	require.NoError(t, v.Field("parsed", &parsed))
	require.Equal(t, []int{1, 2}, parsed)

	var score float64
	require.NoError(t, v.Field("score", &score))
	require.Equal(t, 0.25, score)

	var s string
	require.Error(t, v.Field("parsed", &s), "a list is not a string")
	require.EqualError(t, v.Field("missing", &s), `verifier: no field "missing"`)
}

func TestConstant(t *testing.T) {
	for _, r := range []float64{0, 0.5, 1} {
		v, err := verifier.Constant(r).Verify(context.Background(), &verifier.Request{})
		require.NoError(t, err)
		require.Equal(t, r, v.Reward)
		require.Zero(t, v.Fields.Len())
		require.Empty(t, v.Components)
	}
}

func TestFunc(t *testing.T) {
	boom := errors.New("boom")
	var got *verifier.Request
	f := verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		got = req
		return nil, boom
	})
	req := &verifier.Request{Session: "s"}
	_, err := f.Verify(context.Background(), req)
	require.ErrorIs(t, err, boom)
	require.Same(t, req, got)
}

func items(t *testing.T, jsons ...string) []rollout.Item {
	t.Helper()
	items, err := rollout.ParseItems([]byte("[" + strings.Join(jsons, ",") + "]"))
	require.NoError(t, err)
	return items
}

func TestLastCall(t *testing.T) {
	output := items(t,
		`{"type":"function_call","name":"search","call_id":"c1","arguments":"{\"q\":1}"}`,
		`{"type":"function_call_output","call_id":"c1","output":"x"}`,
		`{"type":"function_call","name":"submit","call_id":"c2","arguments":"{\"a\":1}"}`,
		`{"type":"function_call","name":"search","call_id":"c3","arguments":"{\"q\":2}"}`,
		`{"type":"function_call","name":"submit","call_id":"c4","arguments":"{\"a\":2}"}`,
		`{"type":"function_call_output","call_id":"c4","output":"y","name":"submit"}`,
		`{"type":"message","role":"assistant","content":"done"}`,
	)
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"search", "c3", true},
		{"submit", "c4", true},
		{"missing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := verifier.LastCall(output, tt.name)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, it.CallID())
		})
	}
	_, ok := verifier.LastCall(nil, "search")
	require.False(t, ok)
}

func TestLastMessage(t *testing.T) {
	tests := []struct {
		name   string
		output []rollout.Item
		want   string
	}{
		{"none", nil, ""},
		{"string content", items(t, `{"type":"message","role":"assistant","content":"hello"}`), "hello"},
		{"output_text parts", items(t,
			`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a"},{"type":"output_text","text":"b"}]}`), "ab"},
		{"the last one", items(t,
			`{"type":"message","role":"assistant","content":"first"}`,
			`{"type":"function_call","name":"f","call_id":"c","arguments":"{}"}`,
			`{"type":"function_call_output","call_id":"c","output":"out"}`,
			`{"type":"message","role":"assistant","content":"second"}`,
			`{"type":"reasoning","summary":[{"type":"summary_text","text":"thinking"}]}`,
		), "second"},
		{"only assistant messages", items(t,
			`{"type":"message","role":"assistant","content":"mine"}`,
			`{"type":"message","role":"user","content":"yours"}`,
		), "mine"},
		{"an easy message without type", items(t, `{"role":"assistant","content":"typeless"}`), "typeless"},
		{"no assistant message", items(t, `{"type":"message","role":"user","content":"q"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, verifier.LastMessage(tt.output))
		})
	}
}

func ExampleVerdict_Set() {
	v := verifier.Reward(1).
		Set("accuracy", true).
		Set("set_overlap", 1.0).
		Set("parsed_synonym_values", []int{711, 407})
	res := &rollout.Result{Reward: v.Reward, Fields: v.Fields}
	fmt.Println(string(res.AppendJSON(nil)))
	// Output:
	// {"_ng_task_index":0,"_ng_rollout_index":0,"reward":1.0,"accuracy":true,"set_overlap":1.0,"parsed_synonym_values":[711,407]}
}

func explode(context.Context, *verifier.Request) (*verifier.Verdict, error) { panic("judge exploded") }

func TestRun(t *testing.T) {
	ctx := context.Background()
	req := &verifier.Request{Session: "s"}

	v, err := verifier.Run(ctx, nil, req)
	require.NoError(t, err)
	require.Equal(t, &verifier.Verdict{}, v, "no verifier: reward 0")

	want := verifier.Reward(0.5).Set("accuracy", true)
	want.Components = map[string]float64{"a": 1}
	v, err = verifier.Run(ctx, verifier.Func(func(_ context.Context, got *verifier.Request) (*verifier.Verdict, error) {
		require.Same(t, req, got)
		return want, nil
	}), req)
	require.NoError(t, err)
	require.Same(t, want, v)

	judgeDown := errors.New("judge unavailable")
	timedOut, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	<-timedOut.Done()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	kept := &rollout.Failure{Class: rollout.FailRemote, Stage: "verify", Retryable: true, Err: errors.New("502")}
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		v         verifier.Func
		class     rollout.FailureClass
		retryable bool
		message   string
		is        error
	}{
		{"error", ctx, func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, judgeDown },
			rollout.FailVerifier, false, "verify: judge unavailable", judgeDown},
		{"error after the deadline", timedOut, func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, judgeDown },
			rollout.FailTimeout, true, "verify: judge unavailable", judgeDown},
		{"error after cancellation", cancelled, func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, judgeDown },
			rollout.FailCancelled, false, "verify: judge unavailable", judgeDown},
		{"a failure is kept", ctx, func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, kept },
			rollout.FailRemote, true, "502", kept},
		{"panic", ctx, explode, rollout.FailVerifier, false, "verifier panicked: judge exploded", nil},
		{"no verdict", ctx, func(context.Context, *verifier.Request) (*verifier.Verdict, error) { return nil, nil },
			rollout.FailVerifier, false, "verify: the verifier returned no verdict", nil},
		{"NaN reward", ctx, func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
			return verifier.Reward(math.NaN()), nil
		},
			rollout.FailVerifier, false, "non-finite reward (NaN", nil},
		{"infinite component", ctx, func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
			return &verifier.Verdict{Reward: 1, Components: map[string]float64{"a": math.Inf(-1)}}, nil
		}, rollout.FailVerifier, false, `non-finite reward component "a" (-Inf)`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifier.Run(tc.ctx, tc.v, req)
			require.Nil(t, v)
			f, ok := errors.AsType[*rollout.Failure](err)
			require.True(t, ok, "%T: %v", err, err)
			require.Equal(t, tc.class, f.Class)
			require.Equal(t, "verify", f.Stage)
			require.Equal(t, tc.retryable, f.Retryable)
			require.ErrorContains(t, err, tc.message)
			if tc.name == "panic" {
				require.Contains(t, f.Stack, "verifier_test.explode", "the stack shows where the verifier panicked")
			} else {
				require.Empty(t, f.Stack)
			}
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
		})
	}
}
