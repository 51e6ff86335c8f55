package benchcpu_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gymkit/gym/internal/benchcpu"
)

// Latencies gives every index once, in order taken, and one latency per
// call, sorted.
func TestLatencies(t *testing.T) {
	var seen []int
	res := testing.Benchmark(func(b *testing.B) {
		seen = make([]int, b.N)
		lat := benchcpu.Latencies(b, func(i int) error {
			seen[i]++
			return nil
		})
		if len(lat) != b.N || !slices.IsSorted(lat) {
			b.Errorf("%d latencies for %d ops (sorted: %v)", len(lat), b.N, slices.IsSorted(lat))
		}
	})
	if res.N == 0 {
		t.Fatal("benchmark did not run")
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("index %d run %d times", i, n)
		}
	}
}

// An op's error fails the benchmark.
func TestLatenciesError(t *testing.T) {
	failed := false
	testing.Benchmark(func(b *testing.B) {
		benchcpu.Latencies(b, func(int) error { return errors.New("boom") })
		failed = b.Failed()
	})
	if !failed {
		t.Fatal("an op's error did not fail the benchmark")
	}
}
