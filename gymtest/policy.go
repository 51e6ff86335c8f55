package gymtest

import (
	"context"
	"encoding/json"
	"errors"

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
