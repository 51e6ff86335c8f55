// Package env is the environment side of a rollout: a ResourcesServer seeds
// one Session per rollout from its dataset row, and the session runs the
// tools the model calls and holds the rollout's state until verification.
//
// Server is the in-process ResourcesServer. Tools are plain Go functions;
// NewTool derives a strict JSON Schema for the arguments from the Go type,
// decodes the model's arguments strictly, and reports bad arguments and tool
// errors to the model as {"error": ...} observations rather than failing
// the rollout:
//
//	type WeatherArgs struct {
//		City string `json:"city" jsonschema:"description=The city."`
//	}
//	weather := env.NewTool("get_weather", "Get the weather of a city.",
//		func(ctx context.Context, in WeatherArgs) (Weather, error) { ... })
//	srv := env.NewServer(weather)
//
// For per-rollout state, set Server.NewState and use NewStateTool; the
// verifier reads the state with StateOf. The rule for environment authors:
// the calls of one session (its tools, then the verifier) run one at a
// time, in process and over HTTP alike, so a session's own state needs no
// lock; anything shared between sessions must be safe for concurrent use.
//
// Over HTTP, Handler serves a ResourcesServer and its verifier with NeMo
// Gym's routes (/seed_session, /<tool>, /verify, /aggregate_metrics), the
// session carried in a signed cookie; Remote is the client, a
// ResourcesServer (and, with Verifier, a verifier) for a server running
// elsewhere — NeMo Gym's Python servers included.
package env
