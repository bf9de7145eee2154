package awsxml

import (
	"net/http"
	"strings"
	"testing"

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
