package models

import (
	"sort"
	"strings"
)

// Parse compiles a service-2.json document (botocore format) into a Service. file names the
// document in errors; name becomes Service.Name. Parse never panics on malformed input: every
// problem is an *Error naming file and JSON path. The result has no paginators, waiters or
// endpoint rules; use a Loader for those.
func Parse(name, file string, data []byte) (*Service, error) {
	c := &compiler{
		d:      decoder{file: file, data: data},
		svc:    &Service{Name: name, Operations: map[string]*Operation{}, Shapes: map[string]*Shape{}},
		usedAt: map[*Shape]string{},
	}
	if err := c.document(); err != nil {
		return nil, err
	}
	if err := c.link(); err != nil {
		return nil, err
	}
	c.svc.sortNames()
	return c.svc, nil
}

type compiler struct {
	d   decoder
	svc *Service
	// usedAt records where each shape was first referenced, to report references to shapes
	// that are never defined.
	usedAt map[*Shape]string
	// pending holds structure facts that need all members read first.
	pending []pendingStruct
}

type pendingStruct struct {
	shape    *Shape
	path     string
	required []string
	payload  string
}

func (c *compiler) document() error {
	d := &c.d
	err := d.object(func(key string) error {
		switch key {
		case "metadata":
			return c.metadata()
		case "operations":
			return d.object(func(name string) error { return c.operation(name) })
		case "shapes":
			return d.object(func(name string) error { return c.shape(name) })
		case "clientContextParams":
			c.svc.ClientContextParams = map[string]string{}
			return d.object(func(param string) error {
				return d.object(func(k string) error {
					if k != "type" {
						return d.skip()
					}
					t, err := d.str()
					c.svc.ClientContextParams[param] = t
					return err
				})
			})
		case "deprecated":
			v, err := d.boolean()
			c.svc.Deprecated = v
			return err
		default: // version, documentation, examples, deprecatedMessage, ...
			return d.skip()
		}
	})
	if err != nil {
		return err
	}
	return d.end()
}

func (c *compiler) metadata() error {
	d, m := &c.d, &c.svc.Metadata
	strs := map[string]*string{
		"apiVersion": &m.APIVersion, "endpointPrefix": &m.EndpointPrefix, "protocol": &m.Protocol,
		"jsonVersion": &m.JSONVersion, "targetPrefix": &m.TargetPrefix, "serviceId": &m.ServiceID,
		"serviceFullName": &m.ServiceFullName, "serviceAbbreviation": &m.ServiceAbbreviation,
		"signatureVersion": &m.SignatureVersion, "signingName": &m.SigningName, "uid": &m.UID,
		"xmlNamespace": &m.XMLNamespace, "globalEndpoint": &m.GlobalEndpoint, "checksumFormat": &m.ChecksumFormat,
	}
	err := d.object(func(key string) error {
		if p, ok := strs[key]; ok {
			var err error
			*p, err = d.str()
			return err
		}
		var err error
		switch key {
		case "protocols":
			m.Protocols, err = d.strings()
		case "auth":
			m.Auth, err = d.strings()
		case "awsQueryCompatible":
			// An object ({}) in botocore models; its presence is the flag.
			m.AWSQueryCompatible = true
			err = d.skip()
		case "protocolSettings":
			m.ProtocolSettings = map[string]string{}
			err = d.object(func(k string) error {
				if d.peek() != '"' {
					return d.skip()
				}
				v, err := d.str()
				m.ProtocolSettings[k] = v
				return err
			})
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if m.SigningName == "" {
		m.SigningName = m.EndpointPrefix
	}
	if m.Protocol == "" && len(m.Protocols) == 0 {
		return c.d.errorf("no protocol or protocols")
	}
	return nil
}

// ref returns the shape named by the string at the cursor, creating a placeholder on first use.
func (c *compiler) ref() (*Shape, error) {
	name, err := c.d.str()
	if err != nil {
		return nil, err
	}
	s := c.svc.Shapes[name]
	if s == nil {
		s = &Shape{Name: name}
		c.svc.Shapes[name] = s
	}
	if _, seen := c.usedAt[s]; !seen && !s.defined {
		c.usedAt[s] = strings.Join(c.d.path, ".")
	}
	return s, nil
}

func (c *compiler) operation(name string) error {
	d := &c.d
	op := &Operation{Name: name}
	c.svc.Operations[name] = op
	return d.object(func(key string) error {
		var err error
		switch key {
		case "http":
			err = d.object(func(k string) error {
				var err error
				switch k {
				case "method":
					op.HTTP.Method, err = d.str()
				case "requestUri":
					op.HTTP.RequestURI, err = d.str()
				case "responseCode":
					op.HTTP.ResponseCode, err = d.integer()
				default:
					err = d.skip()
				}
				return err
			})
		case "input":
			err = d.object(func(k string) error {
				var err error
				switch k {
				case "shape":
					op.Input, err = c.ref()
				case "locationName":
					op.InputLocationName, err = d.str()
				case "xmlNamespace":
					op.InputXMLNamespace, err = c.xmlNamespace()
				default:
					err = d.skip()
				}
				return err
			})
		case "output":
			err = d.object(func(k string) error {
				var err error
				switch k {
				case "shape":
					op.Output, err = c.ref()
				case "resultWrapper":
					op.ResultWrapper, err = d.str()
				default:
					err = d.skip()
				}
				return err
			})
		case "errors":
			err = d.array(func(int) error {
				return d.object(func(k string) error {
					if k != "shape" {
						return d.skip()
					}
					s, err := c.ref()
					op.Errors = append(op.Errors, s)
					return err
				})
			})
		case "endpoint":
			err = d.object(func(k string) error {
				if k != "hostPrefix" {
					return d.skip()
				}
				var err error
				op.HostPrefix, err = d.str()
				return err
			})
		case "httpChecksumRequired":
			op.HTTPChecksumRequired, err = d.boolean()
		case "httpChecksum":
			op.HTTPChecksum = &HTTPChecksum{}
			err = d.object(func(k string) error {
				var err error
				switch k {
				case "requestAlgorithmMember":
					op.HTTPChecksum.RequestAlgorithmMember, err = d.str()
				case "requestChecksumRequired":
					op.HTTPChecksum.RequestChecksumRequired, err = d.boolean()
				case "requestValidationModeMember":
					op.HTTPChecksum.RequestValidationModeMember, err = d.str()
				case "responseAlgorithms":
					op.HTTPChecksum.ResponseAlgorithms, err = d.strings()
				default:
					err = d.skip()
				}
				return err
			})
		case "requestcompression":
			err = d.object(func(k string) error {
				if k != "encodings" {
					return d.skip()
				}
				var err error
				op.RequestCompression, err = d.strings()
				return err
			})
		case "staticContextParams":
			op.StaticContextParams = map[string]any{}
			err = d.object(func(param string) error {
				return d.object(func(k string) error {
					if k != "value" {
						return d.skip()
					}
					v, err := d.value()
					op.StaticContextParams[param] = v
					return err
				})
			})
		case "operationContextParams":
			op.OperationContextParams = map[string]string{}
			err = d.object(func(param string) error {
				return d.object(func(k string) error {
					if k != "path" {
						return d.skip()
					}
					v, err := d.str()
					op.OperationContextParams[param] = v
					return err
				})
			})
		case "auth":
			op.Auth, err = d.strings()
		case "authtype":
			op.AuthType, err = d.str()
		case "unsignedPayload":
			op.UnsignedPayload, err = d.boolean()
		case "idempotent":
			op.Idempotent, err = d.boolean()
		case "readonly":
			op.ReadOnly, err = d.boolean()
		case "deprecated":
			op.Deprecated, err = d.boolean()
		case "endpointdiscovery":
			op.EndpointDiscovery = &EndpointDiscovery{}
			err = d.object(func(k string) error {
				if k != "required" {
					return d.skip()
				}
				var err error
				op.EndpointDiscovery.Required, err = d.boolean()
				return err
			})
		case "endpointoperation":
			op.EndpointOperation, err = d.boolean()
		default: // name, documentation, deprecatedMessage, ...
			err = d.skip()
		}
		return err
	})
}

func (c *compiler) xmlNamespace() (*XMLNamespace, error) {
	d := &c.d
	ns := &XMLNamespace{}
	if d.peek() == '"' { // a bare URI is accepted too
		var err error
		ns.URI, err = d.str()
		return ns, err
	}
	return ns, d.object(func(k string) error {
		var err error
		switch k {
		case "prefix":
			ns.Prefix, err = d.str()
		case "uri":
			ns.URI, err = d.str()
		default:
			err = d.skip()
		}
		return err
	})
}

func (c *compiler) shape(name string) error {
	d := &c.d
	s := c.svc.Shapes[name]
	if s == nil {
		s = &Shape{Name: name}
		c.svc.Shapes[name] = s
	}
	path := strings.Join(d.path, ".")
	if s.defined {
		return d.errorf("shape %q defined twice", name)
	}
	s.defined = true
	delete(c.usedAt, s)
	var typeName string
	ps := pendingStruct{shape: s, path: path}
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "type":
			typeName, err = d.str()
		case "members":
			err = d.object(func(member string) error {
				m, err := c.member(member)
				if err == nil {
					s.Members = append(s.Members, m)
				}
				return err
			})
		case "member":
			s.Member, err = c.member("member")
		case "key":
			s.Key, err = c.member("key")
		case "value":
			s.Value, err = c.member("value")
		case "required":
			ps.required, err = d.strings()
		case "payload":
			ps.payload, err = d.str()
		case "min":
			s.Min, err = d.float()
			s.HasMin = true
		case "max":
			s.Max, err = d.float()
			s.HasMax = true
		case "pattern":
			s.Pattern, err = d.str()
		case "enum":
			s.Enum, err = d.strings()
		case "timestampFormat":
			s.TimestampFormat, err = d.str()
		case "locationName":
			s.LocationName, err = d.str()
		case "xmlNamespace":
			s.XMLNamespace, err = c.xmlNamespace()
		case "flattened":
			s.Flattened, err = d.boolean()
		case "sparse":
			s.Sparse, err = d.boolean()
		case "exception":
			s.Exception, err = d.boolean()
		case "fault":
			s.Fault, err = d.boolean()
		case "error":
			s.Error = &ErrorInfo{}
			err = d.object(func(k string) error {
				var err error
				switch k {
				case "code":
					s.Error.Code, err = d.str()
				case "httpStatusCode":
					s.Error.HTTPStatusCode, err = d.integer()
				case "senderFault":
					s.Error.SenderFault, err = d.boolean()
				default:
					err = d.skip()
				}
				return err
			})
		case "retryable":
			s.Retryable = &Retryable{}
			err = d.object(func(k string) error {
				if k != "throttling" {
					return d.skip()
				}
				var err error
				s.Retryable.Throttling, err = d.boolean()
				return err
			})
		case "union":
			s.Union, err = d.boolean()
		case "document":
			s.Document, err = d.boolean()
		case "streaming":
			s.Streaming, err = d.boolean()
		case "eventstream":
			s.EventStream, err = d.boolean()
		case "event":
			s.Event, err = d.boolean()
		case "requiresLength":
			s.RequiresLength, err = d.boolean()
		case "sensitive":
			s.Sensitive, err = d.boolean()
		case "wrapper":
			s.Wrapper, err = d.boolean()
		case "deprecated":
			s.Deprecated, err = d.boolean()
		default: // documentation, box, synthetic, xmlOrder, deprecatedMessage, ...
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	t, ok := parseType(typeName)
	if !ok {
		if typeName == "" {
			return &Error{File: d.file, Path: path, Msg: "shape has no type"}
		}
		return &Error{File: d.file, Path: path + ".type", Msg: "unknown shape type " + quote(typeName)}
	}
	s.Type = t
	switch {
	case t == List && s.Member == nil:
		return &Error{File: d.file, Path: path, Msg: "list shape has no member"}
	case t == Map && (s.Key == nil || s.Value == nil):
		return &Error{File: d.file, Path: path, Msg: "map shape needs key and value"}
	}
	if t == Structure {
		c.pending = append(c.pending, ps)
	}
	return nil
}

func (c *compiler) member(name string) (*Member, error) {
	d := &c.d
	m := &Member{Name: name}
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "shape":
			m.Shape, err = c.ref()
		case "location":
			var loc string
			if loc, err = d.str(); err == nil {
				m.Location, err = c.location(loc)
			}
		case "locationName":
			m.LocationName, err = d.str()
		case "queryName":
			m.QueryName, err = d.str()
		case "flattened":
			m.Flattened, err = d.boolean()
		case "xmlNamespace":
			m.XMLNamespace, err = c.xmlNamespace()
		case "xmlAttribute":
			m.XMLAttribute, err = d.boolean()
		case "timestampFormat":
			m.TimestampFormat, err = d.str()
		case "jsonvalue":
			m.JSONValue, err = d.boolean()
		case "idempotencyToken":
			m.IdempotencyToken, err = d.boolean()
		case "hostLabel":
			m.HostLabel, err = d.boolean()
		case "eventpayload":
			m.EventPayload, err = d.boolean()
		case "eventheader":
			m.EventHeader, err = d.boolean()
		case "streaming":
			m.Streaming, err = d.boolean()
		case "contextParam":
			err = d.object(func(k string) error {
				if k != "name" {
					return d.skip()
				}
				var err error
				m.ContextParam, err = d.str()
				return err
			})
		case "box":
			m.Box, err = d.boolean()
		case "deprecated":
			m.Deprecated, err = d.boolean()
		default: // documentation, deprecatedMessage, enum, ...
			err = d.skip()
		}
		return err
	})
	if err == nil && m.Shape == nil {
		err = d.errorf("member %q has no shape", name)
	}
	return m, err
}

func (c *compiler) location(loc string) (Location, error) {
	for l, name := range locationNames {
		if name != "" && name == loc {
			return Location(l), nil
		}
	}
	return Body, c.d.errorf("unknown location %s", quote(loc))
}

// link finishes what needs the whole document: references to undefined shapes, required
// member flags and payload members.
func (c *compiler) link() error {
	file := c.d.file
	if len(c.usedAt) > 0 {
		// Report the first dangling reference in document order of its use, deterministically.
		paths := make([]string, 0, len(c.usedAt))
		names := map[string]string{}
		for s, p := range c.usedAt {
			paths = append(paths, p)
			names[p] = s.Name
		}
		sort.Strings(paths)
		return &Error{File: file, Path: paths[0], Msg: "reference to undefined shape " + quote(names[paths[0]])}
	}
	for _, ps := range c.pending {
		s := ps.shape
		if len(s.Members) > 8 {
			s.byName = make(map[string]*Member, len(s.Members))
			for _, m := range s.Members {
				s.byName[m.Name] = m
			}
		}
		for _, r := range ps.required {
			m, ok := s.MemberNamed(r)
			if !ok {
				return &Error{File: file, Path: ps.path + ".required", Msg: "required member " + quote(r) + " is not a member"}
			}
			m.Required = true
		}
		if ps.payload != "" {
			m, ok := s.MemberNamed(ps.payload)
			if !ok {
				return &Error{File: file, Path: ps.path + ".payload", Msg: "payload member " + quote(ps.payload) + " is not a member"}
			}
			s.Payload = m
		}
	}
	c.pending = nil
	return nil
}

func quote(s string) string { return `"` + s + `"` }
