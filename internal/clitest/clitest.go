package clitest

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/gymkit/gym/cmd/gym/cli"
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
