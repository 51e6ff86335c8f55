// Command fakepolicy serves a fake policy model on a local port, so that the
// gym command (or NeMo Gym) can be tried offline, start to finish, without a
// GPU or an API key. It speaks the OpenAI Responses API (openai_model) and
// Chat Completions with vLLM's token ids and /tokenize (vllm_model).
//
//	go run ./cmd/fakepolicy                        # the example environments' scripted policies
//	go run ./cmd/fakepolicy -replay rollouts.jsonl # play back recorded rollouts
//
// By default it answers with the scripted policies of the two example
// environments (example_single_tool_call and example_multi_step), told apart
// by the tools a request offers. With -replay it plays back the model turns
// of recorded rollouts (output rows), matched by the conversation's system
// and user messages. It prints the base URL to give as policy_base_url and
// serves until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakepolicy:", err)
		os.Exit(2)
	}
}

// run serves until ctx ends, after printing the base URL on stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakepolicy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "address to listen on (host:port; port 0 picks a free one)")
	replay := fs.String("replay", "", "comma-separated rollout files (output rows) to play back instead of the scripted policies")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags: -addr, -replay)", fs.Args())
	}
	policy, what, err := choosePolicy(*replay)
	if err != nil {
		return err
	}
	srv, err := gymtest.Listen(*addr, gymtest.Policy(policy))
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "fakepolicy: serving %s at %s (Responses and Chat Completions)\n", what, srv.URL)
	fmt.Fprintf(stdout, "policy_base_url: %s\npolicy_api_key: EMPTY\npolicy_model_name: fake-policy\n", srv.URL)
	<-ctx.Done()
	return nil
}

func choosePolicy(replay string) (model.Model, string, error) {
	if replay == "" {
		return gymtest.ByTool(map[string]model.Model{"get_weather": singletoolcall.Policy()}, multistep.Policy()),
			"the example environments' scripted policies", nil
	}
	var rows []*rollout.Result
	for _, path := range strings.Split(replay, ",") {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", err
		}
		for r, err := range rollout.ReadResults(f, path) {
			if err != nil {
				f.Close()
				return nil, "", err
			}
			rows = append(rows, r)
		}
		f.Close()
	}
	m, err := gymtest.Recorded(rows)
	if err != nil {
		return nil, "", err
	}
	return m, fmt.Sprintf("%d recorded rollouts of %s", len(rows), replay), nil
}
