package rollout_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func TestReaderLines(t *testing.T) {
	in := "{\"a\":1}\r\n\n   \n{\"b\":2}\n\t\r\n{\"c\":3}\r\n{\"d\":\"no newline\"}"
	r := rollout.NewReader(strings.NewReader(in), "x.jsonl")
	var got []string
	var lines []int
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, string(b))
		lines = append(lines, r.Line())
	}
	require.Equal(t, []string{`{"a":1}`, `{"b":2}`, `{"c":3}`, `{"d":"no newline"}`}, got)
	require.Equal(t, []int{1, 4, 6, 7}, lines)

	_, err := r.Next()
	require.ErrorIs(t, err, io.EOF, "EOF again after the end")
}

// Only JSON whitespace makes a line blank; other space characters are a
// malformed row, reported, not skipped.
func TestReadTasksNonJSONSpaceIsNotBlank(t *testing.T) {
	var lines []int
	for _, err := range rollout.ReadTasks(strings.NewReader("\f\n \t \n\u00a0\n\v"), "") {
		var le *rollout.LineError
		require.ErrorAs(t, err, &le)
		lines = append(lines, le.Line)
	}
	require.Equal(t, []int{1, 3, 4}, lines)
}

func TestReaderEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "\r\n\r\n", "  \n\t"} {
		r := rollout.NewReader(strings.NewReader(in), "")
		_, err := r.Next()
		require.ErrorIs(t, err, io.EOF, "%q", in)
	}
}

// Next hands out a fresh buffer per line: parsed rows refer to it.
func TestReaderLinesAreNotReused(t *testing.T) {
	r := rollout.NewReader(iotest.OneByteReader(strings.NewReader("{\"a\":1}\n{\"b\":2}\n")), "")
	first, err := r.Next()
	require.NoError(t, err)
	second, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(first))
	require.Equal(t, `{"b":2}`, string(second))
}

func TestReaderHugeLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB line")
	}
	const size = 64<<20 + 17
	blob := bytes.Repeat([]byte("abcdefgh"), size/8+1)[:size]
	var in bytes.Buffer
	in.WriteString(`{"responses_create_params":{"input":"q"},"blob":"`)
	in.Write(blob)
	in.WriteString("\"}\r\n")
	in.WriteString(`{"responses_create_params":{"input":"next"}}`)

	var tasks []rollout.Task
	for task, err := range rollout.ReadTasks(&in, "huge.jsonl") {
		require.NoError(t, err)
		tasks = append(tasks, task)
	}
	require.Len(t, tasks, 2)
	got := tasks[0].String("blob")
	require.Len(t, got, size)
	require.True(t, got == string(blob), "the 64 MiB field comes back intact")
	p, err := tasks[1].Params()
	require.NoError(t, err)
	input, err := p.Input()
	require.NoError(t, err)
	require.Equal(t, "next", input[0].Text())
}

func TestReadTasksLineErrors(t *testing.T) {
	in := strings.Join([]string{
		`{"responses_create_params":{"input":"one"}}`, // 1
		``,                            // 2
		`{"responses_create_params":`, // 3: invalid JSON
		`{"input":"no params"}`,       // 4: not a row
		`   `,                         // 5
		`{"responses_create_params":{"input":"five"}}` + "\r", // 6: CRLF
		`[1,2]`, // 7: not an object
		`{"responses_create_params":{"input":"seven"}}`, // 8, no newline
	}, "\n")
	type got struct {
		input string
		line  int
		err   error
	}
	var seq []got
	for task, err := range rollout.ReadTasks(strings.NewReader(in), "data/train.jsonl") {
		if err != nil {
			var le *rollout.LineError
			require.ErrorAs(t, err, &le, "%v", err)
			seq = append(seq, got{line: le.Line, err: err})
			continue
		}
		p, perr := task.Params()
		require.NoError(t, perr)
		items, perr := p.Input()
		require.NoError(t, perr)
		seq = append(seq, got{input: items[0].Text()})
	}
	require.Len(t, seq, 6)
	require.Equal(t, "one", seq[0].input)
	require.Equal(t, 3, seq[1].line)
	require.Equal(t, 4, seq[2].line)
	require.Equal(t, "five", seq[3].input)
	require.Equal(t, 7, seq[4].line)
	require.Equal(t, "seven", seq[5].input)

	require.True(t, strings.HasPrefix(seq[1].err.Error(), "data/train.jsonl:3: "), seq[1].err.Error())
	require.ErrorIs(t, seq[2].err, rollout.ErrNoCreateParams)
	require.Equal(t, `data/train.jsonl:4: missing "responses_create_params"`, seq[2].err.Error())
	require.ErrorIs(t, seq[4].err, rollout.ErrNotObject)

	// Without a path the message names the line alone.
	for _, err := range rollout.ReadTasks(strings.NewReader("\n\nnot json\n"), "") {
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "line 3: "), err.Error())
	}
}

var errDisk = errors.New("disk on fire")

func TestReadTasksIOError(t *testing.T) {
	r := io.MultiReader(
		strings.NewReader("{\"responses_create_params\":{\"input\":\"ok\"}}\n{\"responses_create_params\":{\"inp"),
		iotest.ErrReader(errDisk),
	)
	var tasks, errs int
	var last error
	for _, err := range rollout.ReadTasks(r, "in.jsonl") {
		if err != nil {
			errs++
			last = err
			continue
		}
		tasks++
	}
	require.Equal(t, 1, tasks)
	require.Equal(t, 1, errs, "an I/O error ends the sequence")
	require.ErrorIs(t, last, errDisk)
	var le *rollout.LineError
	require.False(t, errors.As(last, &le), "an I/O error is not a line error: %v", last)
	require.Contains(t, last.Error(), "in.jsonl")

	// Same for results.
	errs = 0
	for _, err := range rollout.ReadResults(iotest.ErrReader(errDisk), "") {
		require.ErrorIs(t, err, errDisk)
		require.False(t, errors.As(err, &le))
		errs++
	}
	require.Equal(t, 1, errs)
}

func TestReadTasksBreakEarly(t *testing.T) {
	// The Go runtime panics if an iterator calls yield after the loop body
	// broke out; these loops check that it does not.
	n := 0
	for _, err := range rollout.ReadTasks(strings.NewReader(strings.Repeat("{\"responses_create_params\":{}}\n", 100)+"not json\n"), "") {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	require.Equal(t, 2, n)

	// Breaking on an error works too.
	n = 0
	for _, err := range rollout.ReadTasks(strings.NewReader("bad\n{\"responses_create_params\":{}}\n"), "") {
		require.Error(t, err)
		n++
		break
	}
	require.Equal(t, 1, n)

	n = 0
	for res, err := range rollout.ReadResults(strings.NewReader("{\"reward\":1}\n{\"reward\":0}\n"), "") {
		require.NoError(t, err)
		require.Equal(t, 1.0, res.Reward)
		n++
		break
	}
	require.Equal(t, 1, n)
}

func TestReadResultsLineErrors(t *testing.T) {
	in := "{\"reward\":1.0,\"_ng_task_index\":2}\n{\"reward\":\"x\"}\n{\"reward\":0.0}\n"
	var rewards []float64
	var lines []int
	for res, err := range rollout.ReadResults(strings.NewReader(in), "out.jsonl") {
		if err != nil {
			var le *rollout.LineError
			require.ErrorAs(t, err, &le)
			require.Equal(t, "out.jsonl", le.Path)
			lines = append(lines, le.Line)
			continue
		}
		rewards = append(rewards, res.Reward)
	}
	require.Equal(t, []float64{1, 0}, rewards)
	require.Equal(t, []int{2}, lines)
}

func TestReadTasksFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tasks.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("{\"responses_create_params\":{\"input\":\"a\"}}\n{}\n"), 0o600))
	var ok int
	var le *rollout.LineError
	for _, err := range rollout.ReadTasksFile(path) {
		if err != nil {
			require.ErrorAs(t, err, &le)
			continue
		}
		ok++
	}
	require.Equal(t, 1, ok)
	require.NotNil(t, le)
	require.Equal(t, path, le.Path)
	require.Equal(t, 2, le.Line)

	n := 0
	for _, err := range rollout.ReadTasksFile(filepath.Join(dir, "missing.jsonl")) {
		require.ErrorIs(t, err, os.ErrNotExist)
		require.False(t, errors.As(err, &le))
		n++
	}
	require.Equal(t, 1, n)
}

func TestLineError(t *testing.T) {
	err := &rollout.LineError{Path: "a.jsonl", Line: 5, Err: rollout.ErrNoCreateParams}
	require.Equal(t, `a.jsonl:5: missing "responses_create_params"`, err.Error())
	require.ErrorIs(t, err, rollout.ErrNoCreateParams)
	require.Equal(t, `line 5: missing "responses_create_params"`, (&rollout.LineError{Line: 5, Err: rollout.ErrNoCreateParams}).Error())

	r := rollout.NewReader(strings.NewReader("x\ny\n"), "p")
	_, _ = r.Next()
	_, _ = r.Next()
	wrapped := r.Err(errDisk)
	var le *rollout.LineError
	require.ErrorAs(t, wrapped, &le)
	require.Equal(t, 2, le.Line)
	require.Equal(t, "p", le.Path)
	require.ErrorIs(t, wrapped, errDisk)
}

// rawLine is an Appender of fixed bytes.
type rawLine string

func (l rawLine) AppendJSON(b []byte) []byte { return append(b, l...) }

// callRecorder records each Write call separately.
type callRecorder struct {
	mu    sync.Mutex
	calls [][]byte
}

func (c *callRecorder) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, bytes.Clone(p))
	return len(p), nil
}

func TestWriterConcurrent(t *testing.T) {
	const writers, each = 32, 50
	var rec callRecorder
	w := rollout.NewWriter(&rec)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				task := mustTask(t, fmt.Sprintf(`{"responses_create_params":{"input":%q},"pad":%q}`, fmt.Sprint(g, "-", i), strings.Repeat("x", (g*each+i)%5000)))
				res := &rollout.Result{Task: task, TaskIndex: g, RolloutIndex: i, Agent: "a", Reward: float64(i) / each}
				if err := w.Write(res); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, writers*each, w.Lines())
	require.Len(t, rec.calls, writers*each, "one Write call per line")

	seen := map[[2]int]bool{}
	var all bytes.Buffer
	for _, call := range rec.calls {
		require.Equal(t, 1, bytes.Count(call, []byte("\n")), "%.80s", call)
		require.True(t, bytes.HasSuffix(call, []byte("\n")))
		all.Write(call)
		res, err := rollout.ParseResult(bytes.TrimSuffix(call, []byte("\n")))
		require.NoError(t, err)
		key := [2]int{res.TaskIndex, res.RolloutIndex}
		require.False(t, seen[key], "line %v written twice", key)
		seen[key] = true
		require.Len(t, res.Task.String("pad"), (res.TaskIndex*each+res.RolloutIndex)%5000, "a line carries its own row")
	}
	require.Len(t, seen, writers*each)

	n := 0
	for _, err := range rollout.ReadResults(&all, "") {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, writers*each, n)
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after == 0 {
		return 0, errDisk
	}
	f.after--
	return len(p), nil
}

func TestWriterError(t *testing.T) {
	w := rollout.NewWriter(&failingWriter{after: 1})
	require.NoError(t, w.Write(rawLine(`{"a":1}`)))
	require.ErrorIs(t, w.Write(rawLine(`{"a":2}`)), errDisk)
	require.ErrorIs(t, w.WriteLine([]byte("{}\n")), errDisk)
	require.Equal(t, 1, w.Lines(), "failed lines are not counted")
}

func TestWriterLines(t *testing.T) {
	var buf bytes.Buffer
	w := rollout.NewWriter(&buf)
	require.Equal(t, 0, w.Lines())
	require.NoError(t, w.Write(rawLine(`{"a":1}`)))
	require.NoError(t, w.WriteLine([]byte("{\"b\":2}\n")))
	require.NoError(t, w.Write(rollout.NewMessage("user", "hi")))
	require.Equal(t, 3, w.Lines())
	require.Equal(t, "{\"a\":1}\n{\"b\":2}\n{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}\n", buf.String())

	// A line bigger than the pooled buffers is written whole.
	big := rawLine(`{"k":"` + strings.Repeat("z", 3<<20) + `"}`)
	require.NoError(t, w.Write(big))
	require.NoError(t, w.Write(rawLine(`{"after":true}`)))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 5)
	require.Equal(t, string(big), lines[3])
	require.Equal(t, `{"after":true}`, lines[4])
}
