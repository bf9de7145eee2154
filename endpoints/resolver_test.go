package endpoints

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
)

// precedenceService is a model whose operations feed the rule parameter "Level" from every
// source there is; the rule set puts it in the URL.
func precedenceService() *models.Service {
	str := &models.Shape{Name: "String", Type: models.String}
	list := &models.Shape{Name: "List", Type: models.List, Member: &models.Member{Name: "member", Shape: str}}
	ctx := &models.Shape{Name: "Ctx", Type: models.Structure, Members: []*models.Member{{Name: "Level", Shape: str}}}
	in := &models.Shape{Name: "In", Type: models.Structure, Members: []*models.Member{
		{Name: "Level", Shape: str, ContextParam: "Level"},
		{Name: "Unused", Shape: str, ContextParam: "Unused"},
		{Name: "Undeclared", Shape: str, ContextParam: "NotInRuleSet"},
		{Name: "Ctx", Shape: ctx},
		{Name: "Names", Shape: list},
	}}
	op := func(name string, static map[string]any, paths map[string]string) *models.Operation {
		return &models.Operation{Name: name, Input: in, StaticContextParams: static, OperationContextParams: paths}
	}
	return &models.Service{
		Name:                "precedence",
		ClientContextParams: map[string]string{"Level": "string"},
		Operations: map[string]*models.Operation{
			"Static": op("Static", map[string]any{"Level": "static"}, map[string]string{"Level": "Ctx.Level"}),
			"Member": op("Member", nil, map[string]string{"Level": "Ctx.Level"}),
			"Path":   {Name: "Path", Input: in, OperationContextParams: map[string]string{"Level": "Ctx.Level", "Names": "Names[*]"}},
			"None":   {Name: "None"},
		},
	}
}

func precedenceResolver(t *testing.T, optFns ...func(*Options)) *Resolver {
	t.Helper()
	rs := mustCompile(t, ruleSet(
		`"Level": {"type": "string", "builtIn": "Custom::Level", "default": "default", "required": true},
		 "Region": {"type": "string", "builtIn": "AWS::Region"},
		 "Unused": {"type": "string"},
		 "Names": {"type": "stringArray"}`,
		`{"type": "endpoint", "conditions": [{"fn": "getAttr", "argv": [{"ref": "Names"}, "[0]"], "assign": "first"}],
		  "endpoint": {"url": "https://{Level}.{first}.example.com"}},
		 {"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "endpoint": {"url": "https://{Level}.{Region}.example.com"}},
		 {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Level}.example.com"}}`))
	r, err := NewResolver(rs, precedenceService(), optFns...)
	require.NoError(t, err)
	return r
}

func TestResolverPrecedence(t *testing.T) {
	r := precedenceResolver(t)
	input := map[string]any{"Level": "member", "Ctx": map[string]any{"Level": "path"}, "Unused": "u"}
	full := &Config{BuiltIns: map[string]any{"Custom::Level": "builtin"}, ClientContext: map[string]any{"Level": "client"}}
	tests := []struct {
		cfg   *Config
		op    string
		input map[string]any
		want  string
	}{
		{full, "Static", input, "https://static.example.com"},
		{full, "Member", input, "https://member.example.com"},
		{full, "Member", map[string]any{"Ctx": map[string]any{"Level": "path"}}, "https://path.example.com"},
		{full, "Member", nil, "https://client.example.com"},
		{&Config{BuiltIns: full.BuiltIns}, "None", nil, "https://builtin.example.com"},
		{nil, "None", nil, "https://default.example.com"},
		{&Config{Region: "us-east-1"}, "", nil, "https://default.us-east-1.example.com"},
		{nil, "Path", map[string]any{"Names": []any{"n1", "n2"}}, "https://default.n1.example.com"},
	}
	for i, tt := range tests {
		ep, err := r.ResolveOperation(tt.cfg, tt.op, tt.input)
		require.NoError(t, err, "case %d", i)
		require.Equal(t, tt.want, ep.URL, "case %d", i)

		p, err := r.Params(tt.cfg, tt.op, tt.input)
		require.NoError(t, err, "case %d", i)
		ep, err = r.Resolve(p)
		require.NoError(t, err)
		require.Equal(t, tt.want, ep.URL, "case %d", i)
	}

	// Params binds every parameter, even one no rule reads.
	p, err := r.Params(nil, "Member", input)
	require.NoError(t, err)
	v, ok := p.Get("Unused")
	require.True(t, ok)
	require.Equal(t, "u", v)

	_, err = r.ResolveOperation(nil, "Nope", nil)
	require.ErrorContains(t, err, "precedence has no operation Nope")
	_, err = r.ResolveOperation(nil, "Member", map[string]any{"Level": 3})
	require.ErrorContains(t, err, "input member Level")
	_, err = r.ResolveOperation(&Config{ClientContext: map[string]any{"Level": true}}, "None", nil)
	require.ErrorContains(t, err, "client context parameter Level")
	_, err = r.ResolveOperation(&Config{BuiltIns: map[string]any{"Custom::Level": 1}}, "None", nil)
	require.ErrorContains(t, err, "built-in Custom::Level")
}

func TestResolverTypedInputs(t *testing.T) {
	r := precedenceResolver(t)
	level := "member"
	// Typed containers are normalized for JMESPath; pointers are followed.
	in := map[string]any{"Level": &level, "Names": []string{"typed"}}
	ep, err := r.ResolveOperation(nil, "Path", in)
	require.NoError(t, err)
	require.Equal(t, "https://member.typed.example.com", ep.URL)
	ep, err = r.ResolveOperation(nil, "Member", in)
	require.NoError(t, err)
	require.Equal(t, "https://member.example.com", ep.URL)

	doc := document(map[string]any{"a": []map[string]any{{"b": map[string]string{"c": "d"}}}, "e": &level, "f": []byte("x")})
	require.Equal(t, map[string]any{"a": []any{map[string]any{"b": map[string]any{"c": "d"}}}, "e": "member", "f": []byte("x")}, doc)
	plain := map[string]any{"a": []any{"b"}}
	require.Equal(t, fmt.Sprintf("%p", plain), fmt.Sprintf("%p", document(plain)), "documents already in the data model are not copied")
}

func TestResolverCacheBounded(t *testing.T) {
	r := precedenceResolver(t, func(o *Options) { o.CacheSize = 64 })
	for i := range 1000 {
		cfg := &Config{Region: fmt.Sprintf("region-%d", i)}
		ep, err := r.ResolveOperation(cfg, "None", nil)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("https://default.region-%d.example.com", i), ep.URL)
		// a second call hits the cache and agrees
		ep2, err := r.ResolveOperation(cfg, "None", nil)
		require.NoError(t, err)
		require.Equal(t, ep, ep2)
	}
	require.LessOrEqual(t, r.cache.len(), 64)
	require.Positive(t, r.cache.len())

	// Parameters no rule reads stay out of the key.
	r = precedenceResolver(t)
	for i := range 10 {
		_, err := r.ResolveOperation(nil, "Member", map[string]any{"Unused": fmt.Sprint(i)})
		require.NoError(t, err)
	}
	require.Equal(t, 1, r.cache.len())

	off := precedenceResolver(t, func(o *Options) { o.CacheSize = -1 })
	ep, err := off.ResolveOperation(nil, "None", nil)
	require.NoError(t, err)
	require.Equal(t, "https://default.example.com", ep.URL)
	require.Zero(t, off.cache.len())
}

func TestResolverConcurrent(t *testing.T) {
	r := precedenceResolver(t, func(o *Options) { o.CacheSize = 16 }) // small: entries get evicted while read
	want := make([]string, 40)
	for i := range want {
		want[i] = fmt.Sprintf("https://default.r%d.example.com", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for n := range 300 {
				i := (g + n) % len(want)
				ep, err := r.ResolveOperation(&Config{Region: fmt.Sprintf("r%d", i)}, "None", nil)
				if err == nil && ep.URL != want[i] {
					err = fmt.Errorf("got %s, want %s", ep.URL, want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestResolverCachedPathDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items: allocation counts are meaningless")
	}
	for _, bc := range benchCases {
		svc, err := models.Load(bc.service)
		require.NoError(t, err)
		r, err := ForService(svc)
		require.NoError(t, err)
		_, err = r.ResolveOperation(bc.cfg, bc.op, bc.input)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := r.ResolveOperation(bc.cfg, bc.op, bc.input); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, bc.name)
	}
}

func TestForService(t *testing.T) {
	svc, err := models.Load("s3")
	require.NoError(t, err)
	r1, err := ForService(svc)
	require.NoError(t, err)
	r2, err := ForService(svc)
	require.NoError(t, err)
	require.Same(t, r1, r2)

	yes, no := true, false
	tests := []struct {
		cfg   Config
		op    string
		input map[string]any
		want  string
	}{
		{Config{Region: "us-east-1"}, "ListBuckets", nil, "https://s3.us-east-1.amazonaws.com"},
		{Config{Region: "us-west-2", UseFIPS: true, UseDualStack: true}, "GetObject", map[string]any{"Bucket": "b1b", "Key": "k"},
			"https://b1b.s3-fips.dualstack.us-west-2.amazonaws.com"},
		{Config{Region: "us-west-2", S3: S3Config{Accelerate: true}}, "GetObject", map[string]any{"Bucket": "b1b", "Key": "k"},
			"https://b1b.s3-accelerate.amazonaws.com"},
		{Config{Region: "us-west-2", Endpoint: "http://localhost:9000", S3: S3Config{ForcePathStyle: true}}, "GetObject",
			map[string]any{"Bucket": "b1b", "Key": "k"}, "http://localhost:9000/b1b"},
		{Config{Region: "us-east-1", S3: S3Config{UseArnRegion: &yes}}, "GetObject",
			map[string]any{"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/myap", "Key": "k"},
			"https://myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com"},
		{Config{Region: "us-east-1", S3: S3Config{UseArnRegion: &no}}, "GetObject",
			map[string]any{"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/myap", "Key": "k"}, ""},
	}
	for i, tt := range tests {
		ep, err := r1.ResolveOperation(&tt.cfg, tt.op, tt.input)
		if tt.want == "" {
			var re *RuleError
			require.ErrorAs(t, err, &re, "case %d", i)
			require.Contains(t, re.Message, "UseArnRegion", "case %d", i)
			continue
		}
		require.NoError(t, err, "case %d", i)
		require.Equal(t, tt.want, ep.URL, "case %d", i)
	}

	// STS: the legacy global endpoint.
	sts, err := models.Load("sts")
	require.NoError(t, err)
	r, err := ForService(sts)
	require.NoError(t, err)
	ep, err := r.ResolveOperation(&Config{Region: "ap-northeast-1", STS: STSConfig{UseGlobalEndpoint: true}}, "GetCallerIdentity", nil)
	require.NoError(t, err)
	require.Equal(t, "https://sts.amazonaws.com", ep.URL)
	require.Equal(t, "us-east-1", ep.AuthSchemes()[0].SigningRegion)

	// DynamoDB: account-id endpoints, and operationContextParams through JMESPath.
	ddb, err := models.Load("dynamodb")
	require.NoError(t, err)
	r, err = ForService(ddb)
	require.NoError(t, err)
	cfg := &Config{Region: "us-east-1", AccountID: "111111111111", AccountIDEndpointMode: "required"}
	ep, err = r.ResolveOperation(cfg, "ListTables", nil)
	require.NoError(t, err)
	require.Equal(t, "https://111111111111.ddb.us-east-1.amazonaws.com", ep.URL)
	p, err := r.Params(cfg, "BatchGetItem", map[string]any{"RequestItems": map[string]any{
		"arn:aws:dynamodb:us-east-1:222222222222:table/t": map[string]any{}, "plain": map[string]any{}}})
	require.NoError(t, err)
	v, ok := p.Get("ResourceArnList")
	require.True(t, ok)
	require.Equal(t, []string{"arn:aws:dynamodb:us-east-1:222222222222:table/t", "plain"}, v)
}
