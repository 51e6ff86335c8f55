// Package codegen is NeMo Gym's code_gen environment (competitive
// programming): the model answers with Python code in a fenced block and
// the verifier runs it against the row's unit tests, in a sandbox, as
// LiveCodeBench does (see package verifier/code). It needs python3 (3.9 or
// newer) on the machine.
//
//	srv, v, err := codegen.New(codegen.Config{NumProcesses: 8, UnitTestTimeoutSecs: 10})
//
// or, from NeMo Gym's resources_servers/code_gen/configs/code_gen.yaml
// unchanged, bundled.Implementations().Registry(cfg).
//
// A row carries verifier_metadata.unit_tests ({"inputs": [...],
// "outputs": [...], "fn_name": null}) and optionally
// verifier_metadata.difficulty. Verify adds, as NeMo Gym's app.py does:
//
//	reward                            1.0 if every test passed, else 0.0
//	extracted_model_output            the response's output_text
//	extracted_model_code              the code of its last ``` block
//	result                            LiveCodeBench's per-test results: [true, true, -2]
//	metadata                          LiveCodeBench's metadata, or null
//	unit_tests_time_taken             seconds the tests took, with the wait for a slot excluded
//	reasoning_format_violation_rate   1.0 if the think tags are malformed, else 0.0
//	difficulty                        verifier_metadata.difficulty, or null
//
// Fields NeMo Gym leaves None are null. An answer with no text scores 0.0
// with every field null but difficulty (and a rate of 0.0) — even when the
// row has no unit tests; an answer with text and no fenced block scores
// 0.0 with only extracted_model_output set. A think tag in the output_text,
// or more than one <think> or </think> across the reasoning summaries,
// makes the reward reasoning_format_penalty (0.0 by default) whatever the
// tests gave; the tests run regardless.
//
// ComputeMetrics and KeyMetrics are the server's compute_metrics and
// get_key_metrics (pass@k, pass@1[avg-of-k] and majority@k of accuracy and
// no_answer, their spread, the same per difficulty; the headline ones),
// equal to NeMo Gym's (built on verifier.PassMajority and
// verifier.HighestK). gym's aggregate metrics do not call them yet: call
// them on the verify answers grouped by task.
//
// Differences from NeMo Gym, by design: programs run sandboxed (NeMo Gym
// runs them unsandboxed in a Ray worker), so a program that writes outside
// its directory, opens a socket or starts a process fails with a runtime
// error (-4) where under NeMo Gym it may succeed; the row's own fields,
// verifier_metadata included, stay in the output row (NeMo Gym's response
// model drops those it does not declare); a row without
// verifier_metadata.unit_tests is an invalid row naming the field (NeMo Gym
// answers 500). unit_tests_time_taken and metadata's "execution time" are
// measurements and differ from run to run.
package codegen
