package codegen_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/env/codegen"
	"github.com/gymkit/gym/internal/reftest"
)

// Served over NeMo Gym's HTTP protocol, /verify answers NeMo Gym's
// test_app.py requests as its server does: the request echoed back with
// reward and the verify fields.
func TestHTTPVerify(t *testing.T) {
	reftest.Python(t)
	srv, v, err := codegen.New(codegen.Config{NumProcesses: 1, UnitTestTimeoutSecs: 10})
	require.NoError(t, err)
	h := env.NewHandler(srv, v)
	ts := httptest.NewServer(h)
	defer func() {
		ts.Close()
		require.NoError(t, h.Close())
	}()
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(ts.URL+"/verify", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m), "%s", b)
		return resp.StatusCode, m
	}
	request := func(text, unitTests string) string {
		resp := `{"id":"resp_ok","created_at":0.0,"model":"dummy","object":"response","output":[{"id":"msg_ok","content":[{"annotations":[],"text":` +
			string(must(json.Marshal(text))) + `,"type":"output_text"}],"role":"assistant","status":"completed","type":"message"}],"parallel_tool_calls":false,"tool_choice":"auto","tools":[]}`
		return `{"responses_create_params":{"input":[{"role":"user","content":"Read n and print n^2."}],"temperature":0,"parallel_tool_calls":false},"response":` +
			resp + `,"verifier_metadata":{"unit_tests":` + unitTests + `}}`
	}

	status, m := post(request("```python\nn=int(input())\nprint(n*n)\n```", `{"inputs":["2\n","5\n"],"outputs":["4","25"]}`))
	require.Equal(t, http.StatusOK, status, "%v", m)
	require.Equal(t, 1.0, m["reward"])
	require.Equal(t, []any{true, true}, m["result"])
	require.Equal(t, "n=int(input())\nprint(n*n)", m["extracted_model_code"])
	require.Contains(t, m, "verifier_metadata")
	require.Contains(t, m, "response")
	require.Nil(t, m["difficulty"])

	status, m = post(request("```python\nn=int(input())\nprint(n+1)\n```", `{"inputs":["3\n"],"outputs":["9"]}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 0.0, m["reward"])
	require.Equal(t, "Wrong answer at output_line_idx=0: 4 != 9", m["metadata"].(map[string]any)["error_message"])

	status, m = post(`{"responses_create_params":{"input":"x"},"response":{"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"` + "```\\nprint(1)\\n```" + `"}]}]}}`)
	require.GreaterOrEqual(t, status, 400, "%v", m)
	require.Contains(t, strings.Join(values(m), " "), "verifier_metadata")
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func values(m map[string]any) []string {
	var out []string
	for k, v := range m {
		b, _ := json.Marshal(v)
		out = append(out, k+"="+string(b))
	}
	return out
}
