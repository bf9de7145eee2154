package protocol

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aioaws/aioaws/models"
)

// BindREST fills req's method, path, query string and headers from the members of in bound to
// the URI, query string and headers (the REST protocols' bindings), and expands the
// operation's host prefix. It returns the members left for the body, in model order.
func BindREST(op *models.Operation, in any, req *Request) (body []BodyMember, err error) {
	req.Method = op.HTTP.Method
	if req.Header == nil {
		req.Header = http.Header{}
	}
	path, literalQuery, _ := strings.Cut(op.HTTP.RequestURI, "?")
	labels := map[string]string{}
	var query queryBuilder
	var queryMaps []BodyMember
	for _, kv := range strings.Split(literalQuery, "&") {
		if kv != "" {
			k, v, hasValue := strings.Cut(kv, "=")
			query.addRaw(k, v, hasValue)
		}
	}
	if op.Input != nil && in != nil {
		Fields(op.Input, in, func(m *models.Member, v any) {
			if err != nil {
				return
			}
			switch m.Location {
			case models.URI:
				s, ok := FormatScalar(m.Shape, v, defaultFormat(m, ISO8601))
				if !ok {
					err = fmt.Errorf("%s: cannot put %T in the URI", m.Name, v)
				}
				labels[m.WireName()] = s
			case models.QueryString:
				if m.Shape.Type == models.Map {
					queryMaps = append(queryMaps, BodyMember{m, v}) // after named parameters, which win
					return
				}
				err = bindQuery(&query, m, v)
			case models.Header:
				err = bindHeader(req.Header, m, v)
			case models.Headers:
				Entries(v, func(k string, e any) {
					if s, ok := String(e); ok {
						req.Header.Set(m.LocationName+k, s)
					}
				})
			default:
				body = append(body, BodyMember{m, v})
			}
		})
		for _, qm := range queryMaps {
			if err == nil {
				err = bindQuery(&query, qm.Member, qm.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if req.Path, err = expandURI(path, labels); err != nil {
		return nil, err
	}
	req.RawQuery = query.String()
	req.HostPrefix, err = ExpandHostPrefix(op, in)
	return body, err
}

// BodyMember is an input member that travels in the body.
type BodyMember struct {
	Member *models.Member
	Value  any
}

func defaultFormat(m *models.Member, def string) string {
	if f := m.Format(); f != "" {
		return f
	}
	return def
}

func expandURI(path string, labels map[string]string) (string, error) {
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			b.WriteString(path)
			return b.String(), nil
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("malformed request URI %q", path)
		}
		b.WriteString(path[:open])
		name := path[open+1 : open+end]
		greedy := strings.HasSuffix(name, "+")
		name = strings.TrimSuffix(name, "+")
		v, ok := labels[name]
		if !ok || v == "" {
			return "", fmt.Errorf("%s: URI label has no value", name)
		}
		if greedy {
			b.WriteString(EscapePath(v, false))
		} else {
			b.WriteString(EscapePath(v, true))
		}
		path = path[open+end+1:]
	}
}

// EscapePath percent-encodes s for a URI path: every byte but the unreserved characters of
// RFC 3986, and '/' too when encodeSep.
func EscapePath(s string, encodeSep bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && !encodeSep) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

type queryBuilder struct {
	parts []string
	keys  map[string]bool
}

func (q *queryBuilder) addRaw(k, v string, hasValue bool) {
	if q.keys == nil {
		q.keys = map[string]bool{}
	}
	q.keys[k] = true
	if hasValue {
		q.parts = append(q.parts, k+"="+v)
	} else {
		q.parts = append(q.parts, k)
	}
}

func (q *queryBuilder) add(k, v string) {
	if q.keys == nil {
		q.keys = map[string]bool{}
	}
	q.keys[k] = true
	q.parts = append(q.parts, EscapePath(k, true)+"="+EscapePath(v, true))
}

func (q *queryBuilder) String() string { return strings.Join(q.parts, "&") }

func bindQuery(q *queryBuilder, m *models.Member, v any) error {
	s := m.Shape
	switch s.Type {
	case models.List:
		Elements(v, func(_ int, e any) {
			if str, ok := FormatScalar(s.Member.Shape, e, defaultFormat(s.Member, ISO8601)); ok {
				q.add(m.WireName(), str)
			}
		})
	case models.Map:
		// A map of query parameters: named members win over map entries of the same name.
		var err error
		Entries(v, func(k string, e any) {
			if q.keys[k] {
				return
			}
			if s.Value.Shape.Type == models.List {
				Elements(e, func(_ int, x any) {
					if str, ok := String(x); ok {
						q.add(k, str)
					}
				})
				return
			}
			if str, ok := String(e); ok {
				q.add(k, str)
			} else {
				err = fmt.Errorf("%s.%s: want a string, got %T", m.Name, k, e)
			}
		})
		return err
	default:
		str, ok := FormatScalar(s, v, defaultFormat(m, ISO8601))
		if !ok {
			return fmt.Errorf("%s: cannot put %T in the query string", m.Name, v)
		}
		q.add(m.WireName(), str)
	}
	return nil
}

func bindHeader(h http.Header, m *models.Member, v any) error {
	s := m.Shape
	name := m.WireName()
	switch {
	case m.JSONValue:
		doc, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		h.Set(name, Base64(doc))
	case s.Type == models.List:
		var vals []string
		Elements(v, func(_ int, e any) {
			str, ok := FormatScalar(s.Member.Shape, e, defaultFormat(s.Member, RFC822))
			if !ok {
				return
			}
			if s.Member.Shape.Type == models.String && strings.ContainsAny(str, `,"`) {
				str = strconv.Quote(str)
			}
			vals = append(vals, str)
		})
		h.Set(name, strings.Join(vals, ", "))
	default:
		str, ok := FormatScalar(s, v, defaultFormat(m, RFC822))
		if !ok {
			return fmt.Errorf("%s: cannot put %T in a header", m.Name, v)
		}
		h.Set(name, str)
	}
	return nil
}

// ExpandHostPrefix substitutes the operation's host-label members into its host prefix.
func ExpandHostPrefix(op *models.Operation, in any) (string, error) {
	prefix := op.HostPrefix
	if prefix == "" || !strings.Contains(prefix, "{") {
		return prefix, nil
	}
	labels := map[string]string{}
	if op.Input != nil {
		Fields(op.Input, in, func(m *models.Member, v any) {
			if m.HostLabel {
				labels[m.Name], _ = String(v)
			}
		})
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(prefix, '{')
		if open < 0 {
			b.WriteString(prefix)
			return b.String(), nil
		}
		end := strings.IndexByte(prefix[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("malformed host prefix %q", op.HostPrefix)
		}
		name := prefix[open+1 : open+end]
		v := labels[name]
		if !validHostLabel(v) {
			return "", fmt.Errorf("%s: %q is not a valid host label", name, v)
		}
		b.WriteString(prefix[:open])
		b.WriteString(v)
		prefix = prefix[open+end+1:]
	}
}

func validHostLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ReadRESTOutput fills out with the members of shape bound to the status code and headers of
// resp; it returns the payload member (nil if none) so the codec can parse the body.
func ReadRESTOutput(shape *models.Shape, resp *Response, out map[string]any) error {
	for _, m := range shape.Members {
		switch m.Location {
		case models.StatusCode:
			out[m.Name] = int64(resp.StatusCode)
		case models.Header:
			raw := resp.Header.Values(m.WireName())
			if len(raw) == 0 {
				continue
			}
			v, err := parseHeader(m, raw)
			if err != nil {
				return fmt.Errorf("header %s: %w", m.WireName(), err)
			}
			out[m.Name] = v
		case models.Headers:
			prefix := strings.ToLower(m.LocationName)
			vals := map[string]any{}
			for k, vs := range resp.Header {
				if lk := strings.ToLower(k); strings.HasPrefix(lk, prefix) && len(vs) > 0 {
					vals[lk[len(prefix):]] = strings.Join(vs, ",")
				}
			}
			if len(vals) > 0 {
				out[m.Name] = vals
			}
		}
	}
	return nil
}

func parseHeader(m *models.Member, raw []string) (any, error) {
	s := m.Shape
	joined := strings.Join(raw, ",")
	if m.JSONValue {
		doc, err := DecodeBase64(joined)
		if err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	if s.Type == models.List {
		var out []any
		for _, part := range splitHeaderList(joined, s.Member.Shape.Type == models.Timestamp) {
			v, err := parseScalar(s.Member.Shape, part, defaultFormat(s.Member, RFC822))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return parseScalar(s, joined, defaultFormat(m, RFC822))
}

// splitHeaderList splits a comma-separated header list, honouring quoted strings; HTTP dates
// contain a comma of their own, so timestamps split on every second comma.
func splitHeaderList(s string, dates bool) []string {
	var parts []string
	if dates {
		fields := strings.Split(s, ",")
		for i := 0; i+1 < len(fields); i += 2 {
			parts = append(parts, strings.TrimSpace(fields[i]+","+fields[i+1]))
		}
		return parts
	}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, `"`) {
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if unq, err := strconv.Unquote(s[:min(end+1, len(s))]); err == nil {
				parts = append(parts, unq)
			} else {
				parts = append(parts, s[:min(end+1, len(s))])
			}
			s = s[min(end+1, len(s)):]
			_, s, _ = strings.Cut(s, ",")
			continue
		}
		part, rest, _ := strings.Cut(s, ",")
		parts = append(parts, strings.TrimSpace(part))
		s = rest
	}
	return parts
}

// parseScalar converts the text of a header, label or query value to the shape's Go type.
func parseScalar(s *models.Shape, text, timeFormat string) (any, error) {
	switch s.Type {
	case models.String:
		return text, nil
	case models.Boolean:
		return strconv.ParseBool(strings.TrimSpace(text))
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		return strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	case models.Float, models.Double, models.BigDecimal:
		return ParseFloat(strings.TrimSpace(text))
	case models.Timestamp:
		return ParseTime(text, timeFormat)
	case models.Blob:
		return DecodeBase64(text)
	}
	return nil, fmt.Errorf("unsupported %s in a header", s.Type)
}

// ParseFloat parses a float, accepting NaN, Infinity and -Infinity.
func ParseFloat(s string) (float64, error) {
	if f, ok := Float(s); ok {
		return f, nil
	}
	return strconv.ParseFloat(s, 64)
}

// ReadAllLimited reads a response body up to max bytes; a larger body is an error.
func ReadAllLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("response body larger than %d bytes", max)
	}
	return b, nil
}

// MaxBody bounds buffered (non-streaming) response bodies.
const MaxBody = 64 << 20
