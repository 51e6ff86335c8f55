package rollout

import (
	"io"
	"iter"
)

// ReadObjects parses each line of r as a JSON object, fields in order, as
// ReadTasks does but without requiring any field: for files whose rows are
// read generically (reward profiles, materialized inputs).
func ReadObjects(r io.Reader, path string) iter.Seq2[Object, error] {
	return readLines(r, path, func(line []byte, _ int) (Object, error) { return ParseObject(line) })
}
