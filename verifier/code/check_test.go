package code_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/code"
)

func fn(name string) *string { return &name }

// LiveCodeBench's grading rules, case by case (testing_util.py); many more
// are in TestAsLiveCodeBench.
func TestCheckLiveCodeBenchRules(t *testing.T) {
	sb, _ := sandbox(t)
	square := "n = int(input())\nprint(n * n)"
	cases := []struct {
		name    string
		program string
		tests   code.Tests
		timeout time.Duration
		result  string
		meta    map[string]any // expected metadata entries (all of them when exact)
		exact   bool
	}{
		{name: "all pass", program: square, tests: stdio("2\n", "4", "5\n", "25"), result: "[true,true]"},
		{name: "stops at the first failure", program: square, tests: stdio("2\n", "4", "3\n", "10", "4\n", "16"), result: "[true,-2]",
			meta: map[string]any{"output": "9\n", "inputs": "3\n", "expected": "10", "error_code": -2.0,
				"error_message": "Wrong answer at output_line_idx=0: 9 != 10"}, exact: true},
		// NeMo Gym's TestTestingUtil.test_mock_stdin_supports_iteration.
		{name: "the stdin mock iterates", program: "import sys\nit = iter(sys.stdin)\nprint(it is sys.stdin, repr(next(sys.stdin)), list(sys.stdin))",
			tests: stdio("first\nsecond\n", "True 'first\\n' ['second\\n']"), result: "[true]"},
		{name: "open is the real one (the star import of builtins shadows the mock)", program: "print(open('input.txt').read())", tests: stdio("7 8\n", "7"), result: "[-4]",
			meta: map[string]any{"error": "FileNotFoundError(2, 'No such file or directory')"}},
		{name: "input exhausted", program: "input()\ninput()", tests: stdio("1", "x"), result: "[-4]",
			meta: map[string]any{"error": "EOFError('EOF when reading a line')", "error_code": -4.0, "error_message": "Runtime Error", "inputs": "1", "expected": "x"}},
		{name: "syntax error", program: "print(", tests: stdio("", ""), result: "[-4]",
			meta: map[string]any{"error_code": -4.0, "error_message": "Error during testing: '(' was never closed (<string>, line 1)"}, exact: true},
		{name: "per-test timeout", program: "while True:\n    pass", tests: stdio("", "1", "", "1"), timeout: time.Second, result: "[-3]",
			meta: map[string]any{"error": "TimeoutException()", "error_code": -3.0, "error_message": "Time Limit Exceeded", "inputs": "", "expected": "1"}, exact: true},
		{name: "exit without a result", program: "import os\nos._exit(0)", tests: stdio("", "1", "", "2"), result: "[-1,-1]"},

		// Call-based tests.
		{name: "call-based wrong answer", program: "def f(x):\n    return x",
			tests: code.Tests{Inputs: []string{"[1, 2]"}, Outputs: []string{"[2, 1]"}, FnName: fn("f")}, result: "[false]",
			meta: map[string]any{"output": "[1, 2]", "inputs": "[[1, 2]]", "expected": "[2, 1]", "error_code": -2.0, "error_message": "Wrong Answer"}, exact: true},
		{name: "call-based runtime error", program: "def f(x):\n    return 1 // x",
			tests: code.Tests{Inputs: []string{"1", "0"}, Outputs: []string{"1", "0"}, FnName: fn("f")}, result: "[true,-4]",
			meta: map[string]any{"error": "ZeroDivisionError('integer division or modulo by zero')", "inputs": "[0]", "expected": "0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			timeout := c.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			res := check(t, sb, c.program, c.tests, timeout)
			require.Equal(t, c.result, results(t, res), "metadata %s", res.Metadata)
			if c.result == "[-1,-1]" {
				require.Equal(t, "null", string(res.Metadata))
				return
			}
			m := meta(t, res)
			if c.exact {
				require.Equal(t, c.meta, m)
			}
			for k, v := range c.meta {
				require.Equal(t, v, m[k], "metadata %q", k)
			}
			if res.Passed() {
				require.Contains(t, m, "execution time")
			}
		})
	}
}

// The cases of NeMo Gym's tests/test_compute_code_generation_metrics.py
// (check_correctness's worker lifecycle), as the sandbox has them.
func TestCheckLifecycle(t *testing.T) {
	sb, base := sandbox(t, code.WithLimits(code.Limits{Wall: 2 * time.Second, Memory: 256 << 20}))
	tests := stdio("1", "1", "2", "4")

	t.Run("killed at the global timeout, then reaped", func(t *testing.T) {
		// A program deaf to the per-test alarm is killed at the global timeout.
		start := time.Now()
		res := check(t, sb, "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\ntime.sleep(60)", tests, time.Second)
		require.Equal(t, "[-1,-1]", results(t, res))
		require.Equal(t, "null", string(res.Metadata))
		require.Less(t, time.Since(start), 10*time.Second)
		requireClean(t, base)
	})
	t.Run("start fails: nothing is left", func(t *testing.T) {
		broken, err := code.New(code.WithDir(filepath.Join(base, "missing")))
		require.NoError(t, err)
		_, err = broken.Check(context.Background(), "print(1)", tests, time.Second)
		require.ErrorContains(t, err, "sandbox directory")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = sb.Check(ctx, "print(1)", tests, time.Second)
		require.ErrorIs(t, err, context.Canceled)
		requireClean(t, base)
	})
	t.Run("results are read before the teardown", func(t *testing.T) {
		res := check(t, sb, "n = int(input())\nprint(n * n)", tests, time.Second)
		require.Equal(t, "[true,true]", results(t, res))
		require.Contains(t, meta(t, res), "execution time")
	})
}

// Cancelling the context stops a running program at once, and nothing is
// left of it.
func TestCheckCancel(t *testing.T) {
	sb, base := sandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sb.Check(ctx, "while True:\n    pass", stdio("", "1"), 0) // no per-test alarm
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
	requireClean(t, base)
}

// At most Parallelism programs run at once.
func TestParallelism(t *testing.T) {
	sb, _ := sandbox(t, code.WithParallelism(2))
	var mu sync.Mutex
	type span struct{ start, end float64 }
	var spans []span
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			out, err := sb.Run(context.Background(), code.Program{Source: "import time\na = time.time()\ntime.sleep(0.3)\nprint(a, time.time())"})
			require.NoError(t, err)
			var s span
			_, err = fmt.Sscan(string(out.Stdout), &s.start, &s.end)
			require.NoError(t, err, "%q", out.Stdout)
			mu.Lock()
			spans = append(spans, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, s := range spans {
		running := 0
		for _, o := range spans {
			if o.start <= s.start && s.start < o.end {
				running++
			}
		}
		require.LessOrEqual(t, running, 2)
	}
}

func TestStatusJSON(t *testing.T) {
	in := []code.Status{code.Passed, code.Failed, code.GlobalTimeout, code.WrongAnswer, code.TimeLimit, code.RuntimeError, code.TestRunnerError}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.Equal(t, "[true,false,-1,-2,-3,-4,-5]", string(b))
	var out []code.Status
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.Error(t, json.Unmarshal([]byte(`["x"]`), &out))
	require.False(t, (&code.Result{Results: []code.Status{code.Passed, code.Failed}}).Passed())
	require.True(t, (&code.Result{Results: []code.Status{}}).Passed())
}

func TestNoPython(t *testing.T) {
	_, err := code.New(code.WithPython("/nonexistent/python3"))
	require.True(t, errors.Is(err, code.ErrNoPython), "%v", err)
}

func ExampleSandbox_Check() {
	sb, err := code.New()
	if err != nil {
		fmt.Println(err) // python3 is absent
		return
	}
	answer := "```python\nn = int(input())\nprint(n * n)\n```"
	tests := code.Tests{Inputs: []string{"2\n", "3\n"}, Outputs: []string{"4", "10"}}
	res, err := sb.Check(context.Background(), code.Extract(answer), tests, 10*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	var meta struct {
		Message string `json:"error_message"`
	}
	_ = json.Unmarshal(res.Metadata, &meta)
	results, _ := json.Marshal(res.Results)
	fmt.Println(string(results), res.Passed(), meta.Message)
	// Prints (with python3 installed):
	// [true,-2] false Wrong answer at output_line_idx=0: 9 != 10
}
