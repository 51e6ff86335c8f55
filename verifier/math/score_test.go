package math_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	mathv "github.com/gymkit/gym/verifier/math"
)

// pair is one generated answer pair of testdata/generated_pairs.jsonl with
// the reward and extracted_answer NeMo Gym's library path (math-verify
// 0.8.0, latex2sympy2_extended 1.10.2, SymPy 1.14) gives it.
type pair struct {
	Expected  string  `json:"expected_answer"`
	Generated string  `json:"generated"`
	Reward    float64 `json:"reward"`
	Extracted *string `json:"extracted_answer"`
}

func loadPairs(t testing.TB) []pair {
	f, err := os.Open("testdata/generated_pairs.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []pair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p pair
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p))
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	return out
}

func str(p *string) string {
	if p == nil {
		return "<None>"
	}
	return *p
}

// TestGeneratedPairs: 1,000 generated answer pairs (integers, fractions,
// decimals, percentages, roots, multiples of pi, linear expressions,
// intervals, sets, tuples, equations, inequalities, powers; boxed, in $...$,
// \[...\], \(...\) or plain text) score and print as NeMo Gym's library
// path does.
func TestGeneratedPairs(t *testing.T) {
	pairs := loadPairs(t)
	require.Len(t, pairs, 1000)
	rewardOK, extractedOK := 0, 0
	for _, p := range pairs {
		r := mathv.Score(context.Background(), p.Expected, p.Generated)
		if r.Reward == p.Reward {
			rewardOK++
		} else {
			t.Errorf("reward %v, want %v: expected %q generated %q", r.Reward, p.Reward, p.Expected, p.Generated)
		}
		if str(r.Extracted) == str(p.Extracted) {
			extractedOK++
		} else {
			t.Errorf("extracted %q, want %q: expected %q generated %q", str(r.Extracted), str(p.Extracted), p.Expected, p.Generated)
		}
	}
	t.Logf("rewards %d/%d, extracted_answer %d/%d", rewardOK, len(pairs), extractedOK, len(pairs))
}
