package gymtest

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzQuickParams holds the quick decoding of a model call to
// encoding/json's: wherever quickParams or quickTypeRole decode a body,
// json.Unmarshal decodes it to the same values, without an error.
func FuzzQuickParams(f *testing.F) {
	for _, s := range []string{
		`{"model": "m", "input": [{"role": "user", "content": "hi"}], "tools": [], "stream": false}`,
		`{"model": null, "messages": [{"role": "assistant"}, {"Role": "user"}], "logprobs": true, "top_logprobs": 2}`,
		`{"MODEL": "x"}`, `{"model": "a", "model": "b"}`, `{"tools": null, "input": "text", "prompt": "p", "add_generation_prompt": null}`,
		`{"top_logprobs": 1.5}`, `{"stream": "yes"}`, `{"ſtream": true}`, `[]`, `null`, `{"input": [1, "x", {"type": "function_call"}]}`,
		`{"type": "message", "role": "assistant"}`, `{"type": "a\u00e9", "role": 1}`, `{"type": "x", "type": null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var quick, slow modelParams
		if quickParams(body, &quick) {
			if err := json.Unmarshal(body, &slow); err != nil {
				t.Fatalf("%q: quickParams decoded what json.Unmarshal refuses: %v", body, err)
			}
			if !reflect.DeepEqual(quick, slow) {
				t.Fatalf("%q:\nquick %+v\njson  %+v", body, quick, slow)
			}
		}
		if !json.Valid(body) {
			return // quickTypeRole and rawList are given valid JSON only
		}
		if typ, role, ok := quickTypeRole(body); ok {
			var it struct {
				Type string `json:"type"`
				Role string `json:"role"`
			}
			if err := json.Unmarshal(body, &it); err != nil {
				t.Fatalf("%q: quickTypeRole read what json.Unmarshal refuses: %v", body, err)
			}
			if typ != it.Type || role != it.Role {
				t.Fatalf("%q: quick %q %q, json %q %q", body, typ, role, it.Type, it.Role)
			}
		}
		if items, ok := rawList(body); ok && body[0] == '[' {
			var list []json.RawMessage
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatalf("%q: rawList split what json.Unmarshal refuses: %v", body, err)
			}
			if !reflect.DeepEqual(items, list) {
				t.Fatalf("%q: rawList %q, json %q", body, items, list)
			}
		}
	})
}
