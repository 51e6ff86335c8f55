package rollout

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
)

// LineError is an error in one line of a JSONL file.
type LineError struct {
	Path string // the file, if known
	Line int    // 1-based line number
	Err  error
}

func (e *LineError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads JSONL: one JSON document per line, of any length. Blank lines
// (of JSON whitespace) are skipped.
type Reader struct {
	br   *bufio.Reader
	path string
	line int
}

// NewReader returns a Reader on r. path, if not empty, names the source in errors.
func NewReader(r io.Reader, path string) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256<<10), path: path}
}

// Line returns the 1-based number of the line last returned.
func (r *Reader) Line() int { return r.line }

// Next returns the next non-blank line without its newline, in a buffer
// owned by the caller. At the end it returns io.EOF. A last line without a
// newline is returned like any other, and a UTF-8 byte order mark at the
// start of the file is skipped (as Python's utf-8-sig reads it).
func (r *Reader) Next() ([]byte, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line++
		if r.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		// Blank means JSON whitespace only: a line of other spaces (\f,
		// U+00A0, ...) is malformed, not skipped.
		if len(bytes.Trim(line, " \t\r\n")) > 0 {
			return line, nil
		}
	}
}

func (r *Reader) readLine() ([]byte, error) {
	frag, err := r.br.ReadSlice('\n')
	if err == nil {
		return bytes.Clone(trimEOL(frag)), nil
	}
	var line []byte
	for errors.Is(err, bufio.ErrBufferFull) {
		line = append(line, frag...)
		frag, err = r.br.ReadSlice('\n')
	}
	line = append(line, frag...)
	if err == io.EOF && len(line) > 0 {
		return trimEOL(line), nil
	}
	if err != nil {
		return nil, err
	}
	return trimEOL(line), nil
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// Err wraps err with the reader's source and current line.
func (r *Reader) Err(err error) error {
	return &LineError{Path: r.path, Line: r.line, Err: err}
}

func readError(path string, err error) error {
	if path == "" {
		return fmt.Errorf("rollout: read: %w", err)
	}
	return fmt.Errorf("rollout: read %s: %w", path, err)
}

// ReadTasks parses each line of r as a dataset row. A malformed row yields a
// *LineError and reading goes on with the next line; an I/O error (not a
// *LineError) ends the sequence.
func ReadTasks(r io.Reader, path string) iter.Seq2[Task, error] {
	return readLines(r, path, func(line []byte, n int) (Task, error) {
		t, err := ParseTask(line)
		t.src, t.line = path, n
		return t, err
	})
}

// ReadTasksFile reads the dataset rows of a JSONL file.
func ReadTasksFile(path string) iter.Seq2[Task, error] {
	return func(yield func(Task, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Task{}, err)
			return
		}
		defer f.Close()
		for t, err := range ReadTasks(f, path) {
			if !yield(t, err) {
				return
			}
		}
	}
}

// ReadResults parses each line of r as an output row, as ReadTasks does.
func ReadResults(r io.Reader, path string) iter.Seq2[*Result, error] {
	return readLines(r, path, func(line []byte, n int) (*Result, error) {
		res, err := ParseResult(line)
		if err == nil {
			res.Task.src, res.Task.line = path, n // Task.Source names the row
		}
		return res, err
	})
}

// ErrJSONArray is matched (errors.Is) by the error for a file that is one
// JSON array rather than JSON Lines.
var ErrJSONArray = errors.New("the file is a JSON array, not JSON Lines (one object per line)")

// readLines parses each non-blank line of r with parse (given the line and
// its number): a parse error is a *LineError and reading goes on; an I/O
// error ends the sequence, and so does a file whose first line opens a
// JSON array, with one error that says so (not one per line).
func readLines[T any](r io.Reader, path string, parse func(line []byte, n int) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		jr := NewReader(r, path)
		first := true
		for {
			line, err := jr.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var zero T
				yield(zero, readError(path, err))
				return
			}
			if first && firstByte(line) == '[' {
				var zero T
				name := path
				if name == "" {
					name = "in.json"
				}
				yield(zero, readError(path, fmt.Errorf("%w: convert it with jq -c '.[]' %s > rows.jsonl", ErrJSONArray, name)))
				return
			}
			first = false
			v, err := parse(line, jr.Line())
			if err != nil {
				err = jr.Err(err)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// Appender is a JSON value that can append its encoding to a buffer.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// Writer writes JSONL: each value is encoded (outside the lock, so that
// concurrent writers encode in parallel) and handed to the underlying writer
// as one complete line in a single Write call, so lines never interleave
// and a crash leaves at most one partial last line. It is safe for
// concurrent use.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Write writes v as one line.
func (w *Writer) Write(v Appender) error {
	bp := linePool.Get().(*[]byte)
	b := append(v.AppendJSON((*bp)[:0]), '\n')
	err := w.WriteLine(b)
	if cap(b) <= 1<<20 { // do not pin a huge line's buffer
		*bp = b
		linePool.Put(bp)
	}
	return err
}

// WriteLine writes b, which must be one JSON document followed by a newline.
func (w *Writer) WriteLine(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := w.w.Write(b)
	if err == nil {
		w.n++
	}
	return err
}

// Lines reports how many lines were written.
func (w *Writer) Lines() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}
