package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/rollout"
)

func TestMultienvOffline(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	require.NoError(t, run("../../testdata", out))
	counts := countAgents(t, out)
	require.Equal(t, map[string]int{singletoolcall.AgentName: 5, multistep.AgentName: 5}, counts)
}

// The same program against an OpenAI-compatible endpoint: the fake server
// runs the scripted policies behind the Responses API.
func TestMultienvAgainstEndpoint(t *testing.T) {
	srv := gymtest.NewServer(gymtest.Policy(multistep.Policy()))
	defer srv.Close()
	t.Setenv("OPENAI_BASE_URL", srv.URL)
	t.Setenv("OPENAI_API_KEY", "k")
	t.Setenv("OPENAI_MODEL", "fake")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	require.NoError(t, run("../../testdata", out))
	require.Len(t, countAgents(t, out), 2)
	require.NotEmpty(t, srv.Requests())
}

func countAgents(t *testing.T, path string) map[string]int {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	counts := map[string]int{}
	for r, err := range rollout.ReadResults(f, path) {
		require.NoError(t, err)
		require.NoError(t, r.Err)
		counts[r.Agent]++
	}
	return counts
}
