package bundled

import (
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/config"
)

// NonExecutingAgent builds NeMo Gym's non_executing_simple_agent (see
// agent.NonExecuting) over the instance's resources_server and
// model_server, with the deadlines model_timeout and verify_timeout. The
// environment's Model, Resources and Verifier are set too, so that
// verifying stored rollouts again (gym reverify) finds the verifier.
func NonExecutingAgent(s config.Server, deps gym.Deps) (gym.Environment, error) {
	var cfg struct {
		ResourcesServer config.Ref    `yaml:"resources_server"`
		ModelServer     config.Ref    `yaml:"model_server"`
		ModelTimeout    time.Duration `yaml:"model_timeout"`
		VerifyTimeout   time.Duration `yaml:"verify_timeout"`
	}
	if err := s.Decode(&cfg); err != nil {
		return gym.Environment{}, err
	}
	m, err := deps.Model(cfg.ModelServer)
	if err != nil {
		return gym.Environment{}, err
	}
	res, err := deps.Resources(cfg.ResourcesServer)
	if err != nil {
		return gym.Environment{}, err
	}
	return gym.Environment{
		Model: m, Resources: res.Server, Verifier: res.Verifier,
		Agent: &agent.NonExecuting{Model: m, Resources: res.Server, Verifier: res.Verifier,
			ModelTimeout: cfg.ModelTimeout, VerifyTimeout: cfg.VerifyTimeout},
	}, nil
}
