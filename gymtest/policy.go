package gymtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// Policy returns a Handler that answers model calls with m, so that a
// policy written as a model.Model (such as the examples' scripted ones) runs
// behind the fake server, and the same program works against a fake or a
// real endpoint. It serves both APIs: a Responses call reaches m losslessly
// (model.ParseRequest), and a Chat Completions call — what a vllm_model
// client sends — is translated to a Responses request as model.Handler
// translates it (model.ParseChatRequest); m's output items are answered as
// they are, and for Chat Completions the fake server renders them as a chat
// message with vLLM's token fields when the request asks for them. A failing
// m answers HTTP 500 with its error's message.
func Policy(m model.Model) Handler {
	return HandlerFunc(func(ctx context.Context, req *Request) Reply {
		var parse func([]byte) (*model.Request, error)
		switch req.Path {
		case "/v1/responses":
			parse = model.ParseRequest
		case "/v1/chat/completions":
			parse = model.ParseChatRequest
		default:
			return Fail(Fault{kind: faultServerError, msg: "gymtest: Policy answers /v1/responses and /v1/chat/completions, not " + req.Path})
		}
		call, err := parse(req.Body)
		if err != nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: request body: " + err.Error()})
		}
		resp, err := m.Respond(ctx, call)
		if err != nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: policy: " + err.Error()})
		}
		if resp == nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: policy: no response"})
		}
		out := Reply{Output: make([]json.RawMessage, len(resp.Output))}
		for i, it := range resp.Output {
			out.Output[i] = it.AppendJSON(nil)
		}
		if reason := resp.IncompleteReason(); reason != "" {
			out.IncompleteReason = reason
		}
		return out
	})
}

// ByTool returns a Model that answers each request with the policy of the
// first tool the request offers that has one, and with fallback otherwise:
// one endpoint serving the scripted policies of several environments,
// told apart by their tools.
func ByTool(policies map[string]model.Model, fallback model.Model) model.Model {
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		tools, err := req.Params.Tools()
		if err != nil {
			return nil, err
		}
		for _, t := range tools {
			if m, ok := policies[t.Name]; ok {
				return m.Respond(ctx, req)
			}
		}
		if fallback == nil {
			return nil, errors.New("gymtest: no policy for the tools of this request")
		}
		return fallback.Respond(ctx, req)
	})
}

// Recorded returns a Model that plays back recorded rollouts (output rows,
// such as NeMo Gym's example_rollouts.jsonl): a request is answered with the
// next model turn of the rollout whose row has the same system, developer
// and user messages (see model.Replay). Rows whose rollout failed or has no
// response are left out; of rollouts with the same messages, the first is
// played. A request that matches no rollout is an error naming the first
// user message, so a fake policy serving it (cmd/fakepolicy) answers 500.
func Recorded(rows []*rollout.Result) (model.Model, error) {
	episodes := map[string]model.Model{}
	for _, r := range rows {
		if r.Err != nil || r.Response == nil {
			continue
		}
		params, err := r.Task.Params()
		if err != nil {
			return nil, fmt.Errorf("gymtest: recorded task %d rollout %d: %w", r.TaskIndex, r.RolloutIndex, err)
		}
		input, err := params.Input()
		if err != nil {
			return nil, fmt.Errorf("gymtest: recorded task %d rollout %d: %w", r.TaskIndex, r.RolloutIndex, err)
		}
		key := conversationKey(input)
		if _, dup := episodes[key]; !dup {
			episodes[key] = model.Replay(r.Response.Output)
		}
	}
	if len(episodes) == 0 {
		return nil, errors.New("gymtest: no successful recorded rollout to play back")
	}
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		m, ok := episodes[conversationKey(req.Input)]
		if !ok {
			first := ""
			for _, it := range req.Input {
				if it.Type() == rollout.TypeMessage && it.Role() == "user" {
					first = it.Text()
					break
				}
			}
			return nil, fmt.Errorf("gymtest: no recorded rollout has this conversation (user: %.80q)", first)
		}
		return m.Respond(ctx, req)
	}), nil
}

// conversationKey is what a row gives every call of its rollout: the text
// of its system, developer and user messages.
func conversationKey(items []rollout.Item) string {
	var b strings.Builder
	for _, it := range items {
		if it.Type() != rollout.TypeMessage {
			continue
		}
		switch it.Role() {
		case "system", "developer", "user":
			b.WriteString(it.Role())
			b.WriteByte(0)
			b.WriteString(it.Text())
			b.WriteByte(0)
		}
	}
	return b.String()
}

// CallThenAnswer is a policy for trying any environment end to end: a
// request that offers tools gets a call of the first one with text as its
// arguments if they are JSON ("{}" otherwise); once a tool has answered, or
// when no tool is offered, the answer is a message with text. Every
// environment's tool loop then runs to its end: seed, tool call, verify.
func CallThenAnswer(text string) model.Model {
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		for _, it := range req.Input {
			if it.Type() == "function_call_output" {
				return &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("msg_answer", text)}}, nil
			}
		}
		tools, err := req.Params.Tools()
		if err != nil {
			return nil, err
		}
		if len(tools) > 0 {
			args := "{}"
			if json.Valid([]byte(text)) {
				args = text
			}
			return &rollout.Response{Output: []rollout.Item{rollout.NewFunctionCall("call_1", tools[0].Name, args)}}, nil
		}
		return &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("msg_answer", text)}}, nil
	})
}
