package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Errors of the Stubber, matched with errors.Is. The error a stubbed call returns wraps one of
// them and names what was expected and what came.
var (
	// ErrUnexpectedCall: a call came and no expectation was left.
	ErrUnexpectedCall = errors.New("events: stubber: unexpected call")
	// ErrStubMismatch: a call's operation or params do not match the next expectation.
	// The expectation stays queued.
	ErrStubMismatch = errors.New("events: stubber: call does not match the next expectation")
	// ErrExpectationsLeft: AssertDone found expectations no call consumed.
	ErrExpectationsLeft = errors.New("events: stubber: expectations left")
)

// Any, inside the expected params given to Stubber.Add, matches any value, like botocore's
// stub.ANY: map[string]any{"TableName": "t", "Key": events.Any}. It is recognized at any depth
// of map[string]any and []any values.
var Any any = anyParam{}

type anyParam struct{}

func (anyParam) String() string { return "<any>" }

// StubResponse is the answer to a stubbed call, in wire format: the client parses it with the
// operation's real protocol codec, as if the service had sent it (botocore's Stubber gives
// service responses the same way). StatusCode 0 means 200.
type StubResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Stubber answers a service's calls from a queue of expectations instead of sending them,
// for tests. Each expectation names an operation, optionally the params it expects, and the
// response to give; calls consume expectations in the order they were added.
//
//	s := events.NewStubber(reg, "dynamodb")
//	s.Add("GetItem", map[string]any{"TableName": "t", "Key": events.Any},
//		events.StubResponse{Body: []byte(`{"Item":{"id":{"S":"1"}}}`)})
//	s.Activate()
//	defer s.Deactivate()
//	... calls through a client using reg ...
//	require.NoError(t, s.AssertDone())
//
// The Stubber answers at before-send, so each attempt consumes one expectation: a stubbed
// retryable error (say a 500) is retried by the client and the retry takes the next
// expectation. Queue one response per attempt, or disable retries in the test client.
//
// A call that finds no expectation fails with ErrUnexpectedCall; a call whose operation or
// params differ from the next expectation fails with ErrStubMismatch and leaves the
// expectation queued (AssertDone then reports it).
//
// A Stubber is safe for concurrent use; calls made concurrently consume expectations in
// whatever order they reach before-send, so match params with AddFunc or issue such calls
// one after another when the order matters. The zero value is not usable: use NewStubber.
type Stubber struct {
	reg     *Registry
	service string

	mu         sync.Mutex
	queue      []expectation
	unregister func()
}

type expectation struct {
	operation string
	want      any            // for Add: nil means any params
	match     func(any) bool // for AddFunc
	resp      StubResponse
}

// NewStubber returns a Stubber for service's calls (the botocore service name, e.g.
// "dynamodb") that will register on r when activated. It panics if service is not a valid
// pattern part.
func NewStubber(r *Registry, service string) *Stubber {
	if r == nil {
		panic("events: NewStubber: nil *Registry")
	}
	if err := checkName(service); err != nil {
		panic(fmt.Sprintf("events: NewStubber: invalid service %q: %s", service, err))
	}
	return &Stubber{reg: r, service: service}
}

// Add queues an expectation: the next call must be operation and, unless expectedParams is
// nil, have params equal to expectedParams (reflect.DeepEqual on the params as the client
// passes them, map[string]any or struct, except that Any inside map[string]any and []any
// values matches anything). The call is answered with resp.
func (s *Stubber) Add(operation string, expectedParams any, resp StubResponse) {
	s.push(expectation{operation: operation, want: expectedParams, resp: resp})
}

// AddFunc queues an expectation whose params are checked by match (nil: any params).
func (s *Stubber) AddFunc(operation string, match func(params any) bool, resp StubResponse) {
	s.push(expectation{operation: operation, match: match, resp: resp})
}

// AddError queues an error response for operation with any params: statusCode and a body in
// the service's wire format, e.g. for a JSON protocol
// `{"__type":"ResourceNotFoundException","message":"no table"}`. It is Add(operation, nil,
// StubResponse{StatusCode: statusCode, Body: body}); use Add to set headers or expect params.
func (s *Stubber) AddError(operation string, statusCode int, body []byte) {
	s.Add(operation, nil, StubResponse{StatusCode: statusCode, Body: body})
}

func (s *Stubber) push(e expectation) {
	s.mu.Lock()
	s.queue = append(s.queue, e)
	s.mu.Unlock()
}

// Activate registers the Stubber's before-send handler for its service on the registry.
// Activating an active Stubber does nothing.
func (s *Stubber) Activate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unregister == nil {
		s.unregister = s.reg.Register(BeforeSend+"."+s.service, s.handle)
	}
}

// Deactivate removes the Stubber's handler; calls are sent for real again. The queue is
// kept. Deactivating an inactive Stubber does nothing.
func (s *Stubber) Deactivate() {
	s.mu.Lock()
	u := s.unregister
	s.unregister = nil
	s.mu.Unlock()
	if u != nil {
		u()
	}
}

// AssertDone returns nil if every expectation was consumed, and otherwise an error wrapping
// ErrExpectationsLeft that lists them.
func (s *Stubber) AssertDone() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return nil
	}
	ops := make([]string, len(s.queue))
	for i, e := range s.queue {
		ops[i] = e.operation
	}
	return fmt.Errorf("%w: %s: %d not consumed: %s", ErrExpectationsLeft, s.service, len(ops), strings.Join(ops, ", "))
}

func (s *Stubber) handle(_ context.Context, e *Event) error {
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s.%s: no expectation left", ErrUnexpectedCall, s.service, e.Operation)
	}
	next := s.queue[0]
	if next.operation != e.Operation {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s: expected operation %s, got %s", ErrStubMismatch, s.service, next.operation, e.Operation)
	}
	switch {
	case next.match != nil:
		if !next.match(e.Params) {
			s.mu.Unlock()
			return fmt.Errorf("%w: %s.%s: params rejected by the matcher: got %+v", ErrStubMismatch, s.service, e.Operation, e.Params)
		}
	case next.want != nil:
		if path, ok := matchParams(next.want, e.Params, ""); !ok {
			s.mu.Unlock()
			return fmt.Errorf("%w: %s.%s: params differ%s:\n  expected %+v\n  got      %+v",
				ErrStubMismatch, s.service, e.Operation, atPath(path), next.want, e.Params)
		}
	}
	s.queue[0] = expectation{}
	s.queue = s.queue[1:]
	s.mu.Unlock()

	e.Response = next.resp.httpResponse(e.Request)
	return nil
}

func atPath(path string) string {
	if path == "" {
		return ""
	}
	return " at " + path
}

func (r *StubResponse) httpResponse(req *http.Request) *http.Response {
	code := r.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	body := bytes.Clone(r.Body) // each response reads its own copy
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// matchParams compares expected and got, honouring Any inside map[string]any and []any,
// and returns the path of the first difference.
func matchParams(want, got any, path string) (string, bool) {
	if _, ok := want.(anyParam); ok {
		return "", true
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return orRoot(path), false
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			p := join(path, k)
			if wok != gok {
				return p, false
			}
			if p, ok := matchParams(wv, gv, p); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return orRoot(path), false
		}
		for i := range w {
			if p, ok := matchParams(w[i], g[i], path+"["+strconv.Itoa(i)+"]"); !ok {
				return p, false
			}
		}
		return "", true
	}
	if reflect.DeepEqual(want, got) {
		return "", true
	}
	return orRoot(path), false
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
