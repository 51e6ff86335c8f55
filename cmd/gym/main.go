// Command gym collects, collates, reverifies and aggregates rollouts of the
// environments of NeMo Gym config files. Run "gym help" for the commands.
package main

import (
	"context"
	"os"

	"github.com/gymkit/gym/cmd/gym/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Builtin()))
}
