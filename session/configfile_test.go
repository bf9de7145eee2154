package session

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseSharedConfigErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name    string
		kind    FileKind
		data    string
		wantErr string
	}{
		{"property before any section", ConfigFile, "\n# c\nregion = x", "/cfg:3: Expected a profile definition"},
		{"unterminated section", ConfigFile, "[profile a]\nx = 1\n[profile b", "/cfg:3: Profile definition must end with ']'"},
		{"no equals sign", CredentialsFile, "[a]\r\n\r\nkey value", "/cfg:3: Expected an '=' sign defining a property"},
		{"empty key", ConfigFile, "[default]\n= v", "/cfg:2: Property did not have a name"},
		{"continuation after section", ConfigFile, "[default]\n  x", "/cfg:2: Expected a property definition, found continuation"},
		{"bad sub-property", ConfigFile, "[default]\ns3 =\n  addressing_style = path\n  oops", "/cfg:4: Expected an '=' sign defining a sub-property"},
		{"sub-property without name", ConfigFile, "[default]\ns3 =\n  = path", "/cfg:3: Sub-property did not have a name"},
		{"syntax errors count in ignored sections", ConfigFile, "[not a profile]\nbad line", "/cfg:2: Expected an '=' sign"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSharedConfig(SourceFile{Kind: tc.kind, Path: "/cfg", Data: []byte(tc.data)})
			require.Error(t, err)
			require.ErrorContains(t, err, tc.wantErr)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, "/cfg", pe.File)
		})
	}
}

func TestParseSharedConfigSections(t *testing.T) {
	cfg := "\uFEFF[default]\r\nregion = us-west-2 ; comment\r\n" +
		"[profile dev]\nRole_ARN = arn:aws:iam::123:role/x\nsource_profile = default\nservices = local\n" +
		"s3 =\n  Addressing_Style = path\n  use_arn_region = true\n  addressing_style = virtual\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n" +
		"[services local]\ndynamodb =\n  endpoint_url = http://localhost:8000\n" +
		"elastic_beanstalk =\n  endpoint_url = http://localhost:9000\n"
	creds := "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n[dev]\nsource_profile = other\n"
	c, err := ParseSharedConfig(
		SourceFile{Kind: ConfigFile, Path: "/home/u/.aws/config", Data: []byte(cfg)},
		SourceFile{Kind: CredentialsFile, Path: "/home/u/.aws/credentials", Data: []byte(creds)},
	)
	require.NoError(t, err)
	require.Equal(t, []string{"default", "dev"}, c.ProfileNames())
	require.Equal(t, []string{"corp"}, c.SSOSessionNames())
	require.Equal(t, []string{"local"}, c.ServicesNames())

	def, ok := c.Profile("default")
	require.True(t, ok)
	require.Equal(t, "default", def.Name())
	require.Equal(t, []string{"aws_access_key_id", "aws_secret_access_key", "region"}, def.Keys())
	region, ok := def.Property("REGION")
	require.True(t, ok)
	require.Equal(t, Property{Key: "region", Value: "us-west-2", File: "/home/u/.aws/config", Line: 2}, region)
	require.Equal(t, "/home/u/.aws/config:2", region.Location())

	dev, _ := c.Profile("dev")
	v, _ := dev.Get("role_arn")
	require.Equal(t, "arn:aws:iam::123:role/x", v)
	src, _ := dev.Property("source_profile")
	require.Equal(t, "other", src.Value, "credentials file wins")
	require.Equal(t, "/home/u/.aws/credentials:5", src.Location())

	s3, _ := dev.Property("s3")
	require.Equal(t, "\nAddressing_Style = path\nuse_arn_region = true\naddressing_style = virtual", s3.Value)
	require.Len(t, s3.SubProperties(), 3)
	require.Equal(t, SubProperty{Key: "addressing_style", Value: "path", File: "/home/u/.aws/config", Line: 8}, s3.SubProperties()[0])
	style, ok := dev.SubValue("S3", "ADDRESSING_STYLE")
	require.True(t, ok)
	require.Equal(t, "virtual", style, "the last sub-property wins")
	_, ok = dev.SubValue("s3", "missing")
	require.False(t, ok)

	sso, ok := c.SSOSession("corp")
	require.True(t, ok)
	v, _ = sso.Get("sso_region")
	require.Equal(t, "us-east-1", v)

	svc, ok := c.Services("local")
	require.True(t, ok)
	v, _ = svc.SubValue("dynamodb", "endpoint_url")
	require.Equal(t, "http://localhost:8000", v)
}

func TestNilValuesAreEmpty(t *testing.T) {
	var c *SharedConfig
	_, ok := c.Profile("default")
	require.False(t, ok)
	require.Empty(t, c.ProfileNames())
	require.Empty(t, c.SSOSessionNames())
	require.Empty(t, c.ServicesNames())
	var s *Section
	_, ok = s.Get("region")
	require.False(t, ok)
	require.Empty(t, s.Keys())
	require.Empty(t, s.Name())
}

func TestFileKindString(t *testing.T) {
	require.Equal(t, "config file", ConfigFile.String())
	require.Equal(t, "credentials file", CredentialsFile.String())
	require.Equal(t, "FileKind(9)", FileKind(9).String())
}

func TestParseErrorWithoutFileName(t *testing.T) {
	_, err := ParseSharedConfig(SourceFile{Kind: ConfigFile, Data: []byte("[x")})
	require.EqualError(t, err, "line 1: Profile definition must end with ']'")
}
