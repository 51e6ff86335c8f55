package gym_test

import (
	"context"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// loadRun runs n single-tool-call rollouts at once with latency per model
// call (each rollout makes 2 calls): through HTTP/2 against the fake server
// when viaHTTP, else against the same slow policy in process. It returns
// the elapsed time and the peak heap growth.
func loadRun(tb testing.TB, n int, latency time.Duration, viaHTTP bool) (time.Duration, uint64) {
	tb.Helper()
	var m model.Model = model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		select {
		case <-time.After(latency):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return singletoolcall.Policy().Respond(ctx, req)
	})
	if viaHTTP {
		srv := gymtest.NewServer(gymtest.Policy(m), gymtest.WithHTTP2())
		defer srv.Close()
		var err error
		m, err = model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "fake", HTTPClient: srv.Client()})
		require.NoError(tb, err)
	}
	var reg gym.Registry
	require.NoError(tb, reg.Register(singletoolcall.AgentName, singletoolcall.Environment(m)))

	var rows []gym.Task
	for t, err := range gym.FromFile("testdata/singletoolcall.jsonl") {
		require.NoError(tb, err)
		rows = append(rows, t)
	}
	c := gym.Collector{Registry: &reg, DefaultAgent: singletoolcall.AgentName, Concurrency: n, Output: io.Discard}

	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if h := heapBytes(); h > peak.Load() {
					peak.Store(h)
				}
			case <-stop:
				return
			}
		}
	}()
	start := time.Now()
	done := 0
	for res, err := range c.Collect(context.Background(), cycle(rows[:4], n)) { // the 5th row asks no tool
		require.NoError(tb, err)
		require.NoError(tb, res.Err)
		done++
	}
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	require.Equal(tb, n, done)
	grow := uint64(0)
	if p := peak.Load(); p > base {
		grow = p - base
	}
	return elapsed, grow
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestManyInFlight keeps a thousand rollouts in flight through HTTP against
// a slow server; all must complete (BenchmarkInFlight runs 10,000 and 16,000).
func TestManyInFlight(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	elapsed, _ := loadRun(t, n, 100*time.Millisecond, true)
	t.Logf("%d rollouts in flight: %v", n, elapsed)
}

// BenchmarkInFlight runs N rollouts all in flight at once with 100 ms
// latency per model call, 2 calls per rollout — through HTTP/2 against the
// fake server (client and server in this one process), and in process — and
// reports throughput against the ideal (in flight / (latency × calls)) and
// the peak heap per in-flight rollout.
//
//	go test -run='^$' -bench=BenchmarkInFlight -benchtime=1x .
func BenchmarkInFlight(b *testing.B) {
	for _, tc := range []struct {
		n       int
		viaHTTP bool
	}{{10000, true}, {16000, true}, {10000, false}, {16000, false}} {
		name := "http/" + strconv.Itoa(tc.n)
		if !tc.viaHTTP {
			name = "inprocess/" + strconv.Itoa(tc.n)
		}
		n := tc.n
		b.Run(name, func(b *testing.B) {
			const latency = 100 * time.Millisecond
			var total time.Duration
			var grow uint64
			for range b.N {
				e, g := loadRun(b, n, latency, tc.viaHTTP)
				total += e
				grow = max(grow, g)
			}
			per := total / time.Duration(b.N)
			rate := float64(n) / per.Seconds()
			ideal := float64(n) / (latency.Seconds() * 2)
			b.ReportMetric(rate, "rollouts/s")
			b.ReportMetric(100*rate/ideal, "%ideal")
			b.ReportMetric(float64(grow)/float64(n)/1024, "KiB/inflight")
		})
	}
}
