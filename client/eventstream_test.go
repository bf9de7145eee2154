package client_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

// TestSelectObjectContentEventStream reads an S3 Select answer, an event stream, from moto:
// the Records events carry the selected rows, Stats a structure decoded from XML, End closes.
func TestSelectObjectContentEventStream(t *testing.T) {
	srv := testenv.Moto(t)
	s3 := newClient(t, "s3", srv, "", func(o *client.Options) { o.S3.ForcePathStyle = true })
	call(t, s3, "CreateBucket", map[string]any{"Bucket": "select"})
	csv := "name,city\nada,london\ngrace,arlington\nalan,wilmslow\n"
	call(t, s3, "PutObject", map[string]any{"Bucket": "select", "Key": "people.csv", "Body": []byte(csv)})

	out := call(t, s3, "SelectObjectContent", map[string]any{
		"Bucket": "select", "Key": "people.csv",
		"Expression": "SELECT * FROM S3Object", "ExpressionType": "SQL",
		"InputSerialization":  map[string]any{"CSV": map[string]any{"FileHeaderInfo": "NONE"}},
		"OutputSerialization": map[string]any{"CSV": map[string]any{}},
	})
	stream, ok := out["Payload"].(*eventstream.Reader)
	require.True(t, ok, "Payload is %T", out["Payload"])
	defer stream.Close()
	var records strings.Builder
	var types []string
	var stats map[string]any
	for e, err := range stream.Events() {
		require.NoError(t, err)
		types = append(types, e.Type)
		switch e.Type {
		case "Records":
			records.Write(e.Value["Payload"].([]byte))
		case "Stats":
			stats, _ = e.Value["Details"].(map[string]any)
		}
	}
	require.Contains(t, records.String(), "grace,arlington")
	require.Contains(t, records.String(), "alan,wilmslow")
	require.Equal(t, "End", types[len(types)-1], "events %v", types)
	require.NotNil(t, stats, "events %v", types)
	require.Contains(t, stats, "BytesScanned")
}
