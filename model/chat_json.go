package model

// A small JSON reader and writer for the Chat Completions path. A 64k-token
// generation answered with per-token logprobs is several megabytes of JSON
// that a training run converts on every model call, so the reader jumps over
// strings and number lists with bytes.IndexByte instead of walking every
// byte, and nothing goes through reflection. The reader does not trust its
// input: every method bounds-checks and reports malformed JSON, and whatever
// it hands on to be written out (strings, numbers) is checked or re-encoded,
// so garbage in never becomes invalid JSON out.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/internal/trusted"
	"github.com/gymkit/gym/rollout"
)

// setRaw sets a member to a value the converter has built itself, valid by
// construction, without validating it again (see internal/trusted).
var setRaw = trusted.Setter[rollout.Object]()

// maxDepth bounds the nesting of values the reader skips, so that a hostile
// answer of a million brackets fails instead of recursing that deep.
const maxDepth = 512

var errDepth = errors.New("JSON nested too deeply")

// jsonReader reads one JSON document from data.
type jsonReader struct {
	data []byte
	i    int
}

func (r *jsonReader) ws() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.data) {
		return r.data[r.i]
	}
	return 0
}

func (r *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", r.i, fmt.Sprintf(format, args...))
}

// expect consumes c after optional space.
func (r *jsonReader) expect(c byte) error {
	if r.peek() != c {
		if r.i >= len(r.data) {
			return r.errorf("unexpected end of JSON, want %q", c)
		}
		return r.errorf("unexpected %q, want %q", r.data[r.i], c)
	}
	r.i++
	return nil
}

// literal consumes null, true or false if it comes next.
func (r *jsonReader) literal(word string) bool {
	r.ws()
	if bytes.HasPrefix(r.data[r.i:], []byte(word)) {
		r.i += len(word)
		return true
	}
	return false
}

// str reads a string and returns its body (between the quotes, still
// escaped) and whether it holds a backslash.
func (r *jsonReader) str() (body []byte, escaped bool, err error) {
	if r.peek() != '"' {
		return nil, false, r.errorf("want a string")
	}
	start := r.i + 1
	d := r.data
	// Keys and token strings are short: a loop beats two IndexByte calls.
	for j := start; j < len(d) && j < start+24; j++ {
		switch d[j] {
		case '"':
			r.i = j + 1
			return d[start:j], false, nil
		case '\\':
			return r.strSlow(start)
		}
	}
	return r.strSlow(start)
}

func (r *jsonReader) strSlow(start int) (body []byte, escaped bool, err error) {
	j := start
	for {
		k := bytes.IndexByte(r.data[j:], '"')
		if k < 0 {
			r.i = len(r.data)
			return nil, false, r.errorf("unterminated string")
		}
		end := j + k
		bs := 0
		for p := end - 1; p >= start && r.data[p] == '\\'; p-- {
			bs++
		}
		if bs > 0 {
			escaped = true
		}
		j = end + 1
		if bs%2 == 0 {
			if !escaped && bytes.IndexByte(r.data[start:end], '\\') >= 0 {
				escaped = true
			}
			r.i = j
			return r.data[start:end], escaped, nil
		}
	}
}

// text reads a string and appends its decoded text to dst.
func (r *jsonReader) text(dst []byte) ([]byte, error) {
	body, esc, err := r.str()
	if err != nil {
		return dst, err
	}
	if !esc {
		return append(dst, body...), nil
	}
	return unescape(slices.Grow(dst, len(body)), body)
}

// textOrNull reads a string (decoded) or null; null gives "", false.
func (r *jsonReader) textOrNull() (string, bool, error) {
	if r.literal("null") {
		return "", false, nil
	}
	b, err := r.text(nil)
	return string(b), true, err
}

// key reads an object key. Keys without escapes are returned in place.
func (r *jsonReader) key() ([]byte, error) {
	body, esc, err := r.str()
	if err != nil {
		return nil, err
	}
	if esc {
		body, err = unescape(nil, body)
		if err != nil {
			return nil, err
		}
	}
	if err := r.expect(':'); err != nil {
		return nil, err
	}
	return body, nil
}

// object calls member for each member of an object; member must consume
// the value. A null object calls nothing.
func (r *jsonReader) object(member func(key []byte) error) error {
	if r.literal("null") {
		return nil
	}
	if err := r.expect('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		k, err := r.key()
		if err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return r.errorf("want ',' or '}' in an object")
		}
	}
}

// array calls elem for each element of an array; elem must consume it. A
// null array calls nothing.
func (r *jsonReader) array(elem func(i int) error) error {
	if r.literal("null") {
		return nil
	}
	if err := r.expect('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for n := 0; ; n++ {
		if err := elem(n); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return r.errorf("want ',' or ']' in an array")
		}
	}
}

// raw skips a value and returns its bytes, checked to be valid JSON (for
// the small values that are copied to the output as they are).
func (r *jsonReader) raw() ([]byte, error) {
	r.ws()
	start := r.i
	if err := r.skip(0); err != nil {
		return nil, err
	}
	v := r.data[start:r.i]
	if !validJSON(v) {
		return nil, fmt.Errorf("offset %d: invalid JSON value", start)
	}
	return v, nil
}

// skip steps over one value. It checks the structure (brackets, strings,
// the extent of numbers and literals) but not every byte: skipped values
// are never written out.
func (r *jsonReader) skip(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	switch c := r.peek(); c {
	case '"':
		_, _, err := r.str()
		return err
	case '{':
		return r.object(func([]byte) error { return r.skip(depth + 1) })
	case '[':
		// A list of numbers (token ids, bytes) ends at the next ']' and
		// holds no string or container: jump there. Short ones are
		// scanned, long ones searched.
		d := r.data
		for j := r.i + 1; j < len(d) && j < r.i+96; j++ {
			if c := d[j]; c == ']' {
				r.i = j + 1
				return nil
			} else if !numByte[c] {
				break
			}
		}
		if end := bytes.IndexByte(r.data[r.i:], ']'); end > 0 {
			seg := r.data[r.i+1 : r.i+end]
			if bytes.IndexByte(seg, '"') < 0 && bytes.IndexByte(seg, '[') < 0 && bytes.IndexByte(seg, '{') < 0 {
				r.i += end + 1
				return nil
			}
		}
		return r.array(func(int) error { return r.skip(depth + 1) })
	case 0:
		return r.errorf("unexpected end of JSON")
	default:
		if r.literal("null") || r.literal("true") || r.literal("false") {
			return nil
		}
		_, err := r.number()
		return err
	}
}

// numByte marks the bytes of a list of numbers, but for its brackets.
var numByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789-+.eE, \t\r\n") {
		t[c] = true
	}
	return t
}()

// number reads a number, checked against the JSON grammar, and returns its
// bytes.
func (r *jsonReader) number() ([]byte, error) {
	r.ws()
	start := r.i
	end, ok := pyjson.NumberEnd(r.data, start)
	if !ok {
		return nil, r.errorf("want a number")
	}
	r.i = end
	return r.data[start:end], nil
}

// ints reads a list of integers, appending them to dst. It is the hot loop
// of token ids.
func (r *jsonReader) ints(dst []int) ([]int, error) {
	if err := r.expect('['); err != nil {
		return dst, err
	}
	if end := bytes.IndexByte(r.data[r.i:], ']'); end > 0 {
		dst = slices.Grow(dst, bytes.Count(r.data[r.i:r.i+end], []byte{','})+1)
	}
	if r.peek() == ']' {
		r.i++
		return dst, nil
	}
	d, i := r.data, r.i
	for {
		for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
			i++
		}
		neg := i < len(d) && d[i] == '-'
		if neg {
			i++
		}
		s, n := i, 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' && i-s < 18 {
			n = n*10 + int(d[i]-'0')
			i++
		}
		// JSON has no leading zeros: 007 is not a number to pass on.
		if i == s || (i < len(d) && d[i] >= '0' && d[i] <= '9') || (d[s] == '0' && i-s > 1) {
			r.i = i
			return dst, r.errorf("want an integer token id")
		}
		if neg {
			n = -n
		}
		dst = append(dst, n)
		if i < len(d) && d[i] == ',' {
			i++
			continue
		}
		r.i = i
		switch r.peek() {
		case ',':
			i = r.i + 1
		case ']':
			r.i++
			return dst, nil
		default:
			return dst, r.errorf("want ',' or ']' in a list of integers")
		}
	}
}

// numbers reads a list of numbers and appends it, as a JSON list in
// canonical spacing, to dst; it returns how many there were. The numbers
// are copied as they are written, not parsed and re-formatted: a vLLM
// logprob keeps its exact digits and costs no float conversion.
func (r *jsonReader) numbers(dst []byte) ([]byte, int, error) {
	if err := r.expect('['); err != nil {
		return dst, 0, err
	}
	dst = append(dst, '[')
	if r.peek() == ']' {
		r.i++
		return append(dst, ']'), 0, nil
	}
	for n := 0; ; n++ {
		num, err := r.number()
		if err != nil {
			return dst, n, err
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, num...)
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return append(dst, ']'), n + 1, nil
		default:
			return dst, n, r.errorf("want ',' or ']' in a list of numbers")
		}
	}
}

// end checks that only space follows the document.
func (r *jsonReader) end() error {
	if r.peek() != 0 {
		return r.errorf("unexpected data after the JSON value")
	}
	return nil
}

// validJSON reports whether v is one valid JSON value; it is only used on
// small values.
func validJSON(v []byte) bool {
	return len(v) > 0 && json.Valid(v)
}

// unescape appends the text of an escaped JSON string body to dst. Invalid
// UTF-8 and raw control characters are kept: the writer escapes them.
func unescape(dst, body []byte) ([]byte, error) {
	for len(body) > 0 {
		k := bytes.IndexByte(body, '\\')
		if k < 0 {
			return append(dst, body...), nil
		}
		dst = append(dst, body[:k]...)
		body = body[k:]
		if len(body) < 2 {
			return dst, errors.New("invalid escape at the end of a string")
		}
		switch c := body[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
			body = body[2:]
		case 'b':
			dst, body = append(dst, '\b'), body[2:]
		case 'f':
			dst, body = append(dst, '\f'), body[2:]
		case 'n':
			dst, body = append(dst, '\n'), body[2:]
		case 'r':
			dst, body = append(dst, '\r'), body[2:]
		case 't':
			dst, body = append(dst, '\t'), body[2:]
		case 'u':
			r1, ok := hex4(body[2:])
			if !ok {
				return dst, errors.New(`invalid \u escape in a string`)
			}
			body = body[6:]
			if utf16.IsSurrogate(r1) {
				if r2, ok := hex4(body[min(2, len(body)):]); ok && len(body) >= 6 && body[0] == '\\' && body[1] == 'u' {
					if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
						dst = utf8.AppendRune(dst, dec)
						body = body[6:]
						continue
					}
				}
				r1 = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r1)
		default:
			return dst, fmt.Errorf("invalid escape \\%c in a string", c)
		}
	}
	return dst, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// safeByte marks the ASCII bytes a JSON string holds as they are.
// appendQuoted appends s as a JSON string, by the module's one escaping
// policy (pyjson.AppendString without ensure_ascii): "<think>" stays
// readable, and invalid UTF-8 becomes U+FFFD.
func appendQuoted[S string | []byte](b []byte, s S) []byte { return pyjson.AppendString(b, s, false) }

const hexDigit = "0123456789abcdef"

var (
	thinkOpen  = []byte("<think>")
	thinkClose = []byte("</think>")
)

// splitThink finds every <think>…</think> block of s as Python's
// re.findall(r"<think>(.*?)</think>", s, re.DOTALL) does, and returns their
// bodies and s without them (re.sub). rest aliases s when there is no
// block, or when what is left is one piece of s (a block at the start of
// the text, the way a model writes its reasoning).
func splitThink(s []byte) (matches [][]byte, rest []byte) {
	i := bytes.Index(s, thinkOpen)
	if i < 0 {
		return nil, s
	}
	var kept [][]byte // the pieces of s outside the blocks
	last := 0
	for i >= 0 {
		body := i + len(thinkOpen)
		j := bytes.Index(s[body:], thinkClose)
		if j < 0 {
			break
		}
		matches = append(matches, s[body:body+j])
		if i > last {
			kept = append(kept, s[last:i])
		}
		last = body + j + len(thinkClose)
		k := bytes.Index(s[last:], thinkOpen)
		if k < 0 {
			break
		}
		i = last + k
	}
	if matches == nil {
		return nil, s
	}
	if last < len(s) {
		kept = append(kept, s[last:])
	}
	switch len(kept) {
	case 0:
		return matches, s[:0]
	case 1:
		return matches, kept[0]
	}
	return matches, bytes.Join(kept, nil)
}

// jsonText is the text of a JSON string as the converter carries it: the
// string's body as written (escapes and all) when that is canonical, what
// appendQuoted writes for the text, and the decoded text otherwise. A
// canonical text goes from the answer to the output items and from the
// items to the next request without being unescaped and escaped again:
// quoting it is putting quotes around it. Splitting it at <think> tags
// splits the text at the same places: the tags are ASCII without
// backslashes, so they never start or end inside an escape.
type jsonText struct {
	b     []byte
	canon bool // b is canonical escaped text
}

// readText reads a string as a jsonText; a canonical one refers to r's
// data, and is read in one pass.
func (r *jsonReader) readText() (jsonText, error) {
	if r.peek() == '"' {
		if end, quote := canonicalRun(r.data, r.i+1); quote {
			body := r.data[r.i+1 : end]
			r.i = end + 1
			return jsonText{b: body, canon: true}, nil
		}
	}
	body, esc, err := r.str()
	if err != nil {
		return jsonText{}, err
	}
	if canonical(body) {
		return jsonText{b: body, canon: true}, nil
	}
	if !esc {
		return jsonText{b: body}, nil
	}
	b, err := unescape(make([]byte, 0, len(body)), body)
	return jsonText{b: b}, err
}

// decoded returns the text.
func (t jsonText) decoded() []byte {
	if !t.canon || bytes.IndexByte(t.b, '\\') < 0 {
		return t.b
	}
	b, _ := unescape(make([]byte, 0, len(t.b)), t.b) // canonical text unescapes
	return b
}

// canonical reports whether body, the body of a JSON string as written,
// is what appendQuoted writes for its text: valid UTF-8 without control
// characters, and escapes only where pyjson.AppendString puts them (\" \\
// \b \f \n \r \t, other control characters as \u00xx in lower case).
func canonical(body []byte) bool {
	end, quote := canonicalRun(body, 0)
	return end == len(body) && !quote
}

// canonicalRun returns where the canonical text at d[i:] ends, and whether
// it ends at an unescaped quote, which ends a string: then d[i:end] is a
// string's canonical body, read in the same pass. It goes eight bytes at a
// time to the next backslash, quote, control character or non-ASCII byte.
func canonicalRun(d []byte, i int) (end int, quote bool) {
	const ones, lo7, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	for {
		for i+8 <= len(d) {
			x := binary.LittleEndian.Uint64(d[i:])
			bs, q := x^(ones*'\\'), x^(ones*'"')
			// The high bit of each byte: set where bs or q is zero (a
			// backslash or a quote), where the low seven bits of x are
			// below 0x20, and where x is not ASCII. No carry crosses bytes.
			m := (^((bs & lo7) + lo7 | bs) | ^((q & lo7) + lo7 | q) | ^((x & lo7) + ones*0x60) | x) & highs
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(d) {
			return len(d), false
		}
		switch c := d[i]; {
		case c == '"':
			return i, true
		case c == '\\':
			if i+1 >= len(d) {
				return i, false
			}
			switch d[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || d[i+2] != '0' || d[i+3] != '0' || (d[i+4] != '0' && d[i+4] != '1') {
					return i, false
				}
				l := d[i+5]
				var v byte
				switch {
				case l >= '0' && l <= '9':
					v = l - '0'
				case l >= 'a' && l <= 'f':
					v = l - 'a' + 10
				default:
					return i, false
				}
				if v += (d[i+4] - '0') << 4; v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t' {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return i, false
			}
			i += size
		}
	}
}

// joiner writes a document as parts: small writes go to one buffer, large
// values are referred to where they are, and join copies each byte once
// into a buffer of exactly the document's size, which bytes.Join does not
// zero first. A request with a long generation's token ids and text is
// megabytes that would otherwise be zeroed, then copied into.
type joiner struct {
	buf   []byte // small writes
	mark  int    // where the bytes of buf not yet in parts start
	parts [][]byte
	n     int // length of parts
}

// refMin is the size from which a value is referred to rather than copied.
const refMin = 256

// ref writes p, which must not change until join.
func (j *joiner) ref(p []byte) {
	if len(p) < refMin {
		j.buf = append(j.buf, p...)
		return
	}
	j.cut()
	j.n += len(p)
	// In pieces: bytes.Join copies them one by one, and the garbage
	// collector need not wait for a copy of megabytes to end.
	for len(p) > refChunk {
		j.parts = append(j.parts, p[:refChunk:refChunk])
		p = p[refChunk:]
	}
	j.parts = append(j.parts, p)
}

// refChunk is the size of the pieces a large value is copied in.
const refChunk = 64 << 10

func (j *joiner) str(s string) { j.buf = append(j.buf, s...) }

func (j *joiner) byte(c byte) { j.buf = append(j.buf, c) }

// cut ends the current part of buf.
func (j *joiner) cut() {
	if len(j.buf) > j.mark {
		j.parts = append(j.parts, j.buf[j.mark:len(j.buf):len(j.buf)])
		j.n += len(j.buf) - j.mark
		j.mark = len(j.buf)
	}
}

// len returns the length of what has been written.
func (j *joiner) len() int { return j.n + len(j.buf) - j.mark }

// quote writes text quoted.
func (j *joiner) quote(t jsonText) {
	if !t.canon {
		j.buf = appendQuoted(j.buf, t.b)
		return
	}
	j.byte('"')
	j.ref(t.b)
	j.byte('"')
}

// join returns the document.
func (j *joiner) join() []byte {
	j.cut()
	return bytes.Join(j.parts, nil)
}
