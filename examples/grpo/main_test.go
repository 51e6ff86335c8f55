package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGRPOLoop(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, "../../testdata", 3))
	text := out.String()
	for _, want := range []string{"step 0: 8 groups, 32 rollouts", "step 1: 8 groups, 32 rollouts", "step 2: 8 groups, 32 rollouts"} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "step 3:")
	// The 1:3 blend: 2 weather groups and 6 synonym groups in every batch.
	groups := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "groups," {
			require.Contains(t, []string{"2", "6"}, f[1], line)
			groups[f[0]+" "+f[1]]++
		}
	}
	require.Equal(t, map[string]int{"example_single_tool_call_simple_agent 2": 3, "example_multi_step_simple_agent 6": 3}, groups)
	require.Equal(t, 3, strings.Count(text, "32 samples"))
}
