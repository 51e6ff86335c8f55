package instructionfollowing_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// BenchmarkVerifyReference verifies NeMo Gym's recorded rollouts (with
// their dataset fields restored) over and over, in parallel.
func BenchmarkVerifyReference(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "instruction_following", "data")
	index, err := rollout.IndexByInput(rollout.ReadTasksFile(filepath.Join(data, "example.jsonl")))
	if err != nil {
		b.Fatal(err)
	}
	var reqs []*verifier.Request
	for _, task := range readReference(b, filepath.Join(data, "example_rollouts.jsonl")) {
		full, _, err := index.Complete(task.Task)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, &verifier.Request{Task: full, Response: task.Response})
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

func readReference(b *testing.B, path string) []*rollout.Result {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []*rollout.Result
	for r, err := range rollout.ReadResults(f, path) {
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"reward", "follow_all_instructions", "follow_instruction_list"} {
			r.Task.Delete(name)
		}
		out = append(out, r)
	}
	return out
}
