package gymtest

// The fake tokenizer and chat template.
//
// A real vLLM server renders a conversation with the model's chat template and
// tokenizes the text. Training needs the token ids of every call to line up:
// the prompt of turn k+1 must start with the prompt of turn k followed by what
// turn k generated. The fake keeps that property by construction, so tests can
// check that a client carries token ids through a tool loop without a model:
//
//   - the tokenizer is byte-level (one token per byte, id = byte value) with
//     two special tokens, so tokenizing a concatenation is concatenating the
//     tokenizations;
//   - the template renders each message on its own, so rendering a longer
//     conversation only appends text.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/pyjson"
)

// Special tokens of the fake vocabulary. Ids 0 to 255 are the bytes.
const (
	TokenIMStart = 256 // "<|im_start|>": opens a message
	TokenIMEnd   = 257 // "<|im_end|>": closes a message; ends every generation
)

const (
	imStart = "<|im_start|>"
	imEnd   = "<|im_end|>"

	// generationPrompt opens the assistant turn the model is asked to write.
	// It belongs to the prompt; the generation starts after it.
	generationPrompt = imStart + "assistant\n"
)

// Tokenize returns the token ids of text in the fake vocabulary: one id per
// byte (the byte's value), except that "<|im_start|>" and "<|im_end|>" are the
// single tokens [TokenIMStart] and [TokenIMEnd].
func Tokenize(text string) []int {
	ids := make([]int, 0, len(text))
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], imStart):
			ids = append(ids, TokenIMStart)
			i += len(imStart)
		case strings.HasPrefix(text[i:], imEnd):
			ids = append(ids, TokenIMEnd)
			i += len(imEnd)
		default:
			ids = append(ids, int(text[i]))
			i++
		}
	}
	return ids
}

// Detokenize is the inverse of [Tokenize]. An id outside the vocabulary
// becomes U+FFFD.
func Detokenize(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(tokenText(id))
	}
	return b.String()
}

// tokenText is the text of one token.
func tokenText(id int) string {
	switch {
	case id >= 0 && id < 256:
		return string([]byte{byte(id)})
	case id == TokenIMStart:
		return imStart
	case id == TokenIMEnd:
		return imEnd
	default:
		return string(utf8.RuneError)
	}
}

// RenderChat renders a Chat Completions conversation with the fake chat
// template, as the server does before tokenizing a prompt:
//
//	<|im_start|>tools\n{tool}\n...<|im_end|>\n        (only when there are tools)
//	<|im_start|>{role}\n{body}<|im_end|>\n            (each message)
//	<|im_start|>assistant\n                           (if addGenerationPrompt)
//
// Tools are rendered as compact JSON, one per line. A message body is its text
// content (the "text" of every part when content is a list; other parts are
// skipped). An assistant body is
//
//	<think>{reasoning}</think>{content}<tool_call>{"name":..,"arguments":..}</tool_call>...
//
// where reasoning comes from "reasoning_content" (or "reasoning"), the
// <think> block is left out when there is none, and "arguments" is embedded
// as JSON when it is valid JSON and as a JSON string otherwise.
//
// A chat completion generates the assistant body followed by "<|im_end|>".
// So when a client sends the assistant message back unchanged, the next
// prompt starts with the previous prompt and generation.
func RenderChat(messages, tools []json.RawMessage, addGenerationPrompt bool) (string, error) {
	var b strings.Builder
	if len(tools) > 0 {
		b.WriteString(imStart + "tools\n")
		for i, tool := range tools {
			var compact bytes.Buffer
			if err := json.Compact(&compact, tool); err != nil {
				return "", fmt.Errorf("gymtest: tool %d is not valid JSON: %w", i, err)
			}
			b.Write(compact.Bytes())
			b.WriteByte('\n')
		}
		b.WriteString(imEnd + "\n")
	}
	for i, raw := range messages {
		var m chatMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", fmt.Errorf("gymtest: message %d: %w", i, err)
		}
		content, err := m.text()
		if err != nil {
			return "", fmt.Errorf("gymtest: message %d: %w", i, err)
		}
		body := content
		if m.Role == "assistant" {
			body = assistantBody(m.reasoning(), content, m.calls())
		}
		b.WriteString(imStart + m.Role + "\n" + body + imEnd + "\n")
	}
	if addGenerationPrompt {
		b.WriteString(generationPrompt)
	}
	return b.String(), nil
}

// assistantBody renders what an assistant turn says, between the generation
// prompt and "<|im_end|>". Prompts and generations share it, which is what
// makes token ids prefix-stable across turns.
func assistantBody(reasoning, content string, calls []Call) string {
	var b strings.Builder
	if reasoning != "" {
		b.WriteString("<think>" + reasoning + "</think>")
	}
	b.WriteString(content)
	for _, c := range calls {
		args := quote(c.Arguments)
		if json.Valid([]byte(c.Arguments)) {
			args = c.Arguments
		}
		b.WriteString(`<tool_call>{"name":` + quote(c.Name) + `,"arguments":` + args + `}</tool_call>`)
	}
	return b.String()
}

// quote returns s as a JSON string, by the module's one escaping policy
// (no HTML escaping), so rendered text reads as it was written.
func quote(s string) string { return string(pyjson.AppendString(nil, s, false)) }

// chatMessage is the part of a Chat Completions message the template reads.
type chatMessage struct {
	Role             string          `json:"role"`
	Content          json.RawMessage `json:"content"`
	ReasoningContent string          `json:"reasoning_content"`
	Reasoning        string          `json:"reasoning"`
	ToolCalls        []chatToolCall  `json:"tool_calls"`
}

type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

func (m chatMessage) reasoning() string {
	if m.ReasoningContent != "" {
		return m.ReasoningContent
	}
	return m.Reasoning
}

func (m chatMessage) calls() []Call {
	calls := make([]Call, len(m.ToolCalls))
	for i, tc := range m.ToolCalls {
		calls[i] = Call{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments}
	}
	return calls
}

// text returns the text of the content: a string, null, or a list of parts.
func (m chatMessage) text() (string, error) {
	return contentText(m.Content)
}

// contentText reads message content in either API's shape: a string, null,
// or a list of parts whose "text" fields are concatenated.
func contentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content is neither a string nor a list of parts: %w", err)
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String(), nil
}
