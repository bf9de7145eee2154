package models

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/models/data"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// needEmbedded skips the test when this is a minimal build (-tags aioaws_minimal) that leaves
// out any of the named services. In a default build every service is embedded, so a missing
// one is a failure.
func needEmbedded(tb testing.TB, names ...string) {
	tb.Helper()
	for _, name := range names {
		if _, ok := data.Service(name); ok {
			continue
		}
		if !minimalBuild {
			tb.Fatalf("service %q is not embedded in a default build", name)
		}
		tb.Skipf("service %q is not embedded in this minimal build (add -tags %s)", name, BuildTag(name))
	}
}

func TestEveryEmbeddedModelCompiles(t *testing.T) {
	l := NewLoader()
	infos, err := l.Services()
	require.NoError(t, err)
	if !minimalBuild {
		catalog, err := embeddedSource.catalog()
		require.NoError(t, err)
		require.Greater(t, len(infos), 400, "every botocore service is embedded")
		require.Len(t, infos, len(catalog), "a default build embeds every service of the index")
	}
	for _, info := range infos {
		svc, err := l.Load(info.Name)
		require.NoError(t, err, info.Name)
		require.Equal(t, info.APIVersion, svc.Metadata.APIVersion, info.Name)
		require.NotEmpty(t, svc.Operations, info.Name)
		for _, name := range svc.OperationNames() {
			op := svc.Operations[name]
			require.NotEmpty(t, op.HTTP.Method, "%s.%s has an HTTP method", info.Name, name)
			for _, s := range []*Shape{op.Input, op.Output} {
				if s != nil {
					require.Equal(t, Structure, s.Type, "%s.%s input/output is a structure", info.Name, name)
				}
			}
		}
		_, err = svc.Paginators()
		require.NoError(t, err, info.Name)
		_, err = svc.Waiters()
		require.NoError(t, err, info.Name)
		rules, err := svc.EndpointRuleSet()
		require.NoError(t, err, info.Name)
		require.True(t, json.Valid(rules), "%s: endpoint rule set is JSON", info.Name)
	}
	for _, global := range []func() ([]byte, error){l.Partitions, l.DefaultConfiguration} {
		data, err := global()
		require.NoError(t, err)
		require.True(t, json.Valid(data))
	}
}

// TestTraitsMatchRawModel checks the compiled graph against an independent generic decode of
// the same model file, trait by trait, for a service of every protocol.
func TestTraitsMatchRawModel(t *testing.T) {
	for _, name := range []string{"dynamodb", "s3", "ec2", "sqs", "lambda", "s3control", "kinesis", "sts", "iam", "cloudwatch", "route53", "bedrock-runtime"} {
		t.Run(name, func(t *testing.T) {
			needEmbedded(t, name)
			svc, err := Load(name)
			require.NoError(t, err)
			_, data, err := embeddedSource.read(strings.TrimSuffix(mustVersionDir(t, name), "/") + "/service-2.json")
			require.NoError(t, err)
			var raw struct {
				Metadata   map[string]any            `json:"metadata"`
				Operations map[string]map[string]any `json:"operations"`
				Shapes     map[string]map[string]any `json:"shapes"`
			}
			require.NoError(t, json.Unmarshal(data, &raw))
			require.Equal(t, raw.Metadata["protocol"], svc.Metadata.Protocol)
			require.Equal(t, raw.Metadata["serviceId"], svc.Metadata.ServiceID)
			require.Len(t, svc.Shapes, len(raw.Shapes))
			require.Len(t, svc.Operations, len(raw.Operations))
			for sname, rs := range raw.Shapes {
				s := svc.Shapes[sname]
				require.NotNil(t, s, sname)
				require.Equal(t, rs["type"], s.Type.String(), sname)
				checkFlag(t, rs, "exception", s.Exception, sname)
				checkFlag(t, rs, "streaming", s.Streaming, sname)
				checkFlag(t, rs, "eventstream", s.EventStream, sname)
				checkFlag(t, rs, "union", s.Union, sname)
				checkFlag(t, rs, "document", s.Document, sname)
				checkFlag(t, rs, "sensitive", s.Sensitive, sname)
				checkFlag(t, rs, "flattened", s.Flattened, sname)
				require.Equal(t, rs["min"] != nil, s.HasMin, sname)
				require.Equal(t, rs["max"] != nil, s.HasMax, sname)
				if v, ok := rs["timestampFormat"]; ok {
					require.Equal(t, v, s.TimestampFormat, sname)
				}
				members, _ := rs["members"].(map[string]any)
				require.Len(t, s.Members, len(members), sname)
				required := map[string]bool{}
				for _, r := range asSlice(rs["required"]) {
					required[r.(string)] = true
				}
				for _, m := range s.Members {
					rm := members[m.Name].(map[string]any)
					where := sname + "." + m.Name
					require.Equal(t, rm["shape"], m.Shape.Name, where)
					require.Equal(t, required[m.Name], m.Required, where)
					require.Equal(t, strOr(rm["location"], "body"), m.Location.String(), where)
					require.Equal(t, strOr(rm["locationName"], ""), m.LocationName, where)
					require.Equal(t, strOr(rm["queryName"], ""), m.QueryName, where)
					checkFlag(t, rm, "idempotencyToken", m.IdempotencyToken, where)
					checkFlag(t, rm, "hostLabel", m.HostLabel, where)
					checkFlag(t, rm, "jsonvalue", m.JSONValue, where)
					checkFlag(t, rm, "xmlAttribute", m.XMLAttribute, where)
					checkFlag(t, rm, "flattened", m.Flattened, where)
					if cp, ok := rm["contextParam"].(map[string]any); ok {
						require.Equal(t, cp["name"], m.ContextParam, where)
					}
				}
				if p, ok := rs["payload"]; ok {
					require.Equal(t, p, s.Payload.Name, sname)
				}
			}
			for oname, ro := range raw.Operations {
				op := svc.Operations[oname]
				http := ro["http"].(map[string]any)
				require.Equal(t, http["method"], op.HTTP.Method, oname)
				require.Equal(t, http["requestUri"], op.HTTP.RequestURI, oname)
				require.Len(t, op.Errors, len(asSlice(ro["errors"])), oname)
				checkFlag(t, ro, "httpChecksumRequired", op.HTTPChecksumRequired, oname)
				require.Equal(t, ro["httpChecksum"] != nil, op.HTTPChecksum != nil, oname)
				require.Equal(t, len(asMap(ro["staticContextParams"])), len(op.StaticContextParams), oname)
				if ep, ok := ro["endpoint"].(map[string]any); ok {
					require.Equal(t, ep["hostPrefix"], op.HostPrefix, oname)
				}
				if out, ok := ro["output"].(map[string]any); ok {
					require.Equal(t, strOr(out["resultWrapper"], ""), op.ResultWrapper, oname)
				}
			}
		})
	}
}

func mustVersionDir(t *testing.T, name string) string {
	dir, err := embeddedSource.versionDir(name)
	require.NoError(t, err)
	require.NotEmpty(t, dir)
	return dir
}

func checkFlag(t *testing.T, raw map[string]any, key string, got bool, where string) {
	t.Helper()
	want, _ := raw[key].(bool)
	require.Equal(t, want, got, "%s: %s", where, key)
}

func strOr(v any, def string) string {
	if s, ok := v.(string); ok {
		return s
	}
	return def
}

func asSlice(v any) []any        { s, _ := v.([]any); return s }
func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func TestSpecificTraits(t *testing.T) {
	needEmbedded(t, "s3", "dynamodb", "s3control", "ec2", "sqs", "cloudwatch")
	s3, err := Load("s3")
	require.NoError(t, err)
	put, ok := s3.Operation("PutObject")
	require.True(t, ok)
	require.Equal(t, "PUT", put.HTTP.Method)
	require.Equal(t, "/{Bucket}/{Key+}", put.HTTP.RequestURI)
	body, ok := put.Input.MemberNamed("Body")
	require.True(t, ok)
	require.True(t, body.Streaming || body.Shape.Streaming)
	require.Equal(t, put.Input.Payload, body)
	require.NotNil(t, put.HTTPChecksum)
	require.Equal(t, "ChecksumAlgorithm", put.HTTPChecksum.RequestAlgorithmMember)
	bucket, _ := put.Input.MemberNamed("Bucket")
	require.Equal(t, URI, bucket.Location)
	require.Equal(t, "Bucket", bucket.ContextParam)
	cb, _ := s3.Operation("CreateBucket")
	conf, _ := cb.Input.MemberNamed("CreateBucketConfiguration")
	require.Equal(t, "http://s3.amazonaws.com/doc/2006-03-01/", conf.XMLNamespace.URI)
	require.Equal(t, "CreateBucketConfiguration", conf.LocationName)

	ddb, err := Load("dynamodb")
	require.NoError(t, err)
	require.Equal(t, "1.0", ddb.Metadata.JSONVersion)
	require.Equal(t, "DynamoDB_20120810", ddb.Metadata.TargetPrefix)
	av := ddb.Shapes["AttributeValue"]
	require.False(t, av.Union, "botocore does not mark AttributeValue as a union")
	names := make([]string, len(av.Members))
	for i, m := range av.Members {
		names[i] = m.Name
	}
	require.Equal(t, []string{"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}, names, "member order is the model's")
	table := ddb.Shapes["TableName"]
	require.True(t, table.HasMin && table.HasMax)
	require.Equal(t, 3.0, table.Min)

	s3c, err := Load("s3control")
	require.NoError(t, err)
	gp, _ := s3c.Operation("GetPublicAccessBlock")
	require.Equal(t, "{AccountId}.", gp.HostPrefix)
	acct, _ := gp.Input.MemberNamed("AccountId")
	require.True(t, acct.HostLabel)
	require.Equal(t, Header, acct.Location)
	require.Equal(t, true, gp.StaticContextParams["RequiresAccountId"])

	ec2, err := Load("ec2")
	require.NoError(t, err)
	run, _ := ec2.Operation("RunInstances")
	token, _ := run.Input.MemberNamed("ClientToken")
	require.True(t, token.IdempotencyToken)

	sqs, err := Load("sqs")
	require.NoError(t, err)
	require.True(t, sqs.Metadata.AWSQueryCompatible)
	require.Equal(t, []string{"json"}, sqs.Metadata.Protocols)

	cw, err := Load("cloudwatch")
	require.NoError(t, err)
	require.Equal(t, "smithy-rpc-v2-cbor", cw.Metadata.Protocols[0])
	putMetric, _ := cw.Operation("PutMetricData")
	require.Equal(t, []string{"gzip"}, putMetric.RequestCompression)

	pag, err := s3.Paginators()
	require.NoError(t, err)
	lo := pag["ListObjects"]
	require.Equal(t, []string{"Marker"}, lo.InputToken)
	require.Equal(t, []string{"NextMarker || Contents[-1].Key"}, lo.OutputToken)
	require.Equal(t, "IsTruncated", lo.MoreResults)

	waiters, err := ddb.Waiters()
	require.NoError(t, err)
	w := waiters["TableExists"]
	require.Equal(t, "DescribeTable", w.Operation)
	require.Equal(t, 20, w.Delay)
	require.Contains(t, w.Acceptors, Acceptor{Matcher: "path", State: "success", Argument: "Table.TableStatus", Expected: "ACTIVE"})
}

func TestLookup(t *testing.T) {
	tests := []struct {
		id, want, err string
		needs         []string // the services that must be embedded (see needEmbedded)
	}{
		{id: "dynamodb", want: "dynamodb"},
		{id: "states", want: "stepfunctions"},  // signing name
		{id: "SFN", want: "stepfunctions"},     // service id
		{id: "monitoring", want: "cloudwatch"}, // endpoint prefix and signing name
		{id: "Lambda", want: "lambda"},         // service id, any case
		{id: "execute-api", err: "several services (apigatewaymanagementapi, connectparticipant)", needs: []string{"apigatewaymanagementapi", "connectparticipant"}},
		{id: "dynamodbb", err: `unknown service "dynamodbb" (did you mean "dynamodb"?)`},
		{id: "../etc", err: `unknown service "../etc"`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			needEmbedded(t, tt.needs...)
			if tt.want != "" {
				needEmbedded(t, tt.want)
			}
			svc, err := Lookup(tt.id)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, svc.Name)
		})
	}
}

func TestConcurrentFirstLoadCompilesOnce(t *testing.T) {
	needEmbedded(t, "dynamodb")
	l := NewLoader()
	var wg sync.WaitGroup
	got := make([]*Service, 64)
	for i := range got {
		wg.Go(func() {
			svc, err := l.Load("dynamodb")
			require.NoError(t, err)
			got[i] = svc
		})
	}
	wg.Wait()
	for _, svc := range got {
		require.Same(t, got[0], svc)
	}
	require.Len(t, l.services, 1, "other services were not touched")
}

const tinyModel = `{"version":"2.0","metadata":{"apiVersion":"2030-01-01","endpointPrefix":"tiny","protocol":"json","jsonVersion":"1.0","serviceId":"Tiny Thing","signatureVersion":"v4","targetPrefix":"Tiny"},
"operations":{"Ping":{"name":"Ping","http":{"method":"POST","requestUri":"/"},"input":{"shape":"PingInput"}}},
"shapes":{"PingInput":{"type":"structure","required":["documentation"],"members":{"documentation":{"shape":"S","documentation":"a member that happens to be named documentation"}}},"S":{"type":"string"}}}`

func writeFile(t *testing.T, path, content string, gz bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	if !gz {
		_, err = f.WriteString(content)
		require.NoError(t, err)
		return
	}
	zw := gzip.NewWriter(f)
	_, err = zw.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
}

func TestDataPathAddsAndOverridesServices(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tiny", "2030-01-01", "service-2.json"), tinyModel, false)
	writeFile(t, filepath.Join(dir, "tiny", "2020-01-01", "service-2.json"), `{}`, false) // older: ignored
	override := strings.NewReplacer(`"endpointPrefix":"tiny"`, `"endpointPrefix":"dynamodb"`, `"Tiny Thing"`, `"DynamoDB"`).Replace(tinyModel)
	writeFile(t, filepath.Join(dir, "dynamodb", "2099-01-01", "service-2.json.gz"), override, true)
	writeFile(t, filepath.Join(dir, "dynamodb", "2099-01-01", "paginators-1.json"), `{"pagination":{"Ping":{"input_token":"T","output_token":"N","result_key":"Items"}}}`, false)

	t.Setenv("AIOAWS_DATA_PATH", dir)
	l := NewLoader(filepath.SplitList(os.Getenv("AIOAWS_DATA_PATH"))...)
	tiny, err := l.Lookup("tiny thing")
	require.NoError(t, err)
	require.Equal(t, "tiny", tiny.Name)
	m, ok := tiny.Operations["Ping"].Input.MemberNamed("documentation")
	require.True(t, ok)
	require.True(t, m.Required)

	ddb, err := l.Load("dynamodb")
	require.NoError(t, err)
	require.Equal(t, "2030-01-01", ddb.Metadata.APIVersion, "the data directory overrides the embedded model")
	pag, err := ddb.Paginators()
	require.NoError(t, err)
	require.Equal(t, []string{"Items"}, pag["Ping"].ResultKey)

	infos, err := l.Services()
	require.NoError(t, err)
	idx := sort.Search(len(infos), func(i int) bool { return infos[i].Name >= "tiny" })
	require.Equal(t, "tiny", infos[idx].Name)
	s3, err := l.Load("s3")
	if _, embedded := data.Service("s3"); embedded || !minimalBuild {
		require.NoError(t, err, "embedded services are still there")
		require.Equal(t, "2006-03-01", s3.Metadata.APIVersion)
	} else {
		require.ErrorContains(t, err, "add the build tag aioaws_s3", "a minimal build without s3")
	}
}

func TestMalformedModelErrorsNameFileAndPath(t *testing.T) {
	meta := `"metadata":{"protocol":"json","apiVersion":"1"}`
	tests := []struct {
		name, doc, path, msg string
	}{
		{"not json", `{"metadata":`, "metadata", "want object, got end of input"},
		{"trailing", `{` + meta + `} x`, "", "unexpected invalid character 'x' after the document"},
		{"dangling ref", `{` + meta + `,"shapes":{"A":{"type":"structure","members":{"x":{"shape":"Nope"}}}}}`, "shapes.A.members.x.shape", `reference to undefined shape "Nope"`},
		{"dangling op ref", `{` + meta + `,"operations":{"Op":{"http":{"method":"POST"},"input":{"shape":"In"}}}}`, "operations.Op.input.shape", `undefined shape "In"`},
		{"bad type", `{` + meta + `,"shapes":{"A":{"type":"strang"}}}`, "shapes.A.type", `unknown shape type "strang"`},
		{"no type", `{` + meta + `,"shapes":{"A":{}}}`, "shapes.A", "shape has no type"},
		{"wrong kind", `{` + meta + `,"shapes":{"A":{"type":"string","min":"1"}}}`, "shapes.A.min", "want number, got string"},
		{"required not member", `{` + meta + `,"shapes":{"A":{"type":"structure","required":["b"],"members":{}}}}`, "shapes.A.required", `required member "b" is not a member`},
		{"payload not member", `{` + meta + `,"shapes":{"A":{"type":"structure","payload":"b","members":{}}}}`, "shapes.A.payload", `payload member "b" is not a member`},
		{"list without member", `{` + meta + `,"shapes":{"A":{"type":"list"}}}`, "shapes.A", "list shape has no member"},
		{"bad location", `{` + meta + `,"shapes":{"S":{"type":"string"},"A":{"type":"structure","members":{"x":{"shape":"S","location":"cookie"}}}}}`, "shapes.A.members.x.location", `unknown location "cookie"`},
		{"duplicate shape", `{` + meta + `,"shapes":{"S":{"type":"string"},"S":{"type":"string"}}}`, "shapes.S", `shape "S" defined twice`},
		{"no protocol", `{"metadata":{}}`, "metadata", "no protocol or protocols"},
		{"bad escape", `{"metadata":{"protocol":"j\q"}}`, "metadata.protocol", `invalid escape '\q'`},
		{"bad number", `{` + meta + `,"shapes":{"A":{"type":"string","max":1.}}}`, "shapes.A.max", "malformed number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("tiny", "tiny/1/service-2.json", []byte(tt.doc))
			var me *Error
			require.True(t, errors.As(err, &me), "want *models.Error, got %v", err)
			require.Equal(t, "tiny/1/service-2.json", me.File)
			require.Equal(t, tt.path, me.Path)
			require.Contains(t, me.Msg, tt.msg)
			require.Contains(t, err.Error(), "tiny/1/service-2.json")
		})
	}
}

func TestMalformedFileInDataPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "broken", "2030-01-01", "service-2.json.gz"), "not gzip at all", false)
	writeFile(t, filepath.Join(dir, "tiny", "2030-01-01", "service-2.json"), tinyModel, false)
	writeFile(t, filepath.Join(dir, "tiny", "2030-01-01", "waiters-2.json"), `{"version":2,"waiters":{"W":{"operation":"Nope","acceptors":[]}}}`, false)
	l := NewLoader(dir)
	_, err := l.Load("broken")
	require.ErrorContains(t, err, filepath.Join(dir, "broken", "2030-01-01", "service-2.json.gz"))
	require.ErrorContains(t, err, "gzip")
	tiny, err := l.Load("tiny")
	require.NoError(t, err)
	_, err = tiny.Waiters()
	require.ErrorContains(t, err, "waiters-2.json: waiters.W.operation: waiter uses unknown operation \"Nope\"")
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(tinyModel))
	f.Add([]byte(`{"metadata":{"protocol":"rest-xml"},"shapes":{"L":{"type":"list","member":{"shape":"L"}}}}`))
	f.Add([]byte(`{"metadata":{"protocol":"json"},"shapes":{"A":{"type":"structure","members":{"x":{"shape":"A","location":"header","locationName":"\u00e9\ud83d\ude00"}}}}}`))
	f.Add([]byte(tinyModel[:len(tinyModel)/2]))
	f.Fuzz(func(t *testing.T, data []byte) {
		svc, err := Parse("fuzz", "fuzz.json", data)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || me.File != "fuzz.json" {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		for _, s := range svc.Shapes {
			if s.Type == 0 {
				t.Fatalf("shape %q compiled without a type", s.Name)
			}
		}
		_, _ = parsePaginators(svc, "p.json", data)
		_, _ = parseWaiters(svc, "w.json", data)
	})
}

func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"dynamodb", "s3", "ec2"} {
		b.Run(name, func(b *testing.B) {
			needEmbedded(b, name)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewLoader().Load(name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
