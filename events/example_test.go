package events_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aioaws/aioaws/events"
)

// The boto3 talk's example: lambda's GetPolicy returns the policy as a JSON string; an
// after-call handler decodes it in place, for every GetPolicy call of clients sharing reg.
func Example() {
	reg := &events.Registry{}
	unregister := reg.Register("after-call.lambda.GetPolicy", func(_ context.Context, e *events.Event) error {
		s, ok := e.Parsed["Policy"].(string)
		if !ok {
			return nil
		}
		var policy map[string]any
		if err := json.Unmarshal([]byte(s), &policy); err != nil {
			return fmt.Errorf("decode policy: %w", err)
		}
		e.Parsed["Policy"] = policy
		return nil
	})
	defer unregister()

	// Print every event name, like registering '*' in boto3.
	reg.Register("*", func(_ context.Context, e *events.Event) error {
		fmt.Println(e.FullName())
		return nil
	})

	// What the client does after parsing a GetPolicy response:
	if reg.Has(events.AfterCall, "lambda", "GetPolicy") {
		e := &events.Event{
			Name: events.AfterCall, Service: "lambda", Operation: "GetPolicy",
			Parsed: map[string]any{"Policy": `{"Version":"2012-10-17","Id":"default"}`, "RevisionId": "98c5"},
		}
		if err := reg.Emit(context.Background(), e); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Parsed["Policy"].(map[string]any)["Version"])
	}
	// Output:
	// after-call.lambda.GetPolicy
	// 2012-10-17
}

// A Stubber answers a service's calls with canned wire-format responses. Here the before-send
// event is emitted by hand, as the client does for each attempt.
func ExampleStubber() {
	reg := &events.Registry{}
	stub := events.NewStubber(reg, "dynamodb")
	stub.Add("GetItem", map[string]any{"TableName": "users", "Key": events.Any},
		events.StubResponse{Body: []byte(`{"Item":{"name":{"S":"Ada"}}}`)})
	stub.Activate()
	defer stub.Deactivate()

	e := &events.Event{
		Name: events.BeforeSend, Service: "dynamodb", Operation: "GetItem", Attempt: 1,
		Params: map[string]any{"TableName": "users", "Key": map[string]any{"id": map[string]any{"S": "1"}}},
	}
	if err := reg.Emit(context.Background(), e); err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(e.Response.Body)
	_ = e.Response.Body.Close()
	fmt.Println(e.Response.StatusCode, strings.TrimSpace(string(body)))
	fmt.Println("done:", stub.AssertDone() == nil)

	// A second call finds no expectation.
	e.Response = nil
	fmt.Println(reg.Emit(context.Background(), e))
	// Output:
	// 200 {"Item":{"name":{"S":"Ada"}}}
	// done: true
	// events: stubber: unexpected call: dynamodb.GetItem: no expectation left
}
