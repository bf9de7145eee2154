package examples_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/examples"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func clientFor(t *testing.T, service string, srv *emulator.Server) *client.Client {
	svc, err := models.Load(service)
	require.NoError(t, err)
	c, err := client.New(svc, client.Options{Region: srv.Region, Endpoint: srv.URL,
		Credentials: aws.StaticCredentials{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}},
		func(o *client.Options) { o.S3.ForcePathStyle = true })
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestExamples(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, examples.S3Basic(t.Context(), clientFor(t, "s3", testenv.Versity(t)), "dataintake", &out))
	require.Contains(t, out.String(), "got 1024 bytes back, identical")
	require.Contains(t, out.String(), "page 1: aiobotocore/dummy.bin (1024 bytes)")

	out.Reset()
	require.NoError(t, examples.SQSQueue(t.Context(), clientFor(t, "sqs", testenv.Moto(t)), "test_queue1", &out))
	require.Contains(t, out.String(), "test_queue1")

	out.Reset()
	ddb := clientFor(t, "dynamodb", testenv.Dynalite(t))
	require.NoError(t, examples.DynamoDBTable(t.Context(), ddb, "squares", &out))
	require.Contains(t, out.String(), "table squares is ACTIVE")
	require.NoError(t, examples.Futures(t.Context(), ddb, "squares", 200, &out))
	require.Contains(t, out.String(), "sum of squares 2646700") // Σ i² for i < 200
}
