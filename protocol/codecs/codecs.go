// Package codecs picks the wire codec for a service: the first protocol in the model's
// metadata.protocols that aioaws supports, else metadata.protocol.
package codecs

import (
	"fmt"
	"strings"
	"sync"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/awsjson"
	"github.com/aioaws/aioaws/protocol/awsxml"
	"github.com/aioaws/aioaws/protocol/rpcv2cbor"
)

// ErrUnsupported reports a service none of whose protocols aioaws speaks.
type ErrUnsupported struct {
	Service   string
	Protocols []string
}

func (e *ErrUnsupported) Error() string {
	return fmt.Sprintf("codecs: service %s speaks %s, none of which is supported", e.Service, strings.Join(e.Protocols, ", "))
}

// factories maps a protocol name to the codec that speaks it.
var factories = map[string]func(*models.Service) protocol.Codec{
	"json":      func(s *models.Service) protocol.Codec { return awsjson.New(s, "json") },
	"rest-json": func(s *models.Service) protocol.Codec { return awsjson.New(s, "rest-json") },
	"rest-xml":  func(s *models.Service) protocol.Codec { return awsxml.New(s, awsxml.RestXML) },
	"query":     func(s *models.Service) protocol.Codec { return awsxml.New(s, awsxml.Query) },
	"ec2":       func(s *models.Service) protocol.Codec { return awsxml.New(s, awsxml.EC2) },

	"smithy-rpc-v2-cbor": func(s *models.Service) protocol.Codec { return rpcv2cbor.New(s) },
}

var shared sync.Map // *models.Service → protocol.Codec

// For returns the codec for svc, shared by every client of that service: codecs cache their
// compiled plans and are safe for concurrent use.
func For(svc *models.Service) (protocol.Codec, error) {
	if c, ok := shared.Load(svc); ok {
		return c.(protocol.Codec), nil
	}
	c, err := newCodec(svc)
	if err != nil {
		return nil, err
	}
	actual, _ := shared.LoadOrStore(svc, c)
	return actual.(protocol.Codec), nil
}

func newCodec(svc *models.Service) (protocol.Codec, error) {
	protocols := svc.Metadata.Protocols
	if len(protocols) == 0 {
		protocols = []string{svc.Metadata.Protocol}
	}
	for _, p := range protocols {
		if f, ok := factories[p]; ok {
			return f(svc), nil
		}
	}
	return nil, &ErrUnsupported{Service: svc.Name, Protocols: protocols}
}

// Supported reports whether a protocol name has a codec.
func Supported(name string) bool {
	_, ok := factories[name]
	return ok
}
