package clitest

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/rollout"
)

// Run runs the gym command line args with the bundled implementations
// (from dir when dir is not "", as a README's command is run from the
// repository's root) and returns what it wrote to stdout. It fails t unless
// the command exits 0, with what it wrote to stderr.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if dir != "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Impls: cli.Builtin(), Stdout: &stdout, Stderr: &stderr}
	if code := c.Run(context.Background(), args); code != 0 {
		t.Fatalf("gym %q: exit status %d\n%s", args, code, stderr.String())
	}
	return stdout.String()
}

// Results reads the rollout results of the JSONL file at path (an output
// or failures file a command wrote), failing t on any unreadable line.
func Results(t testing.TB, path string) []*rollout.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*rollout.Result
	for r, err := range rollout.ReadResults(f, path) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}
