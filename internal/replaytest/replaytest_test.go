package replaytest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/gymkit/gym/internal/replaytest"
)

var (
	ownRollouts = filepath.Join("..", "..", "testdata", "mcqa", "example_rollouts.jsonl")
	ownDataset  = filepath.Join("..", "..", "testdata", "mcqa", "example.jsonl")
)

// stripped writes the project's mcqa rollouts without their
// expected_answer, as a recording that keeps only some task fields.
func stripped(t *testing.T) string {
	data, err := os.ReadFile(ownRollouts)
	if err != nil {
		t.Fatal(err)
	}
	data = regexp.MustCompile(`"expected_answer": "[A-Z]", `).ReplaceAll(data, nil)
	p := filepath.Join(t.TempDir(), "rollouts.jsonl")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRequestsRestoresFields(t *testing.T) {
	rollouts := stripped(t)
	bare := replaytest.Requests(t, rollouts, "")
	if len(bare) != 5 {
		t.Fatalf("%d requests, want 5", len(bare))
	}
	for i, r := range bare {
		if r.Task.Has("expected_answer") {
			t.Fatalf("request %d has expected_answer without a dataset", i)
		}
		if r.Response == nil {
			t.Fatalf("request %d has no response", i)
		}
	}
	full := replaytest.Requests(t, rollouts, ownDataset)
	want := replaytest.Requests(t, ownRollouts, "")
	for i, r := range full {
		got, want := r.Task.String("expected_answer"), want[i].Task.String("expected_answer")
		if got == "" || got != want {
			t.Fatalf("request %d: expected_answer %q, want %q", i, got, want)
		}
	}
}

// fatalTB records the failure a helper reports and stops its goroutine.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(a ...any) {
	f.msg = fmt.Sprint(a...)
	runtime.Goexit()
}
func (f *fatalTB) Fatalf(format string, a ...any) {
	f.msg = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

func TestRequestsMissingRow(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][2]string{
		"row missing":     {ownRollouts, empty},
		"no rollout file": {filepath.Join(t.TempDir(), "absent.jsonl"), ""},
	} {
		tb := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			replaytest.Requests(tb, args[0], args[1])
		}()
		<-done
		if tb.msg == "" {
			t.Errorf("%s: no failure", name)
		}
	}
}
