package rollout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
)

// Every row of NeMo Gym's data read as a Task is written back member for
// member, in order: the row is task data the library must not touch.
func TestReferenceTasksLossless(t *testing.T) {
	files := append(refDatasetFiles(t), refRolloutFiles(t)...)
	for _, name := range files {
		for i, line := range refLines(t, name) {
			t.Run(fmt.Sprintf("%s:%d", name, i+1), func(t *testing.T) {
				task, err := rollout.ParseTask(line)
				require.NoError(t, err)
				requireSameTokens(t, line, task.AppendJSON(nil))

				marshalled, err := json.Marshal(task)
				require.NoError(t, err)
				requireSameTokens(t, line, marshalled)

				var decoded rollout.Task
				require.NoError(t, json.Unmarshal(line, &decoded))
				require.NoError(t, decoded.Validate())
				requireSameTokens(t, line, decoded.AppendJSON(nil))

				params, err := task.Params()
				require.NoError(t, err)
				input, err := params.Input()
				require.NoError(t, err)
				require.NotEmpty(t, input)
				for _, it := range input {
					require.Equal(t, rollout.TypeMessage, it.Type())
					require.NotEmpty(t, it.Role())
				}
				tools, err := params.Tools()
				require.NoError(t, err)
				for _, tool := range tools {
					require.Equal(t, "function", tool.Type)
					require.NotEmpty(t, tool.Name)
					require.True(t, json.Valid(tool.Parameters))
				}
			})
		}
	}
}

// Every output row of NeMo Gym read as a Result is written back as the same
// JSON: response items in order with their unknown fields, reward and
// verifier fields, agent_ref as it was. Rows written before NeMo Gym added
// the _ng_ indices get them (0), as every output row has them.
func TestReferenceResultsLossless(t *testing.T) {
	for _, name := range refRolloutFiles(t) {
		for i, line := range refLines(t, name) {
			t.Run(fmt.Sprintf("%s:%d", name, i+1), func(t *testing.T) {
				in, err := rollout.ParseObject(line)
				require.NoError(t, err)

				res, err := rollout.ParseResult(line)
				require.NoError(t, err)
				require.False(t, res.Failed())
				require.NotNil(t, res.Response)
				out := res.AppendJSON(nil)
				requireNoDuplicateKeys(t, out)

				want := decodeAny(t, line).(map[string]any)
				for _, k := range []string{rollout.KeyTaskIndex, rollout.KeyRolloutIndex} {
					if _, ok := want[k]; !ok {
						want[k] = float64(0)
					}
				}
				require.Equal(t, want, decodeAny(t, out))

				// The fields the Result takes out are read correctly.
				var reward float64
				require.NoError(t, in.Decode(rollout.KeyReward, &reward))
				require.Equal(t, reward, res.Reward)
				var ti, ri int
				require.NoError(t, in.Decode(rollout.KeyTaskIndex, &ti))
				require.NoError(t, in.Decode(rollout.KeyRolloutIndex, &ri))
				require.Equal(t, ti, res.TaskIndex)
				require.Equal(t, ri, res.RolloutIndex)
				require.Equal(t, rollout.Task{Object: in}.AgentName(), res.Agent)
				require.False(t, res.Task.Has(rollout.KeyResponse))
				require.False(t, res.Task.Has(rollout.KeyReward))

				// The response keeps its members and its items in order.
				rawResp, ok := in.Get(rollout.KeyResponse)
				require.True(t, ok)
				requireSameTokens(t, rawResp, res.Response.AppendJSON(nil))
				var resp struct{ Output []json.RawMessage }
				require.NoError(t, json.Unmarshal(rawResp, &resp))
				require.NotEmpty(t, resp.Output)
				require.Len(t, res.Response.Output, len(resp.Output))
				for j, raw := range resp.Output {
					requireSameTokens(t, raw, res.Response.Output[j].AppendJSON(nil))
				}
			})
		}
	}
}

// The hermes agent's items carry the token ids and log probs a trainer
// needs; they must come out exactly as they went in.
func TestReferenceTokenIDsSurvive(t *testing.T) {
	withTokens := 0
	for i, line := range refLines(t, hermesRollouts) {
		res, err := rollout.ParseResult(line)
		require.NoError(t, err, "line %d", i+1)
		out := res.AppendJSON(nil)

		var in, got struct {
			Response struct {
				Output []map[string]json.RawMessage
			}
		}
		require.NoError(t, json.Unmarshal(line, &in))
		require.NoError(t, json.Unmarshal(out, &got))
		require.Len(t, got.Response.Output, len(in.Response.Output))
		for j, item := range in.Response.Output {
			ids, ok := item["generation_token_ids"]
			if !ok {
				continue
			}
			withTokens++
			parsed := res.Response.Output[j]
			for _, k := range []string{"prompt_token_ids", "generation_token_ids", "generation_log_probs"} {
				raw, ok := parsed.Get(k)
				require.True(t, ok, "line %d item %d: %s lost", i+1, j, k)
				require.Equal(t, string(item[k]), string(raw))
				require.Equal(t, string(item[k]), string(got.Response.Output[j][k]))
			}
			var gen []int
			require.NoError(t, json.Unmarshal(ids, &gen))
			var lp []float64
			require.NoError(t, parsed.Decode("generation_log_probs", &lp))
			require.Len(t, lp, len(gen))
			require.Equal(t, rollout.TypeMessage, parsed.Type())
		}
	}
	require.Positive(t, withTokens, "no item with generation_token_ids in %s", hermesRollouts)
}

// The reference rows carry empty token lists; a row with real ones (as a
// vLLM server in training mode returns them) keeps every number exactly.
func TestReferenceRowWithTokenIDs(t *testing.T) {
	line := refLines(t, hermesRollouts)[0]
	var row map[string]any
	require.NoError(t, json.Unmarshal(line, &row))
	resp := row["response"].(map[string]any)
	output := resp["output"].([]any)
	last := output[len(output)-1].(map[string]any)
	last["prompt_token_ids"] = []any{151644, 8948, 198, 2610, 525, 1207}
	last["generation_token_ids"] = []any{785, 4226, 374, 220, 16, 13, 151645}
	last["generation_log_probs"] = []any{-0.0001, -1.25e-05, -0.5, -3.0, -1e-07, -0.125, 0.0}
	line, err := json.Marshal(row)
	require.NoError(t, err)

	res, err := rollout.ParseResult(line)
	require.NoError(t, err)
	item := res.Response.Output[len(res.Response.Output)-1]
	raw, ok := item.Get("generation_token_ids")
	require.True(t, ok)
	require.JSONEq(t, `[785,4226,374,220,16,13,151645]`, string(raw))
	raw, ok = item.Get("generation_log_probs")
	require.True(t, ok)
	require.JSONEq(t, `[-0.0001,-1.25e-05,-0.5,-3.0,-1e-07,-0.125,0.0]`, string(raw))

	out := res.AppendJSON(nil)
	var back struct {
		Response struct {
			Output []struct {
				PromptTokenIDs     []int     `json:"prompt_token_ids"`
				GenerationTokenIDs []int     `json:"generation_token_ids"`
				GenerationLogProbs []float64 `json:"generation_log_probs"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(out, &back))
	got := back.Response.Output[len(back.Response.Output)-1]
	require.Equal(t, []int{151644, 8948, 198, 2610, 525, 1207}, got.PromptTokenIDs)
	require.Equal(t, []int{785, 4226, 374, 220, 16, 13, 151645}, got.GenerationTokenIDs)
	require.Equal(t, []float64{-0.0001, -1.25e-05, -0.5, -3.0, -1e-07, -0.125, 0.0}, got.GenerationLogProbs)
}

// Reading the reference files with the streaming reader, writing them back
// with the Writer and reading that again gives the same rows.
func TestReferenceReadWriteRoundTrip(t *testing.T) {
	for _, name := range refRolloutFiles(t) {
		t.Run(name, func(t *testing.T) {
			lines := refLines(t, name)
			var results []*rollout.Result
			for res, err := range rollout.ReadResults(bytes.NewReader(bytes.Join(lines, []byte("\n"))), name) {
				require.NoError(t, err)
				results = append(results, res)
			}
			require.Len(t, results, len(lines))

			var buf bytes.Buffer
			w := rollout.NewWriter(&buf)
			for _, res := range results {
				require.NoError(t, w.Write(res))
			}
			require.Equal(t, len(lines), w.Lines())

			n := 0
			for res, err := range rollout.ReadResults(&buf, "") {
				require.NoError(t, err)
				require.Equal(t, decodeAny(t, results[n].AppendJSON(nil)), decodeAny(t, res.AppendJSON(nil)))
				n++
			}
			require.Equal(t, len(lines), n)
		})
	}
	for _, name := range refDatasetFiles(t) {
		t.Run(name, func(t *testing.T) {
			lines := refLines(t, name)
			n := 0
			for task, err := range rollout.ReadTasksFile(reftest.Path(t, name)) {
				require.NoError(t, err)
				requireSameTokens(t, lines[n], task.AppendJSON(nil))
				n++
			}
			require.Equal(t, len(lines), n)
		})
	}
}
