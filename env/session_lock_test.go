package env_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// ledger is a state that keeps its counts in a plain map, with no lock, as
// an environment author writes it when the calls of a session come one at
// a time. inFlight catches two calls running at once even where the map
// would survive them.
type ledger struct {
	counts   map[string]int
	inFlight atomic.Int32
	overlaps atomic.Int32
}

type bumpArgs struct {
	Key string `json:"key"`
}

func ledgerEnv() (*env.Server, verifier.Verifier) {
	srv := env.NewServer(env.NewStateTool("bump", "Count one for key.",
		func(_ context.Context, l *ledger, in bumpArgs) (map[string]int, error) {
			if l.inFlight.Add(1) > 1 {
				l.overlaps.Add(1)
			}
			defer l.inFlight.Add(-1)
			l.counts[in.Key]++
			l.counts["total"]++
			return map[string]int{"n": l.counts[in.Key]}, nil
		}))
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &ledger{counts: map[string]int{}}, nil }
	v := verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		l, ok := env.StateOf[*ledger](req.Session)
		if !ok {
			return nil, fmt.Errorf("no ledger")
		}
		l.counts["verified"]++
		return verifier.Reward(float64(l.counts["total"])).Set("overlaps", int(l.overlaps.Load())), nil
	})
	return srv, v
}

// Over HTTP, 1,000 concurrent calls on one session of an environment whose
// state is an unlocked map run one at a time, as in process: no call
// overlaps another, none is lost, and verify sees them all.
func TestHandlerSerializesSessionCalls(t *testing.T) {
	srv, v := ledgerEnv()
	ts, _ := serve(t, srv, v)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	remote := env.NewRemote(ts.URL, env.WithHTTPClient(&http.Client{Transport: tr}))
	ctx := t.Context()
	sess, err := remote.Seed(ctx, rollout.Task{Object: mustObject(t, `{"responses_create_params":{"input":"x"}}`)})
	require.NoError(t, err)

	const calls = 1000
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		wg.Go(func() {
			out, err := sess.CallTool(ctx, "bump", json.RawMessage(fmt.Sprintf(`{"key":"k%d"}`, i%7)))
			if err == nil && out[0] != '{' {
				err = fmt.Errorf("output %s", out)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	verdict, err := remote.Verifier().Verify(ctx, &verifier.Request{
		Task:     rollout.Task{Object: mustObject(t, `{"responses_create_params":{"input":"x"}}`)},
		Response: &rollout.Response{}, Session: sess})
	require.NoError(t, err)
	require.Equal(t, float64(calls), verdict.Reward, "every call counted")
	overlaps, _ := verdict.Fields.Get("overlaps")
	require.JSONEq(t, "0", string(overlaps), "no two calls of the session ran at once")
}

// The wait for a session's turn is bounded: beyond the queue bound a call
// is answered 429 (retryable), and a call whose deadline passes while it
// waits gives up.
func TestHandlerSessionQueueBound(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 8)
	srv := env.NewServer(env.NewTool("slow", "Wait.", func(ctx context.Context, _ struct{}) (string, error) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return "done", nil
	}))
	ts, _ := serve(t, srv, nil, env.WithSessionQueue(2))
	seed := do(t, ts, http.MethodPost, "/seed_session", `{"responses_create_params":{"input":"x"}}`)
	cookies := seed.cookies

	post := func(ctx context.Context) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/slow", strings.NewReader(`{}`))
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	wg.Go(func() { s, _ := post(t.Context()); statuses <- s })
	<-started // the first runs
	wg.Go(func() {
		for { // the second waits; it is refused (and retries) while a probe holds its place
			s, _ := post(t.Context())
			if s != http.StatusTooManyRequests {
				statuses <- s
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	// A probe that finds a free place in the queue waits and gives up at
	// its deadline; once both places are taken, it is refused at once.
	var body string
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		var status int
		status, body = post(ctx)
		return status == http.StatusTooManyRequests
	}, 5*time.Second, time.Millisecond, "the third call finds the queue full")
	require.Contains(t, body, `"retryable":true`)
	require.Contains(t, body, "one at a time")

	// A waiting call gives up at its deadline.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	remote := env.NewRemote(ts.URL)
	rs, err := remote.Seed(t.Context(), rollout.Task{Object: mustObject(t, `{"responses_create_params":{"input":"x"}}`)})
	require.NoError(t, err)
	wg.Go(func() { _, _ = rs.CallTool(t.Context(), "slow", json.RawMessage(`{}`)) })
	<-started
	_, err = rs.CallTool(ctx, "slow", json.RawMessage(`{}`))
	require.Error(t, err)
	require.Equal(t, rollout.FailTimeout, rollout.AsFailure(err).Class)

	close(release)
	wg.Wait()
	close(statuses)
	require.Len(t, statuses, 2)
	for s := range statuses {
		require.Equal(t, http.StatusOK, s)
	}
}

func mustObject(t *testing.T, s string) rollout.Object {
	t.Helper()
	o, err := rollout.ParseObject([]byte(s))
	require.NoError(t, err)
	return o
}

// /verify waits for the session's running tool call, and a call that was
// waiting behind /verify finds the session closed.
func TestHandlerVerifyWaitsForTools(t *testing.T) {
	release := make(chan struct{})
	running := make(chan struct{}, 1)
	var order []string
	var mu sync.Mutex
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	srv := env.NewServer(env.NewTool("slow", "Wait.", func(ctx context.Context, _ struct{}) (string, error) {
		running <- struct{}{}
		<-release
		note("tool")
		return "done", nil
	}))
	v := verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
		note("verify")
		return verifier.Reward(1), nil
	})
	ts, _ := serve(t, srv, v)
	seed := do(t, ts, http.MethodPost, "/seed_session", `{"responses_create_params":{"input":"x"}}`)
	var wg sync.WaitGroup
	var toolStatus, verifyStatus int
	wg.Go(func() { toolStatus = post(ts, "/slow", `{}`, seed.cookies) })
	<-running
	wg.Go(func() {
		verifyStatus = post(ts, "/verify", `{"responses_create_params":{"input":"x"},"response":{"output":[]}}`, seed.cookies)
	})
	time.Sleep(50 * time.Millisecond) // let /verify queue behind the tool
	close(release)
	wg.Wait()
	require.Equal(t, http.StatusOK, toolStatus)
	require.Equal(t, http.StatusOK, verifyStatus)
	require.Equal(t, []string{"tool", "verify"}, order, "verify ran after the tool call it found running")
	r := do(t, ts, http.MethodPost, "/slow", `{}`, seed.cookies...)
	requireError(t, r, http.StatusBadRequest, "session")
}

// post sends one request from any goroutine and returns its status (0 if
// it failed).
func post(ts *httptest.Server, path, body string, cookies []*http.Cookie) int {
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(body))
	if err != nil {
		return 0
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
