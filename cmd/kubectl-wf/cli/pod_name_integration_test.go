package cli

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// podNameWorkflow names its pods where the kubelet expands variables (a
// container's args and env), and where it does not: in a script's source,
// and in resource templates that patch their own pod, as Argo's
// k8s-patch-*-pod examples do.
const podNameWorkflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: pod-name}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: container, template: container}
      - {name: script, template: script}
      - {name: patch, template: patch}
      - {name: json-patch, template: json-patch}
  - name: container
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo I am {{pod.name}}; echo $GREETING"]
      env: [{name: GREETING, value: "hello from {{pod.name}}"}]
  - name: script
    script:
      image: busybox
      command: [sh]
      source: |
        echo "I am {{pod.name}}"
  - name: patch
    resource:
      action: patch
      manifest: |
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{pod.name}}
          annotations: {patched-by: "{{node.name}}"}
  - name: json-patch
    resource:
      action: patch
      mergeStrategy: json
      flags: [pod, "{{pod.name}}"]
      manifest: |
        - {op: add, path: /metadata/annotations/patched-by, value: json}
`

// TestPodNameOnCluster: a container and a script print their own pod's
// name, and each resource template patches the pod it was given.
func TestPodNameOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, podNameWorkflow))
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "pod-name")
	if doc.Status.Phase != watch.Succeeded {
		t.Fatalf("phase %s (%s), want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	logs := logsOf(t, ns, "pod-name")
	for suffix, lines := range map[string][]string{".container": {"I am ", "hello from "}, ".script": {"I am "}} {
		n := nodeByName(doc, suffix)
		if n == nil || n.Pod == "" {
			t.Fatalf("node %s = %+v, want a pod", suffix, n)
		}
		for _, line := range lines {
			if want := n.Name + ": " + line + n.Pod + "\n"; !strings.Contains(logs, want) {
				t.Errorf("logs lack %q:\n%s", want, logs)
			}
		}
	}
	for suffix, want := range map[string]string{".patch": "pod-name[0].patch", ".json-patch": "json"} {
		n := nodeByName(doc, suffix)
		if n == nil || n.Pod == "" || n.Phase != watch.Succeeded {
			t.Fatalf("node %s = %+v, want Succeeded with a pod", suffix, n)
		}
		pod, err := cs.CoreV1().Pods(ns).Get(context.Background(), n.Pod, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("node %s's pod: %v", suffix, err)
		}
		if got := pod.Annotations["patched-by"]; got != want {
			t.Errorf("pod %s annotation patched-by = %q, want %q", pod.Name, got, want)
		}
	}
	if strings.Contains(out, "{{pod.name}}") {
		t.Errorf("output holds an unresolved {{pod.name}}:\n%s", out)
	}
}
