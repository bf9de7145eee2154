package e2e

import "github.com/aioaws/aioaws/aws"

func staticCreds(id, secret string) aws.CredentialsProvider {
	return aws.StaticCredentials{AccessKeyID: id, SecretAccessKey: secret}
}
