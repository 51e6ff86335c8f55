package workplace

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// Any arguments to any tool give a JSON output for the model, never a
// panic.
func FuzzRoute(f *testing.F) {
	for _, s := range []struct {
		tool int
		args string
	}{
		{0, `{"name": "nadia"}`},
		{2, `{"query": "kofi", "page": 2, "page_size": 3, "date_min": "2023-11-01"}`},
		{8, `{"query": "sync", "time_min": "2023-12-01 09:00:00", "page_size": -1}`},
		{9, `{"event_name": "x", "participant_email": "A@B.C", "event_start": "Dec 4 2023 10am", "duration": "1_0"}`},
		{17, `{}`},
		{19, `{"task_name": "(?i)c++", "board": "[front"}`},
		{23, `{"customer_name": "a", "last_contact_date_min": 5, "page": 1.5}`},
		{25, `{"customer_name": "a", "assigned_to_email": "b@c.d", "status": "Lead", "notes": null}`},
		{1, `[1, "x", null]`},
		{4, `{"email_id": ["00000373"]}`},
	} {
		f.Add(s.tool, s.args)
	}
	init, err := initial()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tool int, args string) {
		if !json.Valid([]byte(args)) {
			return
		}
		name := methodOrder[((tool%len(methodOrder))+len(methodOrder))%len(methodOrder)]
		st := *init
		out := st.route(name, json.RawMessage(args))
		if !json.Valid([]byte(out)) {
			t.Fatalf("%s(%s) = %q, not JSON", name, args, out)
		}
		// The replay of the same call never panics either.
		replay(init, []Action{{Name: name, Arguments: args}})
	})
}

func FuzzParseStamp(f *testing.F) {
	for _, s := range []string{"2023-11-30", "2023-11-30 23:59:00", "2023-11-30T10:00:00.5+05:30", "20231130",
		"Nov 30, 2023", "30 November 2023 5pm", "11/30/2023", "2023-02-30", "soon", "2023-1-2 3:04"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := parseStamp(s)
		if err == nil && !st.nat {
			if _, _, err := st.compare(st); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
		}
	})
}

func FuzzPattern(f *testing.F) {
	for _, s := range []string{"sync up", "C++", "(a|b)*", "[a-z", "x{2,1}", `\d+\Z`, "(?P<n>a)(?P=n)", "(?i:A)", "a**", `\q`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := compilePattern(s)
		if err != nil {
			if _, ok := err.(*pyErr); !ok {
				t.Fatalf("%q: %T %v", s, err, err)
			}
			return
		}
		if _, err := p.search("Team sync up C++ 2023"); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

// decodeJSON reads what encoding/json reads, to the same values.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a": 1, "b": [1.5, "x\u00e9\n", null, true], "a": 2}`, `[]`, `"\ud83d\ude00"`, `-0`, `1e999`, `{"k": {"n": -12345678901234567890}}`, `[1,]`, `{"a" 1}`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mine, err := decodeJSON([]byte(s))
		var want any
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		werr := dec.Decode(&want)
		if werr == nil && dec.More() {
			werr = errors.New("extra data")
		}
		if werr == nil {
			var rest any
			if dec.Decode(&rest) != io.EOF {
				werr = errors.New("extra data")
			}
		}
		if (err == nil) != (werr == nil) {
			if werr != nil && strings.Contains(werr.Error(), "number") {
				return // out-of-range numbers: json.Number keeps them, we read ±Inf as Python does
			}
			t.Fatalf("%q: decodeJSON error %v, encoding/json error %v", s, err, werr)
		}
		if err != nil {
			return
		}
		if !sameValue(mine, want) {
			t.Fatalf("%q: %s, want %#v", s, pyRepr(mine), want)
		}
	})
}

func sameValue(mine, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		d, ok := mine.(*dict)
		if !ok || len(d.keys) != len(w) {
			return false
		}
		for i, k := range d.keys {
			if !sameValue(d.vals[i], w[k]) {
				return false
			}
		}
		return true
	case []any:
		l, ok := mine.([]any)
		if !ok || len(l) != len(w) {
			return false
		}
		for i := range l {
			if !sameValue(l[i], w[i]) {
				return false
			}
		}
		return true
	case json.Number:
		f, err := w.Float64()
		m, ok := number(mine)
		return ok && (m == f || err != nil)
	}
	return mine == want
}
