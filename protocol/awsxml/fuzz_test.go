package awsxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
)

// The fuzz targets feed hostile bodies to the output and error parsers: they must return a
// document or an error, never panic, and ParseError must always return an *aws.APIError.

func fuzzBoth(t *testing.T, c *Codec, op *models.Operation, body string) {
	if out, err := c.Parse(op, response(200, http.Header{}, body)); err == nil && out == nil {
		t.Fatal("Parse returned neither a document nor an error")
	}
	e := c.ParseError(op, response(400, http.Header{}, body))
	if e == nil || e.Code == "" {
		t.Fatalf("ParseError returned %#v", e)
	}
}

func FuzzParseRestXML(f *testing.F) {
	svc, c := load(f, "s3", RestXML)
	list := op(f, svc, "ListObjectsV2")
	acl := op(f, svc, "GetBucketAcl")
	loc := op(f, svc, "GetBucketLocation")
	f.Add(`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>
<Contents><Key>a&amp;b</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><Size>5</Size><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Contents>
<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListBucketResult>`)
	f.Add(`<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>i</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`)
	f.Add(`<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r</RequestId></Error>`)
	f.Add(`<ErrorResponse><Error><Type>Sender</Type><Code>X</Code></Error><RequestId>r</RequestId></ErrorResponse>`)
	f.Add(`<LocationConstraint>eu-west-1</LocationConstraint>`)
	f.Add(`<a><![CDATA[x]]><!-- c --><?pi x?><b/></a>`)
	f.Add("\xEF\xBB\xBF<LocationConstraint a='&#x42;'>x&#x42;<![CDATA[\r\n]]>\r\n</LocationConstraint>")
	f.Add(strings.Repeat("<Contents>", 300))
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		fuzzBoth(t, c, list, body)
		fuzzBoth(t, c, acl, body)
		fuzzBoth(t, c, loc, body)
	})
}

func FuzzParseQuery(f *testing.F) {
	svc, c := load(f, "sns", Query)
	list := op(f, svc, "ListTopics")
	attrs := op(f, svc, "GetTopicAttributes")
	stsSvc, sts := load(f, "sts", Query)
	assume := op(f, stsSvc, "AssumeRole")
	f.Add(`<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics><member><TopicArn>a</TopicArn></member></Topics><NextToken>n</NextToken></ListTopicsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListTopicsResponse>`)
	f.Add(`<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes><entry><key>k</key><value>v</value></entry><entry><key>k2</key></entry></Attributes></GetTopicAttributesResult></GetTopicAttributesResponse>`)
	f.Add(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><Expiration>2026-01-01T00:00:00Z</Expiration></Credentials><PackedPolicySize>3</PackedPolicySize></AssumeRoleResult></AssumeRoleResponse>`)
	f.Add(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
	f.Add(`<ErrorResponse><Error><Code>`)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzBoth(t, c, list, body)
		fuzzBoth(t, c, attrs, body)
		fuzzBoth(t, sts, assume, body)
	})
}

func FuzzParseEC2Error(f *testing.F) {
	svc, c := load(f, "ec2", EC2)
	vpcs := op(f, svc, "DescribeVpcs")
	f.Add(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>`)
	f.Add(`<Response><Errors><Error><Code>A</Code></Error><Error><Code>B</Code></Error></Errors></Response>`)
	f.Add(`<DescribeVpcsResponse><requestId>r</requestId><vpcSet><item><vpcId>v</vpcId><isDefault>true</isDefault><tagSet><item><key>k</key><value>v</value></item></tagSet></item></vpcSet></DescribeVpcsResponse>`)
	f.Add(`<Response><Errors><Error><Code>&lt;x&gt;</Code></Error></Errors></Response>trailing`)
	f.Add(`<Response><Errors>` + strings.Repeat("<Errors>", 300))
	f.Fuzz(func(t *testing.T, body string) {
		fuzzBoth(t, c, vpcs, body)
	})
}

// FuzzScan checks the scanner against strict encoding/xml, which the reader was once built
// on: both must accept the same documents and yield the same tokens. The scanner rejects
// DOCTYPE and other declarations, which encoding/xml accepts, and checks non-ASCII names
// less closely, so those documents are compared only when both accept them.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x" xmlns:p='urn:p'><p:b c="1&amp;2" p:d = 'x"y'/>t&lt;&#65;&#x42;<![CDATA[<&]]><!-- c --><?pi x?></a>`,
		"<a>\r\n x\ry </a>",
		"<a>]]></a>",
		`<a b="<"/>`,
		`<a b=c/>`,
		`<a>&bogus;</a>`,
		`<a>&#0;</a>`,
		`<a>&#xD800;</a>`,
		"<a>\x01</a>",
		"<a>\xff</a>",
		"<a:b:c/>",
		"<a></b>",
		"</a>",
		"<a><!-- -- --></a>",
		`<?xml version="1.1"?><a/>`,
		`<?xml encoding="latin1"?><a/>`,
		`<!DOCTYPE a><a/>`,
		"<a><![CDATA[x",
		"<a",
		"  <a/>  trailing <b>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		want, wantErr := stdTokens(doc)
		got, gotErr := scanTokens(doc)
		if (wantErr == nil) != (gotErr == nil) {
			if hasDeclaration(doc) || slices.ContainsFunc(doc, func(c byte) bool { return c >= utf8.RuneSelf }) {
				return
			}
			t.Fatalf("encoding/xml: %v\nscanner: %v", wantErr, gotErr)
		}
		if wantErr == nil {
			require.Equal(t, want, got)
		}
	})
}

// hasDeclaration reports whether doc may have a <! declaration: a "<!" that does not start
// a comment or CDATA section.
func hasDeclaration(doc []byte) bool {
	for i := 0; ; i++ {
		n := bytes.Index(doc[i:], []byte("<!"))
		if n < 0 {
			return false
		}
		i += n
		if rest := doc[i+2:]; !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return true
		}
	}
}

// stdTokens lists the tokens of doc as strict encoding/xml reads them, with end tags matched
// and nesting bounded as the reader does, texts merged and comments and processing
// instructions dropped.
func stdTokens(doc []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "us-ascii", "ascii", "utf8":
			return in, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	var toks []string
	var open []xml.Name
	for {
		tok, err := dec.RawToken()
		if err == io.EOF && len(open) == 0 {
			return toks, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) >= maxDepth {
				return nil, errors.New("too deep")
			}
			open = append(open, t.Name)
			s := "<" + qualified(t.Name)
			for _, a := range t.Attr {
				s += " " + qualified(a.Name) + "=" + a.Value
			}
			toks = append(toks, s)
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name {
				return nil, errors.New("unmatched end tag")
			}
			open = open[:len(open)-1]
			toks = append(toks, "</"+qualified(t.Name))
		case xml.CharData:
			toks = appendText(toks, string(t))
		case xml.Directive:
			return nil, errors.New("directive")
		}
	}
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// appendText appends a text token, merged with a text just before it.
func appendText(toks []string, text string) []string {
	if n := len(toks); n > 0 && strings.HasPrefix(toks[n-1], "#") {
		toks[n-1] += text
		return toks
	}
	return append(toks, "#"+text)
}

// scanTokens lists the tokens of doc as the scanner reads them, in stdTokens' form.
func scanTokens(doc []byte) ([]string, error) {
	s := scanner{data: doc}
	var toks []string
	for {
		tok, err := s.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokEOF:
			return toks, nil
		case tokStart:
			t := "<" + s.name
			for raw := s.attrs; ; {
				name, value, rest, ok := nextAttr(raw)
				if !ok {
					break
				}
				t += " " + name + "=" + attrValue(value)
				raw = rest
			}
			toks = append(toks, t)
		case tokEnd:
			toks = append(toks, "</"+s.name)
		case tokText:
			toks = appendText(toks, s.textString())
		}
	}
}
