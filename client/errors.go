package client

import (
	"fmt"

	"github.com/aioaws/aioaws/aws"
)

// OperationError is every error Call returns: which operation failed, wrapping why. Use
// errors.As for the cause: *aws.ValidationError, *aws.APIError, *CredentialsError,
// *EndpointError, *transport.Error, *retry-budget errors, or context errors (errors.Is).
type OperationError struct {
	Service, Operation string
	Err                error
}

func (e *OperationError) Error() string {
	if apiErr, ok := e.Err.(*aws.APIError); ok && apiErr.Service == e.Service && apiErr.Operation == e.Operation {
		return apiErr.Error() // it names the service and operation already
	}
	return fmt.Sprintf("%s %s: %v", e.Service, e.Operation, e.Err)
}

func (e *OperationError) Unwrap() error { return e.Err }

// CredentialsError reports that no credentials could be had for signing.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return "get credentials: " + e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// EndpointError reports that no endpoint could be resolved (an endpoint rule's error, or a
// malformed endpoint URL).
type EndpointError struct{ Err error }

func (e *EndpointError) Error() string { return "resolve endpoint: " + e.Err.Error() }
func (e *EndpointError) Unwrap() error { return e.Err }
