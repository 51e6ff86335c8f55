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
