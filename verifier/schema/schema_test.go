package schema_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/schema"
)

func ExampleChecker_Text() {
	c := schema.Checker{XMLCoerceTypes: true}
	person := `{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}`
	for _, in := range []struct {
		f    schema.Format
		text string
	}{
		{schema.JSON, `{"name": "Ada", "age": 36}`},
		{schema.JSON, "```json\n{\"name\": \"Ada\", \"age\": 36}\n```"},
		{schema.JSON, `{"name": "Ada"}`},
		{schema.YAML, "name: Ada\nage: 0x24\n"},
		{schema.XML, "<person><name>Ada</name><age>36</age></person>"},
		{schema.CSV, "name,age\nAda,thirty-six\n"},
	} {
		s := person
		if in.f == schema.XML {
			s = `{"type": "object", "properties": {"person": ` + person + `}}`
		}
		if in.f == schema.CSV {
			s = `{"type": "array", "items": ` + person + `}`
		}
		res, _ := c.Text(in.f, s, in.text)
		first, _, _ := strings.Cut(res.ErrorMessage, "\n")
		fmt.Println(strings.TrimSpace(fmt.Sprint(in.f, " ", res.Reward, " ", res.ErrorType, " ", first)))
	}
	// Output:
	// json 1
	// json 0 parse_error JSONDecodeError: Expecting value: line 1 column 1 (char 0)
	// json 0 validation_error ValidationError: 'age' is a required property
	// yaml 1
	// xml 1
	// csv 0 validation_error ValidationError: 'thirty-six' is not of type 'integer'
}

func ExampleParseYAML() {
	v, _ := schema.ParseYAML("a: yes\nb: 010\nc: 1e3\nd: 1:30\ne: ~\nf: 2024-05-10\n")
	m := v.(map[string]any)
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		fmt.Printf("%s: %v (%T)\n", k, m[k], m[k])
	}
	// Output:
	// a: true (bool)
	// b: 8 (json.Number)
	// c: 1e3 (string)
	// d: 90 (json.Number)
	// e: <nil> (<nil>)
	// f: datetime.date(2024, 5, 10) (schema.Timestamp)
}

func ExampleParseXML() {
	v, _ := schema.ParseXML(`<root id="7"><tag>a</tag><tag>b</tag><empty/><text> hi </text></root>`)
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output:
	// {"root":{"@id":"7","empty":null,"tag":["a","b"],"text":"hi"}}
}

func ExampleStrictify() {
	v, _ := schema.ParseJSON(`{"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {}}}}, "anyOf": [{"properties": {"c": {}}}]}`)
	_ = schema.Strictify(v)
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output:
	// {"additionalProperties":false,"anyOf":[{"properties":{"c":{}}}],"properties":{"a":{"additionalProperties":false,"properties":{"b":{}},"required":["b"],"type":"object"}},"required":["a"],"type":"object"}
}

// Python's json.loads messages (checked against CPython).
func TestParseJSONErrors(t *testing.T) {
	for in, want := range map[string]string{
		"[":           "Expecting value: line 1 column 2 (char 1)",
		"{":           "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
		`"\u12`:       `Invalid \uXXXX escape: line 1 column 3 (char 2)`,
		`"abc`:        "Unterminated string starting at: line 1 column 1 (char 0)",
		"\"a\nb\"":    "Invalid control character at: line 1 column 3 (char 2)",
		`"\x"`:        `Invalid \escape: line 1 column 2 (char 1)`,
		"01":          "Extra data: line 1 column 2 (char 1)",
		"-":           "Expecting value: line 1 column 1 (char 0)",
		"1.":          "Extra data: line 1 column 2 (char 1)",
		"[1 2]":       "Expecting ',' delimiter: line 1 column 4 (char 3)",
		`{"a" 1}`:     "Expecting ':' delimiter: line 1 column 6 (char 5)",
		`{"a":}`:      "Expecting value: line 1 column 6 (char 5)",
		" ":           "Expecting value: line 1 column 2 (char 1)",
		"\ufeff{}":    "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
		"nul":         "Expecting value: line 1 column 1 (char 0)",
		"[1,2":        "Expecting ',' delimiter: line 1 column 5 (char 4)",
		`{"a":1`:      "Expecting ',' delimiter: line 1 column 7 (char 6)",
		"{\n\"é\": x": "Expecting value: line 2 column 6 (char 7)",
		// Python 3.13's trailing commas.
		"[1,]":     "Illegal trailing comma before end of array: line 1 column 3 (char 2)",
		`{"a":1,}`: "Illegal trailing comma before end of object: line 1 column 7 (char 6)",
	} {
		_, err := schema.ParseJSON(in)
		require.Error(t, err, in)
		require.Equal(t, "JSONDecodeError: "+want, err.Error(), in)
	}
	v, err := schema.ParseJSON(` {"a": [1, 2.50, -0, NaN, -Infinity, "\ud83d\ude00", true, null], "a": {"b": 1e400}} `)
	require.NoError(t, err)
	require.Equal(t, "{'a': {'b': inf}}", schema.Repr(v))
	v, err = schema.ParseJSON(`[1, 2.50, 1E5, "\ud83d\ude00\t'", false, null]`)
	require.NoError(t, err)
	require.Equal(t, `[1, 2.5, 100000.0, "😀\t'", False, None]`, schema.Repr(v))
}

func TestParseYAML(t *testing.T) {
	for in, want := range map[string]string{
		"a: yes\nb: No\nc: on\nd: OFF\n":                              "{'a': True, 'b': False, 'c': True, 'd': False}",
		"- 0b101\n- 0x1F\n- 017\n- 1_000\n- -1:30\n":                  "[5, 31, 15, 1000, -90]",
		"- 1.5\n- 1.\n- .5\n- 1.0e+3\n- 1e3\n- .inf\n- -.Inf\n- 08\n": "[1.5, 1.0, 0.5, 1000.0, '1e3', inf, -inf, '08']",
		"a: ~\nb:\nc: null\nd: Null\ne: nULL\n":                       "{'a': None, 'b': None, 'c': None, 'd': None, 'e': 'nULL'}",
		"base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n":               "{'base': {'x': 1, 'y': 2}, 'c': {'x': 1, 'y': 3}}",
		"1: a\ntrue: b\n~: c\n":                                       "{1: 'a', None: 'c', True: 'b'}",
		"a: '1'\nb: \"yes\"\nc: !!str 2\nd: !!int '3'\n":              "{'a': '1', 'b': 'yes', 'c': '2', 'd': 3}",
		"a: b\na: c\n": "{'a': 'c'}",
		"":             "None",
		"just text":    "'just text'",
	} {
		v, err := schema.ParseYAML(in)
		require.NoError(t, err, in)
		require.Equal(t, want, schema.Repr(v), in)
	}
	for in, name := range map[string]string{
		"a: 1\n---\nb: 2\n":      "ComposerError",
		"=\n":                    "ConstructorError",
		"a: !custom x\n":         "ConstructorError",
		"a: 2024-13-01\n":        "ValueError",
		"key: value\n  bad: x\n": "ScannerError",
		"? [a]\n: 1\n":           "ConstructorError",
	} {
		_, err := schema.ParseYAML(in)
		var pe *schema.PyError
		require.ErrorAs(t, err, &pe, in)
		require.Equal(t, name, pe.Name, in)
	}
}

func TestParseXML(t *testing.T) {
	for in, want := range map[string]string{
		"<a>x</a>": `{"a":"x"}`,
		"<?xml version=\"1.0\"?>\n<a>\n  <b>1</b>\n  <b>2</b>\n</a>\n": `{"a":{"b":["1","2"]}}`,
		`<a k="v">t<b/>u</a>`:                             `{"a":{"#text":"tu","@k":"v","b":null}}`,
		`<x:a xmlns:x="urn:x"><x:b>&lt;1&gt;</x:b></x:a>`: `{"x:a":{"@xmlns:x":"urn:x","x:b":"\u003c1\u003e"}}`,
		"<a><![CDATA[ <raw> ]]><!-- c --></a>":            `{"a":"\u003craw\u003e"}`,
	} {
		v, err := schema.ParseXML(in)
		require.NoError(t, err, in)
		out, _ := json.Marshal(v)
		require.Equal(t, want, string(out), in)
	}
	for _, in := range []string{"", "<a>", "<a></b>", "<a/><b/>", "text<a/>", "<a/>text", "```xml\n<a/>\n```", `<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`} {
		_, err := schema.ParseXML(in)
		require.Error(t, err, in)
	}
}

func TestParseCSV(t *testing.T) {
	for in, want := range map[string]string{
		"a,b\n1,2\n":               "[{'a': '1', 'b': '2'}]",
		"a,b\r\n1,2\r\n\r\n3,4":    "[{'a': '1', 'b': '2'}, {'a': '3', 'b': '4'}]",
		"a,b\n\"x,\"\"y\"\"\",z\n": `[{'a': 'x,"y"', 'b': 'z'}]`,
		"a,b\n\"multi\nline\",2\n": "[{'a': 'multi\\nline', 'b': '2'}]",
		"a,b\n\"q\"x,2\n":          "[{'a': 'qx', 'b': '2'}]",
		"a,b\n1\n":                 "[{'a': '1', 'b': None}]",
		"a,b\n1,2,3,4\n":           "[{None: ['3', '4'], 'a': '1', 'b': '2'}]",
		"a,b\n\"open,1\n":          "[{'a': 'open,1\\n', 'b': None}]",
		"":                         "[]",
		"a,b\n":                    "[]",
		"\na,b\n1,2\n":             "[{None: ['a', 'b']}, {None: ['1', '2']}]", // the blank first line is the header
	} {
		v, err := schema.ParseCSV(in)
		require.NoError(t, err, in)
		require.Equal(t, want, schema.Repr(v), in)
	}
	_, err := schema.ParseCSV("a,b\n1\r2,3\n")
	require.EqualError(t, err, "Error: new-line character seen in unquoted field - do you need to open the file with newline=''?")
}

func TestParseTOML(t *testing.T) {
	v, err := schema.ParseTOML("a = 1\nb = 2.5\n[t]\nc = [true, \"x\"]\n")
	require.NoError(t, err)
	require.Equal(t, "{'a': 1, 'b': 2.5, 't': {'c': [True, 'x']}}", schema.Repr(v))
	_, err = schema.ParseTOML("a = \n")
	var pe *schema.PyError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "TOMLDecodeError", pe.Name)
}

func TestCoerce(t *testing.T) {
	s, _ := schema.ParseJSON(`{"type": "object", "properties": {"i": {"type": "integer"}, "n": {"type": "number"}, "b": {"type": "boolean"}, "s": {"type": "string"}, "l": {"type": "array", "items": {"type": "integer"}}, "u": {"type": ["integer", "null"]}}}`)
	got := schema.CoerceXML(map[string]any{"i": " 1_000 ", "n": "1e3", "b": "TRUE", "s": nil, "l": map[string]any{"item": "7"}, "u": "5", "x": "9"}, s)
	require.Equal(t, "{'b': True, 'i': 1000, 'l': [7], 'n': 1000.0, 's': '', 'u': '5', 'x': '9'}", schema.Repr(got))
	got = schema.CoerceXML(map[string]any{"i": "1.5", "b": "yes", "l": nil}, s)
	require.Equal(t, "{'b': 'yes', 'i': '1.5', 'l': []}", schema.Repr(got))

	rows, err := schema.CoerceCSV([]any{map[string]any{"i": "٣", "n": "", "b": "0", "u": "", "z": "1"}}, map[string]any{"items": s})
	require.NoError(t, err)
	require.Equal(t, "[{'b': False, 'i': 3, 'n': '', 'u': None, 'z': '1'}]", schema.Repr(rows))
	_, err = schema.CoerceCSV([]any{}, []any{})
	require.EqualError(t, err, "AttributeError: 'list' object has no attribute 'get'")
}

func TestValidation(t *testing.T) {
	c := schema.Checker{}
	for _, tc := range []struct {
		schema, value, msg string
	}{
		{`{"type": "object", "properties": {"a": {}, "b": {}}}`, `{"c": 1}`, "ValidationError: 'a' is a required property"},
		{`{"type": "object", "properties": {"a": {}}, "additionalProperties": true}`, `{"a": 1, "y": 2, "x": 3}`, "ValidationError: Additional properties are not allowed ('x', 'y' were unexpected)"},
		{`{"type": "object", "properties": {"a": {"type": "array", "items": {"enum": [1, 2]}}}}`, `{"a": [1, 3]}`, "ValidationError: 3 is not one of [1, 2]"},
		{`{"type": "array", "minItems": 1}`, `[]`, "ValidationError: [] should be non-empty"},
		{`{"type": "string", "pattern": "(?<=a)b"}`, `"cb"`, "ValidationError: 'cb' does not match '(?<=a)b'"},
		{`{"type": "number", "minimum": 1.5}`, `1`, "ValidationError: 1 is less than the minimum of 1.5"},
		{`{"type": "integer"}`, `2.0`, ""},
		{`{"type": "string", "format": "date"}`, `"not a date"`, ""},
		{`{"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer", "exclusiveMinimum": 1}`, `1`, "ValidationError: 1 is less than or equal to the minimum of 1"},
		{`{"properties": {"properties": {"type": "object"}}}`, `{}`, "SchemaError: "},
		{`5`, `{}`, "SchemaError: "},
		{`true`, `{"anything": 1}`, ""},
	} {
		v, err := schema.ParseJSON(tc.value)
		require.NoError(t, err)
		res, err := c.Value(tc.schema, v)
		require.NoError(t, err)
		if tc.msg == "" {
			require.Equal(t, 1.0, res.Reward, tc.schema+" "+res.ErrorMessage)
			continue
		}
		require.Equal(t, "validation_error", res.ErrorType, tc.schema)
		require.Contains(t, res.ErrorMessage, tc.msg, tc.schema)
	}
	res, err := c.Value(`{"type": "object",}`, nil)
	require.NoError(t, err)
	require.Equal(t, schema.Result{ErrorType: "schema_error", ErrorMessage: "Illegal trailing comma before end of object: line 1 column 18 (char 17)"}, res)
	_, err = c.Value(`{"properties": null}`, nil)
	require.EqualError(t, err, "TypeError: 'NoneType' object is not iterable")
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5, "x"]}`, `[1,]`, `"\ud800"`, `NaN`, "\ufeff", `{"a":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := schema.ParseJSON(s)
		if err != nil {
			var pe *schema.PyError
			require.ErrorAs(t, err, &pe)
			// What encoding/json accepts, Python accepts (but for nesting
			// past Python's recursion limit and huge integers).
			if json.Valid([]byte(s)) && pe.Name == "JSONDecodeError" {
				t.Fatalf("valid JSON %q rejected: %v", s, err)
			}
			return
		}
		if json.Valid([]byte(s)) {
			var want any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&want))
			kind := func(x any) string {
				switch x.(type) {
				case float64, json.Number:
					return "number"
				}
				return fmt.Sprintf("%T", x)
			}
			require.Equal(t, kind(want), kind(v))
		}
	})
}

func FuzzParseYAML(f *testing.F) {
	for _, s := range []string{"a: yes\n", "- 1:30\n", "base: &b {a: 1}\nc: {<<: *b}\n", "a: &x [*x]\n", "!!set {a, b}\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = schema.ParseYAML(s)
	})
}

func FuzzParseXML(f *testing.F) {
	for _, s := range []string{"<a>x</a>", `<a k="v"><b/><b>1</b></a>`, "<a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = schema.ParseXML(s)
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a\n\"x\ny\"\n", "a,b\r\n1\r2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = schema.ParseCSV(s)
	})
}

func FuzzChecker(f *testing.F) {
	f.Add(`{"type": "object", "properties": {"a": {"type": "integer"}}}`, `{"a": 1}`, uint8(0))
	f.Add(`{"type": "array", "items": {"type": "object", "properties": {"a": {"type": "integer"}}}}`, "a\n1\n", uint8(4))
	c := &schema.Checker{XMLCoerceTypes: true}
	f.Fuzz(func(t *testing.T, schemaStr, text string, format uint8) {
		fm := schema.Formats[int(format)%len(schema.Formats)]
		res, err := c.Text(fm, schemaStr, text)
		if err == nil && res.Reward != 0 && res.Reward != 1 {
			t.Fatalf("reward %v", res.Reward)
		}
	})
}
