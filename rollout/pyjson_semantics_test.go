package rollout_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/rollout"
)

// A key given twice reads as Python's json.loads reads it (the last value
// wins) wherever a field is interpreted, while the row itself is written
// back byte for byte.
func TestDuplicateKeysLastWins(t *testing.T) {
	line := `{"responses_create_params":{"input":"first"},"responses_create_params":{"input":"second"},` +
		`"agent_ref":{"name":"a","name":"b"},"id":1,"id":2,"_ng_task_index":3,"_ng_task_index":7}`
	task, err := rollout.ParseTask([]byte(line))
	require.NoError(t, err)
	var id int
	require.NoError(t, task.Decode("id", &id))
	require.Equal(t, 2, id)
	require.Equal(t, "b", task.AgentName())
	params, err := task.Params()
	require.NoError(t, err)
	input, err := params.Input()
	require.NoError(t, err)
	require.Len(t, input, 1)
	require.Contains(t, string(input[0].AppendJSON(nil)), "second")
	require.Equal(t, line, string(task.AppendJSON(nil)), "the row stays as it was")

	task.Set("id", rollout.Int(9)) // the member Python sees is the one changed
	require.Contains(t, string(task.AppendJSON(nil)), `"id":1,"id":9`)
	task.Delete("id")
	require.False(t, task.Has("id"), "no earlier duplicate resurfaces")

	res, err := rollout.ParseResult([]byte(line))
	require.NoError(t, err)
	require.Equal(t, 7, res.TaskIndex)
}

// Bytes that are not UTF-8 inside a string make a row invalid (Python's
// json.loads rejects the line); they are never passed through.
func TestInvalidUTF8IsAnInvalidRow(t *testing.T) {
	bad := "{\"responses_create_params\":{\"input\":\"caf\xe9\"}}"
	_, err := rollout.ParseTask([]byte(bad))
	require.ErrorIs(t, err, rollout.ErrInvalidUTF8)
	require.ErrorContains(t, err, "byte offset 40")

	in := `{"responses_create_params":{"input":"ok"}}` + "\n" + bad + "\n" + `{"responses_create_params":{"input":"caf\u00e9 ☕"}}` + "\n"
	var rows []rollout.Task
	var errs []error
	for task, err := range rollout.ReadTasks(strings.NewReader(in), "in.jsonl") {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rows = append(rows, task)
	}
	require.Len(t, rows, 2, "escaped and literal UTF-8 are fine")
	require.Len(t, errs, 1)
	var le *rollout.LineError
	require.ErrorAs(t, errs[0], &le)
	require.Equal(t, 2, le.Line)
	require.ErrorIs(t, errs[0], rollout.ErrInvalidUTF8)

	_, err = rollout.ParseResponse([]byte("{\"output\":[{\"type\":\"message\",\"content\":\"\xff\"}]}"))
	require.ErrorIs(t, err, rollout.ErrInvalidUTF8)
	_, err = rollout.ParseItems([]byte("[{\"type\":\"message\",\"content\":\"\xc3\"}]"))
	require.ErrorIs(t, err, rollout.ErrInvalidUTF8)
}

// A UTF-8 byte order mark at the start of a file is skipped; anywhere else
// it is not JSON.
func TestBOMIsSkipped(t *testing.T) {
	in := "\xef\xbb\xbf" + `{"responses_create_params":{"input":"a"}}` + "\n" + "\xef\xbb\xbf" + `{"responses_create_params":{"input":"b"}}` + "\n"
	var n int
	var errs []error
	for _, err := range rollout.ReadTasks(strings.NewReader(in), "") {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	require.Equal(t, 1, n, "the first row is read")
	require.Len(t, errs, 1, "a BOM inside the file is an error")

	// Also before blank lines.
	n = 0
	for _, err := range rollout.ReadTasks(strings.NewReader("\xef\xbb\xbf\n\n"+`{"responses_create_params":{"input":"a"}}`), "") {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 1, n)
}

// A file that is a JSON array gets one error saying so, with the command
// that converts it, not one error per line.
func TestJSONArrayFile(t *testing.T) {
	pretty := "[\n  {\"responses_create_params\": {\"input\": \"a\"}},\n  {\"responses_create_params\": {\"input\": \"b\"}}\n]\n"
	for _, in := range []string{pretty, `[{"responses_create_params":{"input":"a"}}]`, "\xef\xbb\xbf\n  [\n"} {
		var errs []error
		for _, err := range rollout.ReadTasks(strings.NewReader(in), "data.json") {
			require.Error(t, err)
			errs = append(errs, err)
		}
		require.Len(t, errs, 1, in)
		require.ErrorIs(t, errs[0], rollout.ErrJSONArray)
		require.ErrorContains(t, errs[0], "jq -c '.[]' data.json")
		var le *rollout.LineError
		require.False(t, errors.As(errs[0], &le), "not a bad row: the file is not JSONL")
	}
	// An array on a later line is a bad row like any other.
	var errs int
	for _, err := range rollout.ReadTasks(bytes.NewReader([]byte(`{"responses_create_params":{"input":"a"}}`+"\n[1]\n")), "") {
		if err != nil {
			errs++
			var le *rollout.LineError
			require.ErrorAs(t, err, &le)
		}
	}
	require.Equal(t, 1, errs)
}
