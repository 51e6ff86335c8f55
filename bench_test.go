package gym_test

import (
	"context"
	"io"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// BenchmarkCollect measures whole rollouts (seed, model calls with the full
// history, tool calls, verify, JSONL encoding) with zero-latency scripted
// policies, rows in memory and output to io.Discard. One op is one rollout.
//
//	go test -run='^$' -bench=BenchmarkCollect -benchmem .
func BenchmarkCollect(b *testing.B) {
	data := reftest.Dir(b)
	cases := []struct {
		name    string
		dataset string
		agent   string
		env     func(model.Model) gym.Environment
		policy  model.Model
	}{
		{"singletoolcall", "example_single_tool_call", singletoolcall.AgentName, singletoolcall.Environment, singletoolcall.Policy()},
		{"multistep", "example_multi_step", multistep.AgentName, multistep.Environment, multistep.Policy()},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var rows []gym.Task
			for t, err := range gym.FromFile(filepath.Join(data, "resources_servers", tc.dataset, "data", "example.jsonl")) {
				if err != nil {
					b.Fatal(err)
				}
				rows = append(rows, t)
			}
			var reg gym.Registry
			if err := reg.Register(tc.agent, tc.env(tc.policy)); err != nil {
				b.Fatal(err)
			}
			c := gym.Collector{Registry: &reg, DefaultAgent: tc.agent, Output: io.Discard, Failures: io.Discard}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			n := 0
			for res, err := range c.Collect(context.Background(), cycle(rows, b.N)) {
				if err != nil || res.Err != nil {
					b.Fatal(err, res.Err)
				}
				n++
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rollouts/s")
			reportCPU(b, cpu0, n)
		})
	}
}

func cycle(rows []gym.Task, n int) iter.Seq2[gym.Task, error] {
	return func(yield func(rollout.Task, error) bool) {
		for i := range n {
			if !yield(rows[i%len(rows)], nil) {
				return
			}
		}
	}
}
