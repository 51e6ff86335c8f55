package rollout

import (
	"bytes"
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// common holds the strings every episode repeats — member names, item
// types, roles, statuses — so that reading one returns a shared string
// instead of allocating a copy per call.
var common = func() map[string]string {
	m := make(map[string]string)
	for _, s := range []string{
		// Responses API items and their members.
		"type", "role", "content", "text", "id", "status", "call_id", "name",
		"arguments", "output", "message", "function_call", "function_call_output",
		"reasoning", "summary", "summary_text", "output_text", "input_text",
		"annotations", "logprobs", "encrypted_content", "refusal",
		"assistant", "user", "system", "developer", "tool",
		"completed", "incomplete", "in_progress", "failed",
		// Requests and responses.
		"responses_create_params", "input", "tools", "model", "temperature",
		"top_p", "max_output_tokens", "parameters", "properties", "required",
		"description", "strict", "function", "tool_choice", "auto", "none",
		"parallel_tool_calls", "instructions", "metadata", "object", "response",
		"created_at", "error", "incomplete_details", "usage", "input_tokens",
		"output_tokens", "total_tokens", "input_tokens_details",
		"output_tokens_details", "cached_tokens", "reasoning_tokens",
		"prompt_token_ids", "generation_token_ids", "generation_log_probs",
		"additionalProperties", "string", "integer", "number", "boolean", "array",
		// Rows and results.
		"agent_ref", "reward", "verifier_metadata", "expected_answer",
		"_ng_task_index", "_ng_rollout_index",
	} {
		m[s] = s
	}
	return m
}()

// maxCommon bounds the length of a string looked up in common: hashing a
// long text to find it is not there would cost more than it saves.
const maxCommon = 24

// unquote returns the string a raw JSON string value holds, as
// encoding/json decodes it (an invalid UTF-8 byte or a lone surrogate
// escape becomes U+FFFD), and false if raw is not a JSON string.
func unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		if len(body) <= maxCommon {
			if s, ok := common[string(body)]; ok {
				return s, true
			}
		}
		return string(body), true
	}
	return unescape(raw, body)
}

// unescape decodes a string body with escapes or non-ASCII text. Anything
// that is not a well-formed JSON string goes to encoding/json, whose answer
// (false) is the reference.
func unescape(raw, body []byte) (string, bool) {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"' || c < 0x20:
			return slowUnquote(raw)
		case c < utf8.RuneSelf && c != '\\':
			out = append(out, c)
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, body[i:i+size]...)
			}
			i += size
		default: // a backslash
			if i+1 >= len(body) {
				return slowUnquote(raw)
			}
			switch e := body[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(body[i+2:])
				if !ok {
					return slowUnquote(raw)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := pairLow(body[i:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							out = utf8.AppendRune(out, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return slowUnquote(raw)
			}
			i += 2
		}
	}
	return string(out), true
}

// pairLow reads the \uXXXX escape at the start of b, if there is one.
func pairLow(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	return hex4(b[2:])
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func slowUnquote(raw []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
