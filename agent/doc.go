// Package agent runs rollouts. An Agent takes a dataset row and produces the
// episode's response and reward; Simple is NeMo Gym's simple_agent, the
// tool-calling loop: seed a session, call the model with the full history,
// run each function call on the session, repeat until the model answers
// without a tool call (or the response is incomplete, or MaxSteps is
// reached), then verify.
//
//	a := &agent.Simple{Model: policy, Resources: srv, Verifier: v, MaxSteps: 16}
//	res, err := a.Run(ctx, task)
//
// Failures are *rollout.Failure values that say what failed (model, tool
// panic, verifier, timeout) and where; a tool's ordinary error is an
// observation for the model, not a failure.
//
// Simple's deadlines default to DefaultModelTimeout (20 minutes) per model
// call, DefaultToolTimeout (10 minutes) per tool call and
// DefaultVerifyTimeout (10 minutes) for the verification; a positive
// value replaces a default and NoTimeout removes it. A call that never
// answers thus ends as a retryable timeout.
//
// Handler serves an Agent over NeMo Gym's agent routes: POST /run (one row
// in, one output row out) and POST /v1/responses (the tool loop as if it
// were a model). Remote is an Agent that posts rows to such a server.
package agent
