package models

import "sort"

// A Service is one compiled service model: its metadata, operations and the shape graph they
// reference. A Service is immutable once loaded and shared by every client of that service, so
// it is safe for concurrent use; callers must not modify it or anything reachable from it.
type Service struct {
	// Name is the botocore name of the service (the data directory name, e.g. "stepfunctions").
	Name     string
	Metadata Metadata
	// Operations by name. OperationNames lists them sorted.
	Operations map[string]*Operation
	// Shapes by name; every shape reachable from an operation is here.
	Shapes map[string]*Shape
	// ClientContextParams are the endpoint-rule parameters a client may set (e.g. S3's
	// "ForcePathStyle"), by name, with their declared type ("boolean" or "string").
	ClientContextParams map[string]string
	Deprecated          bool

	opNames []string
	extras  *extras // lazily decoded paginators, waiters and endpoint rules; nil for parsed models
}

// Operation returns the named operation.
func (s *Service) Operation(name string) (*Operation, bool) {
	op, ok := s.Operations[name]
	return op, ok
}

// OperationNames returns the operation names in sorted order. The slice must not be modified.
func (s *Service) OperationNames() []string { return s.opNames }

func (s *Service) sortNames() {
	s.opNames = make([]string, 0, len(s.Operations))
	for name := range s.Operations {
		s.opNames = append(s.opNames, name)
	}
	sort.Strings(s.opNames)
}

// Metadata is a model's `metadata` block.
type Metadata struct {
	APIVersion          string
	EndpointPrefix      string
	Protocol            string   // legacy single protocol: "json", "rest-json", "rest-xml", "query", "ec2", ...
	Protocols           []string // in order of preference; may be empty in older models
	JSONVersion         string   // "1.0" or "1.1" for json protocols
	TargetPrefix        string   // X-Amz-Target prefix for json protocols
	ServiceID           string   // e.g. "DynamoDB"
	ServiceFullName     string
	ServiceAbbreviation string
	SignatureVersion    string // "v4", "s3", "s3v4", "bearer", ...
	SigningName         string // falls back to EndpointPrefix when the model has none
	Auth                []string
	UID                 string
	XMLNamespace        string
	GlobalEndpoint      string
	AWSQueryCompatible  bool // json/cbor service that also answers query-style error codes
	ChecksumFormat      string
	ProtocolSettings    map[string]string // e.g. {"h2": "eventstream"}
}

// HTTP is an operation's HTTP binding.
type HTTP struct {
	Method       string // "POST", "GET", ...
	RequestURI   string // e.g. "/{Bucket}/{Key+}?uploads"
	ResponseCode int    // 0 when the model does not say (200 is implied)
}

// Operation is one API operation.
type Operation struct {
	Name string
	HTTP HTTP
	// Input and Output are the operation's structures; nil when the operation has none.
	Input, Output *Shape
	// InputLocationName and InputXMLNamespace name the root element of rest-xml request bodies.
	InputLocationName string
	InputXMLNamespace *XMLNamespace
	// ResultWrapper is the element that wraps query/ec2 results (e.g. "ListQueuesResult").
	ResultWrapper string
	// Errors are the modeled error structures the operation may return.
	Errors []*Shape

	HostPrefix             string // endpoint.hostPrefix, e.g. "{AccountId}." (labels name input members)
	HTTPChecksumRequired   bool
	HTTPChecksum           *HTTPChecksum
	RequestCompression     []string          // requestcompression.encodings, e.g. ["gzip"]
	StaticContextParams    map[string]any    // endpoint-rule parameters fixed by the operation
	OperationContextParams map[string]string // endpoint-rule parameter → JMESPath over the input
	Auth                   []string          // auth schemes in preference order, e.g. ["aws.auth#sigv4"]
	AuthType               string            // legacy authtype: "none", "v4-unsigned-body", "bearer", ...
	UnsignedPayload        bool
	Idempotent             bool
	ReadOnly               bool
	Deprecated             bool
	EndpointDiscovery      *EndpointDiscovery
	EndpointOperation      bool // the operation that discovers endpoints for the others
}

// HTTPChecksum is an operation's flexible-checksum trait.
type HTTPChecksum struct {
	RequestAlgorithmMember      string // input member naming the algorithm the caller chose
	RequestChecksumRequired     bool
	RequestValidationModeMember string // input member that enables response validation
	ResponseAlgorithms          []string
}

// EndpointDiscovery marks an operation whose endpoint may be discovered at run time.
type EndpointDiscovery struct{ Required bool }

// Type is a shape's type.
type Type uint8

// The shape types of botocore models (byte, short and the big types appear in Smithy-derived
// test models).
const (
	Structure Type = iota + 1
	List
	Map
	String
	Boolean
	Byte
	Short
	Integer
	Long
	Float
	Double
	BigInteger
	BigDecimal
	Timestamp
	Blob
)

var typeNames = [...]string{
	Structure: "structure", List: "list", Map: "map", String: "string", Boolean: "boolean",
	Byte: "byte", Short: "short", Integer: "integer", Long: "long", Float: "float", Double: "double",
	BigInteger: "bigInteger", BigDecimal: "bigDecimal", Timestamp: "timestamp", Blob: "blob",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "invalid"
}

func parseType(s string) (Type, bool) {
	for t, name := range typeNames {
		if name != "" && name == s {
			return Type(t), true
		}
	}
	return 0, false
}

// XMLNamespace is an xmlNamespace trait: `xmlns[:Prefix]="URI"`.
type XMLNamespace struct {
	Prefix string
	URI    string
}

// ErrorInfo is the `error` trait of an exception shape.
type ErrorInfo struct {
	Code           string // the wire code when it differs from the shape name (query protocols)
	HTTPStatusCode int
	SenderFault    bool
}

// Shape is a node of the shape graph. Shapes may be recursive (a structure may reach itself).
type Shape struct {
	Name string
	Type Type

	// Structure members in model order; use Member to find one by name.
	Members []*Member
	byName  map[string]*Member
	// Payload is the member bound to the HTTP body of a REST operation, or nil.
	Payload *Member

	// List element (Member) and map key/value; nil for other types.
	Member     *Member
	Key, Value *Member

	// Constraints. Min and Max bound string/blob/list/map lengths or numeric ranges.
	Min, Max       float64
	HasMin, HasMax bool
	Pattern        string
	Enum           []string

	TimestampFormat string // "iso8601", "rfc822" or "unixTimestamp"; "" means the protocol default
	LocationName    string // element name of a list member or map entry (xml/query)
	XMLNamespace    *XMLNamespace
	Flattened       bool
	Sparse          bool // list/map may contain nulls

	Exception bool
	Fault     bool // a server-side (5xx) exception
	Error     *ErrorInfo
	Retryable *Retryable

	Union          bool
	Document       bool // an untyped JSON document
	Streaming      bool // a blob or event stream that is not buffered
	EventStream    bool
	Event          bool
	RequiresLength bool // streaming blob whose length must be known up front
	Sensitive      bool
	Wrapper        bool
	Deprecated     bool

	defined bool // set when the shape's own definition has been read
}

// Retryable is the `retryable` trait of an exception shape.
type Retryable struct{ Throttling bool }

// MemberNamed finds a structure member by name.
func (s *Shape) MemberNamed(name string) (*Member, bool) {
	if s.byName != nil {
		m, ok := s.byName[name]
		return m, ok
	}
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// Location says where a member travels in an HTTP request or response.
type Location uint8

// Member locations. Body is the default: the member is serialized into the payload.
const (
	Body        Location = iota
	Header               // a single header, named by LocationName
	Headers              // a map of prefixed headers, prefix in LocationName
	URI                  // a label in the request URI
	QueryString          // a query-string parameter (or a map of them when LocationName is "")
	StatusCode           // the HTTP status code of a response
)

var locationNames = [...]string{Body: "", Header: "header", Headers: "headers", URI: "uri", QueryString: "querystring", StatusCode: "statusCode"}

func (l Location) String() string {
	if l == Body {
		return "body"
	}
	return locationNames[l]
}

// Member is a reference to a shape from a structure, list or map, with the traits of that use.
type Member struct {
	Name  string // the member name; "member", "key" or "value" for lists and maps
	Shape *Shape

	Location     Location
	LocationName string // wire name: header, label, query key or XML/JSON element name
	QueryName    string // ec2 protocol name override
	Required     bool

	Flattened        bool // set on the member itself; see IsFlattened
	XMLNamespace     *XMLNamespace
	XMLAttribute     bool
	TimestampFormat  string // see Format
	JSONValue        bool   // a JSON document carried in a header (base64) or string
	IdempotencyToken bool   // filled with a fresh UUID when the caller leaves it empty
	HostLabel        bool   // substituted into the operation's HostPrefix
	EventPayload     bool
	EventHeader      bool
	Streaming        bool
	ContextParam     string // endpoint-rule parameter this member feeds
	Box              bool
	Deprecated       bool
}

// IsFlattened reports whether the list or map is flattened here (trait on member or shape).
func (m *Member) IsFlattened() bool { return m.Flattened || m.Shape.Flattened }

// Format returns the timestamp format in force for this member ("" for the protocol default).
func (m *Member) Format() string {
	if m.TimestampFormat != "" {
		return m.TimestampFormat
	}
	return m.Shape.TimestampFormat
}

// WireName returns the member's name on the wire: LocationName if set, else Name.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}
