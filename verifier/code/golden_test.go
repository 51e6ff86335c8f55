package code_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/code"
)

// testdata/livecodebench.json holds programs with their tests and the
// result and metadata LiveCodeBench's own testing_util.run_test gives them
// (NeMo Gym's lcb_integration, under Python 3.11; "execution time" written
// as 0, a traceback as true): standard-input and call-based programs, every
// result code, the stdin patches, the comparison rules, the reliability
// guard. Check gives the same.
func TestAsLiveCodeBench(t *testing.T) {
	data, err := os.ReadFile("testdata/livecodebench.json")
	require.NoError(t, err)
	var cases []struct {
		Code     string          `json:"code"`
		Tests    code.Tests      `json:"tests"`
		Result   json.RawMessage `json:"result"`
		Metadata map[string]any  `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(data, &cases))
	require.Greater(t, len(cases), 50)
	sb, _ := sandbox(t, code.WithLimits(code.Limits{}), code.WithParallelism(2))
	for _, c := range cases {
		name := c.Code
		if i := strings.IndexByte(name, '\n'); i > 0 {
			name = name[:i]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := check(t, sb, c.Code, c.Tests, 5*time.Second)
			var want []code.Status
			require.NoError(t, json.Unmarshal(c.Result, &want))
			require.Equal(t, want, res.Results, "metadata %s", res.Metadata)
			var got map[string]any
			require.NoError(t, json.Unmarshal(res.Metadata, &got))
			if _, ok := got["execution time"]; ok {
				got["execution time"] = 0.0
			}
			if tb, ok := got["traceback"].(string); ok {
				got["traceback"] = strings.Contains(tb, "\n")
			}
			require.Equal(t, c.Metadata, got)
		})
	}
}
