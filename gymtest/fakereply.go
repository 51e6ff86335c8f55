package gymtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// A Handler decides how the fake server answers a model call
// (POST /v1/responses or POST /v1/chat/completions). The server calls it
// concurrently, once per request; ctx is done when the client gives up or the
// server closes, so a Handler that waits must select on it.
type Handler interface {
	Reply(ctx context.Context, req *Request) Reply
}

// HandlerFunc adapts a function to a [Handler].
type HandlerFunc func(ctx context.Context, req *Request) Reply

// Reply calls f(ctx, req).
func (f HandlerFunc) Reply(ctx context.Context, req *Request) Reply { return f(ctx, req) }

// A Request is one request the fake server received, with the fields of a
// model call decoded for handlers. [Server.Requests] returns them all, model
// calls or not, in the order they arrived.
type Request struct {
	Method string
	Path   string // e.g. "/v1/responses", "/v1/chat/completions", "/tokenize"
	Header http.Header
	Body   []byte    // the raw request body
	Time   time.Time // when the server received the request

	Model string            // "model"
	Tools []json.RawMessage // "tools", as sent

	// Responses API: "input" as a list of items (a string input becomes one
	// user message item) and "instructions".
	Input        []json.RawMessage
	Instructions string

	// Chat Completions: "messages", as sent.
	Messages []json.RawMessage

	// Turn is the number of model turns already in the conversation: the
	// assistant messages in Messages, or the runs of model output items
	// (assistant messages, function calls, reasoning) in Input. It is 0 on a
	// rollout's first call, 1 on its second, and so on.
	Turn int
}

// A Reply is what a [Handler] wants the server to answer. The server wraps it
// in a complete Responses object or chat completion (ids, timestamps, model,
// status, usage), so the same Reply serves both APIs.
//
// For /v1/responses the output is Output when it is set; otherwise a
// reasoning item (when Reasoning is set), an assistant message with Text
// (left out when Text is empty and there are Calls) and one function_call
// item per Call. For /v1/chat/completions the assistant message has content
// Text, reasoning_content Reasoning and tool_calls Calls; when Output is set,
// its message, function_call and reasoning items are converted to those
// instead, and other items are dropped.
type Reply struct {
	Text      string
	Reasoning string
	Calls     []Call

	// Output items for /v1/responses, echoed as given (unknown fields
	// included), with "id" (and "call_id" of a function call) filled in when
	// absent and "status" set to "completed" when absent.
	Output []json.RawMessage

	// IncompleteReason, when set (e.g. "max_output_tokens"), makes the
	// response incomplete: status "incomplete" with incomplete_details, or
	// finish_reason "length" ("content_filter" for that reason) in a chat
	// completion, whose generation then lacks the closing "<|im_end|>".
	IncompleteReason string

	// Usage overrides the token counts the server reports. By default a chat
	// completion counts the fake tokens of its prompt and generation, and a
	// Responses object counts bytes: of the request body for input, of the
	// output items for output.
	Usage *Usage

	// Fault makes the server misbehave instead of (or, for [Latency],
	// before) answering.
	Fault Fault
}

// A Call is a function call of the model.
type Call struct {
	ID        string // call_id / tool call id; generated when empty
	Name      string
	Arguments string // JSON text, as the API carries it
}

// Usage is the token count of one model call.
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// Text returns a Reply with an assistant message saying text.
func Text(text string) Reply { return Reply{Text: text} }

// ToolCall returns a Reply with one function call; args is the JSON text of
// the arguments.
func ToolCall(name, args string) Reply {
	return Reply{Calls: []Call{{Name: name, Arguments: args}}}
}

// Output returns a Reply whose Responses output is the given items, each a
// JSON object such as `{"type":"message","role":"assistant","content":"hi"}`.
func Output(items ...string) Reply {
	r := Reply{Output: make([]json.RawMessage, len(items))}
	for i, item := range items {
		r.Output[i] = json.RawMessage(item)
	}
	return r
}

// Fail returns a Reply that only misbehaves.
func Fail(f Fault) Reply { return Reply{Fault: f} }

// A Fault is a way for the server to misbehave. The zero Fault is none.
type Fault struct {
	kind  faultKind
	delay time.Duration // Latency: the delay; RateLimited: Retry-After
	msg   string        // error message of a RateLimited or ServerError fault
}

type faultKind int

const (
	faultNone faultKind = iota
	faultLatency
	faultRateLimit
	faultServerError
	faultMalformed
	faultHang
	faultReset
)

// Latency delays the answer by d. If the client gives up or the server closes
// first, the connection is dropped without an answer.
func Latency(d time.Duration) Fault { return Fault{kind: faultLatency, delay: d} }

// RateLimited answers HTTP 429 with an OpenAI error body and the headers
// Retry-After (whole seconds, rounded up) and retry-after-ms.
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{kind: faultRateLimit, delay: retryAfter, msg: "gymtest: rate limited"}
}

// ServerError answers HTTP 500 with an OpenAI error body.
func ServerError() Fault { return Fault{kind: faultServerError, msg: "gymtest: server error"} }

// Malformed answers HTTP 200 with the first half of the JSON answer, so
// decoding it fails.
func Malformed() Fault { return Fault{kind: faultMalformed} }

// Hang never answers: the request blocks until the client gives up or the
// server closes, and then the connection is dropped.
func Hang() Fault { return Fault{kind: faultHang} }

// Reset closes the connection without answering, with TCP RST where the
// platform allows, so the client sees "connection reset by peer".
func Reset() Fault { return Fault{kind: faultReset} }

// String names the fault, e.g. "latency 10ms" or "reset".
func (f Fault) String() string {
	switch f.kind {
	case faultNone:
		return "none"
	case faultLatency:
		return "latency " + f.delay.String()
	case faultRateLimit:
		return "rate limited, retry after " + f.delay.String()
	case faultServerError:
		return "server error"
	case faultMalformed:
		return "malformed"
	case faultHang:
		return "hang"
	case faultReset:
		return "reset"
	}
	return fmt.Sprintf("fault(%d)", int(f.kind))
}

// Script returns a Handler that answers the n-th request it sees with
// replies[n]. Once the replies run out it answers HTTP 500 saying so. Faults
// injected by [WithFaults] do not reach the handler, so they do not use up
// replies: a retried call gets the reply meant for it.
//
// Concurrent rollouts share one Script in arrival order; use [Turns] when
// every rollout should follow the same script.
func Script(replies ...Reply) Handler {
	var (
		mu sync.Mutex
		n  int
	)
	return HandlerFunc(func(context.Context, *Request) Reply {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i >= len(replies) {
			return Fail(Fault{kind: faultServerError,
				msg: fmt.Sprintf("gymtest: script exhausted: request %d, but only %d replies", i+1, len(replies))})
		}
		return replies[i]
	})
}

// Turns returns a stateless Handler that answers a request with
// replies[req.Turn]: the first call of every conversation gets replies[0],
// the call after one model turn replies[1], and so on. Any number of
// concurrent rollouts can share it. Past the last reply it answers HTTP 500
// saying so.
func Turns(replies ...Reply) Handler {
	return HandlerFunc(func(_ context.Context, req *Request) Reply {
		if req.Turn >= len(replies) {
			return Fail(Fault{kind: faultServerError,
				msg: fmt.Sprintf("gymtest: no reply for turn %d: only %d turns scripted", req.Turn, len(replies))})
		}
		return replies[req.Turn]
	})
}
