package rollout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
)

// The hermes rollouts carry the token fields on every call's last item
// (empty lists in this sample): they must read as one call each.
func TestTrajectoryOfReferenceRollouts(t *testing.T) {
	path := reftest.Path(t, "responses_api_agents", "hermes_agent", "data", "example_math_rollouts.jsonl")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	n := 0
	for res, err := range rollout.ReadResults(f, path) {
		require.NoError(t, err)
		tr, err := res.Trajectory()
		require.NoError(t, err, "row %d", n+1)
		require.NotEmpty(t, tr.Calls)
		last := tr.Calls[len(tr.Calls)-1]
		require.True(t, slices.Equal(slices.Concat(last.PromptIDs, last.GenerationIDs), tr.TokenIDs))
		require.Len(t, tr.LossMask, len(tr.TokenIDs))
		require.Len(t, tr.LogProbs, len(tr.TokenIDs))
		generated := 0
		for i, m := range tr.LossMask {
			generated += m
			if m == 0 {
				require.Zero(t, tr.LogProbs[i])
			}
		}
		want := 0
		for _, c := range tr.Calls {
			want += len(c.GenerationIDs)
		}
		require.Equal(t, want, generated)
		n++
	}
	require.Positive(t, n)
}

func TestTrajectoryOfDetectsBrokenChain(t *testing.T) {
	call := func(prompt, gen []int) rollout.Item {
		it := rollout.NewOutputMessage("m", "x")
		lps := make([]float64, len(gen))
		for i := range lps {
			lps[i] = -0.5
		}
		it.SetTokens(&rollout.Tokens{PromptIDs: prompt, GenerationIDs: gen, LogProbs: lps})
		return it
	}
	resp := &rollout.Response{Output: []rollout.Item{
		call([]int{1, 2}, []int{3, 4}),
		rollout.NewFunctionCallOutput("c", "out"),
		call([]int{1, 2, 3, 4, 5}, []int{6}),
	}}
	tr, err := rollout.TrajectoryOf(resp)
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3, 4, 5, 6}, tr.TokenIDs)
	require.Equal(t, []int{0, 0, 1, 1, 0, 1}, tr.LossMask)
	require.Equal(t, []float64{0, 0, -0.5, -0.5, 0, -0.5}, tr.LogProbs)

	// A re-tokenised turn: the second prompt renders the first generation differently.
	resp.Output[2] = call([]int{1, 2, 3, 9, 5}, []int{6})
	_, err = rollout.TrajectoryOf(resp)
	var broken *rollout.BrokenChainError
	require.ErrorAs(t, err, &broken)
	require.Equal(t, rollout.BrokenChainError{Call: 1, Offset: 3, Want: 4, Got: 9}, *broken)

	// Partial token data is an error, not silently skipped.
	partial := rollout.NewOutputMessage("m", "x")
	partial.Set(rollout.KeyPromptTokenIDs, []byte("[1]"))
	_, err = rollout.TrajectoryOf(&rollout.Response{Output: []rollout.Item{partial}})
	require.ErrorContains(t, err, "only some of")

	_, err = rollout.TrajectoryOf(&rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("m", "x")}})
	require.True(t, errors.Is(err, rollout.ErrNoTokens))
}

func TestParseIntsAndFloats(t *testing.T) {
	ids, err := rollout.ParseInts([]byte(` [ 1, -2 ,30000 ] `))
	require.NoError(t, err)
	require.Equal(t, []int{1, -2, 30000}, ids)
	for _, bad := range []string{`[1,,2]`, `[1.5]`, `{}`, `[1`, `["1"]`} {
		_, err := rollout.ParseInts([]byte(bad))
		require.Error(t, err, bad)
	}
	fs, err := rollout.ParseFloats([]byte(`[-0.5,1e-7, 0]`))
	require.NoError(t, err)
	require.Equal(t, []float64{-0.5, 1e-7, 0}, fs)
	require.Equal(t, `[-0.5,1e-07,0.0]`, string(rollout.AppendFloats(nil, fs)))
	_, err = rollout.ParseFloats([]byte(`[1,x]`))
	require.Error(t, err)
	empty, err := rollout.ParseFloats([]byte(` [ ] `))
	require.NoError(t, err)
	require.Empty(t, empty)
	tiny, err := rollout.ParseFloats([]byte(`[1e-400]`))
	require.NoError(t, err, "too small reads as 0, as in Python")
	require.Equal(t, []float64{0}, tiny)
}

// The list parsers take JSON's grammar only: what strconv or a lax scanner
// would accept is an error.
func TestParseListsAreStrict(t *testing.T) {
	bad := []string{`[1 2]`, `[1,]`, `[,1]`, `[NaN]`, `[Infinity]`, `[-Infinity]`, `[0x1p-2]`, `[1_000]`,
		`[01]`, `[+1]`, `[.5]`, `[1.]`, `[1e]`, `[1]x`, `[1] [2]`, `[1]]`, `[`, `[1`, `1`, ``, `[true]`, `[null]`}
	for _, b := range bad {
		_, err := rollout.ParseFloats([]byte(b))
		require.Error(t, err, "ParseFloats(%s)", b)
		_, err = rollout.ParseInts([]byte(b))
		require.Error(t, err, "ParseInts(%s)", b)
	}
	for _, b := range []string{`[1e400]`, `[-1e309]`} {
		_, err := rollout.ParseFloats([]byte(b))
		require.ErrorContains(t, err, "does not fit a float64", b)
	}
	for _, b := range []string{`[1e2]`, `[1.0]`, `[12345678901234567890]`} {
		_, err := rollout.ParseInts([]byte(b))
		require.Error(t, err, b)
	}
}

// Set takes one JSON value only, so that every row written is JSON.
func TestObjectSetRejectsInvalidJSON(t *testing.T) {
	for _, bad := range []string{`NaN`, `Infinity`, `-Infinity`, `{"a":`, `1 2`, `[1,]`, `'x'`, `{"a":NaN}`, "\"x\"\n\"y\""} {
		var o rollout.Object
		require.PanicsWithValue(t, fmt.Sprintf("rollout: Set(%q): the value is not one JSON value: %.80q", "f", bad),
			func() { o.Set("f", json.RawMessage(bad)) }, bad)
		require.False(t, o.Has("f"))
	}
	var o rollout.Object
	for i, good := range []string{`1`, ` [1, 2] `, `[1,-2.5e3,0]`, `[]`, `{"a":[1,{"b":null}]}`, `"x"`, `null`} {
		o.Set(fmt.Sprint(i), json.RawMessage(good))
	}
	o.Set("empty", nil) // null
	require.True(t, json.Valid(o.AppendJSON(nil)))
	require.Error(t, o.SetValue("nan", math.NaN()))
	require.False(t, o.Has("nan"))
}

// The vLLM round-trip sample is a real Qwen3 episode with token ids,
// recorded without prefix reuse: the second call's prompt re-renders the
// first generation ("\n" became "\n\n"), so the chain is broken there and
// must be reported, not trained on.
func TestTrajectoryOfVLLMEpisodeDetectsDrift(t *testing.T) {
	path := reftest.Path(t, "responses_api_models", "vllm_model", "tests", "round_trip_test_data.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	top, err := rollout.ParseObject(data)
	require.NoError(t, err)
	raw, ok := top.Get("input")
	require.True(t, ok)
	resp, err := rollout.ParseResponse(raw)
	require.NoError(t, err)
	_, err = rollout.TrajectoryOf(resp)
	var broken *rollout.BrokenChainError
	require.ErrorAs(t, err, &broken)
	require.Equal(t, rollout.BrokenChainError{Call: 1, Offset: 3089, Want: 198, Got: 271}, *broken)

	// The first call alone is a valid training sequence.
	first := &rollout.Response{}
	for _, it := range resp.Output {
		first.Output = append(first.Output, it)
		if tok, _ := it.Tokens(); tok != nil {
			break
		}
	}
	tr, err := rollout.TrajectoryOf(first)
	require.NoError(t, err)
	require.Len(t, tr.Calls, 1)
	require.Equal(t, slices.Concat(tr.Calls[0].PromptIDs, tr.Calls[0].GenerationIDs), tr.TokenIDs)
}
