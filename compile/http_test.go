package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// TestCurlArgs checks how each http field becomes curl's arguments, so
// that curl sends what Go's client sends for Argo's agent.
func TestCurlArgs(t *testing.T) {
	base := []string{"--silent", "--show-error", "--location", "--max-redirs", "10",
		"--proto", "=http,https", "--proto-redir", "=http,https"}
	secret := &wfv1.HTTPHeaderSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "api"}, Key: "token"}}
	tests := []struct {
		name     string
		http     wfv1.HTTP
		wantArgs []string
		wantEnv  []corev1.EnvVar
	}{{
		name:     "a GET sends no method of its own",
		http:     wfv1.HTTP{URL: "http://a/b"},
		wantArgs: []string{"--url", "http://a/b"},
	}, {
		name:     "GET in any case",
		http:     wfv1.HTTP{URL: "http://a", Method: "get"},
		wantArgs: []string{"--url", "http://a"},
	}, {
		name:     "HEAD waits for no body",
		http:     wfv1.HTTP{URL: "http://a", Method: "HEAD"},
		wantArgs: []string{"--head", "--url", "http://a"},
	}, {
		name:     "DELETE",
		http:     wfv1.HTTP{URL: "http://a", Method: "DELETE"},
		wantArgs: []string{"--request", "DELETE", "--url", "http://a"},
	}, {
		name: "a body without a method is sent with GET, as Go does, and with no Content-Type",
		http: wfv1.HTTP{URL: "http://a", Body: "x"},
		wantArgs: []string{"--request", "GET", "--header", "Content-Type:", "--url", "http://a",
			"--data-binary", "@/argo/staging/body"},
	}, {
		name: "a POST with a body is curl's own, and a Content-Type of the template's replaces none",
		http: wfv1.HTTP{URL: "http://a", Method: "POST", Body: "{}", Headers: []wfv1.HTTPHeader{{Name: "content-type", Value: "application/json"}}},
		wantArgs: []string{"--header", "content-type: application/json", "--url", "http://a",
			"--data-binary", "@/argo/staging/body"},
	}, {
		name:     "timeout and TLS verification",
		http:     wfv1.HTTP{URL: "https://a", TimeoutSeconds: ptr.To[int64](7), InsecureSkipVerify: true},
		wantArgs: []string{"--max-time", "7", "--insecure", "--url", "https://a"},
	}, {
		name: "headers: literal, empty, and from a Secret through the environment",
		http: wfv1.HTTP{URL: "http://a", Headers: []wfv1.HTTPHeader{
			{Name: "X-A", Value: "1"}, {Name: "X-Empty"}, {Name: "Authorization", ValueFrom: secret}}},
		wantArgs: []string{"--header", "X-A: 1", "--header", "X-Empty;", "--header", "Authorization: $(KUBECTL_WF_HEADER_2)", "--url", "http://a"},
		wantEnv:  []corev1.EnvVar{{Name: "KUBECTL_WF_HEADER_2", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secret.SecretKeyRef}}},
	}, {
		name:     "the template's $(…) is not expanded by Kubernetes",
		http:     wfv1.HTTP{URL: "http://a/$(HOME)", Method: "P$(X)", Headers: []wfv1.HTTPHeader{{Name: "X-$(A)", Value: "$(B)$$"}}},
		wantArgs: []string{"--request", "P$$(X)", "--header", "X-$$(A): $$(B)$$$$", "--url", "http://a/$$(HOME)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Workflow{Name: "wf", Namespace: "ns"}
			c, cm := w.httpContainer("job", "wf", &wfv1.Template{Name: "t", HTTP: &tt.http})
			if d := cmp.Diff(append(base, tt.wantArgs...), c.Args); d != "" {
				t.Errorf("args (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantEnv, c.Env); d != "" {
				t.Errorf("env (-want +got):\n%s", d)
			}
			if body := HTTPBody(&tt.http); (cm != nil) != (len(body) > 0) {
				t.Errorf("body %q, ConfigMap %v", body, cm)
			}
		})
	}
}

// TestHTTPJob checks the Job and ConfigMap of an http node: the body goes
// in binaryData byte for byte (bodyFrom winning over body, as in Argo),
// the Job is marked as an http node's, and no value from the template
// reaches the shell's text.
func TestHTTPJob(t *testing.T) {
	plan := compileYAML(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    http:
      url: "http://a/'; rm -rf / #"
      method: PUT
      body: ignored
      bodyFrom: {bytes: AAEC/w==}
`, nil)
	if len(plan.Jobs) != 1 || len(plan.ConfigMaps) != 1 {
		t.Fatalf("got %d Jobs and %d ConfigMaps, want 1 and 1", len(plan.Jobs), len(plan.ConfigMaps))
	}
	job, cm := plan.Jobs[0], plan.ConfigMaps[0]
	if !IsHTTPJob(job) || plan.Nodes[0].Type != NodeHTTP {
		t.Errorf("labels %v, node type %s: not an http node's", job.Labels, plan.Nodes[0].Type)
	}
	if d := cmp.Diff(map[string][]byte{HTTPBodyKey: {0, 1, 2, 0xff}}, cm.BinaryData); d != "" {
		t.Errorf("body (-want +got):\n%s", d)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != HTTPImage || len(c.Command) != 4 || c.Command[2] != kubeEscape(httpScript) {
		t.Errorf("command = %q, want sh -c with the fixed script", c.Command)
	}
	if strings.Contains(c.Command[2], "rm -rf") || c.Args[len(c.Args)-3] != "http://a/'; rm -rf / #" {
		t.Errorf("the url is not passed as one argument: %q", c.Args)
	}
	vols := job.Spec.Template.Spec.Volumes
	if len(vols) != 1 || vols[0].ConfigMap == nil || vols[0].ConfigMap.Name != cm.Name {
		t.Errorf("volumes = %+v, want the body's ConfigMap %s", vols, cm.Name)
	}
}
