# shellcheck shell=bash
# Certificates and kubeconfigs for the local cluster, made with openssl.
# Sourced by up.sh after lib.sh. One CA signs everything: the cluster lives
# for one session on one machine, so there is nothing to gain from more.

DAYS=365

# openssl_quiet runs openssl with its chatter sent to the log, not the terminal.
openssl_quiet() {
	openssl "$@" 2>>"$LOGS/pki.log" || die "openssl $1 failed: $(tail -n3 "$LOGS/pki.log")"
}

make_ca() {
	openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key"
	openssl_quiet req -x509 -new -key "$PKI/ca.key" -days "$DAYS" -sha256 \
		-subj "/CN=kubectl-wf-local-ca" -out "$PKI/ca.crt"
}

# make_cert NAME SUBJECT USAGE [SANS]: a key and a CA-signed certificate.
# USAGE is clientAuth, serverAuth or both; SANS is an openssl
# subjectAltName value such as "DNS:localhost,IP:127.0.0.1".
make_cert() {
	local name="$1" subj="$2" usage="$3" sans="${4:-}" ext="$PKI/$1.ext"
	openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key"
	openssl_quiet req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr"
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$usage"
		[[ -z $sans ]] || echo "subjectAltName=$sans"
	} >"$ext"
	openssl_quiet x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days "$DAYS" -sha256 -extfile "$ext" -out "$PKI/$name.crt"
	rm -f "$PKI/$name.csr" "$ext"
}

# make_kubeconfig NAME: a kubeconfig for the client certificate NAME that
# points at the apiserver, with absolute paths so it works from anywhere.
make_kubeconfig() {
	local name="$1"
	cat >"$STATE/$name.kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: kubectl-wf-local
  cluster:
    server: https://$HOST:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $name
  user:
    client-certificate: $PKI/$name.crt
    client-key: $PKI/$name.key
contexts:
- name: kubectl-wf-local
  context:
    cluster: kubectl-wf-local
    user: $name
current-context: kubectl-wf-local
KCFG
}

make_pki() {
	local svc_ip="${SERVICE_CIDR%.*}.1"
	mkdir -p "$PKI"
	make_ca
	make_cert apiserver "/CN=kube-apiserver" serverAuth \
		"DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:$HOST,IP:$svc_ip"
	make_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
	make_cert kubelet-serving "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:$HOST"
	make_cert admin "/O=system:masters/CN=kubectl-wf-admin" clientAuth
	make_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
	make_cert scheduler "/CN=system:kube-scheduler" clientAuth
	make_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
	# Service-account tokens: the apiserver verifies, the controller-manager
	# and the apiserver's TokenRequest sign.
	openssl_quiet genrsa -out "$PKI/sa.key" 2048
	openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
	local k
	for k in admin controller-manager scheduler kubelet; do make_kubeconfig "$k"; done
	# The user's kubeconfig is the admin one, at a stable absolute path.
	mv "$STATE/admin.kubeconfig" "$KUBECONFIG_FILE"
}
