package structuredoutputs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env/structuredoutputs"
	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func requests(b *testing.B, rollouts, dataset string) []*verifier.Request {
	b.Helper()
	var index *rollout.InputIndex
	if dataset != "" {
		var err error
		index, err = rollout.IndexByInput(rollout.ReadTasksFile(dataset))
		require.NoError(b, err)
	}
	f, err := os.Open(rollouts)
	require.NoError(b, err)
	defer f.Close()
	var reqs []*verifier.Request
	for res, err := range rollout.ReadResults(f, rollouts) {
		require.NoError(b, err)
		task := res.Task
		if index != nil {
			var found bool
			task, found, err = index.Complete(task)
			require.NoError(b, err)
			require.True(b, found)
		}
		reqs = append(reqs, &verifier.Request{Task: task, Response: res.Response})
	}
	return reqs
}

// run verifies reqs round-robin on every core and reports verifies/s, the
// CPU time per verify and the verifies per second two cores give at that
// cost (on a shared machine the wall-clock figure counts the time other
// processes hold the cores). fresh builds a new verifier (an empty schema
// cache) for every verify.
func run(b *testing.B, reqs []*verifier.Request, fresh bool) {
	_, v, err := structuredoutputs.New(structuredoutputs.Config{})
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	start := benchcpu.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			vv := v
			if fresh {
				_, vv, _ = structuredoutputs.New(structuredoutputs.Config{})
			}
			if _, err := vv.Verify(ctx, reqs[i%len(reqs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	benchcpu.Report(b, start, "verifies")
}

// BenchmarkVerifyRecorded verifies NeMo Gym's recorded rollouts (with their
// original schemas when GYM_NEMO_GYM_GIT names a NeMo Gym clone, see
// recordedDataset).
func BenchmarkVerifyRecorded(b *testing.B) {
	rollouts := reftest.Path(b, "resources_servers", "structured_outputs", "data", "example_rollouts.jsonl")
	dataset, _ := recordedDataset(b, rollouts)
	reqs := requests(b, rollouts, dataset)
	b.Run("cached", func(b *testing.B) { run(b, reqs, false) })
	b.Run("uncached", func(b *testing.B) { run(b, reqs, true) })
}

// BenchmarkVerifyOwn verifies the project's example rollouts: every format
// and tool calls, with real schemas.
func BenchmarkVerifyOwn(b *testing.B) {
	reqs := requests(b, filepath.Join("..", "..", "testdata", "structured_outputs", "example_rollouts.jsonl"), "")
	b.Run("cached", func(b *testing.B) { run(b, reqs, false) })
	b.Run("uncached", func(b *testing.B) { run(b, reqs, true) })
}
