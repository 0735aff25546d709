#!/usr/bin/env bash
# Exits 0 if and only if the local cluster is up: every process up.sh started
# is alive and the node is Ready. Prints nothing.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
	local c ready
	for c in "${COMPONENTS[@]}"; do pid_of "$c" >/dev/null || exit 1; done
	ready="$(kubectl_ --request-timeout=5s get node "$NODE_NAME" \
		-o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" || exit 1
	[[ $ready == True ]]
}

main "$@"
