#!/usr/bin/env bash
# The project's test command (make test, .ci/run): vet, then unit and
# integration tests against the local cluster, which with-cluster.sh brings
# up when it is not up and takes down again afterwards, leaving things as
# it found them. -count=1: integration results must never come from the
# test cache.
set -euo pipefail
cd "$(dirname "$0")/.."

# tmux: the live tree's test reads a real terminal.
# shellcheck source=cluster/lib.sh
source hack/cluster/lib.sh
ensure_packages tmux

go vet ./...
# The apiserver-restart test stops the shared apiserver, so it runs alone,
# after everything else.
hack/cluster/with-cluster.sh bash -c '
	set -euo pipefail
	# A cluster left up from before holds the images it was built with:
	# the executor is built from this tree (an unchanged one is not pushed
	# again).
	hack/images/build.sh
	go test -count=1 -timeout 30m ./...
	KUBECTL_WF_DISRUPTIVE=1 go test -count=1 -timeout 10m -run TestAPIServerRestart -v ./cmd/kubectl-wf/cli
	# With the cluster still up, so that a release build of the executor image is run.
	hack/krew-test.sh
'
