package cli

import (
	"fmt"
	"os"
)

// aggregate computes the metrics of a rollouts file.
func (c *Command) aggregate(args []string) error {
	fs := newFlags(c, "aggregate", "gym aggregate --input rollouts.jsonl[,more.jsonl] [--output metrics.json]")
	var inputs listFlag
	fs.Var(&inputs, "input", "rollouts JSONL; several (comma-separated or repeated), e.g. the outputs of shards, are merged")
	output := fs.String("output", "", "write the metrics JSON here (default: print them)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usagef("need --input")
	}
	m, err := metricsOf(inputs...)
	if err != nil {
		return err
	}
	if *output == "" {
		_, err := c.Stdout.Write(m.JSON())
		return err
	}
	if err := os.WriteFile(*output, m.JSON(), 0o644); err != nil {
		return err
	}
	printMetrics(c.Stdout, m)
	fmt.Fprintf(c.Stdout, "wrote %s\n", *output)
	return nil
}
