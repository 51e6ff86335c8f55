// Package model defines the policy model of a rollout: a Model answers a
// Responses API request (the conversation so far) with output items.
//
// Func adapts a plain function, which is how scripted policies for tests and
// offline examples are written; Replay plays back a recorded episode:
//
//	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
//		return model.NewResponse(rollout.NewOutputMessage("msg_1", "hello")), nil
//	})
package model
