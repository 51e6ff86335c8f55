package env_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// The Handler owns a sweeper goroutine and the tests start HTTP servers:
// none may outlive its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tally is a rollout's state: the row's id and a running total. It records
// its Close.
type tally struct {
	ID     string
	mu     sync.Mutex
	Total  int
	closed atomic.Int32
}

func (s *tally) Close() error {
	s.closed.Add(1)
	return nil
}

type tallyArgs struct {
	N int `json:"n"`
}

type tallyOut struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

// tallyServer returns a Server with a *tally state per rollout (recorded in
// states by row id, if states is set) and the tools add, fail (an ordinary
// tool error) and boom (a panic).
func tallyServer(states *sync.Map) *env.Server {
	srv := env.NewServer(
		env.NewStateTool("add", "Add n to the total.", func(_ context.Context, s *tally, in tallyArgs) (tallyOut, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.Total += in.N
			return tallyOut{ID: s.ID, Total: s.Total}, nil
		}),
		env.NewTool("fail", "Always fails.", func(context.Context, struct{}) (struct{}, error) {
			return struct{}{}, errors.New("no luck")
		}),
		env.NewTool("boom", "Panics.", func(context.Context, struct{}) (struct{}, error) {
			panic("kaboom")
		}),
	)
	srv.NewState = func(_ context.Context, task rollout.Task) (any, error) {
		s := &tally{ID: task.String("id")}
		if states != nil {
			states.Store(s.ID, s)
		}
		return s, nil
	}
	return srv
}

// tallyVerifier rewards the session's total; without a session it answers
// reward 0 and stateless: true.
func tallyVerifier() verifier.Verifier {
	return verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		if req.Session == nil {
			return verifier.Reward(0).Set("stateless", true), nil
		}
		s, ok := env.StateOf[*tally](req.Session)
		if !ok {
			return nil, fmt.Errorf("the session is a %T without a tally", req.Session)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return verifier.Reward(float64(s.Total)).Set("state_id", s.ID).Set("open_during_verify", s.closed.Load() == 0), nil
	})
}

func tallyRow(id string) string {
	return `{"responses_create_params": {"input": "count"}, "id": "` + id + `"}`
}

// serve starts an HTTP server for NewHandler(srv, v, opts...); both are
// closed at the end of the test.
func serve(t *testing.T, srv env.ResourcesServer, v verifier.Verifier, opts ...env.HandlerOption) (*httptest.Server, *env.Handler) {
	t.Helper()
	h := env.NewHandler(srv, v, opts...)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		require.NoError(t, h.Close())
	})
	return ts, h
}

type reply struct {
	status  int
	body    string
	header  http.Header
	cookies []*http.Cookie
}

// do sends one request with the cookies and reads the answer.
func do(t *testing.T, ts *httptest.Server, method, path, body string, cookies ...*http.Cookie) reply {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, body: string(b), header: resp.Header, cookies: resp.Cookies()}
}

// requireError checks an error answer: status, JSON content type, and an
// {"error": ...} body whose message contains every part.
func requireError(t *testing.T, r reply, status int, parts ...string) {
	t.Helper()
	require.Equal(t, status, r.status, r.body)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &e), r.body)
	msg := string(e.Error)
	var s string
	if json.Unmarshal(e.Error, &s) == nil {
		msg = s
	}
	require.NotEmpty(t, msg, r.body)
	for _, p := range parts {
		require.Contains(t, msg, p)
	}
}

// failureOf reads the structured error of a 5xx answer.
func failureOf(t *testing.T, r reply) map[string]any {
	t.Helper()
	var e struct {
		Error map[string]any `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &e), r.body)
	require.NotNil(t, e.Error, r.body)
	return e.Error
}

// jsonEqual reports whether two JSON documents are equal as values.
func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func requireJSONEqual(t *testing.T, want, got string, msgAndArgs ...any) {
	t.Helper()
	require.True(t, jsonEqual([]byte(want), []byte(got)), "want %s\n got %s %v", want, got, fmt.Sprint(msgAndArgs...))
}

func TestHandlerEpisode(t *testing.T) {
	var states sync.Map
	ts, h := serve(t, tallyServer(&states), tallyVerifier())

	live := do(t, ts, http.MethodGet, "/", "")
	require.Equal(t, http.StatusOK, live.status)
	require.Equal(t, "{}", live.body)

	seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow("r1"))
	require.Equal(t, http.StatusOK, seed.status, seed.body)
	require.Equal(t, "{}", seed.body)
	require.Len(t, seed.cookies, 1)
	require.True(t, seed.cookies[0].HttpOnly)
	require.Equal(t, 1, h.Sessions())

	out := do(t, ts, http.MethodPost, "/add", `{"n": 2}`, seed.cookies...)
	require.Equal(t, http.StatusOK, out.status)
	require.Equal(t, `{"id": "r1", "total": 2}`, out.body, "the tool's output text, as in process")
	require.Len(t, out.cookies, 1, "every answer sets the cookie again: NeMo Gym's agent keeps the last answer's")
	out = do(t, ts, http.MethodPost, "/add", `{"n": 5}`, out.cookies...)
	require.Equal(t, `{"id": "r1", "total": 7}`, out.body)

	failed := do(t, ts, http.MethodPost, "/fail", `{}`, seed.cookies...)
	require.Equal(t, http.StatusOK, failed.status, "a tool's error is an observation")
	require.Equal(t, `{"error": "no luck"}`, failed.body)
	bad := do(t, ts, http.MethodPost, "/add", `{"n": "two"}`, seed.cookies...)
	require.Equal(t, http.StatusOK, bad.status)
	require.Contains(t, bad.body, `"error"`)

	st, _ := states.Load("r1")
	require.Zero(t, st.(*tally).closed.Load())

	verify := do(t, ts, http.MethodPost, "/verify",
		`{"responses_create_params": {"input": "count"}, "id": "r1", "response": {"id": "resp_1", "output": []}}`, seed.cookies...)
	require.Equal(t, http.StatusOK, verify.status, verify.body)
	require.Equal(t, `{"responses_create_params":{"input": "count"},"id":"r1","response":{"id": "resp_1", "output": []},`+
		`"reward":7.0,"state_id":"r1","open_during_verify":true}`, verify.body,
		"the request echoed back, then reward and the verdict's fields in order")
	require.EqualValues(t, 1, st.(*tally).closed.Load(), "verify closes the session")
	require.Zero(t, h.Sessions())

	again := do(t, ts, http.MethodPost, "/add", `{"n": 1}`, seed.cookies...)
	requireError(t, again, http.StatusBadRequest, "/seed_session")
	again = do(t, ts, http.MethodPost, "/verify", `{"response": {"output": []}}`, seed.cookies...)
	requireError(t, again, http.StatusBadRequest, "closed")
	require.EqualValues(t, 1, st.(*tally).closed.Load(), "closed once")
}

func TestHandlerVerifyWithoutSession(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	r := do(t, ts, http.MethodPost, "/verify", `{"id": "x", "response": {"output": []}}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	requireJSONEqual(t, `{"id": "x", "response": {"output": []}, "reward": 0.0, "stateless": true}`, r.body)

	r = do(t, ts, http.MethodPost, "/verify", `{"id": "x"}`)
	requireError(t, r, http.StatusBadRequest, `no "response"`)
	r = do(t, ts, http.MethodPost, "/verify", `{"id": "x", "response": {"output": [1]}}`)
	requireError(t, r, http.StatusBadRequest, `"response"`)
}

func TestHandlerVerdicts(t *testing.T) {
	var verdict atomic.Pointer[verifier.Verdict]
	var verr atomic.Pointer[error]
	v := verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
		if e := verr.Load(); e != nil {
			return nil, *e
		}
		return verdict.Load(), nil
	})
	ts, _ := serve(t, env.NewServer(), v)
	row := `{"accuracy": false, "response": {"output": []}, "x": 1}`

	vd := verifier.Reward(0.5).Set("accuracy", true).Set("reward", 9.0).Set("response", "no").Set("extra", []int{1})
	vd.Components = map[string]float64{"b": 0.25, "a": 1}
	verdict.Store(vd)
	r := do(t, ts, http.MethodPost, "/verify", row)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, `{"accuracy":true,"response":{"output": []},"x":1,"reward":0.5,"extra":[1],"reward_components":{"a":1.0,"b":0.25}}`, r.body,
		"a verdict field replaces the request's in place; reward, response and reward_components are the verdict's own")

	verdict.Store(verifier.Reward(0))
	require.Equal(t, http.StatusOK, do(t, ts, http.MethodPost, "/verify", `{"response": {}}`).status)

	verdict.Store(nil)
	r = do(t, ts, http.MethodPost, "/verify", row)
	requireError(t, r, http.StatusInternalServerError, "no verdict")
	require.Equal(t, "verifier_error", failureOf(t, r)["class"])

	verdict.Store(verifier.Reward(nan()))
	r = do(t, ts, http.MethodPost, "/verify", row)
	requireError(t, r, http.StatusInternalServerError, "non-finite")

	e := errors.New("judge unavailable")
	verr.Store(&e)
	r = do(t, ts, http.MethodPost, "/verify", row)
	requireError(t, r, http.StatusInternalServerError, "judge unavailable")
	f := failureOf(t, r)
	require.Equal(t, "verifier_error", f["class"])
	require.Equal(t, "verify", f["stage"])

	ts2, _ := serve(t, env.NewServer(), verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
		panic("judge exploded")
	}))
	r = do(t, ts2, http.MethodPost, "/verify", row)
	requireError(t, r, http.StatusInternalServerError, "judge exploded")
	require.Equal(t, "verifier_error", failureOf(t, r)["class"])
	require.NotContains(t, r.body, "goroutine", "no stack on the wire")

	ts3, _ := serve(t, env.NewServer(), nil)
	r = do(t, ts3, http.MethodPost, "/verify", row)
	require.Equal(t, http.StatusOK, r.status, "no verifier: reward 0, as agent.Simple")
	require.Contains(t, r.body, `"reward":0.0`)
}

func nan() float64 { var z float64; return z / z }

func TestHandlerCookies(t *testing.T) {
	key := []byte("a key shared by the replicas of a server")
	ts, h := serve(t, tallyServer(nil), tallyVerifier(), env.WithSessionKey(key))
	seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow("c"))
	require.Len(t, seed.cookies, 1)
	good := seed.cookies[0]
	id, sig, ok := strings.Cut(good.Value, ".")
	require.True(t, ok)

	with := func(value string) *http.Cookie { return &http.Cookie{Name: good.Name, Value: value} }
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for name, c := range map[string]*http.Cookie{
		"tampered signature": with(id + "." + flip(sig)),
		"tampered id":        with(flip(id) + "." + sig),
		"no signature":       with(id),
		"empty signature":    with(id + "."),
		"not base64":         with(id + ".!!!"),
		"forged":             with("ABCDEFGHIJKLMNOPQRSTUVWXYZ.c2lnbmF0dXJl"),
		"empty":              with(""),
	} {
		t.Run(name, func(t *testing.T) {
			r := do(t, ts, http.MethodPost, "/add", `{"n": 1}`, c)
			requireError(t, r, http.StatusBadRequest, "invalid session cookie")
			r = do(t, ts, http.MethodPost, "/verify", `{"response": {}}`, c)
			requireError(t, r, http.StatusBadRequest, "invalid session cookie")
		})
	}
	require.Equal(t, 1, h.Sessions(), "a rejected cookie neither closes nor verifies the session")
	require.Equal(t, http.StatusOK, do(t, ts, http.MethodPost, "/add", `{"n": 1}`, good).status)

	// Another server signs with another key: its cookies are forged here.
	other, _ := serve(t, tallyServer(nil), tallyVerifier())
	r := do(t, other, http.MethodPost, "/add", `{"n": 1}`, good)
	requireError(t, r, http.StatusBadRequest, "invalid session cookie")
	// A replica with the same key accepts the cookie, but has no such session.
	replica, _ := serve(t, tallyServer(nil), tallyVerifier(), env.WithSessionKey(key))
	r = do(t, replica, http.MethodPost, "/add", `{"n": 1}`, good)
	requireError(t, r, http.StatusBadRequest, "expired or was closed")

	r = do(t, ts, http.MethodPost, "/add", `{"n": 1}`)
	requireError(t, r, http.StatusBadRequest, "no session", "POST /seed_session first")
	r = do(t, ts, http.MethodPost, "/add", `{"n": 1}`, &http.Cookie{Name: "other", Value: "x"})
	requireError(t, r, http.StatusBadRequest, "no session")
}

func TestHandlerSessionTTL(t *testing.T) {
	var states sync.Map
	ts, h := serve(t, tallyServer(&states), tallyVerifier(), env.WithSessionTTL(200*time.Millisecond))
	idle := do(t, ts, http.MethodPost, "/seed_session", tallyRow("idle"))
	busy := do(t, ts, http.MethodPost, "/seed_session", tallyRow("busy"))
	require.Equal(t, 2, h.Sessions())

	// A session in use stays open: every call renews it.
	deadline := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(deadline) {
		r := do(t, ts, http.MethodPost, "/add", `{"n": 1}`, busy.cookies...)
		require.Equal(t, http.StatusOK, r.status, r.body)
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, 1, h.Sessions())
	st, _ := states.Load("idle")
	require.EqualValues(t, 1, st.(*tally).closed.Load(), "the idle session was closed")
	r := do(t, ts, http.MethodPost, "/add", `{"n": 1}`, idle.cookies...)
	requireError(t, r, http.StatusBadRequest, "expired", "/seed_session")

	require.Eventually(t, func() bool { return h.Sessions() == 0 }, 2*time.Second, 5*time.Millisecond)
	st, _ = states.Load("busy")
	require.EqualValues(t, 1, st.(*tally).closed.Load())
}

func TestHandlerClose(t *testing.T) {
	var states sync.Map
	h := env.NewHandler(tallyServer(&states), tallyVerifier())
	ts := httptest.NewServer(h)
	defer ts.Close()
	for _, id := range []string{"a", "b", "c"} {
		require.Equal(t, http.StatusOK, do(t, ts, http.MethodPost, "/seed_session", tallyRow(id)).status)
	}
	require.Equal(t, 3, h.Sessions())
	require.NoError(t, h.Close())
	require.NoError(t, h.Close(), "Close twice")
	require.Zero(t, h.Sessions())
	for _, id := range []string{"a", "b", "c"} {
		st, _ := states.Load(id)
		require.EqualValues(t, 1, st.(*tally).closed.Load(), id)
	}
	r := do(t, ts, http.MethodPost, "/seed_session", tallyRow("d"))
	requireError(t, r, http.StatusServiceUnavailable, "shutting down")
}

func TestHandlerCloseErrors(t *testing.T) {
	srv := env.NewServer()
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return failingCloser{}, nil }
	var logged bytes.Buffer
	ts, h := serve(t, srv, nil, env.WithErrorLog(log.New(&logged, "", 0)))
	seed := do(t, ts, http.MethodPost, "/seed_session", `{}`)
	r := do(t, ts, http.MethodPost, "/verify", `{"response": {}}`, seed.cookies...)
	requireError(t, r, http.StatusInternalServerError, "close session", "disk full")
	require.Equal(t, "resources_server_error", failureOf(t, r)["class"])
	require.Equal(t, "close", failureOf(t, r)["stage"])

	do(t, ts, http.MethodPost, "/seed_session", `{}`)
	require.ErrorContains(t, h.Close(), "disk full")
}

type failingCloser struct{}

func (failingCloser) Close() error { return errors.New("disk full") }

func TestHandlerSeedErrors(t *testing.T) {
	srv := env.NewServer()
	srv.NewState = func(_ context.Context, task rollout.Task) (any, error) {
		if task.Has("panic") {
			panic("seed exploded")
		}
		return nil, errors.New("no sandbox available")
	}
	ts, h := serve(t, srv, nil)
	r := do(t, ts, http.MethodPost, "/seed_session", `{}`)
	requireError(t, r, http.StatusInternalServerError, "no sandbox available")
	require.Equal(t, "resources_server_error", failureOf(t, r)["class"])
	require.Empty(t, r.cookies)
	r = do(t, ts, http.MethodPost, "/seed_session", `{"panic": true}`)
	requireError(t, r, http.StatusInternalServerError, "seed exploded")
	require.Zero(t, h.Sessions())

	r = do(t, ts, http.MethodPost, "/seed_session", `[{}]`)
	requireError(t, r, http.StatusBadRequest, "the dataset row must be a JSON object, not an array")
}

func TestHandlerToolPanic(t *testing.T) {
	ts, h := serve(t, tallyServer(nil), tallyVerifier())
	seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow("p"))
	r := do(t, ts, http.MethodPost, "/boom", `{}`, seed.cookies...)
	requireError(t, r, http.StatusInternalServerError, "kaboom")
	f := failureOf(t, r)
	require.Equal(t, "tool_panic", f["class"])
	require.Equal(t, "tool_panic", f["code"], "where OpenAI-style errors carry it")
	require.Equal(t, "tool", f["stage"])
	require.Equal(t, false, f["retryable"])
	require.NotContains(t, r.body, "goroutine")
	require.Equal(t, 1, h.Sessions(), "the session survives for the agent to close or verify")
}

// panicky is a ResourcesServer whose session panics outside any tool, and
// that lists no tools: every route is a tool call.
type panicky struct{}

func (panicky) Seed(context.Context, rollout.Task) (env.Session, error) { return panickySession{}, nil }

type panickySession struct{}

func (panickySession) CallTool(context.Context, string, json.RawMessage) (string, error) {
	panic("session exploded")
}
func (panickySession) Close() error { panic("close exploded") }

func TestHandlerRecoversPanics(t *testing.T) {
	var logged bytes.Buffer
	ts, h := serve(t, panicky{}, nil, env.WithErrorLog(log.New(&logged, "", 0)))
	seed := do(t, ts, http.MethodPost, "/seed_session", `{}`)
	r := do(t, ts, http.MethodPost, "/anything", `{}`, seed.cookies...)
	requireError(t, r, http.StatusInternalServerError, "session exploded")
	require.Equal(t, "tool_panic", failureOf(t, r)["class"])
	r = do(t, ts, http.MethodPost, "/verify", `{"response": {}}`, seed.cookies...)
	requireError(t, r, http.StatusInternalServerError, "close exploded")
	require.Zero(t, h.Sessions())
}

func TestHandlerUnknownTool(t *testing.T) {
	srv := tallyServer(nil)
	ts, _ := serve(t, srv, tallyVerifier())
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	want, err := sess.CallTool(context.Background(), "nope", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.NoError(t, sess.Close())

	r := do(t, ts, http.MethodPost, "/nope", `{}`)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, want, r.body, "the same observation as in process")
	require.Contains(t, r.body, "add, boom, fail")
	requireError(t, r, http.StatusNotFound, "unknown tool", "nope")
	r = do(t, ts, http.MethodGet, "/nope/deeper", "")
	requireError(t, r, http.StatusNotFound, "unknown tool")
}

func TestHandlerMethods(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, "/seed_session", "POST"},
		{http.MethodGet, "/verify", "POST"},
		{http.MethodPut, "/aggregate_metrics", "POST"},
		{http.MethodGet, "/add", "POST"},
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodDelete, "/", "GET, HEAD"},
	} {
		r := do(t, ts, c.method, c.path, "{}")
		requireError(t, r, http.StatusMethodNotAllowed, c.method, c.allow)
		require.Equal(t, c.allow, r.header.Get("Allow"))
	}
	require.Equal(t, http.StatusOK, do(t, ts, http.MethodHead, "/", "").status)
}

func TestHandlerBodyLimit(t *testing.T) {
	ts, h := serve(t, tallyServer(nil), tallyVerifier(), env.WithMaxBodyBytes(1024))
	big := `{"responses_create_params": {"input": "` + strings.Repeat("x", 2048) + `"}}`
	for _, path := range []string{"/seed_session", "/verify", "/aggregate_metrics", "/add"} {
		r := do(t, ts, http.MethodPost, path, big)
		requireError(t, r, http.StatusRequestEntityTooLarge, "larger than the limit of 1024 bytes")
	}
	require.Zero(t, h.Sessions())
	require.Equal(t, http.StatusOK, do(t, ts, http.MethodPost, "/seed_session", tallyRow("small")).status)
}

func TestHandlerMalformedJSON(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow("m"))
	for _, c := range []struct {
		path, body string
		parts      []string
	}{
		{"/seed_session", `{"a": 1,,}`, []string{"not valid JSON", "invalid character ',' looking for beginning of object key string at line 1, column 9 (byte offset 8)"}},
		{"/seed_session", "{\n  \"a\": 1,\n  \"b\": tru\n}", []string{"not valid JSON", "line 3, column"}},
		{"/seed_session", `{"a": 1`, []string{"unexpected end of JSON input", "line 1"}},
		{"/seed_session", ``, []string{"the dataset row", "not valid JSON"}},
		{"/seed_session", `null`, []string{"must be a JSON object, not null"}},
		{"/verify", `"row"`, []string{"the verify request must be a JSON object, not a string"}},
		{"/verify", `{"response": 12}`, []string{`"response"`}},
		{"/add", `[1, 2]`, []string{"the arguments of add must be a JSON object, not an array"}},
		{"/add", `{"n": 1} x`, []string{"not valid JSON"}},
		{"/aggregate_metrics", `{}`, []string{`no "verify_responses"`}},
		{"/aggregate_metrics", `{"verify_responses": {}}`, []string{"want a list of objects"}},
		{"/aggregate_metrics", `{"verify_responses": [1]}`, []string{"want a list of objects"}},
		{"/aggregate_metrics", `{"verify_responses": [{"reward": "high"}]}`, []string{`"verify_responses"[0]`, "reward"}},
	} {
		r := do(t, ts, http.MethodPost, c.path, c.body, seed.cookies...)
		requireError(t, r, http.StatusBadRequest, c.parts...)
	}
}

func TestHandlerAggregateMetrics(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	r := do(t, ts, http.MethodPost, "/aggregate_metrics", `{"verify_responses": []}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	requireJSONEqual(t, `{"group_level_metrics": [], "agent_metrics": {}, "key_metrics": {}}`, r.body)

	r = do(t, ts, http.MethodPost, "/aggregate_metrics", `{"verify_responses": [
		{"_ng_task_index": 0, "_ng_rollout_index": 0, "reward": 1.0, "accuracy": true, "label": "x",
		 "response": {"output": [], "usage": {"input_tokens": 10, "output_tokens": 4, "total_tokens": 14, "input_tokens_details": {"cached_tokens": 0}}}},
		{"_ng_task_index": 0, "_ng_rollout_index": 1, "reward": 0.0, "accuracy": false,
		 "response": {"output": [], "usage": {"input_tokens": 20, "output_tokens": 6, "total_tokens": 26}}},
		{"_ng_task_index": 1, "_ng_rollout_index": 0, "reward": 0.0, "accuracy": false, "response": {"output": []}},
		{"_ng_task_index": 1, "_ng_rollout_index": 1, "reward": 1.0, "accuracy": true, "response": {"output": []}}
	], "extra": "ignored"}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	var got struct {
		Group []map[string]float64 `json:"group_level_metrics"`
		Agent map[string]float64   `json:"agent_metrics"`
		Key   map[string]float64   `json:"key_metrics"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &got))
	require.Equal(t, 0.5, got.Agent["mean/reward"])
	require.Equal(t, 0.5, got.Agent["mean/accuracy"])
	require.Equal(t, 1.0, got.Agent["max/reward"])
	require.Equal(t, 0.0, got.Agent["min/reward"])
	require.Equal(t, 0.5, got.Agent["median/reward"])
	require.InDelta(t, 0.57735, got.Agent["std/reward"], 1e-5, "sample std, as pandas")
	require.Equal(t, 15.0, got.Agent["mean/input_tokens"], "the response's usage is profiled, as NeMo Gym does")
	require.Equal(t, 1.0, got.Agent["pass@2"])
	require.NotContains(t, got.Agent, "mean/label")
	require.NotContains(t, got.Agent, "mean/_ng_task_index")
	for k, v := range got.Key {
		require.True(t, strings.HasPrefix(k, "mean/"), k)
		require.Equal(t, got.Agent[k], v)
	}
	require.Contains(t, got.Key, "mean/reward")
	require.Len(t, got.Group, 2)
	require.Equal(t, map[string]float64{"_ng_task_index": 0,
		"mean/reward": 0.5, "max/reward": 1, "min/reward": 0, "median/reward": 0.5, "std/reward": got.Group[0]["std/reward"],
		"mean/accuracy": 0.5, "max/accuracy": 1, "min/accuracy": 0, "median/accuracy": 0.5, "std/accuracy": got.Group[0]["std/accuracy"],
		"mean/input_tokens": 15, "max/input_tokens": 20, "min/input_tokens": 10, "median/input_tokens": 15, "std/input_tokens": got.Group[0]["std/input_tokens"],
		"mean/output_tokens": 5, "max/output_tokens": 6, "min/output_tokens": 4, "median/output_tokens": 5, "std/output_tokens": got.Group[0]["std/output_tokens"],
		"mean/total_tokens": 20, "max/total_tokens": 26, "min/total_tokens": 14, "median/total_tokens": 20, "std/total_tokens": got.Group[0]["std/total_tokens"],
	}, got.Group[0])
	require.Equal(t, 1.0, got.Group[1]["_ng_task_index"])

	// Sums that overflow are left out rather than breaking the answer.
	r = do(t, ts, http.MethodPost, "/aggregate_metrics", `{"verify_responses": [{"reward": 1, "big": 1e308}, {"reward": 0, "big": 1e308}]}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.NotContains(t, r.body, "mean/big")
	require.Contains(t, r.body, "max/big")
}

func TestHandlerReservedToolName(t *testing.T) {
	srv := env.NewServer(env.NewTool("verify", "", func(context.Context, struct{}) (struct{}, error) { return struct{}{}, nil }))
	require.PanicsWithValue(t, `env: tool "verify" has the name of a route of the resources-server protocol; rename it`, func() {
		env.NewHandler(srv, nil)
	})
}

// TestHandlerNeMoGymAgentCookies drives the handler as NeMo Gym's
// simple_agent does: it sends the cookies of the last answer only.
func TestHandlerNeMoGymAgentCookies(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	last := do(t, ts, http.MethodPost, "/seed_session", tallyRow("n")).cookies
	for i := 1; i <= 3; i++ {
		r := do(t, ts, http.MethodPost, "/add", `{"n": 1}`, last...)
		require.Equal(t, fmt.Sprintf(`{"id": "n", "total": %d}`, i), r.body)
		last = r.cookies
	}
	r := do(t, ts, http.MethodPost, "/verify", `{"response": {}}`, last...)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Contains(t, r.body, `"reward":3.0`)
}

func TestHandlerConcurrentSessions(t *testing.T) {
	var states sync.Map
	ts, h := serve(t, tallyServer(&states), tallyVerifier())
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			id := fmt.Sprint("s", i)
			seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow(id))
			for range i % 5 {
				do(t, ts, http.MethodPost, "/add", `{"n": 2}`, seed.cookies...)
			}
			r := do(t, ts, http.MethodPost, "/verify", `{"response": {}}`, seed.cookies...)
			require.Contains(t, r.body, fmt.Sprintf(`"reward":%d.0,"state_id":%q`, 2*(i%5), id))
		})
	}
	wg.Wait()
	require.Zero(t, h.Sessions())
}

type synonymArgs struct {
	Synonym string `json:"synonym"`
}

// BenchmarkHandlerTool is a tool call through the Handler, in process:
// reading the body, the session's cookie, the arguments and the answer.
func BenchmarkHandlerTool(b *testing.B) {
	srv := env.NewServer(env.NewTool("get_synonym_value", "", func(_ context.Context, in synonymArgs) (int, error) {
		return len(in.Synonym), nil
	}))
	h := env.NewHandler(srv, nil)
	defer h.Close()
	seed := httptest.NewRecorder()
	h.ServeHTTP(seed, httptest.NewRequest(http.MethodPost, env.RouteSeed, strings.NewReader(`{}`)))
	cookie := seed.Result().Cookies()[0]
	body := []byte(`{"synonym": "Blazing"}`)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/get_synonym_value", bytes.NewReader(body))
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
