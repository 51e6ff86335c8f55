// Package bundled builds every implementation that ships with gym: the
// library's own (simple_agent, openai_model, vllm_model), the two example
// environments, and the environments of NVIDIA's Nemotron 3 Nano RL blend,
// each under the implementation name of NeMo Gym's config files.
//
//	cfg, err := config.Loader{Paths: paths, Overrides: overrides, FS: bundled.Configs}.Load()
//	...
//	reg, err := bundled.Implementations().Registry(cfg)
//
// The gym command uses exactly these implementations.
package bundled

import (
	"github.com/gymkit/gym"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/env/workplace"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/verifier"
)

// Implementations returns gym.Builtin's implementations plus every bundled
// environment, ready for Registry or Build on a NeMo Gym config.
func Implementations() *gym.Implementations {
	im := gym.Builtin()
	im.AddResources("example_single_tool_call", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: singletoolcall.NewServer(), Verifier: singletoolcall.NewVerifier()}, nil
	})
	im.AddResources("example_multi_step", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: multistep.NewServer(), Verifier: multistep.NewVerifier()}, nil
	})
	// Blend environments: one line each, in the order of the Nano blend.
	im.AddResources(workplace.Name, resources(workplace.FromConfig))
	return im
}

// resources adapts an environment package's FromConfig to Implementations.
func resources(build func(config.Server) (env.ResourcesServer, verifier.Verifier, error)) func(config.Server) (gym.Resources, error) {
	return func(s config.Server) (gym.Resources, error) {
		srv, v, err := build(s)
		if err != nil {
			return gym.Resources{}, err
		}
		return gym.Resources{Server: srv, Verifier: v}, nil
	}
}
