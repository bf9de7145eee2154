// Package stsit holds the integration tests of the session package's
// credential providers against moto's STS emulator (AssumeRole through a
// source_profile chain, AssumeRoleWithWebIdentity). It has no non-test
// code; its TestMain uses testenv.Main, which the session package's own
// tests do not.
package stsit
