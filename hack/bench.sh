#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures as ratios against a
# baseline measured in the same run where it has one. The cluster ones run
# on the local cluster (brought up if needed, left as found). No goal fails
# the run: the figures are for reading, and go in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== lint + compile of generated DAGs (goal: 10,000 tasks < 0.5 s, < 200 MB)"
go test -run '^$' -bench BenchmarkLintCompile -benchmem ./compile/
echo "== per-step overhead on the local cluster (goal: <= 1.05x bare Jobs)"
hack/cluster/with-cluster.sh go test -run '^$' -bench BenchmarkStepOverhead -benchtime 1x -timeout 20m ./watch/
