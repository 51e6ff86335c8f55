// Package rollout holds the data that flows through a collection — dataset
// rows (Task), Responses API items (Item) and responses (Response), output
// rows (Result) and failures — and reads and writes them as JSONL in NeMo
// Gym's formats.
//
// Every type is lossless: a row, an item or a response keeps each JSON field
// it was read with, in order, including fields this package does not know
// (prompt_token_ids on an output item, a dataset's ground truth), so an
// output row carries them unchanged. Values are kept as raw JSON and decoded
// on demand:
//
//	for task, err := range rollout.ReadTasksFile("train.jsonl") {
//		if err != nil {
//			log.Print(err) // a *LineError names the file and line
//			continue
//		}
//		var want []int
//		_ = task.Decode("expected_synonym_values", &want)
//	}
//
// Every attempt of every rollout of a collection has an identity, ID (task,
// rollout, attempt and a unique id), which travels on the context
// (WithID, IDFrom) and is written into output and failure rows as
// _ng_rollout_attempt and _ng_rollout_uid; ID.Endpoint picks one of several
// model servers for it as NeMo Gym pins a session.
//
// Every line written is JSON: Object.Set takes one JSON value only, strings
// are escaped by one policy (Quote: Python's json.dumps with
// ensure_ascii=False), and CheckRewards reports a reward JSON cannot carry.
//
// It is the leaf of the module: every other package imports it, and it
// imports none of them.
package rollout
