package pyjson_test

import (
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/pyjson"
)

// The wanted strings are what Python's json.dumps writes for the same value.
func TestFormat(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1,"b":[1,2]}`, `{"a": 1, "b": [1, 2]}`},
		{`{ "a" : 1 ,` + "\n\t" + `"b" : [ 1 , 2 ] }`, `{"a": 1, "b": [1, 2]}`},
		{`{}`, `{}`},
		{`[]`, `[]`},
		{`{"a":{},"b":[]}`, `{"a": {}, "b": []}`},
		{`{"a":"x, y: z"}`, `{"a": "x, y: z"}`},
		{`"\u003ca\u0026b\u003e"`, `"<a&b>"`},
		{`"é"`, `"\u00e9"`},
		{`"\u00e9"`, `"\u00e9"`},
		{`"日本"`, `"\u65e5\u672c"`},
		{`"😀"`, `"\ud83d\ude00"`},
		{`"\ud83d\ude00"`, `"\ud83d\ude00"`},
		{`"a\"b\\c/d"`, `"a\"b\\c/d"`},
		{`"\/"`, `"/"`},
		{`"\n\r\t\b\f"`, `"\n\r\t\b\f"`},
		{`"\u0000\u001f\u007f"`, `"\u0000\u001f\u007f"`},
		{`"\u2028"`, `"\u2028"`},
		{`"\uFFFF"`, `"\uffff"`},
		{`[true,false,null,-1.5e+10,0]`, `[true, false, null, -1.5e+10, 0]`},
		{`{"k\u00e9y":"v"}`, `{"k\u00e9y": "v"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, string(pyjson.Format([]byte(tt.in))))
		})
	}
}

func TestQuote(t *testing.T) {
	require.Equal(t, `"plain"`, pyjson.Quote("plain"))
	require.Equal(t, `""`, pyjson.Quote(""))
	require.Equal(t, `"caf\u00e9 \"ok\"\n"`, pyjson.Quote("café \"ok\"\n"))
	require.Equal(t, `"\ud83c\udf27"`, pyjson.Quote("🌧"))
	require.Equal(t, `"\ufffd"`, pyjson.Quote("\xff"), "invalid UTF-8 is written as U+FFFD")
}

func TestMarshal(t *testing.T) {
	type inner struct {
		X []int `json:"x"`
	}
	type value struct {
		Name  string         `json:"name"`
		Inner inner          `json:"inner"`
		Map   map[string]int `json:"map"`
		Skip  string         `json:"skip,omitempty"`
	}
	b, err := pyjson.Marshal(value{Name: "Zoë <3", Inner: inner{X: []int{1, 2}}, Map: map[string]int{"b": 2, "a": 1}})
	require.NoError(t, err)
	require.Equal(t, `{"name": "Zo\u00eb <3", "inner": {"x": [1, 2]}, "map": {"a": 1, "b": 2}}`, string(b))

	b, err = pyjson.Marshal(math.NaN()) // as Python's json.dumps writes it
	require.NoError(t, err)
	require.Equal(t, "NaN", string(b))
	_, err = pyjson.Marshal(make(chan int))
	require.Error(t, err)
}

// FuzzFormat checks that Format of any valid JSON is valid, ASCII-only JSON
// with the same value.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c, d"}]}`, `"é\u2028😀"`, `[ ]`, `"\\\""`, `1e5`, `{"":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		out := pyjson.Format(in)
		if !json.Valid(out) {
			t.Fatalf("Format(%q) = %q: invalid JSON", in, out)
		}
		for _, c := range out {
			if c >= utf8.RuneSelf {
				t.Fatalf("Format(%q) = %q: not ASCII", in, out)
			}
		}
		var want, got any
		_ = json.Unmarshal(in, &want)
		_ = json.Unmarshal(out, &got)
		require.Equal(t, want, got, "Format(%q) = %q", in, out)
		require.Equal(t, string(out), string(pyjson.Format(out)), "Format is idempotent")
	})
}

func TestMarshalLikePython(t *testing.T) {
	type inner struct {
		Score float64 `json:"score"`
	}
	type out struct {
		Name    string            `json:"name"`
		Value   float64           `json:"value"`
		Small   float32           `json:"small"`
		Count   int               `json:"count"`
		Skip    string            `json:"-"`
		Empty   string            `json:"empty,omitempty"`
		List    []float64         `json:"list"`
		Nested  inner             `json:"nested"`
		ByName  map[string]any    `json:"by_name"`
		Nil     *inner            `json:"nil"`
		Raw     json.RawMessage   `json:"raw"`
		Strings map[string]string `json:"strings"`
		inner
	}
	v := out{Name: "café", Value: 1, Small: 0.1, Count: 3, Skip: "x", List: []float64{0.5, 2, 1e-7},
		Nested: inner{Score: 1e16}, ByName: map[string]any{"b": 2.0, "a": true}, Raw: json.RawMessage(`{"k":[1,2]}`),
		Strings: map[string]string{"z": "<&>"}, inner: inner{Score: 3}}
	got, err := pyjson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// json.dumps of the same value in Python.
	want := `{"name": "caf\u00e9", "value": 1.0, "small": 0.1, "count": 3, "list": [0.5, 2.0, 1e-07], "nested": {"score": 1e+16}, ` +
		`"by_name": {"a": true, "b": 2.0}, "nil": null, "raw": {"k": [1, 2]}, "strings": {"z": "<&>"}, "score": 3.0}`
	if string(got) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", got, want)
	}
}

// Marshal writes what encoding/json writes (modulo Python's spelling):
// omitempty and omitzero as encoding/json reads them, non-string map keys,
// json.Number bare, fields of nil embedded pointers skipped, shadowed
// embedded fields dropped, and pointer-receiver marshalers called.
func TestMarshalFollowsEncodingJSON(t *testing.T) {
	type Base struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	type when struct{ s string }
	type value struct {
		*Base
		Name       string          `json:"name"`
		EmptySlice []int           `json:"empty_slice,omitempty"`
		EmptyMap   map[string]int  `json:"empty_map,omitempty"`
		Struct     struct{ A int } `json:"struct,omitempty"`
		Zero       struct{ A int } `json:"zero,omitzero"`
		Array      [2]int          `json:"array,omitempty"`
		ByInt      map[int]string  `json:"by_int"`
		Num        json.Number     `json:"num"`
		Flt        map[string]any  `json:"flt"`
		_          when
	}
	v := value{Name: "outer", EmptySlice: []int{}, EmptyMap: map[string]int{}, ByInt: map[int]string{10: "b", 2: "a"},
		Num: json.Number("3"), Flt: map[string]any{"n": json.Number("1.5e3")}}
	want, err := json.Marshal(v)
	require.NoError(t, err)
	got, err := pyjson.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
	require.Equal(t, `{"name": "outer", "struct": {"A": 0}, "array": [0, 0], "by_int": {"10": "b", "2": "a"}, "num": 3, "flt": {"n": 1.5e3}}`, string(got))

	v.Base = &Base{ID: 7, Name: "inner"}
	got, err = pyjson.Marshal(&v)
	require.NoError(t, err)
	require.Equal(t, `{"id": 7, "name": "outer", "struct": {"A": 0}, "array": [0, 0], "by_int": {"10": "b", "2": "a"}, "num": 3, "flt": {"n": 1.5e3}}`, string(got))

	type withPtrMarshaler struct {
		V ptrMarshaler `json:"v"`
	}
	got, err = pyjson.Marshal(&withPtrMarshaler{})
	require.NoError(t, err)
	want, _ = json.Marshal(&withPtrMarshaler{})
	require.JSONEq(t, string(want), string(got))
	require.Equal(t, `{"v": "custom"}`, string(got))
}

type ptrMarshaler struct{}

func (*ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }
