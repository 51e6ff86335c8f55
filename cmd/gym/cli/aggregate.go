package cli

import (
	"fmt"
	"os"
)

// aggregate computes the metrics of a rollouts file.
func (c *Command) aggregate(args []string) error {
	fs := newFlags(c, "aggregate", "gym aggregate --input rollouts.jsonl [--output metrics.json]")
	input := fs.String("input", "", "rollouts JSONL")
	output := fs.String("output", "", "write the metrics JSON here (default: print them)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *input == "" {
		return usagef("need --input")
	}
	m, err := metricsOf(*input)
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
