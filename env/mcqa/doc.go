// Package mcqa is NeMo Gym's mcqa environment: multiple-choice questions
// (MMLU, GPQA style) graded by the answer letter a response gives. It has
// no tools; the verifier reads the response's text and compares the letter
// it extracts with the row's expected_answer.
//
//	srv, v, err := mcqa.New(mcqa.Config{}) // or mcqa.FromConfig from NeMo Gym's mcqa.yaml
//	reg.Register("mcqa_simple_agent", gym.Environment{Model: policy, Resources: srv, Verifier: v})
//
// A row carries expected_answer ("B"), options ([{"A": "text"}, {"B":
// "text"}, ...], whose one-letter keys with a text are the letters an
// answer may take), an optional grading_mode and an optional
// template_metadata.output_regex (a Python pattern or a list of them). The
// verdict's fields are NeMo Gym's: expected_answer (stripped, upper-cased)
// and extracted_answer (the letter, or null); the reward is 1.0 when they
// are equal.
//
// The grading follows NeMo Gym's resources_servers/mcqa/app.py exactly
// (see package choice for each mode), including its quirks:
//
//   - template_metadata.output_regex comes first, whatever the grading
//     mode; its last match counts, and a captured single letter is taken
//     even when the options do not list it. A pattern that does not compile
//     is skipped; one with two or more capture groups fails the rollout
//     (NeMo Gym's server fails on it too).
//   - The config's grading_mode overrides every row's. A row may name only
//     strict_single_letter_boxed, lenient_boxed or lenient_answer_colon
//     (NeMo Gym's request model rejects lenient_answer_colon_md there); the
//     default is strict_single_letter_boxed, which needs a \boxed{} answer
//     ("Answer: B" alone scores 0).
//   - Only the last \boxed{ counts: an unclosed last box is no answer even
//     after a complete one.
//   - In lenient_answer_colon, an allowed letter whose option text is null
//     fails the rollout when the answer is compared with it, as in NeMo Gym.
//   - An empty response, or a row without a gold letter (expected_answer
//     null or ""), scores 0.
//   - The text is the concatenation of every output_text part of every
//     message item of the response (reasoning items are not read).
//
// Deviation: a row without an expected_answer field is an invalid row (a
// *rollout.Failure naming the field) instead of scoring 0, so that a
// dataset without ground truth does not train silently on zero rewards. A
// field of the wrong type (options not a list of objects of strings,
// grading_mode not one of the modes above, ...) is an invalid row, where
// NeMo Gym's server answers 422.
package mcqa
