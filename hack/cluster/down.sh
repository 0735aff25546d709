#!/usr/bin/env bash
# Stops the local cluster (make cluster-down): exactly the processes up.sh
# started (by their recorded pids), the pods' processes and containerd's
# shims, then removes the runtime state. The built binaries stay in the cache.
# Safe to run when the cluster is down or half up.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=SCRIPTDIR/config.sh
source "$CLUSTER_DIR/config.sh"

any_alive() {
	local pid
	for pid in "$@"; do [[ -d /proc/$pid ]] && return 0; done
	return 1
}

# stop NAME...: SIGTERM to the recorded processes, all at once (each takes
# a second or two to shut down), then SIGKILL to any still there after 10 s.
stop() {
	local name pid pids=() i
	for name in "$@"; do
		pid="$(pid_of "$name")" && kill "$pid" 2>/dev/null && pids+=("$pid")
	done
	for ((i = 0; i < 100; i++)); do
		any_alive "${pids[@]}" || return 0
		sleep 0.1
	done
	log "killing what did not stop on SIGTERM"
	kill -9 "${pids[@]}" 2>/dev/null || true
}

# cgroup_pids prints the pids in the pods' cgroups (the kubelet puts every
# pod below $CGROUP_ROOT), in any v1 hierarchy.
cgroup_pids() {
	local h
	for h in /sys/fs/cgroup/*/"$CGROUP_ROOT"; do
		[[ -d $h ]] && find "$h" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -u
}

# stop_pods stops every container through our containerd, so that its shims
# clean up after themselves and exit; then kills whatever is left: processes
# in the pods' cgroups, and shims our containerd started (found by its unique
# socket path on their command line). Last it removes the files the
# containers left at fixed paths outside our state.
stop_pods() {
	local ids pids traces
	traces="$(task_traces)"
	if pid_of containerd >/dev/null; then
		ids="$(ctr --address "$CONTAINERD_SOCK" -n k8s.io containers ls -q 2>/dev/null || true)"
		# shellcheck disable=SC2086 # a list of container ids
		[[ -z $ids ]] || timeout 30 ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks rm -f $ids >/dev/null 2>&1 || true
	fi
	pids="$(cgroup_pids)"
	# shellcheck disable=SC2086 # a list of pids
	[[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
	pids="$(pgrep -f -- "-address $CONTAINERD_SOCK( |$)" || true)"
	# shellcheck disable=SC2086
	[[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
	# shellcheck disable=SC2086 # a list of absolute paths without spaces
	[[ -z $traces ]] || rm -f $traces
}

# task_traces prints, for each container our containerd runs or ran (its task
# folders survive a crash), the files it has outside our state: the shim's
# socket in /run/containerd/s and libcni's cached loopback result.
task_traces() {
	local d addr
	for d in "$CTR_DIR"/state/io.containerd.runtime.v2.task/k8s.io/*/; do
		[[ -d $d ]] || continue
		echo "/var/lib/cni/results/cni-loopback-$(basename "$d")-lo"
		[[ -f $d/address ]] || continue
		addr="$(<"$d/address")"
		addr="${addr#unix://}"
		[[ $addr == /run/containerd/s/* ]] && echo "$addr"
	done
	return 0
}

# remove_cgroups removes the pods' cgroups, deepest first (they are empty now).
remove_cgroups() {
	local h i
	for h in /sys/fs/cgroup/*/"$CGROUP_ROOT"; do
		[[ -d $h ]] || continue
		for ((i = 0; i < 20; i++)); do
			find "$h" -depth -type d -exec rmdir {} + 2>/dev/null && break
			sleep 0.1
		done
	done
	return 0
}

# unmount_state unmounts what containerd and the kubelet mounted under the
# state dir (rootfs overlays, pod network namespaces, secret volumes),
# deepest first.
unmount_state() {
	local m
	awk -v s="$STATE/" 'index($2, s) == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
		done
}

# remove_host_traces removes what lives outside the state dir: the pod
# bridge, the kubelet's links to our pods' logs in /var/log/containers, the
# CNI result cache of our network, the kubelet's device-plugin socket and
# the hostPath provisioner's volumes (those paths are fixed in the kubelet,
# libcni and the controller-manager).
remove_host_traces() {
	if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" || true; fi
	local l
	for l in /var/log/containers/*.log; do
		[[ -L $l && $(readlink "$l") == "$STATE/"* ]] && rm -f "$l"
	done
	rm -f /var/lib/cni/results/kubectl-wf-* /var/lib/kubelet/device-plugins/kubelet.sock
	# The hostPath provisioner's volumes (its path is fixed in the
	# controller-manager) that claims alive at the stop still held.
	rm -rf /tmp/hostpath_pv
	rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet /run/containerd/s /run/containerd 2>/dev/null || true
	return 0
}

main() {
	[[ -d $STATE ]] || { log "not running"; return 0; }
	# The kubelet (and kwok's simulated node, if kwok.sh started it) first,
	# so it restarts nothing; the pods while containerd can still stop
	# them; then the rest.
	stop kwok kubelet
	stop_pods
	stop containerd kube-scheduler kube-controller-manager kube-apiserver etcd registry
	remove_cgroups
	unmount_state
	remove_host_traces
	restore_sysctls
	rm -rf "$STATE"
	log "down (binaries kept in $CACHE)"
}

main "$@"
