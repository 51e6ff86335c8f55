package env_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A session cookie is found in every way a client may send its Cookie
// header — among other cookies, quoted, in a second Cookie line, after a
// stale session cookie, among many cookies — and every answer sets the
// same cookie again.
func TestHandlerCookieLines(t *testing.T) {
	ts, _ := serve(t, tallyServer(nil), tallyVerifier())
	seed := do(t, ts, http.MethodPost, "/seed_session", tallyRow("lines"))
	require.Len(t, seed.cookies, 1)
	c := seed.cookies[0]
	pair := c.Name + "=" + c.Value
	setCookie := seed.header.Get("Set-Cookie")
	require.NotEmpty(t, setCookie)

	many := make([]string, 30)
	for i := range many {
		many[i] = "c" + strings.Repeat("x", i) + "=1"
	}
	stale := c.Name + "=AAAA.AAAA"
	cases := map[string][]string{
		"alone":                {pair},
		"among others":         {"a=1; " + pair + "; b=2"},
		"quoted":               {c.Name + `="` + c.Value + `"`},
		"second line":          {"a=1", pair},
		"after a stale one":    {stale + "; " + pair},
		"among many":           {strings.Join(many, "; ") + "; " + pair},
		"spaces around things": {"  a=1 ;" + pair + " ;  "},
	}
	total := 0
	for name, lines := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/add", strings.NewReader(`{"n": 1}`))
			require.NoError(t, err)
			for _, l := range lines {
				req.Header.Add("Cookie", l)
			}
			resp, err := ts.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			total++
			require.Contains(t, string(body), `"total": `)
			require.Equal(t, []string{setCookie}, resp.Header.Values("Set-Cookie"), "the answer sets the session's cookie again, once")
		})
	}
	r := do(t, ts, http.MethodPost, "/add", `{"n": 0}`, c)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, len(cases), total)
	require.Contains(t, r.body, `"total": 7`, "every call above reached the one session")

	// A cookie for no session, quoted or not, is not one.
	for _, line := range []string{stale, c.Name + `="` + c.Value + `x"`, c.Name + `=` + c.Value + `"`} {
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/add", strings.NewReader(`{"n": 1}`))
		require.NoError(t, err)
		req.Header.Set("Cookie", line)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, line)
	}
}
