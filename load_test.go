package gym_test

import (
	"context"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// loadRun runs n single-tool-call rollouts at once with latency per model
// call (each rollout makes 2 calls): through HTTP/2 against the fake server
// when viaHTTP, else against the same slow policy in process. It returns
// the elapsed time, the peak heap growth, the CPU time taken and how long
// after the start the last rollout made its first model call.
func loadRun(tb testing.TB, n int, latency time.Duration, viaHTTP bool) (time.Duration, uint64, time.Duration, time.Duration) {
	tb.Helper()
	var firstCalls atomic.Int64 // rollouts that made their first model call
	var lastFirst atomic.Int64  // when the last of them made it (ns since start)
	var startNS atomic.Int64
	// The model stands for a policy served elsewhere: it answers after
	// latency, and what it answers is the scripted policy's answer for the
	// row and turn, worked out once and then copied, so that the CPU
	// measured is the collection's, not the script's reading of the text.
	policy := singletoolcall.Policy()
	var canned sync.Map // [task index, turn] → output items
	answer := func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		if req.ID.IsZero() {
			return policy.Respond(ctx, req)
		}
		key := [2]int{req.ID.Task, len(req.Input)}
		if v, ok := canned.Load(key); ok {
			items := v.([]rollout.Item)
			out := make([]rollout.Item, len(items))
			for i, it := range items {
				out[i] = it.Clone()
			}
			return model.NewResponse(out...), nil
		}
		resp, err := policy.Respond(ctx, req)
		if err == nil {
			canned.Store(key, resp.Output)
		}
		return resp, err
	}
	var m model.Model = model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		if len(req.Input) <= 2 && firstCalls.Add(1) == int64(n) { // the seed's messages only: a first call
			lastFirst.Store(time.Now().UnixNano() - startNS.Load())
		}
		// time.Sleep uses the goroutine's own timer: no timer and channel
		// per call in the measure. No call is cancelled here, and one
		// that were would only wait out its latency.
		time.Sleep(latency)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return answer(ctx, req)
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
	startNS.Store(start.UnixNano())
	cpu0 := cpuTime()
	done := 0
	for res, err := range c.Collect(context.Background(), cycle(rows[:4], n)) { // the 5th row asks no tool
		require.NoError(tb, err)
		require.NoError(tb, res.Err)
		done++
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	<-sampled
	require.Equal(tb, n, done)
	grow := uint64(0)
	if p := peak.Load(); p > base {
		grow = p - base
	}
	return elapsed, grow, cpu, time.Duration(lastFirst.Load())
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
	elapsed, _, _, _ := loadRun(t, n, 100*time.Millisecond, true)
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
			var total, cpu, lastFirst time.Duration
			var grow uint64
			for range b.N {
				e, g, c, f := loadRun(b, n, latency, tc.viaHTTP)
				total += e
				grow = max(grow, g)
				cpu += c
				lastFirst = max(lastFirst, f)
			}
			per := total / time.Duration(b.N)
			rate := float64(n) / per.Seconds()
			ideal := float64(n) / (latency.Seconds() * 2)
			b.ReportMetric(rate, "rollouts/s")
			b.ReportMetric(100*rate/ideal, "%ideal")
			b.ReportMetric(float64(grow)/float64(n)/1024, "KiB/inflight")
			b.ReportMetric(float64(cpu)/float64(n*b.N)/1e3, "cpu-µs/rollout")
			b.ReportMetric(float64(lastFirst)/1e6, "ms-to-last-first-call")
		})
	}
}

// BenchmarkStart10k measures what starting a rollout costs the Collector:
// 10,000 rows (the single-tool-call rows, cycled) read, planned, stamped
// and handed to an agent, all in flight together. The agent holds every
// rollout until the last has started, then answers at once. It reports
// the CPU time until the 10,000th rollout started (the goal: ≤ 40 ms) and
// the CPU time of the whole collection, no output written.
//
//	go test -run='^$' -bench=BenchmarkStart10k -benchmem .
func BenchmarkStart10k(b *testing.B) {
	const n = 10000
	var rows []gym.Task
	for t, err := range gym.FromFile("testdata/singletoolcall.jsonl") {
		require.NoError(b, err)
		rows = append(rows, t)
	}
	var started atomic.Int64
	var cpuStart atomic.Int64
	var cpu0 time.Duration
	var all chan struct{}
	var reg gym.Registry
	require.NoError(b, reg.Register("held", gym.Environment{Agent: agent.Func(func(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
		if started.Add(1) == n {
			cpuStart.Store(int64(cpuTime() - cpu0))
			close(all)
		}
		<-all
		return &rollout.Result{Reward: 1}, nil
	})}))
	c := gym.Collector{Registry: &reg, DefaultAgent: "held", Concurrency: n}
	b.ReportAllocs()
	var total, toStart time.Duration
	for b.Loop() {
		started.Store(0)
		all = make(chan struct{})
		cpu0 = cpuTime()
		done := 0
		for res, err := range c.Collect(context.Background(), cycle(rows, n)) {
			if err != nil || res.Err != nil {
				b.Fatal(err, res.Err)
			}
			done++
		}
		total += cpuTime() - cpu0
		toStart += time.Duration(cpuStart.Load())
		require.Equal(b, n, done)
	}
	b.ReportMetric(float64(toStart)/float64(b.N)/1e6, "cpu-ms-to-start-10k")
	b.ReportMetric(float64(total)/float64(b.N)/1e6, "cpu-ms/10k")
}
