package httpjson

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/rollout"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errorOf decodes the error member of an answer.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var e struct {
		Error map[string]any `json:"error"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	require.NotNil(t, e.Error, w.Body.String())
	return e.Error
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusAccepted, []byte(`{"a": 1}`))
	require.Equal(t, http.StatusAccepted, w.Code)
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.Equal(t, "8", w.Header().Get("Content-Length"))
	require.Equal(t, `{"a": 1}`, w.Body.String())
}

func TestWriteErrorFailure(t *testing.T) {
	f := &rollout.Failure{Class: rollout.FailToolPanic, Stage: "tool", Status: http.StatusTooManyRequests, Retryable: true,
		Stack: "goroutine 1", Err: errors.New("kaboom")}
	w := httptest.NewRecorder()
	WriteError(w, 0, f)
	require.Equal(t, http.StatusTooManyRequests, w.Code, "the failure's status")
	require.Equal(t, "true", w.Header().Get("X-Should-Retry"))
	require.Equal(t, `{"error":{"message":"kaboom","type":"rate_limit_error","param":null,"code":"tool_panic",`+
		`"class":"tool_panic","stage":"tool","retryable":true}}`, w.Body.String(), "no stack on the wire")

	w = httptest.NewRecorder()
	WriteError(w, http.StatusInternalServerError, &rollout.Failure{Class: rollout.FailVerifier, Err: errors.New("judge down")})
	require.Equal(t, http.StatusInternalServerError, w.Code, "an explicit status wins")
	require.Equal(t, "false", w.Header().Get("X-Should-Retry"))
	e := errorOf(t, w)
	require.Equal(t, "server_error", e["type"])
	require.Equal(t, "verifier_error", e["code"])
	require.Equal(t, "verifier_error", e["class"])
	require.Equal(t, false, e["retryable"], "written also when false")
	require.NotContains(t, e, "stage", "no stage, none written")
}

func TestWriteErrorPlain(t *testing.T) {
	for _, tc := range []struct {
		err     error
		status  int
		errType string
		message string
	}{
		{errors.New("boom"), 500, "server_error", "boom"},
		{nil, 500, "server_error", "unknown error"},
		{Errorf(http.StatusBadRequest, "bad %s", "row"), 400, "invalid_request_error", "bad row"},
		{Errorf(http.StatusNotFound, "where"), 404, "not_found_error", "where"},
		{Errorf(http.StatusUnauthorized, "who"), 401, "authentication_error", "who"},
		{Errorf(http.StatusForbidden, "no"), 403, "permission_error", "no"},
		{Errorf(http.StatusNotImplemented, "later"), 501, "not_implemented_error", "later"},
		{&rollout.Failure{Class: rollout.FailModel, Status: 200, Err: errors.New("odd status")}, 500, "server_error", "odd status"},
	} {
		w := httptest.NewRecorder()
		WriteError(w, 0, tc.err)
		require.Equal(t, tc.status, w.Code, "%v", tc.err)
		e := errorOf(t, w)
		require.Equal(t, tc.errType, e["type"])
		require.Equal(t, tc.message, e["message"])
		require.Contains(t, e, "param")
		require.Nil(t, e["param"])
		if _, ok := errors.AsType[*rollout.Failure](tc.err); !ok {
			require.Nil(t, e["code"], "a plain error has no class")
			require.NotContains(t, e, "class")
			require.Empty(t, w.Header().Get("X-Should-Retry"))
		}
	}
}

func TestReadBody(t *testing.T) {
	read := func(body string) ([]byte, error) {
		r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		return ReadBody(httptest.NewRecorder(), r, 8, "the row")
	}
	b, err := read(`{"a":1}`)
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(b))
	_, err = read(`{"a": 12345}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, StatusOf(err))
	require.EqualError(t, err, "the row is larger than the limit of 8 bytes")

	r := httptest.NewRequest(http.MethodPost, "/x", iotestErrReader{})
	_, err = ReadBody(httptest.NewRecorder(), r, 8, "the row")
	require.Equal(t, http.StatusBadRequest, StatusOf(err))
	require.ErrorContains(t, err, "reading the row: broken pipe")
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestCheckMethod(t *testing.T) {
	for _, tc := range []struct {
		method  string
		allowed []string
		ok      bool
	}{
		{http.MethodPost, []string{http.MethodPost}, true},
		{http.MethodGet, []string{http.MethodGet}, true},
		{http.MethodHead, []string{http.MethodGet}, true},
		{http.MethodHead, []string{http.MethodGet, http.MethodHead}, true},
		{http.MethodGet, []string{http.MethodPost}, false},
		{http.MethodHead, []string{http.MethodPost}, false},
		{http.MethodPost, []string{http.MethodGet, http.MethodHead}, false},
	} {
		w := httptest.NewRecorder()
		err := CheckMethod(w, httptest.NewRequest(tc.method, "/run", nil), tc.allowed...)
		if tc.ok {
			require.NoError(t, err, "%s %v", tc.method, tc.allowed)
			require.Empty(t, w.Header().Get("Allow"))
			continue
		}
		allow := strings.Join(tc.allowed, ", ")
		require.Equal(t, http.StatusMethodNotAllowed, StatusOf(err))
		require.EqualError(t, err, "method "+tc.method+" is not allowed on /run; use "+allow)
		require.Equal(t, allow, w.Header().Get("Allow"))
	}
}

func TestNotFound(t *testing.T) {
	w := httptest.NewRecorder()
	NotFound(w, httptest.NewRequest(http.MethodPost, "/v1/embeddings", nil), "")
	require.Equal(t, http.StatusNotFound, w.Code)
	require.Equal(t, "no route POST /v1/embeddings", errorOf(t, w)["message"])

	w = httptest.NewRecorder()
	NotFound(w, httptest.NewRequest(http.MethodGet, "/x", nil), "try /run")
	require.Equal(t, "no route GET /x; try /run", errorOf(t, w)["message"])
}

func TestRecover(t *testing.T) {
	serve := func(h http.HandlerFunc) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h(w, httptest.NewRequest(http.MethodGet, "/", nil))
		return w
	}
	var got any
	errOf := func(p any) error {
		got = p
		return &rollout.Failure{Class: rollout.FailAgent, Err: errors.New("internal error")}
	}
	w := serve(func(w http.ResponseWriter, r *http.Request) {
		defer Recover(w, errOf)
		panic("bug")
	})
	require.Equal(t, "bug", got)
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Equal(t, "agent_error", errorOf(t, w)["class"])

	got = nil
	w = serve(func(w http.ResponseWriter, r *http.Request) {
		defer Recover(w, errOf)
		WriteJSON(w, http.StatusOK, []byte(`{}`))
	})
	require.Nil(t, got, "no panic, errOf is not called")
	require.Equal(t, `{}`, w.Body.String())

	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		serve(func(w http.ResponseWriter, r *http.Request) {
			defer Recover(w, errOf)
			panic(http.ErrAbortHandler)
		})
	}, "net/http's own abort passes through")
}

// A client declares the length of its body, and may lie: a small body
// declared as almost the limit must not make the server allocate the limit
// before a byte has come (a thousand such requests would take 64 GB).
func TestReadBodyDoesNotTrustDeclaredLength(t *testing.T) {
	const limit = 64 << 20
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	r.ContentLength = limit - 1
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	body, err := ReadBody(httptest.NewRecorder(), r, limit, "the request body")
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, `{}`, string(body))
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated for a 2-byte body")

	// A body of the declared length is still read whole.
	big := strings.Repeat("x", 3<<20)
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(big))
	body, err = ReadBody(httptest.NewRecorder(), r, limit, "the request body")
	require.NoError(t, err)
	require.Equal(t, big, string(body))
}

// A body declared over the limit is refused without a byte read; when the
// process's budget of bodies in memory is taken, a request that cannot get
// its share within the grace is answered 503 rather than waiting.
func TestReadBodyRefusesEarlyAndShares(t *testing.T) {
	read := &countingReader{r: strings.NewReader(strings.Repeat("x", 100))}
	r := httptest.NewRequest(http.MethodPost, "/", read)
	r.ContentLength = 100
	w := httptest.NewRecorder()
	_, err := ReadBody(w, r, 10, "the body")
	require.Equal(t, http.StatusRequestEntityTooLarge, StatusOf(err))
	require.Zero(t, read.n, "bytes read of a body declared over the limit")
	require.Equal(t, "close", w.Header().Get("Connection"))

	peak := SetBodyLimitsForTest(t, 10, 50*time.Millisecond, 1<<20)
	pr, pw := io.Pipe()
	first := httptest.NewRequest(http.MethodPost, "/", pr)
	first.ContentLength = 5 // reserves 10: the whole budget
	done := make(chan error, 1)
	go func() {
		_, err := ReadBody(httptest.NewRecorder(), first, 10, "the first body")
		done <- err
	}()
	// The first takes the budget and waits for its bytes.
	require.Eventually(t, func() bool { return peak() == 10 }, 5*time.Second, time.Millisecond)
	second := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("12345"))
	w = httptest.NewRecorder()
	_, err = ReadBody(w, second, 10, "the second body")
	require.Equal(t, http.StatusServiceUnavailable, StatusOf(err), "%v", err)
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	_, _ = pw.Write([]byte("abcde"))
	require.NoError(t, pw.Close())
	require.NoError(t, <-done)

	// Once the first is read, its share is back.
	body, err := ReadBody(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader("12345")), 10, "the third body")
	require.NoError(t, err)
	require.Equal(t, "12345", string(body))
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
