# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this
# Configuration files of containerd, its registry hosts, the CNI network and
# the kubelet. Sourced by up.sh after lib.sh; every path is under $STATE so
# nothing clashes with a containerd or kubelet the machine may already have.

CTR_DIR="$STATE/containerd"
CNI_CONF_DIR="$STATE/cni/net.d"
# The Linux bridge the CNI plugin creates for pods; a name of our own so
# down.sh deletes only ours.
BRIDGE=kwf0
BRIDGE_ADDRESS=${POD_CIDR%.0.0/16}.0.1/16
# The cgroup (in every v1 hierarchy) under which the kubelet puts all pods:
# down.sh kills exactly the processes found below it.
CGROUP_ROOT=kubectl-wf
# Alpha features the apiserver and the kubelet both turn on:
# PodLogsQuerySplitStreams gives a pod's stdout alone, which Argo's
# outputs.result is (watch/results.go asks for it, and falls back to both
# streams on clusters without it).
FEATURE_GATES=(PodLogsQuerySplitStreams)

containerd_config() {
	mkdir -p "$CTR_DIR"
	cat >"$CTR_DIR/config.toml" <<TOML
version = 2
root = "$CTR_DIR/root"
state = "$CTR_DIR/state"
# Plugins that would touch /opt or need kernel features this VM lacks.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # This VM refuses a negative oom_score_adj; without this every pod sandbox
  # fails with runc's "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Pod network namespaces live under our state dir, so down.sh finds them.
  netns_mounts_under_state_dir = true
  stream_server_address = "$HOST"
  stream_server_port = "0"
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # No systemd here, and cgroups are v1: the kubelet uses cgroupfs too.
        SystemdCgroup = false
        # runc's own state, kept under ours rather than in /run/containerd.
        Root = "$CTR_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_CONF_DIR"
  [plugins."io.containerd.grpc.v1.cri".registry]
    # hosts.toml files, not the older "mirrors" table: with "mirrors",
    # containerd falls back to the real registry when the mirror lacks an
    # image, which would send traffic off this machine.
    config_path = "$CTR_DIR/certs.d"
TOML
	registry_hosts
}

# registry_hosts sends every registry name (docker.io, registry.k8s.io, quay.io,
# ...) to the local registry and nowhere else: "_default" covers the names
# that have no folder of their own.
registry_hosts() {
	local name dir
	for name in _default docker.io registry.k8s.io "$REGISTRY"; do
		dir="$CTR_DIR/certs.d/$name"
		mkdir -p "$dir"
		cat >"$dir/hosts.toml" <<TOML
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
TOML
	done
}

# cni_config: a plain bridge on which pods get addresses and reach each other.
# No gateway and no masquerading: pods have no route off the bridge, so
# nothing a pod does can send traffic off this machine (and the bridge
# plugin leaves the host's ip_forward alone).
cni_config() {
	mkdir -p "$CNI_CONF_DIR"
	cat >"$CNI_CONF_DIR/10-kubectl-wf.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "kubectl-wf",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]]
      }
    }
  ]
}
JSON
}

# host_bridge makes the pods' bridge before the CNI plugin does, with the
# first address of the pod range on the host's side. The kubelet probes pods
# (httpGet, tcpSocket) from the host: without this address the host has no
# route to the pods and those probes leave through its default route instead.
# host-local never hands the first address to a pod. Pods still get no
# default route, so they still cannot leave the bridge.
host_bridge() {
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
	fi
	ip addr replace "$BRIDGE_ADDRESS" dev "$BRIDGE"
	ip link set "$BRIDGE" up
}

kubelet_config() {
	mkdir -p "$STATE/kubelet"
	cat >"$STATE/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $HOST
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: $HOST
healthzPort: $KUBELET_HEALTHZ_PORT
# The apiserver proves itself with a client certificate from our CA (logs,
# exec); there is one user on one machine, so no further authorization.
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
# cgroups v1 and no systemd.
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
failSwapOn: false
# The VM refuses negative oom_score_adj values.
oomScoreAdj: 0
podLogsDir: $STATE/pod-logs
volumePluginDir: $STATE/kubelet/volume-plugins
staticPodPath: ""
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
# A test cluster on a shared disk: evict only when truly out of room, and
# keep images (they are few and small).
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 110
featureGates:
$(for g in "${FEATURE_GATES[@]}"; do echo "  $g: true"; done)
YAML
}

# The kernel settings the kubelet changes at start (it insists on its
# values); down.sh puts back the machine's own.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
	kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

save_sysctls() {
	[[ -f $STATE/sysctl.orig ]] && return 0
	sysctl -e "${KUBELET_SYSCTLS[@]}" >"$STATE/sysctl.orig.tmp" 2>/dev/null
	mv "$STATE/sysctl.orig.tmp" "$STATE/sysctl.orig"
}

restore_sysctls() {
	[[ -f $STATE/sysctl.orig ]] || return 0
	sysctl -q -e -p "$STATE/sysctl.orig" >/dev/null 2>&1 || log "could not restore kernel settings"
	rm -f "$STATE/sysctl.orig"
}

# pod_cgroups creates our pod cgroup in each v1 hierarchy: the kubelet
# requires its cgroupRoot to exist.
pod_cgroups() {
	local h
	for h in /sys/fs/cgroup/*/; do
		[[ -f $h/cgroup.procs ]] && mkdir -p "$h$CGROUP_ROOT"
	done
	return 0
}
