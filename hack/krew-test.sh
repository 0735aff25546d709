#!/usr/bin/env bash
# End-to-end test of the krew packaging (what `make krew-test` runs; `make test`
# runs it too). Offline: builds a dist for this host's platform into a temp dir
# (the repo's dist/ is left alone), then checks that
#   * krew's validator accepts the rendered manifest and the committed krew.yaml,
#   * krew installs the archive into a fresh KREW_ROOT, kubectl finds the plugin
#     and runs it, and the completion shim works the way the caveats say,
#   * krew uninstalls it again,
#   * krew refuses a corrupted archive and a manifest with the wrong sha256,
#   * validate-krew-manifest's full mode (download, install, licence check)
#     passes against the archive served on 127.0.0.1 (skipped without python3).
# Prints one PASS/FAIL line per check and exits 1 if any check failed.
#
# Environment: PLATFORM (default: this host's GOOS/GOARCH), VERSION (passed on
# to hack/dist.sh), KEEP_TMP=1 keeps the temp dir for a post-mortem,
# KUBECTL_WF_TEST_KUBECONFIG (the local cluster: the release's executor image
# is then pushed to its registry and run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_MOD=$ROOT/hack/tools/go.mod
# A KREW_ROOT, KREW_OS or KREW_ARCH from the caller's shell would point krew
# at their real plugins or another platform.
unset KREW_ROOT KREW_OS KREW_ARCH
export KREW_NO_UPGRADE_CHECK=1

WORK="" HTTP_PID="" FAILURES=0 NLOG=0
KREW="" VALIDATE="" DIST="" VERSION_BUILT="" ARCHIVE=""

cleanup() {
	if [[ -n $HTTP_PID ]]; then kill "$HTTP_PID" 2>/dev/null || true; fi
	if [[ -n $WORK ]]; then
		if [[ ${KEEP_TMP:-} == 1 ]]; then echo "krew-test: kept $WORK"; else rm -rf "$WORK"; fi
	fi
}

PASSES=0
pass() { printf 'PASS: %s\n' "$1"; PASSES=$((PASSES + 1)); }
fail() { printf 'FAIL: %s\n' "$1"; FAILURES=$((FAILURES + 1)); }
die() { fail "$1"; exit 1; }

# check DESCRIPTION COMMAND...: PASS if COMMAND succeeds, else FAIL and show
# its output, which is otherwise kept quiet.
check() {
	local desc=$1 log
	shift
	NLOG=$((NLOG + 1))
	log="$WORK/check.$NLOG.log"
	if "$@" >"$log" 2>&1; then
		pass "$desc"
	else
		fail "$desc"
		sed 's/^/    | /' "$log"
	fi
}

# Each krew run gets its KREW_ROOT explicitly: reinstalling into a used root
# "succeeds" without looking at the archive, so every install needs a new one.
krew_in() { # root args...
	KREW_ROOT=$1 "$KREW" "${@:2}" </dev/null
}

# tool NAME: path of a tool of hack/tools/go.mod, built (and cached) by go.
tool() {
	(cd "$ROOT" && go tool -modfile="$TOOLS_MOD" -n "$1")
}

setup_tools() {
	command -v kubectl >/dev/null || die "kubectl is on PATH"
	command -v git >/dev/null || die "git is on PATH"
	mkdir -p "$WORK/bin"
	KREW=$(tool krew) || die "build krew from hack/tools/go.mod"
	VALIDATE=$(tool validate-krew-manifest) || die "build validate-krew-manifest from hack/tools/go.mod"
	# validate-krew-manifest's full mode runs `kubectl krew`, which kubectl finds
	# as kubectl-krew on PATH.
	ln -s "$KREW" "$WORK/bin/kubectl-krew"
}

build_dist() {
	local platform=${PLATFORM:-$(go env GOOS)/$(go env GOARCH)}
	DIST=$WORK/dist
	check "hack/dist.sh builds $platform" env DIST_DIR="$DIST" PLATFORMS="$platform" "$ROOT/hack/dist.sh"
	[[ -f $DIST/wf.yaml ]] || die "dist/wf.yaml exists"
	VERSION_BUILT=$(sed -n 's/^  version: //p' "$DIST/wf.yaml")
	ARCHIVE=$(echo "$DIST"/kubectl-wf_"$VERSION_BUILT"_*.tar.gz)
	[[ -f $ARCHIVE ]] || die "dist has kubectl-wf_${VERSION_BUILT}_*.tar.gz"
	echo "krew-test: testing ${ARCHIVE##*/}"
}

# validate_committed: krew.yaml as committed, placeholders and all, under the
# file name the validator insists on.
validate_committed() {
	mkdir -p "$WORK/committed"
	cp "$ROOT/krew.yaml" "$WORK/committed/wf.yaml"
	"$VALIDATE" -manifest "$WORK/committed/wf.yaml" -skip-install
}

# kubectl_runs_version ROOT: kubectl's plugin discovery finds the krew-installed
# kubectl-wf, and the binary carries the version the dist was built with.
kubectl_runs_version() {
	local out
	out=$(PATH="$1/bin:$PATH" kubectl wf version) || return 1
	echo "$out"
	[[ $out == "kubectl-wf $VERSION_BUILT (commit "* ]]
}

# runs_executor_of_version BINARY VERSION: the Jobs BINARY compiles run the
# executor image of VERSION, or :latest for a -dev build (hack/dist.sh sets
# it in the ldflags).
runs_executor_of_version() {
	local want=ghcr.io/kubectl-wf/executor:$2 out
	[[ $2 == *-dev ]] && want=ghcr.io/kubectl-wf/executor:latest
	out=$("$1" compile - <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: executor-image}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "echo hi >/tmp/a"]}
    outputs: {artifacts: [{name: a, path: /tmp/a}]}
YAML
	) || return 1
	grep "image: .*executor" <<<"$out"
	grep -q "image: $want\$" <<<"$out"
}

# release_runs_its_executor: a release version's binary (built anew, as
# the default dist is a -dev one) names that version's executor image.
release_runs_its_executor() {
	local platform=${PLATFORM:-$(go env GOOS)/$(go env GOARCH)} dir=$WORK/release
	env VERSION=v9.8.7 DIST_DIR="$dir" PLATFORMS="$platform" "$ROOT/hack/dist.sh" >/dev/null || return 1
	mkdir -p "$dir/x"
	tar -C "$dir/x" -xzf "$dir"/kubectl-wf_v9.8.7_*.tar.gz || return 1
	runs_executor_of_version "$dir/x/kubectl-wf" v9.8.7
}

# release_image_runs: the release build's executor image (dist.sh's OCI
# layout), pushed to the local cluster's registry, from which the cluster
# pulls every registry's images, serves the release binary's pods: a
# workflow that saves an artifact and reads it in the next step Succeeds.
release_image_runs() {
	local dir=$WORK/release ns=krew-test-release rc=0 registry crane
	read -r registry crane < <(source "$ROOT/hack/cluster/lib.sh" && echo "$REGISTRY $CRANE")
	"$crane" push --index "$dir/executor-image" "$registry/kubectl-wf/executor:v9.8.7" || return 1
	export KUBECONFIG=$KUBECTL_WF_TEST_KUBECONFIG
	kubectl delete namespace "$ns" --ignore-not-found --wait >/dev/null
	kubectl create namespace "$ns" >/dev/null || return 1
	cat >"$dir/artifacts.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: release-artifacts}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: save, template: save}
    - - name: read
        template: read
        arguments: {artifacts: [{name: a, from: "{{steps.save.outputs.artifacts.a}}"}]}
  - name: save
    container: {image: busybox, command: [sh, -c, "echo saved >/tmp/a"]}
    outputs: {artifacts: [{name: a, path: /tmp/a}]}
  - name: read
    inputs: {artifacts: [{name: a, path: /tmp/a}]}
    container: {image: busybox, command: [grep, -q, saved, /tmp/a]}
YAML
	"$dir/x/kubectl-wf" submit "$dir/artifacts.yaml" -n "$ns" || rc=1
	"$dir/x/kubectl-wf" get release-artifacts -n "$ns" -o yaml | grep -m1 "executor:" || true
	kubectl delete namespace "$ns" --wait=false >/dev/null
	return "$rc"
}

# plugin_listed ROOT: `kubectl plugin list` names the krew-linked binary. It
# exits non-zero on mere warnings (e.g. another kubectl-wf later on PATH), so
# judge by its output.
plugin_listed() {
	local out
	out=$(PATH="$1/bin:$PATH" kubectl plugin list 2>&1) || true
	echo "$out"
	grep -qx "$1/bin/kubectl-wf" <<<"$out"
}

installed_files() { # root: what the manifest's files: promised is in the store
	local dir="$1/store/wf/$VERSION_BUILT"
	ls -l "$dir"
	[[ -f $dir/LICENSE && -x $dir/kubectl-wf && -x $dir/kubectl_complete-wf ]]
}

# completion_works ROOT: follow the caveats (copy the shim next to the plugin),
# then ask kubectl to complete "kubectl wf vers".
completion_works() {
	local out
	install -m 0755 "$1"/store/wf/*/kubectl_complete-wf "$1/bin/" || return 1
	out=$(PATH="$1/bin:$PATH" kubectl __complete wf vers) || return 1
	echo "$out"
	grep -q '^version' <<<"$out"
}

uninstall_removes() { # root
	# krew uninstall insists on an index; an empty git repo is one, offline.
	git init -q "$1/index/default" || return 1
	krew_in "$1" uninstall wf || return 1
	[[ ! -e $1/bin/kubectl-wf && ! -L $1/bin/kubectl-wf && ! -d $1/store/wf ]]
}

# install_fails MANIFEST ARCHIVE: krew rejects the pair on the checksum and
# leaves nothing installed.
install_fails() {
	local root out
	root=$(mktemp -d "$WORK/krew-root.XXXXXX")
	if out=$(krew_in "$root" install --manifest="$1" --archive="$2" 2>&1); then
		echo "$out"
		echo "install succeeded"
		return 1
	fi
	echo "$out"
	grep -q 'checksum does not match' <<<"$out" && [[ ! -e $root/bin/kubectl-wf ]]
}

negative_checks() {
	local bad_archive="$WORK/corrupt/${ARCHIVE##*/}"
	local wrong_sha=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	mkdir -p "$WORK/corrupt" "$WORK/wrong-sha"
	cp "$ARCHIVE" "$bad_archive"
	# One flipped byte in the middle of the gzip stream.
	printf '\377' | dd of="$bad_archive" bs=1 seek=4096 conv=notrunc status=none
	check "krew install refuses a corrupted archive" install_fails "$DIST/wf.yaml" "$bad_archive"

	sed "s/^\(    sha256: \).*/\1\"$wrong_sha\"/" "$DIST/wf.yaml" >"$WORK/wrong-sha/wf.yaml"
	check "krew install refuses a manifest with the wrong sha256" install_fails "$WORK/wrong-sha/wf.yaml" "$ARCHIVE"
}

# serve_dist: python's http.server on a free loopback port; sets HTTP_PORT.
serve_dist() {
	python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$DIST" >"$WORK/http.log" 2>&1 &
	HTTP_PID=$!
	for _ in {1..50}; do
		HTTP_PORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\).*/\1/p' "$WORK/http.log")
		[[ -n $HTTP_PORT ]] && return 0
		sleep 0.1
	done
	cat "$WORK/http.log"
	return 1
}

# validate_full: the validator's own install of every platform (by URL, as the
# krew-index CI does), including its check for a licence file in the archive.
validate_full() {
	serve_dist || return 1
	mkdir -p "$WORK/full"
	sed "s#^\(    uri: \).*/\([^/]*\)\$#\1http://127.0.0.1:$HTTP_PORT/\2#" "$DIST/wf.yaml" >"$WORK/full/wf.yaml" || return 1
	grep '^    uri: ' "$WORK/full/wf.yaml"
	PATH="$WORK/bin:$PATH" "$VALIDATE" -manifest "$WORK/full/wf.yaml"
}

main() {
	local root
	trap cleanup EXIT
	WORK=$(mktemp -d)
	setup_tools
	build_dist

	check "validate-krew-manifest -skip-install accepts dist/wf.yaml" \
		"$VALIDATE" -manifest "$DIST/wf.yaml" -skip-install
	check "validate-krew-manifest -skip-install accepts the committed krew.yaml" validate_committed

	root=$WORK/krew-root
	check "krew install --manifest --archive into a fresh KREW_ROOT" \
		krew_in "$root" install --manifest="$DIST/wf.yaml" --archive="$ARCHIVE"
	check "installed files: kubectl-wf, kubectl_complete-wf, LICENSE" installed_files "$root"
	check "kubectl wf version prints $VERSION_BUILT" kubectl_runs_version "$root"
	check "kubectl plugin list shows $root/bin/kubectl-wf" plugin_listed "$root"
	check "its Jobs run the executor image of $VERSION_BUILT" runs_executor_of_version "$root/bin/kubectl-wf" "$VERSION_BUILT"
	check "a release's Jobs run the executor image of its version" release_runs_its_executor
	if [[ -n ${KUBECTL_WF_TEST_KUBECONFIG:-} ]]; then
		check "a release's executor image, pushed to a registry, serves its pods" release_image_runs
	else
		echo "SKIP: a release's executor image serves its pods (no KUBECTL_WF_TEST_KUBECONFIG: no cluster)"
	fi
	check "kubectl completes 'kubectl wf vers' through kubectl_complete-wf" completion_works "$root"
	check "krew uninstall wf removes the plugin" uninstall_removes "$root"

	negative_checks

	if command -v python3 >/dev/null; then
		check "validate-krew-manifest full mode (install from 127.0.0.1, licence check)" validate_full
	else
		echo "SKIP: validate-krew-manifest full mode (no python3 to serve the archive)"
	fi

	# The summary line CI tools read: N passed, N failed.
	echo "krew-test: $PASSES passed, $FAILURES failed"
	if ((FAILURES > 0)); then
		exit 1
	fi
}

main "$@"
