package rpcv2cbor

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/awsjson"
)

var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// getMetricDataRequest is a dashboard-sized query: n metrics with two dimensions each.
func getMetricDataRequest(n int) map[string]any {
	queries := make([]any, n)
	for i := range queries {
		queries[i] = map[string]any{
			"Id": fmt.Sprintf("m%d", i),
			"MetricStat": map[string]any{
				"Metric": map[string]any{
					"Namespace":  "AWS/EC2",
					"MetricName": "CPUUtilization",
					"Dimensions": []any{
						map[string]any{"Name": "InstanceId", "Value": fmt.Sprintf("i-%017d", i)},
						map[string]any{"Name": "AutoScalingGroupName", "Value": "web-fleet"},
					},
				},
				"Period": 60,
				"Stat":   "Average",
			},
			"ReturnData": true,
		}
	}
	return map[string]any{
		"MetricDataQueries": queries,
		"StartTime":         benchStart,
		"EndTime":           benchStart.Add(24 * time.Hour),
		"ScanBy":            "TimestampAscending",
		"MaxDatapoints":     100800,
	}
}

// getMetricDataResponse is its answer: n series of points one-minute values.
func getMetricDataResponse(n, points int) map[string]any {
	results := make([]any, n)
	for i := range results {
		ts := make([]any, points)
		vals := make([]any, points)
		for j := range ts {
			ts[j] = benchStart.Add(time.Duration(j) * time.Minute)
			vals[j] = float64(j%100) + 0.125*float64(i)
		}
		results[i] = map[string]any{
			"Id": fmt.Sprintf("m%d", i), "Label": "CPUUtilization", "StatusCode": "Complete",
			"Timestamps": ts, "Values": vals,
		}
	}
	return map[string]any{"MetricDataResults": results, "Messages": []any{}}
}

func benchCodec(b *testing.B, codec protocol.Codec, op *models.Operation, in any, out map[string]any, svcErr error) {
	require.NoError(b, svcErr)
	// The response body: encoded by the codec itself from the output document, reusing the
	// output shape as an input shape.
	body, err := encodeOutput(codec, op, out)
	require.NoError(b, err)
	req, err := codec.Build(op, in)
	require.NoError(b, err)
	b.Logf("%s: request %d bytes, response %d bytes", codec.Protocol(), len(req.Body), len(body))
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(req.Body)))
		for b.Loop() {
			if _, err := codec.Build(op, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			resp := &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
			if _, err := codec.Parse(op, resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// encodeOutput serializes an output document with codec by building a request of an
// operation whose input is op's output shape.
func encodeOutput(codec protocol.Codec, op *models.Operation, out map[string]any) ([]byte, error) {
	fake := *op
	fake.Input = op.Output
	req, err := codec.Build(&fake, out)
	if err != nil {
		return nil, err
	}
	return req.Body, nil
}

// BenchmarkGetMetricData encodes a 10-metric GetMetricData request and decodes its answer
// (10 series × 1440 points, a day at one-minute resolution), in CBOR and, for comparison,
// with the awsJson1_0 codec on the same model (CloudWatch speaks both).
func BenchmarkGetMetricData(b *testing.B) {
	svc, err := models.Load("cloudwatch")
	require.NoError(b, err)
	op, _ := svc.Operation("GetMetricData")
	in, out := getMetricDataRequest(10), getMetricDataResponse(10, 1440)
	b.Run("cbor", func(b *testing.B) { benchCodec(b, New(svc), op, in, out, nil) })
	b.Run("json", func(b *testing.B) { benchCodec(b, awsjson.New(svc, "json"), op, in, out, nil) })
}
