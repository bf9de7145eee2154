// Package emulator installs, starts and stops the local AWS emulators that
// aioaws is tested against:
//
//   - [Moto]: moto_server (Python), many services; Lambda runs without Docker.
//   - [Dynalite]: DynamoDB on Node.js, pinned in tools/package.json.
//   - [Versitygw]: the Versity S3 gateway over a POSIX directory, pinned to
//     the Go module version in [VersitygwPackage]; it verifies SigV4.
//
// [Start] runs one emulator as a child process bound to a free port on
// 127.0.0.1 and returns once it answers HTTP requests as that emulator; the
// returned [*Server] belongs to the caller, who must call [Server.Stop].
// [Install] puts the pinned emulators in the tools directory ([ToolsDir]) and
// is what `go run ./internal/cmd/emulators install` runs. [Lookup] finds an
// installed emulator; when one is missing the error wraps [ErrNotInstalled].
//
// # Processes
//
// Each emulator runs in its own process group so that [Server.Stop] can end it
// and anything it spawned by its process ID, and nothing else. On Linux the
// child is also asked to be killed (SIGKILL) when its parent dies, so an
// emulator does not outlive a test binary that crashed or timed out. The
// kernel ties that request to the OS thread that started the child; the Go
// runtime ends a thread only when a goroutine exits while locked to it with
// runtime.LockOSThread, so in practice the request lasts as long as the
// process, and we accept that rare gap rather than pin a thread per emulator.
//
// The package is meant for tests and developer tools on Unix; it does not
// import testing. Package internal/testenv wraps it for tests.
package emulator
