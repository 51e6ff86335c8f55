// Package model defines the policy model of a rollout: a Model answers a
// Responses API request (the conversation so far) with output items.
//
// Two clients talk to real inference servers over plain net/http, with
// OpenAI's SDK's headers and retry policy (an answer of 400 or more is an
// *APIError): OpenAI calls POST /responses (NeMo Gym's openai_model), and VLLM converts the
// request to Chat Completions for vLLM-style servers and converts the answer
// back (NeMo Gym's vllm_model) — with return_token_id_information it
// attaches each call's prompt_token_ids, generation_token_ids and
// generation_log_probs to the call's last output item, and sends them back
// on later turns, so the tokens a trainer sees are the ones the model saw.
// Both take several base URLs and keep every call of a rollout on the same
// server (Request.ID), for prefix caching. Neither compiles OpenAI's Go
// SDK, so a program that uses the package builds quickly from an empty
// build cache.
//
// Handler serves any Model as an OpenAI-compatible endpoint
// (/v1/responses and /v1/chat/completions).
//
// Func adapts a plain function, which is how scripted policies for tests and
// offline examples are written; Replay plays back a recorded episode:
//
//	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
//		return model.NewResponse(rollout.NewOutputMessage("msg_1", "hello")), nil
//	})
package model
