package protocol

import (
	"io"
	"strings"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
)

// SanitizeErrorCode turns a wire error type such as
// "aws.protocoltests#FooError:http://internal/" into the code "FooError".
func SanitizeErrorCode(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// ErrorShape returns op's modeled error shape for a wire code: the shape of that name, or the
// one whose error trait names the code (query protocols), or nil.
func ErrorShape(op *models.Operation, code string) *models.Shape {
	for _, s := range op.Errors {
		if s.Name == code || (s.Error != nil && s.Error.Code == code) {
			return s
		}
	}
	return nil
}

// SetFault fills e.Fault, when the protocol did not say, from the modeled error shape (nil if
// none) and else from the HTTP status.
func SetFault(e *aws.APIError, shape *models.Shape) {
	if e.Fault == "" && shape != nil {
		if shape.Fault {
			e.Fault = "server"
		} else if shape.Error != nil && shape.Error.SenderFault {
			e.Fault = "client"
		}
	}
	if e.Fault == "" {
		switch {
		case e.StatusCode >= 500:
			e.Fault = "server"
		case e.StatusCode >= 400:
			e.Fault = "client"
		}
	}
}

// Drain reads what is left of a response body, up to 64 KiB so the connection can be reused,
// and closes it. A nil body is fine.
func Drain(body io.ReadCloser) {
	if body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
		body.Close()
	}
}
