package aws

import (
	"fmt"
	"strings"
)

// APIError is an error response from an AWS service: the code and message the service sent,
// the HTTP status, the request id, and the modeled fields of the error shape when the model
// defines one. Match it with errors.As; compare Code, never the message.
type APIError struct {
	Code       string // e.g. "ConditionalCheckFailedException", "NoSuchKey"
	Message    string
	StatusCode int
	RequestID  string
	Service    string // botocore service name
	Operation  string
	// Fault is "client" or "server" when the protocol or model says which side is at fault.
	Fault string
	// Fields holds the members of the modeled error shape (e.g. DynamoDB's "Item" of a
	// ConditionalCheckFailedException), decoded like an operation's output. Nil if unmodeled.
	Fields map[string]any
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Service != "" || e.Operation != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Service, e.Operation)
	}
	fmt.Fprintf(&b, "api error %s", e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
		if e.RequestID != "" {
			b.WriteString(", request id ")
			b.WriteString(e.RequestID)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// ErrorCode returns the error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ValidationError reports every problem found in an operation's input before anything was
// sent, each naming the member path and the rule it breaks.
type ValidationError struct {
	Operation string
	Problems  []Problem
}

// Problem is one invalid input value.
type Problem struct {
	Path string // e.g. "Item.pk", "KeyConditions[0].AttributeValueList"
	Msg  string // e.g. "missing required member", `got "ten", want integer`
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid input for %s: %d problem", e.Operation, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteByte('s')
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}
