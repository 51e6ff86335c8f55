package rollout_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

func mustObject(t testing.TB, s string) rollout.Object {
	t.Helper()
	o, err := rollout.ParseObject([]byte(s))
	require.NoError(t, err)
	return o
}

func names(o rollout.Object) []string {
	var ns []string
	for _, f := range o.Fields() {
		ns = append(ns, f.Name)
	}
	return ns
}

func TestObjectGet(t *testing.T) {
	o := mustObject(t, `{"s":"text","n":1.50,"b":true,"z":null,"a":[1,2],"o":{"k":"v"}}`)
	require.Equal(t, 6, o.Len())
	require.Equal(t, []string{"s", "n", "b", "z", "a", "o"}, names(o))

	raw, ok := o.Get("n")
	require.True(t, ok)
	require.Equal(t, "1.50", string(raw), "numbers are kept as written")
	raw, ok = o.Get("z")
	require.True(t, ok)
	require.Equal(t, "null", string(raw))
	raw, ok = o.Get("missing")
	require.False(t, ok)
	require.Nil(t, raw)

	require.True(t, o.Has("z"))
	require.False(t, o.Has("S"), "names are case-sensitive")

	require.Equal(t, "text", o.String("s"))
	require.Empty(t, o.String("n"), "not a string")
	require.Empty(t, o.String("missing"))

	var nested struct{ K string }
	require.NoError(t, o.Decode("o", &nested))
	require.Equal(t, "v", nested.K)

	keep := 7
	require.NoError(t, o.Decode("missing", &keep))
	require.Equal(t, 7, keep, "a missing member leaves v unchanged")

	var n int
	err := o.Decode("s", &n)
	require.Error(t, err)
	require.Contains(t, err.Error(), `"s"`)
	var typeErr *json.UnmarshalTypeError
	require.ErrorAs(t, err, &typeErr)
}

func TestObjectSetKeepsPosition(t *testing.T) {
	o := mustObject(t, `{"a":1,"b":2,"c":3}`)
	o.Set("b", json.RawMessage(`"two"`))
	require.Equal(t, []string{"a", "b", "c"}, names(o))
	require.Equal(t, `{"a":1,"b":"two","c":3}`, string(o.AppendJSON(nil)))

	o.Set("d", json.RawMessage(`[4]`))
	require.Equal(t, `{"a":1,"b":"two","c":3,"d":[4]}`, string(o.AppendJSON(nil)))

	require.NoError(t, o.SetValue("a", map[string]int{"x": 1}))
	require.NoError(t, o.SetValue("e", "<&>"))
	require.Equal(t, `{"a":{"x":1},"b":"two","c":3,"d":[4],"e":"<&>"}`, string(o.AppendJSON(nil)), "no HTML escaping, as Quote")
	require.Equal(t, "<&>", o.String("e"))

	err := o.SetValue("bad", make(chan int))
	require.Error(t, err)
	require.Contains(t, err.Error(), `"bad"`)
	require.False(t, o.Has("bad"), "a failed SetValue sets nothing")

	var zero rollout.Object
	zero.Set("k", rollout.Quote("v"))
	require.Equal(t, `{"k":"v"}`, string(zero.AppendJSON(nil)))
}

func TestObjectSetNilIsNull(t *testing.T) {
	var o rollout.Object
	o.Set("k", nil)
	out := o.AppendJSON(nil)
	require.True(t, json.Valid(out), "%s", out)
	require.JSONEq(t, `{"k":null}`, string(out))
}

func TestObjectDelete(t *testing.T) {
	o := mustObject(t, `{"a":1,"b":2,"c":3}`)
	clone := o.Clone()
	o.Delete("b")
	require.Equal(t, `{"a":1,"c":3}`, string(o.AppendJSON(nil)))
	o.Delete("missing")
	o.Delete("a")
	o.Delete("c")
	require.Equal(t, 0, o.Len())
	require.Equal(t, `{}`, string(o.AppendJSON(nil)))
	require.Equal(t, `{"a":1,"b":2,"c":3}`, string(clone.AppendJSON(nil)), "deleting does not touch a clone")

	var zero rollout.Object
	zero.Delete("x")
	require.Equal(t, 0, zero.Len())
}

func TestObjectCloneIndependent(t *testing.T) {
	o := mustObject(t, `{"a":1,"b":2}`)
	c := o.Clone()
	c.Set("a", json.RawMessage(`10`))
	c.Set("new", json.RawMessage(`true`))
	c.Delete("b")
	require.Equal(t, `{"a":1,"b":2}`, string(o.AppendJSON(nil)))
	require.Equal(t, `{"a":10,"new":true}`, string(c.AppendJSON(nil)))

	o.Set("b", json.RawMessage(`20`))
	o.Set("other", json.RawMessage(`0`))
	require.Equal(t, `{"a":10,"new":true}`, string(c.AppendJSON(nil)), "changing the original does not touch the clone")

	var zero rollout.Object
	zc := zero.Clone()
	zc.Set("x", json.RawMessage(`1`))
	require.Equal(t, 0, zero.Len())
}

// Objects are values; copies of a parsed object that each add a member must
// not write into one shared backing array (a task copied for each of its
// repeats, say).
func TestObjectCopiesAppendIndependently(t *testing.T) {
	base := mustObject(t, `{"responses_create_params":{"input":"hi"}}`)
	a, b := base, base
	a.Set("x", json.RawMessage(`1`))
	b.Set("y", json.RawMessage(`2`))
	require.Equal(t, `{"responses_create_params":{"input":"hi"},"x":1}`, string(a.AppendJSON(nil)))
	require.Equal(t, `{"responses_create_params":{"input":"hi"},"y":2}`, string(b.AppendJSON(nil)))
	require.Equal(t, `{"responses_create_params":{"input":"hi"}}`, string(base.AppendJSON(nil)))
}

// The same holds for the Objects the package makes from others: a clone,
// a task given an agent, copied for each repeat of a task.
func TestDerivedObjectCopiesAppendIndependently(t *testing.T) {
	base := mustObject(t, `{"responses_create_params":{"input":"hi"}}`)
	for name, derived := range map[string]rollout.Object{
		"Clone":     base.Clone(),
		"WithAgent": rollout.Task{Object: base}.WithAgent("a").Object,
	} {
		t.Run(name, func(t *testing.T) {
			want := string(derived.AppendJSON(nil))
			a, b := derived, derived
			a.Set("x", json.RawMessage(`1`))
			b.Set("y", json.RawMessage(`2`))
			require.Equal(t, want[:len(want)-1]+`,"x":1}`, string(a.AppendJSON(nil)))
			require.Equal(t, want[:len(want)-1]+`,"y":2}`, string(b.AppendJSON(nil)))
			require.Equal(t, want, string(derived.AppendJSON(nil)))
		})
	}
}

func TestParseObjectErrors(t *testing.T) {
	notObject := []string{`[]`, `[{"a":1}]`, `1`, `"s"`, `true`, `null`, ` null `}
	for _, in := range notObject {
		_, err := rollout.ParseObject([]byte(in))
		require.ErrorIs(t, err, rollout.ErrNotObject, "%q", in)
	}
	invalid := []string{
		``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{'a':1}`,
		`{"a":1}}`, `{} x`, `{}{}`, `{"a":1} {"b":2}`, `{"a":tru}`, `{"a":"x}`, `{"a":[1,2}`,
		`{"a":1 "b":2}`, `{"a":01}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `{"a":NaN}`,
	}
	for _, in := range invalid {
		_, err := rollout.ParseObject([]byte(in))
		require.Error(t, err, "%q", in)
		require.NotErrorIs(t, err, rollout.ErrNotObject, "%q is not valid JSON", in)
		var syn *json.SyntaxError
		require.True(t, errors.As(err, &syn), "%q: %v is not a *json.SyntaxError", in, err)
	}
}

func TestObjectKeysWithEscapes(t *testing.T) {
	in := `{"a\"b":1,"\u00e9t\u00e9":2,"tab\there":3,"\ud83d\ude00":4,"<&>":5,"":6,"slash\/":7,"new\nline":8,"été":9,"\u2028":10}`
	o := mustObject(t, in)
	require.Equal(t, []string{"a\"b", "été", "tab\there", "😀", "<&>", "", "slash/", "new\nline", "été", "\u2028"}, names(o))
	raw, ok := o.Get("😀")
	require.True(t, ok)
	require.Equal(t, "4", string(raw))
	raw, ok = o.Get("")
	require.True(t, ok)
	require.Equal(t, "6", string(raw))
	requireSameTokens(t, []byte(in), o.AppendJSON(nil))

	// Keys written by this package are escaped as Quote escapes strings.
	var w rollout.Object
	for k, want := range map[string]string{"a\"b": `"a\"b"`, "<&>": `"<&>"`, "tab\there": `"tab\there"`, "\x00": `"\u0000"`, "é": `"é"`, "\u2028": "\"\u2028\""} {
		w.Set(k, json.RawMessage(`0`))
		var one rollout.Object
		one.Set(k, json.RawMessage(`0`))
		require.Equal(t, "{"+want+":0}", string(one.AppendJSON(nil)), "key %q", k)
	}
	requireSameTokens(t, w.AppendJSON(nil), mustObject(t, string(w.AppendJSON(nil))).AppendJSON(nil))
}

func TestObjectNestedValuesKeptVerbatim(t *testing.T) {
	in := `{"a": {"b": [1, {"c": "}"}], "d": "]"}, "e": "{\"not\": \"nested\"}", "f": [[], {}, [[[]]]], "g": -1.5e+10}`
	o := mustObject(t, in)
	require.Equal(t, []string{"a", "e", "f", "g"}, names(o))
	raw, _ := o.Get("a")
	require.Equal(t, `{"b": [1, {"c": "}"}], "d": "]"}`, string(raw))
	raw, _ = o.Get("e")
	require.Equal(t, `"{\"not\": \"nested\"}"`, string(raw))
	require.Equal(t, `{"not": "nested"}`, o.String("e"))
	raw, _ = o.Get("f")
	require.Equal(t, `[[], {}, [[[]]]]`, string(raw))
	raw, _ = o.Get("g")
	require.Equal(t, `-1.5e+10`, string(raw))
	requireSameTokens(t, []byte(in), o.AppendJSON(nil))
}

func TestObjectWhitespaceEverywhere(t *testing.T) {
	in := " \t\r\n{ \n\"a\" \t: \r 1 \n , \"b\" :[ 1 , 2 ]\t,\"c\":\"x y\" ,\r\n\"d\" : { } } \n\t"
	o := mustObject(t, in)
	require.Equal(t, []string{"a", "b", "c", "d"}, names(o))
	raw, _ := o.Get("a")
	require.Equal(t, "1", string(raw))
	raw, _ = o.Get("b")
	require.Equal(t, "[ 1 , 2 ]", string(raw))
	require.Equal(t, "x y", o.String("c"))
	raw, _ = o.Get("d")
	require.Equal(t, "{ }", string(raw))
	require.Equal(t, `{"a":1,"b":[ 1 , 2 ],"c":"x y","d":{ }}`, string(o.AppendJSON(nil)))
}

func TestObjectEmpty(t *testing.T) {
	for _, in := range []string{`{}`, `{ }`, " {\n} "} {
		o := mustObject(t, in)
		require.Equal(t, 0, o.Len())
		require.Empty(t, o.Fields())
		require.Equal(t, `{}`, string(o.AppendJSON(nil)))
	}
	var zero rollout.Object
	b, err := json.Marshal(zero)
	require.NoError(t, err)
	require.Equal(t, `{}`, string(b))
	require.Equal(t, `prefix{}`, string(zero.AppendJSON([]byte("prefix"))))
}

func TestObjectUnmarshalDoesNotAliasBuffer(t *testing.T) {
	buf := []byte(`{"a":"xyz","b":[1,2,3],"c":{"d":"e"}}`)
	var o rollout.Object
	require.NoError(t, json.Unmarshal(buf, &o))
	var direct rollout.Object
	require.NoError(t, direct.UnmarshalJSON(buf))
	var wrapped struct {
		Row rollout.Object `json:"row"`
	}
	wrappedBuf := []byte(`{"row":{"a":"xyz"}}`)
	require.NoError(t, json.Unmarshal(wrappedBuf, &wrapped))

	for i := range buf {
		buf[i] = 'X'
	}
	for i := range wrappedBuf {
		wrappedBuf[i] = 'X'
	}
	for _, got := range []rollout.Object{o, direct} {
		require.Equal(t, "xyz", got.String("a"))
		raw, _ := got.Get("b")
		require.Equal(t, "[1,2,3]", string(raw))
		require.Equal(t, `{"a":"xyz","b":[1,2,3],"c":{"d":"e"}}`, string(got.AppendJSON(nil)))
	}
	require.Equal(t, "xyz", wrapped.Row.String("a"))
}

func TestObjectUnmarshal(t *testing.T) {
	var o rollout.Object
	err := json.Unmarshal([]byte(`[1]`), &o)
	require.ErrorIs(t, err, rollout.ErrNotObject)

	o = mustObject(t, `{"a":1}`)
	require.NoError(t, json.Unmarshal([]byte(`null`), &o))

	var in struct {
		Rows []rollout.Object `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"rows":[{"z":1,"a":2},{}]}`), &in))
	require.Len(t, in.Rows, 2)
	require.Equal(t, []string{"z", "a"}, names(in.Rows[0]))
	out, err := json.Marshal(in)
	require.NoError(t, err)
	require.Equal(t, `{"rows":[{"z":1,"a":2},{}]}`, string(out), "order survives encoding/json both ways")
}

func TestQuoteIntFloat(t *testing.T) {
	// Python's json.dumps(s, ensure_ascii=False), with invalid UTF-8 as U+FFFD.
	for s, want := range map[string]string{"": `""`, "plain": `"plain"`, `q"uote`: `"q\"uote"`, "back\\slash": `"back\\slash"`,
		"<html>&": `"<html>&"`, "tab\t\n\r\b\f": `"tab\t\n\r\b\f"`, "\x00\x1f\x7f": `"\u0000\u001f` + "\x7f" + `"`, "é😀": `"é😀"`,
		"\u2028\u2029": "\"\u2028\u2029\"", "\xff": `"\ufffd"`, "a\xe2\x82": `"a\ufffd\ufffd"`} {
		require.Equal(t, want, string(rollout.Quote(s)), "%q", s)
		var back string
		require.NoError(t, json.Unmarshal(rollout.Quote(s), &back))
		if utf8.ValidString(s) {
			require.Equal(t, s, back)
		}
	}
	require.Equal(t, "0", string(rollout.Int(0)))
	require.Equal(t, "-42", string(rollout.Int(-42)))
	require.Equal(t, "9223372036854775807", string(rollout.Int(math.MaxInt64)))
}

// Float writes numbers as Python's repr does, so rows diff clean against
// NeMo Gym's.
func TestFloatPythonRepr(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-2, "-2.0"},
		{0.5, "0.5"},
		{tenth + fifth, "0.30000000000000004"},
		{1.0 / 3, "0.3333333333333333"},
		{1e-7, "1e-07"},
		{1e-5, "1e-05"},
		{1.5e-5, "1.5e-05"},
		{0.0001, "0.0001"},
		{0.00015, "0.00015"},
		{12345.678, "12345.678"},
		{1e6, "1000000.0"},
		{123456789, "123456789.0"},
		{1e15, "1000000000000000.0"},
		{9999999999999998, "9999999999999998.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{1e22, "1e+22"},
		{-1e100, "-1e+100"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, string(rollout.Float(c.f)), "%v", c.f)
	}
}
