package mcqa_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env/mcqa"
	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/internal/replaytest"
)

// BenchmarkVerify verifies NeMo Gym's recorded mcqa rollouts (both
// recordings), on every core; verifies/s is the throughput.
func BenchmarkVerify(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "mcqa", "data")
	reqs := append(replaytest.Requests(b, filepath.Join(data, "example_rollouts.jsonl"), filepath.Join(data, "example.jsonl")),
		replaytest.Requests(b, filepath.Join(data, "example_rollouts_with_template_metadata.jsonl"), filepath.Join(data, "example_with_template_metadata.jsonl"))...)
	_, v, err := mcqa.New(mcqa.Config{})
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := benchcpu.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := v.Verify(ctx, reqs[i%len(reqs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	benchcpu.Report(b, cpu, "verifies")
}
