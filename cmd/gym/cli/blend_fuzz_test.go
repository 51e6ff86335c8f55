package cli

import (
	"strings"
	"testing"
)

// FuzzParseBlendSource: --blend PATH:AGENT[:WEIGHT] either parses into a
// path and an agent that rebuild the spec, or is a usage error; it never
// panics.
func FuzzParseBlendSource(f *testing.F) {
	for _, s := range []string{"a.jsonl:agent", "a.jsonl:agent:3", "C:/data/a.jsonl:agent:0.5", "a.jsonl", ":", "::", "a::1", "a:b:c", "a:b:1e309", "a:b:NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := parseBlendSource(spec)
		if err != nil {
			if _, ok := err.(usageError); !ok {
				t.Fatalf("%q: %T is not a usage error", spec, err)
			}
			return
		}
		if s.Agent == "" || strings.Contains(s.Agent, ":") {
			t.Fatalf("%q: agent %q", spec, s.Agent)
		}
		if !strings.HasPrefix(spec, s.Input+":"+s.Agent) {
			t.Fatalf("%q: parsed as %q + %q", spec, s.Input, s.Agent)
		}
	})
}
