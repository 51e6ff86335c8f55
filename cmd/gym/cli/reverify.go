package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/suggest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// reverify verifies stored rollouts again, without calling a model, and
// reports the rows whose reward changed.
func (c *Command) reverify(ctx context.Context, args []string) error {
	flags, overrides := splitArgs(args)
	fs := newFlags(c, "reverify", "gym reverify --config a.yaml,b.yaml --input rollouts.jsonl --output out.jsonl [+key=value ...]")
	var configs listFlag
	fs.Var(&configs, "config", "comma-separated config files (NeMo Gym's config_paths)")
	input := fs.String("input", "", "stored rollouts JSONL")
	output := fs.String("output", "", "reverified rollouts JSONL")
	agentName := fs.String("agent", "", "agent for rows without agent_ref")
	concurrency := fs.Int("concurrency", 64, "verifications at once (verifiers such as LLM judges are slow)")
	limit := fs.Int("limit", 0, "verify at most N rows (0: all)")
	dataset := fs.String("dataset", "", "dataset the rollouts were collected from: rows lacking task fields (NeMo Gym drops undeclared ones) get them from the dataset row with the same input")
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	var index *rollout.InputIndex
	if *dataset != "" {
		var err error
		if index, err = rollout.IndexByInput(rollout.ReadTasksFile(*dataset)); err != nil {
			return usagef("dataset: %w", err)
		}
	}
	if *input == "" || *output == "" {
		return usagef("need --input and --output")
	}
	if len(configs) == 0 && !hasConfigPaths(overrides) {
		return usagef("no config: give --config with the resources servers' configs (a.yaml,b.yaml; no model config is needed)")
	}
	// Only the resources servers are built: no model config, no policy_*.
	loader := c.loader(configs, overrides)
	loader.Unneeded = []config.Kind{config.Models}
	cfg, err := loader.Load()
	if err != nil {
		return usageError{err}
	}
	c.scrub(cfg)
	verifiers, err := c.Impls.Verifiers(cfg)
	if err != nil {
		return usageError{err}
	}
	agents := slices.Sorted(maps.Keys(verifiers))
	in, err := os.Open(*input)
	if err != nil {
		return usageError{err}
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(*output), 0o755); err != nil {
		return err
	}
	out, err := os.Create(*output)
	if err != nil {
		return err
	}
	defer out.Close()
	w := rollout.NewWriter(out)
	var rows int
	var changed, failed atomic.Int64
	var mu sync.Mutex // the two streams
	report := func(dst io.Writer, format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(dst, format, a...)
	}
	// A failed write (a full disk) stops the run: gctx is cancelled then.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(*concurrency, 1))
	if *limit < 0 {
		return usagef("--limit: want a count (an integer ≥ 0), got %d", *limit)
	}
	for res, err := range rollout.ReadResults(in, *input) {
		if gctx.Err() != nil || (*limit > 0 && rows >= *limit) {
			break
		}
		var le *rollout.LineError
		switch {
		case errors.As(err, &le):
			report(c.Stderr, "gym reverify: %v\n", err)
			failed.Add(1)
			continue
		case err != nil:
			_ = g.Wait()
			return err
		}
		rows++
		path, line := res.Task.Source()
		where := fmt.Sprintf("%s:%d: task %d rollout %d", path, line, res.TaskIndex, res.RolloutIndex)
		if res.Err != nil || res.Response == nil {
			report(c.Stderr, "gym reverify: %s: a failed rollout, skipped\n", where)
			failed.Add(1)
			continue
		}
		if res.Agent == "" {
			res.Agent = *agentName
		}
		if index != nil {
			var found bool
			if res.Task, found, err = index.Complete(res.Task); err != nil || !found {
				report(c.Stderr, "gym reverify: %s: no row of %s has its input\n", where, *dataset)
				failed.Add(1)
				continue
			}
		}
		vf, ok := verifiers[res.Agent]
		switch {
		case res.Agent == "":
			report(c.Stderr, "gym reverify: %s: the row has no agent_ref: pass --agent with the agent that ran it (the config's agents: %s)\n",
				where, strings.Join(agents, ", "))
			failed.Add(1)
			continue
		case !ok:
			msg := fmt.Sprintf("agent %q is not in the config", res.Agent)
			if near, ok := suggest.Closest(res.Agent, agents); ok {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			} else {
				msg += fmt.Sprintf(" (its agents: %s; load the config that defines it)", strings.Join(agents, ", "))
			}
			report(c.Stderr, "gym reverify: %s: %s\n", where, msg)
			failed.Add(1)
			continue
		}
		g.Go(func() error {
			v, err := verifier.Run(gctx, vf, &verifier.Request{Task: res.Task, Response: res.Response, ID: res.ID})
			if err != nil {
				hint := ""
				if rollout.AsFailure(err).Class == rollout.FailInvalidRow && index == nil {
					hint = " (NeMo Gym's rollouts keep only the task fields it knows: pass --dataset with the dataset they were collected from to restore the rest)"
				}
				report(c.Stderr, "gym reverify: %s: verify: %v%s\n", where, err, hint)
				failed.Add(1)
				return nil
			}
			if v.Reward != res.Reward {
				changed.Add(1)
				report(c.Stdout, "%s (%s): reward %v -> %v\n", where, res.Agent, res.Reward, v.Reward)
			}
			res.Reward, res.Fields, res.Rewards = v.Reward, v.Fields, v.Components
			return w.Write(res)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "reverified %d rows: %d rewards changed, %d failed; wrote %s\n", rows, changed.Load(), failed.Load(), *output)
	if ctx.Err() != nil {
		return failuresError{fmt.Errorf("interrupted: %s holds the rows reverified so far", *output)}
	}
	if n := failed.Load(); n > 0 {
		return failuresError{fmt.Errorf("%d rows could not be reverified", n)}
	}
	return nil
}
