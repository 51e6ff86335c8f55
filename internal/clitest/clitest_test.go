package clitest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gymkit/gym/internal/clitest"
)

// Run gives the command's output, from the folder asked for.
func TestRun(t *testing.T) {
	out := clitest.Run(t, "", "list", "resources-servers")
	if !strings.Contains(out, "mcqa") {
		t.Fatalf("gym list: %q names no mcqa", out)
	}
	wd, _ := os.Getwd()
	out = filepath.Join(t.TempDir(), "mcqa.jsonl")
	stdout := clitest.Run(t, filepath.Join("..", ".."), "reverify", "--agent", "mcqa_simple_agent",
		"--config", "resources_servers/mcqa/configs/mcqa.yaml,responses_api_models/openai_model/configs/openai_model.yaml",
		"--input", "testdata/mcqa/example_rollouts.jsonl", "--output", out,
		"+policy_base_url=http://unused", "+policy_api_key=none", "+policy_model_name=none")
	if !strings.Contains(stdout, "reverified 5 rows") {
		t.Fatalf("reverify: %q", stdout)
	}
	if now, _ := os.Getwd(); now != wd {
		t.Fatalf("working directory %s after Run, want %s", now, wd)
	}
}

type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, a ...any) {
	f.msg = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// A failing command fails the test, with its stderr.
func TestRunFails(t *testing.T) {
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		clitest.Run(tb, "", "no-such-command")
	}()
	<-done
	if !strings.Contains(tb.msg, "exit status") {
		t.Fatalf("failure %q", tb.msg)
	}
}
