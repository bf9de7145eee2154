// Command cannedserver runs the canned DynamoDB/S3 server. It prints its URL on the first line
// of stdout and serves until stdin is closed or it gets SIGINT/SIGTERM; then it stops
// gracefully and exits.
//
//	cannedserver [-addr 127.0.0.1:0]
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/aioaws/aioaws/benchmarks/cannedserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	s, err := cannedserver.Start(*addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.URL)

	stop := make(chan struct{}, 2)
	go func() { // ends when stdin does; the process exits right after
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop <- struct{}{}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stop:
	case <-sig:
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
}
