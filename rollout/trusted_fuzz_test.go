package rollout

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// Values taken from a validated document are parsed without validating them
// again. That path must agree with the validating one on valid JSON, and
// must not panic on anything (a caller of Set may break its promise).
func FuzzParseTrusted(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"a":"\\"}`, `{"a":"\\\""}`, `{"a":"x\"}"}`, `{"a":[{"b":"]"}],"c":{}}`,
		`[{"type":"message"},{"a":[1,2]}]`, `[]`, `null`, `[null]`, `{"output":[{}]}`,
		`{"a":"\`, `{"a":1`, `[{}`, `{"a" 1}`, `{"a":}`, `["x"]`, `{"output":[1]}`, ` {"k" : "v" } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseObject(data, false)
		items, ierr := parseItems(data, false)
		resp, rerr := parseResponse(data, false)
		var u Object
		_ = u.UnmarshalJSON(data)
		if !json.Valid(data) || !utf8.Valid(data) { // ParseObject refuses text that is not UTF-8
			return
		}
		vo, verr := ParseObject(data)
		if (err == nil) != (verr == nil) {
			t.Fatalf("parseObject(trusted) err=%v, ParseObject err=%v for %q", err, verr, data)
		}
		if err == nil && !bytes.Equal(o.AppendJSON(nil), vo.AppendJSON(nil)) {
			t.Fatalf("trusted and validated parses differ for %q", data)
		}
		vitems, vierr := ParseItems(data)
		if (ierr == nil) != (vierr == nil) || len(items) != len(vitems) {
			t.Fatalf("parseItems(trusted) %d, %v; ParseItems %d, %v for %q", len(items), ierr, len(vitems), vierr, data)
		}
		for i := range items {
			if !bytes.Equal(items[i].AppendJSON(nil), vitems[i].AppendJSON(nil)) {
				t.Fatalf("item %d differs for %q", i, data)
			}
		}
		vresp, vrerr := ParseResponse(data)
		if (rerr == nil) != (vrerr == nil) {
			t.Fatalf("parseResponse(trusted) err=%v, ParseResponse err=%v for %q", rerr, vrerr, data)
		}
		if rerr == nil && !bytes.Equal(resp.AppendJSON(nil), vresp.AppendJSON(nil)) {
			t.Fatalf("responses differ for %q", data)
		}
	})
}
