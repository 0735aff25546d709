package cli

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestPodGCOnCluster: with OnPodSuccess, the succeeded steps' pods are
// gone once submit returns, the failed one's is kept, and get still shows
// the nodes' results (recorded on their Jobs, which stay), one of them
// passed on after its pod went.
func TestPodGCOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: collected}
spec:
  entrypoint: main
  podGC: {strategy: OnPodSuccess}
  templates:
  - name: main
    steps:
    - - {name: ok, template: say}
      - {name: bad, template: fail, continueOn: {failed: true}}
    - - {name: echo, template: echo, arguments: {parameters: [{name: m, value: "{{steps.ok.outputs.result}}"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}} again"]}
  - name: say
    container: {image: busybox, command: [echo, hello]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "echo bye; exit 3"]}
`)
	if code, out, errOut := onCluster(t, ns, "submit", file); code != 0 {
		t.Fatalf("submit exited %d\n%s%s", code, out, errOut)
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: compile.LabelWorkflow + "=collected"})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			left = append(left, p.Labels["batch.kubernetes.io/job-name"])
		}
	}
	doc := getJSON(t, ns, "collected")
	ok, bad, echo := nodeByName(doc, ".ok"), nodeByName(doc, ".bad"), nodeByName(doc, ".echo")
	if doc.Status.Phase != watch.Succeeded || ok == nil || bad == nil || echo == nil {
		t.Fatalf("workflow %s; want Succeeded with nodes ok, bad and echo", doc.Status.Phase)
	}
	if len(left) != 1 || left[0] != bad.Job {
		t.Errorf("pods left for Jobs %v, want only the failed step's (%s)", left, bad.Job)
	}
	if ok.Phase != watch.Succeeded || ok.Outputs == nil || ok.Outputs.Result == nil || *ok.Outputs.Result != "hello" {
		t.Errorf("ok = %+v, want Succeeded with result hello after its pod went", ok)
	}
	if echo.Outputs == nil || echo.Outputs.Result == nil || *echo.Outputs.Result != "hello again" {
		t.Errorf("echo's outputs %+v, want the result hello again", echo.Outputs)
	}
	if bad.Phase != watch.Failed || bad.Message != "main: Error (exit code 3)" {
		t.Errorf("bad = %s %q, want Failed with main: Error (exit code 3)", bad.Phase, bad.Message)
	}
	if jobs := jobsOf(t, cs, ns, "collected"); len(jobs) != 3 {
		t.Errorf("%d Jobs, want all three kept", len(jobs))
	}
}
