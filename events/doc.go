// Package events is aioaws's hook registry: botocore's event system for Go.
//
// A call of an operation emits, in order, provide-client-params, before-parameter-build,
// before-call, then for each attempt request-created, before-sign, before-send,
// response-received and needs-retry, and finally after-call or after-call-error. Each is
// emitted as name.service.Operation ("after-call.lambda.GetPolicy") with an *Event that
// carries what a handler may read or change at that stage: the input Params, the HTTP
// Request and Response, the Parsed output, the Err, the Attempt, a Retry decision.
//
// Handlers are registered on a Registry for a pattern "name[.service[.Operation]]", with "*"
// for any part, and called most specific first:
//
//	reg := &events.Registry{}
//	unregister := reg.Register("after-call.lambda.GetPolicy", func(ctx context.Context, e *events.Event) error {
//		// decode the policy document in place, as in the boto3 talk
//		return nil
//	})
//	defer unregister()
//
// A handler's error aborts the call with that error. A before-send handler may set
// Event.Response, and the request is then not sent: the Stubber builds on this to answer
// calls from canned wire-format responses in tests.
//
// Cost: with no handler registered, Registry.Has and Registry.Emit are an atomic load and no
// allocation, so the client only builds an Event when some handler could see it. With
// handlers, the ordered list for each (name, service, operation) is computed once per set
// of registrations and cached.
//
// Concurrency: a Registry's zero value is ready to use and it is safe for concurrent use,
// including registering while calls emit. Handlers run synchronously on the goroutine of the
// call that emits; one Registry is usually shared by many concurrent calls, so handlers must
// be safe for concurrent use themselves. A Stubber is safe for concurrent use.
package events
