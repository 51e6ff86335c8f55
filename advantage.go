package gym

import (
	"iter"
	"math"

	"github.com/gymkit/gym/rollout"
)

// Advantage computes the advantages of a group's rollouts from their
// rewards, as NeMo RL's GRPO advantage estimator does
// (calculate_baseline_and_std_per_prompt and GRPOAdvantageEstimator in
// nemo_rl/algorithms). For a group of n rewards r:
//
//   - the baseline of rollout i is the mean reward of the group, or, with
//     LeaveOneOut (use_leave_one_out_baseline, RLOO), the mean of the other
//     n−1 rewards;
//   - std_i is the sample standard deviation (Bessel-corrected) of the same
//     rewards the baseline averages — with LeaveOneOut, of the others;
//     0 when it is undefined (fewer than two of them);
//   - the advantage is r_i − baseline_i, divided by std_i + 1e-6 when
//     Normalize (normalize_rewards) is set and std_i > 0: a group with no
//     variation is not sharpened;
//   - a group of one rollout gets the baseline r_i: advantage 0.
//
// The zero value is the plain mean baseline without normalisation; GRPO is
// NeMo RL's default. Values are float64 with a two-pass variance (NeMo RL
// computes E[r²]−E[r]² in the tensor's dtype): they agree to rounding.
type Advantage struct {
	LeaveOneOut bool
	Normalize   bool
}

// GRPO is NeMo RL's default advantage: leave-one-out baseline, normalised
// by the standard deviation.
var GRPO = Advantage{LeaveOneOut: true, Normalize: true}

// normEpsilon is NeMo RL's epsilon in the normalisation.
const normEpsilon = 1e-6

// Baselines returns each reward's baseline and standard deviation.
func (a Advantage) Baselines(rewards []float64) (baseline, std []float64) {
	n := len(rewards)
	baseline, std = make([]float64, n), make([]float64, n)
	if n <= 1 {
		copy(baseline, rewards)
		return baseline, std
	}
	var sum float64
	for _, r := range rewards {
		sum += r
	}
	m := n
	if a.LeaveOneOut {
		m = n - 1
	}
	for i, ri := range rewards {
		s := sum
		if a.LeaveOneOut {
			s -= ri
		}
		b := s / float64(m)
		baseline[i] = b
		if m < 2 {
			continue
		}
		var ss float64
		for j, rj := range rewards {
			if a.LeaveOneOut && j == i {
				continue
			}
			ss += (rj - b) * (rj - b)
		}
		if v := math.Sqrt(ss / float64(m-1)); !math.IsNaN(v) && !math.IsInf(v, 0) {
			std[i] = v
		}
	}
	return baseline, std
}

// Of returns the advantage of each reward of one group.
func (a Advantage) Of(rewards []float64) []float64 {
	baseline, std := a.Baselines(rewards)
	adv := baseline // reuse
	for i, r := range rewards {
		v := r - baseline[i]
		if a.Normalize && std[i] > 0 {
			v /= std[i] + normEpsilon
		}
		adv[i] = v
	}
	return adv
}

// Group returns the advantage of each result of g, in order, computed over
// its successful rollouts; a failed result gets 0 (do not train on it).
func (a Advantage) Group(g *Group) []float64 {
	rewards := make([]float64, 0, len(g.Results))
	for _, r := range g.Results {
		if r.Err == nil {
			rewards = append(rewards, r.Reward)
		}
	}
	ok := a.Of(rewards)
	out := make([]float64, len(g.Results))
	k := 0
	for i, r := range g.Results {
		if r.Err == nil {
			out[i] = ok[k]
			k++
		}
	}
	return out
}

// Sample is one rollout of a batch ready for a policy-gradient step: the
// result, its group, its advantage and its token trajectory.
type Sample struct {
	Group      *Group
	Result     *Result
	Advantage  float64
	Trajectory *rollout.Trajectory // nil when the error is set
}

// Samples yields every successful rollout of the batch with its advantage
// and its trajectory (token ids, loss mask, logprobs), group by group. The
// error is the trajectory's: rollout.ErrNoTokens when the model returned
// no token ids, a *rollout.BrokenChainError when the calls do not chain;
// the sample still carries the result and the advantage.
func (b *Batch) Samples(a Advantage) iter.Seq2[Sample, error] {
	return func(yield func(Sample, error) bool) {
		for _, g := range b.Groups {
			adv := a.Group(g)
			for i, r := range g.Results {
				if r.Err != nil {
					continue
				}
				tr, err := r.Trajectory()
				if !yield(Sample{Group: g, Result: r, Advantage: adv[i], Trajectory: tr}, err) {
					return
				}
			}
		}
	}
}
