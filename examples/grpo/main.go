// Command grpo is the data loop of a GRPO trainer over two environments at
// once: a seeded 1:3 blend of the weather and the synonym datasets, batches
// of exactly 8 prompts × 4 generations with each environment's exact share,
// the next batch collected while the current one is "trained" on, and each
// rollout's leave-one-out, std-normalised advantage (NeMo RL's defaults)
// beside its tokens. It runs offline with the scripted policies; the synonym
// policy is made to slip on some rollouts so that rewards vary within a
// group.
//
//	go run ./examples/grpo
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func main() {
	testdata := flag.String("testdata", "testdata", "directory with singletoolcall.jsonl and multistep.jsonl")
	steps := flag.Int("steps", 3, "training steps")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *testdata, *steps); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, testdata string, steps int) error {
	var reg gym.Registry
	if err := reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy())); err != nil {
		return err
	}
	if err := reg.Register(multistep.AgentName, multistep.Environment(slipping(multistep.Policy(), 0.4))); err != nil {
		return err
	}

	b := gym.Batcher{
		Collector: &gym.Collector{Registry: &reg, Concurrency: 64},
		Blend: gym.Blend{Seed: 42, Epochs: -1, Sources: []gym.Source{
			{Rows: gym.Tag(gym.FromFile(filepath.Join(testdata, "singletoolcall.jsonl")), singletoolcall.AgentName), Weight: 1},
			{Rows: gym.Tag(gym.FromFile(filepath.Join(testdata, "multistep.jsonl")), multistep.AgentName), Weight: 3},
		}},
		Prompts: 8, Generations: 4, MaxSteps: steps,
	}
	for batch, err := range b.Batches(ctx) {
		if err != nil {
			return err
		}
		st := batch.Stats
		fmt.Fprintf(w, "step %d: %d groups, %d rollouts, reward %.3f, pass %.2f\n",
			batch.Step, len(batch.Groups), st.Rollouts, st.RewardMean, st.PassRate)
		for _, name := range []string{singletoolcall.AgentName, multistep.AgentName} {
			s := st.Sources[name]
			fmt.Fprintf(w, "  %-38s %d groups, reward %.3f\n", name, s.Groups, s.RewardMean)
		}
		// What a trainer hands to its policy-gradient step: every rollout
		// with its advantage, and its tokens when the model returned them.
		var advantages []float64
		for s, err := range batch.Samples(gym.GRPO) {
			if s.Trajectory == nil {
				_ = err // rollout.ErrNoTokens: the scripted policies have no tokenizer
			}
			advantages = append(advantages, s.Advantage)
		}
		fmt.Fprintf(w, "  %d samples, advantages in [%.2f, %.2f]\n", len(advantages), slices.Min(advantages), slices.Max(advantages))
		// trainer.Step(samples); policy.UpdateWeights(...)
	}
	return nil
}

// slipping makes m submit a wrong list of synonym values on a share p of
// its submissions, as a sampled policy sometimes does.
func slipping(m model.Model, p float64) model.Model {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(7, 7))
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		resp, err := m.Respond(ctx, req)
		if err != nil {
			return nil, err
		}
		for i, it := range resp.Output {
			if it.Type() != rollout.TypeFunctionCall || it.Name() != "extract_synonym_values" {
				continue
			}
			mu.Lock()
			slip := rng.Float64() < p
			mu.Unlock()
			if !slip {
				continue
			}
			var args multistep.ExtractArgs
			if json.Unmarshal([]byte(it.Arguments()), &args) == nil && len(args.SynonymValues) > 0 {
				args.SynonymValues[0]++
				b, _ := json.Marshal(args)
				resp.Output[i] = rollout.NewFunctionCall(it.CallID(), it.Name(), string(b))
			}
		}
		return resp, nil
	})
}
