#!/usr/bin/env bash
# The README's first command (make demo): brings up the local cluster,
# installs kubectl-wf into bin/ where kubectl finds it as a plugin, runs
# the demo workflow to its end, then shows it as a user would.
set -euo pipefail
cd "$(dirname "$0")/.."

export_line=$(hack/cluster/up.sh | tail -n1)
export KUBECONFIG=${export_line#export KUBECONFIG=}
CGO_ENABLED=0 go build -trimpath -o bin/kubectl-wf ./cmd/kubectl-wf
export PATH="$PWD/bin:$PATH"

# kubectl runs kubectl-wf from PATH as `kubectl wf`; without kubectl, call
# the plugin directly.
wf=(kubectl-wf)
if command -v kubectl >/dev/null; then
	wf=(kubectl wf)
fi

run() {
	echo "\$ ${wf[*]} $*"
	"${wf[@]}" "$@"
}

run submit fixtures/demo.yaml
echo
run get @latest
echo
run logs @latest
echo
echo "The cluster stays up: export KUBECONFIG=$KUBECONFIG; stop it with make cluster-down."
