package faultproxy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

const dynamoTypePrefix = "com.amazonaws.dynamodb.v20120810#"

// apiError is an error response to be written in the request's protocol.
type apiError struct {
	status     int
	code       string // for JSON: the whole __type
	message    string
	sender     bool // query protocol <Type>: Sender (client's fault) or Receiver
	retryAfter time.Duration
}

// faultError builds the error response of a Throttle or ServerError fault.
func faultError(f *Fault, info *reqInfo) apiError {
	e := apiError{retryAfter: f.RetryAfter}
	switch f.Kind {
	case Throttle:
		e.sender = true
		switch info.proto {
		case protoJSON:
			e.status, e.code, e.message = 400, "ThrottlingException", "Rate exceeded"
			if info.dynamo {
				e.code = dynamoTypePrefix + "ProvisionedThroughputExceededException"
				e.message = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
			}
		case protoQuery:
			e.status, e.code, e.message = 400, "Throttling", "Rate exceeded"
		default:
			e.status, e.code, e.message = 503, "SlowDown", "Please reduce your request rate."
		}
		if f.Status != 0 {
			e.status = f.Status
		}
	default: // ServerError
		e.status = 500
		if f.Status != 0 {
			e.status = f.Status
		}
		e.code, e.message = serverErrorCode(e.status, info)
	}
	if f.Code != "" {
		e.code = f.Code
	}
	if f.Message != "" {
		e.message = f.Message
	}
	return e
}

func serverErrorCode(status int, info *reqInfo) (code, message string) {
	unavailable := status == http.StatusServiceUnavailable
	switch {
	case unavailable && info.proto == protoJSON && info.dynamo:
		code = dynamoTypePrefix + "ServiceUnavailable"
	case unavailable:
		code = "ServiceUnavailable"
	case info.proto == protoJSON && info.dynamo:
		code = dynamoTypePrefix + "InternalServerError"
	case info.proto == protoJSON:
		code = "InternalFailure"
	default:
		code = "InternalError"
	}
	if unavailable {
		return code, "Service is unavailable. Please try again."
	}
	return code, "We encountered an internal error. Please try again."
}

// requestID makes a request id from the request's generator, so that it is
// reproducible too.
func requestID(rng *rand.Rand) string {
	return fmt.Sprintf("%016X%016X", rng.Uint64(), rng.Uint64())
}

// write writes e in the protocol of info.
func (e apiError) write(w http.ResponseWriter, r *http.Request, info *reqInfo, reqID string) {
	h := w.Header()
	var body []byte
	switch info.proto {
	case protoJSON:
		body = jsonError(e.code, e.message)
		h.Set("Content-Type", jsonContentType(r))
		h.Set("x-amzn-RequestId", reqID)
		h.Set("x-amzn-ErrorType", e.code)
		if info.dynamo {
			h.Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		}
	case protoQuery:
		typ := "Receiver"
		if e.sender {
			typ = "Sender"
		}
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<ErrorResponse><Error><Type>")
		b.WriteString(typ)
		b.WriteString("</Type><Code>")
		xmlEscape(&b, e.code)
		b.WriteString("</Code><Message>")
		xmlEscape(&b, e.message)
		b.WriteString("</Message></Error><RequestId>")
		xmlEscape(&b, reqID)
		b.WriteString("</RequestId></ErrorResponse>")
		body = b.Bytes()
		h.Set("Content-Type", "text/xml")
		h.Set("x-amzn-RequestId", reqID)
	default:
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>")
		xmlEscape(&b, e.code)
		b.WriteString("</Code><Message>")
		xmlEscape(&b, e.message)
		b.WriteString("</Message><RequestId>")
		xmlEscape(&b, reqID)
		b.WriteString("</RequestId></Error>")
		body = b.Bytes()
		h.Set("Content-Type", "application/xml")
		h.Set("x-amz-request-id", reqID)
	}
	if e.retryAfter > 0 {
		h.Set("x-amz-retry-after", strconv.FormatInt(max(1, e.retryAfter.Milliseconds()), 10))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func jsonError(code, message string) []byte {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, message})
	return body
}

func xmlEscape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
