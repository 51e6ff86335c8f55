package env_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/httpjson"
)

// zeros is an endless body that costs its sender no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// postAll sends n concurrent POSTs of a size-byte body (declared, or
// chunked if !declare) and returns their statuses (0 for a request the
// server cut off before answering).
func postAll(t *testing.T, url string, n int, size int64, declare bool) []int {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, url, io.LimitReader(zeros{}, size))
			if err != nil {
				return
			}
			req.ContentLength = -1
			if declare {
				req.ContentLength = size
			}
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	return statuses
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// 16 concurrent 100 MB bodies that declare their length are refused before
// a byte is read: the server allocates next to nothing for them (reading
// each up to the 64 MB limit first took gigabytes).
func TestHandlerRefusesDeclaredOversizedBodiesUnread(t *testing.T) {
	ts, _ := serve(t, env.NewServer(), nil)
	var statuses []int
	alloc := allocated(func() { statuses = postAll(t, ts.URL+"/seed_session", 16, 100<<20, true) })
	for _, s := range statuses {
		require.Contains(t, []int{0, http.StatusRequestEntityTooLarge}, s)
	}
	require.Contains(t, statuses, http.StatusRequestEntityTooLarge)
	require.Less(t, alloc, uint64(32<<20), "bytes allocated (server and clients) for 16 refused 100 MB bodies")
}

// Bodies of unknown length are cut off at the limit as they stream, and
// the bodies read at once stay within the process's body budget: memory
// does not grow with the number of senders.
func TestHandlerBoundsConcurrentChunkedBodies(t *testing.T) {
	const limit = 1 << 20
	peak := httpjson.SetBodyLimitsForTest(t, 8*limit, httpjson.BodyGrace, httpjson.MinBodyRate)
	ts, _ := serve(t, env.NewServer(), nil, env.WithMaxBodyBytes(limit))
	var statuses []int
	alloc := allocated(func() { statuses = postAll(t, ts.URL+"/seed_session", 16, 100<<20, false) })
	for _, s := range statuses {
		require.Contains(t, []int{0, http.StatusRequestEntityTooLarge}, s)
	}
	require.Contains(t, statuses, http.StatusRequestEntityTooLarge)
	require.LessOrEqual(t, peak(), int64(8*limit), "bytes reserved for the bodies read at once (4 at a time)")
	require.Positive(t, peak())
	require.Less(t, alloc, uint64(16*3*limit+16<<20), "bytes allocated for 16 bodies cut off at 1 MB")
}

// A sender that trickles its body is dropped once it falls behind the
// minimum pace, not after minutes.
func TestHandlerDropsSlowSenders(t *testing.T) {
	httpjson.SetBodyLimitsForTest(t, httpjson.BodyBudget, 200*time.Millisecond, 1024)
	ts, _ := serve(t, env.NewServer(), nil)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /seed_session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	require.NoError(t, err)
	start := time.Now()
	stop := make(chan struct{})
	go func() { // half a byte a second, or as near as a test can wait
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(body))
	require.Contains(t, string(body), "too slowly")
	require.Less(t, time.Since(start), 5*time.Second)
}

// /aggregate_metrics is bounded in items: a list of millions of tiny
// objects is refused after the bound instead of costing seconds of CPU and
// gigabytes (16 MB of {} took 18 s and 6 GB).
func TestHandlerAggregateMetricsBounded(t *testing.T) {
	ts, _ := serve(t, env.NewServer(), nil)
	body := `{"verify_responses":[` + strings.Repeat(`{},`, 1<<20) + `{}]}`
	r := do(t, ts, http.MethodPost, "/aggregate_metrics", body)
	requireError(t, r, http.StatusRequestEntityTooLarge, "more than 100000 items", "batches")

	ok := `{"verify_responses":[` + strings.Repeat(`{"reward":1.0},`, 999) + `{"reward":0.0}]}`
	r = do(t, ts, http.MethodPost, "/aggregate_metrics", ok)
	require.Equal(t, http.StatusOK, r.status, r.body[:min(len(r.body), 300)])
	require.Contains(t, r.body, `"mean/reward":0.999`)
}
