package faultproxy

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// protocol is the AWS wire protocol of a request, as far as the proxy can tell.
type protocol int

const (
	protoREST  protocol = iota // rest-xml, rest-json, S3: anything not below
	protoJSON                  // AWS JSON 1.0/1.1: X-Amz-Target header
	protoQuery                 // query/ec2: Action= in the form body or URL
)

// batchOp is a DynamoDB batch operation that PartialBatch understands.
type batchOp int

const (
	notBatch batchOp = iota
	batchWrite
	batchGet
)

// reqInfo is what the proxy knows about a request before handling it.
type reqInfo struct {
	proto   protocol
	service string // X-Amz-Target prefix, e.g. "DynamoDB_20120810"
	op      string // operation name, "" for REST
	dynamo  bool   // a DynamoDB JSON request
	batch   batchOp
	key     string // stats key: op, or the method for REST
}

// classify works out the protocol and operation of r. For a POST form body
// without X-Amz-Target it reads up to maxBody bytes to find Action, and puts
// them back in front of r.Body.
func classify(r *http.Request, maxBody int64) reqInfo {
	var info reqInfo
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		info.proto = protoJSON
		info.op = target
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			info.service, info.op = target[:i], target[i+1:]
		}
		info.dynamo = strings.HasPrefix(info.service, "DynamoDB_")
		if info.dynamo {
			switch info.op {
			case "BatchWriteItem":
				info.batch = batchWrite
			case "BatchGetItem":
				info.batch = batchGet
			}
		}
	} else if action := r.URL.Query().Get("Action"); action != "" {
		info.proto, info.op = protoQuery, action
	} else if r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")) {
		if action := peekAction(r, maxBody); action != "" {
			info.proto, info.op = protoQuery, action
		}
	}
	info.key = info.op
	if info.key == "" {
		info.key = r.Method
	}
	return info
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// peekAction reads up to limit bytes of r.Body, restores them in front of the
// rest of the body, and returns the form's Action if the whole body was read.
func peekAction(r *http.Request, limit int64) string {
	if r.ContentLength > limit {
		return ""
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	complete := err == nil && int64(len(buf)) <= limit
	if complete {
		r.Body = readCloser{bytes.NewReader(buf), r.Body}
	} else {
		// Too large or a read error: hand the bytes read so far and the
		// rest (or the error) to the forwarder unchanged.
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), &errReader{r.Body, err}), r.Body}
		return ""
	}
	vals, err := url.ParseQuery(string(buf))
	if err != nil {
		return ""
	}
	return vals.Get("Action")
}

type readCloser struct {
	io.Reader
	io.Closer
}

// errReader returns err if it is set, and reads r otherwise.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.r.Read(p)
}
