package rollout_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

// BenchmarkParseTask parses a row of the multi-step example (~11 KB: a long
// system prompt, tools, expected values).
func BenchmarkParseTask(b *testing.B) {
	line := refLines(b, multiStepTasks)[0]
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rollout.ParseTask(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseResult parses a multi-step output row (~15 KB, 8 items).
func BenchmarkParseResult(b *testing.B) {
	line := refLines(b, "resources_servers/example_multi_step/data/example_rollouts.jsonl")[0]
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rollout.ParseResult(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResultAppendJSON writes a multi-step output row with verifier
// fields and reward components, into a reused buffer as the Writer does.
func BenchmarkResultAppendJSON(b *testing.B) {
	line := refLines(b, "resources_servers/example_multi_step/data/example_rollouts.jsonl")[0]
	res, err := rollout.ParseResult(line)
	require.NoError(b, err)
	res.Agent = "example_multi_step_simple_agent"
	res.TaskIndex, res.RolloutIndex = 3, 1
	res.Fields.Set("accuracy", []byte("true"))
	res.Fields.Set("set_overlap", rollout.Float(0.75))
	res.Rewards = map[string]float64{"accuracy": 1, "order": 0.5}
	require.Greater(b, len(res.Response.Output), 2)
	buf := res.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = res.AppendJSON(buf[:0])
	}
}
