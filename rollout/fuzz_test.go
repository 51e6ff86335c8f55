package rollout_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
)

// refSeeds returns the lines of the reference JSONL files, to seed the fuzz
// targets. Unlike the reference tests it does not skip the target when the
// data is absent (the hand-written seeds still run), unless the data is
// required.
func refSeeds(f *testing.F) [][]byte {
	f.Helper()
	dir := filepath.Join("..", "..", "shared", "reference", "nemo-gym")
	if os.Getenv(reftest.EnvRequire) == "1" {
		dir = reftest.Dir(f)
	} else if _, err := os.Stat(dir); err != nil {
		return nil
	}
	var lines [][]byte
	for _, pattern := range []string{"resources_servers/*/data/*.jsonl", "responses_api_agents/*/data/*.jsonl"} {
		files, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for line := range bytes.Lines(data) {
				if line = bytes.TrimSpace(line); len(line) > 0 {
					lines = append(lines, line)
				}
			}
		}
	}
	return lines
}

var objectSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a\"b":"c\\"}`, `{"\u00e9":"\ud83d\ude00"}`,
	"{\"a\":\"\xff\"}", `{"a":[1,{"b":"}"}],"c":{"d":[]}}`, `{"n":-1.5e+10,"t":true,"f":false,"z":null}`,
	`[]`, `null`, `1`, `"s"`, `{`, `{"a":}`, `{"a":1,}`, `{} {}`, `{"a":"\`, `{"a":"\\"}`, `{"a":"\\\"}`,
	" \t\r\n{\n\"a\" : [ 1 , 2 ] }\n",
}

// ParseObject accepts exactly the valid JSON objects in UTF-8 (what
// Python's json.loads accepts), and writes back the same members in the
// same order.
func FuzzParseObject(f *testing.F) {
	for _, s := range objectSeeds {
		f.Add([]byte(s))
	}
	for _, line := range refSeeds(f) {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := rollout.ParseObject(data)
		valid := json.Valid(data) && utf8.Valid(data)
		if !valid {
			if err == nil {
				t.Fatalf("ParseObject accepted invalid JSON %q", data)
			}
			return
		}
		isObject := bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
		if err != nil {
			if isObject || !errors.Is(err, rollout.ErrNotObject) {
				t.Fatalf("ParseObject(%q): %v", data, err)
			}
			return
		}
		if !isObject {
			t.Fatalf("ParseObject accepted a non-object %q", data)
		}
		out := o.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("invalid output %q for %q", out, data)
		}
		want, err := tokens(data)
		if err != nil {
			return // beyond encoding/json's decoder (nesting depth)
		}
		got, err := tokens(out)
		if err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		if !tokensEqual(want, got) {
			t.Fatalf("round trip changed the JSON:\n in: %q\nout: %q", data, out)
		}
		// Parsing the output again gives the same bytes.
		again, err := rollout.ParseObject(out)
		if err != nil {
			t.Fatal(err)
		}
		if out2 := again.AppendJSON(nil); !bytes.Equal(out, out2) {
			t.Fatalf("not idempotent:\n%q\n%q", out, out2)
		}
		// encoding/json's path agrees.
		var u rollout.Object
		if err := json.Unmarshal(data, &u); err != nil {
			t.Fatalf("json.Unmarshal: %v", err)
		}
		if out3 := u.AppendJSON(nil); !bytes.Equal(out, out3) {
			t.Fatalf("UnmarshalJSON differs:\n%q\n%q", out, out3)
		}
	})
}

func tokensEqual(a, b []json.Token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ParseItems accepts exactly the valid lists of objects (or null) and keeps
// every item as it was.
func FuzzParseItems(f *testing.F) {
	for _, s := range []string{
		`[]`, `null`, `[{}]`, `[{"type":"message","role":"user","content":"hi"}]`,
		`[{"role":"user","content":[{"type":"input_text","text":"a"}]},{"type":"function_call","name":"f","arguments":"{}","call_id":"c"}]`,
		`[{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"x"}]}]`,
		`[{"type":"reasoning","summary":[{"type":"summary_text","text":"t"}]}]`,
		`[1]`, `[null]`, `[{},]`, `[{}{}]`, `[{}`, `{}`, `[{"a":"]"}]`, ` [ {} , {} ] `,
	} {
		f.Add([]byte(s))
	}
	for _, line := range refSeeds(f) {
		var row struct {
			RCP      struct{ Input json.RawMessage } `json:"responses_create_params"`
			Response struct{ Output json.RawMessage }
		}
		if json.Unmarshal(line, &row) == nil {
			if len(row.RCP.Input) > 0 {
				f.Add([]byte(row.RCP.Input))
			}
			if len(row.Response.Output) > 0 {
				f.Add([]byte(row.Response.Output))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := rollout.ParseItems(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ParseItems accepted invalid JSON %q", data)
		}
		var want []json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("ParseItems accepted %q, not a list: %v", data, err)
		}
		if len(items) != len(want) {
			t.Fatalf("%d items, want %d, in %q", len(items), len(want), data)
		}
		for i, it := range items {
			if !bytes.HasPrefix(bytes.TrimLeft(want[i], " \t\r\n"), []byte("{")) {
				t.Fatalf("item %d of %q is not an object", i, data)
			}
			out := it.AppendJSON(nil)
			wt, err1 := tokens(want[i])
			gt, err2 := tokens(out)
			if err2 != nil || (err1 == nil && !tokensEqual(wt, gt)) {
				t.Fatalf("item %d changed: %q -> %q", i, want[i], out)
			}
			// The accessors never panic and agree with the fields.
			_ = it.Type()
			_ = it.Text()
			_ = it.Output()
			if it.Type() == "" && it.Has("role") {
				t.Fatalf("an item with a role has no type: %q", out)
			}
		}
	})
}

// ParseResult never panics; what it accepts it writes as valid JSON without
// a duplicate member of its own, and reading that back is a fixed point.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"reward":1}`, `{"reward":0.5,"_ng_task_index":3,"_ng_rollout_index":1,"agent_ref":{"name":"a"}}`,
		`{"response":{"output":[{"type":"message","role":"assistant","content":"x"}]},"reward":1.0,"accuracy":true}`,
		`{"response":{"output":null},"reward":null}`, `{"reward_components":{"a":1,"b":0.5}}`,
		`{"_ng_failure_class":"timeout","_ng_failure_stage":"model","_ng_failure_message":"slow","_ng_failure_retryable":true,"_ng_failure_status":504}`,
		`{"_ng_failure_class":7,"_ng_failure_message":[],"reward":1}`,
		`{"agent_ref":{"name":""},"reward":"x"}`, `{"_ng_task_index":1e3}`, `{"reward":1e400}`,
		`{"reward":1,"reward":2,"x":1,"x":2}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	for _, line := range refSeeds(f) {
		f.Add(line)
	}
	reserved := []string{
		rollout.KeyTaskIndex, rollout.KeyRolloutIndex, rollout.KeyAgentRef, rollout.KeyResponse,
		rollout.KeyReward, rollout.KeyComponents, rollout.KeyFailureClass, rollout.KeyFailureStage,
		rollout.KeyFailureMessage, rollout.KeyFailureRetryable, rollout.KeyFailureStatus, rollout.KeyFailureStack,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := rollout.ParseResult(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ParseResult accepted invalid JSON %q", data)
		}
		out := res.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("invalid output %q for %q", out, data)
		}
		counts := map[string]int{}
		for _, k := range topKeys(t, out) {
			counts[k]++
		}
		for _, k := range reserved {
			if counts[k] > 1 {
				t.Fatalf("%q written %d times in %q", k, counts[k], out)
			}
		}
		if _, ok := counts[rollout.KeyReward]; ok == res.Failed() {
			t.Fatalf("failed=%v but reward written=%v: %q", res.Failed(), ok, out)
		}
		if !res.Failed() {
			requireKeepsMembers(t, data, out)
		}
		back, err := rollout.ParseResult(out)
		if err != nil {
			t.Fatalf("output does not read back: %v\n%q", err, out)
		}
		if back.Failed() != res.Failed() || back.TaskIndex != res.TaskIndex || back.RolloutIndex != res.RolloutIndex ||
			back.Agent != res.Agent || (!res.Failed() && back.Reward != res.Reward) {
			t.Fatalf("read back differs: %+v vs %+v", back, res)
		}
		if out2 := back.AppendJSON(nil); !bytes.Equal(out, out2) {
			t.Fatalf("not a fixed point:\n%q\n%q", out, out2)
		}
	})
}

// ReadTasks takes any byte stream: it never panics, yields one value per
// non-blank line (a leading byte order mark is not part of the first), and
// every error is a *LineError naming a line — except for a stream whose
// first line opens a JSON array, which gets one ErrJSONArray.
func FuzzReadTasks(f *testing.F) {
	for _, s := range []string{
		"", "\n", "{}\n", "{\"responses_create_params\":{\"input\":\"a\"}}",
		"{\"responses_create_params\":{\"input\":\"a\"}}\r\n\r\n{\"responses_create_params\":{\"input\":[]}}\n",
		"not json\n{\"responses_create_params\":{}}\n[1]\n", "\xff\xfe\n\x00", "{\"responses_create_params\":{\"input\":1}}",
		"\f\n\v\n\u00a0\n", "{\"responses_create_params\":{}}\r", "\r\r\n",
	} {
		f.Add([]byte(s))
	}
	if seeds := refSeeds(f); len(seeds) > 0 {
		f.Add(bytes.Join(seeds[:min(3, len(seeds))], []byte("\n")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nonBlank := 0
		array := false
		for line := range bytes.Lines(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
			if trimmed := bytes.Trim(line, " \t\r\n"); len(trimmed) > 0 {
				if nonBlank == 0 && trimmed[0] == '[' {
					array = true
				}
				nonBlank++
			}
		}
		lastLine := 0
		yields := 0
		for task, err := range rollout.ReadTasks(bytes.NewReader(data), "fuzz.jsonl") {
			yields++
			if array {
				if !errors.Is(err, rollout.ErrJSONArray) {
					t.Fatalf("a JSON array: %v", err)
				}
				continue
			}
			if err != nil {
				var le *rollout.LineError
				if !errors.As(err, &le) {
					t.Fatalf("not a *LineError: %v", err)
				}
				if le.Line <= lastLine || le.Path != "fuzz.jsonl" {
					t.Fatalf("line %d after line %d (%q)", le.Line, lastLine, le.Path)
				}
				lastLine = le.Line
				continue
			}
			if err := task.Validate(); err != nil {
				t.Fatalf("yielded an invalid task: %v", err)
			}
			if out := task.AppendJSON(nil); !json.Valid(out) {
				t.Fatalf("invalid task JSON %q", out)
			}
		}
		if array {
			nonBlank = 1
		}
		if yields != nonBlank {
			t.Fatalf("%d values for %d non-blank lines in %q", yields, nonBlank, data)
		}
	})
}

// requireKeepsMembers checks that the output row of a successful rollout
// has every member of the input row with the same value: the Result writes
// back what it read. Members that it normalizes (response, null values,
// stale failure fields) and rows with duplicate members are not compared.
func requireKeepsMembers(t *testing.T, in, out []byte) {
	var inRow, outRow map[string]any
	if json.Unmarshal(in, &inRow) != nil {
		return // a number beyond float64
	}
	if err := json.Unmarshal(out, &outRow); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	seen := map[string]bool{}
	for _, k := range topKeys(t, in) {
		if seen[k] {
			return
		}
		seen[k] = true
	}
	for k, v := range inRow {
		switch {
		case v == nil, k == rollout.KeyResponse, strings.HasPrefix(k, "_ng_failure_"):
			continue
		case k == rollout.KeyComponents:
			if m, ok := v.(map[string]any); ok && slices.Contains(slices.Collect(maps.Values(m)), nil) {
				continue
			}
		}
		got, ok := outRow[k]
		if !ok {
			t.Fatalf("member %q lost:\n in: %q\nout: %q", k, in, out)
		}
		if !reflect.DeepEqual(v, got) {
			t.Fatalf("member %q changed from %v to %v:\n in: %q\nout: %q", k, v, got, in, out)
		}
	}
}

// ParseInts and ParseFloats accept exactly the JSON arrays of numbers that
// encoding/json accepts (of integers, for ParseInts), and read the same
// values; a float beyond float64's range is rejected by both.
func FuzzParseNumberLists(f *testing.F) {
	for _, s := range []string{`[]`, `[1,2]`, ` [ -0.5 , 1e-7 ] `, `[1 2]`, `[1,]`, `[NaN]`, `[0x1p-2]`, `[1e400]`, `[01]`, `[1]x`, `[1.0]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []float64
		jsonErr := json.Unmarshal(data, &want)
		if jsonErr == nil && want == nil {
			jsonErr = errors.New("null") // not a list
		}
		got, err := rollout.ParseFloats(data)
		if (err == nil) != (jsonErr == nil) {
			t.Fatalf("ParseFloats(%q): %v, encoding/json: %v", data, err, jsonErr)
		}
		if err == nil && !slices.Equal(got, want) {
			t.Fatalf("ParseFloats(%q) = %v, encoding/json %v", data, got, want)
		}
		ints, err := rollout.ParseInts(data)
		if err != nil {
			return
		}
		var wantInts []int
		if jerr := json.Unmarshal(data, &wantInts); jerr != nil || !slices.Equal(ints, wantInts) {
			t.Fatalf("ParseInts(%q) = %v, encoding/json %v (%v)", data, ints, wantInts, jerr)
		}
	})
}
