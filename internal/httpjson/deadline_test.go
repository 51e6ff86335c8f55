package httpjson_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/httpjson"
)

// wrapped is a middleware's ResponseWriter: it hides the connection's
// methods but unwraps, as http.ResponseController expects.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// A sender that trickles its body is cut off with 408 also behind a
// ResponseWriter that must be unwrapped to reach the connection's read
// deadline; a body that keeps pace is read whole.
func TestReadBodyPacesThroughWrappedWriter(t *testing.T) {
	httpjson.SetBodyLimitsForTest(t, httpjson.BodyBudget, 200*time.Millisecond, 1024)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := httpjson.ReadBody(wrapped{w}, r, 1<<20, "the body")
		if err != nil {
			httpjson.WriteError(w, 0, err)
			return
		}
		httpjson.WriteJSON(w, http.StatusOK, []byte(fmt.Sprintf(`{"n":%d}`, len(body))))
	}))
	defer ts.Close()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(body))
	require.Contains(t, string(body), "too slowly")
	require.Less(t, time.Since(start), 5*time.Second)

	// 600 bytes in three steps, within the pace (1024 bytes a second after
	// 200 ms of grace).
	pr, pw := io.Pipe()
	go func() {
		for range 3 {
			_, _ = pw.Write([]byte(strings.Repeat(" ", 200)))
			time.Sleep(50 * time.Millisecond)
		}
		_ = pw.Close()
	}()
	resp, err = http.Post(ts.URL, "application/json", pr)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	require.JSONEq(t, `{"n":600}`, string(b))
}

// WriteJSON's Content-Length is the body's, for the lengths it shares a
// header value for and past them.
func TestWriteJSONContentLength(t *testing.T) {
	for _, n := range []int{0, 1, 99, 100, 2047, 2048, 70000} {
		w := httptest.NewRecorder()
		body := []byte(strings.Repeat(" ", n))
		httpjson.WriteJSON(w, http.StatusOK, body)
		require.Equal(t, fmt.Sprint(n), w.Header().Get("Content-Length"))
		require.Equal(t, n, w.Body.Len())
	}
	// An answer's header is its own: adding to it leaves the next one's alone.
	w := httptest.NewRecorder()
	httpjson.WriteJSON(w, http.StatusOK, []byte("{}"))
	w.Header()["Content-Length"] = append(w.Header()["Content-Length"], "x")
	w2 := httptest.NewRecorder()
	httpjson.WriteJSON(w2, http.StatusOK, []byte("{}"))
	require.Equal(t, []string{"2"}, w2.Header()["Content-Length"])
}
