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
	"github.com/gymkit/gym/env/codegen"
	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/env/mathjudge"
	"github.com/gymkit/gym/env/mcqa"
	"github.com/gymkit/gym/env/structuredoutputs"
	"github.com/gymkit/gym/env/workplace"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/verifier"
)

// Implementations returns gym.Builtin's implementations plus every bundled
// environment, ready for Registry or Build on a NeMo Gym config.
func Implementations() *gym.Implementations {
	im := gym.Builtin()
	im.AddAgent("non_executing_simple_agent", NonExecutingAgent)
	im.AddResources("example_single_tool_call", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: singletoolcall.NewServer(), Verifier: singletoolcall.NewVerifier()}, nil
	})
	im.AddResources("example_multi_step", func(config.Server) (gym.Resources, error) {
		return gym.Resources{Server: multistep.NewServer(), Verifier: multistep.NewVerifier()}, nil
	})
	// Blend environments: one line each, in the order of the Nano blend.
	im.AddResourcesWithDeps(mathjudge.Name, withModels(mathjudge.FromConfig))
	im.AddResources(codegen.Name, resources(codegen.FromConfig))
	im.AddResources(workplace.Name, resources(workplace.FromConfig))
	im.AddResources(mcqa.Name, resources(mcqa.FromConfig))
	im.AddResources(instructionfollowing.Name, resources(instructionfollowing.FromConfig))
	im.AddResources(structuredoutputs.Name, resources(structuredoutputs.FromConfig))
	return im
}

// withModels adapts an environment constructor that resolves model
// references (a judge) to Implementations.AddResourcesWithDeps.
func withModels(fn func(config.Server, func(config.Ref) (model.Model, error)) (env.ResourcesServer, verifier.Verifier, error)) gym.ResourcesDepsFunc {
	return func(s config.Server, deps gym.Deps) (gym.Resources, error) {
		srv, v, err := fn(s, deps.Model)
		if err != nil {
			return gym.Resources{}, err
		}
		return gym.Resources{Server: srv, Verifier: v}, nil
	}
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
