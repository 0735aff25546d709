#!/usr/bin/env bash
# Builds, once, the binaries the local cluster runs into the cache outside
# the clone: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# etcd, crane (images and the registry), and the small static programs the
# images carry (pause, argosay). Anything already built is skipped, so a
# warm call costs nothing. Usage: build.sh   (up.sh calls it)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The builds must not disturb the main module or pick up a workspace, and
# must produce static binaries: the same files serve the host and the images.
export GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly

# The machine has 2 cores shared with other builds: stay polite.
go_build() { nice -n 10 go build -buildvcs=false -trimpath "$@"; }

# build_into DIR FUNC: runs FUNC with a fresh temporary folder and moves it to
# DIR only on success, so an interrupted build never looks finished.
build_into() {
	local dir="$1" fn="$2" tmp
	[[ -d $dir ]] && return 0
	tmp="$(mktemp -d "$CACHE/.build.XXXXXX")"
	chmod 755 "$tmp"
	if ! "$fn" "$tmp"; then rm -rf "$tmp"; die "building $dir failed"; fi
	mv "$tmp" "$dir"
}

k8s_build() {
	local v="k8s.io/component-base/version" major minor
	major="${K8S_VERSION#v}"; minor="${major#*.}"; major="${major%%.*}"; minor="${minor%%.*}"
	log "building Kubernetes $K8S_VERSION (several minutes on 2 cores, once)"
	(cd "$CLUSTER_DIR/build/k8s" && go_build -o "$1/" \
		-ldflags "-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
		k8s.io/kubernetes/cmd/kube-apiserver \
		k8s.io/kubernetes/cmd/kube-controller-manager \
		k8s.io/kubernetes/cmd/kube-scheduler \
		k8s.io/kubernetes/cmd/kubelet)
}

etcd_build() {
	log "building etcd $ETCD_VERSION (about a minute, once)"
	(cd "$CLUSTER_DIR/build/etcd" && go_build -ldflags "-s -w" -o "$1/etcd" .)
}

crane_build() {
	log "installing crane $CRANE_VERSION"
	GOFLAGS='' GOBIN="$1" nice -n 10 go install -trimpath -ldflags "-s -w" \
		"github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
}

# helper_build NAME: the image helpers are tiny and change with the repo, so
# they are rebuilt whenever their sources are newer than the binary.
helper_build() {
	local src="$IMAGES_DIR/$1" out="$BIN/$1"
	[[ -x $out && -z $(find "$src" -newer "$out" -print -quit) ]] && return 0
	(cd "$src" && go_build -ldflags "-s -w" -o "$out" .)
}

main() {
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$CACHE" "$BIN"
	build_into "$ETCD_BIN" etcd_build
	build_into "$CACHE/crane-$CRANE_VERSION" crane_build
	helper_build pause
	helper_build argosay
	build_into "$K8S_BIN" k8s_build
}

main "$@"
