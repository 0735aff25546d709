package compile

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// An http template runs as a pod node whose container makes the request
// with curl (docs/design.md): the Job is created once under its
// deterministic name, so a driver that dies never repeats the request;
// Secret header values reach it as environment variables the kubelet
// fills in, so neither the driver nor the workflow object ever holds them;
// and the request sees the cluster's network, as Argo's agent pod does.
const (
	NodeHTTP = "HTTP"
	// HTTPImage runs the request: curl and a POSIX shell.
	HTTPImage = "curlimages/curl:latest"
	// RoleHTTP marks an http node's Job: its output is the response body,
	// which the driver always reads (Argo always sets outputs.result).
	RoleHTTP = "http"
	// RoleHTTPBody marks the ConfigMap holding an http request's body.
	RoleHTTPBody = "http-body"
	HTTPBodyKey  = "body"
	// httpHeaderEnv prefixes the variables holding Secret header values.
	httpHeaderEnv = "KUBECTL_WF_HEADER_"
)

// httpScript runs curl with the arguments the template gives (never as
// shell text: they are "$@"), then reports what the driver needs in the
// termination message, and the body on stdout, which becomes the node's
// result. The message holds, one per line: curl's exit code, its error
// message, the status code, then the headers as JSON; each part is cut
// short so that the whole fits the kubelet's 4 KiB.
// The newline after the body is the one the result's trimming removes, so
// the result is the body byte for byte.
const httpScript = `curl "$@" --output /tmp/body --write-out '%{response_code}\n%{header_json}' >/tmp/meta 2>/tmp/error
code=$?
{
	echo "curl $code"
	printf 'error '; head -c 512 /tmp/error | tr '\n' ' '; echo
	head -c 3400 /tmp/meta
} >/dev/termination-log
if [ -f /tmp/body ]; then cat /tmp/body; fi
echo
exit $code
`

// IsHTTPJob reports whether a Job runs an http node.
func IsHTTPJob(job *batchv1.Job) bool { return job.Labels[LabelRole] == RoleHTTP }

// HTTPBody is the request's body: bodyFrom.bytes when bodyFrom is set, as
// in Argo, else body.
func HTTPBody(h *wfv1.HTTP) []byte {
	if h.BodyFrom != nil {
		return h.BodyFrom.Bytes
	}
	return []byte(h.Body)
}

// httpContainer is the container that makes an instantiated http
// template's request, and the ConfigMap holding its body, if any.
func (w *Workflow) httpContainer(jobName, nodeName string, tmpl *wfv1.Template) (corev1.Container, *corev1.ConfigMap) {
	c := corev1.Container{
		Image:   HTTPImage,
		Command: []string{"sh", "-c", kubeEscape(httpScript), "curl"},
	}
	args, env := curlArgs(tmpl.HTTP)
	c.Args, c.Env = args, env
	body := HTTPBody(tmpl.HTTP)
	if len(body) == 0 {
		return c, nil
	}
	meta := w.objectMeta(ScriptConfigMapName(jobName), nodeName, tmpl.Name)
	meta.Labels[LabelRole] = RoleHTTPBody
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta,
		BinaryData: map[string][]byte{HTTPBodyKey: body},
	}
	c.Args = append(c.Args, "--data-binary", "@"+ScriptMountPath+"/"+HTTPBodyKey)
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: ScriptVolumeName, MountPath: ScriptMountPath, ReadOnly: true})
	return c, cm
}

// curlArgs are curl's arguments for the request, made to behave as Go's
// default client, which Argo's agent uses: http and https only, up to 10
// redirects, no Content-Type of its own. Every value from the template is
// escaped for Kubernetes' $(VAR) expansion, which only the Secret header
// values use.
func curlArgs(h *wfv1.HTTP) ([]string, []corev1.EnvVar) {
	args := []string{"--silent", "--show-error", "--location", "--max-redirs", "10",
		"--proto", "=http,https", "--proto-redir", "=http,https"}
	method := strings.ToUpper(h.Method)
	hasBody := len(HTTPBody(h)) > 0
	switch {
	case method == "HEAD":
		args = append(args, "--head")
	case method == "POST" && hasBody:
		// curl's own POST: like Go's client, it turns into a GET when
		// redirected by a 301, 302 or 303, where --request would keep it.
	case method != "" && method != "GET", hasBody:
		// With a body, curl would otherwise POST; Go sends the method as
		// given, GET by default.
		args = append(args, "--request", kubeEscape(first(h.Method, "GET")))
	}
	if h.TimeoutSeconds != nil {
		args = append(args, "--max-time", strconv.FormatInt(*h.TimeoutSeconds, 10))
	}
	if h.InsecureSkipVerify {
		args = append(args, "--insecure")
	}
	var env []corev1.EnvVar
	contentType := false
	for i, hd := range h.Headers {
		contentType = contentType || strings.EqualFold(hd.Name, "Content-Type")
		value := kubeEscape(hd.Value)
		if hd.ValueFrom != nil && hd.ValueFrom.SecretKeyRef != nil {
			name := fmt.Sprintf("%s%d", httpHeaderEnv, i)
			env = append(env, corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: hd.ValueFrom.SecretKeyRef.DeepCopy()}})
			value = "$(" + name + ")"
		}
		if value == "" {
			// `Name:` would remove the header; `Name;` sends it empty.
			args = append(args, "--header", kubeEscape(hd.Name)+";")
			continue
		}
		args = append(args, "--header", kubeEscape(hd.Name)+": "+value)
	}
	if !contentType && hasBody {
		args = append(args, "--header", "Content-Type:")
	}
	return append(args, "--url", kubeEscape(h.URL)), env
}

// kubeEscape protects text from the $(VAR) expansion Kubernetes applies
// to a container's command and arguments.
func kubeEscape(s string) string { return strings.ReplaceAll(s, "$", "$$") }
