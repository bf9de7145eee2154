package faultproxy_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aioaws/aioaws/internal/faultproxy"
)

// Throttle every GetItem in front of a backend, and let the rest through.
func Example() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{}`)
	}))
	defer backend.Close()

	p, err := faultproxy.New(backend.URL, faultproxy.Config{
		Seed: 1,
		Rules: []faultproxy.Rule{{
			Match: faultproxy.Op("GetItem"),
			Fault: faultproxy.Fault{Kind: faultproxy.Throttle},
			Rate:  1,
		}},
	})
	if err != nil {
		panic(err)
	}
	url, err := p.Start()
	if err != nil {
		panic(err)
	}
	defer p.Close()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for _, op := range []string{"GetItem", "PutItem"} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"TableName":"t"}`))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		var body struct {
			Type string `json:"__type"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		fmt.Printf("%s %d %q\n", op, resp.StatusCode, body.Type)
	}
	fmt.Println(p.Stats().Injected)
	// Output:
	// GetItem 400 "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
	// PutItem 200 ""
	// map[throttle:1]
}
