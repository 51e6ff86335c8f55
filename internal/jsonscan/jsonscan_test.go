package jsonscan_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/jsonscan"
)

func TestWalk(t *testing.T) {
	var keys, vals []string
	err := jsonscan.Object([]byte(` {"a" : [1, {"x": "]}"}], "b\"c": "d\u00e9", "e": null, "f": -1.5e3 } `), func(k string, v []byte) error {
		keys = append(keys, k)
		vals = append(vals, string(v))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"a", `b"c`, "e", "f"}, keys)
	require.Equal(t, []string{`[1, {"x": "]}"}]`, `"d\u00e9"`, "null", "-1.5e3"}, vals)
	s, ok := jsonscan.String([]byte(`"d\u00e9"`))
	require.True(t, ok)
	require.Equal(t, "dé", s)

	var elems []string
	require.NoError(t, jsonscan.Array([]byte(`[ {"a":1} ,"x",[] ]`), func(e []byte) error { elems = append(elems, string(e)); return nil }))
	require.Equal(t, []string{`{"a":1}`, `"x"`, `[]`}, elems)
	require.NoError(t, jsonscan.Array([]byte(`[]`), func([]byte) error { t.Fatal("no element"); return nil }))
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":1`, `[1`, `"x`, `{"a":"}`} {
		require.Error(t, jsonscan.Object([]byte(bad), func(string, []byte) error { return nil }), bad)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{`"a\\nb"`, `"\\ud83d\\ude00"`, `"\\ud800x"`, `"é\\""`, `"\\u00"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := jsonscan.String([]byte(s))
		var want string
		err := json.Unmarshal([]byte(s), &want)
		if (err == nil) != ok {
			t.Fatalf("%q: ok %v, encoding/json %v", s, ok, err)
		}
		if ok && err == nil && got != want {
			t.Fatalf("%q: %q, encoding/json %q", s, got, want)
		}
	})
}

func FuzzWalk(f *testing.F) {
	f.Add(`{"a": [1, {"b": "c"}], "d": "e"}`)
	f.Add(`[{"type": "output_text", "text": "x"}]`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = jsonscan.Object([]byte(s), func(k string, v []byte) error {
			_, _ = jsonscan.String(v)
			return jsonscan.Array(v, func([]byte) error { return nil })
		})
		_ = jsonscan.Array([]byte(s), func([]byte) error { return nil })
	})
}
