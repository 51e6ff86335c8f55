package rollout

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gymkit/gym/internal/reftest"
)

var validCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1.5e10`, `-12.0e+3`,
	`true`, `false`, `null`, `tru`, `nul`, `True`, `{"a":1}`, `{"a":1,}`, `{"a" : [1, 2 ,3 ] }`, `[1,]`, `[,1]`,
	`{a:1}`, `{"a"}`, `{"a":}`, `{"a":1 "b":2}`, `"\u00e9"`, `"\u00g9"`, `"\x"`, `"\/"`, "\"a\tb\"", "\"a\x01b\"",
	"\"\xff\"", `"abc`, `"\`, `"\u12`, `[[[]]]`, `[[[]]`, `{"a":{"b":{"c":[true,false,null]}}}`, " \t\r\n{} \n",
	"{}x", `{} {}`, `1 2`, "\u00a0{}", `{"":""}`, `[-]`, `[1e5,-0.0,0e0]`, `{"a":1}}`, `]`, `}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, c := range validCases {
		if got, want := valid([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("valid(%.60q) = %v, encoding/json says %v", c, got, want)
		}
	}
}

// FuzzValid checks the validator against encoding/json.Valid.
func FuzzValid(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := valid(data), json.Valid(data); got != want {
			t.Fatalf("valid(%q) = %v, encoding/json says %v", data, got, want)
		}
	})
}

// BenchmarkValid checks a 15 KB multi-step output row of NeMo Gym's
// reference rollouts, beside encoding/json.
//
//	go test -run='^$' -bench=BenchmarkValid -benchmem ./rollout
func BenchmarkValid(b *testing.B) {
	data, err := os.ReadFile(reftest.Path(b, "resources_servers", "example_multi_step", "data", "example_rollouts.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	if i := bytes.IndexByte(data, '\n'); i > 0 {
		data = data[:i]
	}
	for _, bc := range []struct {
		name string
		f    func([]byte) bool
	}{{"rollout", valid}, {"encoding_json", json.Valid}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if !bc.f(data) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
