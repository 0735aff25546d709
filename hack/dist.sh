#!/usr/bin/env bash
# Build the release archives and the krew manifest (what `make dist` runs).
#
# Environment (all optional):
#   VERSION            release version; default: `git describe --tags` when a
#                      v* tag exists, else v0.1.0-dev. krew needs "v" + semver.
#   PLATFORMS          GOOS/GOARCH list, space separated; default: all six in
#                      krew.yaml. PLATFORMS=linux/amd64 is enough for krew-test.
#   DIST_DIR           output directory; default: <repo>/dist.
#   SOURCE_DATE_EPOCH  build date stamped into the binary; default: the last
#                      commit's time, else now.
#
#   EXECUTOR_PLATFORMS platforms of the executor's image; default:
#                      linux/amd64 linux/arm64.
#
# A release version (not *-dev) makes the binaries run ghcr.io/kubectl-wf/
# executor:VERSION in pods that save artifacts: push executor-image (below)
# under that name with the release.
#
# Writes to DIST_DIR:
#   kubectl-wf_${VERSION}_${OS}_${ARCH}.tar.gz   binary, LICENSE, completion shim
#   wf.yaml         krew.yaml rendered with VERSION and the archives' sha256s
#                   (named after the plugin, as validate-krew-manifest requires)
#   checksums.txt   sha256sum format, for `sha256sum -c` and release notes
#   executor-image/ the executor's image (cmd/kubectl-wf-executor) as an OCI
#                   image layout, one image per EXECUTOR_PLATFORMS:
#                   crane push --index dist/executor-image \
#                     ghcr.io/kubectl-wf/executor:VERSION
set -euo pipefail

# Byte-identical output needs a fixed collation (globs, sort, tar --sort).
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLI_PKG=github.com/kubectl-wf/kubectl-wf/cmd/kubectl-wf/cli
COMPILE_PKG=github.com/kubectl-wf/kubectl-wf/compile
EXECUTOR_REPO=ghcr.io/kubectl-wf/executor
ALL_PLATFORMS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
# Semantic version with a leading v, as krew's validation demands.
SEMVER_RE='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'

log() { printf 'dist: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

release_version() {
	if [[ -n ${VERSION:-} ]]; then
		printf '%s\n' "$VERSION"
	else
		git -C "$ROOT" describe --tags --match 'v[0-9]*' 2>/dev/null || echo v0.1.0-dev
	fi
}

git_commit() {
	git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown
}

# The build date comes from SOURCE_DATE_EPOCH or the commit, not the clock, so
# two builds of one commit produce the same binaries and sha256s.
build_epoch() {
	local epoch=${SOURCE_DATE_EPOCH:-}
	[[ -n $epoch ]] || epoch=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null) || true
	[[ -n $epoch ]] || epoch=$(date +%s)
	printf '%s\n' "$epoch"
}

rfc3339() { # epoch -> 2006-01-02T15:04:05Z; GNU date, then BSD date
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ
}

# --sort, --owner etc. are GNU tar options; macOS's bsdtar lacks them.
find_gnu_tar() {
	local t
	for t in tar gtar; do
		if "$t" --version 2>/dev/null | grep -q 'GNU tar'; then
			echo "$t"
			return
		fi
	done
	die "GNU tar is required (on macOS: brew install gnu-tar)"
}

sha256_of() {
	if command -v sha256sum >/dev/null; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

build_binary() { # os arch output ldflags [package]
	# CGO off: static binaries that cross-compile from any host. -buildvcs=false:
	# the version is in the ldflags already, and VCS stamping fails in source
	# trees without .git or commits. GOAMD64/GOARM64 pinned to the baseline so a
	# developer's tuned go env cannot ship binaries that old CPUs refuse.
	CGO_ENABLED=0 GOOS=$1 GOARCH=$2 GOAMD64=v1 GOARM64=v8.0 \
		go build -C "$ROOT" -trimpath -buildvcs=false -ldflags "$4" -o "$3" "${5:-./cmd/kubectl-wf}"
}

# executor_image dir: the executor's image for EXECUTOR_PLATFORMS, an OCI
# image layout in dir, pushed with the release as the image its binaries
# name: crane push --index DIR ghcr.io/kubectl-wf/executor:VERSION.
executor_image() {
	local dir=$1 platform os arch images=()
	for platform in ${EXECUTOR_PLATFORMS:-linux/amd64 linux/arm64}; do
		os=${platform%/*} arch=${platform#*/}
		log "building the executor for $os/$arch"
		build_binary "$os" "$arch" "$tmp/executor-$os-$arch" "-s -w" ./cmd/kubectl-wf-executor
		images+=("$platform=$tmp/executor-$os-$arch")
	done
	go run -C "$ROOT" ./hack/ociimage -out "$dir" -path /kubectl-wf-executor "${images[@]}"
}

# pack_archive stage_dir archive: a tarball that depends only on the staged
# files' bytes and modes, never on who built it, when, or in which order.
pack_archive() {
	local stage=$1 archive=$2 files
	files=$(cd "$stage" && printf '%s\n' *)
	# shellcheck disable=SC2086 # one word per file name, none has spaces
	(cd "$stage" && "$TAR" --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime=@0 --format=ustar -cf - $files) | gzip -n -9 >"$archive"
}

# render_manifest template version shas_file: krew.yaml -> wf.yaml on stdout.
# shas_file has "os_arch sha256" lines for the platforms that were built. Each
# platform item of the template is buffered whole, so the order of keys inside
# it does not matter; items for platforms not built are dropped. Comment lines
# at indent 0-2 go too (deeper ones would be content of the block scalars).
render_manifest() {
	awk -v version="$2" -v shas="$3" '
		function fail(msg) { print "dist: error: krew.yaml: " msg > "/dev/stderr"; failed = 1; exit 1 }
		function flush(   i, key, os, arch, line) {
			if (n == 0) return
			key = ""; os = ""; arch = ""
			for (i = 1; i <= n; i++) {
				line = buf[i]
				if (line ~ /^ +uri: /) {
					key = line
					if (!sub(/.*_v0\.0\.0_/, "", key) || !sub(/\.(tar\.gz|zip)$/, "", key))
						fail("uri is not .../kubectl-wf_v0.0.0_OS_ARCH.tar.gz: " line)
				}
				if (line ~ /^ +os: /) { os = line; sub(/^ +os: +/, "", os) }
				if (line ~ /^ +arch: /) { arch = line; sub(/^ +arch: +/, "", arch) }
			}
			if (key == "" || key != os "_" arch)
				fail("platform " os "/" arch " has uri for \"" key "\"")
			if (key in seen) fail("platform " key " listed twice")
			seen[key] = 1
			if (key in sha) {
				for (i = 1; i <= n; i++) {
					line = buf[i]
					if (line ~ /^ +uri: /) gsub(/v0\.0\.0/, version, line)
					if (line ~ /^ +sha256: /) {
						if (line !~ /: "?0+"?$/ || gsub(/0/, "0", line) != 64)
							fail("sha256 of " key " is not the all-zero placeholder")
						sub(/"?0+"?$/, "\"" sha[key] "\"", line)
						shaset[key] = 1
					}
					print line
				}
			}
			n = 0
		}
		BEGIN {
			print "# Generated by hack/dist.sh from krew.yaml. Do not edit."
			while ((getline line < shas) > 0) { split(line, f, " "); sha[f[1]] = f[2] }
		}
		inplat && /^  - / { flush(); buf[++n] = $0; next }
		inplat && (/^    / || /^$/) { if (n) buf[++n] = $0; next }
		/^#/ || /^ #/ || /^  #/ { next }
		inplat { flush(); inplat = 0 }
		/^  version: v0\.0\.0$/ { sub(/v0\.0\.0/, version); versions++ }
		/^  platforms:$/ { inplat = 1 }
		{ print }
		END {
			if (failed) exit 1
			flush()
			if (versions != 1) fail("spec.version is not the placeholder v0.0.0")
			for (k in sha) if (!(k in shaset)) fail("no platform item for " k)
		}
	' "$1"
}

main() {
	local version commit date ldflags dist tmp platforms platform os arch ext stage archive sha
	version=$(release_version)
	[[ $version =~ $SEMVER_RE ]] || die "VERSION $version is not v-prefixed semver (krew needs e.g. v1.2.3)"
	commit=$(git_commit)
	date=$(rfc3339 "$(build_epoch)")
	ldflags="-s -w -X $CLI_PKG.version=$version -X $CLI_PKG.commit=$commit -X $CLI_PKG.date=$date"
	# A release's pods run the executor image of the same version, which
	# the release publishes beside the archives; a -dev build keeps
	# :latest, which hack/images/build.sh pushes to the local cluster.
	[[ $version == *-dev ]] || ldflags+=" -X $COMPILE_PKG.ExecutorImage=$EXECUTOR_REPO:$version"
	platforms=${PLATFORMS:-$ALL_PLATFORMS}
	dist=${DIST_DIR:-$ROOT/dist}
	TAR=$(find_gnu_tar)

	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand tmp now: it is local to main
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$dist"
	dist=$(cd "$dist" && pwd)
	# Only this script's outputs: stale archives of another VERSION must not
	# linger next to a checksums.txt that does not list them.
	rm -rf "$dist"/kubectl-wf_*.tar.gz "$dist/wf.yaml" "$dist/checksums.txt" "$dist/executor-image"

	# Fail before minutes of cross-compiling, not after.
	for platform in $platforms; do
		os=${platform%/*} arch=${platform#*/}
		[[ $platform == */* && -n $os && -n $arch ]] || die "bad platform '$platform' (want os/arch)"
		grep -q "_v0\.0\.0_${os}_${arch}\.tar\.gz\$" "$ROOT/krew.yaml" ||
			die "krew.yaml has no platform $platform"
	done

	log "version $version, commit $commit, date $date"
	: >"$tmp/shas"
	for platform in $platforms; do
		os=${platform%/*} arch=${platform#*/}
		ext=""
		[[ $os == windows ]] && ext=.exe
		stage="$tmp/$os-$arch"
		archive="$dist/kubectl-wf_${version}_${os}_${arch}.tar.gz"
		log "building $os/$arch"
		mkdir -p "$stage"
		build_binary "$os" "$arch" "$stage/kubectl-wf$ext" "$ldflags"
		cp "$ROOT/LICENSE" "$ROOT/kubectl_complete-wf" "$stage/"
		# Modes as released, whatever the checkout's umask made of them.
		chmod 0755 "$stage/kubectl-wf$ext" "$stage/kubectl_complete-wf"
		chmod 0644 "$stage/LICENSE"
		pack_archive "$stage" "$archive"
		sha=$(sha256_of "$archive")
		printf '%s_%s %s\n' "$os" "$arch" "$sha" >>"$tmp/shas"
		printf '%s  %s\n' "$sha" "${archive##*/}" >>"$tmp/checksums"
	done

	executor_image "$dist/executor-image"

	render_manifest "$ROOT/krew.yaml" "$version" "$tmp/shas" >"$tmp/wf.yaml"
	mv "$tmp/wf.yaml" "$dist/wf.yaml"
	sort -k2 "$tmp/checksums" >"$dist/checksums.txt"
	log "wrote $dist/wf.yaml and $dist/checksums.txt:"
	sed 's/^/  /' "$dist/checksums.txt" >&2
}

main "$@"
