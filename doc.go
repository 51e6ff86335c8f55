// Package gym runs reinforcement-learning environments for LLMs and collects
// rollouts across many environments at once, the Go way to do NVIDIA NeMo
// Gym's multi-environment training inside a trainer's own process.
//
// An Environment is a policy model (model.Model), a resources server with
// tools and per-rollout state (env.ResourcesServer), and a verifier that
// turns an episode into a reward (verifier.Verifier), run by the tool loop of
// agent.Simple. A Registry holds environments under their agent names; a
// Collector reads dataset rows, routes each to the environment its
// agent_ref.name names, and returns results — responses, rewards, verifier
// fields — as Go values as soon as each rollout finishes:
//
//	var reg gym.Registry
//	reg.Register("weather_agent", gym.Environment{Model: m, Resources: weather, Verifier: v})
//	reg.Register("math_agent", gym.Environment{Model: m, Resources: calc, Verifier: mathV})
//
//	c := gym.Collector{Registry: &reg, NumRepeats: 4, Output: out}
//	for res, err := range c.Collect(ctx, gym.FromFile("train.jsonl")) {
//		if err != nil {
//			return err // the source or the output failed; what finished is written
//		}
//		fmt.Println(res.Agent, res.Reward, res.Err)
//	}
//
// CollectGroups hands back each row's complete group of NumRepeats rollouts
// for group-relative trainers (GRPO). For a trainer's every step, a Batcher
// draws from a Blend — weighted sources with a seed and epochs, each
// source's exact share in every batch — and yields batches of exactly P
// complete groups of G rollouts, collecting the next while the trainer works
// on the current one, with dynamic sampling, a policy for failed groups,
// per-batch statistics, and bulkheads that keep a slow or failing
// environment from stalling the others; Advantage computes NeMo RL's GRPO
// advantages beside each rollout's tokens:
//
//	b := gym.Batcher{Collector: &c, Blend: blend, Prompts: 128, Generations: 16}
//	for batch, err := range b.Batches(ctx) {
//		for s, err := range batch.Samples(gym.GRPO) { ... s.Trajectory, s.Advantage ... }
//	}
//
// Rows, items and results keep every JSON field they carry, known or not
// (see package rollout), and read and write NeMo Gym's dataset and rollout
// files unchanged.
//
// Nothing waits forever by default: each model call, tool call and
// verification has a deadline (agent.DefaultModelTimeout,
// DefaultToolTimeout, DefaultVerifyTimeout: 20, 10 and 10 minutes) and so
// does each attempt of a rollout (DefaultRolloutTimeout, 2 hours). A zero
// deadline means the default, a positive one replaces it, and NoTimeout
// asks for none.
package gym
