package codegen_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env/codegen"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/code"
)

// newVerifier is NeMo Gym's test server: num_processes 1, 10 s per test.
func newVerifier(t testing.TB, cfg codegen.Config) verifier.Verifier {
	t.Helper()
	reftest.Python(t)
	if cfg.NumProcesses == 0 {
		cfg.NumProcesses = 2
	}
	if cfg.UnitTestTimeoutSecs == 0 {
		cfg.UnitTestTimeoutSecs = 10
	}
	_, v, err := codegen.New(cfg)
	require.NoError(t, err)
	return v
}

func task(t testing.TB, row string) rollout.Task {
	t.Helper()
	tk, err := rollout.ParseTask([]byte(row))
	require.NoError(t, err)
	return tk
}

// answer is a response whose one message says text.
func answer(text string) *rollout.Response {
	return &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("msg_1", text)}}
}

func verify(t testing.TB, v verifier.Verifier, row string, resp *rollout.Response) *verifier.Verdict {
	t.Helper()
	vd, err := verifier.Run(context.Background(), v, &verifier.Request{Task: task(t, row), Response: resp})
	require.NoError(t, err)
	return vd
}

func field(t testing.TB, vd *verifier.Verdict, name string) string {
	t.Helper()
	raw, ok := vd.Fields.Get(name)
	require.True(t, ok, "no field %q", name)
	return string(raw)
}

func metadata(t testing.TB, vd *verifier.Verdict) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, vd.Field("metadata", &m))
	return m
}

const fields = "extracted_model_output,extracted_model_code,result,metadata,unit_tests_time_taken,reasoning_format_violation_rate,difficulty"

func names(vd *verifier.Verdict) string {
	var n []string
	for _, f := range vd.Fields.Fields() {
		n = append(n, f.Name)
	}
	return strings.Join(n, ",")
}

// The cases of NeMo Gym's resources_servers/code_gen/tests/test_app.py.
func TestNeMoGymAppCases(t *testing.T) {
	v := newVerifier(t, codegen.Config{NumProcesses: 1})
	row := func(unitTests string) string {
		return `{"responses_create_params":{"input":[{"role":"user","content":"Read n and print n^2."}]},"verifier_metadata":{"unit_tests":` + unitTests + `}}`
	}
	cases := []struct {
		name, text, tests string
		reward            float64
		result            string
		message           string // metadata.error_message, if any
		noCode            bool
	}{
		{name: "pass", text: "```python\nn=int(input())\nprint(n*n)\n```", tests: `{"inputs":["2\n","5\n"],"outputs":["4","25"]}`,
			reward: 1, result: "[true,true]"},
		{name: "wrong answer", text: "```python\nn=int(input())\nprint(n+1)\n```", tests: `{"inputs":["3\n"],"outputs":["9"]}`,
			result: "[-2]", message: "Wrong answer at output_line_idx=0: 4 != 9"},
		{name: "no code block", text: "n=int(input())\nprint(n*n)", tests: `{"inputs":["2\n"],"outputs":["4"]}`, noCode: true},
		{name: "syntax error", text: "```python\nprint('hello'  # Missing closing parenthesis\n```", tests: `{"inputs":["\n"],"outputs":["hello"]}`,
			result: "[-4]", message: "Error during testing: '(' was never closed (<string>, line 1)"},
		{name: "runtime error", text: "```python\nn=int(input())\nprint(n/0)\n```", tests: `{"inputs":["5\n"],"outputs":["error"]}`,
			result: "[-4]", message: "Runtime Error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vd := verify(t, v, row(c.tests), answer(c.text))
			require.Equal(t, c.reward, vd.Reward)
			require.Equal(t, fields, names(vd))
			require.Equal(t, rollout.Quote(c.text), json.RawMessage(field(t, vd, "extracted_model_output")))
			if c.noCode {
				require.Equal(t, "null", field(t, vd, "extracted_model_code"))
				require.Equal(t, "null", field(t, vd, "result"))
				require.Equal(t, "null", field(t, vd, "metadata"))
				require.Equal(t, "null", field(t, vd, "unit_tests_time_taken"))
				return
			}
			require.Equal(t, c.result, field(t, vd, "result"))
			if c.message != "" {
				require.Equal(t, c.message, metadata(t, vd)["error_message"])
			} else {
				require.Contains(t, metadata(t, vd), "execution time")
			}
			var took float64
			require.NoError(t, vd.Field("unit_tests_time_taken", &took))
			require.Greater(t, took, 0.0)
			require.Equal(t, "0.0", field(t, vd, "reasoning_format_violation_rate"))
			require.Equal(t, "null", field(t, vd, "difficulty"))
		})
	}
}

// An answer without text scores 0 before the unit tests are read, as in
// NeMo Gym; difficulty is still reported.
func TestEmptyAnswer(t *testing.T) {
	v := newVerifier(t, codegen.Config{})
	for _, resp := range []*rollout.Response{answer(""), answer(" \n\t\x1c"), {}} {
		vd := verify(t, v, `{"responses_create_params":{"input":"x"},"verifier_metadata":{"difficulty":"hard"}}`, resp)
		require.Equal(t, 0.0, vd.Reward)
		require.Equal(t, fields, names(vd))
		for _, f := range []string{"extracted_model_output", "extracted_model_code", "result", "metadata", "unit_tests_time_taken"} {
			require.Equal(t, "null", field(t, vd, f), f)
		}
		require.Equal(t, "0.0", field(t, vd, "reasoning_format_violation_rate"))
		require.Equal(t, `"hard"`, field(t, vd, "difficulty"))
	}
}

// A malformed think tag costs the reward (reasoning_format_penalty), though
// the tests pass.
func TestReasoningFormatViolation(t *testing.T) {
	row := `{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":{"inputs":["2\n"],"outputs":["4"]},"difficulty":"easy"}}`
	good := "```python\nprint(int(input())**2)\n```"
	summary := func(text string) rollout.Item {
		it, err := rollout.ParseItem([]byte(`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":` + string(rollout.Quote(text)) + `}]}`))
		require.NoError(t, err)
		return it
	}
	cases := []struct {
		name      string
		output    []rollout.Item
		violation bool
	}{
		{"clean", []rollout.Item{summary("<think>ok</think>"), rollout.NewOutputMessage("m", good)}, false},
		{"tag in the answer", []rollout.Item{rollout.NewOutputMessage("m", "</think>"+good)}, true},
		{"two opening tags in the reasoning", []rollout.Item{summary("<think>a"), summary("<think>b"), rollout.NewOutputMessage("m", good)}, true},
	}
	for _, penalty := range []float64{0, -0.5} {
		v := newVerifier(t, codegen.Config{ReasoningFormatPenalty: penalty})
		for _, c := range cases {
			vd := verify(t, v, row, &rollout.Response{Output: c.output})
			require.Equal(t, "[true]", field(t, vd, "result"), c.name)
			require.Equal(t, `"easy"`, field(t, vd, "difficulty"))
			if c.violation {
				require.Equal(t, penalty, vd.Reward, c.name)
				require.Equal(t, "1.0", field(t, vd, "reasoning_format_violation_rate"), c.name)
			} else {
				require.Equal(t, 1.0, vd.Reward, c.name)
				require.Equal(t, "0.0", field(t, vd, "reasoning_format_violation_rate"), c.name)
			}
		}
	}
}

// Bad rows fail as invalid rows naming the field and the line; nothing
// runs for them.
func TestBadRows(t *testing.T) {
	v := newVerifier(t, codegen.Config{})
	dir := t.TempDir()
	rows := []struct{ row, field string }{
		{`{"responses_create_params":{"input":"x"}}`, `"verifier_metadata"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":{"difficulty":"easy"}}`, `"verifier_metadata.unit_tests"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":[1]}`, `"verifier_metadata"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":"not-json"}}`, `"verifier_metadata.unit_tests"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":{"outputs":["1"]}}}`, `"verifier_metadata.unit_tests.inputs"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":{"inputs":["1"],"outputs":[1]}}}`, `"verifier_metadata.unit_tests.outputs"`},
		{`{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":{"inputs":[],"outputs":[],"fn_name":3}}}`, `"verifier_metadata.unit_tests.fn_name"`},
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, r.row)
	}
	path := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	i := 0
	for tk, err := range rollout.ReadTasksFile(path) {
		require.NoError(t, err)
		_, err = verifier.Run(context.Background(), v, &verifier.Request{Task: tk, Response: answer("```python\nprint(1)\n```")})
		require.Error(t, err, rows[i].row)
		f := rollout.AsFailure(err)
		require.Equal(t, rollout.FailInvalidRow, f.Class, err.Error())
		require.Contains(t, err.Error(), rows[i].field)
		require.Contains(t, err.Error(), "bad.jsonl:"+string(rune('1'+i)))
		i++
	}
	require.Equal(t, len(rows), i)
}

func TestConfig(t *testing.T) {
	reftest.Python(t)
	_, _, err := codegen.New(codegen.Config{NumProcesses: 0, UnitTestTimeoutSecs: 1})
	require.ErrorContains(t, err, "num_processes")
	_, _, err = codegen.New(codegen.Config{NumProcesses: 1, UnitTestTimeoutSecs: -1})
	require.ErrorContains(t, err, "unit_test_timeout_secs")
	_, _, err = codegen.New(codegen.Config{NumProcesses: 1, Python: "/nonexistent/python3"})
	require.ErrorIs(t, err, code.ErrNoPython)

	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	cfg, err := config.Load(write("code_gen:\n  resources_servers:\n    code_gen:\n      num_processes: 2\n"))
	require.NoError(t, err)
	s, err := cfg.Server("code_gen")
	require.NoError(t, err)
	_, _, err = codegen.FromConfig(s)
	require.ErrorContains(t, err, "unit_test_timeout_secs, debug")

	cfg, err = config.Load(write("code_gen:\n  resources_servers:\n    code_gen:\n      num_processes: 2\n      unit_test_timeout_secs: 1\n      debug: false\n" +
		"      reasoning_format_penalty: -1.0\n      sandbox: {wall: 5s, memory: 536870912}\n"))
	require.NoError(t, err)
	s, err = cfg.Server("code_gen")
	require.NoError(t, err)
	_, v, err := codegen.FromConfig(s)
	require.NoError(t, err)
	got := v.(*codegen.Verifier).Config
	require.Equal(t, 2, got.NumProcesses)
	require.Equal(t, 1, got.UnitTestTimeoutSecs)
	require.Equal(t, -1.0, got.ReasoningFormatPenalty)
	require.Equal(t, int64(512<<20), got.Sandbox.Memory)
	require.Equal(t, "5s", got.Sandbox.Wall.String())
}

// debug: what the program prints and why a run had no result go to Log.
func TestDebug(t *testing.T) {
	var log strings.Builder
	v := newVerifier(t, codegen.Config{Debug: true, Log: &syncWriter{b: &log}})
	row := `{"responses_create_params":{"input":"x"},"verifier_metadata":{"unit_tests":{"inputs":["1"],"outputs":["1"]}}}`
	vd := verify(t, v, row, answer("```python\nimport os\nprint(1)\nos._exit(3)\n```"))
	require.Equal(t, "[-1]", field(t, vd, "result"))
	require.Equal(t, "null", field(t, vd, "metadata"))
	require.Contains(t, log.String(), "global timeout")
}

type syncWriter struct{ b *strings.Builder }

func (w *syncWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// NeMo Gym's own config file loads unchanged and builds through bundled.
func TestNeMoGymConfig(t *testing.T) {
	reftest.Python(t)
	ref := reftest.Dir(t)
	policy := []string{"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"}
	load := func(path string) *codegen.Verifier {
		cfg, err := config.Loader{Paths: []string{path,
			filepath.Join(ref, "responses_api_models/vllm_model/configs/vllm_model_for_training.yaml")}, Overrides: policy}.Load()
		require.NoError(t, err)
		reg, err := bundled.Implementations().Registry(cfg)
		require.NoError(t, err)
		e, err := reg.Environment("code_gen_simple_agent")
		require.NoError(t, err)
		v, ok := e.Verifier.(*codegen.Verifier)
		require.True(t, ok, "%T", e.Verifier)
		return v
	}
	v := load(filepath.Join(ref, "resources_servers/code_gen/configs/code_gen.yaml"))
	require.Equal(t, codegen.Config{NumProcesses: 8, UnitTestTimeoutSecs: 10, Debug: false}, v.Config)
	own := load("../../bundled/configs/resources_servers/code_gen/configs/code_gen.yaml")
	require.Equal(t, v.Config, own.Config)
}

// recordedFields are the verifier fields of NeMo Gym's recording.
var recordedFields = []string{"extracted_model_output", "extracted_model_code", "result", "metadata"}

// recorded reads NeMo Gym's recorded rollouts with their task fields put
// back from the dataset (NeMo Gym's verify drops verifier_metadata).
func recorded(t testing.TB) []*rollout.Result {
	t.Helper()
	data := reftest.Path(t, "resources_servers", "code_gen", "data")
	ix, err := rollout.IndexByInput(rollout.ReadTasksFile(filepath.Join(data, "example.jsonl")))
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(data, "example_rollouts.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var rows []*rollout.Result
	for r, err := range rollout.ReadResults(f, f.Name()) {
		require.NoError(t, err)
		// A row read back holds the verifier's fields among the row's: move
		// them to Fields, so the verifier under test does not see them.
		for _, name := range recordedFields {
			raw, ok := r.Task.Get(name)
			require.True(t, ok, "rollout %d has no %q", len(rows)+1, name)
			r.Fields.Set(name, raw)
			r.Task.Delete(name)
		}
		tk, ok, err := ix.Complete(r.Task)
		require.NoError(t, err)
		require.True(t, ok, "no dataset row for rollout %d", len(rows)+1)
		require.True(t, tk.Has("verifier_metadata"))
		r.Task = tk
		rows = append(rows, r)
	}
	require.Len(t, rows, 5)
	return rows
}

// Replaying NeMo Gym's recorded rollouts reproduces the reward and every
// verifier field. "execution time" in metadata is a measurement: it is
// compared as a non-negative number. The recording predates three fields
// of the current app.py; they take the values it gives.
func TestReplayReference(t *testing.T) {
	v := newVerifier(t, codegen.Config{NumProcesses: 8})
	for i, rec := range recorded(t) {
		vd, err := verifier.Run(context.Background(), v, &verifier.Request{Task: rec.Task, Response: rec.Response})
		require.NoError(t, err, "row %d", i+1)
		require.Equal(t, rec.Reward, vd.Reward, "row %d", i+1)
		require.Equal(t, len(recordedFields), rec.Fields.Len())
		for _, f := range rec.Fields.Fields() {
			got, ok := vd.Fields.Get(f.Name)
			require.True(t, ok, "row %d: no %q", i+1, f.Name)
			want, have := decode(t, f.Value), decode(t, got)
			if f.Name == "metadata" {
				if w, ok := want.(map[string]any); ok && w["execution time"] != nil {
					h := have.(map[string]any)
					require.IsType(t, 0.0, h["execution time"])
					require.GreaterOrEqual(t, h["execution time"].(float64), 0.0)
					w["execution time"], h["execution time"] = 0.0, 0.0
				}
			}
			require.Equal(t, want, have, "row %d field %q", i+1, f.Name)
		}
		require.Equal(t, "0.0", field(t, vd, "reasoning_format_violation_rate"))
		require.Equal(t, "null", field(t, vd, "difficulty"))
		var took float64
		require.NoError(t, vd.Field("unit_tests_time_taken", &took))
		require.Greater(t, took, 0.0)
	}
}

func decode(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// The same replay through the agent loop, with gymtest.Replay, on the
// fields that are not measurements.
func TestReplayThroughAgent(t *testing.T) {
	reftest.Python(t)
	data := reftest.Path(t, "resources_servers", "code_gen", "data")
	srv, v, err := codegen.New(codegen.Config{NumProcesses: 4, UnitTestTimeoutSecs: 10})
	require.NoError(t, err)
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:  filepath.Join(data, "example.jsonl"),
		Environment: func(m model.Model) gym.Environment {
			return gym.Environment{Model: m, Resources: srv, Verifier: v}
		},
		Fields: []string{"reward", "extracted_model_output", "extracted_model_code", "result"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// gymtest.Check passes on the environment with the project's dataset and
// a policy that answers each problem with its solution.
func TestConformance(t *testing.T) {
	reftest.Python(t)
	srv, v, err := codegen.New(codegen.Config{NumProcesses: 4, UnitTestTimeoutSecs: 5})
	require.NoError(t, err)
	var rows []rollout.Task
	for tk, err := range rollout.ReadTasksFile("../../testdata/code_gen/example.jsonl") {
		require.NoError(t, err)
		rows = append(rows, tk)
	}
	require.NotEmpty(t, rows)
	problems := gymtest.Check(context.Background(), gym.Environment{Resources: srv, Verifier: v}, solver(), rows)
	require.Empty(t, problems)

	var reg gym.Registry
	require.NoError(t, reg.Register("code_gen_simple_agent", gym.Environment{Model: solver(), Resources: srv, Verifier: v}))
	c := gym.Collector{Registry: &reg, DefaultAgent: "code_gen_simple_agent"}
	n := 0
	for res, err := range c.Collect(context.Background(), gym.FromSlice(rows)) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		require.Equal(t, 1.0, res.Reward, "task %d: %s", res.TaskIndex, res.Fields.String("metadata"))
		require.True(t, res.Task.Has("verifier_metadata"), "task fields survive")
		n++
	}
	require.Equal(t, len(rows), n)
}

// solutions solve the problems of testdata/code_gen/example.jsonl, by a
// phrase of their statement.
var solutions = map[string]string{
	"sum of two integers":    "a, b = map(int, input().split())\nprint(a + b)",
	"Reverse each word":      "import sys\nfor line in sys.stdin.read().split('\\n')[1:]:\n    if line:\n        print(line[::-1])",
	"class Solution":         "class Solution:\n    def maxGap(self, nums: List[int]) -> int:\n        s = sorted(nums)\n        return max((b - a for a, b in zip(s, s[1:])), default=0)",
	"average of the numbers": "def main():\n    n = int(input())\n    xs = list(map(float, input().split()))\n    print(f'{sum(xs) / n:.6f}')\n\nif __name__ == '__main__':\n    main()",
}

// solver answers each problem with its solution.
func solver() model.Model {
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		var prompt strings.Builder
		for _, it := range req.Input {
			prompt.WriteString(it.Text())
		}
		for phrase, sol := range solutions {
			if strings.Contains(prompt.String(), phrase) {
				return answer("Here it is.\n\n```python\n" + sol + "\n```\n"), nil
			}
		}
		return nil, errors.New("no solution for this problem")
	})
}

// gym reverify, with NeMo Gym's config unchanged and no model, re-scores
// NeMo Gym's recorded rollouts: every reward and result as recorded.
func TestReverifyReferenceRollouts(t *testing.T) {
	reftest.Python(t)
	ref := reftest.Dir(t)
	data := filepath.Join(ref, "resources_servers", "code_gen", "data")
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &stdout, Stderr: &stderr}
	status := c.Run(context.Background(), []string{"reverify",
		"--config", filepath.Join(ref, "resources_servers/code_gen/configs/code_gen.yaml") + "," +
			filepath.Join(ref, "responses_api_models/vllm_model/configs/vllm_model_for_training.yaml"),
		"--agent", "code_gen_simple_agent",
		"--input", filepath.Join(data, "example_rollouts.jsonl"),
		"--dataset", filepath.Join(data, "example.jsonl"),
		"--output", filepath.Join(dir, "reverified.jsonl"),
		"+policy_base_url=http://unused", "+policy_api_key=k", "+policy_model_name=m"})
	require.Equal(t, 0, status, stderr.String())
	require.Contains(t, stdout.String(), "reverified 5 rows: 0 rewards changed, 0 failed")

	want := map[string]*rollout.Result{} // by response id: rows come back as they finish
	for _, r := range recorded(t) {
		want[r.Response.String("id")] = r
	}
	require.Len(t, want, 5)
	f, err := os.Open(filepath.Join(dir, "reverified.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	i := 0
	for got, err := range rollout.ReadResults(f, f.Name()) {
		require.NoError(t, err)
		w, ok := want[got.Response.String("id")]
		require.True(t, ok, "row %d is no recorded rollout", i+1)
		delete(want, got.Response.String("id"))
		require.Equal(t, w.Reward, got.Reward, "row %d", i+1)
		for _, name := range []string{"extracted_model_output", "extracted_model_code", "result"} {
			rec, _ := w.Fields.Get(name)
			g, ok := got.Fields.Get(name)
			if !ok { // a row read back keeps the verifier's fields with the row's
				g, ok = got.Task.Get(name)
			}
			require.True(t, ok, "row %d: no %q", i+1, name)
			require.Equal(t, decode(t, rec), decode(t, g), "row %d field %q", i+1, name)
		}
		require.True(t, got.Task.Has("verifier_metadata"), "task fields survive")
		i++
	}
	require.Equal(t, 5, i)
}

// FuzzRow: any row and any answer without a complete code block is
// graded without running anything and without panicking: a verdict of 0
// with the eight fields, or an invalid-row failure naming a field.
func FuzzRow(f *testing.F) {
	for _, s := range []string{
		`{"verifier_metadata":{"unit_tests":{"inputs":["1"],"outputs":["1"]}}}`,
		`{"verifier_metadata":{"unit_tests":{"inputs":[1],"outputs":["1"],"fn_name":"f"},"difficulty":3}}`,
		`{"verifier_metadata":null}`, `{"verifier_metadata":"x"}`, `{}`,
	} {
		f.Add(s, "no code here")
		f.Add(s, "")
	}
	reftest.Python(f)
	_, v, err := codegen.New(codegen.Config{NumProcesses: 1, UnitTestTimeoutSecs: 1})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, rowJSON, text string) {
		if code.Extract(text) != "" {
			return // a code block would run a program
		}
		extra, err := rollout.ParseObject([]byte(rowJSON))
		if err != nil {
			return
		}
		row := rollout.Object{}
		row.Set("responses_create_params", json.RawMessage(`{"input":"x"}`))
		for _, fl := range extra.Fields() {
			if fl.Name != "responses_create_params" {
				row.Set(fl.Name, fl.Value)
			}
		}
		vd, err := verifier.Run(context.Background(), v, &verifier.Request{Task: rollout.Task{Object: row}, Response: answer(text)})
		if err != nil {
			f := rollout.AsFailure(err)
			if f.Class != rollout.FailInvalidRow || !strings.Contains(err.Error(), `field "verifier_metadata`) {
				t.Fatalf("row %s: %v", rowJSON, err)
			}
			return
		}
		if vd.Reward != 0 || names(vd) != fields {
			t.Fatalf("row %s, answer %q: reward %v, fields %s", rowJSON, text, vd.Reward, names(vd))
		}
	})
}

// The bundled example data (embedded, at NeMo Gym's path) is the project's
// dataset.
func TestBundledExampleData(t *testing.T) {
	own, err := os.ReadFile("../../testdata/code_gen/example.jsonl")
	require.NoError(t, err)
	embedded, err := fs.ReadFile(bundled.Configs, "resources_servers/code_gen/data/example.jsonl")
	require.NoError(t, err)
	require.Equal(t, string(own), string(embedded))
}
