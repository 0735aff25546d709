#!/usr/bin/env bash
# Runs a command against the local cluster and leaves the cluster as it found
# it (make test): brings it up if it is down, exports
# KUBECTL_WF_TEST_KUBECONFIG (and KUBECONFIG) for the command, and stops the
# cluster afterwards only if this script started it.
# Usage: with-cluster.sh COMMAND [ARGS...]   e.g. with-cluster.sh go test ./...
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
	(($# > 0)) || die "usage: $0 COMMAND [ARGS...]"
	local export_line
	if ! "$CLUSTER_DIR/status.sh"; then
		# Stop it again however the command ends, even on ^C.
		trap '"$CLUSTER_DIR/down.sh"' EXIT
	fi
	export_line="$("$CLUSTER_DIR/up.sh" | tail -n1)"
	[[ $export_line == "export KUBECONFIG="* ]] || die "up.sh printed no kubeconfig"
	export KUBECONFIG="${export_line#export KUBECONFIG=}"
	export KUBECTL_WF_TEST_KUBECONFIG="$KUBECONFIG"
	"$@"
}

main "$@"
