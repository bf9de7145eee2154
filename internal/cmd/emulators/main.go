// Command emulators installs and runs the local AWS emulators that aioaws is
// tested against (see package internal/emulator).
//
// Usage, from anywhere in the repository:
//
//	go run ./internal/cmd/emulators install
//	go run ./internal/cmd/emulators run moto|dynalite|versitygw
//
// install installs what is missing and is quick when nothing is. run starts
// one emulator, prints its endpoint and credentials, copies its output to
// stderr, and stops it on Ctrl-C.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aioaws/aioaws/internal/emulator"
)

const usage = `usage:
  emulators install              install the pinned emulators that are missing
  emulators run moto|dynalite|versitygw
                                 run one emulator until Ctrl-C`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	switch {
	case len(args) == 1 && args[0] == "install":
		if err := emulator.Install(ctx, os.Stdout); err != nil {
			return err
		}
		fmt.Println("all emulators installed")
		return nil
	case len(args) == 2 && args[0] == "run":
		s, err := emulator.Start(ctx, emulator.Kind(args[1]), emulator.Options{Log: os.Stderr})
		if err != nil {
			return err
		}
		fmt.Printf("%s is serving at %s (pid %d)\n  region %s, access key %s, secret key %s\nCtrl-C stops it\n",
			s.Kind, s.URL, s.PID, s.Region, s.AccessKey, s.SecretKey)
		<-ctx.Done()
		return s.Stop()
	default:
		return fmt.Errorf("bad arguments %q\n%s", args, usage)
	}
}
