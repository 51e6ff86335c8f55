package gymtest

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// Policy returns a Handler that answers Responses API calls with m, so that
// a policy written as a model.Model (such as the examples' scripted ones)
// runs behind the fake server, and the same program works against a fake
// or a real endpoint. The request body is handed to m losslessly; m's output
// items are answered as they are. A failing m answers HTTP 500, and a Chat
// Completions call is answered with an HTTP 500 too: m speaks the Responses
// API only.
func Policy(m model.Model) Handler {
	return HandlerFunc(func(ctx context.Context, req *Request) Reply {
		if req.Path != "/v1/responses" {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: Policy answers /v1/responses only"})
		}
		body, err := rollout.ParseObject(req.Body)
		if err != nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: request body: " + err.Error()})
		}
		params := rollout.Params{Object: body}
		input, err := params.Input()
		if err != nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: request input: " + err.Error()})
		}
		resp, err := m.Respond(ctx, &model.Request{Params: params, Input: input})
		if err != nil {
			return Fail(Fault{kind: faultServerError, msg: "gymtest: policy: " + err.Error()})
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
