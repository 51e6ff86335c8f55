// Command customcli is the gym command line with one more environment: a
// program registers its own implementations and hands over to the CLI.
package main

import (
	"context"
	"os"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/cmd/gym/cli"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/verifier"
)

type echoArgs struct {
	Text string `json:"text"`
}

func main() {
	impls := cli.Builtin()
	impls.AddResources("echo", func(config.Server) (gym.Resources, error) {
		echo := env.NewTool("echo", "Repeat the text.", func(_ context.Context, in echoArgs) (echoArgs, error) { return in, nil })
		return gym.Resources{Server: env.NewServer(echo), Verifier: verifier.Constant(1)}, nil
	})
	os.Exit(cli.Main(context.Background(), os.Args[1:], impls))
}
