package rpcv2cbor_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/rpcv2cbor"
)

func Example() {
	svc, err := models.Load("cloudwatch")
	if err != nil {
		panic(err)
	}
	codec := rpcv2cbor.New(svc)
	op, _ := svc.Operation("ListMetrics")

	req, err := codec.Build(op, map[string]any{"Namespace": "AWS/EC2"})
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Method, req.Path)
	fmt.Println(req.Header.Get("Smithy-Protocol"), req.Header.Get("Content-Type"))
	fmt.Printf("%x\n", req.Body) // {"Namespace": "AWS/EC2"}

	// {"Metrics": [{"MetricName": "CPUUtilization"}]}, as a server might send it: with
	// indefinite lengths.
	body := []byte("\xbf\x67Metrics\x9f\xbf\x6aMetricName\x6eCPUUtilization\xff\xff\xff")
	out, err := codec.Parse(op, &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))})
	if err != nil {
		panic(err)
	}
	fmt.Println(out)
	// Output:
	// POST /service/GraniteServiceVersion20100801/operation/ListMetrics
	// rpc-v2-cbor application/cbor
	// a1694e616d657370616365674157532f454332
	// map[Metrics:[map[MetricName:CPUUtilization]]]
}
