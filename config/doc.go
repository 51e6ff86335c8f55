// Package config loads NVIDIA NeMo Gym configurations: Hydra/OmegaConf-style
// YAML that declares the servers of a gym (models, resources servers,
// agents) and how they refer to each other. It is data only: it builds
// nothing and imports nothing else from this module.
//
//	cfg, err := config.Loader{
//		Paths:     []string{"resources_servers/example_multi_step/configs/example_multi_step.yaml"},
//		Overrides: os.Args[1:], // "+config_paths=[responses_api_models/openai_model/configs/openai_model.yaml]"
//	}.Load()
//	if err != nil {
//		log.Fatal(err)
//	}
//	for _, s := range cfg.Servers() {
//		var fields struct{ ModelServer config.Ref `yaml:"model_server"` }
//		if err := s.Decode(&fields); err != nil {
//			log.Fatal(err) // e.g. policy_base_url is not set (used by ...)
//		}
//		fmt.Println(s.Name, s.Kind, s.Impl, fields.ModelServer.Name)
//	}
//
// # Layout
//
// A top-level key whose value is {kind: {implementation: {fields}}}, with
// kind one of responses_api_models, resources_servers or
// responses_api_agents, is a server instance ([Server]); every other
// top-level key is a global (config_paths, policy_base_url, head_server...).
// A {type: <kind>, name: <instance>} mapping in a server's fields is a
// reference ([Ref]) to another server.
//
// # Merging
//
// See [Loader.Load]: files (a file after those it lists in config_paths),
// then env.yaml, then command-line overrides, merged as OmegaConf.merge
// does.
//
// # Resolution is lazy
//
// Values may contain ${key} (a dotted path from the root; ${.key} is
// relative), ${oc.env:VAR} and ${oc.env:VAR,default}, and ??? for a value
// that must be set. They are resolved when a value is read, by [Config.Get],
// [Config.Decode], [Server.Decode] and the like, as OmegaConf resolves
// interpolations. (NeMo Gym also rejects every ??? up front; here ??? waits
// too.) So a config whose unused parts are incomplete still loads, and a
// program that builds a server gets one error listing every value that
// server is missing ([MissingError]), saying where each is used and how to
// set it. [Loader.Load] checks what it can without values: the YAML, the
// overrides, the server layout and that references name defined servers.
// [Config.Validate] resolves everything, for a program that wants to fail
// early.
//
// An interpolation that is the whole value takes the type of its target;
// one inside a longer string is formatted into it. An environment variable
// is a string, but decodes into a bool or number field as the same text in
// YAML would; a default is a YAML scalar, so ${oc.env:FLAG,false} is the
// bool false and ${oc.env:X,null} is null.
package config
