package mathjudge_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env/mathjudge"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/verifier"
)

var policyOverrides = []string{"+policy_base_url=http://127.0.0.1:9/v1", "+policy_api_key=k", "+policy_model_name=m"}

func load(t *testing.T, files ...string) (*config.Config, error) {
	ref := reftest.Dir(t)
	var paths []string
	for _, f := range files {
		paths = append(paths, filepath.Join(ref, f))
	}
	return config.Loader{Paths: paths, Overrides: policyOverrides, WorkDir: t.TempDir()}.Load()
}

// Every NeMo Gym config of math_with_judge loads unchanged; those whose
// agents gym implements build, the others fail with a clear message.
func TestNeMoGymConfigs(t *testing.T) {
	const dir = "resources_servers/math_with_judge/configs/"
	const policy = "responses_api_models/openai_model/configs/openai_model.yaml"
	for _, c := range []struct {
		file  string
		agent string // the agent instance that builds
		err   string // else the build error
	}{
		{file: "math_with_judge.yaml", agent: "math_with_judge_simple_agent"},
		{file: "dapo17k.yaml", agent: "math_with_judge_simple_agent"}, // judge_model_server.name ??? is unused: the judge is off
		{file: "math_stack_overflow.yaml", err: "???"},                // the judge is on and its name must be set
		{file: "math_with_local_judge.yaml", err: `no Go implementation of responses_api_models "local_vllm_model"`},
		{file: "math_with_judge_hermes_agent.yaml", err: `no Go implementation of responses_api_agents "hermes_agent"`},
		{file: "math_with_judge_openclaw_agent.yaml", err: `no Go implementation of responses_api_agents "openclaw_agent"`},
		{file: "math_with_judge_opencode_agent.yaml", err: `no Go implementation of responses_api_agents "opencode_agent"`},
		{file: "math_with_judge_pi_agent.yaml", err: `no Go implementation of responses_api_agents "pi_agent"`},
	} {
		t.Run(c.file, func(t *testing.T) {
			files := []string{dir + c.file, policy}
			if c.file == "math_with_local_judge.yaml" {
				// It defines the resources server and the judge only; the agent
				// comes from math_with_judge.yaml, as NeMo Gym combines them.
				files = []string{dir + "math_with_judge.yaml", dir + c.file, policy}
			}
			cfg, err := load(t, files...)
			require.NoError(t, err)
			reg, err := bundled.Implementations().Registry(cfg)
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			e, err := reg.Environment(c.agent)
			require.NoError(t, err, reg.Names())
			require.NotNil(t, e.Verifier)
		})
	}
	// The cline and kilocode configs include their agents' own config files
	// (responses_api_agents/cline_agent/configs/...), which are not part of
	// the reference data; loading them names the missing file.
	for _, f := range []string{"math_with_judge_cline_agent.yaml", "math_with_judge_kilocode_agent.yaml"} {
		_, err := load(t, dir+f, policy)
		require.ErrorContains(t, err, "_agent.yaml")
	}
}

// With NeMo Gym's config and should_use_judge turned on from the command
// line, the judge is the config's policy_model over HTTP (an
// OpenAI-compatible server): asked twice for an answer the library
// rejects, with NeMo Gym's messages and the configured parameters only.
func TestJudgeOverHTTP(t *testing.T) {
	judge := gymtest.NewServer(gymtest.HandlerFunc(func(ctx context.Context, req *gymtest.Request) gymtest.Reply {
		return gymtest.Text("They are the same: " + mathjudge.JudgeEqualLabel)
	}))
	defer judge.Close()
	ref := reftest.Dir(t)
	cfg, err := config.Loader{
		Paths: []string{filepath.Join(ref, "resources_servers/math_with_judge/configs/math_with_judge.yaml"),
			filepath.Join(ref, "responses_api_models/openai_model/configs/openai_model.yaml")},
		Overrides: []string{"+policy_base_url=" + judge.URL, "+policy_api_key=k", "+policy_model_name=judge-model",
			"math_with_judge.resources_servers.math_with_judge.should_use_judge=true"},
		WorkDir: t.TempDir(),
	}.Load()
	require.NoError(t, err)
	reg, err := bundled.Implementations().Registry(cfg)
	require.NoError(t, err)
	e, err := reg.Environment("math_with_judge_simple_agent")
	require.NoError(t, err)
	verdict, err := e.Verifier.Verify(context.Background(), &verifier.Request{Task: task(t, "What is 1/2?", "0.5"), Response: answer(`\text{one half}`)})
	require.NoError(t, err)
	require.Equal(t, 1.0, verdict.Reward)
	require.Equal(t, 0.0, field(t, verdict, "library_reward"))
	require.Len(t, field(t, verdict, "judge_evaluations"), 2)
	reqs := judge.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		require.Equal(t, "judge-model", r.Model)
		var body map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &body))
		require.NotContains(t, body, "background", "NeMo Gym's dumped defaults are recorded, not sent")
		require.Len(t, r.Input, 2)
	}
	require.Contains(t, string(reqs[0].Input[1]), `\\text{one half}`)
}
