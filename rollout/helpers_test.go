package rollout_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
)

// decodeAny decodes one JSON document into untyped Go values (numbers as
// float64, so that 1 and 1.0 compare equal).
func decodeAny(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v), "invalid JSON: %.200s", data)
	return v
}

// requireJSONEqual checks that two documents hold the same JSON value
// (member order of objects aside).
func requireJSONEqual(t testing.TB, want, got []byte) {
	t.Helper()
	require.Equal(t, decodeAny(t, want), decodeAny(t, got))
}

// tokens returns the token stream of a JSON document (numbers as written),
// which compares two documents member by member, in order, duplicates
// included.
func tokens(data []byte) ([]json.Token, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var toks []json.Token
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return toks, nil
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
	}
}

// requireSameTokens checks that two documents are the same JSON, member
// order included.
func requireSameTokens(t testing.TB, want, got []byte) {
	t.Helper()
	wt, err := tokens(want)
	require.NoError(t, err)
	gt, err := tokens(got)
	require.NoError(t, err, "output: %.300s", got)
	require.Equal(t, wt, gt)
}

// topKeys returns the member names of a JSON object in order, duplicates
// included.
func topKeys(t testing.TB, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok, "not an object: %.100s", data)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	tok, err = dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('}'), tok)
	_, err = dec.Token()
	require.ErrorIs(t, err, io.EOF, "trailing data after the object")
	return keys
}

// requireNoDuplicateKeys checks the top level of a JSON object.
func requireNoDuplicateKeys(t testing.TB, data []byte) []string {
	t.Helper()
	keys := topKeys(t, data)
	seen := map[string]bool{}
	for _, k := range keys {
		require.False(t, seen[k], "duplicate key %q in %.300s", k, data)
		seen[k] = true
	}
	return keys
}

// refLines returns the non-empty lines of a reference file.
func refLines(t testing.TB, name string) [][]byte {
	t.Helper()
	path := reftest.Path(t, filepath.FromSlash(name))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, lines, "%s is empty", name)
	return lines
}

// refGlob returns the reference files matching pattern (slash-separated,
// relative to the reference directory), as relative slash paths. A pattern
// that matches nothing fails the test: the data is expected to be there.
func refGlob(t testing.TB, pattern string) []string {
	t.Helper()
	dir := reftest.Dir(t)
	matches, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
	require.NoError(t, err)
	require.NotEmpty(t, matches, "no reference file matches %s", pattern)
	names := make([]string, 0, len(matches))
	for _, m := range matches {
		rel, err := filepath.Rel(dir, m)
		require.NoError(t, err)
		names = append(names, filepath.ToSlash(rel))
	}
	return names
}

// Reference files of output rows and of dataset rows.
const (
	hermesRollouts = "responses_api_agents/hermes_agent/data/example_math_rollouts.jsonl"
	multiStepTasks = "resources_servers/example_multi_step/data/example.jsonl"
)

func refRolloutFiles(t testing.TB) []string {
	return append(refGlob(t, "resources_servers/*/data/example_rollouts.jsonl"), hermesRollouts)
}

func refDatasetFiles(t testing.TB) []string {
	return refGlob(t, "resources_servers/*/data/example.jsonl")
}
