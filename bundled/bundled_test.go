package bundled_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// answer is the fallback policy: a call of the first tool the request
// offers (structured_outputs' tool-call rows), or a boxed letter.
var answer = model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	tools, err := req.Params.Tools()
	if err != nil {
		return nil, err
	}
	if len(tools) > 0 {
		return &rollout.Response{Output: []rollout.Item{rollout.NewFunctionCall("c1", tools[0].Name, "{}")}}, nil
	}
	return &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("m1", `\boxed{B}`)}}, nil
})

// NeMo Gym's configs of the example environments, mcqa and
// structured_outputs (json and v4 flavours) load unchanged together, and
// their example datasets collect in one collection against a fake policy
// server.
func TestCollectTogether(t *testing.T) {
	ref := reftest.Dir(t)
	policy := gymtest.ByTool(map[string]model.Model{
		"get_weather":       singletoolcall.Policy(),
		"get_synonym_value": multistep.Policy(),
	}, answer)
	srv := gymtest.NewServer(gymtest.Policy(policy))
	defer srv.Close()
	rs := filepath.Join(ref, "resources_servers")
	cfg, err := config.Loader{
		Paths: []string{
			filepath.Join(rs, "example_single_tool_call/configs/example_single_tool_call.yaml"),
			filepath.Join(rs, "example_multi_step/configs/example_multi_step.yaml"),
			filepath.Join(rs, "mcqa/configs/mcqa.yaml"),
			filepath.Join(rs, "structured_outputs/configs/structured_outputs_json.yaml"),
			filepath.Join(rs, "structured_outputs/configs/structured_outputs_v4.yaml"),
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		},
		Overrides: []string{"+policy_base_url=" + srv.URL, "+policy_api_key=k", "+policy_model_name=m"},
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	rows := gym.Concat(
		gym.Tag(gym.FromFile(filepath.Join(rs, "example_single_tool_call/data/example.jsonl")), "example_single_tool_call_simple_agent"),
		gym.Tag(gym.FromFile(filepath.Join(rs, "example_multi_step/data/example.jsonl")), "example_multi_step_simple_agent"),
		gym.Tag(gym.FromFile(filepath.Join(rs, "mcqa/data/example.jsonl")), "mcqa_simple_agent"),
		gym.FromFile(filepath.Join(rs, "structured_outputs/data/example.jsonl")), // v4 rows name their agent
	)
	c := gym.Collector{Registry: reg, NumRepeats: 2}
	count := map[string]int{}
	for res, err := range c.Collect(context.Background(), rows) {
		require.NoError(t, err)
		require.NoError(t, res.Err, res.Agent)
		count[res.Agent]++
	}
	require.Equal(t, map[string]int{
		"example_single_tool_call_simple_agent": 10, "example_multi_step_simple_agent": 10,
		"mcqa_simple_agent": 10, "structured_outputs_v4_simple_agent": 10,
	}, count)
}

// A program builds the registry of NeMo Gym's own example configs with
// bundled.Implementations, as the gym command does; gym.Builtin knows no
// environment, and its error says where to look.
func TestRegistryOnNeMoGymExampleConfigs(t *testing.T) {
	ref := reftest.Dir(t)
	srv := gymtest.NewServer(gymtest.Policy(gymtest.ByTool(map[string]model.Model{"get_weather": singletoolcall.Policy()}, multistep.Policy())))
	defer srv.Close()
	cfg, err := config.Loader{
		Paths: []string{
			filepath.Join(ref, "resources_servers/example_single_tool_call/configs/example_single_tool_call.yaml"),
			filepath.Join(ref, "resources_servers/example_multi_step/configs/example_multi_step.yaml"),
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml"),
		},
		Overrides: []string{"+policy_base_url=" + srv.URL, "+policy_api_key=EMPTY", "+policy_model_name=m"},
		WorkDir:   t.TempDir(),
	}.Load()
	require.NoError(t, err)

	_, err = gym.Builtin().Registry(cfg)
	require.ErrorContains(t, err, `no Go implementation of resources_servers "example_single_tool_call"`)
	require.ErrorContains(t, err, "bundled.Implementations()")

	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"example_multi_step_simple_agent", "example_single_tool_call_simple_agent"}, reg.Names())

	// The registry runs the examples' own rows.
	rows := append(
		collectRows(t, gym.Tag(gym.FromFile(filepath.Join(ref, "resources_servers/example_single_tool_call/data/example.jsonl")), "example_single_tool_call_simple_agent")),
		collectRows(t, gym.Tag(gym.FromFile(filepath.Join(ref, "resources_servers/example_multi_step/data/example.jsonl")), "example_multi_step_simple_agent"))...)
	c := gym.Collector{Registry: reg}
	s, err := c.Run(context.Background(), gym.FromSlice(rows))
	require.NoError(t, err)
	require.Zero(t, s.Failures())
	require.Equal(t, 5, s.Agents["example_single_tool_call_simple_agent"].Rollouts)
	require.Equal(t, 5, s.Agents["example_multi_step_simple_agent"].Rollouts)
	require.Equal(t, 1.0, s.Agents["example_single_tool_call_simple_agent"].MeanReward())
}

func collectRows(t *testing.T, src func(func(gym.Task, error) bool)) []gym.Task {
	t.Helper()
	var out []gym.Task
	for task, err := range src {
		require.NoError(t, err)
		out = append(out, task)
	}
	return out
}
