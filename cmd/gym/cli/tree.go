package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gymkit/gym/internal/suggest"
)

// NeMo Gym's command tree (nemo_gym/cli/main.py): groups of commands whose
// flags translate to config overrides (+key=value), so that every flag can
// also be given as its override, and a command line typed for NeMo Gym runs
// here unchanged.

// nemoFlag is one flag of a command.
type nemoFlag struct {
	names   []string // "--input", "-i": the first is the primary name
	key     string   // the config key the value sets (+key=value), if any
	kind    flagKind
	metavar string
	help    string
	choices []string
}

type flagKind int

const (
	valueFlag    flagKind = iota // a string, JSON-quoted in its override
	numberFlag                   // a number, as written
	countFlag                    // a non-negative integer
	boolFlag                     // no value: +key=true
	listFlagKind                 // repeatable value, handled by the command
	assetFlag                    // --resources-server NAME: adds a config path
)

func (f nemoFlag) name() string { return strings.TrimLeft(f.names[0], "-") }

// nemoCommand is one command of the tree, such as "eval run".
type nemoCommand struct {
	name       string
	summary    string
	usage      string // the synopsis after the command name
	flags      []nemoFlag
	positional string // the name of an optional positional argument, if any
	run        func(c *Command, ctx context.Context, inv *invocation) error
}

// invocation is a parsed command line of the tree.
type invocation struct {
	cmd         *nemoCommand
	values      map[string][]string // by primary flag name
	overrides   []string            // the flags' overrides, then the user's
	flagTokens  map[string]string   // each flag's own override, by primary name
	user        []string            // the user's own overrides
	configPaths []string            // --config and the asset selectors, in order
	searchDirs  []string
	positional  []string
	help        bool
}

func (inv *invocation) value(name string) string {
	if v := inv.values[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func (inv *invocation) has(name string) bool { return len(inv.values[name]) > 0 }

// tokens returns the overrides of the named flags that were given, then
// the user's own overrides.
func (inv *invocation) tokens(names ...string) []string {
	var out []string
	for _, n := range names {
		if t, ok := inv.flagTokens[n]; ok {
			out = append(out, t)
		}
	}
	return append(out, inv.user...)
}

// configArgs returns --config PATHS for one of gym's short commands.
func (inv *invocation) configArgs() []string {
	if len(inv.configPaths) == 0 {
		return nil
	}
	return []string{"--config", strings.Join(inv.configPaths, ",")}
}

// Shared flags, as NeMo Gym defines them.
var (
	flagConfig = nemoFlag{names: []string{"--config"}, kind: listFlagKind, metavar: "PATH",
		help: "config file to load; repeatable (+config_paths=[...])"}
	flagSearchDir = nemoFlag{names: []string{"--search-dir"}, kind: listFlagKind, metavar: "DIR",
		help: "extra root directory to search for configs; repeatable"}
	flagResourcesServer = nemoFlag{names: []string{"--resources-server"}, kind: assetFlag, metavar: "NAME[/FLAVOR]",
		help: "load resources_servers/NAME/configs/FLAVOR.yaml (FLAVOR defaults to NAME); repeatable"}
	flagModelType = nemoFlag{names: []string{"--model-type"}, kind: assetFlag, metavar: "NAME[/FLAVOR]",
		help: "load responses_api_models/NAME/configs/FLAVOR.yaml (openai_model, vllm_model)"}
	flagBenchmark = nemoFlag{names: []string{"--benchmark"}, kind: assetFlag, metavar: "NAME",
		help: "load benchmarks/NAME/config.yaml"}
	flagEnvironment = nemoFlag{names: []string{"--environment"}, kind: assetFlag, metavar: "NAME",
		help: "load environments/NAME/config.yaml"}
	flagModel = nemoFlag{names: []string{"--model", "-m"}, key: "policy_model_name", metavar: "NAME",
		help: "policy model name (policy_model_name)"}
	flagModelURL = nemoFlag{names: []string{"--model-url"}, key: "policy_base_url", metavar: "URL",
		help: "policy model server base URL (policy_base_url)"}
	flagModelAPIKey = nemoFlag{names: []string{"--model-api-key"}, key: "policy_api_key", metavar: "KEY",
		help: "policy model server API key (policy_api_key)"}
	flagJSON = nemoFlag{names: []string{"--json"}, kind: boolFlag, help: "print machine-readable JSON"}
	flagHead = nemoFlag{names: []string{"--head"}, metavar: "ADDR",
		help: "head server address (default: head_server.host/port of the config, else " + DefaultHead + ")"}
)

var assetSelectors = []nemoFlag{flagConfig, flagBenchmark, flagEnvironment, flagResourcesServer, flagModelType, flagSearchDir}

var modelFlags = []nemoFlag{flagModel, flagModelURL, flagModelAPIKey}

func flagsOf(groups ...[]nemoFlag) []nemoFlag { return slices.Concat(groups...) }

// The groups of the tree, with their one-line help.
var nemoGroups = []struct{ name, summary string }{
	{"env", "Run environments: start the servers, resolve and validate configs, show status."},
	{"eval", "Collect rollouts and score them: run, aggregate, reverify, profile."},
	{"dataset", "Prepare datasets: collate."},
	{"list", "List the bundled components: resources-servers, models, agents, environments."},
}

var nemoCommands []*nemoCommand

func init() {
	nemoCommands = []*nemoCommand{
		{
			name: "env start", summary: "Start the servers of the composed configs and the head server.",
			usage: "[--config PATH]... [--resources-server NAME]... [--model-type NAME] [--model NAME] [--model-url URL] [--model-api-key KEY] [+key=value ...]",
			flags: flagsOf(assetSelectors, modelFlags, []nemoFlag{flagHead}),
			run:   (*Command).envStart,
		},
		{
			name: "env resolve", summary: "Print the config resolved from config files, flags and overrides (credentials redacted).",
			usage: "[--config PATH]... [--resources-server NAME]... [+key=value ...]",
			flags: flagsOf(assetSelectors, modelFlags),
			run:   (*Command).envResolve,
		},
		{
			name: "env validate", summary: "Check configs, references, ??? values, implementations and dataset rows without starting anything.",
			usage: "[--config PATH]... [--resources-server NAME]... [--model-type NAME] [-i in.jsonl] [--json] [+key=value ...]",
			flags: flagsOf(assetSelectors, modelFlags, []nemoFlag{flagJSON,
				{names: []string{"--input", "-i"}, key: "input_jsonl_fpath", metavar: "PATH", help: "also check the rows of this dataset"}}),
			run: (*Command).envValidate,
		},
		{
			name: "env status", summary: "Print the servers that a running head server lists.",
			usage: "[--head ADDR] [--json] [+key=value ...]",
			flags: []nemoFlag{flagJSON, flagHead, flagConfig, flagSearchDir},
			run:   (*Command).envStatus,
		},
		{
			name: "eval run", summary: "Collate data, start the servers and collect rollouts (--no-serve: collect against running servers).",
			usage: "[--no-serve] [--config PATH]... [--resources-server NAME]... [--model-type NAME] [-a AGENT] -i in.jsonl -o out.jsonl [flags] [+key=value ...]",
			flags: flagsOf(assetSelectors, []nemoFlag{
				{names: []string{"--no-serve"}, kind: boolFlag, help: "collect against servers already running (found through the head server)"},
				{names: []string{"--resume"}, key: "resume_from_cache", kind: boolFlag, help: "keep the rollouts already in the output and run only the missing ones"},
				{names: []string{"--agent", "-a"}, key: "agent_name", metavar: "AGENT", help: "agent for rows without agent_ref"},
				{names: []string{"--input", "-i"}, key: "input_jsonl_fpath", metavar: "PATH", help: "input tasks JSONL"},
				{names: []string{"--output", "-o"}, key: "output_jsonl_fpath", metavar: "PATH", help: "output rollouts JSONL (materialized inputs, failures and metrics are written next to it)"},
				{names: []string{"--limit"}, key: "limit", kind: countFlag, metavar: "N", help: "read at most N tasks"},
				{names: []string{"--num-repeats"}, key: "num_repeats", kind: countFlag, metavar: "N", help: "rollouts per task"},
				{names: []string{"--prompt-config"}, key: "prompt_config", metavar: "PATH", help: "prompt template YAML to apply (not supported by gym)"},
				{names: []string{"--concurrency"}, key: "num_samples_in_parallel", kind: countFlag, metavar: "N", help: "rollouts in flight"},
				{names: []string{"--split"}, key: "split", metavar: "SPLIT", help: "without --input: the dataset split of the config to collate and collect (train, validation, benchmark, example)"},
			}, modelFlags, []nemoFlag{
				{names: []string{"--temperature"}, key: "responses_create_params.temperature", kind: numberFlag, metavar: "T", help: "sampling temperature of every row"},
				{names: []string{"--top-p"}, key: "responses_create_params.top_p", kind: numberFlag, metavar: "P", help: "nucleus sampling top-p of every row"},
				{names: []string{"--max-output-tokens"}, key: "responses_create_params.max_output_tokens", kind: countFlag, metavar: "N", help: "maximum output tokens of every row"},
				{names: []string{"--disable-aggregation"}, key: "disable_aggregation", kind: boolFlag, help: "skip the aggregate metrics (gym eval aggregate merges shards later)"},
				flagHead,
			}, blendTreeFlags),
			run: (*Command).evalRun,
		},
		{
			name: "eval aggregate", summary: "Merge rollout shards and compute their aggregate metrics.",
			usage: "-i 'results/rollouts-*.jsonl' -o results/rollouts.jsonl [+merge_shards=false]",
			flags: []nemoFlag{flagConfig, flagSearchDir,
				{names: []string{"--input-glob", "-i"}, key: "input_glob", metavar: "GLOB", help: "glob, or comma-separated globs, of the rollout shards"},
				{names: []string{"--output", "-o"}, key: "output_jsonl_fpath", metavar: "PATH", help: "merged rollouts JSONL; the metrics go to <stem>_aggregate_metrics.json"},
			},
			run: (*Command).evalAggregate,
		},
		{
			name: "eval reverify", summary: "Verify stored rollouts again with the resources servers, without a model.",
			usage: "--config PATH... --rollouts rollouts.jsonl -o out.jsonl [--inputs materialized_inputs.jsonl] [flags]",
			flags: flagsOf(assetSelectors, []nemoFlag{
				{names: []string{"--inputs"}, key: "materialized_inputs_jsonl_fpath", metavar: "PATH", help: "materialized inputs JSONL: restores task fields the rollouts lack"},
				{names: []string{"--rollouts"}, key: "rollouts_jsonl_fpath", metavar: "PATH", help: "rollouts JSONL to verify again"},
				{names: []string{"--output", "-o"}, key: "output_jsonl_fpath", metavar: "PATH", help: "output JSONL with the recomputed rewards"},
				{names: []string{"--concurrency"}, key: "num_samples_in_parallel", kind: countFlag, metavar: "N", help: "verifications at once"},
				{names: []string{"--limit"}, key: "limit", kind: countFlag, metavar: "N", help: "verify at most N rollouts"},
				{names: []string{"--overwrite"}, key: "overwrite", kind: boolFlag, help: "replace an existing output file"},
				{names: []string{"--agent", "-a"}, key: "agent_name", metavar: "AGENT", help: "agent for rows without agent_ref"},
			}),
			run: (*Command).evalReverify,
		},
		{
			name: "eval profile", summary: "Compute NeMo Gym's reward profile: per-task pass rates, pass@k, variance.",
			usage: "--inputs materialized_inputs.jsonl --rollouts rollouts.jsonl [++allow_partial_rollouts=true]",
			flags: []nemoFlag{
				{names: []string{"--inputs"}, key: "materialized_inputs_jsonl_fpath", metavar: "PATH", help: "materialized inputs JSONL of the collection"},
				{names: []string{"--rollouts"}, key: "rollouts_jsonl_fpath", metavar: "PATH", help: "rollouts JSONL of the collection"},
			},
			run: (*Command).evalProfile,
		},
		{
			name: "dataset collate", summary: "Validate the datasets of the config's agents and collate them by type (NeMo Gym's prepare_data).",
			usage: "--config PATH... [--resources-server NAME]... --output-dir DIR [--mode example_validation|train_preparation]",
			flags: flagsOf(assetSelectors, []nemoFlag{
				{names: []string{"--mode"}, key: "mode", metavar: "MODE", choices: []string{"train_preparation", "example_validation"}, help: "example_validation collates the example datasets; train_preparation train, validation and benchmark"},
				{names: []string{"--output-dir"}, key: "output_dirpath", metavar: "DIR", help: "where the collated <type>.jsonl and <type>_metrics.json go"},
				{names: []string{"--download"}, key: "should_download", kind: boolFlag, help: "download missing datasets first (gym runs offline: refused)"},
			}),
			run: (*Command).datasetCollate,
		},
	}
	nemoCommands = append(nemoCommands, &nemoCommand{
		name: "list benchmarks", summary: "List the bundled benchmarks (gym bundles none).",
		usage: "[NAME] [--json]", positional: "NAME", flags: []nemoFlag{flagJSON, flagSearchDir},
		run: func(c *Command, ctx context.Context, inv *invocation) error {
			if inv.has("json") {
				fmt.Fprintln(c.Stdout, "[]")
				return nil
			}
			fmt.Fprintln(c.Stdout, "gym bundles no benchmarks; gym list environments lists its environments")
			return nil
		},
	})
	for _, kind := range []string{"resources-servers", "models", "agents", "environments"} {
		nemoCommands = append(nemoCommands, &nemoCommand{
			name: "list " + kind, summary: "List or inspect the bundled " + kind + ".",
			usage: "[NAME] [--json]", positional: "NAME",
			flags: []nemoFlag{flagJSON, flagSearchDir},
			run:   func(c *Command, ctx context.Context, inv *invocation) error { return c.list(kind, inv) },
		})
	}
}

func findCommand(name string) *nemoCommand {
	for _, nc := range nemoCommands {
		if nc.name == name {
			return nc
		}
	}
	return nil
}

// groupCommands returns the commands of a group, in the tree's order.
func groupCommands(group string) []*nemoCommand {
	var out []*nemoCommand
	for _, nc := range nemoCommands {
		if g, _, _ := strings.Cut(nc.name, " "); g == group {
			out = append(out, nc)
		}
	}
	return out
}

func isGroup(name string) bool {
	for _, g := range nemoGroups {
		if g.name == name {
			return true
		}
	}
	return false
}

// runTree runs a command of the tree: args start with the group's name.
func (c *Command) runTree(ctx context.Context, args []string) (string, error) {
	group := args[0]
	if len(args) == 1 || isHelp(args[1]) {
		w, err := c.Stdout, error(nil)
		if len(args) == 1 {
			w, err = c.Stderr, usagef("give a command: %s", strings.Join(commandNames(group), ", "))
		}
		c.groupHelp(w, group)
		if err != nil {
			return group, err
		}
		return group, flagErrHelp
	}
	nc := findCommand(group + " " + args[1])
	if nc == nil {
		names := commandNames(group)
		msg := fmt.Sprintf("%s: unknown command %q", group, args[1])
		if s, ok := suggest.Similar(args[1], names); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		c.groupHelp(c.Stderr, group)
		return group, usagef("%s; commands: %s", strings.TrimPrefix(msg, group+": "), strings.Join(names, ", "))
	}
	inv, err := parseInvocation(nc, args[2:])
	if err != nil {
		fmt.Fprintf(c.Stderr, "Usage: gym %s %s\n(gym %s --help lists the flags)\n", nc.name, nc.usage, nc.name)
		return nc.name, err
	}
	if inv.help {
		c.commandHelp(c.Stdout, nc)
		return nc.name, flagErrHelp
	}
	if err := c.resolveAssets(inv); err != nil {
		return nc.name, err
	}
	return nc.name, nc.run(c, ctx, inv)
}

func commandNames(group string) []string {
	var names []string
	for _, nc := range groupCommands(group) {
		_, n, _ := strings.Cut(nc.name, " ")
		names = append(names, n)
	}
	return names
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// parseInvocation parses a command's flags (--name value, --name=value),
// overrides (key=value, +key=value, ++key=value) and positional argument.
func parseInvocation(nc *nemoCommand, args []string) (*invocation, error) {
	inv := &invocation{cmd: nc, values: map[string][]string{}, flagTokens: map[string]string{}}
	byName := map[string]*nemoFlag{}
	var known []string
	for i := range nc.flags {
		for _, n := range nc.flags[i].names {
			byName[n] = &nc.flags[i]
			known = append(known, n)
		}
	}
	known = append(known, "--help", "-h", "--verbose", "-v")
	var userOverrides []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-h" || a == "--help":
			inv.help = true
			continue
		case a == "-v" || a == "--verbose":
			continue // gym's logs are always on stderr
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name, val, hasVal := strings.Cut(a, "=")
			f, ok := byName[name]
			if !ok {
				msg := fmt.Sprintf("unrecognized argument %s", a)
				if s, ok := suggest.Similar(name, known); ok {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				return nil, usagef("%s", msg)
			}
			if f.kind == boolFlag {
				if hasVal {
					return nil, usagef("%s takes no value", name)
				}
				inv.values[f.name()] = append(inv.values[f.name()], "true")
				continue
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, usagef("%s needs a value (%s)", name, cmpOr(f.metavar, "VALUE"))
				}
				i++
				val = args[i]
			}
			if err := checkValue(name, *f, val); err != nil {
				return nil, err
			}
			inv.values[f.name()] = append(inv.values[f.name()], val)
		case strings.Contains(a, "="):
			userOverrides = append(userOverrides, a)
		default:
			if nc.positional == "" || len(inv.positional) > 0 {
				return nil, usagef("unexpected argument %q (overrides are key=value)", a)
			}
			inv.positional = append(inv.positional, a)
		}
	}
	// The flags' overrides come first, so that the user's own +key=value
	// overrides win, as in NeMo Gym (the translated tokens lead).
	for _, f := range nc.flags {
		vals := inv.values[f.name()]
		if len(vals) == 0 {
			continue
		}
		switch f.kind {
		case listFlagKind:
			if f.name() == "config" {
				for _, v := range vals {
					inv.configPaths = append(inv.configPaths, splitList(v)...)
				}
			} else {
				for _, v := range vals {
					inv.searchDirs = append(inv.searchDirs, splitList(v)...)
				}
			}
			continue
		case assetFlag:
			continue // resolved later, in order, once the search dirs are known
		}
		if f.key == "" {
			continue
		}
		v := vals[len(vals)-1]
		switch f.kind {
		case valueFlag:
			q, _ := json.Marshal(v) // a YAML string, whatever it holds ("yes", "1e3", "a: b")
			v = string(q)
		case boolFlag:
			v = "true"
		}
		tok := "++" + f.key + "=" + v
		inv.flagTokens[f.name()] = tok
		inv.overrides = append(inv.overrides, tok)
	}
	inv.user = userOverrides
	inv.overrides = append(inv.overrides, userOverrides...)
	return inv, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func checkValue(name string, f nemoFlag, v string) error {
	if len(f.choices) > 0 && !slices.Contains(f.choices, v) {
		msg := fmt.Sprintf("%s: invalid choice %q (choose from %s)", name, v, strings.Join(f.choices, ", "))
		if s, ok := suggest.Similar(v, f.choices); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return usagef("%s", msg)
	}
	switch f.kind {
	case countFlag:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return usagef("%s: want a count (an integer ≥ 0), got %q", name, v)
		}
	case numberFlag:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return usagef("%s: want a number, got %q", name, v)
		}
	}
	return nil
}

// resolveAssets turns the asset selectors into config paths, after --config.
func (c *Command) resolveAssets(inv *invocation) error {
	for _, f := range inv.cmd.flags {
		if f.kind != assetFlag {
			continue
		}
		for _, v := range inv.values[f.name()] {
			p, err := c.assetPath(f.name(), v, inv.searchDirs)
			if err != nil {
				return err
			}
			inv.configPaths = append(inv.configPaths, p)
		}
	}
	return nil
}

func (c *Command) groupHelp(w io.Writer, group string) {
	summary := ""
	for _, g := range nemoGroups {
		if g.name == group {
			summary = g.summary
		}
	}
	fmt.Fprintf(w, "Usage: gym %s COMMAND [flags] [+key=value ...]\n\n%s\n\nCommands:\n", group, summary)
	for _, nc := range groupCommands(group) {
		_, n, _ := strings.Cut(nc.name, " ")
		fmt.Fprintf(w, "  %-18s %s\n", n, nc.summary)
	}
	fmt.Fprintf(w, "\nRun \"gym %s COMMAND --help\" for a command's flags.\n", group)
}

func (c *Command) commandHelp(w io.Writer, nc *nemoCommand) {
	fmt.Fprintf(w, "Usage: gym %s %s\n\n%s\n\nFlags:\n", nc.name, nc.usage, nc.summary)
	for _, f := range nc.flags {
		names := strings.Join(f.names, ", ")
		if f.kind != boolFlag {
			names += " " + cmpOr(f.metavar, "VALUE")
		}
		help := f.help
		if f.key != "" {
			help += fmt.Sprintf(" [+%s]", f.key)
		}
		if len(f.choices) > 0 {
			help += fmt.Sprintf(" {%s}", strings.Join(f.choices, ","))
		}
		fmt.Fprintf(w, "  %-32s %s\n", names, help)
	}
	fmt.Fprintf(w, "  %-32s %s\n", "-h, --help", "show this help")
	fmt.Fprintln(w, "\nEvery flag can also be given as its +key=value override; overrides win over flags.")
}

// absPath names a path absolutely in messages.
func absPath(p string) string {
	if p == "" {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// flagErrHelp is returned after printing requested help (exit status 0).
var flagErrHelp = errHelp{}

type errHelp struct{}

func (errHelp) Error() string { return "help requested" }

func isErrHelp(err error) bool { return errors.Is(err, flagErrHelp) }

// statFile reports a missing input file with its absolute path.
func statFile(what, p string) error {
	if p == "" {
		return usagef("need %s", what)
	}
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return usagef("%s %s does not exist", what, absPath(p))
		}
		return usagef("%s: %w", what, err)
	}
	return nil
}
