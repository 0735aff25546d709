#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures as ratios against a
# baseline measured in the same run where it has one. The cluster ones run
# on the local cluster (brought up if needed, left as found) and, for the
# wide ones, on kwok's simulated node (started if needed, stopped after if
# this run started it). No goal fails the run: the figures are for reading,
# and go in docs/performance.md.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

# settle waits until no namespace is being deleted: the wide benchmarks'
# namespaces hold thousands of Jobs, whose deletion keeps the control plane
# busy for a minute or more, and a benchmark run meanwhile measures that.
settle() {
	local terminating
	terminating="$(kubectl get namespaces -o jsonpath='{range .items[?(@.status.phase=="Terminating")]}namespace/{.metadata.name} {end}')"
	if [[ -n $terminating ]]; then
		echo "(waiting for the namespaces of the benchmarks before to be deleted)"
		# shellcheck disable=SC2086 # one argument per namespace
		kubectl wait --for=delete --timeout=10m $terminating >/dev/null
	fi
}
bench() { settle && go test -run '^$' -bench "$1" -benchtime 1x -timeout 30m ./watch/; }

if [[ ${1:-} != --on-cluster ]]; then
	# Everything is also kept, to end with one table of the figures.
	log="$(mktemp)"
	trap 'rm -f "$log"' EXIT
	status=0
	{
		hack/cluster/with-cluster.sh "$self" --on-cluster
	} 2>&1 | tee "$log" || status=$?
	awk -f hack/bench-table.awk "$log"
	exit "$status"
fi

if ! hack/cluster/kwok.sh status; then
	hack/cluster/kwok.sh up
	trap 'hack/cluster/kwok.sh down' EXIT
fi

# The compile needs no cluster, but shares the machine with it: it too
# waits until the namespaces of earlier runs are deleted.
echo "== lint + compile of generated DAGs (goal: 10,000 tasks < 0.5 s, < 200 MB)"
settle && go test -run '^$' -bench BenchmarkLintCompile -benchmem ./compile/
echo "== per-step overhead on the local cluster (goal: <= 1.05x bare Jobs)"
bench BenchmarkStepOverhead
echo "== parallel overhead: 50 parallel steps vs 50 bare Jobs at once (goal: <= 1.05x)"
bench BenchmarkParallelOverhead
echo "== reaction latency on the simulated node: pod end -> next Job (goal: p99 < 50 ms over the watch's delivery)"
bench BenchmarkReactionLatency
echo "== fan-out rate on the simulated node: withItems of 1,000 vs a client-go create loop (goal: >= 0.9x)"
bench BenchmarkFanOutRate
echo "== driver footprint: kubectl wf watch driving 5,000 nodes on the simulated node (goal: <= 100 MB RSS, <= 4 API writes per node)"
settle
KUBECTL_WF_SCALE_NODES=5000 go test -count=1 -run 'TestScaleOnSimulatedNode/fan-out' -timeout 60m ./cmd/kubectl-wf/cli/ -v |
	grep -E '^(scale|--- |ok|FAIL)|idle for'
