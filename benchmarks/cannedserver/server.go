// Package cannedserver is a local HTTP server that answers DynamoDB and S3 requests with
// realistic, pre-rendered responses, cheaply and identically for every client, so that client
// benchmarks measure the client.
//
// Routes:
//
//	POST with X-Amz-Target DynamoDB_20120810.GetItem  → an 11-attribute item (wire.GetItemResponse)
//	POST with X-Amz-Target DynamoDB_20120810.PutItem  → {}
//	PUT  /{bucket}/{key}                              → body read and discarded, 200 with ETag
//	GET  /{bucket}/{key}                              → a 1 MiB object with Content-Length and ETag
//	GET  /_canned/stats                               → counters as JSON (see Stats)
//
// Every request other than the stats route must carry a SigV4-looking Authorization header;
// a malformed one gets the error the real service would send. All bodies and header values are
// rendered once, when the package is initialised; a request costs net/http's own work plus two
// atomic counters.
//
// A Server is safe for concurrent use. Start returns a running server; its owner calls Close,
// which waits for the serving goroutine and for handlers in progress. Spawn runs the same
// server in a child process, so that the client's process CPU time does not include the
// server's.
package cannedserver

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aioaws/aioaws/benchmarks/wire"
)

// ObjectSize is the size of the object GetObject returns.
const ObjectSize = 1 << 20

// PutSize is the size of the object the benchmarks upload with PutObject.
const PutSize = 1 << 10

// DynamoDB target prefix and the operations answered.
const (
	TargetPrefix = "DynamoDB_20120810."
	TargetGet    = TargetPrefix + "GetItem"
	TargetPut    = TargetPrefix + "PutItem"
)

var (
	getItemBody = []byte(wire.GetItemResponse())
	putItemBody = []byte(wire.PutItemResponse())
	object      = makeObject()
	putPayload  = makePayload()

	objectETag = `"` + md5hex(object) + `"`
	putETag    = `"` + md5hex(putPayload) + `"`
)

// GetItemBody returns the GetItem response body (do not modify it).
func GetItemBody() []byte { return getItemBody }

// Object returns the GetObject body (do not modify it).
func Object() []byte { return object }

// ObjectETag is the ETag header of GetObject, quotes included.
func ObjectETag() string { return objectETag }

// PutPayload returns the 1 KiB body benchmarks upload (do not modify it).
func PutPayload() []byte { return putPayload }

// PutETag is the ETag header PutObject answers, quotes included.
func PutETag() string { return putETag }

func makeObject() []byte {
	b := make([]byte, ObjectSize)
	x := uint32(2463534242)
	for i := range b { // xorshift: incompressible, deterministic
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func makePayload() []byte {
	return []byte(strings.Repeat("0123456789abcdef", PutSize/16))
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// vals pre-renders a header value slice; net/http only reads it, so it is shared.
func vals(v string) []string { return []string{v} }

// Pre-rendered header values.
var (
	hJSON        = vals("application/x-amz-json-1.0")
	hXML         = vals("application/xml")
	hOctet       = vals("application/octet-stream")
	hReqID       = vals("C0FFEE11AAAABBBBCCCCDDDDEEEEFFFF0000111122223333444Q")
	hS3ReqID     = vals("4442587FB7D0A2F9")
	hS3ID2       = vals("vlR7PnpV2Ce81puvQ4/Gzzz59lBI1XfRxINfbO3aKr8YHbBCC44sQfQX3A66ZS5N8O9m9DaAaC0=")
	hServer      = vals("AmazonS3")
	hSSE         = vals("AES256")
	hAcceptRange = vals("bytes")
	hLastMod     = vals("Sun, 01 Nov 2026 12:00:00 GMT")
	hGetCRC      = vals(strconv.FormatUint(uint64(crc32.ChecksumIEEE(getItemBody)), 10))
	hPutCRC      = vals(strconv.FormatUint(uint64(crc32.ChecksumIEEE(putItemBody)), 10))
	hGetLen      = vals(strconv.Itoa(len(getItemBody)))
	hPutLen      = vals(strconv.Itoa(len(putItemBody)))
	hObjLen      = vals(strconv.Itoa(ObjectSize))
	hZero        = vals("0")
	hObjETag     = vals(objectETag)
	hPutETag     = vals(putETag)
)

// Pre-rendered error bodies.
var (
	errDDBUnknown = []byte(`{"__type":"com.amazon.coral.service#UnknownOperationException"}`)
	errDDBAuth    = []byte(`{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`)
	errS3Auth     = []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
	errS3Short    = []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>IncompleteBody</Code><Message>You did not provide the number of bytes specified by the Content-Length HTTP header</Message></Error>`)
	errS3Method   = []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message></Error>`)
)

// Stats are a server's counters. Requests and InFlightMax exclude the stats route.
type Stats struct {
	Requests    int64 `json:"requests"`     // requests answered since start
	Errors      int64 `json:"errors"`       // of which answered with an error status
	InFlightMax int64 `json:"inflight_max"` // most requests in a handler at once since the last stats read
	ConnsOpened int64 `json:"conns_opened"` // connections accepted since start
	ConnsOpen   int64 `json:"conns_open"`   // connections open now
	CPUNanos    int64 `json:"cpu_ns"`       // the server process's user+system CPU time (whole process)
}

// Handler answers the routes in the package documentation. The zero value is ready to use.
type Handler struct {
	requests    atomic.Int64
	errors      atomic.Int64
	inFlight    atomic.Int64
	inFlightMax atomic.Int64
	connsOpened atomic.Int64
	connsOpen   atomic.Int64
}

// ConnState counts connections; set it as the http.Server's ConnState.
func (h *Handler) ConnState(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		h.connsOpened.Add(1)
		h.connsOpen.Add(1)
	case http.StateClosed, http.StateHijacked:
		h.connsOpen.Add(-1)
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_canned/stats" {
		h.serveStats(w)
		return
	}
	n := h.inFlight.Add(1)
	for m := h.inFlightMax.Load(); n > m && !h.inFlightMax.CompareAndSwap(m, n); m = h.inFlightMax.Load() {
	}
	defer h.inFlight.Add(-1)
	h.requests.Add(1)

	target, isDDB := r.Header["X-Amz-Target"]
	hd := w.Header()
	if !signed(r) {
		if isDDB {
			h.fail(w, hd, http.StatusBadRequest, hJSON, errDDBAuth)
		} else {
			h.fail(w, hd, http.StatusForbidden, hXML, errS3Auth)
		}
		return
	}
	if isDDB {
		_, _ = io.Copy(io.Discard, r.Body)
		hd["X-Amzn-Requestid"] = hReqID
		switch {
		case len(target) == 1 && target[0] == TargetGet:
			respond(w, hd, hJSON, hGetLen, hGetCRC, getItemBody)
		case len(target) == 1 && target[0] == TargetPut:
			respond(w, hd, hJSON, hPutLen, hPutCRC, putItemBody)
		default:
			h.fail(w, hd, http.StatusBadRequest, hJSON, errDDBUnknown)
		}
		return
	}

	hd["X-Amz-Request-Id"] = hS3ReqID
	hd["X-Amz-Id-2"] = hS3ID2
	hd["Server"] = hServer
	switch r.Method {
	case http.MethodPut: // PutObject
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil || n < r.ContentLength || n == 0 {
			h.fail(w, hd, http.StatusBadRequest, hXML, errS3Short)
			return
		}
		hd["Etag"] = hPutETag
		hd["X-Amz-Server-Side-Encryption"] = hSSE
		hd["Content-Length"] = hZero
		w.WriteHeader(http.StatusOK)
	case http.MethodGet: // GetObject
		hd["Etag"] = hObjETag
		hd["Last-Modified"] = hLastMod
		hd["Accept-Ranges"] = hAcceptRange
		hd["X-Amz-Server-Side-Encryption"] = hSSE
		respond(w, hd, hOctet, hObjLen, nil, object)
	default:
		h.fail(w, hd, http.StatusMethodNotAllowed, hXML, errS3Method)
	}
}

// signed reports whether r carries a SigV4-looking Authorization header.
func signed(r *http.Request) bool {
	a := r.Header["Authorization"]
	return len(a) == 1 && strings.HasPrefix(a[0], "AWS4-HMAC-SHA256 Credential=") &&
		strings.Contains(a[0], "Signature=")
}

func respond(w http.ResponseWriter, hd http.Header, contentType, length, crc []string, body []byte) {
	hd["Content-Type"] = contentType
	hd["Content-Length"] = length
	if crc != nil {
		hd["X-Amz-Crc32"] = crc
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (h *Handler) fail(w http.ResponseWriter, hd http.Header, status int, contentType []string, body []byte) {
	h.errors.Add(1)
	hd["Content-Type"] = contentType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Stats returns the counters and resets InFlightMax.
func (h *Handler) Stats() Stats {
	return Stats{
		Requests:    h.requests.Load(),
		Errors:      h.errors.Load(),
		InFlightMax: h.inFlightMax.Swap(h.inFlight.Load()),
		ConnsOpened: h.connsOpened.Load(),
		ConnsOpen:   h.connsOpen.Load(),
		CPUNanos:    ProcessCPU().Nanoseconds(),
	}
}

func (h *Handler) serveStats(w http.ResponseWriter) {
	b, _ := json.Marshal(h.Stats())
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// ProcessCPU returns the user+system CPU time of the calling process so far.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Server is a running canned server. Close it when done.
type Server struct {
	// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
	URL string
	// Handler holds the counters.
	Handler *Handler

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	err  error // of Serve, read after done
	once sync.Once
}

// Start listens on addr ("" means 127.0.0.1:0) and serves in a goroutine that Close waits for.
func Start(addr string) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannedserver: %w", err)
	}
	h := &Handler{}
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		Handler: h,
		srv: &http.Server{
			Handler:           h,
			ConnState:         h.ConnState,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// Close stops accepting connections, closes idle ones, waits (up to 10s, then forces) for
// handlers in progress, and waits for the serving goroutine. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		<-s.done
		if s.err != nil {
			err = s.err
		}
	})
	return err
}
