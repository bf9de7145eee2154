// Command demo shows aioaws working against local AWS emulators, which it installs (when
// missing) and starts itself: moto, dynalite (DynamoDB) and versitygw (S3, with SigV4
// verification). It stops every emulator it started before it exits.
//
//	go run ./cmd/demo
//
// At this stage of the project the demo loads the embedded service models the examples use
// and checks that each emulator answers; the examples (S3 put/get/list/delete, SQS queues,
// DynamoDB tables, futures fan-out) join it as the client lands.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/models"
)

func main() {
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		log.Fatalf("demo: %v", err)
	}
}

func run(ctx context.Context) error {
	fmt.Println("== service models (embedded, loaded lazily on first use)")
	infos, err := models.Services()
	if err != nil {
		return err
	}
	fmt.Printf("%d services embedded\n", len(infos))
	for _, id := range []string{"dynamodb", "s3", "sqs", "states"} {
		start := time.Now()
		svc, err := models.Lookup(id)
		if err != nil {
			return err
		}
		pag, err := svc.Paginators()
		if err != nil {
			return err
		}
		waiters, err := svc.Waiters()
		if err != nil {
			return err
		}
		fmt.Printf("%-9s → %-14s %-18s %3d operations %4d shapes %2d paginators %2d waiters  (%v)\n",
			id, svc.Name, strings.Join(svc.Metadata.Protocols, ","), len(svc.Operations), len(svc.Shapes), len(pag), len(waiters),
			time.Since(start).Round(10*time.Microsecond))
	}

	fmt.Println("\n== local emulators")
	if err := emulator.Install(ctx, os.Stdout); err != nil {
		return err
	}
	var servers []*emulator.Server
	defer func() {
		for _, s := range servers {
			if err := s.Stop(); err != nil {
				log.Printf("demo: %v", err)
			}
		}
	}()
	for _, kind := range emulator.Kinds() {
		s, err := emulator.Start(ctx, kind, emulator.Options{})
		if err != nil {
			return err
		}
		servers = append(servers, s)
		status, err := probe(ctx, s.URL)
		if err != nil {
			return err
		}
		fmt.Printf("%-10s %s (pid %d): GET / → %s\n", kind, s.URL, s.PID, status)
	}
	fmt.Println("\nall emulators answered; stopping them")
	return nil
}

func probe(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", errors.New("probe " + url + ": " + err.Error())
	}
	resp.Body.Close()
	return resp.Status, nil
}
