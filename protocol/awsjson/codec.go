// Package awsjson is the codec of the AWS JSON protocols: "json" (awsJson1_0 and 1_1: every
// operation a POST to "/" named by X-Amz-Target) and "rest-json" (REST bindings with a JSON
// body). Serialization appends JSON straight from the input values, walking compiled
// per-shape plans; parsing reads the body once, shape-driven, into output documents.
package awsjson

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

// Codec serializes and parses one service's JSON protocol. It is safe for concurrent use.
type Codec struct {
	svc         *models.Service
	rest        bool
	contentType string
	plans       sync.Map // *models.Shape → *structPlan
	ops         sync.Map // *models.Operation → *opPlan (json only)
}

// opPlan is what Build works out once per operation of a "json" service.
type opPlan struct {
	target   string         // the X-Amz-Target value
	bodyHint aws.LengthHint // the capacity a request body starts at, at most maxBodyHint
}

func (c *Codec) opPlan(op *models.Operation) *opPlan {
	if p, ok := c.ops.Load(op); ok {
		return p.(*opPlan)
	}
	p := &opPlan{target: c.svc.Metadata.TargetPrefix + "." + op.Name}
	p.bodyHint.Set(256)
	actual, _ := c.ops.LoadOrStore(op, p)
	return actual.(*opPlan)
}

// maxBodyHint bounds the capacity request bodies start at; longer ones grow as they are written.
const maxBodyHint = 16 << 10

// jsonRequest is a "json" request with its two header values, in one allocation.
type jsonRequest struct {
	protocol.Request
	values [2]string
}

// New returns the codec for svc; protocol is "json" or "rest-json".
func New(svc *models.Service, protocolName string) *Codec {
	c := &Codec{svc: svc, rest: protocolName == "rest-json"}
	if c.rest {
		c.contentType = "application/json"
	} else {
		version := svc.Metadata.JSONVersion
		if version == "" {
			version = "1.0"
		}
		c.contentType = "application/x-amz-json-" + version
	}
	return c
}

// Protocol returns "json" or "rest-json".
func (c *Codec) Protocol() string {
	if c.rest {
		return "rest-json"
	}
	return "json"
}

// Build serializes in as op's request.
func (c *Codec) Build(op *models.Operation, in any) (*protocol.Request, error) {
	in = protocol.WithIdempotencyTokens(op.Input, in)
	if !c.rest {
		p := c.opPlan(op)
		jr := &jsonRequest{values: [2]string{c.contentType, p.target}}
		req := &jr.Request
		req.Method = http.MethodPost
		req.Path = "/"
		// What Header.Set would store, the two values in one array: each slice has capacity
		// 1, so an Add appends to a copy, and a Set replaces the slice; the array is this
		// request's alone, as the slices Set makes would be.
		req.Header = http.Header{"Content-Type": jr.values[0:1:1], "X-Amz-Target": jr.values[1:2:2]}
		host, err := protocol.ExpandHostPrefix(op, in)
		if err != nil {
			return nil, err
		}
		req.HostPrefix = host
		if c.svc.Metadata.AWSQueryCompatible {
			req.Header.Set("X-Amzn-Query-Mode", "true")
		}
		if op.Input == nil || in == nil { // always a JSON object, even for no input
			req.Body = []byte("{}")
			return req, nil
		}
		w := writer{c: c}
		req.Body, err = w.appendStruct(make([]byte, 0, p.bodyHint.Len()), op.Input, in, nil)
		p.bodyHint.Learn(len(req.Body), maxBodyHint)
		return req, err
	}
	req := &protocol.Request{Header: http.Header{}}
	body, err := protocol.BindREST(op, in, req)
	if err != nil {
		return nil, err
	}
	if op.Input == nil {
		return req, nil
	}
	if p := op.Input.Payload; p != nil {
		return req, c.buildPayload(req, p, body)
	}
	if !hasBodyMembers(op.Input) {
		return req, nil
	}
	w := writer{c: c}
	buf, err := w.appendStruct(make([]byte, 0, 256), op.Input, in, func(m *models.Member) bool { return m.Location == models.Body })
	if err != nil {
		return nil, err
	}
	req.Body = buf
	req.Header.Set("Content-Type", c.contentType)
	return req, nil
}

func hasBodyMembers(s *models.Shape) bool {
	for _, m := range s.Members {
		if m.Location == models.Body {
			return true
		}
	}
	return false
}

func (c *Codec) buildPayload(req *protocol.Request, p *models.Member, body []protocol.BodyMember) error {
	var v any
	for _, bm := range body {
		if bm.Member == p {
			v = bm.Value
		}
	}
	s := p.Shape
	switch {
	case s.Type == models.Blob || s.Type == models.String:
		if v == nil {
			return nil
		}
		if s.Streaming || p.Streaming {
			r, _ := protocol.Stream(v)
			req.BodyStream = r
		} else if b, ok := protocol.Blob(v); ok {
			req.Body = b
		}
		if req.Header.Get("Content-Type") == "" {
			if s.Type == models.String {
				req.Header.Set("Content-Type", "text/plain")
			} else {
				req.Header.Set("Content-Type", "application/octet-stream")
			}
		}
	default: // a structure, union or document payload; an unset one is an empty object
		if v == nil {
			v = map[string]any{}
		}
		w := writer{c: c}
		buf, err := w.appendValue(make([]byte, 0, 256), s, p, v)
		if err != nil {
			return err
		}
		req.Body = buf
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", c.contentType)
		}
	}
	return nil
}

// Parse decodes a successful response into op's output document.
func (c *Codec) Parse(op *models.Operation, resp *protocol.Response) (map[string]any, error) {
	out := map[string]any{}
	if op.Output == nil {
		protocol.Drain(resp.Body)
		return out, nil
	}
	if c.rest {
		if err := protocol.ReadRESTOutput(op.Output, resp, out); err != nil {
			return nil, err
		}
		if p := op.Output.Payload; p != nil {
			return out, c.parsePayload(p, resp, out)
		}
	}
	data, err := resp.ReadBody()
	if err != nil {
		return nil, err
	}
	if err := c.parseBody(data, op.Output, out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseBody reads a JSON body of structure s into out.
func (c *Codec) parseBody(data []byte, s *models.Shape, out map[string]any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	r := &reader{data: data}
	if err := c.readStructInto(r, s, out); err != nil {
		return err
	}
	return r.end()
}

// ParseInto parses a successful response straight into out, with the results of Parse
// followed by aws.Decode (see protocol.IntoParser).
func (c *Codec) ParseInto(op *models.Operation, resp *protocol.Response, out any) error {
	t, err := aws.NewTarget(out)
	if err != nil {
		protocol.Drain(resp.Body)
		return err
	}
	if op.Output == nil || !t.Streams() || (c.rest && op.Output.Payload != nil) {
		return protocol.ParseThenDecode(c, op, resp, out)
	}
	head := map[string]any{} // REST members bound to the status line and headers
	if c.rest {
		if err := protocol.ReadRESTOutput(op.Output, resp, head); err != nil {
			protocol.Drain(resp.Body)
			return err
		}
	}
	data, err := resp.ReadBody()
	if err != nil {
		return err
	}
	err = c.parseBodyInto(data, op.Output, head, &t)
	if err == nil {
		t.Done()
	}
	if _, ok := err.(misfit); !ok {
		return err
	}
	// Start over through the document: Decode names every problem's path.
	reflect.ValueOf(out).Elem().SetZero()
	if err := c.parseBody(data, op.Output, head); err != nil {
		return err
	}
	return aws.Decode(head, out)
}

// parseBodyInto reads a JSON body of structure s, and the head's members, into t.
func (c *Codec) parseBodyInto(data []byte, s *models.Shape, head map[string]any, t *aws.Target) error {
	if len(bytes.TrimSpace(data)) > 0 {
		r := &reader{data: data}
		if err := c.readStructTarget(r, s, *t); err != nil {
			return err
		}
		if err := r.end(); err != nil {
			return err
		}
	}
	if err := t.Object(); err != nil {
		return misfit{err}
	}
	defer t.End()
	for k, v := range head {
		if e, ok := t.Entry(k); ok {
			if err := e.Set(v); err != nil {
				return misfit{err}
			}
			t.Commit(k)
		}
	}
	return nil
}

func (c *Codec) parsePayload(p *models.Member, resp *protocol.Response, out map[string]any) error {
	s := p.Shape
	if s.EventStream {
		out[p.Name] = eventstream.NewReader(resp.Body, s, c.decodeEvent) // the caller's to close
		return nil
	}
	if s.Streaming || p.Streaming {
		out[p.Name] = resp.Body // the caller owns and closes it
		return nil
	}
	data, err := resp.ReadBody()
	if err != nil {
		return err
	}
	switch s.Type {
	case models.Blob:
		if len(data) > 0 {
			out[p.Name] = data
		}
		return nil
	case models.String:
		if len(data) > 0 {
			out[p.Name] = string(data)
		}
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	r := &reader{data: data}
	v, err := c.readValue(r, s)
	if err != nil {
		return err
	}
	if v != nil {
		out[p.Name] = v
	}
	return r.end()
}

// decodeEvent decodes the JSON payload of an event stream message as structure s.
func (c *Codec) decodeEvent(s *models.Shape, payload []byte) (map[string]any, error) {
	out := map[string]any{}
	return out, c.parseBody(payload, s, out)
}

// ParseError decodes an error response.
func (c *Codec) ParseError(op *models.Operation, resp *protocol.Response) *aws.APIError {
	e := &aws.APIError{StatusCode: resp.StatusCode, Service: c.svc.Name, Operation: op.Name,
		RequestID: resp.Header.Get("X-Amzn-Requestid")}
	data, _ := resp.ReadBody()
	var typ string
	var body map[string]any
	if len(bytes.TrimSpace(data)) > 0 {
		r := &reader{data: data}
		if v, err := r.any(); err == nil {
			body, _ = v.(map[string]any)
		}
	}
	if h := resp.Header.Get("X-Amzn-Errortype"); h != "" {
		typ = h
	} else if s, ok := body["__type"].(string); ok {
		typ = s
	} else if s, ok := body["code"].(string); ok {
		typ = s
	} else if s, ok := body["Code"].(string); ok {
		typ = s
	}
	e.Code = protocol.SanitizeErrorCode(typ)
	for _, k := range []string{"message", "Message", "errorMessage"} {
		if s, ok := body[k].(string); ok {
			e.Message = s
			break
		}
	}
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	shape := protocol.ErrorShape(op, e.Code)
	if qe := resp.Header.Get("X-Amzn-Query-Error"); qe != "" && c.svc.Metadata.AWSQueryCompatible {
		code, fault, _ := strings.Cut(qe, ";")
		e.Code = code
		if fault == "Sender" {
			e.Fault = "client"
		} else if fault == "Receiver" {
			e.Fault = "server"
		}
	}
	if shape != nil {
		e.Fields = map[string]any{}
		if c.rest {
			_ = protocol.ReadRESTOutput(shape, resp, e.Fields)
		}
		if len(data) > 0 {
			_ = c.readStructInto(&reader{data: data}, shape, e.Fields)
		}
	}
	protocol.SetFault(e, shape)
	return e
}
