package mathjudge_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// BenchmarkVerifyRecorded verifies NeMo Gym's recorded math_with_judge
// rollouts (judge off, as in its config) on all cores and reports the
// 99th-percentile latency.
//
//	go test ./env/mathjudge -run '^$' -bench . -benchtime 2000x -cpu 2
func BenchmarkVerifyRecorded(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "math_with_judge", "data")
	var reqs []*verifier.Request
	questions := map[string]string{}
	for row, err := range rollout.ReadTasksFile(filepath.Join(data, "example.jsonl")) {
		if err != nil {
			b.Fatal(err)
		}
		questions[row.String("expected_answer")] = row.String("question")
	}
	for row, err := range rollout.ReadTasksFile(filepath.Join(data, "example_rollouts.jsonl")) {
		if err != nil {
			b.Fatal(err)
		}
		var resp rollout.Response
		if err := row.Decode("response", &resp); err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, &verifier.Request{Task: task(b, questions[row.String("expected_answer")], row.String("expected_answer")), Response: &resp})
	}
	v := newVerifier(b, nil)
	cpu0 := benchcpu.Now()
	b.ResetTimer()
	lat := benchcpu.Latencies(b, func(i int) error {
		_, err := v.Verify(context.Background(), reqs[i%len(reqs)])
		return err
	})
	b.StopTimer()
	benchcpu.ReportLatency(b, lat, "verifies")
	benchcpu.ReportPerCore(b, cpu0, "verifies")
}
