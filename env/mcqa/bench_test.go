package mcqa_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env/mcqa"
	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// recorded returns NeMo Gym's recorded rollouts as verify requests, their
// task fields completed from the dataset.
func recorded(b *testing.B, rollouts, dataset string) []*verifier.Request {
	b.Helper()
	index, err := rollout.IndexByInput(rollout.ReadTasksFile(dataset))
	require.NoError(b, err)
	f, err := os.Open(rollouts)
	require.NoError(b, err)
	defer f.Close()
	var reqs []*verifier.Request
	for res, err := range rollout.ReadResults(f, rollouts) {
		require.NoError(b, err)
		task, found, err := index.Complete(res.Task)
		require.NoError(b, err)
		require.True(b, found)
		reqs = append(reqs, &verifier.Request{Task: task, Response: res.Response})
	}
	return reqs
}

// BenchmarkVerify verifies NeMo Gym's recorded mcqa rollouts (both
// recordings), on every core; verifies/s is the throughput.
func BenchmarkVerify(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "mcqa", "data")
	reqs := append(recorded(b, filepath.Join(data, "example_rollouts.jsonl"), filepath.Join(data, "example.jsonl")),
		recorded(b, filepath.Join(data, "example_rollouts_with_template_metadata.jsonl"), filepath.Join(data, "example_with_template_metadata.jsonl"))...)
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
