package httpjson

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

// remoteFailure is the failure ReadError starts from: what a client
// assumes of an error answer it knows nothing about.
func remoteFailure() *rollout.Failure {
	return &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Status: 500, Retryable: true}
}

func TestReadError(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	for _, tc := range []struct {
		name, body, message string
		want                rollout.Failure // Class, Stage, Retryable
	}{
		{"WriteError's shape", `{"error":{"message":"kaboom","type":"server_error","param":null,"code":"tool_panic","class":"tool_panic","stage":"tool","retryable":false}}`,
			"kaboom", rollout.Failure{Class: rollout.FailToolPanic, Stage: "tool"}},
		{"OpenAI-style error with a class as code", `{"error": {"message": "judge down", "type": "server_error", "param": null, "code": "verifier_error", "stage": "judge", "retryable": false}}`,
			"judge down", rollout.Failure{Class: rollout.FailVerifier, Stage: "judge"}},
		{"env.Handler's former shape", `{"error": {"class": "resources_server_error", "code": "resources_server_error", "stage": "close", "message": "disk full", "retryable": true}}`,
			"disk full", rollout.Failure{Class: rollout.FailResources, Stage: "close", Retryable: true}},
		{"class without stage or retryable", `{"error": {"message": "m", "class": "timeout"}}`,
			"m", rollout.Failure{Class: rollout.FailTimeout, Stage: "agent", Retryable: true}},
		{"OpenAI's own code", `{"error": {"message": "Incorrect API key", "type": "invalid_request_error", "code": "invalid_api_key", "stage": "x", "retryable": false}}`,
			"Incorrect API key", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"code null", `{"error": {"message": "no route", "type": "not_found_error", "param": null, "code": null}}`,
			"no route", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"error string", `{"error": "the session has expired"}`,
			"the session has expired", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"FastAPI detail", `{"detail":"Not Found"}`,
			`{"detail":"Not Found"}`, rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"FastAPI validation detail", `{"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required"}]}`,
			`{"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required"}]}`, rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"empty error", `{"error": ""}`,
			`{"error": ""}`, rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"error object without message", `{"error": {"code": "timeout"}}`,
			`{"error": {"code": "timeout"}}`, rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"HTML", "\n<html>502 Bad Gateway</html>\n",
			"<html>502 Bad Gateway</html>", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"empty", "  ",
			"(empty body)", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
		{"long", long,
			long[:512] + "…", rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := remoteFailure()
			msg := ReadError([]byte(tc.body), f)
			require.Equal(t, tc.message, msg)
			require.True(t, utf8.ValidString(msg))
			require.Equal(t, tc.want.Class, f.Class)
			require.Equal(t, tc.want.Stage, f.Stage)
			require.Equal(t, tc.want.Retryable, f.Retryable)
			require.Equal(t, 500, f.Status)
		})
	}

	// A cut never splits a character.
	odd := "x" + long
	require.Equal(t, odd[:511]+"…", ReadError([]byte(odd), remoteFailure()))
}

// TestWriteErrorReadError: what a server writes, a client reads back.
func TestWriteErrorReadError(t *testing.T) {
	for _, sent := range []*rollout.Failure{
		{Class: rollout.FailToolPanic, Stage: "tool", Err: errors.New("kaboom")},
		{Class: rollout.FailModel, Stage: "model", Retryable: true, Err: errors.New("rate limited")},
		{Class: rollout.FailInvalidRow, Stage: "seed", Err: errors.New("bad row")},
	} {
		w := httptest.NewRecorder()
		WriteError(w, http.StatusInternalServerError, sent)
		got := &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: !sent.Retryable}
		require.Equal(t, sent.Error(), ReadError(w.Body.Bytes(), got))
		require.Equal(t, sent.Class, got.Class)
		require.Equal(t, sent.Stage, got.Stage)
		require.Equal(t, sent.Retryable, got.Retryable)
	}
}

func TestAnswerFailure(t *testing.T) {
	for _, tc := range []struct {
		status    int
		retryable bool
		message   string
	}{
		{400, false, "agent: POST http://h/run: 400 Bad Request: (empty body)"},
		{404, false, "agent: POST http://h/run: 404 Not Found: (empty body)"},
		{408, true, "agent: POST http://h/run: 408 Request Timeout: (empty body)"},
		{429, true, "agent: POST http://h/run: 429 Too Many Requests: (empty body)"},
		{500, true, "agent: POST http://h/run: 500 Internal Server Error: (empty body)"},
		{599, true, "agent: POST http://h/run: 599: (empty body)"},
	} {
		a := &Answer{Request: "agent: POST http://h/run", Status: tc.status}
		f := a.Failure("agent")
		require.Equal(t, rollout.FailRemote, f.Class)
		require.Equal(t, "agent", f.Stage)
		require.Equal(t, tc.status, f.Status)
		require.Equal(t, tc.retryable, f.Retryable, "%d", tc.status)
		require.EqualError(t, f, tc.message)
	}

	a := &Answer{Request: "POST http://h/verify", Status: 500, Body: []byte(`{"error": {"message": "no ground truth", "code": "verifier_error", "stage": "verify", "retryable": false}}`)}
	f := a.Failure("verify")
	require.Equal(t, rollout.FailVerifier, f.Class)
	require.False(t, f.Retryable)
	require.Equal(t, 500, f.Status)
	require.EqualError(t, f, "POST http://h/verify: 500 Internal Server Error: no ground truth")
}

// serve starts a server, closed (with its client's connections) when the
// test ends, and returns a Client of it.
func serve(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Client{Base: srv.URL, Server: "test server", Prefix: "test: ", HTTP: srv.Client(), MaxAnswer: 64}
}

func requireFailure(t *testing.T, err error, class rollout.FailureClass, retryable bool, status int, parts ...string) {
	t.Helper()
	f, ok := errors.AsType[*rollout.Failure](err)
	require.True(t, ok, "%T: %v", err, err)
	require.Equal(t, class, f.Class, "%v", err)
	require.Equal(t, "stage", f.Stage)
	require.Equal(t, retryable, f.Retryable, "%v", err)
	require.Equal(t, status, f.Status)
	for _, p := range parts {
		require.ErrorContains(t, err, p)
	}
}

func TestClientPost(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		ck, err := r.Cookie("s")
		if !assert.NoError(t, err) {
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "s", Value: ck.Value + "+"})
		switch r.URL.Path {
		case "/echo":
			w.Write(body)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 65)))
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	})
	cookies := []*http.Cookie{{Name: "s", Value: "1"}}
	a, err := c.Post(context.Background(), "stage", "/echo", []byte(`{"a":1}`), cookies)
	require.NoError(t, err)
	require.True(t, a.OK())
	require.Equal(t, `{"a":1}`, string(a.Body))
	require.Equal(t, "test: POST "+c.Base+"/echo", a.Request)
	require.Len(t, a.Cookies, 1)
	require.Equal(t, "1+", a.Cookies[0].Value)

	a, err = c.Post(context.Background(), "stage", "/tea", nil, cookies)
	require.NoError(t, err, "an error status is an answer")
	require.False(t, a.OK())
	require.Equal(t, http.StatusTeapot, a.Status)

	_, err = c.Post(context.Background(), "stage", "/big", nil, cookies)
	requireFailure(t, err, rollout.FailRemote, false, http.StatusOK, "test: POST "+c.Base+"/big: the answer is larger than 64 bytes")
}

func TestClientNoAnswer(t *testing.T) {
	release := make(chan struct{})
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release) // before the server closes, which waits for handlers

	bounded := *c
	bounded.Timeout = 50 * time.Millisecond
	_, err := bounded.Post(context.Background(), "stage", "/hang", nil, nil)
	requireFailure(t, err, rollout.FailRemote, true, 0, "test: POST "+c.Base+"/hang: no answer within the request timeout of 50ms")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The caller's own deadline and cancellation are not the server's fault.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Post(ctx, "stage", "/hang", nil, nil)
	requireFailure(t, err, rollout.FailTimeout, true, 0)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.Post(ctx, "stage", "/hang", nil, nil)
	requireFailure(t, err, rollout.FailCancelled, false, 0)
	require.ErrorIs(t, err, context.Canceled)
}

func TestClientDeadServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c := &Client{Base: base, Server: "agent server", MaxAnswer: 1} // http.DefaultClient
	_, err := c.Post(context.Background(), "stage", "/run", nil, nil)
	requireFailure(t, err, rollout.FailRemote, true, 0, "POST "+base+"/run: ", "(is the agent server running at "+base+"?)")

	c = &Client{Base: "http://a b", MaxAnswer: 1}
	_, err = c.Post(context.Background(), "stage", "/run", nil, nil)
	requireFailure(t, err, rollout.FailRemote, false, 0, "POST http://a b/run: ")
}
