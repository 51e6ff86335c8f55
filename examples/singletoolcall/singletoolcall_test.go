package singletoolcall_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
)

func TestReplayReference(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "example_single_tool_call", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: singletoolcall.Environment,
		Fields:      []string{"reward"},
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}
