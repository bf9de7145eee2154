package events

import (
	"context"
	"net/http"
)

// The events an operation emits, botocore's names, in the order a call emits them.
// Each is emitted as name.service.Operation, e.g. "after-call.lambda.GetPolicy".
const (
	// ProvideClientParams: Params is the caller's input; a handler may replace it.
	ProvideClientParams = "provide-client-params"
	// BeforeParameterBuild: Params is the input about to be validated and serialized; a
	// handler may replace it.
	BeforeParameterBuild = "before-parameter-build"
	// BeforeCall: the input is valid; nothing has been sent yet.
	BeforeCall = "before-call"
	// RequestCreated: Request is the serialized, unsigned request (once per attempt).
	RequestCreated = "request-created"
	// BeforeSign: Request is about to be signed (once per attempt).
	BeforeSign = "before-sign"
	// BeforeSend: Request is signed and about to be sent (once per attempt). A handler may set
	// Response; the request is then not sent and Response is used as the service's answer.
	BeforeSend = "before-send"
	// ResponseReceived: Response is the HTTP response of an attempt, its body unread.
	ResponseReceived = "response-received"
	// NeedsRetry: Err is the attempt's error; a handler may change *Retry.
	NeedsRetry = "needs-retry"
	// AfterCall: Parsed is the operation's output; handlers may change it.
	AfterCall = "after-call"
	// AfterCallError: Err is the error the call is about to return.
	AfterCallError = "after-call-error"
)

// Event carries what a handler may read or change. Fields a stage does not have are zero.
// The client sets Name, Service, Operation and Params on every event it emits (the Stubber
// matches Params at before-send).
//
// An Event belongs to one call: handlers run one after another on the calling goroutine, so a
// handler may change the Event without locking, but must not keep it after it returns.
type Event struct {
	Name      string // one of the constants above, e.g. "before-send"
	Service   string // the botocore service name, e.g. "dynamodb"
	Operation string // the operation name, e.g. "GetItem"

	// Params is the operation input (map[string]any or a struct). Handlers of
	// provide-client-params and before-parameter-build may replace it.
	Params any

	// Request is the HTTP request of the attempt: request-created, before-sign, before-send.
	Request *http.Request

	// Response is the HTTP response of the attempt: response-received. A before-send handler
	// may SET it: the request is then not sent, and the response is handled as if the service
	// had sent it (status, headers and body parsed by the real protocol codec). This is the
	// basis of the Stubber.
	Response *http.Response

	// Parsed is the parsed output at after-call; handlers may change it.
	Parsed map[string]any

	// Err is the error at after-call-error and needs-retry.
	Err error

	// Attempt is the 1-based attempt number where it applies (request-created through needs-retry).
	Attempt int

	// Retry, at needs-retry, points at the retryer's decision for this attempt; a handler may
	// set *Retry to force (true) or forbid (false) a retry.
	Retry *bool
}

// FullName returns the name the event is emitted under: "name.service.Operation", with
// empty trailing parts left out.
func (e *Event) FullName() string {
	switch {
	case e.Service == "":
		return e.Name
	case e.Operation == "":
		return e.Name + "." + e.Service
	}
	return e.Name + "." + e.Service + "." + e.Operation
}

// Handler handles an event. A non-nil error aborts the call with that error, returned as is
// (so errors.Is and errors.As see it). Handlers run synchronously on the calling goroutine
// and must honour ctx if they block.
type Handler func(ctx context.Context, e *Event) error
