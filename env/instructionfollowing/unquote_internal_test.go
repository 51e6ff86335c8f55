package instructionfollowing

import (
	"encoding/json"
	"testing"
)

// unquote agrees with encoding/json on every string it is given.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb\u2019c"`, `"\ud83d\ude00"`, `"\ud83d x"`, `"\u00e9\/\\\""`, `"bad \x"`, `"\u12"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want string
		wantErr := json.Unmarshal([]byte(s), &want)
		got, ok := unquote([]byte(s))
		if wantErr == nil && (!ok || got != want) {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q", s, got, ok, want)
		}
	})
}

// elements and member split what encoding/json decodes.
func FuzzScan(f *testing.F) {
	for _, s := range []string{`[]`, `[1, "a,]", {"x": [1, {"y": "}"}]}, null]`, `{"type": "output_text", "text": "hi \"there\"", "annotations": []}`, ` [ {"text" : "a"} , 2 ] `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var list []json.RawMessage
		if json.Unmarshal([]byte(s), &list) == nil {
			got, ok := elements([]byte(s))
			if !ok || len(got) != len(list) {
				t.Fatalf("elements(%q) = %d, %v; want %d", s, len(got), ok, len(list))
			}
			for i := range list {
				if string(got[i]) != string(list[i]) {
					t.Fatalf("elements(%q)[%d] = %s, want %s", s, i, got[i], list[i])
				}
			}
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &obj) == nil {
			for k, v := range obj {
				got, ok := member([]byte(s), k)
				var a, b any
				if !ok || json.Unmarshal(got, &a) != nil || json.Unmarshal(v, &b) != nil {
					t.Fatalf("member(%q, %q) = %s, %v; want %s", s, k, got, ok, v)
				}
			}
		}
	})
}
