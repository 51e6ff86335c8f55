package replaytest

import (
	"os"
	"testing"

	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Requests reads the rollouts recorded in the JSONL file rollouts as
// verify requests, in file order. With a dataset (a JSONL file of tasks),
// each recorded task is completed from the dataset's row with the same
// input (see rollout.IndexByInput): a recording keeps only some of a
// task's fields. A file that does not read, or a rollout whose input the
// dataset lacks, fails tb.
func Requests(tb testing.TB, rollouts, dataset string) []*verifier.Request {
	tb.Helper()
	var index *rollout.InputIndex
	if dataset != "" {
		var err error
		if index, err = rollout.IndexByInput(rollout.ReadTasksFile(dataset)); err != nil {
			tb.Fatalf("%s: %v", dataset, err)
		}
	}
	f, err := os.Open(rollouts)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var reqs []*verifier.Request
	for res, err := range rollout.ReadResults(f, rollouts) {
		if err != nil {
			tb.Fatal(err)
		}
		task := res.Task
		if index != nil {
			var found bool
			if task, found, err = index.Complete(task); err != nil {
				tb.Fatalf("%s: %v", dataset, err)
			} else if !found {
				tb.Fatalf("%s: no row for the input of a rollout in %s", dataset, rollouts)
			}
		}
		reqs = append(reqs, &verifier.Request{Task: task, Response: res.Response})
	}
	return reqs
}
