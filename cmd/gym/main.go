// Command gym collects, collates, reverifies and aggregates rollouts of the
// environments of NeMo Gym config files. Run "gym help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gymkit/gym/cmd/gym/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Builtin())
	stop()
	os.Exit(code)
}
