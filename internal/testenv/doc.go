// Package testenv gives tests the local AWS emulators of package
// internal/emulator, started on demand and always stopped.
//
// A package whose tests use it has
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// and its tests call [Moto], [Dynalite] or [Versity] for the instance shared by
// the whole test binary, or [Start] for a private one. Like t.Fatal, these
// must be called from the goroutine running the test.
//
// What a test gets when it cannot have its emulator:
//   - under go test -short: a skip; emulators are never started;
//   - emulator not installed: a skip that names the install command
//     (go run ./internal/cmd/emulators install), or a failure when the
//     environment has CI=true, because CI must run every test;
//   - emulator installed but not starting: a failure with its last output.
//
// [LegacyModel] gives a test an older model of a service (SQS over query, say), fetched
// through the Go module proxy on first use, with the same rules: a skip under -short or
// when it cannot be fetched, a failure when it cannot be fetched under CI=true.
package testenv
