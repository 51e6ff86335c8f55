package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gymkit/gym/rollout"
)

// ChatRequest returns the Chat Completions request body that NeMo Gym's
// vllm_model sends to vLLM for req:
//
//   - the items become messages: user, system and developer messages as
//     they are (input_text parts become text parts, input_image parts
//     image_url parts; developer becomes system with
//     replace_developer_role_with_system); the reasoning, assistant
//     messages and function calls between two other messages merge into one
//     assistant message, reasoning as <think>…</think> before the text and
//     function calls as tool_calls; a function_call_output becomes a tool
//     message;
//   - with uses_reasoning_parser, the first <think> block of an assistant
//     message moves to reasoning_content and reasoning (unless
//     uses_interleaved_reasoning is false) and every block leaves the text;
//   - with return_token_id_information, an assistant message carries the
//     token ids of the last item before it that had them, and the request
//     asks for logprobs (top_logprobs 0) and token ids;
//   - max_output_tokens becomes max_tokens, function tools become chat
//     tools (without strict), the model is the configured one, and
//     chat_template_kwargs and extra_body come from the config, overridden
//     per row by metadata.chat_template_kwargs and metadata.extra_body
//     (JSON objects in strings); extra_body never replaces a field the
//     request sets, sampling_overrides always do.
//
// Other parameters pass through. Responses parameters that Chat Completions
// lacks (instructions, reasoning, text, ...) are an error unless null, as in
// NeMo Gym.
func ChatRequest(cfg VLLMConfig, req *Request) ([]byte, error) {
	c, err := newChatConv(cfg)
	if err != nil {
		return nil, err
	}
	body, err := c.request(req)
	if err != nil {
		return nil, err
	}
	return body.json, nil
}

// responsesOnly are the Responses create parameters without a Chat
// Completions counterpart.
var responsesOnly = map[string]bool{
	"background": true, "conversation": true, "include": true, "instructions": true,
	"max_tool_calls": true, "previous_response_id": true, "prompt": true, "reasoning": true,
	"text": true, "truncation": true, "context_management": true,
}

// chatBody is a chat request: its JSON, the messages list in it, and its
// other fields.
type chatBody struct {
	json     []byte
	messages []byte
	fields   rollout.Object
}

// request builds the chat request body. The messages list, megabytes with
// a long generation's token ids, is written once, into the body itself.
func (c *chatConv) request(req *Request) (*chatBody, error) {
	var body rollout.Object
	j := &joiner{buf: make([]byte, 0, 1024)}
	j.str(`{"messages":`)
	if err := c.messages(j, req.Input); err != nil {
		return nil, err
	}
	msgEnd := j.len()
	body.Set("model", rollout.Quote(c.cfg.Model))
	var tools, metadata json.RawMessage
	for _, f := range req.Params.Fields() {
		switch name, v := f.Name, f.Value; {
		case name == "input" || name == "model" || name == "messages":
		case name == "max_output_tokens":
			if !isNull(v) {
				body.Set("max_tokens", v)
			}
		case name == "tools":
			tools = v
		case name == "tool_choice":
			body.Set(name, chatToolChoice(v))
		case name == "stream":
			if string(bytes.TrimSpace(v)) == "true" {
				return nil, errors.New("model: vllm: streaming (stream: true) is not supported")
			}
		case responsesOnly[name]:
			if !isNull(v) {
				return nil, fmt.Errorf("model: vllm: the Responses parameter %q has no Chat Completions equivalent; remove it from the row (NeMo Gym's vllm_model rejects it too)", name)
			}
		default:
			if name == "metadata" {
				metadata = v
			}
			body.Set(name, v)
		}
	}

	chatTools, err := chatTools(tools)
	if err != nil {
		return nil, err
	}
	if chatTools != nil {
		body.Set("tools", chatTools)
	} else {
		if tc, ok := body.Get("tool_choice"); ok {
			switch string(bytes.TrimSpace(tc)) {
			case "null", `"auto"`, `"none"`:
			default:
				return nil, fmt.Errorf("model: vllm: tool_choice=%s requires at least one tool", tc)
			}
		}
		body.Delete("tool_choice")
		body.Delete("parallel_tool_calls")
	}

	kwargs, err := c.merged(c.templateKwargs, metadata, "chat_template_kwargs")
	if err != nil {
		return nil, err
	}
	if kwargs.Len() > 0 {
		body.Set("chat_template_kwargs", kwargs.AppendJSON(nil))
	}
	extra, err := c.merged(c.extraBody, metadata, "extra_body")
	if err != nil {
		return nil, err
	}

	if c.cfg.ReturnTokenIDInformation {
		body.Set("logprobs", json.RawMessage("true"))
		// vLLM returns no logprobs for a null top_logprobs, so pin it.
		body.Set("top_logprobs", json.RawMessage("0"))
		body.Set("return_tokens_as_token_ids", json.RawMessage("true"))
		if c.cfg.RequestPromptAndGenerationTokenIDs {
			body.Set("return_token_ids", json.RawMessage("true"))
		}
	}
	if v, ok := body.Get("top_logprobs"); ok && isNull(v) {
		body.Delete("top_logprobs")
	}
	for _, f := range extra.Fields() {
		if !body.Has(f.Name) && f.Name != "messages" {
			body.Set(f.Name, f.Value)
		}
	}
	for _, f := range c.overrides {
		if f.Name != "messages" {
			body.Set(f.Name, f.Value)
		}
	}
	if n, ok := body.Get("n"); ok && c.cfg.ReturnTokenIDInformation {
		if s := string(bytes.TrimSpace(n)); s != "null" && s != "1" {
			return nil, fmt.Errorf("model: vllm: return_token_id_information needs one choice per call, the request has n=%s", s)
		}
	}
	for _, f := range body.Fields() {
		j.byte(',')
		j.buf = appendQuoted(j.buf, f.Name)
		j.byte(':')
		j.ref(f.Value)
	}
	j.byte('}')
	out := j.join()
	return &chatBody{json: out, messages: out[len(`{"messages":`):msgEnd], fields: body}, nil
}

// merged returns the config's map updated with the row's override: the
// metadata entry key holds a JSON object in a string.
func (c *chatConv) merged(base []rollout.Field, metadata json.RawMessage, key string) (rollout.Object, error) {
	var o rollout.Object
	for _, f := range base {
		o.Set(f.Name, f.Value)
	}
	if isNull(metadata) {
		return o, nil
	}
	md, err := rollout.ParseObject(metadata)
	if err != nil {
		return o, fmt.Errorf("model: vllm: metadata: %w", err)
	}
	v, ok := md.Get(key)
	if !ok || isNull(v) {
		return o, nil
	}
	r := jsonReader{data: v}
	s, err := r.text(nil)
	if err != nil {
		return o, fmt.Errorf("model: vllm: metadata.%s must be a JSON object in a string, got %.100s", key, v)
	}
	if len(bytes.TrimSpace(s)) == 0 {
		return o, nil
	}
	over, err := rollout.ParseObject(s)
	if err != nil {
		return o, fmt.Errorf("model: vllm: metadata.%s must be a JSON object in a string: %w (got %.100q)", key, err, s)
	}
	for _, f := range over.Fields() {
		o.Set(f.Name, f.Value)
	}
	return o, nil
}

// chatTools converts Responses function tools; nil means no tools.
func chatTools(tools json.RawMessage) (json.RawMessage, error) {
	if isNull(tools) {
		return nil, nil
	}
	var out []byte
	n := 0
	r := jsonReader{data: tools}
	err := r.array(func(i int) error {
		var name, desc, params, typ []byte
		err := r.object(func(k []byte) error {
			v, err := r.raw()
			switch string(k) {
			case "name":
				name = v
			case "description":
				desc = v
			case "parameters":
				params = v
			case "type":
				typ = v
			}
			return err
		})
		if err != nil {
			return err
		}
		if typ != nil && string(typ) != `"function"` {
			return fmt.Errorf("tools[%d]: a %s tool has no Chat Completions equivalent", i, typ)
		}
		if name == nil {
			return fmt.Errorf("tools[%d]: a function tool needs a name", i)
		}
		if n == 0 {
			out = append(out, '[')
		} else {
			out = append(out, ',')
		}
		n++
		out = append(out, `{"type":"function","function":{"name":`...)
		out = append(out, name...)
		if !isNull(desc) {
			out = append(append(out, `,"description":`...), desc...)
		}
		if !isNull(params) {
			out = append(append(out, `,"parameters":`...), params...)
		}
		out = append(out, '}', '}')
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("model: vllm: tools: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	return append(out, ']'), nil
}

// chatToolChoice converts a Responses tool choice naming a function,
// {"type":"function","name":f}, to the chat form; others pass.
func chatToolChoice(v json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '{' {
		return v
	}
	o, err := rollout.ParseObject(v)
	if err != nil || o.String("type") != "function" || o.Has("function") {
		return v
	}
	name, ok := o.Get("name")
	if !ok {
		return v
	}
	return append(append([]byte(`{"type":"function","function":{"name":`), name...), '}', '}')
}

// msgWriter accumulates chat messages. Items that make one assistant turn
// (reasoning, assistant text, function calls) gather in the buffers until
// another message flushes them.
type msgWriter struct {
	c *chatConv
	j *joiner // the messages list so far
	n int     // messages written
	// content is the pending assistant text, <think> blocks and message
	// text, canonical escaped text (see jsonText) for as long as every
	// piece of it is.
	content jsonText
	calls   []byte // tool_calls elements
	ncalls  int
	tok     *tokenFields // the last token ids seen: NeMo Gym keeps them for later turns

	items []rollout.Item
	at    int // the item being written
}

// turnSize estimates the assistant text the items of the turn from the
// current one on add to the pending content (with <think> tags): the
// length of their raw summaries and contents, so that it is sized once
// (a hint: appends grow it past that).
func (w *msgWriter) turnSize() int {
	n := 0
	for _, it := range w.items[w.at:] {
		switch it.Type() {
		case rollout.TypeReasoning:
			v, _ := it.Get("summary")
			n += len(v) // a part's JSON is about as long as its text in tags
		case rollout.TypeMessage:
			if it.Role() != "assistant" {
				return n
			}
			v, _ := it.Get("content")
			n += len(v)
		case rollout.TypeFunctionCall:
		default:
			return n
		}
	}
	return n
}

// tokenFields are the raw token fields of an item.
type tokenFields struct {
	prompt, gen, logProbs, routed json.RawMessage
}

// messages writes the messages of items to j.
func (c *chatConv) messages(j *joiner, items []rollout.Item) error {
	w := &msgWriter{c: c, j: j, content: jsonText{canon: true}, items: items}
	j.byte('[')
	for i, it := range items {
		w.at = i
		if err := w.item(it); err != nil {
			return fmt.Errorf("model: vllm: input[%d]: %w", i, err)
		}
		if c.cfg.ReturnTokenIDInformation {
			tok, err := itemTokens(it)
			if err != nil {
				return fmt.Errorf("model: vllm: input[%d]: %w", i, err)
			}
			if tok != nil {
				w.tok = tok
			}
		}
	}
	w.flush()
	j.byte(']')
	return nil
}

// text appends the text of the string r reads next to the pending
// content, and reports whether it was empty. The content leaves the
// escaped form, decoded, at the first piece that is not canonical.
func (w *msgWriter) text(r *jsonReader, prefix, suffix []byte) (empty bool, err error) {
	t, err := r.readText()
	if err != nil || len(t.b) == 0 {
		return true, err
	}
	if cap(w.content.b) == 0 {
		w.content.b = make([]byte, 0, w.turnSize()+len(prefix)+len(suffix))
	}
	w.content.b = append(w.content.b, prefix...)
	if w.content.canon && !t.canon {
		w.content = jsonText{b: w.content.decoded()}
	}
	if !w.content.canon {
		t.b = t.decoded()
	}
	w.content.b = append(w.content.b, t.b...)
	w.content.b = append(w.content.b, suffix...)
	return false, nil
}

// itemTokens returns the token fields of an item whose prompt_token_ids is
// a non-empty list.
func itemTokens(it rollout.Item) (*tokenFields, error) {
	p, ok := it.Get(rollout.KeyPromptTokenIDs)
	if !ok || isNull(p) {
		return nil, nil
	}
	r := jsonReader{data: p}
	if r.peek() != '[' {
		return nil, fmt.Errorf("%s is not a list", rollout.KeyPromptTokenIDs)
	}
	r.i++
	if r.peek() == ']' {
		return nil, nil
	}
	t := &tokenFields{prompt: p}
	t.gen, _ = it.Get(rollout.KeyGenerationTokenIDs)
	t.logProbs, _ = it.Get(rollout.KeyGenerationLogProbs)
	if isNull(t.gen) || isNull(t.logProbs) {
		return nil, fmt.Errorf("an item with %s needs %s and %s", rollout.KeyPromptTokenIDs, rollout.KeyGenerationTokenIDs, rollout.KeyGenerationLogProbs)
	}
	if re, ok := it.Get("routed_experts"); ok && !isNull(re) {
		t.routed = re
	}
	return t, nil
}

func (w *msgWriter) item(it rollout.Item) error {
	switch typ := it.Type(); typ {
	case rollout.TypeMessage:
		return w.message(it)
	case rollout.TypeReasoning:
		summary, ok := it.Get("summary")
		if !ok {
			return nil
		}
		r := jsonReader{data: summary}
		return r.array(func(i int) error {
			found := false
			err := r.object(func(k []byte) error {
				if string(k) != "text" {
					return r.skip(0)
				}
				found = true
				_, err := w.text(&r, thinkOpen, thinkClose) // empty text: no block
				return err
			})
			if err == nil && !found {
				err = fmt.Errorf("reasoning summary[%d] has no text", i)
			}
			return err
		})
	case rollout.TypeFunctionCall:
		id, args, name, err := fields3(it, "call_id", "arguments", "name")
		if err != nil {
			return fmt.Errorf("function_call: %w", err)
		}
		if w.ncalls > 0 {
			w.calls = append(w.calls, ',')
		}
		w.ncalls++
		w.calls = append(w.calls, `{"id":`...)
		w.calls = append(w.calls, id...)
		w.calls = append(w.calls, `,"function":{"arguments":`...)
		w.calls = append(w.calls, args...)
		w.calls = append(w.calls, `,"name":`...)
		w.calls = append(w.calls, name...)
		w.calls = append(w.calls, `},"type":"function"}`...)
		return nil
	case rollout.TypeFunctionCallOutput:
		w.flush()
		id, ok := it.Get("call_id")
		if !ok {
			return errors.New("function_call_output has no call_id")
		}
		out, _ := it.Get("output")
		content, err := chatContent(out, true)
		if err != nil {
			return fmt.Errorf("function_call_output: %w", err)
		}
		w.open()
		w.j.str(`{"content":`)
		w.j.ref(content)
		w.j.str(`,"role":"tool","tool_call_id":`)
		w.j.ref(id)
		w.j.byte('}')
		return nil
	default:
		return fmt.Errorf("unsupported item type %q", typ)
	}
}

func (w *msgWriter) message(it rollout.Item) error {
	raw, ok := it.Get("content")
	if !ok {
		return errors.New("message has no content")
	}
	role := it.Role()
	switch role {
	case "assistant":
		r := jsonReader{data: raw}
		var err error
		switch r.peek() {
		case '"':
			_, err = w.text(&r, nil, nil)
		case '[':
			err = r.array(func(i int) error {
				return r.object(func(k []byte) error {
					if string(k) != "text" {
						return r.skip(0)
					}
					_, err := w.text(&r, nil, nil)
					return err
				})
			})
		default:
			err = fmt.Errorf("want the content of an assistant message to be a string or a list of parts, got %.40s", raw)
		}
		return err
	case "user", "system", "developer":
		content, err := chatContent(raw, false)
		if err != nil {
			return fmt.Errorf("%s message: %w", role, err)
		}
		if role == "developer" && w.c.cfg.ReplaceDeveloperRoleWithSystem {
			role = "system"
		}
		w.flush()
		w.open()
		w.j.str(`{"content":`)
		w.j.ref(content)
		w.j.str(`,"role":`)
		w.j.buf = appendQuoted(w.j.buf, role)
		w.j.byte('}')
		return nil
	default:
		return fmt.Errorf("unrecognized message role %q", role)
	}
}

// chatContent converts message content: a string passes, a list of parts
// becomes chat parts.
func chatContent(raw json.RawMessage, tool bool) ([]byte, error) {
	r := jsonReader{data: raw}
	switch r.peek() {
	case '"':
		return raw, nil
	case '[':
	default:
		return nil, fmt.Errorf("want content to be a string or a list of parts, got %.40s", raw)
	}
	out := make([]byte, 0, len(raw)+16)
	out = append(out, '[')
	err := r.array(func(i int) error {
		var typ, text, url, detail []byte
		var hasText bool
		err := r.object(func(k []byte) error {
			start := r.i
			if err := r.skip(0); err != nil {
				return err
			}
			v := bytes.TrimSpace(r.data[start:r.i])
			switch string(k) {
			case "type":
				typ = v
			case "text":
				text, hasText = v, true
			case "image_url":
				url = v
			case "detail":
				detail = v
			}
			return nil
		})
		if err != nil {
			return err
		}
		if i > 0 {
			out = append(out, ',')
		}
		switch t := string(typ); {
		case t == `"input_text"` || (tool && (t == `"output_text"` || t == `"text"`)):
			if !hasText {
				return fmt.Errorf("part %d has no text", i)
			}
			out = append(out, `{"type":"text","text":`...)
			out = append(out, text...)
			out = append(out, '}')
		case t == `"input_image"` && !tool:
			if url == nil {
				url = []byte(`""`)
			}
			if detail == nil {
				detail = []byte(`"auto"`)
			}
			out = append(out, `{"type":"image_url","image_url":{"url":`...)
			out = append(out, url...)
			out = append(out, `,"detail":`...)
			out = append(out, detail...)
			out = append(out, '}', '}')
		default:
			return fmt.Errorf("unsupported content part type %s", typ)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, ']'), nil
}

// fields3 returns three fields an item must have.
func fields3(it rollout.Item, a, b, c string) (va, vb, vc json.RawMessage, err error) {
	vs := [3]json.RawMessage{}
	for i, k := range [3]string{a, b, c} {
		var ok bool
		if vs[i], ok = it.Get(k); !ok {
			return nil, nil, nil, fmt.Errorf("no %s", k)
		}
	}
	return vs[0], vs[1], vs[2], nil
}

// open starts a message.
func (w *msgWriter) open() {
	if w.n > 0 {
		w.j.byte(',')
	}
	w.n++
}

// flush writes the pending assistant message, if any. The message refers
// to the pending buffers, which start anew.
func (w *msgWriter) flush() {
	if len(w.content.b) == 0 && w.ncalls == 0 {
		return
	}
	w.open()
	j := w.j
	j.str(`{"role":"assistant","content":`)
	switch content := w.content; {
	case len(content.b) == 0:
		j.str("null")
	case w.c.cfg.UsesReasoningParser && !w.c.cfg.PreserveReasoningInAssistantContent:
		matches, rest := splitThink(content.b)
		j.quote(jsonText{b: rest, canon: content.canon})
		if len(matches) > 0 && w.c.interleaved {
			// vLLM >= 0.16 reads reasoning, older versions reasoning_content.
			j.str(`,"reasoning_content":`)
			reasoning := jsonText{b: matches[0], canon: true}
			if !content.canon {
				reasoning.b = appendQuoted(nil, matches[0])
				reasoning.b = reasoning.b[1 : len(reasoning.b)-1]
			}
			j.quote(reasoning)
			j.str(`,"reasoning":`)
			j.quote(reasoning)
		}
	default:
		j.quote(content)
	}
	if w.ncalls > 0 {
		j.str(`,"tool_calls":[`)
		j.ref(w.calls)
		j.byte(']')
	}
	if t := w.tok; t != nil && w.c.cfg.ReturnTokenIDInformation {
		j.str(`,"prompt_token_ids":`)
		j.ref(t.prompt)
		j.str(`,"generation_token_ids":`)
		j.ref(t.gen)
		j.str(`,"generation_log_probs":`)
		j.ref(t.logProbs)
		if t.routed != nil {
			j.str(`,"routed_experts":`)
			j.ref(t.routed)
		}
	}
	j.byte('}')
	w.content = jsonText{canon: true}
	w.calls = nil
	w.ncalls = 0
}
