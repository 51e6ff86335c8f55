package mathjudge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env/mathjudge"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

var (
	yes = true
	no  = false
)

func newVerifier(t testing.TB, judge model.Model) *mathjudge.Verifier {
	t.Helper()
	cfg := mathjudge.Config{ShouldUseJudge: &no}
	if judge != nil {
		cfg.ShouldUseJudge = &yes
	}
	_, v, err := mathjudge.New(cfg, judge)
	require.NoError(t, err)
	return v
}

func task(t testing.TB, question, expected string) rollout.Task {
	t.Helper()
	row, err := json.Marshal(map[string]any{
		"responses_create_params": map[string]any{"input": []any{map[string]any{"role": "user", "content": question}}},
		"question":                question,
		"expected_answer":         expected,
	})
	require.NoError(t, err)
	tk, err := rollout.ParseTask(row)
	require.NoError(t, err)
	return tk
}

func answer(texts ...string) *rollout.Response {
	var items []rollout.Item
	for i, s := range texts {
		items = append(items, rollout.NewOutputMessage("msg_"+string(rune('a'+i)), s))
	}
	return model.NewResponse(items...)
}

func field(t testing.TB, v *verifier.Verdict, name string) any {
	t.Helper()
	var x any
	require.NoError(t, v.Field(name, &x), name)
	return x
}

// judgeMessage is a judge answer: one output_text message.
func judgeMessage(text string) *rollout.Response {
	return model.NewResponse(rollout.NewOutputMessage("judge_msg", text))
}

// scriptedJudge answers with the given responses in turn and records the
// prompts it was asked.
type scriptedJudge struct {
	mu      sync.Mutex
	replies []*rollout.Response
	err     error
	prompts []string
}

func (j *scriptedJudge) Respond(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(req.Input) != 2 || req.Input[0].Role() != "system" || req.Input[0].Text() != mathjudge.JudgeSystemMessage {
		return nil, errors.New("the judge was not sent NeMo Gym's system message")
	}
	j.prompts = append(j.prompts, req.Input[1].Text())
	if j.err != nil {
		return nil, j.err
	}
	if len(j.replies) == 0 {
		return nil, errors.New("no more scripted replies")
	}
	r := j.replies[0]
	j.replies = j.replies[1:]
	return r, nil
}

// NeMo Gym's test_verify: the judge is asked for "$1" (extracted "1"),
// and not asked for "$1 + x$", which the library accepts as x + 1.
func TestVerify(t *testing.T) {
	ctx := context.Background()
	judge := &scriptedJudge{replies: []*rollout.Response{judgeMessage(mathjudge.JudgeNotEqualLabel + " done")}}
	v := newVerifier(t, judge)
	q := "Simplify the expression x + 7 - 6"
	verdict, err := v.Verify(ctx, &verifier.Request{Task: task(t, q, "x + 1"), Response: answer("$1")})
	require.NoError(t, err)
	require.Equal(t, 0.0, verdict.Reward)
	require.Equal(t, "x + 1", field(t, verdict, "expected_answer"))
	require.Equal(t, "1", field(t, verdict, "extracted_answer"))
	require.Equal(t, 0.0, field(t, verdict, "library_reward"))
	evals := field(t, verdict, "judge_evaluations").([]any)
	require.Len(t, evals, 1)
	require.Equal(t, []string{mathjudge.JudgePrompt(q, "x + 1", "1")}, judge.prompts)
	names := []string{}
	for _, f := range verdict.Fields.Fields() {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"expected_answer", "extracted_answer", "library_reward", "judge_evaluations"}, names)

	// The second response adds a reasoning item, " + x$" and a refusal:
	// only output_text parts count, so the answer is "$1 + x$".
	resp := answer("$1", " + x$")
	resp.Output = append(resp.Output[:1:1], append([]rollout.Item{mustItem(t, `{"id":"r","type":"reasoning","summary":[]}`)}, resp.Output[1:]...)...)
	resp.Output = append(resp.Output, mustItem(t, `{"id":"refusal_finish","type":"message","role":"assistant","status":"completed","content":[{"type":"refusal","refusal":"no response"}]}`))
	verdict, err = v.Verify(ctx, &verifier.Request{Task: task(t, q, "x + 1"), Response: resp})
	require.NoError(t, err)
	require.Equal(t, 1.0, verdict.Reward)
	require.Equal(t, "x + 1", field(t, verdict, "extracted_answer"))
	require.Equal(t, 1.0, field(t, verdict, "library_reward"))
	require.Nil(t, field(t, verdict, "judge_evaluations"))
	require.Len(t, judge.prompts, 1, "the library accepted the answer: no judge call")
}

func mustItem(t testing.TB, s string) rollout.Item {
	it, err := rollout.ParseItem([]byte(s))
	require.NoError(t, err)
	return it
}

// NeMo Gym's test_verify_answer.
func TestVerifyAnswer(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, question, expected, generated string
		replies                             []string
		reward, library                     float64
		extracted                           any
		prompts                             [][2]string
	}{
		{name: "library", question: "What is 3 plus 5?", expected: "8", generated: `3 + 5 = \boxed{8}`,
			reward: 1, library: 1, extracted: "8"},
		{name: "judge not equal", question: "What is 1 + 1?", expected: "2", generated: "3",
			replies: []string{"Conclusion: " + mathjudge.JudgeNotEqualLabel}, reward: 0, library: 0, extracted: "3",
			prompts: [][2]string{{"2", "3"}}},
		{name: "judge equal both ways", question: "What is 14 divided by 10?", expected: "1.4", generated: "Final answer: {7 / 5}",
			replies: []string{"I say " + mathjudge.JudgeEqualLabel + " as the verdict", mathjudge.JudgeEqualLabel},
			reward:  1, library: 0, extracted: "5", prompts: [][2]string{{"1.4", "5"}, {"5", "1.4"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			judge := &scriptedJudge{}
			for _, r := range c.replies {
				judge.replies = append(judge.replies, judgeMessage(r))
			}
			v := newVerifier(t, judge)
			verdict, err := v.Verify(ctx, &verifier.Request{Task: task(t, c.question, c.expected), Response: answer(c.generated)})
			require.NoError(t, err)
			require.Equal(t, c.reward, verdict.Reward)
			require.Equal(t, c.library, field(t, verdict, "library_reward"))
			require.Equal(t, c.extracted, field(t, verdict, "extracted_answer"))
			var want []string
			for _, p := range c.prompts {
				want = append(want, mathjudge.JudgePrompt(c.question, p[0], p[1]))
			}
			require.Equal(t, want, judge.prompts)
			evals := field(t, verdict, "judge_evaluations")
			if c.prompts == nil {
				require.Nil(t, evals)
			} else {
				require.Len(t, evals, len(c.prompts))
			}
		})
	}
}

// NeMo Gym's test_verify_answer_with_library_async and the cases of
// _run_math_verify: reward and extracted_answer of the library alone.
func TestLibrary(t *testing.T) {
	v := newVerifier(t, nil)
	for _, c := range []struct {
		expected, generated string
		reward              float64
		extracted           any
	}{
		{"4", `2 + 2 = \boxed{4}`, 1, "4"},
		{`\boxed{12}`, `3 * 4 = \boxed{12}`, 1, "12"},
		{`\boxed{5}`, `10 - 5 = \boxed{5}`, 1, "5"},
		{"4.0", `2 + 2 = \boxed{\frac{8}{2}}`, 1, "4"},
		{`\boxed{12}`, "3 * 4 = 13", 0, "13"},
		{"17.001", "17", 0, "17"},
		{"", "", 0, nil},
		{"3", "3", 1, "3"},
	} {
		verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "q", c.expected), Response: answer(c.generated)})
		require.NoError(t, err)
		require.Equal(t, c.reward, verdict.Reward, "%q vs %q", c.expected, c.generated)
		require.Equal(t, c.extracted, field(t, verdict, "extracted_answer"), "%q vs %q", c.expected, c.generated)
		require.Nil(t, field(t, verdict, "judge_evaluations"))
	}
}

// NeMo Gym's test_verify_answer_with_judge: the answers are shown in both
// orders, and only two [[A=B]] verdicts give reward 1.
func TestJudgeBothOrders(t *testing.T) {
	for _, c := range []struct {
		expected, generated string
		replies             []string
		reward              float64
		calls               int
	}{
		{"4", "5", []string{mathjudge.JudgeNotEqualLabel + " is the evaluation"}, 0, 1},
		{"1/2", "0.5x", []string{mathjudge.JudgeEqualLabel, "I conclude that " + mathjudge.JudgeEqualLabel}, 1, 2},
		{"20", "20.0x", []string{"I conclude that " + mathjudge.JudgeEqualLabel, mathjudge.JudgeNotEqualLabel}, 0, 2},
	} {
		judge := &scriptedJudge{}
		for _, r := range c.replies {
			judge.replies = append(judge.replies, judgeMessage(r))
		}
		v := newVerifier(t, judge)
		verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "q", c.expected), Response: answer(`\text{` + c.generated + `}`)})
		require.NoError(t, err)
		require.Equal(t, c.reward, verdict.Reward)
		require.Len(t, judge.prompts, c.calls)
		require.Len(t, field(t, verdict, "judge_evaluations"), c.calls)
	}
}

// NeMo Gym's test_generate_judge_evaluation: how the judge's answer is read.
func TestJudgeVerdictParsing(t *testing.T) {
	reasoning := model.NewResponse(mustItem(t, `{"id":"reasoning_item","type":"reasoning","summary":[]}`))
	refusal := model.NewResponse(mustItem(t, `{"id":"refusal_item","type":"message","role":"assistant","status":"completed","content":[{"type":"refusal","refusal":"I refuse"}]}`))
	for _, c := range []struct {
		name  string
		reply *rollout.Response
		equal bool
	}{
		{"reasoning last", reasoning, false},
		{"refusal", refusal, false},
		{"no label", judgeMessage("no evaluation"), false},
		{"not equal", judgeMessage("Evaluation: " + mathjudge.JudgeNotEqualLabel), false},
		{"equal", judgeMessage("The evaluation is " + mathjudge.JudgeEqualLabel), true},
		{"equal first", judgeMessage("First " + mathjudge.JudgeEqualLabel + ", then " + mathjudge.JudgeNotEqualLabel), true},
		{"not equal first", judgeMessage(mathjudge.JudgeNotEqualLabel + " " + mathjudge.JudgeEqualLabel), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A second reply makes an equal first verdict visible as a second call.
			judge := &scriptedJudge{replies: []*rollout.Response{c.reply, judgeMessage(mathjudge.JudgeEqualLabel)}}
			_, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &yes,
				JudgeResponsesCreateParams: map[string]any{"input": []any{}, "max_output_tokens": 1024}}, judge)
			require.NoError(t, err)
			verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "q", "1"), Response: answer("no number here")})
			require.NoError(t, err)
			calls := 1
			if c.equal {
				calls = 2
			}
			require.Len(t, judge.prompts, calls)
			var evals []struct {
				Params   map[string]any  `json:"responses_create_params"`
				Response json.RawMessage `json:"response"`
			}
			require.NoError(t, verdict.Field("judge_evaluations", &evals))
			require.Len(t, evals, calls)
			require.Equal(t, 1024.0, evals[0].Params["max_output_tokens"])
			require.JSONEq(t, string(c.reply.AppendJSON(nil)), string(evals[0].Response))
			input := evals[0].Params["input"].([]any)
			require.Equal(t, map[string]any{"content": mathjudge.JudgeSystemMessage, "role": "system", "type": "message"}, input[0])
			require.Equal(t, map[string]any{"content": mathjudge.JudgePrompt("q", "1", "no number here"), "role": "user", "type": "message"}, input[1])
		})
	}
}

// A judge that fails is a judge_failed failure, never a silent reward 0
// (NeMo Gym: "a body that isn't a valid Response is a broken judge call").
func TestJudgeFailure(t *testing.T) {
	judge := &scriptedJudge{err: errors.New("connection refused")}
	v := newVerifier(t, judge)
	_, err := verifier.Run(context.Background(), v, &verifier.Request{Task: task(t, "q", "2"), Response: answer("3")})
	f := rollout.AsFailure(err)
	require.Equal(t, rollout.FailJudge, f.Class)
	require.Equal(t, "judge_failed", string(f.Class))
	require.Contains(t, err.Error(), "connection refused")

	// A judge that hangs past the verify deadline fails the same way.
	slow := model.Func(func(ctx context.Context, _ *model.Request) (*rollout.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	v = newVerifier(t, slow)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = verifier.Run(ctx, v, &verifier.Request{Task: task(t, "q", "2"), Response: answer("3")})
	require.Equal(t, rollout.FailJudge, rollout.AsFailure(err).Class)
}

// A row without question or expected_answer is an invalid row naming the field.
func TestMissingFields(t *testing.T) {
	v := newVerifier(t, nil)
	tk, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"x"},"question":"q"}`))
	require.NoError(t, err)
	_, err = verifier.Run(context.Background(), v, &verifier.Request{Task: tk, Response: answer("1")})
	require.Equal(t, rollout.FailInvalidRow, rollout.AsFailure(err).Class)
	require.Contains(t, err.Error(), "expected_answer")
}

// NeMo Gym's pathological-expression regression: returns promptly.
func TestPathologicalReturnsPromptly(t *testing.T) {
	var terms []string
	for i := range 800 {
		if i == 0 {
			terms = append(terms, "1")
		} else {
			terms = append(terms, "x^{"+itoa(i)+"}")
		}
	}
	gen := `\boxed{\frac{x^{800}-1}{x-1}-(` + strings.Join(terms, "+") + `)}`
	_, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no, LibraryVerifierTimeoutSeconds: 1}, nil)
	require.NoError(t, err)
	start := time.Now()
	verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "question", "0"), Response: answer(gen)})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Contains(t, []float64{0, 1}, verdict.Reward)
	require.Equal(t, verdict.Reward, field(t, verdict, "library_reward"))
	require.Nil(t, field(t, verdict, "judge_evaluations"))
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNum(i)) }

func jsonNum(i int) string { b, _ := json.Marshal(i); return string(b) }

// recordedJudges reads the judge responses NeMo Gym recorded, by question.
func recordedJudges(t *testing.T, path string) map[string][]json.RawMessage {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]json.RawMessage{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var row struct {
			Evals []struct {
				Params struct {
					Input []struct {
						Content string `json:"content"`
					} `json:"input"`
				} `json:"responses_create_params"`
				Response json.RawMessage `json:"response"`
			} `json:"judge_evaluations"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row))
		for _, e := range row.Evals {
			q := strings.SplitN(strings.TrimPrefix(e.Params.Input[1].Content, "<|Problem|>\n"), "\n\n<|Start of Assistant A", 2)[0]
			out[q] = append(out[q], e.Response)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// NeMo Gym's recorded rollouts re-score to the recorded reward,
// expected_answer, extracted_answer and library_reward, with the judge off
// (the config's should_use_judge: false) ...
func TestReplayReference(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "math_with_judge", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:  filepath.Join(data, "example.jsonl"),
		Environment: func(m model.Model) gym.Environment {
			srv, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no}, nil)
			require.NoError(t, err)
			return gym.Environment{Model: m, Resources: srv, Verifier: v}
		},
		Fields: []string{"reward", "extracted_answer", "library_reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

// ... and with the judge on, answering with its recorded responses: the
// judge is asked exactly where NeMo Gym asked it, and judge_evaluations'
// responses are the recorded ones.
func TestReplayReferenceWithJudge(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "math_with_judge", "data")
	recorded := recordedJudges(t, filepath.Join(data, "example_rollouts.jsonl"))
	require.Len(t, recorded, 2)
	var mu sync.Mutex
	judge := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		prompt := req.Input[1].Text()
		q := strings.SplitN(strings.TrimPrefix(prompt, "<|Problem|>\n"), "\n\n<|Start of Assistant A", 2)[0]
		mu.Lock()
		defer mu.Unlock()
		rs := recorded[q]
		if len(rs) == 0 {
			return nil, errors.New("NeMo Gym did not ask the judge about " + q)
		}
		recorded[q] = rs[1:]
		return rollout.ParseResponse(rs[0])
	})
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts: filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:  filepath.Join(data, "example.jsonl"),
		Environment: func(m model.Model) gym.Environment {
			srv, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &yes}, judge)
			require.NoError(t, err)
			return gym.Environment{Model: m, Resources: srv, Verifier: v}
		},
		Fields: []string{"reward", "extracted_answer", "library_reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
	for q, rs := range recorded {
		require.Empty(t, rs, "recorded judge responses not asked for: %s", q)
	}
}

// gymtest.Check passes on the environment with a policy that answers in \boxed{}.
func TestCheck(t *testing.T) {
	srv, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no}, nil)
	require.NoError(t, err)
	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("m", `The answer is \boxed{\frac{1}{2}}`)), nil
	})
	rows := []rollout.Task{task(t, "What is 1/2?", "0.5"), task(t, "What is 2+2?", "4")}
	problems := gymtest.Check(context.Background(), gym.Environment{Model: policy, Resources: srv, Verifier: v, MaxSteps: 1}, policy, rows)
	require.Empty(t, problems)
}

// The project's example dataset with the answers of examples/mathjudge:
// rewards and extracted answers as NeMo Gym's library path gives them.
func TestExampleDataset(t *testing.T) {
	want := map[string][2]any{
		`\boxed{5050}`:                {1.0, "5050"},
		`\boxed{0.75}`:                {1.0, "0.750000000000000"},
		`\boxed{\frac{2}{\sqrt{2}}}`:  {1.0, "2/(sqrt(2))"},
		`The area is $\boxed{9\pi}$.`: {1.0, "9*pi"},
		`\boxed{x = -3}`:              {1.0, "Eq(x, -3)"},
		`\boxed{[-2, 2]}`:             {0.0, "Interval(-2, 2)"},
		`\boxed{3, 2, 1}`:             {1.0, "{1, 2, 3}"},
		`\boxed{25\%}`:                {1.0, "25*(1/100)"},
		`\boxed{\frac{7}{20}}`:        {1.0, "7/20"},
		`\boxed{(x+1)(x+1)}`:          {1.0, "(x + 1)*(x + 1)"},
	}
	answers := []string{`\boxed{5050}`, `\boxed{0.75}`, `\boxed{\frac{2}{\sqrt{2}}}`, `The area is $\boxed{9\pi}$.`,
		`\boxed{x = -3}`, `\boxed{[-2, 2]}`, `\boxed{3, 2, 1}`, `\boxed{25\%}`, `\boxed{\frac{7}{20}}`, `\boxed{(x+1)(x+1)}`}
	v := newVerifier(t, nil)
	i := 0
	for row, err := range rollout.ReadTasksFile("../../testdata/math_with_judge/example.jsonl") {
		require.NoError(t, err)
		a := answers[i]
		i++
		verdict, err := v.Verify(context.Background(), &verifier.Request{Task: row, Response: answer(a)})
		require.NoError(t, err)
		require.Equal(t, want[a][0], verdict.Reward, a)
		require.Equal(t, want[a][1], field(t, verdict, "extracted_answer"), a)
	}
	require.Equal(t, len(answers), i)
}

// NeMo Gym's library timeout tests: past library_verifier_timeout_seconds
// the answer scores 0 with nothing extracted; a cancelled rollout gets no
// verdict at all (the cancelled class, not a silent 0).
func TestLibraryTimeoutAndCancel(t *testing.T) {
	_, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no, LibraryVerifierTimeoutSeconds: 1e-9}, nil)
	require.NoError(t, err)
	verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "q", "3"), Response: answer(`\boxed{3}`)})
	require.NoError(t, err)
	require.Equal(t, 0.0, verdict.Reward)
	require.Nil(t, field(t, verdict, "extracted_answer"))
	require.Equal(t, 0.0, field(t, verdict, "library_reward"))

	v = newVerifier(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = verifier.Run(ctx, v, &verifier.Request{Task: task(t, "q", "3"), Response: answer(`\boxed{3}`)})
	require.Equal(t, rollout.FailCancelled, rollout.AsFailure(err).Class)

	_, _, err = mathjudge.New(mathjudge.Config{ShouldUseJudge: &no, LibraryVerifierTimeoutSeconds: -1}, nil)
	require.ErrorContains(t, err, "library_verifier_timeout_seconds")
	_, _, err = mathjudge.New(mathjudge.Config{ShouldUseJudge: &no, LibraryVerifierMaxConcurrency: -2}, nil)
	require.ErrorContains(t, err, "library_verifier_max_concurrency")
	_, _, err = mathjudge.New(mathjudge.Config{}, nil)
	require.ErrorContains(t, err, "no judge model")
}

// library_verifier_max_concurrency bounds concurrent library runs; many
// concurrent verifies all finish.
func TestLibraryConcurrency(t *testing.T) {
	_, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no, LibraryVerifierMaxConcurrency: 2}, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verdict, err := v.Verify(context.Background(), &verifier.Request{Task: task(t, "q", jsonNum(i)), Response: answer(`\boxed{` + jsonNum(i) + `}`)})
			if err == nil && verdict.Reward != 1 {
				err = errors.New("wrong reward")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
