package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// filesServer is busybox's httpd serving /www: a text file, a tarball of
// two files, and /private/ behind basic auth (user u, password p).
const filesServer = `
mkdir -p /www/private /src/bundle
echo hello >/www/hello.txt
echo one >/src/bundle/1.txt
echo two >/src/bundle/2.txt
tar czf /www/bundle.tgz -C /src/bundle 1.txt 2.txt
echo secret >/www/private/key.txt
echo /private:u:p >/etc/httpd.conf
exec httpd -f -p 8080 -h /www -c /etc/httpd.conf -r files
`

// httpArtifactsWorkflow fetches a file and a tarball as a step's inputs
// (the tarball through the caller's argument, its URL a parameter), one
// with basic auth from a Secret; then a 404, which fails the pod before
// main starts, and an optional 404, which is skipped.
const httpArtifactsWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: http-artifacts}
spec:
  entrypoint: main
  arguments: {parameters: [{name: base, value: "http://%s:8080"}]}
  templates:
  - name: main
    steps:
    - - name: fetched
        template: show
        arguments:
          artifacts: [{name: bundle, http: {url: "{{workflow.parameters.base}}/bundle.tgz"}}]
    - - {name: missing, template: missing, continueOn: {error: true}}
      - {name: optional, template: optional}
  - name: show
    inputs:
      artifacts:
      - {name: bundle, path: /in/bundle}
      - {name: hello, path: /in/hello.txt, mode: 0755, http: {url: "{{workflow.parameters.base}}/hello.txt"}}
      - name: key
        path: /in/key.txt
        http:
          url: "{{workflow.parameters.base}}/private/key.txt"
          auth: {basicAuth: {usernameSecret: {name: files, key: user}, passwordSecret: {name: files, key: password}}}
    container:
      image: busybox
      command: [sh, -c, "cat /in/bundle/1.txt /in/bundle/2.txt /in/hello.txt /in/key.txt; stat -c %%a /in/hello.txt"]
  - name: missing
    inputs: {artifacts: [{name: gone, path: /in/gone, http: {url: "{{workflow.parameters.base}}/gone"}}]}
    container: {image: busybox, command: [echo, never]}
  - name: optional
    inputs: {artifacts: [{name: gone, path: /in/gone, optional: true, http: {url: "{{workflow.parameters.base}}/gone"}}]}
    container: {image: busybox, command: [echo, ran]}
`

// TestHTTPArtifactsOnCluster: http input artifacts are fetched inside the
// pod before main starts, as Argo's init container fetches them.
func TestHTTPArtifactsOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "files"},
		StringData: map[string]string{"user": "u", "password": "p"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	server := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "files"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "httpd", Image: "busybox", Command: []string{"sh", "-c", filesServer},
			ReadinessProbe: &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
				TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
		}}},
	}
	ready := readyPod(t, cs, ns, server)

	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, fmt.Sprintf(httpArtifactsWorkflow, ready.Status.PodIP)))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "http-artifacts")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	// The tarball's two files, the file, the one behind basic auth, the mode.
	logs := logsOf(t, ns, "http-artifacts")
	for _, line := range []string{"one", "two", "hello", "secret", "755"} {
		if want := "http-artifacts[0].fetched: " + line + "\n"; !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	missing := nodeByName(doc, ".missing")
	const wantMsg = "kubectl-wf-fetch: Error (exit code 1): artifact gone failed to load: 404 Not Found"
	if missing == nil || missing.Phase != watch.Error || missing.Message != wantMsg {
		t.Errorf("missing = %+v, want Error %q", missing, wantMsg)
	}
	if optional := nodeByName(doc, ".optional"); optional == nil || optional.Phase != watch.Succeeded {
		t.Errorf("optional = %+v, want Succeeded", optional)
	}
}
