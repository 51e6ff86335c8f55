package env_test

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/multistep"
)

// syncBuffer is a bytes.Buffer safe for the handler's logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var fuzzRoutes = []string{"/seed_session", "/verify", "/aggregate_metrics", "/get_synonym_value", "/extract_synonym_values", "/", "/nope"}

// FuzzHandler posts arbitrary bodies to every route of a Handler serving
// the multi-step example, with and without a session: it never panics (a
// recovered panic is logged, and the log must stay empty), every answer is
// JSON, and every error is {"error": ...} with a 4xx or 5xx status.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct {
		route  uint8
		get    bool
		cookie bool
		body   string
	}{
		{0, false, false, `{"responses_create_params": {"input": "hi"}, "expected_synonym_values": [1]}`},
		{1, false, true, `{"expected_synonym_values": [711, 407], "minefield_label_value": 299, "response": {"output": [{"type": "function_call", "name": "extract_synonym_values", "arguments": "{\"synonym_values\": [711, 407]}", "call_id": "c"}]}}`},
		{1, false, false, `{"expected_synonym_values": [], "response": {"output": [{"type": "function_call", "name": "extract_synonym_values", "arguments": "[1"}]}}`},
		{1, false, true, `{"response": null}`},
		{2, false, false, `{"verify_responses": [{"_ng_task_index": 1, "reward": 1.0, "accuracy": true, "response": {"usage": {"input_tokens": 1}}}]}`},
		{2, false, false, `{"verify_responses": [{"_ng_task_index": 1e300, "reward": -1e308}, {"reward": 1e308}]}`},
		{3, false, true, `{"synonym": "Blazing"}`},
		{3, false, true, `{"synonym": 1}`},
		{4, false, true, `{"synonym_values": [1, 2]}`},
		{4, true, true, ``},
		{5, true, false, ``},
		{6, false, true, `{}`},
		{0, false, false, `{"a": 1,,}`},
		{0, false, false, "\xff"},
		{1, false, false, `[]`},
		{2, false, false, `{"verify_responses": null}`},
		{3, false, false, `{"synonym": "\ud800"}`},
	} {
		f.Add(seed.route, seed.get, seed.cookie, []byte(seed.body))
	}
	var logged syncBuffer
	h := env.NewHandler(multistep.NewServer(), multistep.NewVerifier(),
		env.WithSessionTTL(time.Second), env.WithMaxBodyBytes(1<<16), env.WithErrorLog(log.New(&logged, "", 0)))
	f.Cleanup(func() {
		if err := h.Close(); err != nil {
			f.Error(err)
		}
	})
	f.Fuzz(func(t *testing.T, route uint8, get, withCookie bool, body []byte) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		var cookies []*http.Cookie
		if withCookie {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/seed_session", strings.NewReader(`{}`)))
			if rec.Code != http.StatusOK {
				t.Fatalf("seed: %d %s", rec.Code, rec.Body)
			}
			cookies = rec.Result().Cookies()
		}
		method := http.MethodPost
		if get {
			method = http.MethodGet
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if l := logged.String(); l != "" {
			t.Fatalf("%s %s %q: the handler recovered a panic:\n%s", method, path, body, l)
		}
		out := rec.Body.Bytes()
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s %q: Content-Type %q", method, path, body, ct)
		}
		if !json.Valid(out) {
			t.Fatalf("%s %s %q: answer %d is not JSON: %q", method, path, body, rec.Code, out)
		}
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code >= 400 && rec.Code < 600:
			var e map[string]json.RawMessage
			if err := json.Unmarshal(out, &e); err != nil || len(e["error"]) == 0 {
				t.Fatalf("%s %s %q: error answer %d is not {\"error\": ...}: %q", method, path, body, rec.Code, out)
			}
			if rec.Code >= 500 && path != "/verify" {
				t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, out)
			}
		default:
			t.Fatalf("%s %s %q: status %d", method, path, body, rec.Code)
		}
	})
}
