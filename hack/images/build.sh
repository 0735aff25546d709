#!/usr/bin/env bash
# Builds the local cluster's images without Docker and pushes them to the
# local registry under their real names, so that pods pull them exactly as
# they would from Docker Hub:
#   busybox, busybox:latest   busybox-static from Debian
#   alpine:3.23               the busybox image plus Alpine's release files
#   python:alpine3.23         that plus Debian's python3 (python, python3, sh)
#   argoproj/argosay:v2       busybox plus an argosay stand-in (hack/images/argosay)
#   registry.k8s.io/pause:3.10  the pod sandbox (hack/images/pause)
# Layers are tarballs made with tar and pushed with crane; they are rebuilt
# only when missing, and pushing a blob the registry holds is instant.
# Usage: build.sh   (up.sh runs it after each registry start: the registry
# keeps blobs but forgets tags when it restarts)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

LAYERS="$CACHE/images"
# Same settings as a Linux image from Docker Hub.
PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# pack DIR OUT: a reproducible gzip'd tarball of DIR, owned by root, so an
# unchanged layer keeps its digest and its push costs nothing.
pack() {
	tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . |
		gzip -n -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# base_files ROOT: the few files every Linux image has.
base_files() {
	local r="$1"
	mkdir -p "$r"/{etc,root,tmp,var/tmp,home,proc,sys,dev}
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chmod 700 "$r/root"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$r/etc/group"
}

busybox_layer() {
	local r="$1/root" applet
	# busybox-static's binary: it needs no library in the image.
	local bb=/bin/busybox
	base_files "$r"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin}
	cp "$bb" "$r/bin/busybox"
	# One link per applet, where busybox itself would install it.
	while read -r applet; do
		[[ -e $r/$applet ]] || ln -s /bin/busybox "$r/$applet"
	done < <("$bb" --list-full)
	pack "$r" "$2"
}

alpine_layer() {
	local r="$1/root"
	mkdir -p "$r/etc"
	echo "3.23.0" >"$r/etc/alpine-release"
	cat >"$r/etc/os-release" <<'OS'
NAME="Alpine Linux (kubectl-wf busybox stand-in)"
ID=alpine
VERSION_ID=3.23.0
PRETTY_NAME="Alpine Linux v3.23 (busybox stand-in)"
OS
	pack "$r" "$2"
}

# python_pkg_files lists the files of Debian's python3 packages, less
# documentation (the paths are already canonical, under /usr).
python_pkg_files() {
	local ver="$1" f
	dpkg -L "python$ver-minimal" "libpython$ver-minimal" "libpython$ver-stdlib" |
		grep -vE '^/usr/share/(doc|man|lintian|binfmts|pixmaps|applications)' |
		while read -r f; do
			if [[ -L $f || -f $f ]]; then printf '%s\n' "${f#/}"; fi
		done
}

# python_libs lists every shared library python and its extension modules load.
python_libs() {
	local ver="$1"
	ldd "/usr/bin/python$ver" "/usr/lib/python$ver"/lib-dynload/*.so 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// {print $3; next} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u
}

# copy_canonical FILE ROOT: copies FILE to ROOT under its canonical folder
# (this host is usr-merged: /lib/x/libz.so.1 is /usr/lib/x/libz.so.1), and
# the file a link points at with it.
copy_canonical() {
	local f="$1" r="$2" dir
	dir="$(readlink -f "$(dirname "$f")")"
	mkdir -p "$r$dir"
	cp -a "$f" "$r$dir/"
	if [[ -L $f ]]; then copy_canonical "$(readlink -f "$f")" "$r"; fi
}

python_layer() {
	local r="$1/root" ver real f
	real="$(readlink -f /usr/bin/python3)"
	ver="${real##*/python}"
	mkdir -p "$r"
	python_pkg_files "$ver" >"$1/files"
	tar -C / --no-recursion -cf - -T "$1/files" | tar -C "$r" -xf -
	python_libs "$ver" | while read -r f; do copy_canonical "$f" "$r"; done
	ln -sfn "python$ver" "$r/usr/bin/python3"
	ln -sfn "python$ver" "$r/usr/bin/python"
	mkdir -p "$r/usr/local/bin"
	ln -sfn "/usr/bin/python$ver" "$r/usr/local/bin/python3"
	ln -sfn "/usr/bin/python$ver" "$r/usr/local/bin/python"
	# The ELF interpreter is /lib64/ld-linux-x86-64.so.2: give the image the
	# host's usr-merge links so that path resolves.
	ln -sfn usr/lib "$r/lib"
	ln -sfn usr/lib64 "$r/lib64"
	copy_canonical /usr/lib64/ld-linux-x86-64.so.2 "$r"
	pack "$r" "$2"
}

# file_layer SRC DEST OUT: a layer holding one executable at /DEST.
file_layer() {
	local r="$1/root"
	mkdir -p "$r"
	install -m 0755 "$2" "$r/$3"
	pack "$r" "$4"
}

# layer NAME FUNC ARGS...: builds $LAYERS/NAME.tar.gz with FUNC unless it
# exists (or always, for NAME marked fresh).
layer() {
	local name="$1" fn="$2" tmp out="$LAYERS/$1.tar.gz"
	shift 2
	[[ -s $out && $name != *-fresh ]] && return 0
	tmp="$(mktemp -d)"
	"$fn" "$tmp" "$@" "$out"
	rm -rf "$tmp"
}

build_layers() {
	mkdir -p "$LAYERS"
	layer busybox busybox_layer
	layer alpine alpine_layer
	layer python python_layer
	# The two programs are rebuilt with the repo (build.sh), so their layers
	# are too; identical content keeps the same digest.
	layer argosay-fresh file_layer "$BIN/argosay" argosay
	layer pause-fresh file_layer "$BIN/pause" pause
}

# push REF MUTATE_ARGS -- LAYER...: pushes an image made of the layers, then
# sets its platform and config. REF is a path in the local registry.
push() {
	local ref="$REGISTRY/$1" args=() files=()
	shift
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	local l
	for l in "$@"; do files+=(-f "$LAYERS/$l.tar.gz"); done
	"$CRANE" append "${files[@]}" -t "$ref" >/dev/null 2>>"$LOGS/images.log"
	"$CRANE" mutate "$ref" --set-platform linux/amd64 -e "PATH=$PATH_ENV" "${args[@]}" -t "$ref" \
		>/dev/null 2>>"$LOGS/images.log"
}

push_all() {
	push library/busybox:latest --cmd sh -- busybox
	push library/alpine:3.23 --cmd /bin/sh -- busybox alpine
	push library/python:alpine3.23 --cmd python3 -- busybox alpine python
	push argoproj/argosay:v2 --entrypoint /argosay -- busybox argosay-fresh
	push pause:3.10 --entrypoint /pause -- pause-fresh
}

main() {
	[[ -x $CRANE ]] || die "crane is missing: run hack/cluster/build.sh"
	mkdir -p "$LOGS"
	build_layers
	push_all
	log "images pushed to $REGISTRY"
}

main "$@"
