// Package cli is the gym command: collect, collate, reverify and aggregate.
// It is a package so that a program can add its own environments and hand
// over to the same command line:
//
//	func main() {
//		impls := cli.Builtin()
//		impls.AddResources("my_env", func(s config.Server) (gym.Resources, error) {
//			return gym.Resources{Server: env.NewServer(myTool), Verifier: myVerifier}, nil
//		})
//		os.Exit(cli.Main(context.Background(), os.Args[1:], impls))
//	}
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/suggest"
)

// Exit statuses.
const (
	ExitOK       = 0 // everything succeeded
	ExitFailures = 1 // the command ran, but rollouts or rows failed (what succeeded is written)
	ExitUsage    = 2 // bad command line or configuration
)

// Builtin returns every implementation bundled with gym
// (bundled.Implementations): the library's own, the example environments
// and the blend environments, under the names of NeMo Gym's configs.
func Builtin() *gym.Implementations { return bundled.Implementations() }

// Main runs the command line args (without the program name) with the
// standard streams and returns the exit status. SIGINT and SIGTERM cancel
// ctx, so that collect stops cleanly (run it again with --resume) and run
// shuts its servers down.
func Main(ctx context.Context, args []string, impls *gym.Implementations) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &Command{Impls: impls, Stdout: os.Stdout, Stderr: os.Stderr}
	// Called as ng_run, ng_collect_rollouts, ... (links made by gym
	// install-aliases): run the gym command it became, as NeMo Gym does.
	if mapped, notice, ok := legacyArgs(os.Args[0], args); ok {
		fmt.Fprintln(c.Stderr, notice)
		if mapped == nil {
			return ExitFailures
		}
		args = mapped
	}
	return c.Run(ctx, args)
}

// Command is the gym command line with its streams.
type Command struct {
	Impls          *gym.Implementations
	Stdout, Stderr io.Writer
	// Progress forces the live progress bar on (true) or to plain lines
	// (false); nil decides by whether Stderr is a terminal.
	Progress *bool
	// Configs are the config files that named assets (--resources-server
	// NAME, --model-type NAME) and relative config_paths fall back to after
	// the working directory; nil is bundled.Configs.
	Configs fs.FS

	searchDirs []string // --search-dir roots of the command being run

	redact *strings.Replacer // masks the config's credentials (scrub); nil: none
}

const usage = `gym runs LLM training environments and collects rollouts, NeMo Gym compatible.

Usage: gym COMMAND [flags] [+key=value ...]

NeMo Gym's commands:
  gym env start       serve the configured servers and the head server
                      (--resources-server NAME --model-type NAME, or --config PATH)
  gym env resolve     print the resolved config
  gym env validate    check configs, references, ??? values and dataset rows
  gym env status      list the servers of a running head server
  gym eval run        collect rollouts in one process (--no-serve: through
                      running servers) -i in.jsonl -o out.jsonl
  gym eval aggregate  merge rollout shards and compute their metrics
  gym eval reverify   verify stored rollouts again, without a model
  gym eval profile    NeMo Gym's reward profile of a collection
  gym dataset collate collate the config's datasets by type
  gym list resources-servers|models|agents|environments [NAME] [--json]
  gym --version [--json]

gym's short names (the same machinery):
  gym run       --config a.yaml,b.yaml [--head 127.0.0.1:11000]         (gym env start)
  gym collect   --config a.yaml,b.yaml --input in.jsonl --output out.jsonl [flags]
                                                                       (gym eval run)
  gym collect   [--head http://127.0.0.1:11000] --input in.jsonl --output out.jsonl
                                                                       (gym eval run --no-serve)
  gym collate   --input a.jsonl:AGENT_A --input b.jsonl:AGENT_B --output merged.jsonl
  gym reverify  --config a.yaml,b.yaml --input rollouts.jsonl --output out.jsonl
  gym aggregate --input rollouts.jsonl [--output metrics.json]
  gym install-aliases DIR    make NeMo Gym's ng_* command names in DIR

Run "gym GROUP --help" or "gym GROUP COMMAND --help" for the flags. Every flag
has a config override: key=value, +key=value (add) or ++key=value, with dotted
keys, as NeMo Gym spells them: "+config_paths=[a.yaml,b.yaml]"
+input_jsonl_fpath=... +output_jsonl_fpath=... +limit=N +num_repeats=N
+num_samples_in_parallel=N +agent_name=NAME.

Configs named by --resources-server and --model-type, and relative
config_paths, are looked up in --search-dir roots, the working directory, then
among the configs bundled with gym, so they work from an empty directory.
The policy model is configured as in NeMo Gym: policy_base_url,
policy_api_key and policy_model_name in env.yaml, as overrides, or with
--model-url, --model-api-key and --model.

Exit status: 0 success, 1 some rollouts or rows failed (everything else was
written), 2 usage or configuration error.
`

// shortCommands are gym's own command names.
var shortCommands = []string{"run", "collect", "collate", "reverify", "aggregate", "install-aliases"}

// Run runs one command line and returns the exit status.
func (c *Command) Run(ctx context.Context, args []string) int {
	stdout, stderr := c.Stdout, c.Stderr
	defer func() { c.Stdout, c.Stderr, c.redact = stdout, stderr, nil }()
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return ExitUsage
	}
	name := args[0]
	var err error
	switch {
	case name == "run":
		err = c.run(ctx, args[1:])
	case name == "collect":
		err = c.collect(ctx, args[1:])
	case name == "collate":
		err = c.collate(args[1:])
	case name == "reverify":
		err = c.reverify(ctx, args[1:])
	case name == "aggregate":
		err = c.aggregate(args[1:])
	case name == "install-aliases":
		err = c.installAliases(args[1:])
	case isGroup(name):
		name, err = c.runTree(ctx, args)
	case name == "--version" || name == "-V" || name == "version":
		err = c.version(args[1:])
	case isHelp(name):
		fmt.Fprint(c.Stdout, usage)
		return ExitOK
	default:
		names := append(slices.Clone(shortCommands), "env", "eval", "dataset", "list")
		msg := fmt.Sprintf("gym: unknown command %q", name)
		if s, ok := suggest.Similar(strings.TrimLeft(name, "-"), names); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		fmt.Fprintf(c.Stderr, "%s\n\n%s", msg, usage)
		return ExitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp), isErrHelp(err):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(c.Stderr, "gym %s: %v\n", name, err)
		return ExitUsage
	default:
		fmt.Fprintf(c.Stderr, "gym %s: %v\n", name, err)
		return ExitFailures
	}
}

// scrub masks the credentials of cfg (config.Secrets) in everything the
// command prints from here on: errors, failed rollouts, warnings. A model
// server that echoes the API key in an error never gets it onto a
// terminal or into a log.
func (c *Command) scrub(cfg *config.Config) {
	secrets := cfg.Secrets()
	if len(secrets) == 0 {
		return
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, config.Masked)
	}
	r := strings.NewReplacer(pairs...)
	c.redact = r
	c.Stdout = &scrubWriter{w: c.Stdout, r: r}
	c.Stderr = &scrubWriter{w: c.Stderr, r: r}
}

// scrubWriter writes through r. Lines are written whole (fmt.Fprintf), so a
// secret never straddles two writes.
type scrubWriter struct {
	w io.Writer
	r *strings.Replacer
}

func (s *scrubWriter) Write(p []byte) (int, error) {
	if _, err := s.r.WriteString(s.w, string(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// usageError is a bad command line or configuration (exit status 2).
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// failuresError reports rollouts or rows that failed (exit status 1).
type failuresError struct{ error }

// splitArgs separates config overrides (key=value, +key=value, ++key=value)
// from flags, so that both may come in any order. boolFlags are the flags
// that take no value.
func splitArgs(args []string, boolFlags ...string) (flags, overrides []string) {
	isBool := map[string]bool{"h": true, "help": true}
	for _, b := range boolFlags {
		isBool[b] = true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "+") {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !isBool[name] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		if strings.Contains(a, "=") {
			overrides = append(overrides, a)
			continue
		}
		flags = append(flags, a)
	}
	return flags, overrides
}

func newFlags(c *Command, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.Stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (overrides are key=value)", fs.Arg(0))
	}
	return nil
}

// listFlag collects a repeated or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// headMode reports whether a command line names no config, so that the
// servers are to be found through a head server.
func headMode(paths, overrides []string) bool { return len(paths) == 0 && !hasConfigPaths(overrides) }

// loadConfig loads the config files and overrides. NeMo Gym's run settings
// (input_jsonl_fpath, ...) given as overrides are settings of the command,
// not of the config, and are returned separately.
func (c *Command) loadConfig(paths []string, overrides []string) (*config.Config, error) {
	if len(paths) == 0 && !hasConfigPaths(overrides) {
		return nil, usagef("no config: give --config a.yaml,b.yaml (or \"+config_paths=[a.yaml,b.yaml]\")")
	}
	cfg, err := c.loader(paths, overrides).Load()
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

func hasConfigPaths(overrides []string) bool {
	for _, o := range overrides {
		if strings.HasPrefix(strings.TrimLeft(o, "+"), "config_paths=") {
			return true
		}
	}
	return false
}

// setting reads an optional top-level setting of the config; unset is zero.
func setting[T any](cfg *config.Config, key string) (T, bool, error) {
	var v T
	if _, err := cfg.Get(key); err != nil {
		var me *config.MissingError
		if errors.As(err, &me) {
			return v, false, nil
		}
		return v, false, usageError{err}
	}
	if err := cfg.Decode(key, &v); err != nil {
		return v, false, usageError{fmt.Errorf("%s: %w", key, err)}
	}
	return v, true, nil
}

// settingDst is one setting for readSettings: its key and where it goes.
type settingDst struct {
	key  string
	read func(cfg *config.Config) error
}

// into is the setting key read into *dst (see setting); a missing key
// leaves *dst as it is, so a default can be set first.
func into[T any](key string, dst *T) settingDst {
	return settingDst{key, func(cfg *config.Config) error {
		v, ok, err := setting[T](cfg, key)
		if err == nil && ok {
			*dst = v
		}
		return err
	}}
}

// readSettings reads each setting in order and stops at the first error.
func readSettings(cfg *config.Config, dsts ...settingDst) error {
	for _, d := range dsts {
		if err := d.read(cfg); err != nil {
			return err
		}
	}
	return nil
}
