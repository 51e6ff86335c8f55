package model

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// mutating is a RoundTripper that changes the header of the request it
// is given (which a RoundTripper should not do, but some do).
type mutating struct{ next http.RoundTripper }

func (m mutating) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Add("X-Added", "1")
	return m.next.RoundTrip(r)
}

// Every attempt carries its X-Stainless-Retry-Count and the client's
// headers, and nothing one request's header gets on the way — a cookie
// jar's cookies, a RoundTripper's additions — reaches another's.
func TestClientRequestHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		n := len(seen)
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "k", Value: "v"})
		if n%2 == 1 {
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"output":[]}`))
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	for name, hc := range map[string]*http.Client{
		"net/http's transport":   srv.Client(),
		"a cookie jar":           {Transport: srv.Client().Transport, Jar: jar},
		"a foreign RoundTripper": {Transport: mutating{srv.Client().Transport}},
	} {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			c := newClient("key", map[string]string{"X-Extra": "v"}, 0, hc)
			for range 3 {
				_, err := c.Post(context.Background(), srv.URL+"/responses", []byte(`{}`))
				require.NoError(t, err)
			}
			require.Len(t, seen, 6)
			for i, h := range seen {
				require.Equal(t, []string{[]string{"0", "1"}[i%2]}, h.Values("X-Stainless-Retry-Count"), "attempt %d", i)
				require.Equal(t, "Bearer key", h.Get("Authorization"))
				require.Equal(t, "v", h.Get("X-Extra"))
				require.LessOrEqual(t, len(h.Values("X-Added")), 1, "request %d", i)
				require.LessOrEqual(t, len(h.Values("Cookie")), 1, "request %d", i)
			}
			for _, h := range c.shared {
				require.Empty(t, h.Values("X-Added"))
				require.Empty(t, h.Values("Cookie"))
			}
		})
	}
	require.NotNil(t, newClient("", nil, 0, srv.Client()).shared, "net/http's Transport, no jar: shared headers")
	require.Nil(t, newClient("", nil, 0, &http.Client{Jar: jar}).shared)
	require.Nil(t, newClient("", nil, 0, &http.Client{Transport: mutating{}}).shared)
}
