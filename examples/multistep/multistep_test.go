package multistep_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/verifier"
)

var verifierFields = []string{"reward", "parsed_synonym_values", "accuracy", "set_overlap",
	"original_term_minefield_hit", "order_instruction_following_failure"}

// TestReplayReference replays the rollouts NeMo Gym recorded with a real
// model: every tool output and every verifier field must be reproduced.
func TestReplayReference(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "example_multi_step", "data")
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: multistep.Environment,
		Fields:      verifierFields,
	})
	require.NoError(t, err)
	require.Empty(t, diffs)
}

func TestValue(t *testing.T) {
	require.Equal(t, 711, multistep.Value("Blazing"))
	require.Equal(t, 407, multistep.Value("Warm"))
	require.Equal(t, 299, multistep.Value("Hot"))
}

// TestReplayDetectsDifferences proves the replay check can fail: a tool
// that answers differently and a verifier that omits fields are reported.
func TestReplayDetectsDifferences(t *testing.T) {
	data := reftest.Path(t, "resources_servers", "example_multi_step", "data")
	wrong := func(m model.Model) gym.Environment {
		return gym.Environment{
			Model: m,
			Resources: env.NewServer(
				env.NewTool("get_synonym_value", "", func(_ context.Context, in multistep.SynonymArgs) (multistep.SynonymValue, error) {
					return multistep.SynonymValue{SynonymValue: multistep.Value(in.Synonym) + 1}, nil
				}),
				env.NewTool("extract_synonym_values", "", func(_ context.Context, in multistep.ExtractArgs) (multistep.ExtractResult, error) {
					return multistep.ExtractResult{Success: true}, nil
				}),
			),
			Verifier: verifier.Constant(0.5),
		}
	}
	diffs, err := gymtest.Replay(context.Background(), gymtest.ReplayConfig{
		Rollouts:    filepath.Join(data, "example_rollouts.jsonl"),
		Dataset:     filepath.Join(data, "example.jsonl"),
		Environment: wrong,
		Fields:      verifierFields,
	})
	require.NoError(t, err)
	joined := strings.Join(diffs, "\n")
	require.Contains(t, joined, `is "{\"synonym_value\": 712}", recorded "{\"synonym_value\": 711}"`)
	require.Contains(t, joined, `field "reward" is 0.5, recorded 1.0`)
	require.Contains(t, joined, `the verifier produced no "accuracy"`)
}

func TestPolicySolvesItsOwnDataset(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register(multistep.AgentName, multistep.Environment(multistep.Policy())))
	c := gym.Collector{Registry: &reg, DefaultAgent: multistep.AgentName}
	n := 0
	for res, err := range c.Collect(context.Background(), gym.FromFile("../../testdata/multistep.jsonl")) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		require.Equal(t, 1.0, res.Reward, "task %d", res.TaskIndex)
		n++
	}
	require.Equal(t, 5, n)
}
