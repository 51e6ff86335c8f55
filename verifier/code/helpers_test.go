package code_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/verifier/code"
)

// small are limits that keep hostile programs cheap on a shared machine.
var small = code.Limits{Memory: 256 << 20, FileSize: 1 << 20, Output: 64 << 10}

// sandbox returns a sandbox whose programs' directories live in a fresh
// directory, and checks when the test ends that nothing is left behind
// there: no directory, no process working in one.
func sandbox(t testing.TB, opts ...code.Option) (*code.Sandbox, string) {
	t.Helper()
	reftest.Python(t)
	base := t.TempDir()
	sb, err := code.New(append([]code.Option{code.WithDir(base), code.WithParallelism(2), code.WithLimits(small)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { requireClean(t, base) })
	return sb, base
}

// requireClean fails if anything of a program is left under base.
func requireClean(t testing.TB, base string) {
	t.Helper()
	entries, err := os.ReadDir(base)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	require.Empty(t, left, "directories left in %s", base)
	require.Empty(t, processesIn(base), "processes left working in %s", base)
}

// processesIn lists the processes whose working directory is under base.
func processesIn(base string) []string {
	procs, _ := filepath.Glob("/proc/[0-9]*/cwd")
	var found []string
	for _, p := range procs {
		if dir, err := os.Readlink(p); err == nil && strings.HasPrefix(dir, base) {
			found = append(found, p+" -> "+dir)
		}
	}
	return found
}

func check(t testing.TB, sb *code.Sandbox, program string, tests code.Tests, timeout time.Duration) *code.Result {
	t.Helper()
	res, err := sb.Check(context.Background(), program, tests, timeout)
	require.NoError(t, err)
	return res
}

func stdio(pairs ...string) code.Tests {
	var t code.Tests
	for i := 0; i+1 < len(pairs); i += 2 {
		t.Inputs = append(t.Inputs, pairs[i])
		t.Outputs = append(t.Outputs, pairs[i+1])
	}
	return t
}

func results(t testing.TB, r *code.Result) string {
	t.Helper()
	b, err := json.Marshal(r.Results)
	require.NoError(t, err)
	return string(b)
}

func meta(t testing.TB, r *code.Result) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Metadata, &m))
	return m
}
