#!/usr/bin/env bash
# The whole test suite, as .ci/run and the README run it: installs the emulators the tests
# start (dynalite from npm, versitygw with go install; moto comes with the machine's Python),
# vets every module, runs every test with the race detector, then prints one CONFORMANCE line
# per conformance suite.
set -euo pipefail
cd "$(dirname "$0")/.."

root=$(pwd)
export AIOAWS_CONFORMANCE_DIR="${AIOAWS_CONFORMANCE_DIR:-$(dirname "$root")/shared/conformance}"

go run ./internal/cmd/emulators install
go vet ./...
(cd benchmarks && go vet ./...)
go test -race -count=1 -skip '^TestConformance' ./...
# A build that embeds only the models it names (see README).
go test -count=1 -tags aioaws_minimal,aioaws_dynamodb ./models/
echo "== conformance suites"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -race -count=1 -run '^TestConformance' -v ./... > "$log" 2>&1 || status=$?
grep -E '^(CONFORMANCE |--- FAIL|FAIL|ok |panic:)' "$log" || true
if [ "$status" -ne 0 ]; then
	tail -n 200 "$log"
	exit "$status"
fi
