#!/usr/bin/env bash
# make soak: the long versions of the reliability tests, then one table of
# their figures. Each test prints its own figure line (chaos: …, scale …:,
# apiserver restart: …); fuzzing prints go's own fuzz lines. The table is
# read from those lines, so what it shows is what ran.
# KUBECTL_WF_CHAOS_SEED replays a chaos run; FUZZTIME sets each fuzz
# target's time (default 60s).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

hack/cluster/with-cluster.sh bash -c '
	set -uo pipefail
	KUBECTL_WF_SOAK=1 go test -count=1 -timeout 120m -run "TestChaosDriverKills|TestScaleOnSimulatedNode" -v ./cmd/kubectl-wf/cli
	a=$?
	KUBECTL_WF_DISRUPTIVE=1 KUBECTL_WF_SOAK=1 go test -count=1 -timeout 30m -run TestAPIServerRestart -v ./cmd/kubectl-wf/cli
	b=$?
	exit $((a || b))
' 2>&1 | tee "$log" || status=1
hack/fuzz.sh "${FUZZTIME:-60s}" 2>&1 | tee -a "$log" || status=1

hack/soak-table.awk "$log"
exit "$status"
