package verifier_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier"
)

func ExamplePassMajority() {
	s := func(acc float64, answer string) verifier.Scored {
		var a json.RawMessage // no answer
		if answer != "" {
			a, _ = json.Marshal(answer)
		}
		return verifier.Scored{Scores: map[string]float64{"accuracy": acc}, Answer: a}
	}
	m := verifier.PassMajority([][]verifier.Scored{
		{s(1, "x"), s(0, "y"), s(0, "y")}, // right once in three
		{s(1, "z"), s(1, "z"), s(0, "")},  // right twice, once without an answer
	}, verifier.PassOptions{Answers: true})
	for _, k := range []string{"pass@1/accuracy", "pass@3/accuracy", "pass@1[avg-of-3]/accuracy", "majority@3/accuracy", "pass@1[avg-of-3]/no_answer"} {
		fmt.Printf("%s %.2f\n", k, m.Values[k])
	}
	fmt.Println(verifier.HighestK(m.Values, "majority@{k}", []string{"accuracy"}))
	// Output:
	// pass@1/accuracy 50.00
	// pass@3/accuracy 100.00
	// pass@1[avg-of-3]/accuracy 50.00
	// majority@3/accuracy 50.00
	// pass@1[avg-of-3]/no_answer 16.67
	// map[majority@3/accuracy:50]
}

func TestPassMajorityContinuous(t *testing.T) {
	m := verifier.PassMajority([][]verifier.Scored{
		{{Scores: map[string]float64{"r": 0.5}}, {Scores: map[string]float64{"r": 0.25}}},
		{{Scores: map[string]float64{"r": 1}}},
	}, verifier.PassOptions{})
	require.InDelta(t, 75.0, m.Values["pass@1/r"], 1e-12) // max of the first: 0.5 and 1
	require.InDelta(t, 50.0, m.Values["pass@2/r"], 1e-12) // only the first task has 2
	require.NotContains(t, m.Values, "majority@1/r")      // no answers
	require.Empty(t, verifier.PassMajority(nil, verifier.PassOptions{}).Values)
	require.Equal(t, map[string]float64{}, verifier.HighestK(m.Values, "nothing@{k}", nil))
}
