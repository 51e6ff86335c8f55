package cli

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/config"
)

// blendSettings are a collection in training batches: a weighted blend of
// datasets and the step shape, from the config (NeMo RL's names, as
// top-level keys or +key=value overrides) and the flags, which win.
//
//	blend:                                  # --blend PATH:AGENT[:WEIGHT] (repeated or comma-separated)
//	  - {input: a.jsonl, agent: a_agent, weight: 3}
//	  - {input: b.jsonl, agent: b_agent, weight: 1, name: b}
//	seed: 42                                # --seed
//	max_num_epochs: 1                       # --epochs (-1 endless)
//	max_num_steps: 100                      # --steps (0: until the blend is exhausted)
//	num_prompts_per_step: 128               # --prompts
//	num_generations_per_prompt: 16          # --generations
//	max_trajectory_age_steps: 1             # --max-age
//	use_dynamic_sampling: true              # --dynamic-sampling
//	dynamic_sampling_max_gen_batches: 10    # extra rollouts per step, in batches of P×G
//	on_failed_group: drop                   # --on-failed-group drop|keep|retry
//	stop_when_dry: false                    # end when any dataset runs dry
//	bulkhead:
//	  max_in_flight: {b: 8}                 # by source name (default: the agent)
//	  failure_rate: 0.5                     # -1 turns the failure budget off
//	  window: 20
//	  probe_after_s: 30
//	  borrow: false
type blendSettings struct {
	Blend           []blendSource  `yaml:"blend"`
	Seed            uint64         `yaml:"seed"`
	Epochs          int            `yaml:"max_num_epochs"`
	Steps           int            `yaml:"max_num_steps"`
	Prompts         int            `yaml:"num_prompts_per_step"`
	Generations     int            `yaml:"num_generations_per_prompt"`
	MaxAge          int            `yaml:"max_trajectory_age_steps"`
	DynamicSampling bool           `yaml:"use_dynamic_sampling"`
	MaxGenBatches   int            `yaml:"dynamic_sampling_max_gen_batches"`
	OnFailedGroup   string         `yaml:"on_failed_group"`
	StopWhenDry     bool           `yaml:"stop_when_dry"`
	Bulkhead        bulkheadConfig `yaml:"bulkhead"`
}

type blendSource struct {
	Input  string  `yaml:"input"`
	Agent  string  `yaml:"agent"`
	Weight float64 `yaml:"weight"`
	Name   string  `yaml:"name"`
}

type bulkheadConfig struct {
	MaxInFlight map[string]int `yaml:"max_in_flight"`
	FailureRate float64        `yaml:"failure_rate"`
	Window      int            `yaml:"window"`
	ProbeAfterS float64        `yaml:"probe_after_s"`
	Borrow      bool           `yaml:"borrow"`
}

// blendKeys are the top-level settings a blend reads.
var blendKeys = []string{"blend", "seed", "max_num_epochs", "max_num_steps", "num_prompts_per_step",
	"num_generations_per_prompt", "max_trajectory_age_steps", "use_dynamic_sampling",
	"dynamic_sampling_max_gen_batches", "on_failed_group", "stop_when_dry", "bulkhead"}

// blendFlags are gym collect's flags for a blend.
type blendFlags struct {
	blend                             listFlag
	seed                              *string
	epochs, steps, prompts, gens, age *string
	dynamic                           *bool
	onFailed                          *string
}

func addBlendFlags(fs *flag.FlagSet) *blendFlags {
	f := &blendFlags{}
	fs.Var(&f.blend, "blend", "collect in training batches from a weighted blend: `PATH:AGENT[:WEIGHT]`, repeated or comma-separated (blend)")
	f.seed = fs.String("seed", "", "`N`: the seed of the blend's order (seed)")
	f.epochs = fs.String("epochs", "", "`N` passes over each dataset of the blend; -1 endless (max_num_epochs; default 1)")
	f.steps = fs.String("steps", "", "stop after `N` batches (max_num_steps; default: until the blend is exhausted)")
	f.prompts = fs.String("prompts", "", "`P` groups per batch (num_prompts_per_step; default 32)")
	f.gens = fs.String("generations", "", "`G` rollouts per group (num_generations_per_prompt; default 16)")
	f.age = fs.String("max-age", "", "`N` batches collected ahead of the one handed out; -1 none (max_trajectory_age_steps; default 1)")
	f.dynamic = fs.Bool("dynamic-sampling", false, "drop groups whose rewards are all equal and refill (use_dynamic_sampling)")
	f.onFailed = fs.String("on-failed-group", "", "a group with failed rollouts: `drop|keep|retry` — drop and refill, keep its successes, or run the failed ones again (on_failed_group; default drop)")
	return f
}

// blendTreeFlags are gym eval run's flags for a collection in batches,
// each the override of its NeMo RL setting.
var blendTreeFlags = []nemoFlag{
	{names: []string{"--blend"}, kind: listFlagKind, metavar: "PATH:AGENT[:WEIGHT]", help: "collect in training batches from a weighted blend of datasets; repeatable (blend)"},
	{names: []string{"--seed"}, key: "seed", kind: countFlag, metavar: "N", help: "seed of the blend's order"},
	{names: []string{"--max-num-epochs"}, key: "max_num_epochs", kind: numberFlag, metavar: "N", help: "passes over each dataset of the blend; -1 endless (default 1)"},
	{names: []string{"--max-num-steps"}, key: "max_num_steps", kind: countFlag, metavar: "N", help: "stop after N batches"},
	{names: []string{"--num-prompts-per-step"}, key: "num_prompts_per_step", kind: countFlag, metavar: "P", help: "groups per batch (default 32)"},
	{names: []string{"--num-generations-per-prompt"}, key: "num_generations_per_prompt", kind: countFlag, metavar: "G", help: "rollouts per group (default 16)"},
	{names: []string{"--max-trajectory-age-steps"}, key: "max_trajectory_age_steps", kind: numberFlag, metavar: "N", help: "batches collected ahead; -1 none (default 1)"},
	{names: []string{"--use-dynamic-sampling"}, key: "use_dynamic_sampling", kind: boolFlag, help: "drop groups whose rewards are all equal and refill"},
	{names: []string{"--on-failed-group"}, key: "on_failed_group", metavar: "drop|keep|retry", help: "a group with failed rollouts: drop and refill, keep its successes, or retry them", choices: []string{"drop", "keep", "retry"}},
}

// blendTreeTokens are the names of the blend flags whose overrides
// gym eval run hands on.
func blendTreeTokens() []string {
	var out []string
	for _, f := range blendTreeFlags {
		if f.key != "" {
			out = append(out, f.name())
		}
	}
	return out
}

// blendOf reads the blend settings; nil when the command is a plain
// collection.
func blendOf(cfg *config.Config, f *blendFlags) (*blendSettings, error) {
	bs := &blendSettings{}
	set := false
	if cfg != nil {
		for _, k := range blendKeys {
			v, ok, err := setting[any](cfg, k)
			if err != nil {
				return nil, err
			}
			if !ok || v == nil {
				continue
			}
			set = true
			if err := decodeSetting(cfg, k, bs); err != nil {
				return nil, err
			}
		}
	}
	if len(f.blend) > 0 { // the flags replace the config's list
		bs.Blend = nil
		for _, spec := range f.blend {
			s, err := parseBlendSource(spec)
			if err != nil {
				return nil, err
			}
			bs.Blend = append(bs.Blend, s)
		}
		set = true
	}
	ints := []struct {
		flag string
		dst  *int
		name string
	}{{*f.epochs, &bs.Epochs, "--epochs"}, {*f.steps, &bs.Steps, "--steps"}, {*f.prompts, &bs.Prompts, "--prompts"},
		{*f.gens, &bs.Generations, "--generations"}, {*f.age, &bs.MaxAge, "--max-age"}}
	for _, x := range ints {
		if x.flag == "" {
			continue
		}
		n, err := strconv.Atoi(x.flag)
		if err != nil {
			return nil, usagef("%s %q: want a whole number", x.name, x.flag)
		}
		*x.dst = n
		set = true
	}
	if *f.seed != "" {
		n, err := strconv.ParseUint(*f.seed, 10, 64)
		if err != nil {
			return nil, usagef("--seed %q: want a whole number >= 0", *f.seed)
		}
		bs.Seed = n
		set = true
	}
	if *f.dynamic {
		bs.DynamicSampling = true
		set = true
	}
	if *f.onFailed != "" {
		bs.OnFailedGroup = *f.onFailed
		set = true
	}
	if !set {
		return nil, nil
	}
	for i, s := range bs.Blend {
		if s.Input == "" {
			return nil, usagef("blend[%d]: no input file", i)
		}
		if s.Weight < 0 || math.IsNaN(s.Weight) || math.IsInf(s.Weight, 0) {
			return nil, usagef("blend[%d] (%s): weight %v; weights are relative shares >= 0", i, s.Input, s.Weight)
		}
	}
	if _, err := bs.failurePolicy(); err != nil {
		return nil, err
	}
	return bs, nil
}

// decodeSetting decodes one top-level key into the matching field of bs.
func decodeSetting(cfg *config.Config, key string, bs *blendSettings) error {
	var err error
	switch key {
	case "blend":
		err = cfg.Decode(key, &bs.Blend)
	case "seed":
		err = cfg.Decode(key, &bs.Seed)
	case "max_num_epochs":
		err = cfg.Decode(key, &bs.Epochs)
	case "max_num_steps":
		err = cfg.Decode(key, &bs.Steps)
	case "num_prompts_per_step":
		err = cfg.Decode(key, &bs.Prompts)
	case "num_generations_per_prompt":
		err = cfg.Decode(key, &bs.Generations)
	case "max_trajectory_age_steps":
		err = cfg.Decode(key, &bs.MaxAge)
	case "use_dynamic_sampling":
		err = cfg.Decode(key, &bs.DynamicSampling)
	case "dynamic_sampling_max_gen_batches":
		err = cfg.Decode(key, &bs.MaxGenBatches)
	case "on_failed_group":
		err = cfg.Decode(key, &bs.OnFailedGroup)
	case "stop_when_dry":
		err = cfg.Decode(key, &bs.StopWhenDry)
	case "bulkhead":
		err = cfg.Decode(key, &bs.Bulkhead)
	}
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", key, err)}
	}
	return nil
}

// parseBlendSource reads PATH:AGENT[:WEIGHT].
func parseBlendSource(spec string) (blendSource, error) {
	parts := strings.Split(spec, ":")
	s := blendSource{}
	if len(parts) >= 3 {
		w, err := strconv.ParseFloat(parts[len(parts)-1], 64)
		if err != nil {
			return s, usagef("--blend %q: the weight %q is not a number (want PATH:AGENT[:WEIGHT])", spec, parts[len(parts)-1])
		}
		s.Weight = w
		parts = parts[:len(parts)-1]
	}
	if len(parts) < 2 || parts[len(parts)-1] == "" {
		return s, usagef("--blend %q: want PATH:AGENT[:WEIGHT]", spec)
	}
	s.Agent = parts[len(parts)-1]
	s.Input = strings.Join(parts[:len(parts)-1], ":")
	return s, nil
}

// check validates the blend against the run settings.
func (bs *blendSettings) check(st *settings, shards int) error {
	if st.Output == "" {
		return usagef("need --output (or +output_jsonl_fpath=)")
	}
	if st.Resume {
		return usagef("--resume does not apply to a collection in batches (its groups depend on the rewards); start a new output")
	}
	if len(bs.Blend) == 0 && st.Input == "" {
		return usagef("a collection in batches needs --blend PATH:AGENT[:WEIGHT] (or blend: in the config), or --input")
	}
	for _, x := range []struct {
		set        bool
		flag, want string
	}{
		{st.NumRepeats > 0 || len(st.RepeatsByAgent) > 0, "--num-repeats (num_repeats)", "--generations (num_generations_per_prompt)"},
		{st.Limit > 0, "--limit (limit)", "--steps (max_num_steps)"},
		{shards > 1, "--shard", "one blend per process, with its own --seed"},
	} {
		if x.set {
			return usagef("%s does not apply to a collection in batches; use %s", x.flag, x.want)
		}
	}
	if len(bs.Blend) > 0 && st.Input != "" {
		return usagef("give either --input or a blend (--blend, or blend: in the config), not both")
	}
	for _, s := range bs.Blend {
		if _, err := os.Stat(s.Input); err != nil {
			return usagef("blend: %w", err)
		}
	}
	return nil
}

// total is the rollouts the batches hold, for the progress bar (0 when
// the number of steps is open).
func (bs *blendSettings) total() int { return max(bs.Steps, 0) * bs.shape() }

// shape is the rollouts of one batch, P×G.
func (bs *blendSettings) shape() int {
	p, g := bs.Prompts, bs.Generations
	if p <= 0 {
		p = gym.DefaultPrompts
	}
	if g <= 0 {
		g = gym.DefaultGenerations
	}
	return p * g
}

func (bs *blendSettings) failurePolicy() (gym.GroupFailure, error) {
	switch bs.OnFailedGroup {
	case "", "drop":
		return gym.DropGroup, nil
	case "keep":
		return gym.KeepSuccesses, nil
	case "retry":
		return gym.RetryFailed, nil
	}
	return 0, usagef("on_failed_group %q: want drop, keep or retry", bs.OnFailedGroup)
}

// batcher builds the Batcher; input is the dataset of a blend given only
// by its shape (one source, agents from the rows).
func (bs *blendSettings) batcher(col *gym.Collector, st *settings) (*gym.Batcher, error) {
	srcs := bs.Blend
	if len(srcs) == 0 {
		input := st.Input
		if input == "" {
			return nil, usagef("a collection in batches needs --blend PATH:AGENT[:WEIGHT] (or blend: in the config), or --input")
		}
		srcs = []blendSource{{Input: input}}
	}
	b := &gym.Batcher{
		Collector:       col,
		Prompts:         bs.Prompts,
		Generations:     bs.Generations,
		MaxSteps:        bs.Steps,
		MaxAge:          bs.MaxAge,
		DynamicSampling: bs.DynamicSampling,
		Bulkhead: gym.Bulkhead{MaxInFlight: bs.Bulkhead.MaxInFlight, FailureRate: bs.Bulkhead.FailureRate,
			Window: bs.Bulkhead.Window, ProbeAfter: time.Duration(bs.Bulkhead.ProbeAfterS * float64(time.Second)), Borrow: bs.Bulkhead.Borrow},
		Blend: gym.Blend{Seed: bs.Seed, Epochs: bs.Epochs},
	}
	if bs.StopWhenDry {
		b.Blend.OnDry = gym.StopWhenDry
	}
	b.OnFailure, _ = bs.failurePolicy()
	if bs.MaxGenBatches > 0 {
		b.MaxExtraRollouts = bs.MaxGenBatches * bs.shape()
	}
	for _, s := range srcs {
		rows := withParams(gym.FromFile(s.Input), st.Params)
		name := s.Name
		if s.Agent != "" {
			rows = gym.Tag(rows, s.Agent)
			if name == "" {
				name = s.Agent
			}
		}
		b.Blend.Sources = append(b.Blend.Sources, gym.Source{Name: name, Rows: rows, Weight: s.Weight})
	}
	return b, nil
}

// collectBatches runs a collection in training batches and reports each
// batch on stderr: per environment its share of the groups, its rollouts in
// flight and its mean reward, and any paused environment.
// Each finished rollout goes to the progress and to each, from the
// goroutine that collects.
func (c *Command) collectBatches(ctx context.Context, b *gym.Batcher, prog *progress, each func(*gym.Result)) error {
	b.OnRollout = func(res *gym.Result) {
		prog.add(res)
		each(res)
	}
	for batch, err := range b.Batches(ctx) {
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted: reported by the caller
			}
			return err
		}
		prog.printf("%s", batchLine(batch))
	}
	return nil
}

// batchLine describes one batch.
func batchLine(b *gym.Batch) string {
	st := b.Stats
	var w strings.Builder
	fmt.Fprintf(&w, "step %d: %d groups, %d rollouts", b.Step, len(b.Groups), st.Rollouts)
	if st.Failures > 0 {
		fmt.Fprintf(&w, " (%d failed)", st.Failures)
	}
	fmt.Fprintf(&w, ", reward %.3f ± %.3f, pass %.3f", st.RewardMean, st.RewardStd, st.PassRate)
	if st.DroppedUniform > 0 || st.DroppedFailed > 0 {
		fmt.Fprintf(&w, ", dropped %d uniform + %d failed", st.DroppedUniform, st.DroppedFailed)
	}
	if st.CapReached {
		w.WriteString(", extra-rollout cap reached")
	}
	fmt.Fprintf(&w, " in %s\n", st.Elapsed.Round(time.Millisecond))
	for _, name := range slices.Sorted(maps.Keys(st.Sources)) {
		s := st.Sources[name]
		share := 0.0
		if len(b.Groups) > 0 {
			share = float64(s.Groups) / float64(len(b.Groups))
		}
		fmt.Fprintf(&w, "  %s: %d groups (%.1f%%), %d in flight, reward %.3f\n", name, s.Groups, 100*share, s.InFlight, s.RewardMean)
	}
	for _, p := range st.Paused {
		fmt.Fprintf(&w, "  %s: paused (%s, %d of its last %d rollouts failed)\n", p.Source, p.Class, p.Failures, p.Window)
	}
	for _, d := range st.Dry {
		fmt.Fprintf(&w, "  %s: ran dry\n", d)
	}
	return w.String()
}
