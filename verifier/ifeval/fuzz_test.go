package ifeval_test

import (
	"encoding/json"
	"testing"

	"github.com/gymkit/gym/verifier/ifeval"
)

// FuzzCheck builds any instruction from fuzzed JSON kwargs and checks a
// fuzzed response: building and checking return errors, never panic.
func FuzzCheck(f *testing.F) {
	ids := ifeval.IDs()
	f.Add(uint8(0), `{"keywords":["a"]}`, "a b c")
	f.Add(uint8(10), `{"num_sentences":2,"relation":"at least"}`, "One. Two! Three?")
	f.Add(uint8(30), `{"N":2}`, "\"Quoted.\" ***\n\n* x")
	f.Add(uint8(53), `{"keyword":"(a+)+$","n":1,"m":1}`, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
	f.Fuzz(func(t *testing.T, which uint8, kwargs, response string) {
		var args map[string]any
		_ = json.Unmarshal([]byte(kwargs), &args)
		in, err := ifeval.New(ids[int(which)%len(ids)], args)
		if err != nil {
			return
		}
		_, _ = in.Check(response)
		ifeval.Punkt(response)
		ifeval.WordTokenize(response)
		ifeval.SplitIntoSentences(response)
		ifeval.DetectLanguage(response)
	})
}
