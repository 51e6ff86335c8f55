package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
)

// Legacy maps NeMo Gym's legacy command names (ng_run, nemo_gym_run, ...;
// the prefix stripped) to the gym command they became, as NeMo Gym's
// nemo_gym/cli/legacy.py does. Targets gym does not have are listed too, so
// that such a call says what it became.
var Legacy = map[string][]string{
	"run":                          {"env", "start"},
	"test":                         {"env", "test"},
	"test_all":                     {"env", "test"},
	"dev_test":                     {"dev", "test"},
	"init_resources_server":        {"env", "init"},
	"list_benchmarks":              {"list", "benchmarks"},
	"prepare_benchmark":            {"eval", "prepare"},
	"collect_rollouts":             {"eval", "run", "--no-serve"},
	"e2e_collect_rollouts":         {"eval", "run"},
	"aggregate_rollouts":           {"eval", "aggregate"},
	"materialize_prompts":          {"dataset", "render"},
	"reward_profile":               {"eval", "profile"},
	"upload_dataset_to_gitlab":     {"dataset", "upload", "--storage", "gitlab"},
	"download_dataset_from_gitlab": {"dataset", "download", "--storage", "gitlab"},
	"prepare_data":                 {"dataset", "collate"},
	"upload_dataset_to_hf":         {"dataset", "upload"},
	"download_dataset_from_hf":     {"dataset", "download"},
	"gitlab_to_hf_dataset":         {"dataset", "migrate"},
	"delete_dataset_from_gitlab":   {"dataset", "rm"},
	"dump_config":                  {"env", "resolve"},
	"validate":                     {"env", "validate"},
	"help":                         {"--help"},
	"status":                       {"env", "status"},
	"pip_list":                     {"env", "packages"},
	"version":                      {"--version"},
}

// legacyArgs maps a call by a legacy name (the program's base name) to the
// gym command line it stands for, with NeMo Gym's one-line deprecation
// notice. ok is false for a name that is not a legacy name (gym, ng, or
// anything else), whose args are used as they are.
func legacyArgs(prog string, args []string) (out []string, notice string, ok bool) {
	prog = strings.TrimSuffix(filepath.Base(prog), ".exe")
	key, cut := strings.CutPrefix(prog, "ng_")
	if !cut {
		if key, cut = strings.CutPrefix(prog, "nemo_gym_"); !cut {
			return args, "", false
		}
	}
	tokens, known := Legacy[key]
	if !known {
		return nil, fmt.Sprintf("⚠  `%s` has no known `gym` equivalent. Run `gym --help` to see available commands.", prog), true
	}
	notice = fmt.Sprintf("⚠  `%s` is deprecated and will be removed in a future release; use `gym %s` instead.", prog, strings.Join(tokens, " "))
	return append(slices.Clone(tokens), args...), notice, true
}

// legacyNames are the names install-aliases makes: ng, then every legacy
// name with both prefixes.
func legacyNames() []string {
	names := []string{"ng"}
	keys := make([]string, 0, len(Legacy))
	for k := range Legacy {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		names = append(names, "ng_"+k, "nemo_gym_"+k)
	}
	return names
}

// installAliases makes NeMo Gym's command names in DIR as symbolic links
// to this program, so that scripts calling ng_run or ng_collect_rollouts run
// gym.
func (c *Command) installAliases(args []string) error {
	fs := newFlags(c, "install-aliases", "gym install-aliases [--force] DIR")
	force := fs.Bool("force", false, "replace files of those names in DIR")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usagef("need one directory: gym install-aliases DIR (for example ~/.local/bin)")
	}
	dir := fs.Arg(0)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	made := 0
	for _, n := range legacyNames() {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err == nil {
			if !*force {
				return usagef("%s exists (pass --force to replace it)", absPath(p))
			}
			if err := os.Remove(p); err != nil {
				return err
			}
		}
		if err := os.Symlink(exe, p); err != nil {
			return err
		}
		made++
	}
	fmt.Fprintf(c.Stdout, "made %d links to %s in %s (ng, ng_run, ng_collect_rollouts, ...)\n", made, exe, absPath(dir))
	return nil
}

// versionData is what gym --version --json prints.
type versionData struct {
	Version  string            `json:"gym"`
	Go       string            `json:"go"`
	Revision string            `json:"revision,omitempty"`
	Module   string            `json:"module"`
	Deps     map[string]string `json:"dependencies"`
	System   map[string]any    `json:"system"`
}

func versionInfo() versionData {
	v := versionData{Version: "(devel)", Go: runtime.Version(), Module: "github.com/gymkit/gym",
		Deps: map[string]string{}, System: map[string]any{"os": runtime.GOOS, "architecture": runtime.GOARCH, "cpus": runtime.NumCPU()}}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v.Revision = s.Value
			}
		}
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "github.com/openai/openai-go") {
				v.Deps["openai-go"] = d.Version
			}
		}
	}
	return v
}
