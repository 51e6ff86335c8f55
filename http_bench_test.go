package gym_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/model"
)

// countingClient is an HTTP client with keep-alive connections for many
// concurrent requests, counting the requests it sends.
func countingClient(n *atomic.Int64) *http.Client {
	t := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return t.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkHTTPCollect compares, in one run, single-tool-call rollouts
// collected in process, the same rollouts with every hop over HTTP on
// loopback as NeMo Gym runs them (collector → agent /run → resources
// /seed_session, tools, /verify and model /v1/responses), and a bare
// net/http echo server, the limit of any HTTP hop on this machine.
//
//	go test -run='^$' -bench=BenchmarkHTTPCollect -benchmem .
func BenchmarkHTTPCollect(b *testing.B) {
	rows := loadRows(b, "testdata/singletoolcall.jsonl")
	const concurrency = 64

	b.Run("inprocess", func(b *testing.B) {
		var reg gym.Registry
		if err := reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy())); err != nil {
			b.Fatal(err)
		}
		runCollect(b, &reg, rows, concurrency)
	})

	b.Run("http", func(b *testing.B) {
		var requests atomic.Int64
		client := countingClient(&requests)
		modelSrv := httptest.NewServer(model.Handler(singletoolcall.Policy()))
		defer modelSrv.Close()
		resHandler := env.NewHandler(singletoolcall.NewServer(), singletoolcall.NewVerifier())
		defer resHandler.Close()
		resSrv := httptest.NewServer(resHandler)
		defer resSrv.Close()
		m, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: modelSrv.URL + "/v1", Model: "m", HTTPClient: client})
		if err != nil {
			b.Fatal(err)
		}
		remoteRes := env.NewRemote(resSrv.URL, env.WithHTTPClient(client))
		agentSrv := httptest.NewServer(agent.Handler(&agent.Simple{Model: m, Resources: remoteRes, Verifier: remoteRes.Verifier()}))
		defer agentSrv.Close()
		var reg gym.Registry
		if err := reg.Register(singletoolcall.AgentName, gym.Environment{Agent: agent.NewRemote(agentSrv.URL, agent.WithHTTPClient(client))}); err != nil {
			b.Fatal(err)
		}
		requests.Store(0)
		runCollect(b, &reg, rows, concurrency)
		b.ReportMetric(float64(requests.Load())/float64(b.N), "requests/rollout")
	})

	b.Run("echo", func(b *testing.B) {
		echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		defer echo.Close()
		var n atomic.Int64
		client := countingClient(&n)
		body := []byte(`{"responses_create_params":{"input":"what's the weather in sf?"}}`)
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		var next atomic.Int64
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					resp, err := client.Post(echo.URL, "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
	})
}

func loadRows(b *testing.B, path string) []gym.Task {
	var rows []gym.Task
	for t, err := range gym.FromFile(path) {
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, t.WithAgent(singletoolcall.AgentName))
	}
	return rows[:4] // the fifth asks no tool
}

func runCollect(b *testing.B, reg *gym.Registry, rows []gym.Task, concurrency int) {
	c := gym.Collector{Registry: reg, Concurrency: concurrency, Output: io.Discard}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	for res, err := range c.Collect(context.Background(), cycle(rows, b.N)) {
		if err != nil || res.Err != nil {
			b.Fatal(err, res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rollouts/s")
	reportCPU(b, cpu0, b.N)
}
