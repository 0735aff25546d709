#!/usr/bin/env bash
# Builds the local cluster's images without Docker and pushes them to the
# local registry under their real names, so that pods pull them exactly as
# they would from Docker Hub:
#   busybox, busybox:latest   busybox-static from Debian
#   alpine:3.23               the busybox image plus Alpine's release files and top folders,
#                             Debian's dynamic busybox as sh (it runs what PATH finds, as
#                             Alpine's does), and an nc that takes Alpine's -k
#   python:alpine3.23         that plus Debian's python3 (python, python3, sh)
#   argoproj/argosay:v2       busybox plus an argosay stand-in (hack/images/argosay)
#   argoproj/argosay:v1       busybox plus Debian's cowsay and perl-base
#   curlimages/curl:latest    the alpine stand-in plus Debian's curl
#   nginx:1.13                busybox plus Debian's nginx, serving its default page on :80
#   influxdb:1.2              busybox plus Debian's influxdb (1.6), influxd on :8086
#   node:9.1-alpine           the alpine stand-in plus the host's nodejs (node only)
#   registry.k8s.io/pause:3.10  the pod sandbox (hack/images/pause)
#   ghcr.io/kubectl-wf/executor:latest  the static kubectl-wf-executor alone,
#                             built from this repo (cmd/kubectl-wf-executor)
# The Debian programs come with the shared libraries they load (ldd), and
# the Debian packages they come from are installed when missing.
# Layers are tarballs made with tar and pushed with crane; they are rebuilt
# only when missing, and pushing a blob the registry holds is instant.
# Usage: build.sh   (up.sh runs it after each registry start: the registry
# keeps blobs but forgets tags when it restarts)
#        build.sh --layers [NAME...]   only builds the layers (all, or those
#        named) into the cache: no crane, no registry
set -euo pipefail
# shellcheck source=SCRIPTDIR/../cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

LAYERS="$CACHE/images"
# The Debian packages the layers are made from.
IMAGE_PACKAGES=(busybox-static python3-minimal libpython3-stdlib curl ca-certificates nginx
	influxdb nodejs cowsay perl-base)
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
	local r="$1/root" deb
	# Alpine's top-level folders that busybox's image lacks (map-reduce.yaml
	# makes a folder in /mnt).
	mkdir -p "$r"/{etc,mnt,opt,srv,media,run}
	echo "3.23.0" >"$r/etc/alpine-release"
	cat >"$r/etc/os-release" <<'OS'
NAME="Alpine Linux (kubectl-wf busybox stand-in)"
ID=alpine
VERSION_ID=3.23.0
PRETTY_NAME="Alpine Linux v3.23 (busybox stand-in)"
OS
	# Alpine's sh runs the program PATH finds; busybox-static's runs its
	# own applet whatever PATH holds, so no program could stand in for
	# one. Debian's dynamically linked busybox (its ash) is sh and ash here.
	deb="$(mktemp -d)"
	deb_unpack busybox "$deb"
	install -D -m 0755 "$deb/bin/busybox" "$r/usr/lib/busybox-ash/busybox"
	glibc_files "$r" "$deb/bin/busybox"
	rm -rf "$deb"
	mkdir -p "$r/bin"
	ln -sfn /usr/lib/busybox-ash/busybox "$r/bin/sh"
	ln -sfn /usr/lib/busybox-ash/busybox "$r/bin/ash"
	# Alpine's nc keeps listening with -k (variables-showcase.yaml's daemon
	# runs nc -lk); Debian's busybox spells that -ll.
	install -D -m 0755 /dev/stdin "$r/usr/bin/nc" <<'NC'
#!/bin/sh
# kubectl-wf's Alpine stand-in: Alpine's busybox nc -k (keep listening)
# is Debian's busybox nc -ll.
for a; do
	shift
	case $a in
	-lk | -kl) set -- "$@" -ll ;;
	-k) set -- "$@" -l ;;
	*) set -- "$@" "$a" ;;
	esac
done
exec busybox nc "$@"
NC
	pack "$r" "$2"
}

# deb_unpack PKG DIR unpacks Debian's package PKG, downloaded and not
# installed (Debian's busybox conflicts with the host's busybox-static).
deb_unpack() {
	local dl
	dl="$(mktemp -d)"
	chmod 755 "$dl" # apt's _apt user writes the download
	(cd "$dl" && { apt-get download -qq "$1" 2>/dev/null || { apt-get update -qq && apt-get download -qq "$1"; }; }) >&2
	dpkg-deb -x "$dl/$1"_*.deb "$2"
	rm -rf "$dl"
}

# pkg_files PKG... lists the files of Debian packages, less documentation and
# what only an init system uses, each under its canonical folder (this host
# is usr-merged: /lib/systemd is /usr/lib/systemd), without the leading /.
pkg_files() {
	local f d
	local -A canon=()
	dpkg -L "$@" |
		grep -vE '^/usr/share/(doc|man|lintian|binfmts|pixmaps|applications|bug|apport|vim)/|^(/usr)?/lib/systemd/|^/etc/(init\.d|logrotate\.d|ufw|default)/' |
		while read -r f; do
			# Files and links, but not the host's own usr-merge links (/lib).
			[[ -L $f || -f $f ]] || continue
			d="${f%/*}"
			[[ -n $d ]] || continue
			[[ -n ${canon[$d]:-} ]] || canon[$d]="$(readlink -f "$d")"
			f="${canon[$d]}/${f##*/}"
			printf '%s\n' "${f#/}"
		done | sort -u
}

# copy_pkgs ROOT PKG...: copies the packages' files (pkg_files) into ROOT.
copy_pkgs() {
	local r="$1"
	shift
	mkdir -p "$r"
	pkg_files "$@" | tar -C / --no-recursion -cf - -T - | tar -C "$r" -xf -
}

# shared_libs FILE... lists every shared library the programs load, and the
# ELF interpreter.
shared_libs() {
	ldd "$@" 2>/dev/null |
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

# glibc_files ROOT PROGRAM...: copies the libraries the programs load into
# ROOT. Their ELF interpreter is /lib64/ld-linux-x86-64.so.2: give the image
# the host's usr-merge links so that path resolves.
glibc_files() {
	local r="$1" f
	shift
	shared_libs "$@" | while read -r f; do copy_canonical "$f" "$r"; done
	ln -sfn usr/lib "$r/lib"
	ln -sfn usr/lib64 "$r/lib64"
	copy_canonical /usr/lib64/ld-linux-x86-64.so.2 "$r"
}

# accounts ROOT LINE...: /etc/passwd and /etc/group with root and nobody and
# the lines given (seven fields go to passwd, four to group), as the image on
# Docker Hub has them. Home folders are not made: layers are owned by root.
accounts() {
	local r="$1" a
	shift
	base_files "$r"
	for a in "$@"; do
		case $a in
		*:*:*:*:*:*:*) printf '%s\n' "$a" >>"$r/etc/passwd" ;;
		*) printf '%s\n' "$a" >>"$r/etc/group" ;;
		esac
	done
}

# Hostnames resolve from /etc/hosts first, as in the images on Docker Hub
# (glibc without the file would ask DNS first).
nsswitch() {
	mkdir -p "$1/etc"
	printf '%s\n' 'hosts: files dns' 'passwd: files' 'group: files' >"$1/etc/nsswitch.conf"
}

# dir_links FILE ROOT: recreates in ROOT the links among FILE's folders below
# the top level (/usr/share/perl/5.36 → 5.36.0), so that the path FILE was
# found at resolves in the image too.
dir_links() {
	local d p="" c parts
	d="$(dirname "$1")"
	IFS=/ read -ra parts <<<"${d#/}"
	for c in "${parts[@]}"; do
		p="$p/$c"
		[[ -L $p && ${p%/*} != "" ]] || continue
		d="$(readlink -f "${p%/*}")"
		[[ -e $2$d/$c || -L $2$d/$c ]] || ln -s "$(readlink "$p")" "$2$d/$c"
	done
}

python_layer() {
	local r="$1/root" ver real
	real="$(readlink -f /usr/bin/python3)"
	ver="${real##*/python}"
	copy_pkgs "$r" "python$ver-minimal" "libpython$ver-minimal" "libpython$ver-stdlib"
	glibc_files "$r" "/usr/bin/python$ver" "/usr/lib/python$ver"/lib-dynload/*.so
	ln -sfn "python$ver" "$r/usr/bin/python3"
	ln -sfn "python$ver" "$r/usr/bin/python"
	mkdir -p "$r/usr/local/bin"
	ln -sfn "/usr/bin/python$ver" "$r/usr/local/bin/python3"
	ln -sfn "/usr/bin/python$ver" "$r/usr/local/bin/python"
	pack "$r" "$2"
}

# curl_layer: Debian's curl and CA certificates, and curlimages/curl's
# entrypoint and user (curl_user, uid 100).
curl_layer() {
	local r="$1/root"
	copy_pkgs "$r" curl
	glibc_files "$r" /usr/bin/curl
	mkdir -p "$r/etc/ssl/certs"
	cp -L /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
	nsswitch "$r"
	accounts "$r" "curl_user:x:100:101:Linux User,,,:/home/curl_user:/sbin/nologin" "curl_group:x:101:curl_user"
	cat >"$r/entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ]; then
	set -- curl "$@"
fi
exec "$@"
SH
	chmod 755 "$r/entrypoint.sh"
	pack "$r" "$2"
}

# nginx_layer: Debian's nginx with the configuration of the nginx image on
# Docker Hub: workers run as nginx (101), / serves /usr/share/nginx/html,
# and the logs go to the container's stdout and stderr.
nginx_layer() {
	local r="$1/root"
	copy_pkgs "$r" nginx nginx-common
	glibc_files "$r" /usr/sbin/nginx
	nsswitch "$r"
	accounts "$r" "nginx:x:101:101:nginx user,,,:/nonexistent:/bin/false" "nginx:x:101:"
	mkdir -p "$r"/{run,var/lib/nginx,var/log/nginx,var/cache/nginx,etc/nginx/conf.d}
	ln -sfn ../run "$r/var/run"
	ln -sfn /dev/stdout "$r/var/log/nginx/access.log"
	ln -sfn /dev/stderr "$r/var/log/nginx/error.log"
	cat >"$r/etc/nginx/nginx.conf" <<'CONF'
user  nginx;
worker_processes  1;

error_log  /var/log/nginx/error.log warn;
pid        /var/run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
CONF
	cat >"$r/etc/nginx/conf.d/default.conf" <<'CONF'
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
CONF
	pack "$r" "$2"
}

# influxdb_layer: Debian's influxdb (1.6, the same HTTP API as 1.2), with
# the configuration and entrypoint of the influxdb:1.2 image, less usage
# reports (pods cannot reach the internet).
influxdb_layer() {
	local r="$1/root" f bins=()
	copy_pkgs "$r" influxdb
	for f in /usr/bin/influx*; do [[ -x $f ]] && bins+=("$f"); done
	glibc_files "$r" "${bins[@]}"
	nsswitch "$r"
	mkdir -p "$r/var/lib/influxdb" "$r/etc/influxdb"
	cat >"$r/etc/influxdb/influxdb.conf" <<'CONF'
reporting-disabled = true

[meta]
  dir = "/var/lib/influxdb/meta"

[data]
  dir = "/var/lib/influxdb/data"
  engine = "tsm1"
  wal-dir = "/var/lib/influxdb/wal"
CONF
	cat >"$r/entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then
	set -- influxd "$@"
fi
exec "$@"
SH
	chmod 755 "$r/entrypoint.sh"
	pack "$r" "$2"
}

# node_layer: the node program of the host's nodejs package (Debian's, or
# NodeSource's where that is installed) with its libraries; no npm.
node_layer() {
	local r="$1/root"
	mkdir -p "$r/usr/bin" "$r/usr/local/bin"
	cp -L /usr/bin/node "$r/usr/bin/node"
	glibc_files "$r" /usr/bin/node
	ln -sfn /usr/bin/node "$r/usr/local/bin/node"
	ln -sfn node "$r/usr/bin/nodejs"
	nsswitch "$r"
	accounts "$r" "node:x:1000:1000:Linux User,,,:/home/node:/bin/sh" "node:x:1000:node"
	pack "$r" "$2"
}

# cowsay_layer: what argoproj/argosay:v1 is, Ubuntu's cowsay in /usr/games:
# Debian's cowsay, perl-base, and the modules cowsay loads beyond them
# (listed by running it).
cowsay_layer() {
	local r="$1/root" f
	copy_pkgs "$r" cowsay perl-base libtext-charwidth-perl
	OUT="$1/modules" perl -e '
		END { open(my $o, ">", $ENV{OUT}) or die; print $o "$_\n" for values %INC, @DynaLoader::dl_shared_objects }
		do "/usr/games/cowsay"; die $@ if $@' hello >/dev/null
	grep '^/' "$1/modules" | while read -r f; do
		copy_canonical "$f" "$r"
		dir_links "$f" "$r"
	done
	# shellcheck disable=SC2046 # one path a line, without spaces
	glibc_files "$r" /usr/bin/perl $(grep '\.so$' "$1/modules")
	pack "$r" "$2"
}

# file_layer SRC DEST OUT: a layer holding one executable at /DEST.
file_layer() {
	local r="$1/root"
	mkdir -p "$r"
	install -m 0755 "$2" "$r/$3"
	pack "$r" "$4"
}

# wanted NAME: whether ONLY (build.sh --layers NAME...) leaves NAME in; a
# layer NAME-SUFFIX is wanted by its NAME too.
ONLY=()
wanted() {
	((${#ONLY[@]} == 0)) || [[ " ${ONLY[*]} " == *" $1 "* || " ${ONLY[*]} " == *" ${1%%-*} "* ]]
}

# layer NAME FUNC ARGS...: builds $LAYERS/NAME.tar.gz with FUNC unless it
# exists (or always, for NAME marked fresh), or unless ONLY names others.
layer() {
	local name="$1" fn="$2" tmp out="$LAYERS/$1.tar.gz"
	shift 2
	wanted "$name" || return 0
	[[ -s $out && $name != *-fresh ]] && return 0
	tmp="$(mktemp -d)"
	"$fn" "$tmp" "$@" "$out"
	rm -rf "$tmp"
}

build_layers() {
	mkdir -p "$LAYERS"
	layer busybox busybox_layer
	# -r2: named anew when its content changes, since layers are kept by name.
	layer alpine-r3 alpine_layer
	layer python python_layer
	layer curl curl_layer
	layer nginx nginx_layer
	layer influxdb influxdb_layer
	layer node node_layer
	layer cowsay cowsay_layer
	# The two programs are rebuilt with the repo (build.sh), so their layers
	# are too; identical content keeps the same digest.
	layer argosay-fresh file_layer "$BIN/argosay" argosay
	layer pause-fresh file_layer "$BIN/pause" pause
	if wanted executor; then
		executor_build
		layer "$EXECUTOR_LAYER" file_layer "$BIN/kubectl-wf-executor" kubectl-wf-executor
	fi
}

# executor_build builds kubectl-wf-executor from this repo (seconds with a
# warm Go cache) and names its layer by the binary's hash: a changed binary
# gets a new layer, an unchanged one keeps its layer and digest. Older
# executor layers are removed.
EXECUTOR_LAYER=
executor_build() {
	local out="$BIN/kubectl-wf-executor" old
	mkdir -p "$BIN"
	(cd "$REPO_ROOT" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 10 \
		go build -buildvcs=false -trimpath -ldflags "-s -w" -o "$out" ./cmd/kubectl-wf-executor)
	EXECUTOR_LAYER="executor-$(sha256sum "$out" | cut -c1-16)"
	for old in "$LAYERS"/executor-*.tar.gz; do
		[[ -e $old && $old != "$LAYERS/$EXECUTOR_LAYER.tar.gz" ]] && rm -f "$old"
	done
	return 0
}

# push REF [--path PATH] MUTATE_ARGS -- LAYER...: pushes an image made of the
# layers, then sets its platform and config (PATH is $PATH_ENV unless given).
# REF is a path in the local registry.
push() {
	local ref="$REGISTRY/$1" path="$PATH_ENV" args=() files=()
	shift
	if [[ $1 == --path ]]; then path="$2"; shift 2; fi
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	local l
	for l in "$@"; do files+=(-f "$LAYERS/$l.tar.gz"); done
	"$CRANE" append "${files[@]}" -t "$ref" >/dev/null 2>>"$LOGS/images.log"
	"$CRANE" mutate "$ref" --set-platform linux/amd64 -e "PATH=$path" "${args[@]}" -t "$ref" \
		>/dev/null 2>>"$LOGS/images.log"
}

push_all() {
	push library/busybox:latest --cmd sh -- busybox
	push library/alpine:3.23 --cmd /bin/sh -- busybox alpine-r3
	push library/python:alpine3.23 --cmd python3 -- busybox alpine-r3 python
	push argoproj/argosay:v2 --entrypoint /argosay -- busybox argosay-fresh
	push argoproj/argosay:v1 --path "$PATH_ENV:/usr/games" --cmd cowsay -- busybox cowsay
	push curlimages/curl:latest --entrypoint /entrypoint.sh --cmd curl --user curl_user -- busybox alpine-r3 curl
	push library/nginx:1.13 "--cmd=nginx,-g,daemon off;" --exposed-ports 80/tcp -- busybox nginx
	push library/influxdb:1.2 --entrypoint /entrypoint.sh --cmd influxd --exposed-ports 8086/tcp -- busybox influxdb
	push library/node:9.1-alpine --cmd node -- busybox alpine-r3 node
	push pause:3.10 --entrypoint /pause -- pause-fresh
	push kubectl-wf/executor:latest --entrypoint /kubectl-wf-executor -- "$EXECUTOR_LAYER"
}

# quiet_services: on a host run by systemd, installing nginx or influxdb
# also enables and starts its service; the images need only the files, so
# the services this run installed are stopped and disabled again.
quiet_services() {
	local p
	[[ -d /run/systemd/system ]] || return 0
	for p in "${INSTALLED[@]}"; do
		case $p in nginx | influxdb) systemctl disable --now "$p" >&2 || true ;; esac
	done
}

main() {
	local push=1
	if [[ ${1:-} == --layers ]]; then
		push=
		shift
		ONLY=("$@")
	fi
	[[ -z $push || -x $CRANE ]] || die "crane is missing: run hack/cluster/build.sh"
	mkdir -p "$LOGS"
	ensure_packages "${IMAGE_PACKAGES[@]}"
	quiet_services
	build_layers
	if [[ -z $push ]]; then
		log "layers built in $LAYERS"
		return 0
	fi
	push_all
	forget_changed
	log "images pushed to $REGISTRY"
}

# forget_changed drops from the local cluster's containerd each image it
# holds whose tag now names another image in the registry: a pod whose
# image is not :latest does not pull it again, so a changed stand-in would
# otherwise not be seen until the cluster is made anew.
forget_changed() {
	[[ -S $CONTAINERD_SOCK ]] || return 0
	local ref digest path want
	while read -r ref _ digest _; do
		[[ $ref == *@* || $ref == REF ]] && continue
		path="${ref#*/}" # the registry's host (docker.io, ghcr.io, ...) goes
		want="$("$CRANE" digest "$REGISTRY/$path" 2>/dev/null)" || continue
		if [[ $want != "$digest" ]]; then
			ctr --address "$CONTAINERD_SOCK" -n k8s.io images rm "$ref" >/dev/null 2>>"$LOGS/images.log" || true
		fi
	done < <(ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls 2>/dev/null)
}

main "$@"
