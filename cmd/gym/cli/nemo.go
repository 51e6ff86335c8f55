package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/rollout"
)

// The commands of NeMo Gym's tree. Most hand over to gym's short commands
// (run, collect, reverify, aggregate), which take the same settings.

func (c *Command) envStart(ctx context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	args := inv.configArgs()
	if h := inv.value("head"); h != "" {
		args = append(args, "--head", h)
	}
	return c.run(ctx, append(args, inv.overrides...))
}

func (c *Command) envResolve(_ context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	cfg, err := c.loadConfig(inv.configPaths, inv.overrides)
	if err != nil {
		return err
	}
	out, err := cfg.RedactedYAML()
	if err != nil {
		return usageError{err}
	}
	_, err = c.Stdout.Write(out)
	return err
}

// envValidate loads the config, checks that every ??? value is set, builds
// every server instance (implementations found, fields decoded) without
// serving anything, and reads the rows of every dataset on disk (and of
// --input), reporting each bad row with its file and line.
func (c *Command) envValidate(_ context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	type report struct {
		Config   []string `json:"config_paths"`
		Servers  []string `json:"servers"`
		Agents   []string `json:"agents"`
		Datasets []string `json:"datasets_checked"`
		Rows     int      `json:"rows_checked"`
		Problems []string `json:"problems"`
		Valid    bool     `json:"valid"`
	}
	r := report{Config: inv.configPaths, Problems: []string{}}
	cfg, err := c.loadConfig(inv.configPaths, inv.overrides)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
	for _, s := range cfg.Servers() {
		r.Servers = append(r.Servers, fmt.Sprintf("%s (%s %s)", s.Name, s.Kind, s.Impl))
	}
	if inst, err := c.Impls.Build(cfg); err != nil {
		r.Problems = append(r.Problems, err.Error())
	} else {
		r.Agents = inst.Registry.Names()
	}
	var files []string
	if in := inv.value("input"); in != "" {
		files = append(files, in)
	}
	for _, d := range datasetsOf(cfg) {
		if _, err := os.Stat(d.Path); err == nil {
			files = append(files, d.Path)
		}
	}
	for _, f := range slices.Compact(files) {
		local, cleanup, err := c.localFile(f)
		if err != nil {
			return err
		}
		r.Datasets = append(r.Datasets, absPath(f))
		for t, err := range rollout.ReadTasksFile(local) {
			if err != nil {
				r.Problems = append(r.Problems, strings.ReplaceAll(err.Error(), local, absPath(f)))
				continue
			}
			r.Rows++
			if name := t.AgentName(); name != "" && len(r.Agents) > 0 && !slices.Contains(r.Agents, name) {
				_, line := t.Source()
				r.Problems = append(r.Problems, fmt.Sprintf("%s:%d: agent_ref names %q, which the config does not define", absPath(f), line, name))
			}
		}
		cleanup()
	}
	r.Valid = len(r.Problems) == 0
	if inv.has("json") {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintf(c.Stdout, "%s\n", b)
	} else {
		fmt.Fprintf(c.Stdout, "servers: %s\nagents: %s\n", strings.Join(r.Servers, ", "), strings.Join(r.Agents, ", "))
		if len(r.Datasets) > 0 {
			fmt.Fprintf(c.Stdout, "datasets: %s (%d rows)\n", strings.Join(r.Datasets, ", "), r.Rows)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(c.Stdout, "problem: %s\n", p)
		}
		if r.Valid {
			fmt.Fprintln(c.Stdout, "valid")
		}
	}
	if !r.Valid {
		return usagef("%d problems found", len(r.Problems))
	}
	return nil
}

func (c *Command) envStatus(ctx context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	head := inv.value("head")
	if head == "" {
		head = "http://" + DefaultHead
		if len(inv.configPaths) > 0 || len(inv.user) > 0 {
			cfg, err := c.loader(inv.configPaths, inv.user).Load()
			if err != nil {
				return usageError{err}
			}
			if h, ok, _ := setting[string](cfg, "head_server.host"); ok {
				p, _, _ := setting[int](cfg, "head_server.port")
				head = "http://" + net.JoinHostPort(h, strconv.Itoa(cmp.Or(p, 11000)))
			}
		}
	}
	if !strings.Contains(head, "://") {
		head = "http://" + head
	}
	list, err := fetchInstances(ctx, strings.TrimSuffix(head, "/"))
	if err != nil {
		return fmt.Errorf("no head server answered at %s: %w (start the servers with gym env start)", head, err)
	}
	if inv.has("json") {
		b, _ := json.Marshal(list)
		fmt.Fprintf(c.Stdout, "%s\n", b)
		return nil
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tIMPLEMENTATION\tURL")
	for _, in := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Type, in.Impl, in.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "%d servers running (head server %s)\n", len(list), head)
	return nil
}

// evalRun collects rollouts: in this process (NeMo Gym's e2e collection
// starts the servers and collects through them; gym runs the same
// environments in process), or, with --no-serve, through the servers of a
// running gym env start.
func (c *Command) evalRun(ctx context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	if inv.has("prompt-config") {
		return usagef("--prompt-config: prompt templates are not supported; give rows whose responses_create_params.input is set")
	}
	args := inv.configArgs()
	if inv.has("no-serve") {
		args = append(args, "--no-serve")
	}
	for _, f := range []string{"output", "agent", "limit", "num-repeats", "concurrency", "head"} {
		if v := inv.value(f); v != "" {
			args = append(args, "--"+f, v)
		}
	}
	if inv.has("resume") {
		args = append(args, "--resume")
	}
	input := inv.value("input")
	switch {
	case input != "":
		local, cleanup, err := c.localFile(input)
		if err != nil {
			return err
		}
		defer cleanup()
		if err := statFile("--input", local); err != nil {
			return err
		}
		args = append(args, "--input", local)
	case inv.value("split") != "":
		if inv.has("no-serve") {
			return usagef("--split collates the config's datasets: it needs the config, without --no-serve (or give -i)")
		}
		out := inv.value("output")
		if out == "" {
			return usagef("need -o/--output")
		}
		split := inv.value("split")
		cfg, err := c.loadConfig(inv.configPaths, inv.overrides)
		if err != nil {
			return err
		}
		dir := filepath.Join(strings.TrimSuffix(out, filepath.Ext(out)), "preprocessed_datasets")
		paths, err := c.collateDatasets(cfg, []string{split}, dir)
		if err != nil {
			return err
		}
		if paths[split] == "" {
			return usagef("--split %s: the config's agents list no %s dataset", split, split)
		}
		fmt.Fprintf(c.Stderr, "collated the %s datasets into %s\n", split, paths[split])
		args = append(args, "--input", paths[split])
	}
	for _, b := range inv.values["blend"] {
		args = append(args, "--blend", b)
	}
	tokens := append([]string{"model", "model-url", "model-api-key", "temperature", "top-p", "max-output-tokens", "disable-aggregation"}, blendTreeTokens()...)
	return c.collect(ctx, append(args, inv.tokens(tokens...)...))
}

// evalAggregate merges rollout shards (sorted by task and rollout index, as
// NeMo Gym sorts them) into the output and writes their aggregate metrics
// next to it.
func (c *Command) evalAggregate(_ context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	cfg, err := c.loader(inv.configPaths, inv.overrides).Load()
	if err != nil {
		return usageError{err}
	}
	glob, _, err := setting[string](cfg, "input_glob")
	if err != nil {
		return err
	}
	output, _, err := setting[string](cfg, "output_jsonl_fpath")
	if err != nil {
		return err
	}
	merge := true
	if v, ok, err := setting[bool](cfg, "merge_shards"); err != nil {
		return err
	} else if ok {
		merge = v
	}
	if glob == "" || output == "" {
		return usagef("need -i/--input-glob and -o/--output")
	}
	var shards []string
	for _, pat := range splitList(glob) {
		matches, err := filepath.Glob(pat)
		if err != nil {
			return usagef("--input-glob %q: %w", pat, err)
		}
		slices.Sort(matches)
		for _, m := range matches {
			if !slices.Contains(shards, m) && absPath(m) != absPath(output) {
				shards = append(shards, m)
			}
		}
	}
	if len(shards) == 0 {
		return usagef("no shards matched --input-glob %q (in %s)", glob, absPath("."))
	}
	fmt.Fprintf(c.Stderr, "aggregating %d shards:\n", len(shards))
	for _, s := range shards {
		fmt.Fprintf(c.Stderr, "  - %s\n", s)
	}
	paths := pathsFor(output)
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	if merge {
		var rows []*rollout.Result
		for _, s := range shards {
			f, err := os.Open(s)
			if err != nil {
				return usageError{err}
			}
			for r, err := range rollout.ReadResults(f, s) {
				if err != nil {
					f.Close()
					return usageError{err}
				}
				rows = append(rows, r)
			}
			f.Close()
		}
		slices.SortStableFunc(rows, func(a, b *rollout.Result) int {
			return cmp.Or(cmp.Compare(a.TaskIndex, b.TaskIndex), cmp.Compare(a.RolloutIndex, b.RolloutIndex))
		})
		out, err := os.Create(output)
		if err != nil {
			return err
		}
		w := rollout.NewWriter(out)
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				out.Close()
				return err
			}
		}
		if err := out.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.Stderr, "merged %d rollouts into %s\n", len(rows), output)
	}
	m, err := metricsOf(shards...)
	if err != nil {
		return err
	}
	if err := os.WriteFile(paths.Metrics, m.JSON(), 0o644); err != nil {
		return err
	}
	printMetrics(c.Stdout, m)
	fmt.Fprintf(c.Stdout, "wrote %s\n", paths.Metrics)
	return nil
}

func (c *Command) evalReverify(ctx context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	rollouts, output := inv.value("rollouts"), inv.value("output")
	if rollouts == "" || output == "" {
		return usagef("need --rollouts and -o/--output")
	}
	if err := statFile("--rollouts", rollouts); err != nil {
		return err
	}
	if _, err := os.Stat(output); err == nil && !inv.has("overwrite") {
		return usagef("--output %s exists; pass --overwrite to replace it", absPath(output))
	}
	args := append(inv.configArgs(), "--input", rollouts, "--output", output)
	if in := inv.value("inputs"); in != "" {
		if err := statFile("--inputs", in); err != nil {
			return err
		}
		args = append(args, "--dataset", in)
	}
	for _, f := range []string{"concurrency", "limit", "agent"} {
		if v := inv.value(f); v != "" {
			args = append(args, "--"+f, v)
		}
	}
	return c.reverify(ctx, append(args, inv.user...))
}

func (c *Command) version(args []string) error {
	asJSON := false
	for _, a := range args {
		switch a {
		case "--json":
			asJSON = true
		default:
			return usagef("--version: unexpected argument %q (only --json)", a)
		}
	}
	v := versionInfo()
	if asJSON {
		b, _ := json.Marshal(v)
		fmt.Fprintf(c.Stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(c.Stdout, "gym %s (%s, NeMo Gym compatible)\n", v.Version, v.Go)
	return nil
}

// datasetCfg is one entry of an agent's datasets list.
type datasetCfg struct {
	Agent  string         // the agent instance that lists it
	Name   string         // name
	Type   string         // type: train, validation, benchmark or example
	Path   string         // jsonl_fpath
	Fields map[string]any // every field, as configured
	Remote bool           // it has a download source
}

// datasetsOf lists the datasets of every agent instance, in config order.
func datasetsOf(cfg *config.Config) []datasetCfg {
	var out []datasetCfg
	for _, s := range cfg.Servers() {
		if s.Kind != config.Agents {
			continue
		}
		var v struct {
			Datasets []map[string]any `yaml:"datasets"`
		}
		if err := s.Decode(&v); err != nil {
			continue
		}
		for _, m := range v.Datasets {
			d := datasetCfg{Agent: s.Name, Fields: m}
			d.Name, _ = m["name"].(string)
			d.Type, _ = m["type"].(string)
			d.Path, _ = m["jsonl_fpath"].(string)
			for _, k := range []string{"source", "gitlab_identifier", "huggingface_identifier"} {
				if m[k] != nil {
					d.Remote = true
				}
			}
			out = append(out, d)
		}
	}
	return out
}

var errNoDataset = errors.New("dataset file is absent")
