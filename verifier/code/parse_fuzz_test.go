package code

import (
	"encoding/json"
	"testing"
)

// FuzzParseResult: whatever a program writes to the result descriptor, the
// frame parser never panics, and accepts only a frame after the nonce whose
// results are true, false or integers.
func FuzzParseResult(f *testing.F) {
	const tag = "0123456789abcdef"
	for _, s := range []string{
		tag + ` {"result": [true, -2], "metadata": {"error_code": -2}}`,
		tag + ` {"result": [], "metadata": null}`,
		"junk" + tag + ` {"result": [1.5]}`,
		tag + ` {"result": ["x"]}` + tag + ` {"result": [false]}`,
		tag, "", tag + " ",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, ok := parseResult(b, tag)
		if !ok {
			return
		}
		if res.Results == nil || !json.Valid(res.Metadata) {
			t.Fatalf("accepted %q as %+v", b, res)
		}
		if _, err := json.Marshal(res.Results); err != nil {
			t.Fatal(err)
		}
	})
}
