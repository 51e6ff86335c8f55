package gym_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/rollout"
)

// Values worked by hand from NeMo RL's calculate_baseline_and_std_per_prompt
// and GRPOAdvantageEstimator.compute_advantage.
func TestAdvantages(t *testing.T) {
	third := 1 / math.Sqrt(3) // the std of {1, 0, 0}
	cases := []struct {
		name    string
		a       gym.Advantage
		rewards []float64
		want    []float64
	}{
		{"mean baseline", gym.Advantage{}, []float64{1, 0, 0, 0}, []float64{0.75, -0.25, -0.25, -0.25}},
		{"mean baseline, normalised", gym.Advantage{Normalize: true}, []float64{1, 0, 0, 0},
			[]float64{0.75 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6), -0.25 / (0.5 + 1e-6)}},
		{"leave one out", gym.Advantage{LeaveOneOut: true}, []float64{1, 0, 0, 0}, []float64{1, -1.0 / 3, -1.0 / 3, -1.0 / 3}},
		// The first rollout's others all have 0: std 0, so it is not
		// normalised; each other one's others are {1, 0, 0}.
		{"GRPO (NeMo RL's default)", gym.GRPO, []float64{1, 0, 0, 0},
			[]float64{1, (-1.0 / 3) / (third + 1e-6), (-1.0 / 3) / (third + 1e-6), (-1.0 / 3) / (third + 1e-6)}},
		{"uniform group", gym.GRPO, []float64{0.5, 0.5, 0.5}, []float64{0, 0, 0}},
		{"one rollout", gym.GRPO, []float64{0.7}, []float64{0}},
		{"two rollouts, leave one out: no std", gym.GRPO, []float64{1, 0}, []float64{1, -1}},
		{"two rollouts, mean", gym.Advantage{Normalize: true}, []float64{1, 0},
			[]float64{0.5 / (math.Sqrt(0.5) + 1e-6), -0.5 / (math.Sqrt(0.5) + 1e-6)}},
		{"empty", gym.GRPO, nil, []float64{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.a.Of(tc.rewards)
			require.Len(t, got, len(tc.want))
			for i := range got {
				require.InDelta(t, tc.want[i], got[i], 1e-9, "rollout %d: %v", i, got)
			}
		})
	}
}

func TestAdvantageGroupSkipsFailures(t *testing.T) {
	g := &gym.Group{Results: []*gym.Result{
		{Reward: 1}, {Err: errors.New("boom"), Reward: 5}, {Reward: 0},
	}}
	require.Equal(t, []float64{0.5, 0, -0.5}, gym.Advantage{}.Group(g))
	b, std := gym.GRPO.Baselines([]float64{1, 0, 0})
	require.Equal(t, []float64{0, 0.5, 0.5}, b)
	require.InDelta(t, 0, std[0], 0)
	require.InDelta(t, math.Sqrt(0.5), std[1], 1e-12)
}

func TestBatchSamples(t *testing.T) {
	g := &gym.Group{Results: []*gym.Result{{Reward: 1, Response: &rollout.Response{}}, {Reward: 0}, {Err: errors.New("x")}}}
	b := &gym.Batch{Groups: []*gym.Group{g}}
	var advs []float64
	for s, err := range b.Samples(gym.Advantage{}) {
		require.ErrorIs(t, err, rollout.ErrNoTokens)
		require.Nil(t, s.Trajectory)
		require.Same(t, g, s.Group)
		advs = append(advs, s.Advantage)
	}
	require.Equal(t, []float64{0.5, -0.5}, advs)
}

func ExampleAdvantage() {
	rewards := []float64{1, 0, 1, 1}
	fmt.Printf("%.4f\n", gym.Advantage{}.Of(rewards))
	fmt.Printf("%.4f\n", gym.GRPO.Of(rewards))
	// Output:
	// [0.2500 -0.7500 0.2500 0.2500]
	// [0.5773 -1.0000 0.5773 0.5773]
}
