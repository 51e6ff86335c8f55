package code

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Tests are a problem's unit tests in LiveCodeBench's format. With no
// FnName, each input is a program's standard input and each output its
// expected standard output; with one, the program defines the function
// FnName (a method of class Solution if the code mentions "class
// Solution"), each input is its JSON arguments one per line and each
// output its JSON result.
type Tests struct {
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
	FnName  *string  `json:"fn_name"`
}

// Status is one unit test's result as LiveCodeBench reports it: Passed
// (true), Failed (false: a call-based wrong answer), or a negative code.
type Status int

// The results of a test.
const (
	Failed          Status = 0  // false: a call-based answer was wrong
	Passed          Status = 1  // true
	GlobalTimeout   Status = -1 // the run ended without a result (killed, crashed, exited)
	WrongAnswer     Status = -2 // the standard output differed
	TimeLimit       Status = -3 // the per-test timeout passed
	RuntimeError    Status = -4 // the program raised, or the tests could not run
	TestRunnerError Status = -5 // the grader itself failed
)

// MarshalJSON writes Passed as true, Failed as false and codes as numbers.
func (s Status) MarshalJSON() ([]byte, error) {
	switch s {
	case Passed:
		return []byte("true"), nil
	case Failed:
		return []byte("false"), nil
	}
	return strconv.AppendInt(nil, int64(s), 10), nil
}

// UnmarshalJSON reads true, false or a number.
func (s *Status) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*s = Passed
		return nil
	case "false":
		*s = Failed
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("code: a test result is true, false or an integer, not %s", b)
	}
	*s = Status(n)
	return nil
}

// Result is a graded program: one Status per test run, up to and
// including the first that did not pass (LiveCodeBench stops there), and
// LiveCodeBench's metadata: {"execution time": s} when all passed, else
// the error_code, error_message and what was run. Metadata is JSON null
// when the run ended without a result.
type Result struct {
	Results  []Status        `json:"result"`
	Metadata json.RawMessage `json:"metadata"`
	// Elapsed is the wall time of the whole check.
	Elapsed time.Duration `json:"-"`
}

// Passed reports whether every test passed (NeMo Gym's all(r == True)).
func (r *Result) Passed() bool {
	for _, s := range r.Results {
		if s != Passed {
			return false
		}
	}
	return true
}

// Check grades code against tests as LiveCodeBench's check_correctness
// does, in the sandbox: the code and its tests run in one python3 process,
// each test under a per-test timeout (SIGALRM, whole seconds; 0 sets none,
// as alarm(0) does), with LiveCodeBench's input mocking, output capture and
// comparison rules, and its reliability guard. When the process ends without
// a result — killed at the global timeout (see Limits.Wall), over a limit,
// crashed or exited — every test is GlobalTimeout and Metadata is null.
//
// Its error is for the sandbox failing, or ctx ending first.
func (s *Sandbox) Check(ctx context.Context, code string, tests Tests, timeout time.Duration) (*Result, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	start := time.Now()
	res, err := s.check(ctx, code, tests, timeout)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func (s *Sandbox) check(ctx context.Context, code string, tests Tests, timeout time.Duration) (*Result, error) {
	if tests.Inputs == nil {
		tests.Inputs = []string{}
	}
	if tests.Outputs == nil {
		tests.Outputs = []string{}
	}
	secs := int64((timeout + time.Second - 1) / time.Second)
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	tag := hex.EncodeToString(nonce[:])
	data, err := json.Marshal(struct {
		Nonce   string `json:"nonce"`
		Timeout int64  `json:"timeout"`
		Debug   bool   `json:"debug"`
		Code    string `json:"code"`
		InOuts  Tests  `json:"in_outs"`
	}{tag, secs, s.debug != nil, code, tests})
	if err != nil {
		return nil, fmt.Errorf("code: encode the tests: %w", err)
	}
	wall := s.limits.Wall
	if wall <= 0 {
		wall = time.Duration((secs+1)*int64(len(tests.Inputs))+5) * time.Second
	}
	out, err := s.exec(ctx, job{mode: "check", data: data, wall: wall})
	if err != nil {
		return nil, err
	}
	if s.debug != nil {
		s.debug.Write(out.stdout.Bytes())
		s.debug.Write(out.stderr.Bytes())
	}
	if res, ok := parseResult(out.result.Bytes(), tag); ok && !out.result.dropped {
		return res, nil
	}
	if s.debug != nil {
		fmt.Fprintf(s.debug, "global timeout (exit status %d, timed out %v)\n", out.state.ExitCode(), out.timedOut)
	}
	all := make([]Status, len(tests.Inputs))
	for i := range all {
		all[i] = GlobalTimeout
	}
	return &Result{Results: all, Metadata: json.RawMessage("null")}, nil
}

// parseResult reads the harness's frame: the nonce, a space, the JSON. What
// a program wrote to the descriptor before it is skipped.
func parseResult(b []byte, tag string) (*Result, bool) {
	i := bytes.LastIndex(b, []byte(tag+" "))
	if i < 0 {
		return nil, false
	}
	var res Result
	body := b[i+len(tag)+1:]
	if !json.Valid(body) || json.Unmarshal(body, &res) != nil || res.Results == nil {
		return nil, false
	}
	var m json.RawMessage
	if len(res.Metadata) == 0 {
		m = json.RawMessage("null")
	} else {
		m = append(m, res.Metadata...)
	}
	res.Metadata = m
	return &res, true
}
