package eventstream_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

func ExampleDecoder() {
	var buf bytes.Buffer
	enc := eventstream.NewEncoder(&buf)
	for _, payload := range []string{"a,1\n", "b,2\n"} {
		err := enc.Encode(eventstream.Message{
			Headers: eventstream.Headers{
				{Name: ":message-type", Value: eventstream.StringValue("event")},
				{Name: ":event-type", Value: eventstream.StringValue("Records")},
			},
			Payload: []byte(payload),
		})
		if err != nil {
			panic(err)
		}
	}

	dec := eventstream.NewDecoder(&buf)
	for {
		m, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		typ, _ := m.Headers.Get(":event-type")
		fmt.Printf("%s %q\n", typ, m.Payload)
	}
	// Output:
	// Records "a,1\n"
	// Records "b,2\n"
}

// A Reader over the event stream of S3's SelectObjectContent. The events here carry blob
// payloads only, so no PayloadDecoder is needed; the client supplies the codec's.
func ExampleReader() {
	svc, err := models.Load("s3")
	if err != nil {
		panic(err)
	}
	op, _ := svc.Operation("SelectObjectContent")
	stream := op.Output.Payload.Shape // SelectObjectContentEventStream

	var buf bytes.Buffer
	enc := eventstream.NewEncoder(&buf)
	msg := func(kind, typeHeader, typ string, payload string) {
		_ = enc.Encode(eventstream.Message{
			Headers: eventstream.Headers{
				{Name: ":message-type", Value: eventstream.StringValue(kind)},
				{Name: typeHeader, Value: eventstream.StringValue(typ)},
			},
			Payload: []byte(payload),
		})
	}
	msg("event", ":event-type", "Records", "id,name\n1,ana\n")
	msg("event", ":event-type", "Cont", "")
	msg("error", ":error-code", "InternalError", "")

	r := eventstream.NewReader(io.NopCloser(&buf), stream, nil)
	defer r.Close()
	for ev, err := range r.Events() {
		var ae *aws.APIError
		if errors.As(err, &ae) {
			fmt.Println("error:", ae.Code)
			break
		}
		switch ev.Type {
		case "Records":
			fmt.Printf("records: %q\n", ev.Value["Payload"])
		default:
			fmt.Println(ev.Type)
		}
	}
	// Output:
	// records: "id,name\n1,ana\n"
	// Cont
	// error: InternalError
}
