package rollout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/jsonscan"
)

// Item types of the OpenAI Responses API that the tool loop acts on.
const (
	TypeMessage            = "message"
	TypeFunctionCall       = "function_call"
	TypeFunctionCallOutput = "function_call_output"
	TypeReasoning          = "reasoning"
)

// Item is one Responses API item (a message, a function call, a tool result,
// a reasoning item, ...), kept as its JSON object so that every field — also
// ones this package does not know, such as generation_token_ids — survives.
type Item struct {
	Object
}

// ParseItem parses one item; data must be a JSON object and is referred to.
func ParseItem(data []byte) (Item, error) {
	o, err := ParseObject(data)
	if err != nil {
		return Item{}, fmt.Errorf("rollout: item: %w", err)
	}
	return Item{o}, nil
}

// NewMessage returns an easy input message {"type":"message","role":role,"content":text}.
func NewMessage(role, text string) Item {
	v := quoted2(role, text)
	return Item{Object{fields: []Field{
		{"type", json.RawMessage(`"message"`)},
		{"role", v[0]},
		{"content", v[1]},
	}}}
}

// NewOutputMessage returns an assistant output message with one output_text part,
// as a Responses API server produces it.
func NewOutputMessage(id, text string) Item {
	const head = `[{"type":"output_text","annotations":[],"text":`
	b := make([]byte, 0, len(id)+len(head)+len(text)+8)
	b = appendString(b, id)
	n := len(b)
	b = append(b, head...)
	b = appendString(b, text)
	b = append(b, '}', ']')
	return Item{Object{fields: []Field{
		{"id", b[:n:n]},
		{"type", json.RawMessage(`"message"`)},
		{"role", json.RawMessage(`"assistant"`)},
		{"status", json.RawMessage(`"completed"`)},
		{"content", b[n:]},
	}}}
}

// NewFunctionCall returns a function_call item; arguments is a JSON string.
func NewFunctionCall(callID, name, arguments string) Item {
	b := make([]byte, 0, len(callID)+len(name)+len(arguments)+6)
	b = appendString(b, callID)
	i := len(b)
	b = appendString(b, name)
	j := len(b)
	b = appendString(b, arguments)
	return Item{Object{fields: []Field{
		{"type", json.RawMessage(`"function_call"`)},
		{"call_id", b[:i:i]},
		{"name", b[i:j:j]},
		{"arguments", b[j:]},
		{"status", json.RawMessage(`"completed"`)},
	}}}
}

// NewFunctionCallOutput returns the function_call_output item answering callID.
func NewFunctionCallOutput(callID, output string) Item {
	v := quoted2(callID, output)
	return Item{Object{fields: []Field{
		{"type", json.RawMessage(`"function_call_output"`)},
		{"call_id", v[0]},
		{"output", v[1]},
	}}}
}

// quoted2 quotes a and b into one allocation: the values of a new item.
func quoted2(a, b string) [2]json.RawMessage {
	buf := make([]byte, 0, len(a)+len(b)+4)
	buf = appendString(buf, a)
	i := len(buf)
	buf = appendString(buf, b)
	return [2]json.RawMessage{buf[:i:i], buf[i:]}
}

// Type returns the item type. An item without one but with a role is a
// message, as the Responses API reads easy input messages.
func (it Item) Type() string {
	if t := it.String("type"); t != "" {
		return t
	}
	if it.Has("role") {
		return TypeMessage
	}
	return ""
}

// Role returns a message's role.
func (it Item) Role() string { return it.String("role") }

// Name returns a function call's tool name.
func (it Item) Name() string { return it.String("name") }

// Arguments returns a function call's arguments (a JSON document as a string).
func (it Item) Arguments() string { return it.String("arguments") }

// ArgumentsJSON returns a function call's arguments as the JSON text the
// string holds (Arguments' bytes), or nil if the item has no string
// arguments. The bytes may be the item's own: do not modify them.
func (it Item) ArgumentsJSON() json.RawMessage {
	raw, ok := it.Get("arguments")
	if !ok || len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return json.RawMessage(body[:len(body):len(body)])
	}
	out, ok := jsonscan.AppendUnescaped(make([]byte, 0, len(body)), body)
	if !ok {
		return nil
	}
	return out
}

// CallID returns the call id of a function call or of its output.
func (it Item) CallID() string { return it.String("call_id") }

// Output returns a function_call_output's output.
func (it Item) Output() string {
	raw, ok := it.Get("output")
	if !ok {
		return ""
	}
	if s, ok := unquote(raw); ok {
		return s
	}
	// Output may also be a list of content parts.
	return textOf(raw)
}

// Text returns the text of a message: its content if it is a string, or its
// text parts (input_text, output_text, text) joined. For a reasoning item it
// is the summary text.
func (it Item) Text() string {
	if it.Type() == TypeReasoning {
		raw, _ := it.Get("summary")
		return textOf(raw)
	}
	raw, _ := it.Get("content")
	return textOf(raw)
}

func textOf(raw json.RawMessage) string {
	if s, ok := unquote(raw); ok {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Clone returns a copy of the item whose fields can be set without changing it.
func (it Item) Clone() Item { return Item{it.Object.Clone()} }
