package rollout

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// unquoteCases are strings whose decoding encoding/json defines: escapes,
// surrogate pairs, lone and reversed surrogates, invalid UTF-8, and text
// that is not a JSON string at all.
var unquoteCases = []string{
	`""`, `"type"`, `"message"`, `"plain text"`, `"é and 日本"`,
	`"a\"b"`, `"a\\b"`, `"a\/b"`, `"\b\f\n\r\t"`, `"\u0041\u00e9\u65e5"`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ude00\ud83d"`, `"\ud83dx"`,
	`"\ud83d\u0041"`, `"\uD83D\uDE00"`, `"\u0000"`, `"\uFFFD"`,
	"\"bad \xff byte\"", "\"\xe6\x97\"", "\"tab\there\"", `"\x"`, `"\u12"`,
	`"\u12G4"`, `"end\"`, `"a"b"`, `x`, `"`, `1`, `null`,
}

func TestUnquoteAsEncodingJSON(t *testing.T) {
	for _, raw := range unquoteCases {
		checkUnquote(t, []byte(raw))
	}
}

func checkUnquote(t *testing.T, raw []byte) {
	t.Helper()
	var want string
	werr := json.Unmarshal(raw, &want)
	got, ok := unquote(raw)
	if werr != nil {
		// The fast path takes a string token's bytes as the scanner
		// delimited them; only a body with a backslash or invalid UTF-8
		// is held to encoding/json's verdict.
		if ok && !plainBody(raw) {
			t.Fatalf("unquote(%q) = %q, true; encoding/json: %v", raw, got, werr)
		}
		return
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		require.False(t, ok, "unquote(%q): not a string", raw)
		return
	}
	require.True(t, ok, "unquote(%q)", raw)
	require.Equal(t, want, got, "unquote(%q)", raw)
}

// plainBody reports whether raw is quoted text without a backslash.
func plainBody(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	body := raw[1 : len(raw)-1]
	return !bytes.Contains(body, []byte{'\\'}) && utf8.Valid(body)
}

func TestUnquoteSharesCommonStrings(t *testing.T) {
	a, _ := unquote([]byte(`"function_call_output"`))
	b, _ := unquote([]byte(`"function_call_output"`))
	require.Equal(t, "function_call_output", a)
	require.Equal(t, unsafe.StringData(a), unsafe.StringData(b), "one shared string")
	raw := []byte(`"assistant"`)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = unquote(raw)
	})
	require.Zero(t, allocs)
}

func FuzzUnquote(f *testing.F) {
	for _, c := range unquoteCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkUnquote(t, body)
		quoted := append(append([]byte{'"'}, body...), '"')
		checkUnquote(t, quoted)
	})
}
