package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// echoServer answers every request with a line saying what it received,
// 404 for /missing, after 5 s for /slow. Of the X-Token header it says only whether it is the
// Secret's value, which it has from its environment.
const echoServer = `
import http.server, os, time
class Echo(http.server.BaseHTTPRequestHandler):
    def reply(self):
        if self.path == "/slow":
            time.sleep(5)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        token = self.headers.get("X-Token")
        token = "none" if token is None else "right" if token == os.environ["TOKEN"] else "wrong"
        out = ("%s %s token=%s body=%s\n" % (self.command, self.path, token, body)).encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("X-Echo", "yes")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = reply
http.server.ThreadingHTTPServer(("", 8080), Echo).serve_forever()
`

// secretToken is sent as a header from a Secret: shell and Kubernetes
// syntax in it must reach the server as they are.
const secretToken = `s3cret $(HOME) 'q' $x`

const httpWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: http-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: get
            template: request
            arguments: {parameters: [{name: path, value: /hello}, {name: condition, value: 'response.headers["X-Echo"][0] == "yes"'}]}
          - name: wrong-status
            template: request
            continueOn: {failed: true}
            arguments: {parameters: [{name: path, value: /hello}, {name: condition, value: "response.statusCode == 201"}]}
          - name: missing
            template: request
            continueOn: {failed: true}
            arguments: {parameters: [{name: path, value: /missing}, {name: condition, value: ""}]}
          - name: post
            template: post
          - name: refused
            template: unreachable
            continueOn: {failed: true}
            arguments: {parameters: [{name: url, value: "http://%[1]s:8081/"}]}
          - name: too-slow
            template: unreachable
            continueOn: {failed: true}
            arguments: {parameters: [{name: url, value: "http://%[1]s:8080/slow"}]}
        - - name: use
            template: print
            arguments: {parameters: [{name: text, value: "{{steps.get.outputs.result}}"}]}
    - name: request
      inputs:
        parameters: [{name: path}, {name: condition}]
      http:
        url: "http://%[1]s:8080{{inputs.parameters.path}}"
        successCondition: "{{inputs.parameters.condition}}"
    - name: post
      http:
        method: POST
        url: "http://%[1]s:8080/post"
        body: payload
        headers:
          - name: X-Token
            valueFrom:
              secretKeyRef: {name: api, key: token}
    - name: unreachable
      inputs:
        parameters: [{name: url}]
      http:
        url: "{{inputs.parameters.url}}"
        timeoutSeconds: 1
    - name: print
      inputs:
        parameters: [{name: text}]
      container:
        image: alpine:3.23
        command: [echo, "printed: {{inputs.parameters.text}}"]
`

// TestHTTPTemplate runs http templates against a server in the cluster:
// the body becomes outputs.result byte for byte, a false successCondition
// and a 404 fail with Argo's messages, a refused connection and a
// timeoutSeconds that runs out fail with curl's, and a Secret's header
// value reaches the server while staying out of the workflow and its Jobs.
func TestHTTPTemplate(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	ctx := context.Background()
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "api"},
		StringData: map[string]string{"token": secretToken},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	server := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "echo", Image: "python:alpine3.23", Command: []string{"python3", "-u", "-c", echoServer},
			Env: []corev1.EnvVar{{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "api"}, Key: "token"}}}},
			ReadinessProbe: &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
				TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
		}}},
	}
	ready := readyPod(t, cs, ns, server)

	file := writeTemp(t, fmt.Sprintf(httpWorkflow, ready.Status.PodIP))
	code, out, errOut := onCluster(t, ns, "submit", file)
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, submitted(t, out))
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	tests := []struct {
		step, result, message string
		phase                 watch.Phase
	}{
		{step: ".get", phase: watch.Succeeded, result: "GET /hello token=none body=\n"},
		{step: ".wrong-status", phase: watch.Failed, result: "GET /hello token=none body=\n",
			message: "successCondition 'response.statusCode == 201' evaluated false"},
		{step: ".missing", phase: watch.Failed, result: "GET /missing token=none body=\n",
			message: "received non-2xx response code: 404"},
		{step: ".post", phase: watch.Succeeded, result: "POST /post token=right body=payload\n"},
	}
	// No response: curl's error, and no outputs, as Argo gives Go's.
	for step, message := range map[string]string{
		".refused":  "curl: (7) Failed to connect to " + ready.Status.PodIP + " port 8081",
		".too-slow": "curl: (28) Operation timed out after",
	} {
		if n := nodeByName(doc, step); n == nil || n.Phase != watch.Failed || !strings.HasPrefix(n.Message, message) || n.Outputs != nil {
			t.Errorf("%s = %+v, want Failed with %q…, no outputs", step, n, message)
		}
	}
	for _, tt := range tests {
		n := nodeByName(doc, tt.step)
		switch {
		case n == nil:
			t.Errorf("no node %s", tt.step)
		case n.Type != compile.NodeHTTP || n.Phase != tt.phase || n.Message != tt.message:
			t.Errorf("%s: %s %s %q, want HTTP %s %q", tt.step, n.Type, n.Phase, n.Message, tt.phase, tt.message)
		case n.Outputs == nil || n.Outputs.Result == nil:
			t.Errorf("%s: no outputs.result, want %q", tt.step, tt.result)
		case *n.Outputs.Result != tt.result:
			t.Errorf("%s: outputs.result %q, want %q", tt.step, *n.Outputs.Result, tt.result)
		}
	}
	if logs := logsOf(t, ns, doc.Name); !strings.Contains(logs, "printed: GET /hello token=none body=") {
		t.Errorf("the result did not reach the next step:\n%s", logs)
	}

	// The Secret's value is in no object kubectl-wf made: the workflow
	// object (spec and status) and the Jobs (spec and recorded results).
	wf, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, doc.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=" + doc.Name})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range []any{wf, jobs} {
		b, _ := json.Marshal(obj)
		if strings.Contains(string(b), "s3cret") {
			t.Errorf("the Secret's value is stored in %T", obj)
		}
	}
}
