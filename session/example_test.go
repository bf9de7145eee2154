package session_test

import (
	"fmt"

	"github.com/aioaws/aioaws/session"
)

func ExampleParseSharedConfig() {
	config := []byte(`[profile dev]
region = eu-west-1 ; a comment
s3 =
  addressing_style = path
`)
	credentials := []byte("[dev]\naws_access_key_id = AKIDEXAMPLE\n")
	shared, err := session.ParseSharedConfig(
		session.SourceFile{Kind: session.ConfigFile, Path: "config", Data: config},
		session.SourceFile{Kind: session.CredentialsFile, Path: "credentials", Data: credentials},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	dev, _ := shared.Profile("dev")
	region, _ := dev.Property("region")
	style, _ := dev.SubValue("s3", "addressing_style")
	key, _ := dev.Get("aws_access_key_id")
	fmt.Println(region.Value, "from", region.Location())
	fmt.Println(style, key)

	_, err = session.ParseSharedConfig(session.SourceFile{Kind: session.ConfigFile, Path: "config", Data: []byte("[default]\nregion us-east-1\n")})
	fmt.Println(err)
	// Output:
	// eu-west-1 from config:2
	// path AKIDEXAMPLE
	// config:2: Expected an '=' sign defining a property
}

func ExampleLoadSettings() {
	shared, _ := session.ParseSharedConfig(session.SourceFile{Kind: session.ConfigFile, Path: "config", Data: []byte(`[default]
region = us-west-2
max_attempts = ten
`)})
	_, err := session.LoadSettings(session.Options{SharedConfig: shared, Env: map[string]string{}})
	fmt.Println(err)

	s, _ := session.LoadSettings(session.Options{
		SharedConfig: shared,
		Env:          map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8000"},
		MaxAttempts:  5, // an explicit option wins over the bad file value
	})
	fmt.Println(s.Region, s.MaxAttempts, s.RetryMode, s.ServiceEndpointURL("DynamoDB"))
	// Output:
	// config:3: invalid max_attempts "ten": want an integer of at least 1
	// us-west-2 5 standard http://localhost:8000
}
