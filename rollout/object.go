package rollout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/pyjson"
)

// Field is one member of a JSON object: its name and its raw JSON value.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Object is a JSON object kept as its ordered raw members, so that fields
// this package does not know survive a read and a write unchanged. The zero
// value is an empty object ready to use.
//
// A name given twice reads as Python's json.loads reads it: Get, Has,
// Decode and Set see the last member of that name, Delete removes them all,
// and the object is written back byte for byte, duplicates included. Text
// that is not UTF-8 is rejected (ErrInvalidUTF8), as json.loads rejects it.
//
// Values are not copied on read: an Object decoded from a buffer refers to
// it, so a buffer must not be reused while the Object is alive (the JSONL
// reader hands out fresh buffers for that reason).
type Object struct {
	fields []Field
}

// ErrNotObject reports JSON that is valid but is not an object.
var ErrNotObject = errors.New("not a JSON object")

// ParseObject parses data, which must hold one JSON object (not null:
// that is ErrNotObject). The returned Object refers to data.
func ParseObject(data []byte) (Object, error) {
	return parseObject(data, true)
}

// parseObject parses an object, validating data first if validate is set.
// JSON null is not an object (Object.UnmarshalJSON alone accepts it).
func parseObject(data []byte, validate bool) (Object, error) {
	var o Object
	if err := o.parse(data, validate); err != nil {
		return Object{}, err
	}
	if o.fields == nil {
		return Object{}, ErrNotObject // null
	}
	return o, nil
}

// parseValid parses an object known to be valid JSON: a value taken from
// another Object, which was validated when it was parsed (or promised valid
// by the caller of Set).
func parseValid(data []byte) (Object, error) {
	return parseObject(data, false)
}

// Len reports the number of members.
func (o Object) Len() int { return len(o.fields) }

// Fields returns the members in order. The slice must not be modified.
func (o Object) Fields() []Field { return o.fields }

// Has reports whether the object has a member called name.
func (o Object) Has(name string) bool { return o.index(name) >= 0 }

// Get returns the raw value of the member called name.
func (o Object) Get(name string) (json.RawMessage, bool) {
	if i := o.index(name); i >= 0 {
		return o.fields[i].Value, true
	}
	return nil, false
}

// String returns the member called name if it is a JSON string, and "" otherwise.
func (o Object) String(name string) string {
	v, _ := o.Get(name)
	s, _ := unquote(v)
	return s
}

// Decode unmarshals the member called name into v. A missing member leaves v
// unchanged and returns nil.
func (o Object) Decode(name string, v any) error {
	raw, ok := o.Get(name)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("field %q: %w", name, err)
	}
	return nil
}

// Set sets the member called name to the raw JSON value, keeping its position
// if it exists and appending it otherwise; an empty value is null. value
// must be one JSON value: Set panics on anything else (NaN, Infinity, a
// truncated document, two values), a programming error that would
// otherwise write a row no JSON reader accepts.
func (o *Object) Set(name string, value json.RawMessage) {
	if len(value) > 0 && !validValue(value) {
		panic(fmt.Sprintf("rollout: Set(%q): the value is not one JSON value: %.80q", name, value))
	}
	o.set(name, value)
}

// set is Set for a value known to be valid: one taken from another Object,
// which was validated when it was parsed.
func (o *Object) set(name string, value json.RawMessage) {
	if i := o.index(name); i >= 0 {
		o.fields[i].Value = value
		return
	}
	o.fields = append(o.fields, Field{Name: name, Value: value})
}

// Grow makes room for n more members, so that the next n Sets of new
// names allocate nothing. Like slices.Grow, it only sizes the member list.
func (o *Object) Grow(n int) { o.fields = slices.Grow(o.fields, n) }

// SetValue marshals v and sets it as the member called name.
func (o *Object) SetValue(name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // <, > and & as Quote writes them
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("field %q: %w", name, err)
	}
	o.set(name, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return nil
}

// Delete removes the member called name (every member of that name), if
// present.
func (o *Object) Delete(name string) {
	for i := o.index(name); i >= 0; i = o.index(name) {
		o.fields = append(o.fields[:i:i], o.fields[i+1:]...)
	}
}

// Clone returns a copy whose member list can be changed without affecting o.
// Values are shared: they are never modified in place. Like a parsed
// Object, a clone has no spare capacity, so that copies of it that each
// add a member do not write into one shared array.
func (o Object) Clone() Object {
	if o.fields == nil {
		return Object{}
	}
	return Object{fields: slices.Clone(o.fields)}
}

// clip drops the spare capacity that adding members left, so that copies
// of o append independently (see Clone).
func (o *Object) clip() { o.fields = slices.Clip(o.fields) }

// index returns the position of the member called name: the last one if
// the name is given more than once, as Python's json.loads keeps the last
// value.
func (o Object) index(name string) int {
	for i := len(o.fields) - 1; i >= 0; i-- {
		if o.fields[i].Name == name {
			return i
		}
	}
	return -1
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	return o.AppendJSON(make([]byte, 0, o.size())), nil
}

// AppendJSON appends the object's JSON encoding to b.
func (o Object) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, o.size())
	b = append(b, '{')
	for i, f := range o.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, f.Name)
		b = appendValue(b, f.Value)
	}
	return append(b, '}')
}

// appendValue appends a raw value; an empty one (Set(name, nil)) is null.
func appendValue(b []byte, v json.RawMessage) []byte {
	if len(v) == 0 {
		return append(b, "null"...)
	}
	return append(b, v...)
}

// EncodedSize returns an upper bound of the length of the object's JSON
// encoding, for sizing buffers.
func (o Object) EncodedSize() int { return o.size() }

func (o Object) size() int {
	n := 2
	for _, f := range o.fields {
		n += len(f.Name) + len(f.Value) + 4
	}
	return n
}

// UnmarshalJSON parses a JSON object from a private copy of data. JSON null
// leaves an empty object.
func (o *Object) UnmarshalJSON(data []byte) error {
	if err := checkUTF8(data); err != nil {
		return err
	}
	return o.parse(bytes.Clone(data), false)
}

func (o *Object) parse(data []byte, validate bool) error {
	if validate {
		if err := checkJSON(data); err != nil {
			return err
		}
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == 'n' && bytes.Equal(t, []byte("null")) {
		o.fields = nil
		return nil
	}
	// Members collect on the stack and are copied once, at their count:
	// one allocation of the right size per object.
	var stack [16]Field
	fields := stack[:0]
	err := scanMembers(data, func(key, value []byte) error {
		name, ok := unquote(key)
		if !ok {
			return fmt.Errorf("invalid object key %s", key)
		}
		fields = append(fields, Field{Name: name, Value: json.RawMessage(value[:len(value):len(value)])})
		return nil
	})
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		o.fields = []Field{}
		return nil
	}
	// No spare capacity: copies of o that each add a member must not
	// append into one shared array.
	o.fields = slices.Clip(slices.Clone(fields))
	return nil
}

// scanMembers calls f with the raw key (quoted) and the raw value of each
// member of the JSON object data, in order, and returns f's first error or
// the first syntax error; ErrNotObject if data is not an object.
func scanMembers(data []byte, f func(key, value []byte) error) error {
	p := scanner{data: data}
	p.skipSpace()
	if p.i >= len(data) || data[p.i] != '{' {
		return ErrNotObject
	}
	p.i++
	p.skipSpace()
	if p.i < len(data) && data[p.i] == '}' {
		return nil
	}
	for {
		p.skipSpace()
		start := p.i
		if err := p.skipString(); err != nil {
			return err
		}
		key := data[start:p.i]
		p.skipSpace()
		if p.i >= len(data) || data[p.i] != ':' {
			return errors.New("missing ':' after object key")
		}
		p.i++
		p.skipSpace()
		vstart := p.i
		if err := p.skipValue(); err != nil {
			return err
		}
		if err := f(key, data[vstart:p.i]); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(data) {
			return errors.New("unexpected end of object")
		}
		if data[p.i] == '}' {
			return nil
		}
		if data[p.i] != ',' {
			return fmt.Errorf("unexpected %q in object", data[p.i])
		}
		p.i++
	}
}

// ErrInvalidUTF8 is matched (errors.Is) by the error for JSON text with
// bytes that are not UTF-8 inside a string. encoding/json lets them through;
// Python's json.loads, and so NeMo Gym, rejects such a line, so a row with
// them is refused rather than written out.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// checkJSON checks that data is valid JSON text: its syntax, and UTF-8.
func checkJSON(data []byte) error {
	if !valid(data) {
		return syntaxError(data)
	}
	return checkUTF8(data)
}

func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	at := 0
	for at < len(data) {
		r, size := utf8.DecodeRune(data[at:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		at += size
	}
	return fmt.Errorf("%w at byte offset %d: JSON text must be UTF-8", ErrInvalidUTF8, at)
}

func syntaxError(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}

// scanner finds the extent of JSON values in input already known to be valid
// (or validated by its caller); its checks only keep it from running off the end.
type scanner struct {
	data []byte
	i    int
}

func (p *scanner) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *scanner) skipString() error {
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return errors.New("expected a string")
	}
	p.i++
	for {
		j := bytes.IndexByte(p.data[p.i:], '"')
		if j < 0 {
			p.i = len(p.data)
			return errors.New("unterminated string")
		}
		end := p.i + j
		// The quote ends the string unless an odd number of backslashes escape it.
		bs := 0
		for k := end - 1; k >= p.i && p.data[k] == '\\'; k-- {
			bs++
		}
		p.i = end + 1
		if bs%2 == 0 {
			return nil
		}
	}
}

func (p *scanner) skipValue() error {
	if p.i >= len(p.data) {
		return errors.New("unexpected end of input")
	}
	switch c := p.data[p.i]; c {
	case '"':
		return p.skipString()
	case '{', '[':
		depth := 0
		for p.i < len(p.data) {
			switch p.data[p.i] {
			case '"':
				if err := p.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return nil
				}
			}
			p.i++
		}
		return errors.New("unterminated value")
	default:
		start := p.i
		for p.i < len(p.data) {
			switch p.data[p.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if p.i == start {
					return fmt.Errorf("unexpected %q", c)
				}
				return nil
			}
			p.i++
		}
		if p.i == start {
			return errors.New("unexpected end of input")
		}
		return nil
	}
}

// appendKey appends a quoted object key and a colon.
func appendKey(b []byte, name string) []byte {
	b = appendString(b, name)
	return append(b, ':')
}

// appendString appends s as a JSON string, by the module's one escaping
// policy (Python's json.dumps(ensure_ascii=False), as NeMo Gym's servers
// write rows): only what JSON requires is escaped.
func appendString(b []byte, s string) []byte { return pyjson.AppendString(b, s, false) }

// Quote returns s as a raw JSON string value, escaped as Python's
// json.dumps(ensure_ascii=False) escapes it: quote, backslash and control
// characters; <, > and & and non-ASCII text are written as they are, and
// invalid UTF-8 as \ufffd.
func Quote(s string) json.RawMessage { return appendString(nil, s) }

// Float returns f as a raw JSON number written as Python writes floats
// (1.0, not 1), so that values read the same in both ecosystems.
func Float(f float64) json.RawMessage { return appendFloat(nil, f) }

// Int returns n as a raw JSON number. Small numbers (task and rollout
// indices) share one value each: values are never modified in place.
func Int(n int) json.RawMessage {
	if 0 <= n && n < len(smallInts) {
		return smallInts[n]
	}
	return strconv.AppendInt(nil, int64(n), 10)
}

var smallInts = func() []json.RawMessage {
	const n = 4096
	digits := make([]byte, 0, n*5)
	out := make([]json.RawMessage, n)
	for i := range out {
		at := len(digits)
		digits = strconv.AppendInt(digits, int64(i), 10)
		out[i] = digits[at:len(digits):len(digits)]
	}
	return out
}()

// validValue reports whether v is one JSON value. A list of numbers — token
// ids and log-probs, the large values a row gets — is checked by a fast scan.
func validValue(v []byte) bool {
	if len(v) > 0 && v[0] == '[' && numberList(v) {
		return true
	}
	return valid(v)
}

// numberList reports whether v is a compact JSON list of numbers ("[1,2]");
// false means "not known", not "invalid".
func numberList(v []byte) bool {
	if len(v) < 2 || v[len(v)-1] != ']' {
		return false
	}
	if len(v) == 2 {
		return true
	}
	for i := 1; ; {
		end, ok := pyjson.NumberEnd(v, i)
		if !ok {
			return false
		}
		switch {
		case end == len(v)-1:
			return true
		case v[end] != ',':
			return false
		}
		i = end + 1
	}
}
