// Command isogap runs an ISO/IEC 27001:2022 gap assessment: web app and CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/isogap/isogap/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
