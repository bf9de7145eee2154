package awsxml

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

// Protocol names, as models spell them.
const (
	RestXML = "rest-xml"
	Query   = "query"
	EC2     = "ec2"
)

// formContentType is the Content-Type of query and ec2 request bodies.
const formContentType = "application/x-www-form-urlencoded"

// Codec serializes and parses one service's XML protocol. It compiles a plan per structure
// shape on first use and caches it; it is safe for concurrent use. The zero value is not
// usable: call New.
type Codec struct {
	svc   *models.Service
	proto string
	plans sync.Map // *models.Shape → *structPlan
	enums sync.Map // *models.Shape → map[string]any, see enum
}

// New returns the codec for svc; protocolName is "rest-xml", "query" or "ec2" (anything else
// is treated as "query").
func New(svc *models.Service, protocolName string) *Codec {
	switch protocolName {
	case RestXML, EC2:
	default:
		protocolName = Query
	}
	return &Codec{svc: svc, proto: protocolName}
}

// Protocol returns "rest-xml", "query" or "ec2".
func (c *Codec) Protocol() string { return c.proto }

// Build serializes in as op's request. It does not validate: call protocol.Validate first.
// Unset idempotency tokens are filled with fresh UUIDs.
func (c *Codec) Build(op *models.Operation, in any) (*protocol.Request, error) {
	in = protocol.WithIdempotencyTokens(op.Input, in)
	if c.proto == RestXML {
		return c.buildREST(op, in)
	}
	req := &protocol.Request{Method: http.MethodPost, Path: "/", Header: http.Header{}}
	host, err := protocol.ExpandHostPrefix(op, in)
	if err != nil {
		return nil, err
	}
	req.HostPrefix = host
	f := formWriter{c: c, ec2: c.proto == EC2, b: make([]byte, 0, 256)}
	f.b = append(f.b, "Action="...)
	f.b = appendFormEscaped(f.b, op.Name)
	f.b = append(f.b, "&Version="...)
	f.b = appendFormEscaped(f.b, c.svc.Metadata.APIVersion)
	if op.Input != nil && in != nil {
		if err := f.structure(op.Input, in); err != nil {
			return nil, err
		}
	}
	req.Body = f.b
	req.Header.Set("Content-Type", formContentType)
	return req, nil
}

func (c *Codec) buildREST(op *models.Operation, in any) (*protocol.Request, error) {
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
	if len(body) == 0 {
		return req, nil
	}
	name := op.InputLocationName
	if name == "" {
		name = op.Input.LocationName
	}
	if name == "" {
		name = op.Input.Name
	}
	ns := op.InputXMLNamespace
	if ns == nil {
		ns = op.Input.XMLNamespace
	}
	w := xmlWriter{c: c, b: make([]byte, 0, 512)}
	if err := w.structure(op.Input, name, ns, in, func(m *models.Member) bool { return m.Location == models.Body }); err != nil {
		return nil, err
	}
	req.Body = w.b
	setDefault(req.Header, "Content-Type", "application/xml")
	return req, nil
}

func setDefault(h http.Header, k, v string) {
	if h.Get(k) == "" {
		h.Set(k, v)
	}
}

// buildPayload puts the payload member in the body: a blob or string as is (a streaming one
// as BodyStream), a structure as an XML document whose root is named by the member's
// locationName (else the shape's).
func (c *Codec) buildPayload(req *protocol.Request, p *models.Member, body []protocol.BodyMember) error {
	var v any
	for _, bm := range body {
		if bm.Member == p {
			v = bm.Value
		}
	}
	if v == nil {
		return nil
	}
	s := p.Shape
	switch s.Type {
	case models.Blob, models.String:
		// Buffered values stay buffered (the signer hashes them in place); a reader is sent
		// as a stream, for a streaming member or, as botocore allows, any blob payload.
		if b, ok := protocol.Blob(v); ok {
			req.Body = b
		} else if r, ok := v.(io.Reader); ok && (s.Type == models.Blob || s.Streaming || p.Streaming) {
			req.BodyStream = r
		} else {
			return fmt.Errorf("%s: got %T, want an io.Reader, []byte or string", p.Name, v)
		}
		if s.Type == models.String {
			setDefault(req.Header, "Content-Type", "text/plain")
		}
		return nil
	case models.Structure:
		name := p.LocationName
		if name == "" {
			name = s.LocationName
		}
		if name == "" {
			name = s.Name
		}
		ns := p.XMLNamespace
		if ns == nil {
			ns = s.XMLNamespace
		}
		w := xmlWriter{c: c, b: make([]byte, 0, 512)}
		if err := w.structure(s, name, ns, v, nil); err != nil {
			return err
		}
		req.Body = w.b
		setDefault(req.Header, "Content-Type", "application/xml")
		return nil
	}
	return fmt.Errorf("%s: unsupported payload type %s", p.Name, s.Type)
}

// Parse decodes a successful response into op's output document, reading the body as it
// arrives (at most protocol.MaxBody bytes). For an output whose payload streams, the body
// itself is the payload member's value and the caller owns it (must close it); otherwise
// Parse closes the body.
func (c *Codec) Parse(op *models.Operation, resp *protocol.Response) (map[string]any, error) {
	out := map[string]any{}
	if op.Output == nil {
		protocol.Drain(resp.Body)
		return out, nil
	}
	if c.proto == RestXML {
		if err := protocol.ReadRESTOutput(op.Output, resp, out); err != nil {
			protocol.Drain(resp.Body)
			return nil, err
		}
		for _, m := range op.Output.Members {
			if m.Location == models.Headers && out[m.Name] == nil {
				out[m.Name] = map[string]any{} // as botocore: present, if empty
			}
		}
		if p := op.Output.Payload; p != nil {
			return out, c.parsePayload(p, resp, out)
		}
	}
	if resp.Body == nil {
		return out, nil
	}
	data, err := resp.ReadBody()
	if err != nil {
		return nil, err
	}
	r := newReader(data)
	root, ok, err := r.root()
	if err != nil || !ok {
		return out, err
	}
	switch c.proto {
	case Query:
		err = c.readQueryRoot(r, op, root, out)
	default:
		if m := soleTextMember(op.Output); m != nil && root.local == m.WireName() {
			// e.g. S3's GetBucketLocation: the root element is the member.
			var v any
			if v, err = c.readValue(r, m, root); v != nil {
				out[m.Name] = v
			}
			break
		}
		if root.local == "Error" && c.proto == RestXML {
			if _, modeled := c.plan(op.Output).byElem["Error"]; !modeled {
				// S3 answers some operations (CompleteMultipartUpload, CopyObject, ...) with
				// 200 OK and an error document.
				return nil, c.errorIn200(r, op, resp)
			}
		}
		err = c.readStruct(r, c.plan(op.Output), root, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errorIn200 reads the rest of an <Error> document that came with a success status.
func (c *Codec) errorIn200(r *reader, op *models.Operation, resp *protocol.Response) *aws.APIError {
	e := &aws.APIError{StatusCode: resp.StatusCode, Service: c.svc.Name, Operation: op.Name,
		RequestID: resp.Header.Get("X-Amz-Request-Id")}
	var info errorInfo
	if err := readErrorChildren(r, &info); err != nil {
		e.Code, e.Message = "MalformedError", err.Error()
	} else {
		e.Code, e.Message = info.code, info.message
	}
	if e.Code == "" {
		e.Code = "InternalError"
	}
	if e.RequestID == "" {
		e.RequestID = info.requestID
	}
	e.Fault = "server"
	if s := protocol.ErrorShape(op, e.Code); s != nil {
		e.Fields = map[string]any{}
		if s.Error != nil && s.Error.SenderFault {
			e.Fault = "client"
		}
	}
	return e
}

// readQueryRoot reads a query response: members are in the <OpResult> wrapper under the root
// (ResponseMetadata and other siblings are skipped), or directly under the root.
func (c *Codec) readQueryRoot(r *reader, op *models.Operation, root element, out map[string]any) error {
	wrapper := op.ResultWrapper
	if wrapper == "" {
		wrapper = op.Name + "Result"
	}
	p := c.plan(op.Output)
	for {
		el, ok, err := r.child()
		if err != nil || !ok {
			return err
		}
		if el.local == wrapper {
			if err := c.readStruct(r, p, el, out); err != nil {
				return err
			}
			continue
		}
		if mp := p.byElem[el.local]; mp != nil && !mp.flatList && !mp.flatMap {
			v, err := c.readValue(r, mp.m, el)
			if err != nil {
				return err
			}
			if v != nil {
				out[mp.m.Name] = v
			}
			continue
		}
		if err := r.skip(); err != nil {
			return err
		}
	}
}

// soleTextMember returns the output's only body member when it is a string.
func soleTextMember(s *models.Shape) *models.Member {
	var found *models.Member
	for _, m := range s.Members {
		switch m.Location {
		case models.Header, models.Headers, models.StatusCode:
			continue
		}
		if found != nil || m.Shape.Type != models.String {
			return nil
		}
		found = m
	}
	return found
}

func (c *Codec) parsePayload(p *models.Member, resp *protocol.Response, out map[string]any) error {
	s := p.Shape
	if s.Streaming || p.Streaming || s.EventStream {
		switch {
		case resp.Body == nil:
		case s.EventStream: // the caller's to close
			out[p.Name] = eventstream.NewReader(resp.Body, s, c.decodeEvent)
		default:
			out[p.Name] = resp.Body // the caller owns and closes it
		}
		return nil
	}
	if resp.Body == nil {
		return nil
	}
	if s.Type != models.Blob && s.Type != models.String && s.Type != models.Structure {
		protocol.Drain(resp.Body)
		return fmt.Errorf("awsxml: %s: unsupported payload type %s", p.Name, s.Type)
	}
	data, err := resp.ReadBody()
	if err != nil {
		return err
	}
	switch {
	case s.Type == models.Structure:
		v, err := c.parseStruct(s, data)
		if err != nil {
			return err
		}
		if v != nil {
			out[p.Name] = v
		}
	case len(data) == 0:
	case s.Type == models.String:
		out[p.Name] = string(data)
	default:
		out[p.Name] = data
	}
	return nil
}

// parseStruct reads an XML document of structure s; nil when it has no root element.
func (c *Codec) parseStruct(s *models.Shape, data []byte) (map[string]any, error) {
	r := newReader(data)
	root, ok, err := r.root()
	if err != nil || !ok {
		return nil, err
	}
	out := map[string]any{}
	return out, c.readStruct(r, c.plan(s), root, out)
}

// decodeEvent decodes the XML payload of an event stream message as structure s.
func (c *Codec) decodeEvent(s *models.Shape, payload []byte) (map[string]any, error) {
	out, err := c.parseStruct(s, payload)
	if out == nil {
		out = map[string]any{}
	}
	return out, err
}

// ParseError decodes an error response: S3's bare <Error>, the <ErrorResponse><Error> of
// rest-xml and query services, and ec2's <Response><Errors><Error>; an empty body (HEAD
// requests, 304s) takes its code from the status ("NotFound"). The modeled fields of op's
// matching error shape are decoded into Fields. It always closes the body.
func (c *Codec) ParseError(op *models.Operation, resp *protocol.Response) *aws.APIError {
	e := &aws.APIError{StatusCode: resp.StatusCode, Service: c.svc.Name, Operation: op.Name}
	if resp.Header != nil {
		for _, h := range []string{"X-Amz-Request-Id", "X-Amzn-Requestid"} {
			if e.RequestID = resp.Header.Get(h); e.RequestID != "" {
				break
			}
		}
	}
	var data []byte
	if resp.Body != nil {
		data, _ = resp.ReadBody()
	}
	info, _ := scanError(data)
	e.Code, e.Message = info.code, info.message
	if e.RequestID == "" {
		e.RequestID = info.requestID
	}
	if e.Code == "" {
		e.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
		if e.Code == "" {
			e.Code = fmt.Sprintf("HTTP%d", resp.StatusCode)
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	switch info.typ {
	case "Sender":
		e.Fault = "client"
	case "Receiver":
		e.Fault = "server"
	}
	shape := protocol.ErrorShape(op, e.Code)
	if shape != nil {
		e.Fields = map[string]any{}
		if c.proto == RestXML && resp.Header != nil {
			_ = protocol.ReadRESTOutput(shape, resp, e.Fields)
		}
		if info.found {
			_ = c.readErrorFields(data, shape, e.Fields)
		}
		if e.Message != "" {
			// A "message" member spelled differently from the wire's <Message> (SNS, ...).
			for _, m := range shape.Members {
				if strings.EqualFold(m.Name, "message") && m.Shape.Type == models.String && m.Location == models.Body {
					if _, set := e.Fields[m.Name]; !set {
						e.Fields[m.Name] = e.Message
					}
				}
			}
		}
	}
	protocol.SetFault(e, shape)
	return e
}

type errorInfo struct {
	found                         bool
	code, message, typ, requestID string
}

// findError positions r just inside the <Error> element of an error document and returns
// its start tag; requestID is set from a RequestId met on the way.
func findError(r *reader, info *errorInfo) (element, bool, error) {
	root, ok, err := r.root()
	if err != nil || !ok {
		return root, false, err
	}
	if root.local == "Error" {
		return root, true, nil
	}
	// <ErrorResponse><Error/><RequestId/></ErrorResponse> or
	// <Response><Errors><Error/></Errors><RequestID/></Response>.
	for depth := 0; ; {
		el, ok, err := r.child()
		if err != nil {
			return el, false, err
		}
		if !ok {
			if depth == 0 {
				return el, false, nil
			}
			depth--
			continue
		}
		switch el.local {
		case "Error":
			return el, true, nil
		case "Errors":
			depth++
		case "RequestId", "RequestID", "requestId":
			if info.requestID, err = r.text(); err != nil {
				return el, false, err
			}
		default:
			if err := r.skip(); err != nil {
				return el, false, err
			}
		}
	}
}

// scanError reads the code, message, fault type and request id of an error document.
func scanError(data []byte) (info errorInfo, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return info, nil
	}
	r := newReader(data)
	_, ok, err := findError(r, &info)
	if err != nil || !ok {
		return info, err
	}
	info.found = true
	defer func() {
		info.code = strings.TrimSpace(info.code)
		info.typ = strings.TrimSpace(info.typ)
		info.requestID = strings.TrimSpace(info.requestID)
	}()
	if err := readErrorChildren(r, &info); err != nil {
		return info, err
	}
	// The request id may follow the <Error> element.
	if info.requestID == "" {
		for {
			el, ok, err := r.child()
			if err != nil {
				break
			}
			if !ok {
				if r.depth() == 0 {
					break
				}
				continue
			}
			if el.local == "RequestId" || el.local == "RequestID" {
				info.requestID, _ = r.text()
				break
			}
			if r.skip() != nil {
				break
			}
		}
	}
	return info, nil
}

// readErrorChildren reads the code, message, type and request id among the children of an
// <Error> element (already consumed).
func readErrorChildren(r *reader, info *errorInfo) error {
	for {
		el, ok, err := r.child()
		if err != nil || !ok {
			return err
		}
		var dst *string
		switch el.local {
		case "Code":
			dst = &info.code
		case "Message", "message":
			dst = &info.message
		case "Type":
			dst = &info.typ
		case "RequestId", "RequestID":
			dst = &info.requestID
		}
		if dst == nil {
			err = r.skip()
		} else {
			*dst, err = r.text()
		}
		if err != nil {
			return err
		}
	}
}

// readErrorFields decodes the <Error> element of data as the error shape.
func (c *Codec) readErrorFields(data []byte, shape *models.Shape, out map[string]any) error {
	r := newReader(data)
	var info errorInfo
	el, ok, err := findError(r, &info)
	if err != nil || !ok {
		return err
	}
	return c.readStruct(r, c.plan(shape), el, out)
}

var _ protocol.Codec = (*Codec)(nil)
