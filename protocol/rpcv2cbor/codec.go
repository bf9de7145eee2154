package rpcv2cbor

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// ProtocolName is the protocol's name in models.
const ProtocolName = "smithy-rpc-v2-cbor"

const contentType = "application/cbor"

// Codec serializes and parses one service's RPC v2 CBOR protocol. It is safe for concurrent
// use; create one per service and share it, as it caches a compiled plan per shape.
type Codec struct {
	svc      *models.Service
	pathBase string   // "/service/<ServiceName>/operation/"
	plans    sync.Map // *models.Shape → plan
}

// plan is a structure shape compiled for decoding: the member of each wire key.
type plan map[string]*models.Member

// New returns the codec for svc. The service name in request paths is the model's
// targetPrefix (the Smithy service shape name, as botocore uses it), else its service id
// without spaces.
func New(svc *models.Service) *Codec {
	name := svc.Metadata.TargetPrefix
	if name == "" {
		name = strings.ReplaceAll(svc.Metadata.ServiceID, " ", "")
	}
	return &Codec{svc: svc, pathBase: "/service/" + url.PathEscape(name) + "/operation/"}
}

// Protocol returns "smithy-rpc-v2-cbor".
func (c *Codec) Protocol() string { return ProtocolName }

func (c *Codec) plan(s *models.Shape) plan {
	if p, ok := c.plans.Load(s); ok {
		return p.(plan)
	}
	p := make(plan, len(s.Members))
	for _, m := range s.Members {
		p[wireName(m)] = m
	}
	actual, _ := c.plans.LoadOrStore(s, p)
	return actual.(plan)
}

// Build serializes in as op's request. An operation without an input shape has no body and
// no Content-Type; otherwise the body is a CBOR map of the set members (empty for nil in).
func (c *Codec) Build(op *models.Operation, in any) (*protocol.Request, error) {
	req := &protocol.Request{
		Method: http.MethodPost,
		Path:   c.pathBase + url.PathEscape(op.Name),
		Header: make(http.Header, 5),
	}
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	if hasEventStream(op.Output) {
		req.Header.Set("Accept", "application/vnd.amazon.eventstream")
	} else {
		req.Header.Set("Accept", contentType)
	}
	if c.svc.Metadata.AWSQueryCompatible {
		req.Header.Set("X-Amzn-Query-Mode", "true")
	}
	if op.Input == nil {
		return req, nil
	}
	in = protocol.WithIdempotencyTokens(op.Input, in)
	host, err := protocol.ExpandHostPrefix(op, in)
	if err != nil {
		return nil, err
	}
	req.HostPrefix = host
	body := make([]byte, 0, 256)
	if in == nil {
		body = append(body, majorMap<<5) // {}
	} else if body, err = c.appendStruct(body, op.Input, in, 0); err != nil {
		return nil, err
	}
	req.Body = body
	req.Header.Set("Content-Type", contentType)
	return req, nil
}

func hasEventStream(s *models.Shape) bool {
	if s == nil {
		return false
	}
	for _, m := range s.Members {
		if m.Shape.EventStream {
			return true
		}
	}
	return false
}

// Parse decodes a successful response into op's output document. An empty body is an empty
// output.
func (c *Codec) Parse(op *models.Operation, resp *protocol.Response) (map[string]any, error) {
	out := map[string]any{}
	if op.Output == nil {
		protocol.Drain(resp.Body)
		return out, nil
	}
	data, err := resp.ReadBody()
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return out, nil
	}
	r := &reader{data: data}
	if err := c.readStructInto(r, op.Output, out); err != nil {
		return nil, err
	}
	return out, r.end()
}

// ParseError decodes an error response: the code from the body's "__type" (namespace and
// URI suffix removed) or, for awsQueryCompatible services, the x-amzn-query-error header;
// the message; and the members of op's matching error shape in Fields.
func (c *Codec) ParseError(op *models.Operation, resp *protocol.Response) *aws.APIError {
	e := &aws.APIError{StatusCode: resp.StatusCode, Service: c.svc.Name, Operation: op.Name,
		RequestID: resp.Header.Get("X-Amzn-Requestid")}
	data, _ := resp.ReadBody()
	typ, msg := scanError(data)
	e.Code = protocol.SanitizeErrorCode(typ)
	e.Message = msg
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	shape := protocol.ErrorShape(op, e.Code)
	if qe := resp.Header.Get("X-Amzn-Query-Error"); qe != "" && c.svc.Metadata.AWSQueryCompatible {
		code, fault, _ := strings.Cut(qe, ";")
		if code != "" {
			e.Code = code
		}
		switch fault {
		case "Sender":
			e.Fault = "client"
		case "Receiver":
			e.Fault = "server"
		}
	}
	if shape != nil {
		e.Fields = map[string]any{}
		if len(data) > 0 {
			_ = c.readStructInto(&reader{data: data}, shape, e.Fields)
		}
	}
	protocol.SetFault(e, shape)
	return e
}

// scanError reads "__type" and the message ("message", else "Message", else
// "errorMessage") from an error body's top-level map, skipping everything else. A malformed
// body yields what was found before the damage.
func scanError(data []byte) (typ, msg string) {
	if len(data) == 0 {
		return "", ""
	}
	r := &reader{data: data}
	_, h, err := r.skipTags()
	if err != nil || h.major != majorMap {
		return "", ""
	}
	n, err := r.items(h, 2)
	if err != nil {
		return "", ""
	}
	rank := 0 // of the message found so far: 3 message, 2 Message, 1 errorMessage
	for i := 0; ; i++ {
		if ok, err := r.more(n, i); err != nil || !ok {
			return typ, msg
		}
		key, err := r.textBytes()
		if err != nil {
			return typ, msg
		}
		k := 0
		switch string(key) {
		case "__type":
			k = -1
		case "message":
			k = 3
		case "Message":
			k = 2
		case "errorMessage":
			k = 1
		}
		if k != 0 && r.pos < len(data) && data[r.pos]>>5 == majorText {
			s, err := r.text()
			if err != nil {
				return typ, msg
			}
			if k < 0 {
				typ = s
			} else if k > rank {
				msg, rank = s, k
			}
			continue
		}
		if err := r.skip(); err != nil {
			return typ, msg
		}
	}
}
