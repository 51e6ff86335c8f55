// Package instructionfollowing is NeMo Gym's instruction_following
// environment: the model answers a prompt that carries verifiable
// instructions ("answer with at least 300 words", "wrap the title in
// double angular brackets", ...), and the verifier checks the answer
// against each with the checkers of verifiable_instructions, in
// verifier/ifeval.
//
//	srv, v, err := instructionfollowing.New(instructionfollowing.Config{})
//	reg.Register(instructionfollowing.AgentName, gym.Environment{Model: policy, Resources: srv, Verifier: v})
//
// In a config it is the implementation instruction_following (NeMo Gym's
// resources_servers/instruction_following/configs/instruction_following.yaml
// loads unchanged).
//
// A row carries an integer id and verifier_metadata with
// instruction_id_list, prompt, kwargs (one object or null per instruction)
// and optionally grading_mode ("binary", the default, or "fraction"); as
// in NeMo Gym, rows that keep these four at the top level still verify,
// and verifier_metadata wins where both are set.
//
// The verifier reproduces NeMo Gym's verify:
//   - the checked text is content[0].text of the last output item (not
//     the last assistant message): "" when there is no output or the last
//     item has no content, an error when its first part has no text;
//   - instructions and kwargs are paired as Python's zip pairs them (the
//     shorter list wins); null kwargs are {} and null values are dropped;
//   - an unknown instruction id, arguments an instruction cannot be built
//     with, and a check that raises count as not followed (NeMo Gym catches
//     every exception and prints it; here Config.Logger gets it, and
//     Verify's Result.Errors says why);
//   - reward is 1.0 when every instruction is followed (binary) or the
//     share followed (fraction; 0.0 with no instructions); any other
//     grading_mode is an error;
//   - the fields are follow_all_instructions, follow_instruction_list and
//     verifier_metadata (after migrating top-level fields), in that order.
//     NeMo Gym's recorded example rollouts predate verifier_metadata and
//     do not have it. The row's own fields (id, legacy top-level fields,
//     any other task data) reach the output row, as everywhere in gym;
//     NeMo Gym's response model drops the ones it does not declare.
//
// A row without id, or whose verifier_metadata lacks instruction_id_list,
// prompt or kwargs, is a *rollout.Failure of class invalid_row naming the
// missing fields (NeMo Gym rejects the request).
package instructionfollowing
