package endpoints

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSubstring(t *testing.T) {
	tests := []struct {
		in          string
		start, stop int
		reverse     bool
		want        string
		ok          bool
	}{
		{"abcdefg", 0, 4, false, "abcd", true},
		{"abcd", 0, 4, false, "abcd", true},
		{"abc", 0, 4, false, "", false},
		{"abcdefg", 0, 4, true, "defg", true},
		{"defg", 1, 3, true, "ef", true},
		{"abcdef\u0080", 0, 4, false, "", false}, // not ASCII
		{"\x7fabcdef", 0, 4, false, "\x7fabc", true},
		{"abc", 2, 2, false, "", false}, // start must be before stop
		{"abc", -1, 2, false, "", false},
	}
	for _, tt := range tests {
		got, ok := substring(tt.in, tt.start, tt.stop, tt.reverse)
		require.Equal(t, tt.ok, ok, "%+v", tt)
		require.Equal(t, tt.want, got, "%+v", tt)
	}
}

func TestHostLabels(t *testing.T) {
	tests := []struct {
		in       string
		sub      bool
		label    bool
		s3Bucket bool
	}{
		{"us-east-1", false, true, true},
		{"3aws4", false, true, true},
		{"part1.part2", false, false, false},
		{"part1.part2", true, true, true},
		{"part1 part2", true, false, false},
		{"", true, false, false},
		{"-bucket", false, false, false},
		{"bucket-", false, false, false},
		{"Bucket", false, true, false}, // upper case: a host label, not an S3 bucket
		{"bucket_name", false, false, false},
		{"aa", false, true, false},
		{"192.168.5.4", true, true, false},
		{"bucket.-name", true, false, false},
		{".bucket", true, false, false},
		{"bucket.", true, false, false},
		{string(make([]byte, 64)), false, false, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.label, isValidHostLabel(tt.in, tt.sub), "isValidHostLabel(%q, %v)", tt.in, tt.sub)
		require.Equal(t, tt.s3Bucket, isVirtualHostableS3Bucket(tt.in, tt.sub), "isVirtualHostableS3Bucket(%q, %v)", tt.in, tt.sub)
	}
}

func TestURIEncode(t *testing.T) {
	require.Equal(t, "abc", uriEncode("abc"))
	require.Equal(t, "abc%3Adef", uriEncode("abc:def"))
	require.Equal(t, "%F0%9F%98%B9", uriEncode("\U0001F639"))
	require.Equal(t, "0123456789.underscore_dash-Tilda~", uriEncode("0123456789.underscore_dash-Tilda~"))
	require.Equal(t, "%2F%20%25", uriEncode("/ %"))
	require.Equal(t, "", uriEncode(""))
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want urlParts
	}{
		{"https://authority.com/custom-path", true, urlParts{"https", "authority.com", "/custom-path", "/custom-path/", false}},
		{"https://authority.com", true, urlParts{"https", "authority.com", "", "/", false}},
		{"https://authority.com/", true, urlParts{"https", "authority.com", "/", "/", false}},
		{"http://authority.com:8000/port", true, urlParts{"http", "authority.com:8000", "/port", "/port/", false}},
		{"http://192.168.1.1:1234/foo/", true, urlParts{"http", "192.168.1.1:1234", "/foo/", "/foo/", true}},
		{"https://[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443", true, urlParts{"https", "[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443", "", "/", true}},
		{"https://999.999.abc.blah", true, urlParts{"https", "999.999.abc.blah", "", "/", false}},
		{"http://99_ab-.com", true, urlParts{"http", "99_ab-.com", "", "/", false}},
		{"acbd://example.com", false, urlParts{}},
		{"http://abc.com:a/foo", false, urlParts{}},
		{"https://example.com/path?query1=foo", false, urlParts{}},
		{"https://example.com/#frag", false, urlParts{}},
		{"https://", false, urlParts{}},
		{"https://[::1", false, urlParts{}},
		{"example.com", false, urlParts{}},
	}
	for _, tt := range tests {
		got, ok := parseURL(tt.in)
		require.Equal(t, tt.ok, ok, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestParseArn(t *testing.T) {
	a, ok := parseArn("arn:aws:s3:us-east-2:012345678:outpost:op-1234/bucket")
	require.True(t, ok)
	require.Equal(t, arnParts{"aws", "s3", "us-east-2", "012345678", []string{"outpost", "op-1234", "bucket"}}, a)

	a, ok = parseArn("arn:aws:s3:us-east-2:012345678:outpost::")
	require.True(t, ok)
	require.Equal(t, []string{"outpost", "", ""}, a.ResourceID)

	a, ok = parseArn("arn:aws:s3::123456789012:resource-id")
	require.True(t, ok)
	require.Equal(t, "", a.Region)

	for _, bad := range []string{"asdf", "arn:aws:s3:us-west-2:123456789012:", "arn:aws::us-west-2:1:r",
		"arn::s3:us-west-2:1:r", "arn:aws:s3", "arn:aws:s3:r:a"} {
		_, ok := parseArn(bad)
		require.False(t, ok, bad)
	}
}

func TestGetAttr(t *testing.T) {
	steps, err := parseAttrPath("resourceId[2]")
	require.NoError(t, err)
	require.Equal(t, []attrStep{{field: "resourceId", index: -1}, {index: 2}}, steps)
	steps, err = parseAttrPath("[0]")
	require.NoError(t, err)
	require.Equal(t, []attrStep{{index: 0}}, steps)
	for _, bad := range []string{"", "a..b", "a[", "a[x]", "a[-1]", "a]b"} {
		_, err := parseAttrPath(bad)
		require.Error(t, err, bad)
	}

	arn, _ := parseArn("arn:aws:s3:us-east-1:1:accesspoint/ap")
	v := arnValue(arn)
	get := func(path string) value {
		steps, err := parseAttrPath(path)
		require.NoError(t, err)
		return getAttr(v, steps)
	}
	require.Equal(t, strValue("ap"), get("resourceId[1]"))
	require.Equal(t, kNull, get("resourceId[2]").k)
	require.Equal(t, kNull, get("nope").k)
	require.Equal(t, kNull, get("region.deeper").k)
	require.Equal(t, []string{"accesspoint", "ap"}, get("resourceId").toAny())
}

func TestPartitions(t *testing.T) {
	ps, err := ParsePartitions([]byte(`{"partitions": [
		{"id": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$", "regions": {"aws-global": {"description": "global"}},
		 "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com", "dualStackDnsSuffix": "api.aws",
		             "supportsFIPS": true, "supportsDualStack": true, "implicitGlobalRegion": "us-east-1"}},
		{"id": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$",
		 "regions": {"cn-north-1": {}, "cn-special-1": {"supportsFIPS": false}},
		 "outputs": {"name": "aws-cn", "dnsSuffix": "amazonaws.com.cn", "supportsFIPS": true}}]}`))
	require.NoError(t, err)
	require.Equal(t, "aws", ps.Lookup("us-west-2").ID)
	require.Equal(t, "aws", ps.Lookup("mars-east-1").ID, "no match: the aws partition")
	require.Equal(t, "aws-cn", ps.Lookup("cn-north-9").ID)
	require.True(t, ps.Lookup("cn-north-1").SupportsFIPS)
	require.False(t, ps.Lookup("cn-special-1").SupportsFIPS, "region override")
	require.Equal(t, Partition{ID: "aws", Name: "aws", DNSSuffix: "amazonaws.com", DualStackDNSSuffix: "api.aws",
		ImplicitGlobalRegion: "us-east-1", SupportsFIPS: true, SupportsDualStack: true}, ps.Lookup("aws-global"))

	for _, bad := range []string{`[]`, `{}`, `{"partitions": [{"regionRegex": "x"}]}`,
		`{"partitions": [{"id": "a", "regionRegex": "("}]}`} {
		_, err := ParsePartitions([]byte(bad))
		require.Error(t, err, bad)
	}
	def, err := DefaultPartitions()
	require.NoError(t, err)
	require.Equal(t, "aws-us-gov", def.Lookup("us-gov-west-1").ID)
}
