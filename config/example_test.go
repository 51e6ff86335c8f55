package config_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gymkit/gym/config"
)

func Example() {
	cfg, err := config.Loader{
		// As NeMo Gym's CLI spells it; math.yaml includes model.yaml itself.
		Overrides: []string{
			"+config_paths=[testdata/example/math.yaml]",
			"+policy_base_url=http://localhost:8000/v1",
			"+policy_api_key=EMPTY",
			"+policy_model_name=Qwen/Qwen3-8B",
		},
	}.Load()
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range cfg.Servers() {
		fmt.Println(s.Name, s.Kind, s.Impl)
	}

	agent, err := cfg.Server("math_simple_agent")
	if err != nil {
		log.Fatal(err)
	}
	var fields struct {
		ResourcesServer config.Ref `yaml:"resources_server"`
		ModelServer     config.Ref `yaml:"model_server"`
		MaxSteps        int        `yaml:"max_steps"`
	}
	if err := agent.Decode(&fields); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s uses %s and %s, at most %d steps\n",
		agent.Name, fields.ResourcesServer.Name, fields.ModelServer.Name, fields.MaxSteps)

	url, err := cfg.String("policy_model.responses_api_models.openai_model.openai_base_url")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(url)
	// Output:
	// policy_model responses_api_models openai_model
	// math resources_servers math_with_judge
	// math_simple_agent responses_api_agents simple_agent
	// math_simple_agent uses math and policy_model, at most 8 steps
	// http://localhost:8000/v1
}

// Values are resolved when read: a config loads without the policy model's
// settings, and reading the model's fields says what to set.
func ExampleMissingError() {
	cfg, err := config.Load("testdata/example/model.yaml")
	if err != nil {
		log.Fatal(err)
	}
	model, err := cfg.Server("policy_model")
	if err != nil {
		log.Fatal(err)
	}
	var fields map[string]any
	err = model.Decode(&fields)

	var missing *config.MissingError
	if errors.As(err, &missing) {
		fmt.Println(missing.Keys)
	}
	// Output:
	// [policy_base_url policy_api_key policy_model_name]
}
