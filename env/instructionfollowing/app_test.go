package instructionfollowing_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func task(t *testing.T, fields map[string]any) rollout.Task {
	t.Helper()
	row := map[string]any{"responses_create_params": map[string]any{"input": []any{map[string]any{"role": "user", "content": "prompt"}}}}
	for k, v := range fields {
		row[k] = v
	}
	b, err := json.Marshal(row)
	require.NoError(t, err)
	tk, err := rollout.ParseTask(b)
	require.NoError(t, err)
	return tk
}

func meta(ids []string, kwargs []any, mode string) map[string]any {
	m := map[string]any{"instruction_id_list": ids, "prompt": "p", "kwargs": kwargs}
	if mode != "" {
		m["grading_mode"] = mode
	}
	return m
}

// The cases of NeMo Gym's resources_servers/instruction_following/tests/test_app.py.
func TestNeMoGymAppCases(t *testing.T) {
	for _, c := range []struct {
		name       string
		row        map[string]any
		response   string
		followAll  bool
		reward     float64
		followList []bool
	}{
		{"title positive", map[string]any{"id": 1, "verifier_metadata": meta([]string{"detectable_format:title"}, []any{map[string]any{}}, "binary")},
			"<<My Title>>\n\nThis is the content of my response.", true, 1, []bool{true}},
		{"title negative", map[string]any{"id": 1, "verifier_metadata": meta([]string{"detectable_format:title"}, []any{map[string]any{}}, "binary")},
			"This response has no title.", false, 0, []bool{false}},
		{"no comma positive", map[string]any{"id": 1, "verifier_metadata": meta([]string{"punctuation:no_comma"}, []any{map[string]any{}}, "binary")},
			"Hello world without commas at all", true, 1, []bool{true}},
		{"no comma negative", map[string]any{"id": 1, "verifier_metadata": meta([]string{"punctuation:no_comma"}, []any{map[string]any{}}, "binary")},
			"Hello, world with commas", false, 0, []bool{false}},
		{"word count positive", map[string]any{"id": 100, "verifier_metadata": meta([]string{"length_constraints:number_words"}, []any{map[string]any{"num_words": 6, "relation": "at least"}}, "binary")},
			"This response has exactly six words.", true, 1, []bool{true}},
		{"word count negative", map[string]any{"id": 1, "verifier_metadata": meta([]string{"length_constraints:number_words"}, []any{map[string]any{"num_words": 10, "relation": "at least"}}, "binary")},
			"Too short.", false, 0, []bool{false}},
		{"multiple constraints positive", map[string]any{"id": 200, "verifier_metadata": meta([]string{"detectable_format:title", "punctuation:no_comma"}, []any{map[string]any{}, map[string]any{}}, "binary")},
			"<<My Great Title>>\n\nThis is a response without any commas at all.", true, 1, []bool{true, true}},
		{"multiple constraints negative", map[string]any{"id": 201, "verifier_metadata": meta([]string{"detectable_format:title", "punctuation:no_comma"}, []any{map[string]any{}, map[string]any{}}, "binary")},
			"<<My Great Title>>\n\nThis response has commas, which should fail.", false, 0, []bool{true, false}},
		{"fractional reward half", map[string]any{"id": 300, "verifier_metadata": meta([]string{"detectable_format:title", "punctuation:no_comma"}, []any{map[string]any{}, map[string]any{}}, "fraction")},
			"<<My Great Title>>\n\n with a comma here, okay.", false, 0.5, []bool{true, false}},
		{"legacy top-level format", map[string]any{"id": 1, "instruction_id_list": []string{"detectable_format:title"}, "prompt": "Write the entire response with a title.", "kwargs": []any{map[string]any{}}},
			"<<My Title>>\n\nThis is the content of my response.", true, 1, []bool{true}},
		{"legacy grading_mode migrated", map[string]any{"id": 1, "instruction_id_list": []string{"detectable_format:title", "punctuation:no_comma"}, "prompt": "p", "kwargs": []any{map[string]any{}, map[string]any{}}, "grading_mode": "fraction"},
			"<<My Great Title>>\n\n with a comma here, okay.", false, 0.5, []bool{true, false}},
		{"explicit verifier_metadata takes precedence", map[string]any{"id": 1, "instruction_id_list": []string{"punctuation:no_comma"}, "prompt": "stale", "kwargs": []any{map[string]any{}},
			"verifier_metadata": meta([]string{"detectable_format:title"}, []any{map[string]any{}}, "")},
			"<<My Title>>\n\nThis is the content of my response.", true, 1, []bool{true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, v, err := instructionfollowing.New(instructionfollowing.Config{})
			require.NoError(t, err)
			verdict, err := verifier.Run(context.Background(), v, &verifier.Request{Task: task(t, c.row), Response: textResponse(c.response)})
			require.NoError(t, err)
			require.Equal(t, c.reward, verdict.Reward)
			var all bool
			var list []bool
			require.NoError(t, verdict.Field("follow_all_instructions", &all))
			require.NoError(t, verdict.Field("follow_instruction_list", &list))
			require.Equal(t, c.followAll, all)
			require.Equal(t, c.followList, list)
			names := []string{}
			for _, f := range verdict.Fields.Fields() {
				names = append(names, f.Name)
			}
			require.Equal(t, []string{"follow_all_instructions", "follow_instruction_list", "verifier_metadata"}, names)
		})
	}
}

// Legacy fields are migrated into verifier_metadata, which the verdict
// carries, after the fields it already had.
func TestVerifierMetadataMigrated(t *testing.T) {
	row := task(t, map[string]any{"id": 1, "verifier_metadata": map[string]any{"prompt": "inner"},
		"instruction_id_list": []string{"detectable_format:title"}, "kwargs": []any{nil}, "grading_mode": "fraction"})
	res, err := instructionfollowing.Verify(row, textResponse("<<t>>"))
	require.NoError(t, err)
	require.JSONEq(t, `{"prompt":"inner","instruction_id_list":["detectable_format:title"],"kwargs":[null],"grading_mode":"fraction"}`, string(res.VerifierMeta.AppendJSON(nil)))
	require.Equal(t, `{"prompt":"inner","instruction_id_list":["detectable_format:title"],"kwargs":[null],"grading_mode":"fraction"}`, string(res.VerifierMeta.AppendJSON(nil)))
	require.Equal(t, 1.0, res.Reward)
}

// Rows NeMo Gym's request model rejects are invalid rows naming the fields.
func TestInvalidRows(t *testing.T) {
	for _, c := range []struct {
		row  map[string]any
		want string
	}{
		{map[string]any{"id": 1, "verifier_metadata": map[string]any{"prompt": "some prompt"}}, `verifier_metadata is missing required fields: ["instruction_id_list" "kwargs"]`},
		{map[string]any{"verifier_metadata": meta([]string{"detectable_format:title"}, []any{nil}, "")}, `no "id"`},
		{map[string]any{"id": "x", "verifier_metadata": meta([]string{"detectable_format:title"}, []any{nil}, "")}, `"id" is "x", not an integer`},
		{map[string]any{"id": 1}, `missing required fields: ["instruction_id_list" "prompt" "kwargs"]`},
		{map[string]any{"id": 1, "verifier_metadata": []any{}}, `"verifier_metadata" is not an object`},
	} {
		_, v, _ := instructionfollowing.New(instructionfollowing.Config{})
		_, err := verifier.Run(context.Background(), v, &verifier.Request{Task: task(t, c.row), Response: textResponse("x")})
		var f *rollout.Failure
		require.True(t, errors.As(err, &f), "%v", err)
		require.Equal(t, rollout.FailInvalidRow, f.Class)
		require.ErrorContains(t, err, c.want)
	}
}

// Unknown ids, bad kwargs and checks that raise fail their instruction
// only, with the reason; an unknown grading_mode is a verifier error.
func TestBadInstructions(t *testing.T) {
	row := task(t, map[string]any{"id": 1, "verifier_metadata": meta(
		[]string{"no_such:instruction", "length_constraints:number_words", "length_constraints:number_words", "keywords:existence", "last_word:last_word_answer", "punctuation:no_comma"},
		[]any{nil, map[string]any{"num_words": "ten", "relation": "at least"}, map[string]any{"num_words": 1, "relation": "about"}, map[string]any{"keywords": []any{"(unclosed"}}, map[string]any{"last_word": "x"}, []any{}},
		"fraction")})
	res, err := instructionfollowing.Verify(row, textResponse(""))
	require.NoError(t, err)
	require.Equal(t, []bool{false, false, false, false, false, false}, res.FollowList)
	for i, want := range []string{`unknown instruction id "no_such:instruction"`, `argument "num_words": want a number`, `but about is given`, `re.error`, `IndexError`, `kwargs [] are not an object`} {
		require.ErrorContains(t, res.Errors[i], want)
	}
	require.Equal(t, 0.0, res.Reward)

	bad := task(t, map[string]any{"id": 1, "verifier_metadata": meta([]string{"punctuation:no_comma"}, []any{nil}, "majority")})
	_, v, _ := instructionfollowing.New(instructionfollowing.Config{})
	_, err = verifier.Run(context.Background(), v, &verifier.Request{Task: bad, Response: textResponse("x")})
	require.ErrorContains(t, err, "invalid grading_mode")
	require.Equal(t, rollout.FailVerifier, rollout.AsFailure(err).Class)

	// verifier_metadata.get("grading_mode", "binary") is None for an explicit null.
	m := meta([]string{"punctuation:no_comma"}, []any{nil}, "")
	m["grading_mode"] = nil
	_, err = instructionfollowing.Verify(task(t, map[string]any{"id": 1, "verifier_metadata": m}), textResponse("x"))
	require.ErrorContains(t, err, "invalid grading_mode: null")
}

// Python's zip pairs instructions with kwargs: the shorter list wins.
func TestZipPairing(t *testing.T) {
	row := task(t, map[string]any{"id": 1, "verifier_metadata": meta([]string{"punctuation:no_comma", "detectable_format:title"}, []any{nil}, "")})
	res, err := instructionfollowing.Verify(row, textResponse("no commas"))
	require.NoError(t, err)
	require.Equal(t, []bool{true}, res.FollowList)
	require.True(t, res.FollowAll)
}

// The checked text is the last output item's first content part; no
// output is "".
func TestFinalText(t *testing.T) {
	row := task(t, map[string]any{"id": 1, "verifier_metadata": meta([]string{"punctuation:no_comma"}, []any{nil}, "")})
	res, err := instructionfollowing.Verify(row, &rollout.Response{})
	require.NoError(t, err)
	require.Equal(t, "", res.ResponseText)
	require.Equal(t, 1.0, res.Reward)
}
