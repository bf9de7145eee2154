// Package session is the composition root of aioaws: it reads the shared
// config and credentials files and the environment, resolves the settings and
// credentials clients are made from, and makes the clients.
//
//	sess, err := session.New(ctx)            // cheap: nothing is read yet
//	defer sess.Close()                        // releases the shared connection pool
//	ddb, err := sess.Client("dynamodb")       // settings, transport and credentials resolved once
//	out, err := ddb.Call(ctx, "GetItem", in)
//
// A [Session] is safe for concurrent use; its clients share one transport,
// one event registry and one cached credential chain.
//
// # Credentials
//
// [DefaultChain] builds the credential chain (explicit → env → assume-role →
// web-identity → sso → profile → container → imds); [NewCredentialCache] puts
// it behind lock-free reads with one refresh at a time; change the chain with
// InsertAfter, InsertBefore and Remove.
//
// # Shared files
//
// [ParseSharedConfig] parses the AWS shared config file (~/.aws/config) and
// credentials file (~/.aws/credentials) by the rules every AWS SDK follows;
// [ReadSharedConfig] reads them from disk and [SharedFilePaths] says where
// they are ($AWS_CONFIG_FILE, $AWS_SHARED_CREDENTIALS_FILE, or under the home
// directory). The result, a [SharedConfig], holds profiles, sso-session
// sections and services sections; every property keeps the file and line
// it came from, and any raw key (credential keys such as role_arn or
// credential_process included) can be read with [Section.Get].
//
// # Settings
//
// [LoadSettings] resolves a [Settings]: each setting comes from the
// explicit [Options] if set, else the environment (AWS_REGION, ...), else
// the selected profile ($AWS_PROFILE, default "default"), else its default.
// Bad values are errors naming where they came from.
//
// Only a credential cache starts goroutines (a background refresh in the
// advisory window), and Session.Close waits for them. A parsed [SharedConfig] and
// its sections are immutable and safe for concurrent use; a [Settings] is a
// plain value, safe for concurrent reads.
package session
