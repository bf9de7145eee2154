// Command demo shows aioaws working against local AWS emulators, which it installs (when
// missing) and starts itself: moto, dynalite (DynamoDB) and versitygw (S3, with SigV4
// verification). It stops every emulator it started before it exits.
//
//	go run ./cmd/demo
//
// It shows the embedded models, then runs the ported aiobotocore examples (package examples)
// through the real client: S3 put/get/list/delete against versitygw (which verifies every
// signature), SQS queues against moto, and a DynamoDB table plus a futures fan-out against
// dynalite.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/examples"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/transport"
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
	servers = make([]*emulator.Server, 0, 3)
	started := map[emulator.Kind]*emulator.Server{}
	for _, kind := range emulator.Kinds() {
		srv, err := emulator.Start(ctx, kind, emulator.Options{})
		if err != nil {
			return err
		}
		servers = append(servers, srv)
		started[kind] = srv
		fmt.Printf("%-10s %s (pid %d)\n", kind, srv.URL, srv.PID)
	}

	tr, err := transport.New(transport.Options{MaxInFlight: 64})
	if err != nil {
		return err
	}
	defer tr.Close()
	clientFor := func(service string, srv *emulator.Server) (*client.Client, error) {
		svc, err := models.Load(service)
		if err != nil {
			return nil, err
		}
		return client.New(svc, client.Options{
			Region: srv.Region, Endpoint: srv.URL, Transport: tr,
			Credentials: aws.StaticCredentials{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey},
		}, func(o *client.Options) { o.S3.ForcePathStyle = true })
	}
	s3, err := clientFor("s3", started[emulator.Versitygw])
	if err != nil {
		return err
	}
	sqs, err := clientFor("sqs", started[emulator.Moto])
	if err != nil {
		return err
	}
	ddb, err := clientFor("dynamodb", started[emulator.Dynalite])
	if err != nil {
		return err
	}

	fmt.Println("\n== S3: put, get, list, delete (versitygw verifies every signature)")
	if err := examples.S3Basic(ctx, s3, "dataintake", os.Stdout); err != nil {
		return err
	}
	fmt.Println("\n== SQS: create, list, delete a queue")
	if err := examples.SQSQueue(ctx, sqs, "test_queue1", os.Stdout); err != nil {
		return err
	}
	fmt.Println("\n== DynamoDB: create a table and wait until it is ACTIVE")
	if err := examples.DynamoDBTable(ctx, ddb, "squares", os.Stdout); err != nil {
		return err
	}
	fmt.Println("\n== Futures: 500 GetItem calls in flight at once over at most 64 connections")
	if err := examples.Futures(ctx, ddb, "squares", 500, os.Stdout); err != nil {
		return err
	}
	st := tr.Stats()
	fmt.Printf("transport: %d requests, %d connections opened, longest wait for a slot %v\n",
		st.Requests, st.ConnsOpened, st.MaxQueueWait.Round(time.Microsecond))
	fmt.Println("\ndone; stopping the emulators")
	return nil
}
