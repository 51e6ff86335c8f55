package multistep_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
)

// A tool episode against the fake vLLM server, with token ids on, gives a
// training sequence whose calls chain (each prompt extends the previous
// prompt and generation) and a log-prob per generated token — whichever way
// vLLM returns the ids.
func TestVLLMEpisodeTokensChain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		promptIDs bool // vLLM returns prompt_token_ids itself; else they come from /tokenize
	}{{"token_ids", true}, {"logprobs+tokenize", false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := gymtest.NewServer(gymtest.Turns(
				gymtest.ToolCall("get_synonym_value", `{"synonym": "Blazing"}`),
				gymtest.ToolCall("get_synonym_value", `{"synonym": "Warm"}`),
				gymtest.ToolCall("extract_synonym_values", `{"synonym_values": [711, 407]}`),
				gymtest.Text("[711, 407]"),
			))
			defer srv.Close()
			m, err := model.NewVLLM(model.VLLMConfig{
				BaseURL: model.BaseURLs{srv.URL}, Model: "fake", ReturnTokenIDInformation: true,
				RequestPromptAndGenerationTokenIDs: tc.promptIDs,
			})
			require.NoError(t, err)
			var reg gym.Registry
			require.NoError(t, reg.Register(multistep.AgentName, multistep.Environment(m)))
			c := gym.Collector{Registry: &reg, DefaultAgent: multistep.AgentName, Limit: 1}
			n := 0
			for res, err := range c.Collect(context.Background(), gym.FromFile("../../testdata/multistep.jsonl")) {
				require.NoError(t, err)
				require.NoError(t, res.Err)
				n++
				tr, err := res.Trajectory()
				require.NoError(t, err)
				require.Len(t, tr.Calls, 4)
				require.Len(t, tr.LossMask, len(tr.TokenIDs))
				generated := 0
				for i, mask := range tr.LossMask {
					if mask == 1 {
						generated++
						require.Negative(t, tr.LogProbs[i])
					}
				}
				want := 0
				for _, call := range tr.Calls {
					want += len(call.GenerationIDs)
					require.NotEmpty(t, call.GenerationIDs)
				}
				require.Equal(t, want, generated)
				last := tr.Calls[3]
				require.Equal(t, len(last.PromptIDs)+len(last.GenerationIDs), len(tr.TokenIDs))
				// The tokens are the fake tokenizer's rendering of the conversation.
				require.Contains(t, gymtest.Detokenize(tr.TokenIDs), `{"synonym_value": 711}`)
			}
			require.Equal(t, 1, n)
		})
	}
}
