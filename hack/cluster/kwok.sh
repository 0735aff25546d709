#!/usr/bin/env bash
# A simulated node for the local cluster (make kwok-up), so that tests can
# drive workflows far wider than the one real node can run: kwok
# (sigs.k8s.io/kwok) registers the node kwok-0 and plays its pods' lifecycle
# without running anything. A pod bound to kwok-0 goes Running at once, and
# if a Job owns it, Succeeded with its containers terminated, exit code 0.
# The node is tainted, so only pods that tolerate the taint land there:
#   tolerations: [{key: kwok.x-k8s.io/node, operator: Exists}]
#   nodeSelector: {type: kwok}
#
# Usage: kwok.sh [up|down|status|build]
#   up    (default) builds kwok once into the cache, starts it against the
#         running local cluster and waits until kwok-0 is Ready. Idempotent:
#         with kwok running and the node Ready it returns at once.
#   down  stops kwok and deletes the node (the cluster's down.sh stops it too).
#   status exits 0 if kwok runs and its node is Ready.
#   build only builds kwok into the cache.
# It never starts or stops the cluster itself.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KWOK="$KWOK_DIR/kwok"
STAGES="$KWOK_DIR/stages.yaml"
# Fake pod IPs: far from the real node's POD_CIDR, and room for a
# 5,000-pod workflow whose ended pods keep their addresses.
KWOK_CIDR=10.200.0.0/16

# build writes the kwok binary and its Stages into KWOK_DIR, once, through a
# temporary folder so that an interrupted build never looks finished.
build() {
	[[ -x $KWOK && -f $STAGES ]] && return 0
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$CACHE"
	local tmp src
	tmp="$(mktemp -d "$CACHE/.build.XXXXXX")"
	chmod 755 "$tmp"
	log "building kwok $KWOK_VERSION (a minute or two, once)"
	# Outside any module, so that neither this repo's go.mod nor a
	# workspace takes part.
	if ! (cd "$tmp" && GOWORK=off CGO_ENABLED=0 GOFLAGS='' GOBIN="$tmp" nice -n 10 \
		go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2); then
		rm -rf "$tmp"
		die "building kwok failed"
	fi
	src="$(cd "$tmp" && GOWORK=off GOFLAGS='' go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
		sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
	[[ -d $src ]] || { rm -rf "$tmp"; die "kwok's module source is not in the module cache"; }
	stages "$src" >"$tmp/stages.yaml"
	rm -rf "$KWOK_DIR"
	mv "$tmp" "$KWOK_DIR"
}

# stages SRC prints the Stages kwok plays, taken as shipped in its module:
# the node comes up Ready and keeps its Lease fresh (as kwokctl's defaults
# do); a pod goes Running at once and, when a Job owns it, Succeeded at
# once with exit code 0 ("fast" pod stages, no delay: the tests measure
# the driver, not a pretend workload); a deleted pod goes away.
stages() {
	local src="$1/kustomize/stage" f
	for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
		pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
		echo "---"
		cat "$src/$f"
	done
}

# node_manifest prints the fake node: roomy enough for any test, tainted so
# that no workload lands there unasked. Nodes may set their status on
# create; kwok's node-initialize Stage fills in conditions and addresses.
node_manifest() {
	cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $KWOK_NODE
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $KWOK_NODE
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
spec:
  podCIDR: $KWOK_CIDR
  podCIDRs: [$KWOK_CIDR]
  taints:
  - {key: $KWOK_TAINT_KEY, value: fake, effect: NoSchedule}
status:
  allocatable: {cpu: "1000", memory: 4Ti, pods: "20000"}
  capacity: {cpu: "1000", memory: 4Ti, pods: "20000"}
  nodeInfo: {architecture: amd64, operatingSystem: linux}
EOF
}

node_ready() {
	[[ $(kubectl_ get node "$KWOK_NODE" \
		-o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

up() {
	"$CLUSTER_DIR/status.sh" || die "the local cluster is not up (make cluster-up)"
	status && return 0
	build
	if ! pid_of kwok >/dev/null; then
		log "starting kwok for node $KWOK_NODE"
		start kwok "$KWOK" --kubeconfig="$KUBECONFIG_FILE" --config="$STAGES" \
			--manage-single-node="$KWOK_NODE" --cidr="$KWOK_CIDR" --node-lease-duration-seconds=40
	fi
	kubectl_ get node "$KWOK_NODE" >/dev/null 2>&1 || node_manifest | kubectl_ create -f - >/dev/null
	wait_for "node $KWOK_NODE to be Ready" 60 node_ready
	log "node $KWOK_NODE is Ready (kwok log: $LOGS/kwok.log)"
}

status() {
	pid_of kwok >/dev/null && node_ready 2>/dev/null
}

down() {
	local pid
	if pid="$(pid_of kwok)"; then
		kill "$pid"
		wait_for "kwok to stop" 10 bash -c "! kill -0 $pid"
	fi
	rm -f "$PIDS/kwok.pid"
	if "$CLUSTER_DIR/status.sh"; then
		kubectl_ delete node "$KWOK_NODE" --ignore-not-found >/dev/null
	fi
}

main() {
	case "${1:-up}" in
	up) up ;;
	down) down ;;
	status) status ;;
	build) build ;;
	*) die "usage: $0 [up|down|status|build]" ;;
	esac
}

main "$@"
