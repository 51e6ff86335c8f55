package gymtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
)

// Requests returns each request as the handler saw it — method, path,
// header, body and the decoded fields of a model call — every header a
// copy of its own, however many requests sent the same one; requests
// that are not model calls, or whose body is not JSON, keep what was
// decoded of them.
func TestRequestsAsTheHandlerSawThem(t *testing.T) {
	var mu sync.Mutex
	var seen []gymtest.Request
	srv := gymtest.NewServer(gymtest.HandlerFunc(func(_ context.Context, req *gymtest.Request) gymtest.Reply {
		mu.Lock()
		seen = append(seen, *req)
		mu.Unlock()
		return gymtest.Text("ok")
	}))
	defer srv.Close()
	c := httpClient(t, 0)

	const n = 600 // more than one block of records
	for i := range n {
		body := fmt.Sprintf(`{"model": "m%d", "input": [{"role": "user", "content": "hi %d"}, {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}], "instructions": "be brief", "tools": [{"type": "function", "name": "f"}]}`, i, i)
		if i%3 == 1 {
			body = fmt.Sprintf(`{"model": "m%d", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}`, i)
		}
		path := "/responses"
		if i%3 == 1 {
			path = "/chat/completions"
		}
		resp, out, err := post(c, srv.URL+path, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(out))
	}
	resp, _, err := post(c, srv.URL+"/responses", `{"input": [`)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _, err = post(c, srv.URL+"/nowhere", `{}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	got := srv.Requests()
	require.Len(t, got, n+2)
	require.Len(t, seen, n)
	for i, want := range seen {
		r := got[i]
		require.Equal(t, want.Method, r.Method)
		require.Equal(t, want.Path, r.Path)
		require.Equal(t, want.Body, r.Body)
		require.Equal(t, want.Time, r.Time)
		require.Equal(t, want.Header, r.Header)
		require.Equal(t, want.Model, r.Model)
		require.Equal(t, want.Instructions, r.Instructions)
		require.Equal(t, want.Turn, r.Turn)
		require.Equal(t, rawTexts(want.Input), rawTexts(r.Input))
		require.Equal(t, rawTexts(want.Tools), rawTexts(r.Tools))
		require.Equal(t, rawTexts(want.Messages), rawTexts(r.Messages))
		require.Equal(t, fmt.Sprintf("m%d", i), r.Model)
		require.Equal(t, 1, r.Turn, "a function call or an assistant message before")
	}
	bad, none := got[n], got[n+1]
	require.Equal(t, `{"input": [`, string(bad.Body))
	require.Empty(t, bad.Input)
	require.Equal(t, "/v1/nowhere", none.Path)
	require.Equal(t, "{}", string(none.Body))

	// The headers are copies: changing one changes no other, nor what a
	// later call returns.
	got[0].Header.Set("X-Changed", "yes")
	require.Empty(t, got[3].Header.Get("X-Changed"))
	require.Empty(t, srv.Requests()[0].Header.Get("X-Changed"))
	require.Equal(t, "application/json", got[3].Header.Get("Content-Type"))
}

func rawTexts(items []json.RawMessage) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = strings.TrimSpace(string(it))
	}
	return out
}
