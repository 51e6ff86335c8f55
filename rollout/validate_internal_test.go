package rollout

import (
	"testing"
)

var validateSeeds = []string{
	`{"responses_create_params":{"input":"hi"}}`,
	`{"responses_create_params":{"input":[{"role":"user","content":"hi"}]},"agent_ref":{"type":"responses_api_agents","name":"a"}}`,
	`{"responses_create_params":{"input":3}}`,
	`{"responses_create_params":[]}`,
	`{"responses_create_params":{"inp\u0075t":3}}`,
	`{"responses_create_params":{},"agent_ref":{"name":3}}`,
	`{"responses_create_params":{},"agent_ref":{"name":"a","NAME":3}}`,
	`{"responses_create_params":{},"agent_ref":{"Name":"a"}}`,
	`{"responses_create_params":{},"agent_ref":[1]}`,
	`{"responses_create_params":{},"agent_ref":null}`,
	`{"responses_create_params":{},"agent_ref":"a"}`,
}

// FuzzFastValid checks that Validate's allocation-free scan never passes a
// row that its full check refuses.
func FuzzFastValid(f *testing.F) {
	for _, s := range validateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseObject(data)
		if err != nil {
			return
		}
		task := Task{Object: o}
		raw, ok := task.Get(KeyCreateParams)
		if !ok {
			return
		}
		if task.fastValid(raw) {
			if err := task.validate(raw); err != nil {
				t.Fatalf("the scan passes %s; the full check: %v", data, err)
			}
		}
	})
}

func TestFastValidAllocatesNothing(t *testing.T) {
	o, err := ParseObject([]byte(validateSeeds[1]))
	if err != nil {
		t.Fatal(err)
	}
	task := Task{Object: o}
	if err := task.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = task.Validate() }); n != 0 {
		t.Fatalf("Validate of a valid row: %v allocations", n)
	}
}
