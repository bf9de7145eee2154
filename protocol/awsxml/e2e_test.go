package awsxml

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/signer"
)

// endpoint sends operations built by a codec to an emulator, signed with SigV4, and parses
// the responses with the same codec: the path a client takes, minus retries.
type endpoint struct {
	srv     *emulator.Server
	svc     string // signing name
	codec   *Codec
	signer  signer.Signer
	s3Style bool
}

func newEndpoint(t *testing.T, srv *emulator.Server, service, protocolName string) *endpoint {
	svc, c := load(t, service, protocolName)
	return &endpoint{srv: srv, svc: svc.Metadata.SigningName, codec: c, s3Style: service == "s3"}
}

// call runs one operation; it returns the output or the *aws.APIError.
func (e *endpoint) call(t *testing.T, opName string, in any) (map[string]any, *aws.APIError) {
	t.Helper()
	o := op(t, e.codec.svc, opName)
	require.NoError(t, protocol.Validate(o, in))
	req, err := e.codec.Build(o, in)
	require.NoError(t, err)
	u := e.srv.URL + req.Path
	if req.RawQuery != "" {
		u += "?" + req.RawQuery
	}
	var body io.Reader
	switch {
	case req.BodyStream != nil:
		body = req.BodyStream
	case req.Body != nil:
		body = bytes.NewReader(req.Body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	require.NoError(t, err)
	for k, vs := range req.Header {
		hreq.Header[k] = vs
	}
	if req.Body != nil && (o.HTTPChecksumRequired || o.HTTPChecksum != nil && o.HTTPChecksum.RequestChecksumRequired) {
		sum := md5.Sum(req.Body) // the client's checksum step, which this test stands in for
		hreq.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	if cl := req.Header.Get("Content-Length"); cl != "" {
		hreq.ContentLength, err = strconv.ParseInt(cl, 10, 64)
		require.NoError(t, err)
	}
	opts := signer.Options{Service: e.svc, Region: e.srv.Region, Payload: req.Body}
	if e.s3Style {
		opts.DisableURIPathEscaping = true
		opts.ContentSHA256Header = true
		if req.BodyStream != nil && hreq.GetBody == nil {
			opts.UnsignedPayload = true
		}
	}
	creds := aws.Credentials{AccessKeyID: e.srv.AccessKey, SecretAccessKey: e.srv.SecretKey}
	require.NoError(t, e.signer.Sign(ctx, creds, hreq, opts))
	resp, err := http.DefaultClient.Do(hreq)
	require.NoError(t, err)
	presp := &protocol.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}
	if resp.StatusCode >= 300 {
		return nil, e.codec.ParseError(o, presp)
	}
	out, err := e.codec.Parse(o, presp)
	require.NoError(t, err)
	return out, nil
}

func (e *endpoint) must(t *testing.T, opName string, in any) map[string]any {
	t.Helper()
	out, apiErr := e.call(t, opName, in)
	if apiErr != nil {
		t.Fatalf("%s: %v", opName, apiErr)
	}
	return out
}

// onlyReader hides a reader's type so the request body is a true stream of unknown origin.
type onlyReader struct{ io.Reader }

func TestS3Versity(t *testing.T) {
	s3 := newEndpoint(t, testenv.Versity(t), "s3", RestXML)
	bucket := fmt.Sprintf("awsxml-e2e-%d", time.Now().UnixNano())

	s3.must(t, "CreateBucket", map[string]any{"Bucket": bucket})
	_, apiErr := s3.call(t, "CreateBucket", map[string]any{"Bucket": bucket})
	require.NotNil(t, apiErr)
	require.Contains(t, []string{"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}, apiErr.Code)
	require.Equal(t, 409, apiErr.StatusCode)
	require.NotNil(t, apiErr.Fields) // a modeled error

	out := s3.must(t, "PutObject", map[string]any{
		"Bucket": bucket, "Key": "dir/hello world.txt", "Body": []byte("hello, versity"),
		"ContentType": "text/plain", "Metadata": map[string]any{"color": "blue"},
	})
	require.NotEmpty(t, out["ETag"])
	payload := strings.Repeat("streamed ", 1000)
	s3.must(t, "PutObject", map[string]any{
		"Bucket": bucket, "Key": "stream.bin", "Body": onlyReader{strings.NewReader(payload)}, "ContentLength": len(payload),
	})

	list := s3.must(t, "ListObjectsV2", map[string]any{"Bucket": bucket})
	require.Equal(t, bucket, list["Name"])
	require.Equal(t, int64(2), list["KeyCount"])
	require.Equal(t, false, list["IsTruncated"])
	contents := list["Contents"].([]any)
	require.Len(t, contents, 2)
	first := contents[0].(map[string]any)
	require.Equal(t, "dir/hello world.txt", first["Key"])
	require.Equal(t, int64(14), first["Size"])
	require.IsType(t, time.Time{}, first["LastModified"])
	require.WithinDuration(t, time.Now(), first["LastModified"].(time.Time), time.Hour)
	require.Equal(t, int64(len(payload)), contents[1].(map[string]any)["Size"])

	withDelimiter := s3.must(t, "ListObjectsV2", map[string]any{"Bucket": bucket, "Delimiter": "/"})
	require.Equal(t, []any{map[string]any{"Prefix": "dir/"}}, withDelimiter["CommonPrefixes"])

	got := s3.must(t, "GetObject", map[string]any{"Bucket": bucket, "Key": "dir/hello world.txt"})
	body := got["Body"].(io.ReadCloser)
	data, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	require.Equal(t, "hello, versity", string(data))
	require.Equal(t, int64(14), got["ContentLength"])
	require.Equal(t, "text/plain", got["ContentType"])
	require.Equal(t, map[string]any{"color": "blue"}, got["Metadata"])

	_, apiErr = s3.call(t, "GetObject", map[string]any{"Bucket": bucket, "Key": "missing"})
	require.NotNil(t, apiErr)
	require.Equal(t, "NoSuchKey", apiErr.Code)
	require.Equal(t, 404, apiErr.StatusCode)
	require.NotEmpty(t, apiErr.Message)
	require.Equal(t, map[string]any{}, apiErr.Fields)

	_, apiErr = s3.call(t, "HeadObject", map[string]any{"Bucket": bucket, "Key": "missing"})
	require.NotNil(t, apiErr)
	require.Equal(t, "NotFound", apiErr.Code)

	s3.must(t, "DeleteObject", map[string]any{"Bucket": bucket, "Key": "dir/hello world.txt"})
	deleted := s3.must(t, "DeleteObjects", map[string]any{"Bucket": bucket, "Delete": map[string]any{
		"Objects": []any{map[string]any{"Key": "stream.bin"}},
	}})
	require.Equal(t, []any{map[string]any{"Key": "stream.bin"}}, deleted["Deleted"])
	require.Nil(t, s3.must(t, "ListObjectsV2", map[string]any{"Bucket": bucket})["Contents"])
	s3.must(t, "DeleteBucket", map[string]any{"Bucket": bucket})
}

func TestQueryMoto(t *testing.T) {
	srv := testenv.Moto(t)

	t.Run("sts", func(t *testing.T) {
		sts := newEndpoint(t, srv, "sts", Query)
		out := sts.must(t, "GetCallerIdentity", nil)
		require.Regexp(t, `^\d{12}$`, out["Account"])
		require.Contains(t, out["Arn"], "arn:aws:")
		require.NotEmpty(t, out["UserId"])
	})

	t.Run("sns", func(t *testing.T) {
		sns := newEndpoint(t, srv, "sns", Query)
		name := fmt.Sprintf("awsxml-e2e-%d", time.Now().UnixNano())
		created := sns.must(t, "CreateTopic", map[string]any{
			"Name": name, "Attributes": map[string]any{"DisplayName": "e2e & more"},
			"Tags": []any{map[string]any{"Key": "team", "Value": "xml"}},
		})
		arn, _ := created["TopicArn"].(string)
		require.True(t, strings.HasSuffix(arn, ":"+name), arn)

		attrs := sns.must(t, "GetTopicAttributes", map[string]any{"TopicArn": arn})["Attributes"].(map[string]any)
		require.Equal(t, "e2e & more", attrs["DisplayName"])
		require.Equal(t, arn, attrs["TopicArn"])

		topics := sns.must(t, "ListTopics", nil)["Topics"].([]any)
		require.Contains(t, topics, map[string]any{"TopicArn": arn})

		_, apiErr := sns.call(t, "GetTopicAttributes", map[string]any{"TopicArn": arn + "-missing"})
		require.NotNil(t, apiErr)
		require.Equal(t, "NotFound", apiErr.Code) // the wire code of NotFoundException
		require.NotNil(t, apiErr.Fields)
		require.Equal(t, "client", apiErr.Fault)
		sns.must(t, "DeleteTopic", map[string]any{"TopicArn": arn})
	})

	t.Run("ec2", func(t *testing.T) {
		ec2 := newEndpoint(t, srv, "ec2", EC2)
		regions := ec2.must(t, "DescribeRegions", map[string]any{"RegionNames": []string{"us-east-1", "eu-west-1"}})["Regions"].([]any)
		require.Len(t, regions, 2)
		names := []any{regions[0].(map[string]any)["RegionName"], regions[1].(map[string]any)["RegionName"]}
		require.ElementsMatch(t, []any{"us-east-1", "eu-west-1"}, names)

		vpc := ec2.must(t, "CreateVpc", map[string]any{
			"CidrBlock": "10.42.0.0/16",
			"TagSpecifications": []any{map[string]any{"ResourceType": "vpc",
				"Tags": []any{map[string]any{"Key": "Name", "Value": "awsxml-e2e"}}}},
		})["Vpc"].(map[string]any)
		id := vpc["VpcId"].(string)
		require.True(t, strings.HasPrefix(id, "vpc-"), id)
		require.Equal(t, "10.42.0.0/16", vpc["CidrBlock"])

		described := ec2.must(t, "DescribeVpcs", map[string]any{"VpcIds": []string{id},
			"Filters": []any{map[string]any{"Name": "cidr", "Values": []string{"10.42.0.0/16"}}}})["Vpcs"].([]any)
		require.Len(t, described, 1)
		got := described[0].(map[string]any)
		require.Equal(t, id, got["VpcId"])
		require.Equal(t, false, got["IsDefault"])
		require.Contains(t, got["Tags"], map[string]any{"Key": "Name", "Value": "awsxml-e2e"})

		_, apiErr := ec2.call(t, "DescribeVpcs", map[string]any{"VpcIds": []string{"vpc-00000000"}})
		require.NotNil(t, apiErr)
		require.Equal(t, "InvalidVpcID.NotFound", apiErr.Code)
		require.NotEmpty(t, apiErr.RequestID)
		require.Equal(t, "client", apiErr.Fault)

		ec2.must(t, "DeleteVpc", map[string]any{"VpcId": id})
	})
}
