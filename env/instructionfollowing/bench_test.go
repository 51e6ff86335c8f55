package instructionfollowing_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/internal/replaytest"
)

// BenchmarkVerifyReference verifies NeMo Gym's recorded rollouts (with
// their dataset fields restored) over and over, in parallel.
func BenchmarkVerifyReference(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "instruction_following", "data")
	reqs := replaytest.Requests(b, filepath.Join(data, "example_rollouts.jsonl"), filepath.Join(data, "example.jsonl"))
	for _, r := range reqs { // what the verifier writes is not the task's
		for _, name := range []string{"reward", "follow_all_instructions", "follow_instruction_list"} {
			r.Task.Delete(name)
		}
	}
	_, v, _ := instructionfollowing.New(instructionfollowing.Config{})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := v.Verify(context.Background(), reqs[i%len(reqs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
