package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/suggest"
	"github.com/gymkit/gym/rollout"
)

// outputPaths are the four files of a collection, named as NeMo Gym names
// them after the output file; "" for a file not written.
type outputPaths struct {
	Output, Inputs, Failures, Metrics string
	regular                           bool // Output is (or will be) a regular file
}

func pathsFor(output string) outputPaths {
	ext := filepath.Ext(output)
	stem := strings.TrimSuffix(output, ext)
	return outputPaths{
		Output:   output,
		Inputs:   stem + "_materialized_inputs.jsonl",
		Failures: stem + "_failures.jsonl",
		Metrics:  stem + "_aggregate_metrics.json",
		regular:  true,
	}
}

// sidecars returns the files of a collection into output: the flags'
// paths, else names derived from output's — only if output is a regular
// file (or is to be created). Beside a device, a pipe or a socket
// (/dev/stdout, /dev/full) nothing is derived: /dev/full_failures.jsonl is
// no place for a file.
func sidecars(output, failures, inputs, metrics string) (outputPaths, error) {
	p := pathsFor(output)
	if st, err := os.Stat(output); err == nil && !st.Mode().IsRegular() {
		p = outputPaths{Output: output}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return p, usagef("output: %w", err)
	}
	for _, f := range []struct {
		dst *string
		set string
	}{{&p.Failures, failures}, {&p.Inputs, inputs}, {&p.Metrics, metrics}} {
		if f.set != "" {
			*f.dst = f.set
		}
	}
	return p, nil
}

// written lists the files a collection writes, its metrics if asked.
func (p outputPaths) written(metrics bool) []string {
	var out []string
	files := []string{p.Output, p.Inputs, p.Failures}
	if metrics {
		files = append(files, p.Metrics)
	}
	for _, f := range files {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *Command) collect(ctx context.Context, args []string) error {
	flags, overrides := splitArgs(args, "resume", "no-serve", "dynamic-sampling")
	fs := newFlags(c, "collect", "gym collect --config a.yaml,b.yaml --input in.jsonl --output out.jsonl [flags] [+key=value ...]")
	var configs listFlag
	fs.Var(&configs, "config", "comma-separated config files (NeMo Gym's config_paths)")
	input := fs.String("input", "", "dataset JSONL (input_jsonl_fpath)")
	output := fs.String("output", "", "output rollouts JSONL (output_jsonl_fpath); the materialized inputs, failures and metrics are written next to it")
	failuresPath := fs.String("failures", "", "failures JSONL (default: <output>_failures.jsonl beside a regular output file; none beside a device)")
	inputsPath := fs.String("materialized-inputs", "", "materialized inputs JSONL (default: <output>_materialized_inputs.jsonl, as --failures)")
	metricsPath := fs.String("metrics", "", "aggregate metrics JSON (default: <output>_aggregate_metrics.json, as --failures)")
	agentName := fs.String("agent", "", "agent for rows without agent_ref (agent_name)")
	limit := fs.Int("limit", 0, "read at most N rows (limit)")
	numRepeats := fs.Int("num-repeats", 0, "rollouts per row (num_repeats)")
	concurrency := fs.Int("concurrency", 0, "rollouts in flight (num_samples_in_parallel; default 256)")
	resume := fs.Bool("resume", false, "keep the rollouts already in the output and run only the missing ones (resume_from_cache)")
	maxAttempts := fs.Int("max-attempts", 3, "attempts of a rollout whose failure is transient (429, 5xx, timeout)")
	timeout := &timeoutFlag{def: gym.DefaultRolloutTimeout}
	fs.Var(timeout, "rollout-timeout", "deadline of one rollout attempt (0: none)")
	head := fs.String("head", "http://"+DefaultHead, "the head server of a running gym run (used without --config, or with --no-serve)")
	noServe := fs.Bool("no-serve", false, "collect through the servers of a running gym run, found through the head server; the config gives only the settings")
	shard := fs.String("shard", "", "run only shard I of N (I/N, 0-based) of the tasks, by task index; gym aggregate merges the shards' outputs")
	bf := addBlendFlags(fs)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	var reg *gym.Registry
	var bs *blendSettings // a collection in training batches
	st := &settings{}
	if *noServe || headMode(configs, overrides) {
		// The servers run elsewhere: the config, if any, gives only the
		// settings (+input_jsonl_fpath=..., head_server).
		if len(configs) > 0 || len(overrides) > 0 {
			cfg, err := c.loader(configs, overrides).Load()
			if err != nil {
				return usageError{err}
			}
			c.scrub(cfg)
			if st, err = runSettings(cfg); err != nil {
				return err
			}
			if bs, err = blendOf(cfg, bf); err != nil {
				return err
			}
			if !flagSet(fs, "head") {
				if h, ok, _ := setting[string](cfg, "head_server.host"); ok {
					p, _, _ := setting[int](cfg, "head_server.port")
					*head = "http://" + net.JoinHostPort(h, strconv.Itoa(cmp.Or(p, 11000)))
				}
			}
		}
		var err error
		if reg, err = remoteRegistry(ctx, *head); err != nil {
			return usagef("no --config given, and no servers found through the head server: %w\n(give --config a.yaml,b.yaml to run the environments in this process, or start them with gym env start --config ...)", err)
		}
		if bs == nil {
			if bs, err = blendOf(nil, bf); err != nil {
				return err
			}
		}
	} else {
		cfg, err := c.loadConfig(configs, overrides)
		if err != nil {
			return err
		}
		c.scrub(cfg)
		if st, err = runSettings(cfg); err != nil {
			return err
		}
		for _, w := range settingTypos(cfg) {
			fmt.Fprintf(c.Stderr, "gym collect: warning: %s\n", w)
		}
		if bs, err = blendOf(cfg, bf); err != nil {
			return err
		}
		if reg, err = c.Impls.Registry(cfg); err != nil {
			return usageError{err}
		}
	}
	st.flags(*input, *output, *agentName, *limit, *numRepeats, *concurrency, *resume)
	if st.Agent != "" { // a typo here would fail every row without agent_ref
		if _, err := reg.Lookup(st.Agent); err != nil {
			return usagef("--agent (agent_name): %w", err)
		}
	}
	shardI, shardN, err := parseShard(*shard)
	if err != nil {
		return err
	}
	if bs != nil {
		if err := bs.check(st, shardN); err != nil {
			return err
		}
	} else if st.Input == "" || st.Output == "" {
		return usagef("need --input and --output (or +input_jsonl_fpath= and +output_jsonl_fpath=)")
	} else if _, err := os.Stat(st.Input); err != nil {
		return usagef("input: %w", err)
	}

	paths, err := sidecars(st.Output, *failuresPath, *inputsPath, *metricsPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(paths.Output), 0o755); err != nil {
		return err
	}
	done := map[[2]int]bool{}
	var failEnd int64 // the end of the earlier runs' failures, on resume
	if st.Resume {
		if !paths.regular {
			return usagef("--resume needs an output file to read back; %s is not a regular file", paths.Output)
		}
		if done, err = resumeState(paths.Output); err != nil {
			return err
		}
		if paths.Failures != "" {
			// Drop the failures of pairs done since, and of invalid rows,
			// which this run reports again.
			if failEnd, err = pruneFailures(paths.Failures, math.MaxInt64, func(r *rollout.Result) bool {
				return done[[2]int{r.TaskIndex, r.RolloutIndex}] || rollout.AsFailure(r.Err).Class == rollout.FailInvalidRow
			}); err != nil {
				return err
			}
		}
	}
	mode := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if st.Resume {
		mode = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	out, err := os.OpenFile(paths.Output, mode, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	files := []*os.File{out}
	var failW, inputsW io.Writer
	if paths.Failures != "" {
		failures, err := os.OpenFile(paths.Failures, mode, 0o644)
		if err != nil {
			return err
		}
		defer failures.Close()
		files = append(files, failures)
		failW = c.scrubbed(failures)
	}
	if paths.Inputs != "" {
		// Rewritten whole on every run, resumed ones included: it never
		// keeps a half line of an interrupted run.
		inputs, err := os.Create(paths.Inputs)
		if err != nil {
			return err
		}
		defer inputs.Close()
		files = append(files, inputs)
		inputsW = inputs
	}

	col := gym.Collector{
		Registry:       reg,
		Concurrency:    st.Concurrency,
		Limit:          st.Limit,
		NumRepeats:     st.NumRepeats,
		RepeatsByAgent: st.RepeatsByAgent,
		DefaultAgent:   st.Agent,
		Output:         out,
		Failures:       failW,
		Inputs:         inputsW,
		Shard:          shardI,
		Shards:         shardN,
		MaxAttempts:    *maxAttempts,
		RolloutTimeout: timeout.value(),
	}
	if st.Resume {
		col.Skip = func(ti, ri int) bool { return done[[2]int{ti, ri}] }
	}
	var prog *progress
	var fatal error
	succeeded := map[[2]int]bool{}
	thisRun := &rollout.Metrics{}
	if bs != nil {
		b, err := bs.batcher(&col, st)
		if err != nil {
			return err
		}
		prog = newProgress(c.Stderr, bs.total(), c.tty())
		fatal = c.collectBatches(ctx, b, prog, func(res *gym.Result) {
			if res.Err == nil {
				succeeded[[2]int{res.TaskIndex, res.RolloutIndex}] = true
				if !paths.regular {
					thisRun.Add(res)
				}
			}
		})
	} else {
		prog = newProgress(c.Stderr, plannedCount(ctx, st.Input, col), c.tty())
		if len(done) > 0 {
			fmt.Fprintf(c.Stderr, "resuming: %d rollouts already in %s\n", len(done), paths.Output)
		}
		for res, err := range col.Collect(ctx, withParams(gym.FromFile(st.Input), st.Params)) {
			if err != nil {
				fatal = err
				break
			}
			prog.add(res)
			if res.Err == nil {
				succeeded[[2]int{res.TaskIndex, res.RolloutIndex}] = true
				if !paths.regular {
					thisRun.Add(res)
				}
			}
			if res.Err != nil {
				f := rollout.AsFailure(res.Err)
				var le *rollout.LineError
				if errors.As(res.Err, &le) { // a bad row: say where it is
					prog.printf("%v (%s; the row is skipped)\n", le, f.Class)
					continue
				}
				prog.printf("task %d rollout %d (%s): %s: %v\n", res.TaskIndex, res.RolloutIndex, res.Agent, f.Class, res.Err)
			}
		}
	}
	prog.stop()
	for _, f := range files {
		if err := f.Close(); err != nil && fatal == nil && !errors.Is(err, os.ErrClosed) {
			fatal = err
		}
	}
	if st.Resume && paths.Failures != "" && len(succeeded) > 0 {
		// Earlier runs' failures of pairs that succeeded now are stale.
		if _, err := pruneFailures(paths.Failures, failEnd, func(r *rollout.Result) bool {
			return succeeded[[2]int{r.TaskIndex, r.RolloutIndex}]
		}); err != nil && fatal == nil {
			fatal = err
		}
	}
	if fatal != nil {
		return fmt.Errorf("%w (what finished is in %s; run again with --resume)", fatal, paths.Output)
	}
	m := thisRun
	if paths.regular && !st.NoAggregation {
		if m, err = metricsOf(paths.Output); err != nil {
			return err
		}
	}
	summary := c.Stdout
	if !paths.regular { // the rows may be going to stdout: keep the summary out of them
		summary = c.Stderr
	}
	switch {
	case st.NoAggregation:
		fmt.Fprintf(summary, "wrote %s (aggregation disabled: gym eval aggregate merges shards)\n", strings.Join(paths.written(false), ", "))
	default:
		if paths.Metrics != "" {
			if err := os.WriteFile(paths.Metrics, m.JSON(), 0o644); err != nil {
				return err
			}
		}
		printMetrics(summary, m)
		fmt.Fprintf(summary, "wrote %s\n", strings.Join(paths.written(true), ", "))
	}
	if ctx.Err() != nil {
		return failuresError{fmt.Errorf("interrupted; run again with --resume to finish")}
	}
	if n := prog.failed; n > 0 {
		see := paths.Failures
		if see == "" {
			see = "the messages above"
		}
		return failuresError{fmt.Errorf("%d of the rollouts failed; see %s", n, see)}
	}
	return nil
}

// scrubbed is w with the config's credentials masked (a failure's message
// may quote a server that echoed one).
func (c *Command) scrubbed(w io.Writer) io.Writer {
	if c.redact == nil {
		return w
	}
	return &scrubWriter{w: w, r: c.redact}
}

// timeoutFlag is a deadline flag: unset, the library's default (def, shown
// in the help); 0, none.
type timeoutFlag struct {
	def time.Duration
	d   time.Duration
	set bool
}

func (f *timeoutFlag) String() string {
	if f == nil {
		return ""
	}
	if f.set {
		return f.d.String()
	}
	return f.def.String()
}

func (f *timeoutFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if s == "0" || s == "none" {
		d, err = 0, nil
	}
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 90m, or 0 for none")
	}
	f.d, f.set = d, true
	return nil
}

// value is the flag as a library deadline: 0 for the default, NoTimeout
// for none.
func (f *timeoutFlag) value() time.Duration {
	switch {
	case !f.set:
		return 0
	case f.d == 0:
		return gym.NoTimeout
	}
	return f.d
}

// withParams merges params into every row's responses_create_params, key
// by key, as NeMo Gym's responses_create_params setting does
// (row | overrides).
func withParams(rows iter.Seq2[gym.Task, error], params map[string]any) iter.Seq2[gym.Task, error] {
	if len(params) == 0 {
		return rows
	}
	enc := make(map[string]json.RawMessage, len(params))
	for k, v := range params {
		b, err := json.Marshal(v)
		if err != nil {
			return func(yield func(gym.Task, error) bool) {
				yield(gym.Task{}, usagef("responses_create_params.%s: %w", k, err))
			}
		}
		enc[k] = b
	}
	keys := slices.Sorted(maps.Keys(enc))
	return func(yield func(gym.Task, error) bool) {
		for t, err := range rows {
			if err == nil {
				if raw, ok := t.Get(rollout.KeyCreateParams); ok {
					if p, perr := rollout.ParseObject(raw); perr == nil {
						for _, k := range keys {
							p.Set(k, enc[k])
						}
						t = t.WithField(rollout.KeyCreateParams, p.AppendJSON(nil))
					}
				}
			}
			if !yield(t, err) {
				return
			}
		}
	}
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseShard reads "I/N".
func parseShard(s string) (i, n int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("--shard %q: want I/N with 0 <= I < N", s)
	}
	return i, n, nil
}

// remoteRegistry registers every agent a head server lists, as a remote
// agent: each row goes to its agent's /run.
func remoteRegistry(ctx context.Context, head string) (*gym.Registry, error) {
	list, err := fetchInstances(ctx, strings.TrimSuffix(head, "/"))
	if err != nil {
		return nil, err
	}
	reg := &gym.Registry{}
	for _, in := range list {
		if in.Type != config.Agents {
			continue
		}
		if err := reg.Register(in.Name, gym.Environment{Agent: agent.NewRemote(in.URL)}); err != nil {
			return nil, err
		}
	}
	if len(reg.Names()) == 0 {
		return nil, fmt.Errorf("the head server at %s lists no agent", head)
	}
	return reg, nil
}

// settings are NeMo Gym's run settings, from the config (as +key=value
// overrides) and the command's flags, which win.
type settings struct {
	Input, Output, Agent string
	Limit, Concurrency   int
	NumRepeats           int
	RepeatsByAgent       map[string]int
	Resume               bool
	NoAggregation        bool           // disable_aggregation
	Params               map[string]any // responses_create_params: merged into every row's
}

// knownSettings are the top-level keys gym reads.
var knownSettings = []string{"config_paths", "policy_base_url", "policy_api_key", "policy_model_name", "head_server",
	"input_jsonl_fpath", "output_jsonl_fpath", "agent_name", "limit", "num_repeats", "num_samples_in_parallel",
	"resume_from_cache", "disable_aggregation", "responses_create_params"}

// settingTypos warns of top-level keys that look like a misspelt setting
// (+num_repeat=4 would otherwise be ignored without a word).
func settingTypos(c *config.Config) []string {
	var out []string
	known := append(slices.Clip(knownSettings), blendKeys...)
	for _, g := range c.Globals() {
		if slices.Contains(known, g) {
			continue
		}
		if near, ok := suggest.Closest(g, known); ok {
			out = append(out, fmt.Sprintf("%s is not a setting gym reads; did you mean %s?", g, near))
		}
	}
	return out
}

func runSettings(c *config.Config) (*settings, error) {
	st := &settings{}
	var err error
	if st.Input, _, err = setting[string](c, "input_jsonl_fpath"); err != nil {
		return nil, err
	}
	if st.Output, _, err = setting[string](c, "output_jsonl_fpath"); err != nil {
		return nil, err
	}
	if st.Agent, _, err = setting[string](c, "agent_name"); err != nil {
		return nil, err
	}
	if st.Limit, _, err = setting[int](c, "limit"); err != nil {
		return nil, err
	}
	if st.Concurrency, _, err = setting[int](c, "num_samples_in_parallel"); err != nil {
		return nil, err
	}
	if st.Resume, _, err = setting[bool](c, "resume_from_cache"); err != nil {
		return nil, err
	}
	if st.NoAggregation, _, err = setting[bool](c, "disable_aggregation"); err != nil {
		return nil, err
	}
	if st.Params, _, err = setting[map[string]any](c, "responses_create_params"); err != nil {
		return nil, err
	}
	for k, v := range map[string]int{"limit": st.Limit, "num_samples_in_parallel": st.Concurrency} {
		if v < 0 {
			return nil, usagef("%s: want a count (an integer ≥ 0), got %d", k, v)
		}
	}
	// num_repeats is a number, or a map of agent name to number with an
	// optional "_default".
	if v, ok, err := setting[any](c, "num_repeats"); err != nil {
		return nil, err
	} else if ok {
		if _, isMap := v.(map[string]any); isMap {
			byAgent, _, err := setting[map[string]int](c, "num_repeats")
			if err != nil {
				return nil, err
			}
			st.NumRepeats = byAgent["_default"]
			delete(byAgent, "_default")
			st.RepeatsByAgent = byAgent
		} else if st.NumRepeats, _, err = setting[int](c, "num_repeats"); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *settings) flags(input, output, agent string, limit, repeats, conc int, resume bool) {
	if input != "" {
		st.Input = input
	}
	if output != "" {
		st.Output = output
	}
	if agent != "" {
		st.Agent = agent
	}
	if limit > 0 {
		st.Limit = limit
	}
	if repeats > 0 {
		st.NumRepeats = repeats
		st.RepeatsByAgent = nil
	}
	if conc > 0 {
		st.Concurrency = conc
	}
	st.Resume = st.Resume || resume
}

// resumeState repairs a half-written last line of a previous run's output
// (a kill in the middle of a write) and returns the (task, rollout) pairs
// it holds.
func resumeState(path string) (map[[2]int]bool, error) {
	done := map[[2]int]bool{}
	data, err := repairTail(path)
	if errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, err
	}
	for res, err := range rollout.ReadResults(bytes.NewReader(data), path) {
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		done[[2]int{res.TaskIndex, res.RolloutIndex}] = true
	}
	return done, nil
}

// repairTail makes a JSONL file written by an interrupted run end with a
// complete line: a last line that is complete JSON gets its newline, a
// half-written one is cut off. It returns the repaired contents.
func repairTail(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if end := bytes.LastIndexByte(data, '\n') + 1; end < len(data) {
		if json.Valid(data[end:]) {
			// A complete last row whose newline was not written.
			if err := appendFile(path, []byte("\n")); err != nil {
				return nil, err
			}
			data = append(data, '\n')
		} else {
			if err := os.Truncate(path, int64(end)); err != nil {
				return nil, fmt.Errorf("repair %s: %w", path, err)
			}
			data = data[:end]
		}
	}
	return data, nil
}

// pruneFailures repairs a failures file (repairTail) and drops the lines
// before offset upto for which drop is true (a line that does not read as
// a failure is kept), replacing the file atomically; the lines from upto
// on stay. It returns the size of the file after.
func pruneFailures(path string, upto int64, drop func(*rollout.Result) bool) (int64, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return 0, nil // a device or a pipe (--failures /dev/stderr): nothing to read back
	}
	data, err := repairTail(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	upto = min(upto, int64(len(data)))
	kept := bytes.NewBuffer(make([]byte, 0, len(data)))
	dropped := 0
	for line := range bytes.Lines(data[:upto]) {
		if res, err := rollout.ParseResult(bytes.TrimSpace(line)); err == nil && res.Err != nil && drop(res) {
			dropped++
			continue
		}
		kept.Write(line)
	}
	kept.Write(data[upto:])
	if dropped == 0 {
		return int64(len(data)), nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(kept.Bytes()); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return int64(kept.Len()), nil
}

func appendFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plannedCount counts the results a collection of path will hand back —
// the rollouts it will run and the invalid rows it will report — for the
// progress bar's total, by planning it with every rollout skipped.
func plannedCount(ctx context.Context, path string, col gym.Collector) int {
	var n atomic.Int64
	skip := col.Skip
	col.Output, col.Failures, col.Inputs = nil, nil, nil
	col.Skip = func(ti, ri int) bool {
		if skip == nil || !skip(ti, ri) {
			n.Add(1)
		}
		return true
	}
	for _, err := range col.Collect(ctx, gym.FromFile(path)) {
		if err != nil {
			break
		}
		n.Add(1) // an invalid row
	}
	return int(n.Load())
}

func metricsOf(paths ...string) (*rollout.Metrics, error) {
	m := &rollout.Metrics{}
	for _, path := range paths {
		if err := addMetrics(m, path); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func addMetrics(m *rollout.Metrics, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for res, err := range rollout.ReadResults(f, path) {
		if err != nil {
			return err
		}
		m.Add(res)
	}
	return nil
}

// printMetrics prints the key metrics of each agent.
func printMetrics(w io.Writer, m *rollout.Metrics) {
	for _, name := range m.Agents() {
		a := m.Agent(name)
		fmt.Fprintf(w, "%s: %d rollouts, mean reward %.4f", name, int(a["num_rollouts"]), a["mean/reward"])
		for _, k := range slices.Sorted(maps.Keys(a)) {
			if strings.HasPrefix(k, "pass@") || strings.HasPrefix(k, "majority@") {
				fmt.Fprintf(w, ", %s %.4f", k, a[k])
			}
		}
		fmt.Fprintln(w)
	}
}

func (c *Command) tty() bool {
	if c.Progress != nil {
		return *c.Progress
	}
	w := c.Stderr
	if sw, ok := w.(*scrubWriter); ok {
		w = sw.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
