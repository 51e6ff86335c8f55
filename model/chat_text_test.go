package model

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestCanonical(t *testing.T) {
	for _, tt := range []struct {
		body string
		want bool
	}{
		{``, true},
		{`plain text, long enough for a word or two`, true},
		{`<think>a</think>\n\"q\" \\ \b\f\r\t`, true},
		{`\u0001\u001f\u000b\u007F`, false}, // upper-case hex, and DEL is written as it is
		{`\u0001\u001f\u000b`, true},
		{`\u000a`, false}, // written \n
		{`\u00e9`, false}, // written as é
		{`\/`, false},
		{`\ud83d\ude00`, false},
		{"é ü 中文 \u2028 \x7f", true},
		{"bad \xff", false},
		{"tab\there", false},
		{`trailing \`, false},
		{`\u00`, false},
		{`\x`, false},
	} {
		require.Equal(t, tt.want, canonical([]byte(tt.body)), "%q", tt.body)
	}
}

// A canonical body is what appendQuoted writes for its text, and what
// appendQuoted writes for valid UTF-8 is canonical.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{``, `a\"b`, `\u0001x`, "é\xff", `\u00e9`, `<think>x</think>`, `12345678\n12345678\t`, `\x"`, `ab"cd`, `\\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if canonical(body) {
			text, err := unescape(nil, body)
			require.NoError(t, err)
			require.Equal(t, `"`+string(body)+`"`, string(appendQuoted(nil, text)))
		}
		if utf8.Valid(body) {
			q := appendQuoted(nil, body)
			require.True(t, canonical(q[1:len(q)-1]), "%q", q)
		}
		// Read as a string in one pass, it is what str reads, checked
		// and, if need be, unescaped.
		doc := append([]byte{'"'}, body...)
		r, ref := jsonReader{data: doc}, jsonReader{data: doc}
		got, err := r.readText()
		b, esc, rerr := ref.str()
		if rerr == nil && esc && !canonical(b) {
			_, rerr = unescape(nil, b)
		}
		require.Equal(t, rerr != nil, err != nil)
		if err == nil {
			require.Equal(t, ref.i, r.i)
			require.Equal(t, canonical(b), got.canon)
			if got.canon {
				require.Equal(t, string(b), string(got.b))
			}
		}
	})
}

// slowLogprobs reads choices[0].logprobs.content with logprobEntry alone,
// the reference for the fast path.
func slowLogprobs(a *chatAnswer, r *jsonReader) error {
	if err := r.expect('['); err != nil {
		return err
	}
	a.lpList, a.lpGen = []byte{'['}, []byte{'['}
	if r.peek() == ']' {
		r.i++
		a.lpList, a.lpGen = append(a.lpList, ']'), append(a.lpGen, ']')
		return nil
	}
	for i := 0; ; i++ {
		if err := a.logprobEntry(r, i); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			a.lpList, a.lpGen = append(a.lpList, ']'), append(a.lpGen, ']')
			return nil
		default:
			return r.errorf("want ',' or ']' in choices[0].logprobs.content")
		}
	}
}

// vllmEntry is a logprobs entry as vLLM writes it.
func vllmEntry(id, lp string) string {
	tok := "token_id:" + id
	var bs []string
	for _, c := range []byte(tok) {
		bs = append(bs, strconv.Itoa(int(c)))
	}
	return `{"token":"` + tok + `","logprob":` + lp + `,"bytes":[` + strings.Join(bs, ",") + `],"top_logprobs":[]}`
}

// The fast path reads what logprobEntry reads, entry by entry. It may
// accept more: the bytes list of an entry is skipped, never written out,
// and it only looks for its closing ']' (and rejects a string in it).
func FuzzLogprobs(f *testing.F) {
	for _, s := range []string{
		`[]`,
		`[` + vllmEntry("7", "-0.25") + `,` + vllmEntry("123456", "-1.5e-05") + `]`,
		`[` + vllmEntry("7", "-0.25") + `,{"token": "token_id:8", "logprob": -1}]`,
		`[` + vllmEntry("007", "0.0") + `,` + vllmEntry("12345678", "-0.1") + `,` + vllmEntry("5", "1E+999") + `]`,
		`[{"token":"token_id:5","logprob":-0.5,"bytes":[1,2],"top_logprobs":[]},{"token":"token_id:6","logprob":-0.5,"bytes":[1,"]"],"top_logprobs":[]}]`,
		`[` + vllmEntry("42", "-") + `]`,
		`[` + vllmEntry("42", "-0.5") + `,`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, slow chatAnswer
		rf, rs := &jsonReader{data: data}, &jsonReader{data: data}
		ferr, serr := fast.logprobs(rf), slowLogprobs(&slow, rs)
		if serr != nil {
			return
		}
		require.NoError(t, ferr)
		require.Equal(t, rs.i, rf.i)
		require.Equal(t, string(slow.lpList), string(fast.lpList))
		require.Equal(t, string(slow.lpGen), string(fast.lpGen))
		require.Equal(t, slow.lpErr, fast.lpErr)
	})
}

// tokenBytes recognizes exactly the byte list of "token_id:<id>".
func TestTokenBytes(t *testing.T) {
	for _, id := range []string{"0", "5", "42", "123", "1234", "98765", "100000", "1234567"} {
		e := vllmEntry(id, "-1.0")
		i := strings.Index(e, `"bytes":[`) + len(`"bytes":[`)
		end, ok := tokenBytes([]byte(e), i, []byte(id))
		require.True(t, ok, id)
		require.Equal(t, strings.Index(e, `],"top`), end, id)
		// Another id's bytes are left to the scan.
		other := []byte(strings.Replace(e, "58,", "58,49,", 1))
		_, ok = tokenBytes(other, i, []byte(id))
		require.False(t, ok, id)
	}
	require.True(t, bytes.HasPrefix([]byte(vllmEntry("1", "0")), []byte(`{"token":"token_id:1"`)))
}
