// Package mathjudge is NVIDIA NeMo Gym's math_with_judge resources server:
// a math answer is scored by the Go port of math_verify (package
// verifier/math), and — when should_use_judge is set and the library does
// not accept it — by a judge model asked twice, with the answers in both
// orders, whether the two answers are equivalent.
//
//	srv, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no}, nil)
//	reg.Register("math_with_judge_simple_agent", gym.Environment{Model: policy, Resources: srv, Verifier: v})
//
// A row needs question and expected_answer. The verdict carries NeMo Gym's
// fields in its order: expected_answer, extracted_answer (SymPy's printed
// form of the extracted answer, or null), library_reward and
// judge_evaluations (null unless the judge was asked).
//
// NeMo Gym's behaviour kept here, quirks included:
//   - The expected answer loses outer \( \) or $ $ and is wrapped in
//     \boxed{} before extraction; the prediction is the concatenated
//     output_text of the response's messages (refusals and reasoning are
//     skipped).
//   - extracted_answer is the first extracted prediction string (SymPy's
//     str of the parsed answer, then the extracted LaTeX) equal as a string
//     to an extracted gold string, else the first one.
//   - The judge sees extracted_answer when there is one, else the whole
//     response; its verdict is the first of [[A=B]] and [[A!=B]] in the last
//     content part of its last output item, and anything else (a reasoning
//     item last, a refusal, no label) means "not equal".
//   - A judge call that fails is a rollout failure of class judge_failed
//     (NeMo Gym's judge_failsafe sidecar), never a silent reward 0.
//   - library_verifier_timeout_seconds bounds the library: past it the
//     answer scores 0 with nothing extracted, as NeMo Gym's killed
//     subprocess does; library_verifier_max_concurrency bounds concurrent
//     library verifications. A rollout whose own deadline passes or that is
//     cancelled while the library runs gets no verdict (a timeout or
//     cancelled failure), not a reward of 0.
//   - The judge receives judge_responses_create_params (with its input
//     replaced by the two judge messages); judge_evaluations records them
//     over the defaults NeMo Gym's pydantic model dumps (background: null,
//     parallel_tool_calls: true, tool_choice: "auto", ...), in its order.
//
// NeMo Gym's recorded example rollouts were made by an earlier version of
// its server that showed the judge the whole response rather than the
// extracted answer; the judge prompts of this package (and of NeMo Gym's
// current server) differ from those recordings in that one place.
package mathjudge
