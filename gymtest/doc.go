// Package gymtest is the test kit for environment authors: Check runs the
// conformance checks of an environment, Replay checks it against rollouts
// NeMo Gym recorded with a real model, and
// Server is a fake OpenAI-compatible endpoint (Responses, Chat Completions
// with vLLM token ids, /tokenize) that can be scripted per request and made
// to fail, for tests and offline runs. Policy serves any model.Model behind
// it over both the Responses and the Chat Completions API, Recorded plays
// back recorded rollouts, ByTool routes each request to an environment's
// scripted policy by the tools it offers, and Listen serves on a known
// address (cmd/fakepolicy is such a server, for trying the CLI offline):
//
//	srv := gymtest.NewServer(gymtest.Policy(gymtest.ByTool(map[string]model.Model{
//		"get_weather": singletoolcall.Policy(),
//	}, multistep.Policy())), gymtest.WithFaults(0.1, 1))
//	defer srv.Close()
//	// point the environment's model at srv.URL
package gymtest
