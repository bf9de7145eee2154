package client

import (
	"context"
	"io"
	"reflect"

	"github.com/aioaws/aioaws/async"
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/events"
)

// CallInto runs op like c.Call and decodes the output document into a T with aws.Decode.
// T is usually a struct or a pointer to one, whose fields are named after the output's
// members (or tagged `aws:"Name"`); a field ResponseMetadata of a struct type receives the
// call's metadata ("RequestId" fills a field RequestID, since keys match names
// case-insensitively when no field has the exact name).
//
//	type GetItemOutput struct {
//		Item map[string]AttributeValue
//	}
//	out, err := client.CallInto[GetItemOutput](ctx, ddb, "GetItem", in)
//
// Errors are those of Call, or, when the call succeeded but its output does not fit in a T,
// an *OperationError wrapping an *aws.DecodeError: the T returned then holds every value that
// did fit, and errors.As finds the DecodeError's list of problems.
//
// Streaming output (S3 GetObject's Body, say) moves as is into the T's io.ReadCloser or
// io.Reader field, and on success it is the caller's: read it and close it. If T has no
// field that takes it, CallInto closes it, since nobody else could; on a decode error
// CallInto closes it too. Like Call, CallInto is safe for concurrent use.
//
// Where it can, CallInto parses the response straight into the T, with no output document in
// between (the codec's fast path; see aws.Target): for a struct T (or a map other than
// map[string]any) of an operation whose output does not stream, when no after-call handler
// is registered (those see the document) and RawResponse is off. The result is the same.
func CallInto[T any](ctx context.Context, c *Client, op string, in any, optFns ...func(*Options)) (T, error) {
	var out T
	if err := c.callInto(ctx, op, in, &out, optFns); err != nil {
		return out, &OperationError{Service: c.svc.Name, Operation: op, Err: err}
	}
	return out, nil
}

func (c *Client) callInto(ctx context.Context, opName string, in, out any, optFns []func(*Options)) error {
	o, retryer := c.callOptions(optFns)
	op, err := c.operation(opName)
	if err != nil {
		return err
	}
	t, err := aws.NewTarget(out)
	if err != nil {
		return err
	}
	if t.Streams() && !o.RawResponse && streamingOutput(op) == nil && !o.Events.Has(events.AfterCall, c.svc.Name, opName) {
		// t, still unused, is the one setMetadata needs: one NewTarget (and its arena) fewer.
		_, err := c.call(ctx, o, retryer, opName, in, &typedOut{v: out, t: t})
		return err
	}
	doc, err := c.call(ctx, o, retryer, opName, in, nil)
	if err != nil {
		return err
	}
	if err := aws.Decode(doc, out); err != nil {
		closeStreams(doc, nil)
		return err
	}
	closeStreams(doc, out)
	return nil
}

// GoInto runs CallInto in a goroutine and returns its Future. The future's goroutine ends when
// the call does; cancel ctx to end it early. A streaming body in the result is the caller's
// to close once Wait returns it; a caller that abandons a future whose result may hold one
// must cancel ctx, which releases the body's connection.
func GoInto[T any](ctx context.Context, c *Client, op string, in any, optFns ...func(*Options)) *async.Future[T] {
	return async.Go(ctx, func(ctx context.Context) (T, error) { return CallInto[T](ctx, c, op, in, optFns...) })
}

// closeStreams closes the streams among the top-level values of doc (streaming payloads are
// always top-level members) that out did not take; with a nil out, all of them.
func closeStreams(doc map[string]any, out any) {
	for _, v := range doc {
		c, ok := v.(io.Closer)
		if !ok || out != nil && holds(reflect.ValueOf(out), reflect.ValueOf(c), 0) {
			continue
		}
		c.Close()
	}
}

// holds reports whether v is reachable from rv (through pointers, struct fields, interfaces,
// slices and maps, a few levels deep). It runs only for outputs with a stream, whose structs
// are small.
func holds(rv, v reflect.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	switch rv.Kind() {
	case reflect.Interface:
		if rv.IsNil() {
			return false
		}
		e := rv.Elem()
		if e.Type() == v.Type() && e.Comparable() && e.Equal(v) {
			return true
		}
		return holds(e, v, depth+1)
	case reflect.Pointer:
		if rv.IsNil() {
			return false
		}
		if rv.Type() == v.Type() && rv.Equal(v) {
			return true
		}
		return holds(rv.Elem(), v, depth+1)
	case reflect.Struct:
		for i := range rv.NumField() {
			if holds(rv.Field(i), v, depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range min(rv.Len(), 64) {
			if holds(rv.Index(i), v, depth+1) {
				return true
			}
		}
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			if holds(it.Value(), v, depth+1) {
				return true
			}
		}
	}
	return false
}
