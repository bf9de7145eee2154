package awsxml

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func load(t testing.TB, service, protocolName string) (*models.Service, *Codec) {
	t.Helper()
	svc, err := models.Load(service)
	require.NoError(t, err)
	return svc, New(svc, protocolName)
}

func op(t testing.TB, svc *models.Service, name string) *models.Operation {
	t.Helper()
	o, ok := svc.Operation(name)
	require.True(t, ok, name)
	return o
}

func response(status int, header http.Header, body string) *protocol.Response {
	if header == nil {
		header = http.Header{}
	}
	return &protocol.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

// formPairs decodes a form body into its pairs, for order-independent comparison.
func formPairs(t *testing.T, body []byte) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(body))
	require.NoError(t, err)
	return v
}

func TestS3Build(t *testing.T) {
	svc, c := load(t, "s3", RestXML)

	t.Run("PutObject streams its body", func(t *testing.T) {
		body := strings.NewReader("hello")
		req, err := c.Build(op(t, svc, "PutObject"), map[string]any{
			"Bucket": "b", "Key": "dir/a b+c.txt", "Body": body, "ContentType": "text/plain",
			"Metadata": map[string]string{"color": "blue"},
		})
		require.NoError(t, err)
		require.Equal(t, "PUT", req.Method)
		require.Equal(t, "/b/dir/a%20b%2Bc.txt", req.Path)
		require.Same(t, body, req.BodyStream)
		require.Nil(t, req.Body)
		require.Equal(t, "text/plain", req.Header.Get("Content-Type"))
		require.Equal(t, "blue", req.Header.Get("X-Amz-Meta-Color"))
	})

	t.Run("CreateBucket payload carries its namespace", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "CreateBucket"), map[string]any{
			"Bucket": "b", "CreateBucketConfiguration": map[string]any{"LocationConstraint": "eu-west-1"},
		})
		require.NoError(t, err)
		require.Equal(t, `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`, string(req.Body))
		require.Equal(t, "application/xml", req.Header.Get("Content-Type"))
	})

	t.Run("CreateBucket without configuration has no body", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "CreateBucket"), map[string]any{"Bucket": "b"})
		require.NoError(t, err)
		require.Nil(t, req.Body)
		require.Empty(t, req.Header.Get("Content-Type"))
	})

	t.Run("DeleteObjects flattens its objects", func(t *testing.T) {
		type object struct{ Key string }
		type del struct {
			Objects []object
			Quiet   *bool
		}
		quiet := true
		req, err := c.Build(op(t, svc, "DeleteObjects"), map[string]any{
			"Bucket": "b", "Delete": del{Objects: []object{{"a&b"}, {"c"}}, Quiet: &quiet},
		})
		require.NoError(t, err)
		require.Equal(t, "/b?delete", req.Path+"?"+req.RawQuery)
		require.Equal(t, `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object><Quiet>true</Quiet></Delete>`, string(req.Body))
	})

	t.Run("PutBucketAcl writes xsi:type attributes", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "PutBucketAcl"), map[string]any{
			"Bucket": "b",
			"AccessControlPolicy": map[string]any{
				"Grants": []any{map[string]any{
					"Grantee":    map[string]any{"Type": "CanonicalUser", "ID": "id1"},
					"Permission": "READ",
				}},
				"Owner": map[string]any{"ID": "owner"},
			},
		})
		require.NoError(t, err)
		require.Contains(t, string(req.Body), `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>id1</ID></Grantee>`)
		require.Contains(t, string(req.Body), `<AccessControlList><Grant>`)
	})

	t.Run("ListObjectsV2 query string", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "ListObjectsV2"), map[string]any{"Bucket": "b", "Prefix": "a/", "MaxKeys": 10})
		require.NoError(t, err)
		require.Equal(t, "GET", req.Method)
		require.Equal(t, "/b", req.Path)
		require.Equal(t, "list-type=2&max-keys=10&prefix=a%2F", req.RawQuery)
	})
}

func TestS3Parse(t *testing.T) {
	svc, c := load(t, "s3", RestXML)

	t.Run("ListObjectsV2", func(t *testing.T) {
		body := `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
  <Contents><Key>a.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;abc&quot;</ETag>
    <ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>b.txt</Key><Size>0</Size><Owner><ID>me</ID></Owner></Contents>
  <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>
  <Unknown><Deep><Deeper/></Deep></Unknown>
</ListBucketResult>`
		out, err := c.Parse(op(t, svc, "ListObjectsV2"), response(200, http.Header{"X-Amz-Request-Charged": {"requester"}}, body))
		require.NoError(t, err)
		require.Equal(t, map[string]any{
			"Name": "b", "Prefix": "", "KeyCount": int64(2), "MaxKeys": int64(1000), "IsTruncated": false,
			"RequestCharged": "requester",
			"Contents": []any{
				map[string]any{"Key": "a.txt", "LastModified": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "ETag": `"abc"`,
					"ChecksumAlgorithm": []any{"CRC32"}, "Size": int64(5), "StorageClass": "STANDARD"},
				map[string]any{"Key": "b.txt", "Size": int64(0), "Owner": map[string]any{"ID": "me"}},
			},
			"CommonPrefixes": []any{map[string]any{"Prefix": "dir/"}},
		}, out)
	})

	t.Run("GetObject returns the body itself", func(t *testing.T) {
		resp := response(200, http.Header{"Content-Length": {"5"}, "Etag": {`"e"`}, "X-Amz-Meta-Color": {"blue"},
			"Last-Modified": {"Fri, 02 Jan 2026 03:04:05 GMT"}}, "hello")
		out, err := c.Parse(op(t, svc, "GetObject"), resp)
		require.NoError(t, err)
		require.Equal(t, resp.Body, out["Body"])
		require.Equal(t, int64(5), out["ContentLength"])
		require.Equal(t, `"e"`, out["ETag"])
		require.Equal(t, map[string]any{"color": "blue"}, out["Metadata"])
		require.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), out["LastModified"])
		data, err := io.ReadAll(out["Body"].(io.Reader))
		require.NoError(t, err)
		require.Equal(t, "hello", string(data))
	})

	t.Run("GetBucketLocation root is the member", func(t *testing.T) {
		out, err := c.Parse(op(t, svc, "GetBucketLocation"), response(200, nil,
			`<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`))
		require.NoError(t, err)
		require.Equal(t, "eu-west-1", out["LocationConstraint"])
	})

	t.Run("malformed bodies are errors", func(t *testing.T) {
		for _, body := range []string{
			`<ListBucketResult><Name>b</Name>`,
			`<ListBucketResult><Name>b</Prefix></ListBucketResult>`,
			`<ListBucketResult><KeyCount>two</KeyCount></ListBucketResult>`,
			`<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>`,
			strings.Repeat("<a>", 1000),
			`<?xml version="1.0" encoding="EBCDIC"?><a/>`,
			`<!DOCTYPE x [<!ENTITY e "boom">]><ListBucketResult><Name>&e;</Name></ListBucketResult>`,
		} {
			_, err := c.Parse(op(t, svc, "ListObjectsV2"), response(200, nil, body))
			require.Error(t, err, body)
		}
	})
}

func TestS3Errors(t *testing.T) {
	svc, c := load(t, "s3", RestXML)

	t.Run("bare Error element", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "GetObject"), response(404, http.Header{"X-Amz-Request-Id": {"R1"}},
			`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>R2</RequestId><HostId>h</HostId></Error>`))
		require.Equal(t, "NoSuchKey", e.Code)
		require.Equal(t, "The specified key does not exist.", e.Message)
		require.Equal(t, "R1", e.RequestID) // the header wins
		require.Equal(t, 404, e.StatusCode)
		require.Equal(t, "client", e.Fault)
		require.Equal(t, map[string]any{}, e.Fields) // modeled, no members
		require.Equal(t, "s3", e.Service)
		require.Equal(t, "GetObject", e.Operation)
	})

	t.Run("request id from the body", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "PutObject"), response(503, nil,
			`<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message><RequestId>R2</RequestId></Error>`))
		require.Equal(t, "SlowDown", e.Code)
		require.Equal(t, "R2", e.RequestID)
		require.Equal(t, "server", e.Fault)
		require.Nil(t, e.Fields)
	})

	t.Run("HEAD without a body", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "HeadObject"), response(404, http.Header{"X-Amz-Request-Id": {"R3"}}, ""))
		require.Equal(t, "NotFound", e.Code)
		require.Equal(t, "Not Found", e.Message)
		require.Equal(t, "R3", e.RequestID)
		e = c.ParseError(op(t, svc, "HeadObject"), response(304, nil, ""))
		require.Equal(t, "NotModified", e.Code)
	})

	t.Run("ErrorResponse wrapper", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "GetObject"), response(403, nil,
			`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>R4</RequestId></ErrorResponse>`))
		require.Equal(t, "AccessDenied", e.Code)
		require.Equal(t, "no", e.Message)
		require.Equal(t, "R4", e.RequestID)
		require.Equal(t, "client", e.Fault)
	})

	t.Run("200 OK with an error document", func(t *testing.T) {
		_, err := c.Parse(op(t, svc, "CompleteMultipartUpload"), response(200, http.Header{"X-Amz-Request-Id": {"R7"}},
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"))
		var e *aws.APIError
		require.ErrorAs(t, err, &e)
		require.Equal(t, "InternalError", e.Code)
		require.Equal(t, "R7", e.RequestID)
		require.Equal(t, 200, e.StatusCode)
		require.Equal(t, "server", e.Fault)
	})

	t.Run("not XML", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "GetObject"), response(502, nil, "<html>Bad Gateway"))
		require.Equal(t, "BadGateway", e.Code)
		require.Equal(t, "server", e.Fault)
	})
}

func TestQuery(t *testing.T) {
	svc, c := load(t, "sns", Query)

	t.Run("build", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "CreateTopic"), map[string]any{
			"Name":       "t 1",
			"Attributes": map[string]any{"DisplayName": "x=y", "FifoTopic": "false"},
			"Tags":       []any{map[string]any{"Key": "k", "Value": "v"}},
		})
		require.NoError(t, err)
		require.Equal(t, "POST", req.Method)
		require.Equal(t, "/", req.Path)
		require.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		require.Equal(t, url.Values{
			"Action": {"CreateTopic"}, "Version": {"2010-03-31"}, "Name": {"t 1"},
			"Attributes.entry.1.key": {"DisplayName"}, "Attributes.entry.1.value": {"x=y"},
			"Attributes.entry.2.key": {"FifoTopic"}, "Attributes.entry.2.value": {"false"},
			"Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"},
		}, formPairs(t, req.Body))
		require.True(t, strings.HasPrefix(string(req.Body), "Action=CreateTopic&Version=2010-03-31&Name=t%201&"), string(req.Body))
	})

	t.Run("parse", func(t *testing.T) {
		out, err := c.Parse(op(t, svc, "ListTopics"), response(200, nil, `<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:a</TopicArn></member><member><TopicArn>arn:b</TopicArn></member></Topics><NextToken>n</NextToken></ListTopicsResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</ListTopicsResponse>`))
		require.NoError(t, err)
		require.Equal(t, map[string]any{
			"Topics":    []any{map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"}, map[string]any{"TopicArn": "arn:b"}},
			"NextToken": "n",
		}, out)
	})

	t.Run("modeled error with a custom code", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "CreateTopic"), response(400, nil, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad name</Message></Error>
  <RequestId>R5</RequestId>
</ErrorResponse>`))
		require.Equal(t, "InvalidParameter", e.Code)
		require.Equal(t, "bad name", e.Message)
		require.Equal(t, "R5", e.RequestID)
		require.Equal(t, "client", e.Fault)
		require.Equal(t, map[string]any{"message": "bad name"}, e.Fields)
	})

	t.Run("empty list is sent as Name=", func(t *testing.T) {
		svc, c := load(t, "sqs", Query)
		req, err := c.Build(op(t, svc, "GetQueueAttributes"), map[string]any{"QueueUrl": "u", "AttributeNames": []string{}})
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(string(req.Body), "&AttributeNames="), string(req.Body))
	})
}

func TestEC2(t *testing.T) {
	svc, c := load(t, "ec2", EC2)

	t.Run("build", func(t *testing.T) {
		dry := false
		req, err := c.Build(op(t, svc, "DescribeVpcs"), struct {
			Filters []map[string]any
			VpcIds  []string
			DryRun  *bool
		}{
			Filters: []map[string]any{{"Name": "cidr", "Values": []string{"10.0.0.0/16", "10.1.0.0/16"}}},
			VpcIds:  []string{"vpc-1"},
			DryRun:  &dry,
		})
		require.NoError(t, err)
		require.Equal(t, url.Values{
			"Action": {"DescribeVpcs"}, "Version": {"2016-11-15"},
			"Filter.1.Name": {"cidr"}, "Filter.1.Value.1": {"10.0.0.0/16"}, "Filter.1.Value.2": {"10.1.0.0/16"},
			"VpcId.1": {"vpc-1"}, "DryRun": {"false"},
		}, formPairs(t, req.Body))
	})

	t.Run("empty lists are not sent", func(t *testing.T) {
		req, err := c.Build(op(t, svc, "DescribeRegions"), map[string]any{"RegionNames": []any{}, "AllRegions": true})
		require.NoError(t, err)
		require.Equal(t, "Action=DescribeRegions&Version=2016-11-15&AllRegions=true", string(req.Body))
	})

	t.Run("parse", func(t *testing.T) {
		out, err := c.Parse(op(t, svc, "DescribeRegions"), response(200, nil, `<?xml version="1.0" encoding="UTF-8"?>
<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <regionInfo>
        <item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
        <item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item>
    </regionInfo>
</DescribeRegionsResponse>`))
		require.NoError(t, err)
		require.Equal(t, map[string]any{"Regions": []any{
			map[string]any{"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
			map[string]any{"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com"},
		}}, out)
	})

	t.Run("error", func(t *testing.T) {
		e := c.ParseError(op(t, svc, "DescribeVpcs"), response(400, nil, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>R6</RequestID></Response>`))
		require.Equal(t, "InvalidVpcID.NotFound", e.Code)
		require.Equal(t, "The vpc ID 'vpc-1' does not exist", e.Message)
		require.Equal(t, "R6", e.RequestID)
		require.Equal(t, "client", e.Fault)
		require.Nil(t, e.Fields)
	})
}

// TestConcurrent builds and parses from many goroutines on one codec (run with -race).
func TestConcurrent(t *testing.T) {
	svc, c := load(t, "s3", RestXML)
	list := op(t, svc, "ListObjectsV2")
	del := op(t, svc, "DeleteObjects")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				_, err := c.Parse(list, response(200, nil, `<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>`))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.Build(del, map[string]any{"Bucket": "b", "Delete": map[string]any{"Objects": []any{map[string]any{"Key": "a"}}}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBuildErrors(t *testing.T) {
	svc, c := load(t, "s3", RestXML)
	_, err := c.Build(op(t, svc, "DeleteObjects"), map[string]any{"Bucket": "b", "Delete": map[string]any{"Objects": "nope"}})
	require.Error(t, err)
	_, err = c.Build(op(t, svc, "DeleteObjects"), map[string]any{"Bucket": "b", "Delete": map[string]any{"Quiet": "yes"}})
	require.Error(t, err)

	svc, q := load(t, "sns", Query)
	_, err = q.Build(op(t, svc, "CreateTopic"), map[string]any{"Name": 5})
	require.Error(t, err)
}

func TestEscaping(t *testing.T) {
	require.Equal(t, "a&amp;b&lt;c&gt;d\"e&#xD;\n\uFFFD\uFFFD", string(appendEscaped(nil, "a&b<c>d\"e\r\n\x01\xff", false)))
	require.Equal(t, "&quot;&#xA;&#x9;", string(appendEscaped(nil, "\"\n\t", true)))
	require.Equal(t, "a%20b%2B%2F%3D~._-", string(appendFormEscaped(nil, "a b+/=~._-")))
}
