package mcqa_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env/mcqa"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/choice"
)

// row builds a dataset row with the given task fields (JSON values).
func row(t testing.TB, fields map[string]any) rollout.Task {
	t.Helper()
	var task rollout.Task
	task.Set(rollout.KeyCreateParams, json.RawMessage(`{"input":[{"role":"user","content":"Q?"}]}`))
	for k, v := range fields {
		require.NoError(t, task.SetValue(k, v))
	}
	return task
}

// answer is a response whose one assistant message says text.
func answer(text string) *rollout.Response {
	return &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("msg_test", text)}}
}

// letterOptions are NeMo Gym's test options: {"A": "optA"}, ...
func letterOptions(letters string) []map[string]string {
	var out []map[string]string
	for _, l := range letters {
		out = append(out, map[string]string{string(l): "opt" + string(l)})
	}
	return out
}

// tenOptions are TestStrictBoxedLatexExtraction's A..J "option X text".
func tenOptions() []map[string]string {
	var out []map[string]string
	for _, l := range "ABCDEFGHIJ" {
		out = append(out, map[string]string{string(l): fmt.Sprintf("option %c text", l)})
	}
	return out
}

type verifyCase struct {
	name       string
	configMode choice.Mode // the server config's grading_mode
	text       string
	fields     map[string]any
	reward     float64
	extracted  any // "B" or nil
}

func runCases(t *testing.T, cases []verifyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, v, err := mcqa.New(mcqa.Config{GradingMode: tc.configMode})
			require.NoError(t, err)
			verdict, err := v.Verify(context.Background(), &verifier.Request{Task: row(t, tc.fields), Response: answer(tc.text)})
			require.NoError(t, err)
			require.Equal(t, tc.reward, verdict.Reward)
			var extracted any
			require.NoError(t, verdict.Field("extracted_answer", &extracted))
			require.Equal(t, tc.extracted, extracted)
		})
	}
}

func fourOptions(expected, mode string) map[string]any {
	return map[string]any{"options": letterOptions("ABCD"), "expected_answer": expected, "grading_mode": mode}
}

// The cases of NeMo Gym's resources_servers/mcqa/tests/test_app.py.
func TestNeMoGymCases(t *testing.T) {
	withRegex := func(expected string, options any, regex any) map[string]any {
		return map[string]any{"options": options, "expected_answer": expected, "template_metadata": map[string]any{"output_regex": regex}}
	}
	ab := letterOptions("AB")
	runCases(t, []verifyCase{
		// TestApp.test_verify_correct
		{"strict needs a box", "", "The answer is C.", fourOptions("C", "strict_single_letter_boxed"), 0, nil},
		{"strict boxed bracket", "", `Final: \boxed{ [C] }`, fourOptions("C", "strict_single_letter_boxed"), 1, "C"},
		{"lenient boxed option text", "", `Final: \boxed{ optC }`, fourOptions("C", "lenient_boxed"), 1, "C"},
		{"answer colon letter", "", "Answer: c", fourOptions("C", "lenient_answer_colon"), 1, "C"},
		{"answer colon option text", "", "Answer: optC", fourOptions("C", "lenient_answer_colon"), 1, "C"},
		// template_metadata
		{"template basic", "", "Option Selected: B", map[string]any{"options": ab, "expected_answer": "B", "grading_mode": "strict_single_letter_boxed",
			"template_metadata": map[string]any{"output_regex": `Option Selected:\s*([A-Za-z])`}}, 1, "B"},
		{"template case-insensitive", "", "ANSWER IS b", withRegex("B", ab, `ANSWER IS\s*([A-Za-z])`), 1, "B"},
		{"template regex list", "", "Antwort: B", withRegex("B", ab, []string{`Answer\s*:\s*([A-Za-z])`, `Antwort\s*:\s*([A-Za-z])`}), 1, "B"},
		{"template multilingual letters", "", "الإجابة: ب", withRegex("B", ab, []string{`الإجابة:\s*([أ-د])`}), 1, "B"},
		{"template rightmost match", "", "Maybe Answer: A? Let me reconsider. Final Answer: B", withRegex("B", ab, `Answer:\s*([A-Za-z])`), 1, "B"},
		{"template before grading mode", "", "Final Choice: B", withRegex("B", ab, `Final Choice:\s*([A-Za-z])`), 1, "B"},
		{"template invalid regex falls back", "", `\boxed{B}`, withRegex("B", ab, `([`), 1, "B"},
		{"template without options", "", "Selected: B", withRegex("B", []any{}, `Selected:\s*([A-Za-z])`), 1, "B"},
		// TestGradingModeConfig
		{"config mode overrides row", choice.LenientAnswerColon, "I think the answer is B.\n\nAnswer: B", fourOptions("B", "strict_single_letter_boxed"), 1, "B"},
		{"no config mode uses row", "", "I think the answer is B.\n\nAnswer: B", fourOptions("B", "strict_single_letter_boxed"), 0, nil},
	})
}

func TestNeMoGymAnswerColonMD(t *testing.T) {
	md := choice.LenientAnswerColonMD
	opts := func(expected, letters string) map[string]any {
		return map[string]any{"options": letterOptions(letters), "expected_answer": expected}
	}
	cases := []verifyCase{
		{"plain", md, "The answer is B.\n\nAnswer: B", opts("B", "ABCD"), 1, "B"},
		{"markdown bold", md, "Reasoning here.\n\n**Answer: C**", opts("C", "ABCD"), 1, "C"},
		{"bold not read by lenient_answer_colon", choice.LenientAnswerColon, "**Answer: C**", opts("C", "ABCD"), 0, nil},
		{"underscores", md, "__Answer__: A", opts("A", "ABCD"), 1, "A"},
		{"leading letter", md, "Answer: B because C is not valid", opts("B", "ABCD"), 1, "B"},
		{"repeated letter", md, "Answer: B/B", opts("B", "ABCD"), 1, "B"},
		{"dollars", md, "Answer: $D$", opts("D", "ABCD"), 1, "D"},
		{"parentheses", md, "Answer: (D)", opts("D", "ABCD"), 1, "D"},
		{"inside a box", md, `\boxed{\text{Answer: G}}`, opts("G", "ABCDEFGHIJ"), 1, "G"},
		{"unextractable", md, "Answer: unknown", opts("B", "ABCD"), 0, nil},
		{"disallowed", md, "Answer: G", opts("B", "ABCD"), 0, nil},
		{"rightmost", md, "Answer: A\nAnswer: B", opts("B", "ABCD"), 1, "B"},
		{"no answer pattern", md, "I think it might be B but I'm not sure", opts("B", "ABCD"), 0, nil},
	}
	for _, amb := range []struct{ text, letters string }{
		{"Answer: A/B/C", "ABCD"}, {"Answer: B/I", "ABCDEFGHIJ"}, {"**Answer: D/H**", "ABCDEFGHIJ"},
		{"Answer: A or B", "ABCD"}, {"Answer: A and B", "ABCD"}, {"Answer: A, B", "ABCD"},
	} {
		cases = append(cases, verifyCase{"ambiguous " + amb.text, md, amb.text, opts("A", amb.letters), 0, nil})
	}
	for _, invalid := range []string{"unknown", "G", "A/B/C"} {
		cases = append(cases, verifyCase{"invalid rightmost " + invalid, md, "Answer: B\nAnswer: " + invalid, opts("B", "ABCD"), 1, "B"})
	}
	runCases(t, cases)
}

func TestNeMoGymStrictBoxedLatex(t *testing.T) {
	ten := func(expected string) map[string]any {
		return map[string]any{"options": tenOptions(), "expected_answer": expected}
	}
	strict := choice.StrictBoxed
	runCases(t, []verifyCase{
		{"text-wrapped letter", strict, `\boxed{\text{E}}`, ten("E"), 1, "E"},
		{"text-wrapped letter and option text", strict, `\boxed{\text{I: NGS can detect both coding and non-coding regions of the genome.}}`, ten("I"), 1, "I"},
		{"letter colon then wrapped text", strict, `\[ \boxed{E: \text{A polygenic risk score can provide a probability.}} \]`, ten("E"), 1, "E"},
		{"plain boxed letter", strict, `\boxed{B}`, fourOptions("B", "strict_single_letter_boxed"), 1, "B"},
		{"bracketed letter", strict, `Final: \boxed{ [C] }`, fourOptions("C", "strict_single_letter_boxed"), 1, "C"},
		{"bare option text is no letter", strict, `\boxed{A polygenic risk score can provide a probability.}`, ten("A"), 0, nil},
		{"lenient boxed with text wrapper", choice.LenientBoxed, `\boxed{\text{E}}`, map[string]any{"options": tenOptions(), "expected_answer": "E", "grading_mode": "lenient_boxed"}, 1, "E"},
		{"unbalanced box", strict, `\boxed{B`, fourOptions("B", "strict_single_letter_boxed"), 0, nil},
		{"last box wins", strict, `Candidate is \boxed{C}, but on reflection the answer is \boxed{E}`, ten("E"), 1, "E"},
		{"non-letter earlier box", strict, `Thinking: \boxed{\text{some idea}}. Final answer: \boxed{E}`, ten("E"), 1, "E"},
	})
}

// More of NeMo Gym's behaviour, beyond its own tests.
func TestQuirks(t *testing.T) {
	runCases(t, []verifyCase{
		{"empty response", "", "   \n", fourOptions("B", "strict_single_letter_boxed"), 0, nil},
		{"lower-case gold is normalized", "", `\boxed{B}`, fourOptions(" b ", "strict_single_letter_boxed"), 1, "B"},
		{"null gold scores 0", "", `\boxed{B}`, map[string]any{"options": letterOptions("ABCD"), "expected_answer": nil}, 0, "B"},
		{"letter not among options", "", `\boxed{E}`, fourOptions("E", "strict_single_letter_boxed"), 0, nil},
		{"template letter outside the options is trusted", "", "Selected: Z", map[string]any{"options": letterOptions("AB"), "expected_answer": "Z",
			"template_metadata": map[string]any{"output_regex": `Selected:\s*([A-Za-z])`}}, 1, "Z"},
		{"template option text", "", "Selected: optb", map[string]any{"options": letterOptions("AB"), "expected_answer": "B",
			"template_metadata": map[string]any{"output_regex": `Selected:\s*(\w+)`}}, 1, "B"},
		{"template named group", "", "Pick=A", map[string]any{"options": letterOptions("AB"), "expected_answer": "A",
			"template_metadata": map[string]any{"output_regex": `Pick=(?P<x>[A-Z])`}}, 1, "A"},
		{"template without match falls back", "", `\boxed{A}`, map[string]any{"options": letterOptions("AB"), "expected_answer": "A",
			"template_metadata": map[string]any{"output_regex": `Selected:\s*([A-Za-z])`}}, 1, "A"},
		{"empty template_metadata", "", `\boxed{A}`, map[string]any{"options": letterOptions("AB"), "expected_answer": "A", "template_metadata": map[string]any{}}, 1, "A"},
		{"null option is not a letter", "", `\boxed{B}`, map[string]any{"options": []any{map[string]any{"A": "x"}, map[string]any{"B": nil}}, "expected_answer": "B"}, 0, nil},
		{"lenient boxed two options match", choice.LenientBoxed, `\boxed{optA or optB}`, fourOptions("A", "lenient_boxed"), 0, nil},
		{"reasoning is not read", "", "", fourOptions("A", "strict_single_letter_boxed"), 0, nil},
	})
}

func TestVerdictFields(t *testing.T) {
	_, v, err := mcqa.New(mcqa.Config{})
	require.NoError(t, err)
	resp := answer(`\boxed{c}`)
	resp.Output = append([]rollout.Item{reasoning(t, `\boxed{A}`)}, resp.Output...)
	verdict, err := v.Verify(context.Background(), &verifier.Request{Task: row(t, fourOptions("c", "strict_single_letter_boxed")), Response: resp})
	require.NoError(t, err)
	// NeMo Gym's fields, in its order; BOXED_LETTER_ONLY wants a capital, so "c" is no answer.
	require.JSONEq(t, `{"expected_answer":"C","extracted_answer":null}`, string(verdict.Fields.AppendJSON(nil)))
	require.Equal(t, "expected_answer", verdict.Fields.Fields()[0].Name)
}

func reasoning(t testing.TB, text string) rollout.Item {
	it, err := rollout.ParseItem([]byte(fmt.Sprintf(`{"type":"reasoning","summary":[{"type":"summary_text","text":%q}]}`, text)))
	require.NoError(t, err)
	return it
}

// A row missing a field the verifier needs, or with a field of the wrong
// type, is an invalid row naming the field and the line.
func TestBadRows(t *testing.T) {
	_, v, err := mcqa.New(mcqa.Config{})
	require.NoError(t, err)
	for _, tc := range []struct {
		fields map[string]any
		field  string
	}{
		{map[string]any{"options": letterOptions("AB")}, "expected_answer"},
		{map[string]any{"expected_answer": 3}, "expected_answer"},
		{map[string]any{"expected_answer": "A", "options": map[string]any{"A": "x"}}, "options"},
		{map[string]any{"expected_answer": "A", "options": []any{map[string]any{"A": 1}}}, "options"},
		{map[string]any{"expected_answer": "A", "grading_mode": "lenient_answer_colon_md"}, "grading_mode"},
		{map[string]any{"expected_answer": "A", "grading_mode": nil}, "grading_mode"},
		{map[string]any{"expected_answer": "A", "template_metadata": "x"}, "template_metadata"},
		{map[string]any{"expected_answer": "A", "template_metadata": map[string]any{"output_regex": 5}}, "template_metadata.output_regex"},
		{map[string]any{"expected_answer": "A", "uuid": 5}, "uuid"},
	} {
		_, err := v.Verify(context.Background(), &verifier.Request{Task: row(t, tc.fields), Response: answer(`\boxed{A}`)})
		require.Error(t, err, tc.field)
		f := rollout.AsFailure(err)
		require.Equal(t, rollout.FailInvalidRow, f.Class, tc.field)
		var fe *verifier.FieldError
		require.True(t, errors.As(err, &fe), tc.field)
		require.Equal(t, tc.field, fe.Field)
	}

	// Read from a file, the failure names the line.
	path := filepath.Join(t.TempDir(), "rows.jsonl")
	writeFile(t, path, `{"responses_create_params":{"input":"q"},"expected_answer":"A"}`+"\n"+`{"responses_create_params":{"input":"q"}}`+"\n")
	var tasks []rollout.Task
	for task, err := range rollout.ReadTasksFile(path) {
		require.NoError(t, err)
		tasks = append(tasks, task)
	}
	_, err = v.Verify(context.Background(), &verifier.Request{Task: tasks[1], Response: answer(`\boxed{A}`)})
	require.ErrorContains(t, err, "rows.jsonl:2:")
	require.ErrorContains(t, err, `"expected_answer": missing`)

	// A dataset pattern NeMo Gym's server cannot use fails the rollout.
	_, err = v.Verify(context.Background(), &verifier.Request{Task: row(t, map[string]any{"expected_answer": "A",
		"template_metadata": map[string]any{"output_regex": `(A)|(B)`}}), Response: answer("A")})
	require.ErrorIs(t, err, choice.ErrRegexGroups)

	_, _, err = mcqa.New(mcqa.Config{GradingMode: "loose"})
	require.ErrorContains(t, err, `grading_mode "loose"`)
}

// replayEnvironment is the environment NeMo Gym's mcqa.yaml builds.
func replayEnvironment(m model.Model) gym.Environment {
	srv, v, err := mcqa.New(mcqa.Config{})
	if err != nil {
		panic(err)
	}
	return gym.Environment{Model: m, Resources: srv, Verifier: v}
}

// The rollouts NeMo Gym recorded with a real model replay to the recorded
// reward and fields — except the third row, recorded with an older mcqa
// whose strict mode wanted a bare letter in the box: its answer is
// \boxed{C: An individual with a family history ...}, which the current
// app.py reads as C (BOXED_LETTER_LABEL_PATTERN), the expected answer, so
// NeMo Gym's current code gives 1.0 where the recording says 0.0.
func TestReplayRecordedRollouts(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "mcqa", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: replayEnvironment,
		// expected_answer is a task field too, which Replay would remove from
		// the row: TestReverifyCommand compares it.
		Fields: []string{"reward", "extracted_answer"},
	})
	require.NoError(t, err)
	row3 := filepath.Join(data, "example_rollouts.jsonl") + " row 3: "
	require.ElementsMatch(t, []string{
		row3 + `field "reward" is 1.0, recorded 0.0`,
		row3 + `field "extracted_answer" is "C", recorded null`,
	}, diffs)
}

// The recording with template metadata replays exactly.
func TestReplayTemplateMetadata(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "mcqa", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts_with_template_metadata.jsonl"),
		Dataset:     filepath.Join(data, "example_with_template_metadata.jsonl"),
		Environment: replayEnvironment,
		Fields:      []string{"reward", "extracted_answer"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// NeMo Gym's mcqa.yaml loads unchanged and builds through bundled.
func TestReferenceConfig(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(boxedA))
	defer srv.Close()
	cfg := loadReference(t, srv.URL)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	e, err := reg.Environment("mcqa_simple_agent")
	require.NoError(t, err)
	require.IsType(t, &mcqa.Verifier{}, e.Verifier)
	require.Equal(t, mcqa.Config{}, e.Verifier.(*mcqa.Verifier).Config) // grading_mode: null

	// A config's grading_mode reaches the verifier; an unknown one is an error.
	cfg = loadReference(t, srv.URL, "mcqa.resources_servers.mcqa.grading_mode=lenient_answer_colon_md")
	reg, err = bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	e, err = reg.Environment("mcqa_simple_agent")
	require.NoError(t, err)
	require.Equal(t, choice.LenientAnswerColonMD, e.Verifier.(*mcqa.Verifier).Config.GradingMode)

	// The dataset rows collect through it against the fake policy.
	c := gym.Collector{Registry: reg, DefaultAgent: "mcqa_simple_agent"}
	n := 0
	for res, err := range c.Collect(context.Background(), gym.FromFile(filepath.Join(ref, "resources_servers/mcqa/data/example.jsonl"))) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		n++
	}
	require.Equal(t, 5, n)
}

// boxedA always answers \boxed{A}.
var boxedA = model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	return answer(`The answer is \boxed{A}.`), nil
})

func TestConformance(t *testing.T) {
	ref := reftest.Dir(t)
	var rows []rollout.Task
	for task, err := range rollout.ReadTasksFile(filepath.Join(ref, "resources_servers/mcqa/data/example.jsonl")) {
		require.NoError(t, err)
		rows = append(rows, task)
	}
	for task, err := range rollout.ReadTasksFile(filepath.Join("..", "..", "testdata", "mcqa", "example.jsonl")) {
		require.NoError(t, err)
		rows = append(rows, task)
	}
	require.Empty(t, gymtest.Check(context.Background(), replayEnvironment(nil), boxedA, rows))
}

// The project's own dataset grades as its rows say.
func TestOwnDataset(t *testing.T) {
	_, v, err := mcqa.New(mcqa.Config{})
	require.NoError(t, err)
	n := 0
	for task, err := range rollout.ReadTasksFile(filepath.Join("..", "..", "testdata", "mcqa", "example.jsonl")) {
		require.NoError(t, err)
		var want struct {
			Answer string  `json:"sample_answer"`
			Reward float64 `json:"sample_reward"`
		}
		require.NoError(t, task.Decode("sample_answer", &want.Answer))
		require.NoError(t, task.Decode("sample_reward", &want.Reward))
		verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task, Response: answer(want.Answer)})
		require.NoError(t, err)
		require.Equal(t, want.Reward, verdict.Reward, want.Answer)
		n++
	}
	require.GreaterOrEqual(t, n, 4)
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
}

// loadReference loads NeMo Gym's mcqa.yaml and openai_model.yaml, unchanged,
// with the policy at url.
func loadReference(t *testing.T, url string, overrides ...string) *config.Config {
	t.Helper()
	ref := reftest.Dir(t)
	cfg, err := config.Loader{
		Paths: []string{
			filepath.Join(ref, "resources_servers/mcqa/configs/mcqa.yaml"),
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		},
		Overrides: append([]string{"+policy_base_url=" + url, "+policy_api_key=k", "+policy_model_name=m"}, overrides...),
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)
	return cfg
}

// gym reverify, with NeMo Gym's config unchanged and no model, re-scores the
// recorded rollouts: only the third row's reward changes (see
// TestReplayRecordedRollouts for why).
func TestReverifyCommand(t *testing.T) {
	ref := reftest.Dir(t)
	data := filepath.Join(ref, "resources_servers/mcqa/data")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: bundled.Implementations(), Stdout: &stdout, Stderr: &stderr}
	code := c.Run(context.Background(), []string{"reverify",
		"--config", filepath.Join(ref, "resources_servers/mcqa/configs/mcqa.yaml") + "," +
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		"--agent", "mcqa_simple_agent",
		"--input", filepath.Join(data, "example_rollouts.jsonl"),
		"--dataset", filepath.Join(data, "example.jsonl"),
		"--output", filepath.Join(dir, "out.jsonl"),
		"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "reverified 5 rows: 1 rewards changed, 0 failed")
	require.Contains(t, stdout.String(), "reward 0 -> 1")

	out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	require.NoError(t, err)
	recorded, err := os.ReadFile(filepath.Join(data, "example_rollouts.jsonl"))
	require.NoError(t, err)
	type fields struct {
		Reward    float64 `json:"reward"`
		Expected  string  `json:"expected_answer"`
		Extracted *string `json:"extracted_answer"`
		Options   []any   `json:"options"`
	}
	var got, want []fields
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var f fields
		require.NoError(t, json.Unmarshal(line, &f))
		require.NotEmpty(t, f.Options, "task fields survive")
		f.Options = nil
		got = append(got, f)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(recorded), []byte("\n")) {
		var f fields
		require.NoError(t, json.Unmarshal(line, &f))
		want = append(want, f)
	}
	c3 := "C"
	want[2].Reward, want[2].Extracted = 1, &c3 // the third row, as NeMo Gym's current code scores it
	require.ElementsMatch(t, want, got)        // rows are written as they finish
}

// The project's own config (bundled) loads and builds like NeMo Gym's; its
// example data is testdata/mcqa/example.jsonl.
func TestBundledConfig(t *testing.T) {
	cfg, err := config.Loader{
		Paths:     []string{"resources_servers/mcqa/configs/mcqa.yaml", "responses_api_models/openai_model/configs/openai_model.yaml"},
		Overrides: []string{"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"},
		FS:        bundled.Configs,
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	e, err := reg.Environment("mcqa_simple_agent")
	require.NoError(t, err)
	require.IsType(t, &mcqa.Verifier{}, e.Verifier)
	embedded, err := fs.ReadFile(bundled.Configs, "resources_servers/mcqa/data/example.jsonl")
	require.NoError(t, err)
	own, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mcqa", "example.jsonl"))
	require.NoError(t, err)
	require.Equal(t, string(own), string(embedded))
}

// The README's offline command for the environment works as written (from
// the repository's root).
func TestREADMECommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mcqa.jsonl")
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join("..", "..")))
	defer os.Chdir(wd)
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: bundled.Implementations(), Stdout: &stdout, Stderr: &stderr}
	code := c.Run(context.Background(), []string{"reverify", "--agent", "mcqa_simple_agent",
		"--config", "resources_servers/mcqa/configs/mcqa.yaml,responses_api_models/openai_model/configs/openai_model.yaml",
		"--input", "testdata/mcqa/example_rollouts.jsonl", "--output", out,
		"+policy_base_url=http://unused", "+policy_api_key=none", "+policy_model_name=none"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "reverified 5 rows: 0 rewards changed, 0 failed")
}
