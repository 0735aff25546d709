# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this
# Shared settings and helpers for the local test cluster scripts
# (up.sh, down.sh, status.sh, build.sh and hack/images/build.sh).
# Sourced, never run: it only defines variables and functions.

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"
IMAGES_DIR="$REPO_ROOT/hack/images"

# Versions of what the cluster is built from. A change of version builds into
# a new folder, so an old cache never serves a new request.
K8S_VERSION=v1.34.2
ETCD_VERSION=v3.6.6
CRANE_VERSION=v0.22.1
# kwok simulates nodes (hack/cluster/kwok.sh); v0.8.0, its newest release, needs go >= 1.26.0.
KWOK_VERSION=v0.8.0

# The binary cache lives outside the clone: CI runs in a fresh clone on the
# same machine, and a cache inside the clone would rebuild (minutes) each time.
CACHE="${KUBECTL_WF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-wf}"
BIN="$CACHE/bin"
K8S_BIN="$CACHE/k8s-$K8S_VERSION"
ETCD_BIN="$CACHE/etcd-$ETCD_VERSION"
CRANE="$CACHE/crane-$CRANE_VERSION/crane"
KWOK_DIR="$CACHE/kwok-$KWOK_VERSION"

# Runtime state: certificates, etcd data, logs, pids, kubeconfig. down.sh
# removes it all; the binaries above stay.
STATE="${KUBECTL_WF_CLUSTER_STATE:-$CACHE/cluster}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
PKI="$STATE/pki"
KUBECONFIG_FILE="$STATE/kubeconfig"

# Everything listens on loopback only. etcd is moved off its well-known
# ports so that a developer's own etcd does not collide with it.
HOST=127.0.0.1
API_PORT="${KUBECTL_WF_API_PORT:-6443}"
ETCD_PORT=12379
ETCD_PEER_PORT=12380
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=10248
KCM_PORT=10257
SCHED_PORT=10259
REGISTRY_PORT=5000
REGISTRY="$HOST:$REGISTRY_PORT"
# The node's name; it must resolve to 127.0.0.1, since the apiserver reaches
# the kubelet (logs, exec) through the node's Hostname address.
NODE_NAME=localhost
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/16
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"

# The processes up.sh starts, in start order; down.sh stops them in reverse.
COMPONENTS=(registry etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet)

# The simulated node kwok.sh adds on demand (not part of COMPONENTS: the
# cluster is up without it). Pods reach it only by tolerating its taint.
KWOK_NODE=kwok-0
KWOK_TAINT_KEY=kwok.x-k8s.io/node

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

# ensure_packages PKG... installs the Debian packages that are missing,
# updating the package lists once, and records them in INSTALLED.
INSTALLED=()
ensure_packages() {
	local p missing=()
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *"ok installed" ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "need root to install: ${missing[*]}"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	INSTALLED+=("${missing[@]}")
}

# pid_of NAME prints the recorded pid of a component if that process is
# alive and still runs the program we started (pids get reused). A pid file
# holds "PID EXECUTABLE".
pid_of() {
	local f="$PIDS/$1.pid" pid exe
	[[ -f $f ]] || return 1
	read -r pid exe <"$f" || return 1
	[[ -n $pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$exe" ]] || return 1
	printf '%s\n' "$pid"
}

# start NAME BINARY ARGS...: runs a daemon detached from this shell and
# records its pid. It gets its own session (so it outlives make and the
# terminal) and none of our file descriptors beyond its log (so that no
# caller waiting for a pipe to close waits for the cluster).
start() {
	local name="$1" bin="$2"
	shift 2
	(
		close_fds
		exec setsid "$bin" "$@" </dev/null >"$LOGS/$name.log" 2>&1
	) &
	echo "$! $(readlink -f "$bin")" >"$PIDS/$name.pid"
}

close_fds() {
	local f
	for f in /proc/"$BASHPID"/fd/*; do
		f="${f##*/}"
		if ((f > 2)); then eval "exec $f>&-" 2>/dev/null || true; fi
	done
}

# wait_for WHAT SECONDS COMMAND...: retries COMMAND until it succeeds.
wait_for() {
	local what="$1" deadline=$((SECONDS + $2))
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "timed out waiting for $what (logs: $LOGS)"
		sleep 0.2
	done
}

# kubectl_ runs the machine's kubectl against this cluster.
kubectl_() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }
