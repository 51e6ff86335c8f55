// Command multienv collects rollouts across two environments at once, the
// way NeMo Gym's multi-environment training does: it tags the weather and
// the synonym datasets with their agent_ref, merges them, collects one
// rollout per row with each environment's scripted policy, writes
// results/multienv_outputs.jsonl and prints each reward and the mean reward
// per environment. It runs offline.
//
//	go run ./examples/multienv
//
// With OPENAI_BASE_URL set, both environments use that endpoint's Responses
// API instead of the scripted policies, with OPENAI_API_KEY and the model
// named by OPENAI_MODEL (default gpt-4.1).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/model"
)

func main() {
	testdata := flag.String("testdata", "testdata", "directory with singletoolcall.jsonl and multistep.jsonl")
	output := flag.String("output", filepath.Join("results", "multienv_outputs.jsonl"), "output JSONL")
	flag.Parse()
	if err := run(*testdata, *output); err != nil {
		log.Fatal(err)
	}
}

func run(testdata, output string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// 1. One registry, two environments, each under its NeMo Gym agent name.
	weatherPolicy, synonymPolicy := singletoolcall.Policy(), multistep.Policy()
	if base := os.Getenv("OPENAI_BASE_URL"); base != "" {
		name := os.Getenv("OPENAI_MODEL")
		if name == "" {
			name = "gpt-4.1"
		}
		m, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: base, APIKey: os.Getenv("OPENAI_API_KEY"), Model: name})
		if err != nil {
			return err
		}
		fmt.Printf("policy: %s at %s\n", name, base)
		weatherPolicy, synonymPolicy = m, m
	}
	var reg gym.Registry
	if err := reg.Register(singletoolcall.AgentName, singletoolcall.Environment(weatherPolicy)); err != nil {
		return err
	}
	if err := reg.Register(multistep.AgentName, multistep.Environment(synonymPolicy)); err != nil {
		return err
	}

	// 2. Tag each dataset with its agent and merge them.
	rows := gym.Concat(
		gym.Tag(gym.FromFile(filepath.Join(testdata, "singletoolcall.jsonl")), singletoolcall.AgentName),
		gym.Tag(gym.FromFile(filepath.Join(testdata, "multistep.jsonl")), multistep.AgentName),
	)

	// 3. Collect: rows fan out to their environment; results come back as they finish.
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	out, err := os.Create(output)
	if err != nil {
		return err
	}
	defer out.Close()
	c := gym.Collector{Registry: &reg, Output: out, Failures: os.Stderr}
	var sum gym.Summary
	for res, err := range c.Collect(ctx, rows) {
		if err != nil {
			return err
		}
		sum.Add(res)
		if res.Err != nil {
			fmt.Printf("task %d  %-40s  FAILED: %v\n", res.TaskIndex, res.Agent, res.Err)
			continue
		}
		fmt.Printf("task %d  %-40s  reward %.1f\n", res.TaskIndex, res.Agent, res.Reward)
	}
	if err := out.Close(); err != nil {
		return err
	}

	// 4. The mean reward per environment.
	fmt.Println()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range sum.Agents {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		a := sum.Agents[name]
		fmt.Printf("%-40s  mean reward %.3f over %d rollouts (%d failed)\n", name, a.MeanReward(), a.Rollouts, a.Failures)
	}
	fmt.Printf("\nwrote %s\n", output)
	return nil
}
