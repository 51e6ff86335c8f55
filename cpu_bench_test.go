package gym_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/rollout"
)

// reportCPU reports the CPU time per op since cpu0.
func reportCPU(b *testing.B, cpu0 time.Duration, n int) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n)/1e3, "cpu-µs/op")
}

// largeRow is a single-tool-call row carrying about 1 MB of extra fields
// (a long document the verifier does not read).
func largeRow(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/singletoolcall.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	doc := strings.Repeat(`lorem ipsum \"dolor\" sit amet, `, 1<<20/32)
	return append(append(bytes.TrimSuffix(bytes.TrimSpace(line), []byte("}")), `,"document":"`+doc+`"}`...), '\n')
}

// BenchmarkLargeRow runs one rollout of a row of about 1 MB read from
// JSONL, beside the cost of reading that row once (the same JSONL reader):
// the goal is a rollout at no more than twice the read.
//
//	go test -run='^$' -bench=BenchmarkLargeRow -benchmem .
func BenchmarkLargeRow(b *testing.B) {
	line := largeRow(b)
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			for _, err := range rollout.ReadTasks(bytes.NewReader(line), "large.jsonl") {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		reportCPU(b, cpu0, b.N)
	})
	b.Run("rollout", func(b *testing.B) {
		var reg gym.Registry
		if err := reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy())); err != nil {
			b.Fatal(err)
		}
		c := gym.Collector{Registry: &reg, DefaultAgent: singletoolcall.AgentName, Output: io.Discard, Failures: io.Discard}
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			for res, err := range c.Collect(context.Background(), rollout.ReadTasks(bytes.NewReader(line), "large.jsonl")) {
				if err != nil || res.Err != nil {
					b.Fatal(err, res.Err)
				}
			}
		}
		reportCPU(b, cpu0, b.N)
	})
}
