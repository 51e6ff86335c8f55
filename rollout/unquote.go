package rollout

import (
	"bytes"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/jsonscan"
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

// maybeCommon[len][first byte] tells whether a common string has that
// length and first byte: most other strings are told apart without
// hashing them.
var maybeCommon = func() *[maxCommon + 1][256]bool {
	var f [maxCommon + 1][256]bool
	for s := range common {
		if len(s) <= maxCommon {
			f[len(s)][s[0]] = true
		}
	}
	return &f
}()

// unquote returns the string a raw JSON string value holds, as
// encoding/json decodes it (an invalid UTF-8 byte or a lone surrogate
// escape becomes U+FFFD), and false if raw is not a JSON string.
func unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		if len(body) <= maxCommon && len(body) > 0 && maybeCommon[len(body)][body[0]] {
			if s, ok := common[string(body)]; ok {
				return s, true
			}
		}
		return string(body), true
	}
	return jsonscan.Unescape(body)
}
