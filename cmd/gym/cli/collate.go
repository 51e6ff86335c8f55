package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gymkit/gym/rollout"
)

// collate is the step that tags each dataset with its agent_ref and merges
// them (NeMo Gym's jq step), validating every row.
func (c *Command) collate(args []string) error {
	fs := newFlags(c, "collate", "gym collate --input a.jsonl:AGENT_A --input b.jsonl:AGENT_B --output merged.jsonl")
	var inputs listFlag
	fs.Var(&inputs, "input", "dataset and the agent for its rows, PATH:AGENT (repeat the flag for each dataset)")
	output := fs.String("output", "", "merged dataset JSONL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(inputs) == 0 || *output == "" {
		return usagef("need at least one --input PATH:AGENT and --output")
	}
	type source struct{ path, agent string }
	var sources []source
	for _, in := range inputs {
		i := strings.LastIndexByte(in, ':')
		if i <= 0 || i == len(in)-1 {
			return usagef("--input %q: want PATH:AGENT", in)
		}
		if _, err := os.Stat(in[:i]); err != nil { // before the output is truncated
			return usagef("--input %q: %w", in, err)
		}
		sources = append(sources, source{in[:i], in[i+1:]})
	}
	if err := os.MkdirAll(filepath.Dir(*output), 0o755); err != nil {
		return err
	}
	f, err := os.Create(*output)
	if err != nil {
		return err
	}
	defer f.Close()
	w := rollout.NewWriter(f)
	bad := 0
	for _, src := range sources {
		n := 0
		for t, err := range rollout.ReadTasksFile(src.path) {
			var le *rollout.LineError
			switch {
			case errors.As(err, &le):
				fmt.Fprintf(c.Stderr, "gym collate: skipped %v\n", err)
				bad++
				continue
			case err != nil:
				return err
			}
			if err := w.Write(t.WithAgent(src.agent)); err != nil {
				return err
			}
			n++
		}
		fmt.Fprintf(c.Stdout, "%s: %d rows for %s\n", src.path, n, src.agent)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "wrote %d rows to %s\n", w.Lines(), *output)
	if bad > 0 {
		return failuresError{fmt.Errorf("%d invalid rows were skipped", bad)}
	}
	return nil
}
