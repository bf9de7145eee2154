package session_test

import (
	"context"
	"fmt"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/session"
)

// The default chain, cached, with a custom provider after the environment.
func ExampleDefaultChain() {
	env := map[string]string{ // nil would read the process environment
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             "/nonexistent/config",
		"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
	}
	chain, err := session.DefaultChain(session.ChainOptions{Env: env})
	if err != nil {
		fmt.Println(err)
		return
	}
	vault := session.Named("vault", aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDVAULT", SecretAccessKey: "secret"}, nil
	}))
	if err := chain.InsertAfter(session.ProviderEnv, vault); err != nil {
		fmt.Println(err)
		return
	}
	creds := session.NewCredentialCache(chain)
	defer creds.Close()

	c, err := creds.Retrieve(context.Background())
	fmt.Println(c.AccessKeyID, c.Source, err)
	fmt.Println(chain.Names())
	// Output:
	// AKIDVAULT vault <nil>
	// [env vault assume-role web-identity sso profile container imds]
}

// A chain where nothing is configured says what it tried.
func ExampleChainError() {
	chain := session.NewChain(&session.EnvProvider{Env: map[string]string{}})
	_, err := chain.Retrieve(context.Background())
	fmt.Println(err)
	// Output:
	// no credentials: no credentials provider is configured; tried env (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)
}
