package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/rollout"
)

// ChatToResponse converts a Chat Completions answer of vLLM (the raw body)
// into a Responses object, as NeMo Gym's vllm_model does: the first choice's
// message becomes a reasoning item (from reasoning_content or reasoning with
// uses_reasoning_parser, together with any <think> blocks of the text), an
// assistant message if text remains or nothing else was produced, and one
// function_call item per tool call; finish reason "length" makes the
// response incomplete (max_output_tokens); usage is mapped.
//
// With return_token_id_information the last output item gets the call's
// prompt_token_ids, generation_token_ids and generation_log_probs, taken in
// this order from: the same fields on the message; vLLM's top-level
// prompt_token_ids with choices[0].token_ids (checked against the logprob
// tokens); the logprob tokens ("token_id:<n>") with the prompt from
// tokenize, which the caller connects to vLLM's /tokenize (nil fails when it
// is needed). Partial or disagreeing sources are a *rollout.Failure of class
// rollout.FailModel.
func ChatToResponse(cfg VLLMConfig, raw []byte, tokenize func() ([]int, error)) (*rollout.Response, error) {
	c, err := newChatConv(cfg)
	if err != nil {
		return nil, err
	}
	return c.response(raw, tokenize)
}

// chatAnswer is what the conversion takes from a chat completion.
type chatAnswer struct {
	role                        string // "" or, as checked, "assistant"
	content                     jsonText
	reasoningContent, reasoning jsonText
	thought                     jsonText // reasoning_content, or else reasoning
	toolCalls                   []chatToolCall
	finishReason                string
	usage                       json.RawMessage

	// Token ids on the message (NeMo RL's vLLM): raw lists, and the parsed
	// ids to compare with the other sources.
	msgPrompt, msgGen, msgLogProbs json.RawMessage
	msgPromptIDs, msgGenIDs        []int
	msgLogProbCount                int
	routedExperts                  json.RawMessage

	// vLLM's prompt_token_ids and choices[0].token_ids; the ids of
	// token_ids are only parsed when they are compared with another
	// source than the logprob tokens (see genIDs).
	topPrompt, choiceGen       json.RawMessage
	topPromptIDs, choiceGenIDs []int

	// choices[0].logprobs.content: the token ids and the logprobs, each as
	// a JSON list (the ids as rollout.AppendInts writes them, so that
	// token_ids as vLLM writes it compares byte for byte), and the first
	// malformed entry (NeMo Gym only looks at them when the message
	// carries no token ids).
	hasLogprobs bool
	lpGen       []byte
	lpList      []byte
	lpErr       error
}

// genIDs returns the ids of choices[0].token_ids.
func (a *chatAnswer) genIDs() []int {
	if a.choiceGenIDs == nil && a.choiceGen != nil {
		a.choiceGenIDs = listInts(a.choiceGen)
	}
	return a.choiceGenIDs
}

// listInts parses a list of integers already read by jsonReader.ints.
func listInts(list []byte) []int {
	r := jsonReader{data: list}
	ids, _ := r.ints(nil)
	return ids
}

type chatToolCall struct {
	id, name, arguments []byte
	typ                 string
	hasID, hasFunction  bool
	hasName, hasArgs    bool
}

func (c *chatConv) response(raw []byte, tokenize func() ([]int, error)) (*rollout.Response, error) {
	a, err := parseChat(raw, c.cfg.ReturnTokenIDInformation)
	if err != nil {
		return nil, modelFailure("/chat/completions answered something that is not a chat completion: %v (body %.200q)", err, raw)
	}
	reasoning := a.reasoningContent
	if len(reasoning.b) == 0 {
		reasoning = a.reasoning
	}
	if a.role != "" && a.role != "assistant" {
		return nil, modelFailure("choices[0].message.role is %q, want assistant", a.role)
	}
	if !c.cfg.UsesReasoningParser && len(reasoning.b) > 0 {
		return nil, modelFailure("the config sets uses_reasoning_parser: false, but vLLM answered with reasoning_content: set uses_reasoning_parser: true or start vLLM without a reasoning parser")
	}
	a.thought = reasoning
	var tok *tokenFields
	if c.cfg.ReturnTokenIDInformation {
		if tok, err = a.tokens(tokenize); err != nil {
			return nil, err
		}
	}
	return c.build(a, tok), nil
}

// build makes the Responses object of an answer. The texts stay as they
// were written when they are canonical (see jsonText), and are decoded
// and escaped again otherwise.
func (c *chatConv) build(a *chatAnswer, tok *tokenFields) *rollout.Response {
	esc := (a.content.canon || len(a.content.b) == 0) && (a.thought.canon || len(a.thought.b) == 0)
	content, thought := a.content.b, a.thought.b
	if !esc {
		content, thought = a.content.decoded(), a.thought.decoded()
	}
	text := func(b []byte) jsonText { return jsonText{b: b, canon: esc} }
	var matches [][]byte
	if c.cfg.UsesReasoningParser {
		switch r := thought; {
		case len(r) == 0:
			matches, content = splitThink(content)
		case !bytes.Contains(r, thinkClose):
			// NeMo Gym wraps vLLM's reasoning in <think> tags before the
			// text and parses the tags out again: that gives the reasoning
			// and then the text's own blocks.
			matches, content = splitThink(content)
			matches = append([][]byte{r}, matches...)
		default:
			// Reasoning holding "</think>" splits where NeMo Gym's regex
			// splits it.
			matches, content = splitThink(bytes.Join([][]byte{thinkOpen, r, thinkClose, content}, nil))
		}
	}
	items := make([]rollout.Item, 0, 2+len(a.toolCalls))
	if len(matches) > 0 {
		j := joiner{buf: make([]byte, 0, 64+len(matches)*48)}
		j.byte('[')
		for i, m := range matches {
			if i > 0 {
				j.byte(',')
			}
			j.str(`{"text":`)
			j.quote(text(m))
			j.str(`,"type":"summary_text"}`)
		}
		j.byte(']')
		var it rollout.Item
		setRaw(&it.Object, "id", rollout.Quote("rs_"+newHex()))
		setRaw(&it.Object, "summary", j.join())
		setRaw(&it.Object, "type", json.RawMessage(`"reasoning"`))
		setRaw(&it.Object, "status", json.RawMessage(`"completed"`))
		items = append(items, it)
	}
	if len(content) > 0 || (len(items) == 0 && len(a.toolCalls) == 0) {
		j := joiner{buf: make([]byte, 0, 64)}
		j.str(`[{"annotations":[],"text":`)
		j.quote(text(content))
		j.str(`,"type":"output_text"}]`)
		var it rollout.Item
		setRaw(&it.Object, "id", rollout.Quote("msg_"+newHex()))
		setRaw(&it.Object, "content", j.join())
		setRaw(&it.Object, "role", json.RawMessage(`"assistant"`))
		setRaw(&it.Object, "status", json.RawMessage(`"completed"`))
		setRaw(&it.Object, "type", json.RawMessage(`"message"`))
		items = append(items, it)
	}
	for _, tc := range a.toolCalls {
		id := appendQuoted(nil, tc.id)
		var it rollout.Item
		setRaw(&it.Object, "arguments", appendQuoted(nil, tc.arguments))
		setRaw(&it.Object, "call_id", id)
		setRaw(&it.Object, "name", appendQuoted(nil, tc.name))
		setRaw(&it.Object, "type", json.RawMessage(`"function_call"`))
		setRaw(&it.Object, "id", id)
		setRaw(&it.Object, "status", json.RawMessage(`"completed"`))
		items = append(items, it)
	}
	if tok != nil {
		last := &items[len(items)-1]
		setRaw(&last.Object, rollout.KeyPromptTokenIDs, tok.prompt)
		setRaw(&last.Object, rollout.KeyGenerationTokenIDs, tok.gen)
		setRaw(&last.Object, rollout.KeyGenerationLogProbs, tok.logProbs)
		if tok.routed != nil {
			setRaw(&last.Object, "routed_experts", tok.routed)
		}
	}

	resp := &rollout.Response{Output: items}
	setRaw(&resp.Object, "id", rollout.Quote("resp_"+newHex()))
	setRaw(&resp.Object, "object", json.RawMessage(`"response"`))
	setRaw(&resp.Object, "created_at", rollout.Int(int(time.Now().Unix())))
	setRaw(&resp.Object, "model", rollout.Quote(c.cfg.Model))
	if a.finishReason == "length" {
		setRaw(&resp.Object, "status", json.RawMessage(`"incomplete"`))
		setRaw(&resp.Object, "incomplete_details", json.RawMessage(`{"reason":"max_output_tokens"}`))
	} else {
		setRaw(&resp.Object, "status", json.RawMessage(`"completed"`))
		setRaw(&resp.Object, "incomplete_details", json.RawMessage("null"))
	}
	setRaw(&resp.Object, "output", nil)
	if a.usage != nil {
		var u struct {
			Prompt        int `json:"prompt_tokens"`
			Completion    int `json:"completion_tokens"`
			Total         int `json:"total_tokens"`
			PromptDetails *struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
			CompletionDetails *struct {
				ReasoningTokens int `json:"reasoning_tokens"`
			} `json:"completion_tokens_details"`
		}
		if json.Unmarshal(a.usage, &u) == nil {
			var usage rollout.Usage
			usage.InputTokens, usage.OutputTokens, usage.TotalTokens = u.Prompt, u.Completion, u.Total
			if u.PromptDetails != nil {
				usage.InputTokensDetails.CachedTokens = u.PromptDetails.CachedTokens
			}
			if u.CompletionDetails != nil {
				usage.OutputTokensDetails.ReasoningTokens = u.CompletionDetails.ReasoningTokens
			}
			resp.SetUsage(usage)
		}
	}
	return resp
}

// tokens resolves the token ids of the call from the answer's sources, in
// NeMo Gym's order: the message's bundle, vLLM's inline ids, the logprob
// tokens with the prompt from /tokenize.
func (a *chatAnswer) tokens(tokenize func() ([]int, error)) (*tokenFields, error) {
	var missing []string
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{{rollout.KeyGenerationLogProbs, a.msgLogProbs}, {rollout.KeyGenerationTokenIDs, a.msgGen}, {rollout.KeyPromptTokenIDs, a.msgPrompt}} {
		if f.v == nil {
			missing = append(missing, f.name)
		}
	}
	hasBundle := len(missing) < 3
	if hasBundle && len(missing) > 0 {
		return nil, modelFailure("choice.message returned partial token metadata; missing: %s", strings.Join(missing, ", "))
	}
	if hasBundle && a.msgLogProbCount != len(a.msgGenIDs) {
		return nil, modelFailure("choice.message returned mismatched generation token IDs and log probabilities: %d token IDs and %d log probabilities", len(a.msgGenIDs), a.msgLogProbCount)
	}
	hasInline := a.topPrompt != nil || a.choiceGen != nil
	if hasInline && a.choiceGen == nil {
		return nil, modelFailure("vLLM response returned partial token metadata; missing: choice.token_ids")
	}
	if hasInline && a.topPrompt == nil {
		return nil, modelFailure("vLLM response returned partial token metadata; missing: prompt_token_ids")
	}
	if hasBundle {
		if hasInline && (!slices.Equal(a.msgPromptIDs, a.topPromptIDs) || !slices.Equal(a.msgGenIDs, a.genIDs())) {
			return nil, modelFailure("message-level token metadata disagrees with vLLM response token IDs")
		}
		return &tokenFields{prompt: a.msgPrompt, gen: a.msgGen, logProbs: a.msgLogProbs, routed: a.routedExperts}, nil
	}
	if !a.hasLogprobs {
		return nil, modelFailure("return_token_id_information asked vLLM for per-token logprobs (logprobs=true, top_logprobs=0), but the answer has no choices[0].logprobs.content: cannot take token ids or logprobs")
	}
	if a.lpErr != nil {
		return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: fmt.Errorf("model: vllm: %w", a.lpErr)}
	}
	t := &tokenFields{logProbs: a.lpList, routed: a.routedExperts}
	if hasInline {
		// As vLLM writes them, the two lists are the same bytes.
		if !bytes.Equal(a.choiceGen, a.lpGen) {
			if gen, lp := a.genIDs(), listInts(a.lpGen); !slices.Equal(gen, lp) {
				return nil, modelFailure("vLLM response generation token IDs (choices[0].token_ids, %d) disagree with the choice's logprob token IDs (%d)", len(gen), len(lp))
			}
		}
		t.prompt, t.gen = a.topPrompt, a.choiceGen
		return t, nil
	}
	if tokenize == nil {
		return nil, modelFailure("the answer carries no prompt token ids and there is no /tokenize to ask")
	}
	prompt, err := tokenize()
	if err != nil {
		return nil, err
	}
	t.prompt = rollout.AppendInts(make([]byte, 0, len(prompt)*7), prompt)
	t.gen = a.lpGen
	return t, nil
}

// parseChat reads the parts of a chat completion that the conversion uses.
// Token data is only read when wanted.
func parseChat(raw []byte, wantTokens bool) (*chatAnswer, error) {
	a := &chatAnswer{}
	r := &jsonReader{data: raw}
	if r.peek() != '{' {
		return nil, errors.New("not a JSON object")
	}
	choices := 0
	err := r.object(func(k []byte) error {
		switch string(k) {
		case "choices":
			return r.array(func(i int) error {
				choices++
				if i > 0 {
					return r.skip(0)
				}
				return a.choice(r, wantTokens)
			})
		case "usage":
			if r.literal("null") {
				return nil
			}
			if r.peek() != '{' {
				return r.errorf("usage is not an object")
			}
			var err error
			a.usage, err = r.raw()
			return err
		case "prompt_token_ids":
			if !wantTokens {
				return r.skip(0)
			}
			var err error
			a.topPrompt, a.topPromptIDs, err = intList(r)
			return err
		default:
			return r.skip(0)
		}
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, err
	}
	if choices == 0 {
		return nil, errors.New("no choices")
	}
	return a, nil
}

// intList reads null or a list of integers: its raw bytes and the ids.
func intList(r *jsonReader) (json.RawMessage, []int, error) {
	if r.literal("null") {
		return nil, nil, nil
	}
	r.ws()
	start := r.i
	ids, err := r.ints(nil)
	if err != nil {
		return nil, nil, err
	}
	return r.data[start:r.i], ids, nil
}

func (a *chatAnswer) choice(r *jsonReader, wantTokens bool) error {
	if r.peek() != '{' {
		return r.errorf("choices[0] is not an object")
	}
	sawMessage := false
	err := r.object(func(k []byte) error {
		var err error
		switch string(k) {
		case "message":
			sawMessage = true
			return a.message(r, wantTokens)
		case "finish_reason":
			var s string
			s, _, err = r.textOrNull()
			a.finishReason = s
		case "logprobs":
			if !wantTokens {
				return r.skip(0)
			}
			return r.object(func(k []byte) error {
				if string(k) != "content" || r.peek() != '[' {
					return r.skip(0)
				}
				a.hasLogprobs = true
				return a.logprobs(r)
			})
		case "token_ids":
			if !wantTokens {
				return r.skip(0)
			}
			if r.ws(); a.hasLogprobs && bytes.HasPrefix(r.data[r.i:], a.lpGen) {
				// The logprob tokens' ids, as vLLM writes them: no need
				// to parse the list (genIDs does if it is compared with
				// the message's ids).
				a.choiceGen, a.choiceGenIDs = r.data[r.i:r.i+len(a.lpGen)], nil
				r.i += len(a.lpGen)
				return nil
			}
			a.choiceGen, a.choiceGenIDs, err = intList(r)
		default:
			return r.skip(0)
		}
		return err
	})
	if err == nil && !sawMessage {
		err = errors.New("choices[0] has no message")
	}
	return err
}

func (a *chatAnswer) message(r *jsonReader, wantTokens bool) error {
	if r.peek() != '{' {
		return r.errorf("choices[0].message is not an object")
	}
	return r.object(func(k []byte) error {
		var err error
		switch key := string(k); key {
		case "role":
			a.role, _, err = r.textOrNull()
		case "content", "reasoning_content", "reasoning":
			if r.literal("null") {
				return nil
			}
			if r.peek() != '"' {
				return r.errorf("choices[0].message.%s is not a string", key)
			}
			dst := &a.content
			switch key {
			case "reasoning_content":
				dst = &a.reasoningContent
			case "reasoning":
				dst = &a.reasoning
			}
			*dst, err = r.readText()
		case "tool_calls":
			return r.array(func(i int) error {
				tc, err := toolCall(r)
				if err != nil {
					return err
				}
				switch {
				case tc.typ != "" && tc.typ != "function":
					return fmt.Errorf("choices[0].message.tool_calls[%d] has type %q: only function tool calls convert", i, tc.typ)
				case !tc.hasID:
					return fmt.Errorf("choices[0].message.tool_calls[%d] has no id", i)
				case !tc.hasFunction || !tc.hasName || !tc.hasArgs:
					return fmt.Errorf("choices[0].message.tool_calls[%d] needs function.name and function.arguments", i)
				}
				a.toolCalls = append(a.toolCalls, tc)
				return nil
			})
		case rollout.KeyPromptTokenIDs, rollout.KeyGenerationTokenIDs:
			if !wantTokens {
				return r.skip(0)
			}
			if key == rollout.KeyPromptTokenIDs {
				a.msgPrompt, a.msgPromptIDs, err = intList(r)
			} else {
				a.msgGen, a.msgGenIDs, err = intList(r)
			}
		case rollout.KeyGenerationLogProbs:
			if !wantTokens || r.literal("null") {
				return r.skip(0)
			}
			a.msgLogProbs, a.msgLogProbCount, err = r.numbers(nil)
			if err == nil {
				if _, perr := rollout.ParseFloats(a.msgLogProbs); perr != nil {
					err = r.errorf("choice.message.%s: %v", rollout.KeyGenerationLogProbs, perr)
				}
			}
		case "routed_experts":
			if !wantTokens || r.literal("null") {
				return r.skip(0)
			}
			a.routedExperts, err = r.raw()
		default:
			return r.skip(0)
		}
		return err
	})
}

func toolCall(r *jsonReader) (chatToolCall, error) {
	var tc chatToolCall
	if r.peek() != '{' {
		return tc, r.errorf("a tool call is not an object")
	}
	str := func(dst *[]byte, has *bool) error {
		s, ok, err := r.textOrNull()
		*dst, *has = []byte(s), ok
		return err
	}
	err := r.object(func(k []byte) error {
		switch string(k) {
		case "id":
			return str(&tc.id, &tc.hasID)
		case "type":
			var err error
			tc.typ, _, err = r.textOrNull()
			return err
		case "function":
			if r.peek() != '{' {
				return r.skip(0)
			}
			tc.hasFunction = true
			return r.object(func(k []byte) error {
				switch string(k) {
				case "name":
					return str(&tc.name, &tc.hasName)
				case "arguments":
					return str(&tc.arguments, &tc.hasArgs)
				}
				return r.skip(0)
			})
		}
		return r.skip(0)
	})
	return tc, err
}

// logprobs reads choices[0].logprobs.content, the hot loop of a long
// generation: for each entry the token id of "token_id:<n>" and the
// logprob, copied as written. A malformed entry is recorded, not returned:
// NeMo Gym only reads the entries when the message has no token ids.
func (a *chatAnswer) logprobs(r *jsonReader) error {
	if err := r.expect('['); err != nil {
		return err
	}
	a.lpList = append(a.lpList[:0], '[')
	a.lpGen = append(a.lpGen[:0], '[')
	if r.peek() == ']' {
		r.i++
		a.lpList = append(a.lpList, ']')
		a.lpGen = append(a.lpGen, ']')
		return nil
	}
	start := r.i
	for i := 0; ; {
		r.ws()
		limit := i + 1<<30
		if i < sizeAfter {
			limit = sizeAfter // stop there to size the lists
		}
		if n := a.fastLogprobs(r, i, limit); n > 0 {
			i += n
		} else {
			if err := a.logprobEntry(r, i); err != nil {
				return err
			}
			i++
		}
		if i == sizeAfter {
			// Entries are alike: size the lists for the rest from the
			// first ones rather than growing them through megabytes of
			// copies (the estimate counts what follows the list as
			// entries: a few percent).
			n := (len(r.data)-r.i)*i/max(r.i-start, 1) + 16
			a.lpList = regrow(a.lpList, n*(len(a.lpList)/i+1))
			a.lpGen = regrow(a.lpGen, n*(len(a.lpGen)/i+1))
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			a.lpList = append(a.lpList, ']')
			a.lpGen = append(a.lpGen, ']')
			return nil
		default:
			return r.errorf("want ',' or ']' in choices[0].logprobs.content")
		}
	}
}

// sizeAfter is the number of logprob entries after which the lists are
// sized for the rest; before, they grow as appends grow them.
const sizeAfter = 1024

// regrow returns b with room for n more bytes, in a fresh buffer, whose
// zeroing the runtime does in preemptible chunks (slices.Grow's does not:
// a megabyte of it keeps the garbage collector waiting).
func regrow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n)
	copy(nb, b)
	return nb
}

// fastLogprobs reads entries i, i+1, ... up to limit (not included) for
// as long as they are laid out as vLLM writes them, and stops before the
// separator after the last one it read. It returns how many it read.
func (a *chatAnswer) fastLogprobs(r *jsonReader, i, limit int) int {
	d, p := r.data, r.i
	list, gen := a.lpList, a.lpGen
	n := i
	for q := p; n < limit; {
		id, lp, next, ok := fastLogprobEntry(d, q)
		if !ok {
			break // p is still before the separator
		}
		if n > 0 {
			list = append(list, ',')
			gen = append(gen, ',')
		}
		list = append(list, lp...)
		gen = append(gen, id...)
		p, n = next, n+1
		if p+1 >= len(d) || d[p] != ',' {
			break
		}
		q = p + 1
	}
	r.i, a.lpList, a.lpGen = p, list, gen
	return n - i
}

// fastLogprobEntry reads an entry laid out exactly as vLLM writes it with
// top_logprobs 0 and return_tokens_as_token_ids,
//
//	{"token":"token_id:<n>","logprob":<f>,"bytes":[...],"top_logprobs":[]}
//
// with a few comparisons; anything else (spaces, another key order, top
// logprobs, an id of eight digits or more or with a leading zero) is left
// to logprobEntry. It returns the id's digits, as AppendInts writes the id.
// The constants are at most 16 bytes, which Go compares without a call.
func fastLogprobEntry(d []byte, i int) (id, lp []byte, next int, ok bool) {
	if len(d)-i < 19 || string(d[i:i+16]) != `{"token":"token_` || string(d[i+16:i+19]) != `id:` {
		return nil, nil, 0, false
	}
	i += 19
	s := i
	if i = pyjson.DigitRun(d, s); i == s || i-s > 7 || (d[s] == '0' && i-s > 1) {
		return nil, nil, 0, false
	}
	id = d[s:i]
	if len(d)-i < 12 || string(d[i:i+12]) != `","logprob":` {
		return nil, nil, 0, false
	}
	i += 12
	var end int
	if len(d)-i > 3 && string(d[i:i+3]) == "-0." {
		// The usual logprob, -0.0123 (or -0.0e+00...): a run of digits
		// with no exponent is short of float64's limits.
		if end = pyjson.DigitRun(d, i+3); end == i+3 || end == len(d) || end-i >= 300 || d[end] == 'e' || d[end] == 'E' {
			end = -1
		}
	} else {
		end = -1
	}
	if end < 0 {
		var numOK bool
		if end, numOK = logprobEnd(d, i); !numOK {
			return nil, nil, 0, false
		}
	}
	lp, i = d[i:end], end
	if len(d)-i < 10 || string(d[i:i+10]) != `,"bytes":[` {
		return nil, nil, 0, false
	}
	i += 10
	if j, ok := tokenBytes(d, i, id); ok {
		i = j
	} else {
		// The byte values up to the first ']', with no string among
		// them: one pass, eight bytes at a time, cheaper than two
		// searches.
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		for i+8 <= len(d) {
			x := binary.LittleEndian.Uint64(d[i:])
			b, q := x^(ones*']'), x^(ones*'"')
			// A zero byte in b or q is a ']' or a '"' in x.
			if ((b-ones)&^b|(q-ones)&^q)&highs != 0 {
				break
			}
			i += 8
		}
		for {
			if i >= len(d) || d[i] == '"' {
				return nil, nil, 0, false
			}
			if d[i] == ']' {
				break
			}
			i++
		}
	}
	if len(d)-i < 20 || string(d[i:i+16]) != `],"top_logprobs"` || string(d[i+16:i+20]) != `:[]}` {
		return nil, nil, 0, false
	}
	return id, lp, i + 20, true
}

// tokenBytes checks, at d[i:], the byte values of "token_id:<id>" as vLLM
// lists them ("116,111,...,58,49,50"), up to the closing ']', and returns
// where that is. It compares rather than scans: six bytes, two digits of
// the id, at a time. false leaves the list to the scan.
func tokenBytes(d []byte, i int, id []byte) (int, bool) {
	// "token_id:" is 116,111,107,101,110,95,105,100,58: 33 bytes, compared
	// as constants of 16 bytes.
	if len(d)-i < 33+3*len(id)+8 || string(d[i:i+16]) != "116,111,107,101," || string(d[i+16:i+32]) != "110,95,105,100,5" || d[i+32] != '8' {
		return 0, false
	}
	i += 33
	if k := len(id); k == 5 || k == 6 {
		// Most ids: two pairs, then one or two digits and the ']' in one
		// word, picked without a branch (which would go either way).
		if binary.LittleEndian.Uint64(d[i:])&(1<<48-1) != digitPairBytes[int(id[0]-'0')*10+int(id[1]-'0')] ||
			binary.LittleEndian.Uint64(d[i+6:])&(1<<48-1) != digitPairBytes[int(id[2]-'0')*10+int(id[3]-'0')] {
			return 0, false
		}
		const mask5, mask6 = 1<<32 - 1, 1<<56 - 1
		six := -uint64(k - 5) // all ones for six digits
		d4 := int(id[4]-'0') * 10
		one := digitPairBytes[d4]&(1<<24-1) | ']'<<24        // ",4X]"
		two := digitPairBytes[d4+int(id[k-1]-'0')] | ']'<<48 // ",4X,4Y]"; unused for five digits
		want, mask := one^((one^two)&six), mask5^((mask5^mask6)&six)
		if binary.LittleEndian.Uint64(d[i+12:])&mask != want {
			return 0, false
		}
		return i + 12 + 3*(k-4), true
	}
	k := 0
	for ; k+2 <= len(id); k += 2 {
		if binary.LittleEndian.Uint64(d[i:])&(1<<48-1) != digitPairBytes[int(id[k]-'0')*10+int(id[k+1]-'0')] {
			return 0, false
		}
		i += 6
	}
	if k < len(id) {
		if binary.LittleEndian.Uint32(d[i:])&(1<<24-1) != uint32(digitPairBytes[int(id[k]-'0')*10])&(1<<24-1) {
			return 0, false
		}
		i += 3
	}
	return i, d[i] == ']'
}

// digitPairBytes[10*a+b] holds ",<'0'+a>,<'0'+b>" as vLLM lists the
// bytes of two digits (",49,50" for "12"), as a little-endian word.
var digitPairBytes = func() (t [100]uint64) {
	for p := range t {
		s := fmt.Sprintf(",%d,%d", '0'+p/10, '0'+p%10)
		var b [8]byte
		copy(b[:], s)
		t[p] = binary.LittleEndian.Uint64(b[:])
	}
	return t
}()

// logprobEnd returns the end of the JSON number at d[i:] and whether it is
// one that fits a float64, as pyjson.NumberEnd and pyjson.FitsFloat64 do
// together, in one pass for a number without exponent (the way Python
// writes a logprob such as -0.0123); a number with one is left to them.
func logprobEnd(d []byte, i int) (int, bool) {
	j := i
	if j < len(d) && d[j] == '-' {
		j++
	}
	switch {
	case j < len(d) && d[j] == '0':
		j++
	case j < len(d) && d[j] >= '1' && d[j] <= '9':
		j = pyjson.DigitRun(d, j+1)
	default:
		return j, false
	}
	if j < len(d) && d[j] == '.' {
		s := j + 1
		if j = pyjson.DigitRun(d, s); j == s {
			return j, false
		}
	}
	if (j < len(d) && (d[j] == 'e' || d[j] == 'E')) || j-i >= 300 {
		end, ok := pyjson.NumberEnd(d, i)
		return end, ok && pyjson.FitsFloat64(d[i:end])
	}
	// Fewer than 300 digits and no exponent: within float64's range.
	return j, true
}

func (a *chatAnswer) logprobEntry(r *jsonReader, i int) error {
	fail := func(format string) {
		if a.lpErr == nil {
			a.lpErr = fmt.Errorf(format, i)
		}
	}
	if r.peek() != '{' {
		fail("choice.logprobs.content[%d] must be an object")
		return r.skip(0)
	}
	r.i++
	id, idOK := 0, false
	var lp []byte
	if r.peek() == '}' {
		r.i++
	} else {
		for {
			k, err := r.key()
			if err != nil {
				return err
			}
			switch string(k) {
			case "token":
				if r.peek() != '"' {
					idOK = false
					if err := r.skip(0); err != nil {
						return err
					}
					break
				}
				body, esc, err := r.str()
				if err != nil {
					return err
				}
				if esc {
					if body, err = unescape(nil, body); err != nil {
						return err
					}
				}
				id, idOK = tokenID(body)
			case "logprob":
				if c := r.peek(); c != '-' && (c < '0' || c > '9') {
					lp = nil
					if err := r.skip(0); err != nil {
						return err
					}
					break
				}
				if lp, err = r.number(); err != nil {
					return err
				}
				if !pyjson.FitsFloat64(lp) {
					fail("choice.logprobs.content[%d].logprob does not fit a float64")
				}
			default:
				if err := r.skip(1); err != nil {
					return err
				}
			}
			if c := r.peek(); c == ',' {
				r.i++
				continue
			} else if c != '}' {
				return r.errorf("want ',' or '}' in a logprobs entry")
			}
			r.i++
			break
		}
	}
	if !idOK {
		fail("choice.logprobs.content[%d].token must use the `token_id:<int>` format")
	}
	if lp == nil {
		fail("choice.logprobs.content[%d].logprob must be numeric")
	}
	if i > 0 {
		a.lpList = append(a.lpList, ',')
		a.lpGen = append(a.lpGen, ',')
	}
	a.lpList = append(a.lpList, lp...)
	a.lpGen = strconv.AppendInt(a.lpGen, int64(id), 10)
	return nil
}

// tokenID parses vLLM's "token_id:<n>".
func tokenID(s []byte) (int, bool) {
	const prefix = "token_id:"
	if len(s) <= len(prefix) || string(s[:len(prefix)]) != prefix {
		return 0, false
	}
	s = s[len(prefix):]
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// newHex returns 32 random hex digits, as Python's uuid4().hex.
func newHex() string {
	b := make([]byte, 0, 32)
	b = strconv.AppendUint(b, rand.Uint64()|1<<63, 16)
	b = strconv.AppendUint(b, rand.Uint64()|1<<63, 16)
	return string(b)
}
