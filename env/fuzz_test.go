package env_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
)

type shipment struct {
	ID      string    `json:"id"`
	Weight  float64   `json:"weight"`
	Fragile bool      `json:"fragile"`
	To      address   `json:"to"`
	Stops   []address `json:"stops"`
	Tags    []string  `json:"tags"`
	Note    *string   `json:"note"`
}

// FuzzToolArgs feeds arbitrary bytes to a NewTool tool whose argument type
// nests structs: the session never panics nor fails, and the output is
// either {"error": "..."} or the tool's result, which echoes the arguments.
func FuzzToolArgs(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","weight":1.5,"fragile":true,"to":{"street":"x","zip":"y"},"stops":[],"tags":["é"],"note":null}`,
		`{"id":"a","weight":1,"fragile":false,"to":{"street":"x","zip":"y"},"stops":[{"street":"s","zip":"z"}],"tags":null,"note":"n"}`,
		`{"id":"a","weight":1,"fragile":false,"to":{"street":"x"},"stops":[],"tags":[],"note":null}`,
		`{"id":1}`, `{}`, `[]`, `null`, `"x"`, `{"ID":"a"}`, `{"id":"a","id":"b"}`, ``, `{`, "\xff", `{"to":{"street":"\ud800"}}`,
	} {
		f.Add([]byte(seed))
	}
	srv := env.NewServer(env.NewTool("ship", "", func(_ context.Context, in shipment) (shipment, error) { return in, nil }))
	f.Fuzz(func(t *testing.T, args []byte) {
		sess, err := srv.Seed(context.Background(), rollout.Task{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.CallTool(context.Background(), "ship", args)
		if err != nil {
			t.Fatalf("CallTool(%q): %v", args, err)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("CallTool(%q): invalid JSON output %q", args, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] >= 0x80 {
				t.Fatalf("CallTool(%q): non-ASCII output %q", args, out)
			}
		}
		var e map[string]any
		if json.Unmarshal([]byte(out), &e) == nil && len(e) == 1 {
			if msg, ok := e["error"].(string); ok && msg != "" {
				return
			}
		}
		// Not an error: the tool ran, so the arguments decode, and the
		// output is the decoded arguments.
		var want, got shipment
		if err := json.Unmarshal(args, &want); err != nil {
			t.Fatalf("CallTool(%q) ran the tool on arguments that do not decode: %v", args, err)
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("CallTool(%q): output %q: %v", args, out, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("CallTool(%q) = %q, want %+v", args, out, want)
		}
	})
}
