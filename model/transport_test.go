package model

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name     string
		retries  int
		answers  []func(w http.ResponseWriter) // one per attempt; the last repeats
		attempts int32
		status   int // of the final *APIError, 0 for success
	}{
		{"503 then success", 0, []func(http.ResponseWriter){status(503, nil), ok}, 2, 0},
		{"retries exhausted (default 2)", 0, []func(http.ResponseWriter){status(500, nil)}, 3, 500},
		{"retries disabled", -1, []func(http.ResponseWriter){status(429, nil)}, 1, 429},
		{"400 is final", 3, []func(http.ResponseWriter){status(400, nil)}, 1, 400},
		{"409 is retried", 1, []func(http.ResponseWriter){status(409, nil), ok}, 2, 0},
		{"x-should-retry false wins over 503", 3, []func(http.ResponseWriter){status(503, map[string]string{"x-should-retry": "false"})}, 1, 503},
		{"x-should-retry true on 400", 1, []func(http.ResponseWriter){status(400, map[string]string{"x-should-retry": "true"}), ok}, 2, 0},
		{"Retry-After beyond two minutes keeps the answer", 3, []func(http.ResponseWriter){status(429, map[string]string{"Retry-After": "300", "Retry-After-Ms": ""})}, 1, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				require.Equal(t, "Bearer EMPTY", r.Header.Get("Authorization"))
				require.Equal(t, "v", r.Header.Get("X-Extra"))
				w.Header().Set("Retry-After-Ms", "1") // keep the test fast where no other wait is set
				tt.answers[min(i, len(tt.answers)-1)](w)
			}))
			defer srv.Close()
			c := newClient("", map[string]string{"X-Extra": "v"}, tt.retries, srv.Client())
			body, err := c.Post(context.Background(), srv.URL+"/responses", []byte(`{}`))
			require.Equal(t, tt.attempts, n.Load())
			if tt.status == 0 {
				require.NoError(t, err)
				require.JSONEq(t, `{"output":[]}`, string(body))
				return
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.status, apiErr.StatusCode)
			require.JSONEq(t, `{"error":{"message":"nope"}}`, string(apiErr.Body))
		})
	}
}

func ok(w http.ResponseWriter) { _, _ = w.Write([]byte(`{"output":[]}`)) }

func status(code int, headers map[string]string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"error":{"message":"nope"}}`))
	}
}

func TestRetryDelay(t *testing.T) {
	h := func(k, v string) *http.Response { return &http.Response{Header: http.Header{k: {v}}} }
	d, ok := retryDelay(h("Retry-After-Ms", "250"), 0)
	require.True(t, ok)
	require.Equal(t, 250*time.Millisecond, d)
	d, ok = retryDelay(h("Retry-After", "2"), 0)
	require.True(t, ok)
	require.Equal(t, 2*time.Second, d)
	_, ok = retryDelay(h("Retry-After", "121"), 0)
	require.False(t, ok, "a wait beyond two minutes")
	for attempt, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		d, ok := retryDelay(nil, attempt)
		require.True(t, ok)
		require.LessOrEqual(t, d, want)
		require.Greater(t, d, want*3/4-1)
	}
}

func TestClientContextEndsWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "100")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := newClient("k", nil, 2, srv.Client()).Post(ctx, srv.URL, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestCallErrorClassifiesAPIError(t *testing.T) {
	var f *rollout.Failure
	require.True(t, errors.As(callError("http://x/responses", &APIError{StatusCode: 429}), &f))
	require.Equal(t, 429, f.Status)
	require.True(t, f.Retryable)
	require.True(t, errors.As(callError("http://x/responses", &APIError{StatusCode: 404}), &f))
	require.False(t, f.Retryable)
}
