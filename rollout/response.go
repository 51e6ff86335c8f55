package rollout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Response is an OpenAI Responses API response object. Output is decoded into
// items; every other field is kept as it came, in order.
type Response struct {
	Object
	Output []Item
}

// ParseResponse parses a Response object; data is referred to.
func ParseResponse(data []byte) (*Response, error) {
	return parseResponse(data, true)
}

// DecodeResponse returns the member called name of o parsed as a Response,
// and whether o has it. The member is not validated again: o's values are
// valid JSON (validated when o was parsed, or promised by the caller of
// Set), so a server that parsed a request body reads the episode in it
// without a second pass over its bytes.
func (o Object) DecodeResponse(name string) (*Response, bool, error) {
	raw, ok := o.Get(name)
	if !ok {
		return nil, false, nil
	}
	r, err := parseResponse(raw, false)
	return r, true, err
}

// parseResponse parses a Response, validating data first if validate is set
// (it is not for a value taken from a validated row).
func parseResponse(data []byte, validate bool) (*Response, error) {
	o, err := parseObject(data, validate)
	if err != nil {
		return nil, fmt.Errorf("rollout: response: %w", err)
	}
	r := &Response{Object: o}
	if err := r.takeOutput(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Response) takeOutput() error {
	raw, ok := r.Get("output")
	if !ok {
		return nil
	}
	items, err := parseItems(raw, false)
	if err != nil {
		return fmt.Errorf("rollout: response output: %w", err)
	}
	r.Output = items
	r.Set("output", nil) // a placeholder that keeps the field's position
	return nil
}

// ParseItems parses a JSON array of items; data is referred to.
func ParseItems(data json.RawMessage) ([]Item, error) {
	if err := checkJSON(data); err != nil {
		return nil, err
	}
	return parseItems(data, false)
}

func parseItems(data json.RawMessage, validate bool) ([]Item, error) {
	p := scanner{data: data}
	p.skipSpace()
	if p.i < len(data) && data[p.i] == 'n' {
		return nil, nil
	}
	if p.i >= len(data) || data[p.i] != '[' {
		return nil, fmt.Errorf("want a list of items, got %.40s", data)
	}
	p.i++
	var items []Item
	p.skipSpace()
	if p.i < len(data) && data[p.i] == ']' {
		return items, nil
	}
	for {
		p.skipSpace()
		start := p.i
		if err := p.skipValue(); err != nil {
			return nil, err
		}
		o, err := parseObject(data[start:p.i:p.i], validate)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", len(items), err)
		}
		items = append(items, Item{o})
		p.skipSpace()
		if p.i >= len(data) {
			return nil, errors.New("unterminated list of items")
		}
		switch data[p.i] {
		case ',':
			p.i++
		case ']':
			return items, nil
		default:
			return nil, fmt.Errorf("unexpected %q in a list of items", data[p.i])
		}
	}
}

// UnmarshalJSON parses a Response object.
func (r *Response) UnmarshalJSON(data []byte) error {
	nr, err := parseResponse(bytes.Clone(data), false) // encoding/json has validated data
	if err != nil {
		return err
	}
	*r = *nr
	return nil
}

// MarshalJSON writes the response with its current Output. Its receiver is
// a value so that a Response value, too, marshals by it rather than by the
// embedded Object's method (which would write the output placeholder).
func (r Response) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the response's JSON encoding to b.
func (r Response) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, r.EncodedSize())
	b = append(b, '{')
	wroteOutput := false
	for i, f := range r.Fields() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, f.Name)
		if f.Name == "output" {
			b = appendItems(b, r.Output)
			wroteOutput = true
			continue
		}
		b = appendValue(b, f.Value)
	}
	if !wroteOutput {
		if r.Len() > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, "output")
		b = appendItems(b, r.Output)
	}
	return append(b, '}')
}

func appendItems(b []byte, items []Item) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = it.AppendJSON(b)
	}
	return append(b, ']')
}

// EncodedSize returns an upper bound of the length of the response's JSON
// encoding, for sizing buffers.
func (r Response) EncodedSize() int {
	n := r.Object.size() + 12
	for _, it := range r.Output {
		n += it.size() + 1
	}
	return n
}

// IncompleteReason returns incomplete_details.reason ("max_output_tokens",
// ...), or "" for a complete response.
func (r *Response) IncompleteReason() string {
	var d struct {
		Reason string `json:"reason"`
	}
	raw, ok := r.Get("incomplete_details")
	if !ok || json.Unmarshal(raw, &d) != nil {
		return ""
	}
	return d.Reason
}

// Incomplete reports whether the response has incomplete_details set.
func (r *Response) Incomplete() bool {
	raw, ok := r.Get("incomplete_details")
	return ok && string(raw) != "null"
}

// Usage returns the response's token usage (zero if absent).
func (r *Response) Usage() Usage {
	raw, ok := r.Get("usage")
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return Usage{}
	}
	return decodeUsage(raw)
}

func decodeUsage(raw []byte) Usage {
	u := new(Usage)
	_ = json.Unmarshal(raw, u)
	return *u
}

// Episode returns a copy of r (which may be nil: an empty response) whose
// output is output and whose usage is u, in one copy of r's members: the
// response of a whole episode, built from its last model response.
func (r *Response) Episode(output []Item, u Usage) *Response {
	out := &Response{Output: output}
	if r != nil {
		out.fields = make([]Field, len(r.fields), len(r.fields)+1)
		copy(out.fields, r.fields)
	}
	out.SetUsage(u)
	out.clip()
	return out
}

// SetUsage replaces the response's usage.
func (r *Response) SetUsage(u Usage) {
	r.set("usage", u.appendJSON(make([]byte, 0, 160)))
}

// appendJSON appends u as encoding/json writes it.
func (u Usage) appendJSON(b []byte) []byte {
	b = append(b, `{"input_tokens":`...)
	b = strconv.AppendInt(b, int64(u.InputTokens), 10)
	b = append(b, `,"input_tokens_details":{"cached_tokens":`...)
	b = strconv.AppendInt(b, int64(u.InputTokensDetails.CachedTokens), 10)
	b = append(b, `},"output_tokens":`...)
	b = strconv.AppendInt(b, int64(u.OutputTokens), 10)
	b = append(b, `,"output_tokens_details":{"reasoning_tokens":`...)
	b = strconv.AppendInt(b, int64(u.OutputTokensDetails.ReasoningTokens), 10)
	b = append(b, `},"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.TotalTokens), 10)
	return append(b, '}')
}

// Usage is the token usage of a Responses API call.
type Usage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// Add adds v to u.
func (u *Usage) Add(v Usage) {
	u.InputTokens += v.InputTokens
	u.InputTokensDetails.CachedTokens += v.InputTokensDetails.CachedTokens
	u.OutputTokens += v.OutputTokens
	u.OutputTokensDetails.ReasoningTokens += v.OutputTokensDetails.ReasoningTokens
	u.TotalTokens += v.TotalTokens
}
