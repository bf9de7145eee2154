package awsxml

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestText pins down what an element's text is: S3's GetBucketLocation output is the text
// of its root element.
func TestText(t *testing.T) {
	svc, c := load(t, "s3", RestXML)
	loc := op(t, svc, "GetBucketLocation")
	for _, tc := range []struct{ name, body, want string }{
		{"plain", `<LocationConstraint>eu-west-1</LocationConstraint>`, "eu-west-1"},
		{"declaration and namespace", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`, "eu-west-1"},
		{"prefixed name", `<s3:LocationConstraint xmlns:s3="urn:s3">x</s3:LocationConstraint>`, "x"},
		{"empty", `<LocationConstraint></LocationConstraint>`, ""},
		{"self-closing", `<LocationConstraint/>`, ""},
		{"white space is kept", "<LocationConstraint> \t\n </LocationConstraint>", " \t\n "},
		{"entities", `<LocationConstraint>&lt;a&gt; &amp; &quot;b&quot; &apos;&#65;&#x42;&#x10348;</LocationConstraint>`, `<a> & "b" 'AB` + "\U00010348"},
		{"line ends", "<LocationConstraint>a\r\nb\rc\n&#13;</LocationConstraint>", "a\nb\nc\n\r"},
		{"CDATA", `<LocationConstraint>a<![CDATA[<&amp;>]]>b</LocationConstraint>`, "a<&amp;>b"},
		{"comments and instructions", `<LocationConstraint>a<!-- c -->b<?pi x?>c</LocationConstraint>`, "abc"},
		{"nested elements' text is ignored", `<LocationConstraint>a<x>y<z/></x>b</LocationConstraint>`, "ab"},
		{"attributes", `<LocationConstraint a="1" b='2'>x</LocationConstraint>`, "x"},
		{"byte order mark", "\xEF\xBB\xBF<LocationConstraint>x</LocationConstraint>", "x"},
		{"text after the root is not read", `<LocationConstraint>x</LocationConstraint>junk<`, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Parse(loc, response(200, nil, tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.want, out["LocationConstraint"])
		})
	}
}

func TestMalformed(t *testing.T) {
	svc, c := load(t, "s3", RestXML)
	list := op(t, svc, "ListObjectsV2")
	for _, body := range []string{
		`text<ListBucketResult/>`,
		`<ListBucketResult>`,
		`<ListBucketResult><Name>b`,
		`<ListBucketResult><Name>b</Name`,
		`<ListBucketResult><Name a="1>b</Name></ListBucketResult>`,
		`<ListBucketResult><Name a=1>b</Name></ListBucketResult>`,
		`<ListBucketResult><Name a>b</Name></ListBucketResult>`,
		`<ListBucketResult><Name a="<">b</Name></ListBucketResult>`,
		`<ListBucketResult><Name>a&b</Name></ListBucketResult>`,
		`<ListBucketResult><Name>&nbsp;</Name></ListBucketResult>`,
		`<ListBucketResult><Name>&#0;</Name></ListBucketResult>`,
		`<ListBucketResult><Name>&#x110000;</Name></ListBucketResult>`,
		"<ListBucketResult><Name>\x00</Name></ListBucketResult>",
		"<ListBucketResult><Name>\xC3</Name></ListBucketResult>",
		`<ListBucketResult><Name>]]></Name></ListBucketResult>`,
		`<ListBucketResult><Name><![CDATA[x</Name></ListBucketResult>`,
		`<ListBucketResult><!-- a -- b --></ListBucketResult>`,
		`<ListBucketResult><!-- a`,
		`<ListBucketResult><?pi`,
		`<ListBucketResult><a:b:c/></ListBucketResult>`,
		`<ListBucketResult></listbucketresult>`,
		`<1ListBucketResult/>`,
		`<?xml version="2.0"?><ListBucketResult/>`,
		`<!DOCTYPE ListBucketResult><ListBucketResult/>`,
		`<!ENTITY x "y"><ListBucketResult/>`,
		strings.Repeat("<Contents>", maxDepth+1),
	} {
		_, err := c.Parse(list, response(200, nil, body))
		require.Error(t, err, body)
		require.Contains(t, err.Error(), "awsxml: malformed XML response at offset", body)
	}
}

func TestAttributes(t *testing.T) {
	svc, c := load(t, "s3", RestXML)
	out, err := c.Parse(op(t, svc, "GetBucketAcl"), response(200, nil, `<AccessControlPolicy><AccessControlList>
<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type = 'CanonicalUser'><ID>a</ID></Grantee></Grant>
<Grant><Grantee type="Group" xsi:type="Amazon&#67;ustomerByEmail"/></Grant>
<Grant><Grantee type="Group"/></Grant>
</AccessControlList></AccessControlPolicy>`))
	require.NoError(t, err)
	require.Equal(t, []any{
		map[string]any{"Grantee": map[string]any{"Type": "CanonicalUser", "ID": "a"}},
		map[string]any{"Grantee": map[string]any{"Type": "AmazonCustomerByEmail"}},
		map[string]any{"Grantee": map[string]any{}},
	}, out["Grants"])
}
