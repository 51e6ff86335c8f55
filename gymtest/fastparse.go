package gymtest

// Decoding a model call's body without encoding/json's reflection, for the
// bodies it would decode without an error; everything else goes to
// encoding/json, whose errors are the answers.

import (
	"encoding/json"
	"strings"

	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/rollout"
)

// paramNames are the members modelParams decodes, by their JSON names.
var paramNames = [...]string{
	"model", "input", "instructions", "tools", "messages", "stream",
	"max_output_tokens", "metadata", "parallel_tool_calls", "temperature", "tool_choice", "top_p",
	"logprobs", "top_logprobs", "return_tokens_as_token_ids", "return_token_ids",
	"add_generation_prompt", "prompt", "return_token_strs",
}

// quickParams decodes body into p as json.Unmarshal would, and reports
// false, p then undefined, where it cannot be sure to: a body that is not
// a JSON object, a member named twice or in another case than
// modelParams' (encoding/json matches names without regard to case), a
// value json.Unmarshal would refuse. Raw members refer to body, as
// encoding/json's copies of them would hold the same bytes.
func quickParams(body []byte, p *modelParams) bool {
	o, err := rollout.ParseObject(body) // validates body (and its UTF-8) once
	if err != nil {
		return false
	}
	var seen uint32
	for _, f := range o.Fields() {
		i := indexOf(f.Name)
		if i < 0 {
			for _, name := range paramNames {
				if strings.EqualFold(f.Name, name) {
					return false
				}
			}
			continue // ignored, as encoding/json ignores it
		}
		if seen&(1<<i) != 0 {
			return false
		}
		seen |= 1 << i
		v := []byte(f.Value)
		ok := true
		switch f.Name {
		case "input":
			p.Input = v
		case "instructions":
			p.Instructions = v
		case "max_output_tokens":
			p.MaxOutputTokens = v
		case "metadata":
			p.Metadata = v
		case "parallel_tool_calls":
			p.ParallelToolCalls = v
		case "temperature":
			p.Temperature = v
		case "tool_choice":
			p.ToolChoice = v
		case "top_p":
			p.TopP = v
		case "tools":
			p.Tools, ok = rawList(v)
		case "messages":
			p.Messages, ok = rawList(v)
		case "model":
			ok = json.Unmarshal(v, &p.Model) == nil
		case "stream":
			ok = json.Unmarshal(v, &p.Stream) == nil
		case "logprobs":
			ok = json.Unmarshal(v, &p.Logprobs) == nil
		case "top_logprobs":
			ok = json.Unmarshal(v, &p.TopLogprobs) == nil
		case "return_tokens_as_token_ids":
			ok = json.Unmarshal(v, &p.ReturnTokensAsTokenIDs) == nil
		case "return_token_ids":
			ok = json.Unmarshal(v, &p.ReturnTokenIDs) == nil
		case "add_generation_prompt":
			ok = json.Unmarshal(v, &p.AddGenerationPrompt) == nil
		case "prompt":
			ok = json.Unmarshal(v, &p.Prompt) == nil
		case "return_token_strs":
			ok = json.Unmarshal(v, &p.ReturnTokenStrs) == nil
		}
		if !ok {
			return false
		}
	}
	return true
}

func indexOf(name string) int {
	for i, n := range paramNames {
		if n == name {
			return i
		}
	}
	return -1
}

// rawList splits a JSON array (valid JSON) into its elements, as
// json.Unmarshal into a []json.RawMessage does: null is nil, [] is empty
// and not nil; false for anything else.
func rawList(v []byte) ([]json.RawMessage, bool) {
	if string(v) == "null" {
		return nil, true
	}
	if len(v) == 0 || v[0] != '[' {
		return nil, false
	}
	out := []json.RawMessage{}
	err := jsonscan.Array(v, func(elem []byte) error {
		out = append(out, elem)
		return nil
	})
	return out, err == nil
}

// quickTypeRole reads the "type" and "role" strings of an item (valid
// JSON) as json.Unmarshal into a struct of the two would, or reports false
// where it cannot be sure to: not an object, a name in another case, a
// value that is not a plain string or null.
func quickTypeRole(item []byte) (typ, role string, ok bool) {
	ok = true
	err := jsonscan.Object(item, func(key string, value []byte) error {
		var dst *string
		switch key {
		case "type":
			dst = &typ
		case "role":
			dst = &role
		default:
			if strings.EqualFold(key, "type") || strings.EqualFold(key, "role") {
				ok = false
			}
			return nil
		}
		if string(value) == "null" {
			return nil
		}
		s, plain := plainString(value)
		if !plain {
			ok = false
			return nil
		}
		*dst = s
		return nil
	})
	return typ, role, ok && err == nil
}

// plainString returns the text of a JSON string of printable ASCII
// without escapes, which every decoder reads the same way.
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return "", false
		}
	}
	return string(inner), true
}
