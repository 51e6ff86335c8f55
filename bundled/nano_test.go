package bundled_test

import (
	"context"
	"iter"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
)

// NanoBlend are the config_paths of NVIDIA's Nemotron 3 Nano GRPO recipe,
// as NeMo Gym's repository spells them.
var NanoBlend = []string{
	"responses_api_models/vllm_model/configs/vllm_model_for_training.yaml",
	"resources_servers/math_with_judge/configs/math_with_judge.yaml",
	"resources_servers/code_gen/configs/code_gen.yaml",
	"resources_servers/workplace_assistant/configs/workplace_assistant.yaml",
	"resources_servers/mcqa/configs/mcqa.yaml",
	"resources_servers/instruction_following/configs/instruction_following.yaml",
	"resources_servers/structured_outputs/configs/structured_outputs_json.yaml",
}

// blendAgents are the agent instances the blend defines, with the example
// rows each gets in the tests: NeMo Gym's own (structured_outputs' example
// rows are of its v4 flavour, so the project's JSON rows stand in).
var blendAgents = map[string]string{
	"math_with_judge_simple_agent":       "ref:resources_servers/math_with_judge/data/example.jsonl",
	"code_gen_simple_agent":              "ref:resources_servers/code_gen/data/example.jsonl",
	"workplace_assistant_simple_agent":   "ref:resources_servers/workplace_assistant/data/example.jsonl",
	"mcqa_simple_agent":                  "ref:resources_servers/mcqa/data/example.jsonl",
	"instruction_following_simple_agent": "ref:resources_servers/instruction_following/data/example.jsonl",
	"structured_outputs_simple_agent":    "testdata/structured_outputs/example.jsonl",
}

// The stage goal: NeMo Gym's seven config files of the Nano blend,
// unchanged, compose into one config; bundled builds every environment; and
// one collection runs the example rows of all six environments against a
// fake vLLM policy (Chat Completions with token ids), every rollout scored
// by its own environment, with the token ids a trainer needs.
func TestNanoBlend(t *testing.T) {
	ref := reftest.Dir(t)
	reftest.Python(t) // code_gen runs its unit tests with python3
	srv := gymtest.NewServer(gymtest.Policy(gymtest.CallThenAnswer(`{"name": "x"} The answer is \boxed{B}.`)))
	defer srv.Close()
	var paths []string
	for _, p := range NanoBlend {
		paths = append(paths, filepath.Join(ref, p))
	}
	cfg, err := config.Loader{
		Paths:     paths,
		Overrides: []string{"+policy_base_url=" + srv.URL, "+policy_api_key=EMPTY", "+policy_model_name=nano"},
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	var agents []string
	for a := range blendAgents {
		agents = append(agents, a)
	}
	require.ElementsMatch(t, agents, reg.Names())

	var sources []iter.Seq2[gym.Task, error]
	want := map[string]int{}
	for agent, file := range blendAgents {
		path := filepath.Join("..", file)
		if rest, ok := cutPrefix(file, "ref:"); ok {
			path = filepath.Join(ref, rest)
		}
		rows := collectRows(t, gym.Tag(gym.FromFile(path), agent))
		want[agent] = 2 * len(rows)
		sources = append(sources, gym.FromSlice(rows))
	}
	c := gym.Collector{Registry: reg, NumRepeats: 2, Concurrency: 16}
	got := map[string]int{}
	for res, err := range c.Collect(context.Background(), gym.Concat(sources...)) {
		require.NoError(t, err)
		require.NoError(t, res.Err, "%s task %d", res.Agent, res.TaskIndex)
		require.False(t, math.IsNaN(res.Reward) || math.IsInf(res.Reward, 0))
		require.True(t, res.Reward >= 0 && res.Reward <= 1, "%s: reward %v", res.Agent, res.Reward)
		require.NotEmpty(t, res.Response.Output)
		last := res.Response.Output[len(res.Response.Output)-1]
		_, hasTokens := last.Get("generation_token_ids")
		require.True(t, hasTokens, "%s: vllm_model_for_training returns token ids", res.Agent)
		got[res.Agent]++
	}
	require.Equal(t, want, got)
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}
