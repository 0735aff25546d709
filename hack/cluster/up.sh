#!/usr/bin/env bash
# Brings up the local single-node Kubernetes cluster (make cluster-up):
# installs the Debian packages it needs, builds the binaries once into the
# cache, starts a registry with the test images, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, containerd and a kubelet, all on
# 127.0.0.1, and waits until the node is Ready.
# Idempotent: with the cluster up it returns at once. Progress goes to
# stderr; the last line of stdout is `export KUBECONFIG=<absolute path>`, so
#   eval "$(hack/cluster/up.sh | tail -n1)"
# points a shell at the cluster. hack/cluster/down.sh stops it.
set -Eeuo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=SCRIPTDIR/pki.sh
source "$CLUSTER_DIR/pki.sh"
# shellcheck source=SCRIPTDIR/config.sh
source "$CLUSTER_DIR/config.sh"

PACKAGES=(containerd runc containernetworking-plugins busybox-static python3-minimal libpython3-stdlib openssl curl iproute2 procps)

# check_host fails early, with a reason, where the cluster cannot run.
check_host() {
	[[ $(id -u) == 0 ]] || die "the cluster runs containers and needs root"
	command -v kubectl >/dev/null || die "kubectl is not on PATH"
	local port
	for port in "$API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT" "$KUBELET_PORT" \
		"$KUBELET_HEALTHZ_PORT" "$KCM_PORT" "$SCHED_PORT" "$REGISTRY_PORT"; do
		[[ -z $(ss -Hltn "sport = :$port") ]] ||
			die "port $port is in use by another program (ss -ltnp 'sport = :$port')"
	done
}

start_registry() {
	mkdir -p "$STATE/registry"
	start registry "$CRANE" registry serve --address "$REGISTRY" --disk "$STATE/registry"
	wait_for registry 20 curl -fsS "http://$REGISTRY/v2/"
}

start_etcd() {
	# A scratch cluster: fsync buys nothing and costs seconds on a busy disk.
	start etcd "$ETCD_BIN/etcd" --name kubectl-wf --data-dir "$STATE/etcd" \
		--listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
		--listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
		--initial-cluster "kubectl-wf=http://$HOST:$ETCD_PEER_PORT" \
		--unsafe-no-fsync --log-level warn
	wait_for etcd 30 curl -fsS "http://$HOST:$ETCD_PORT/health"
}

start_apiserver() {
	# The request-header settings only publish the CA that the
	# controller-manager and scheduler look up (else they log errors every few
	# seconds); no certificate with the allowed name exists.
	# The endpoint reconciler is off: it would publish 127.0.0.1 as the
	# kubernetes service's endpoint, which validation refuses, and pods could
	# not reach a loopback apiserver anyway.
	start kube-apiserver "$K8S_BIN/kube-apiserver" \
		--bind-address="$HOST" --secure-port="$API_PORT" --advertise-address="$HOST" \
		--endpoint-reconciler-type=none --cert-dir="$STATE/apiserver" \
		--etcd-servers="http://$HOST:$ETCD_PORT" \
		--client-ca-file="$PKI/ca.crt" \
		--requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
		--requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
		--requestheader-extra-headers-prefix=X-Remote-Extra- \
		--tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
		--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
		--kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority="$PKI/ca.crt" \
		--kubelet-preferred-address-types=Hostname \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
		--service-cluster-ip-range="$SERVICE_CIDR" \
		--authorization-mode=Node,RBAC --allow-privileged=true --profiling=false \
		--feature-gates="$(printf '%s=true,' "${FEATURE_GATES[@]}" | sed 's/,$//')"
	wait_for kube-apiserver 60 kubectl_ get --raw /readyz
}

start_controllers() {
	local kcm="$STATE/controller-manager.kubeconfig" sched="$STATE/scheduler.kubeconfig"
	# The hostPath provisioner (single node, testing only) provisions the
	# claims of the default StorageClass (storage_class) under
	# /tmp/hostpath_pv, and deletes them with their claims, as a cloud's
	# provisioner would: volumeClaimTemplates need one.
	# The service-account key and root CA let the controller-manager mint
	# the tokens Jobs' pods mount. Its default client limits (20 QPS, burst
	# 30) let the Job controller start about 3 Jobs' pods a second, which
	# turns a 5,000-node test on kwok's simulated node into half an hour.
	start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
		--kubeconfig="$kcm" --authentication-kubeconfig="$kcm" --authorization-kubeconfig="$kcm" \
		--bind-address="$HOST" --secure-port="$KCM_PORT" --cert-dir="$STATE/controller-manager" \
		--leader-elect=false --use-service-account-credentials=true \
		--service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
		--cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
		--kube-api-qps=100 --kube-api-burst=200 \
		--enable-hostpath-provisioner=true \
		--profiling=false
	start kube-scheduler "$K8S_BIN/kube-scheduler" \
		--kubeconfig="$sched" --authentication-kubeconfig="$sched" --authorization-kubeconfig="$sched" \
		--bind-address="$HOST" --secure-port="$SCHED_PORT" --leader-elect=false --profiling=false
}

start_containerd() {
	start containerd "$(command -v containerd)" --config "$CTR_DIR/config.toml"
	wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version
}

start_kubelet() {
	start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet/config.yaml" \
		--kubeconfig="$STATE/kubelet.kubeconfig" --hostname-override="$NODE_NAME" \
		--root-dir="$STATE/kubelet/root" --cert-dir="$STATE/kubelet/pki"
}

# node_address gives the node the Hostname address the apiserver dials for
# logs and exec: the kubelet refuses a loopback node IP and so publishes no
# address of its own (and keeps the one set here).
node_address() {
	kubectl_ patch node "$NODE_NAME" --subresource=status --type=merge \
		-p "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"$NODE_NAME\"}]}}"
}

node_ready() {
	[[ $(kubectl_ get node "$NODE_NAME" \
		-o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

wait_node() {
	wait_for "node $NODE_NAME to register" 60 kubectl_ get node "$NODE_NAME"
	wait_for "node address" 30 node_address
	wait_for "node $NODE_NAME to be Ready" 90 node_ready
	# Pods cannot be created in a namespace until its default ServiceAccount is.
	wait_for "default service account" 60 kubectl_ -n default get serviceaccount default
}

# storage_class makes `standard`, served by the controller-manager's
# hostPath provisioner, the default StorageClass: a claim that names no
# class gets it and is bound at once.
storage_class() {
	kubectl_ apply -f - <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
}

# push_images runs in the background while the control plane starts.
push_images() {
	if ! "$IMAGES_DIR/build.sh" >"$LOGS/images-build.log" 2>&1; then
		cat "$LOGS/images-build.log" >&2
		return 1
	fi
}

# config_sum fingerprints the scripts that decide how the cluster runs, so
# a cluster started by other ones (an older checkout) is restarted rather
# than taken as it is.
config_sum() {
	cat "$CLUSTER_DIR"/{up,config,lib,pki}.sh | sha256sum | cut -d' ' -f1
}

main() {
	trap 'log "failed at up.sh line $LINENO; logs in $LOGS; hack/cluster/down.sh cleans up"' ERR
	if "$CLUSTER_DIR/status.sh"; then
		if [[ $(cat "$STATE/config.sum" 2>/dev/null) == "$(config_sum)" ]]; then
			log "already up"
			echo "export KUBECONFIG=$KUBECONFIG_FILE"
			return 0
		fi
		log "up, but started with another configuration (hack/cluster changed): restarting it"
		"$CLUSTER_DIR/down.sh"
	fi
	ensure_packages "${PACKAGES[@]}"
	"$CLUSTER_DIR/build.sh"
	if [[ -d $PIDS ]]; then
		log "a previous cluster is partly up: stopping it first"
		"$CLUSTER_DIR/down.sh"
	fi
	check_host
	local t0=$SECONDS images
	mkdir -p "$STATE" "$PIDS" "$LOGS"
	log "state in $STATE"
	make_pki
	containerd_config
	cni_config
	host_bridge
	kubelet_config
	pod_cgroups
	start_registry
	push_images &
	images=$!
	start_containerd
	start_etcd
	start_apiserver
	start_controllers
	save_sysctls
	start_kubelet
	wait "$images" || die "pushing the images failed"
	wait_node
	wait_for "the default StorageClass" 30 storage_class
	config_sum >"$STATE/config.sum"
	log "up in $((SECONDS - t0))s"
	echo "export KUBECONFIG=$KUBECONFIG_FILE"
}

main "$@"
