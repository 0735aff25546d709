package cli

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// parentYAML starts one child workflow, whose container runs SCRIPT, as
// Argo's k8s-owner-reference and workflow-of-workflows examples do;
// CONDITIONS is the resource template's conditions, if any.
const parentYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: NAME}
spec:
  entrypoint: main
  templates:
  - name: main
    resource:
      action: create
      setOwnerReference: true
CONDITIONS      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: NAME-kid-}
        spec:
          entrypoint: main
          templates:
          - name: main
            container: {image: busybox, command: [sh, -c, "SCRIPT"]}
`

func parentWorkflow(name, script, conditions string) string {
	return strings.NewReplacer("NAME", name, "SCRIPT", script, "CONDITIONS", conditions).Replace(parentYAML)
}

const waitForChild = "      successCondition: status.phase == Succeeded\n      failureCondition: status.phase in (Failed, Error)\n"

// childOf returns the child workflow objects a parent created.
func childrenOf(t *testing.T, cs kubernetes.Interface, ns, parent string) []string {
	t.Helper()
	obj, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), parent, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := cs.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{
		LabelSelector: fmt.Sprintf("%s=%s,%s=%s", compile.LabelRole, compile.RoleWorkflow, compile.LabelCreatedByWorkflow, obj.UID)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cm := range list.Items {
		names = append(names, cm.Name)
	}
	return names
}

// TestChildWorkflowOnCluster: a resource template that creates an Argo
// Workflow runs it as a child workflow, driven by the parent's process.
func TestChildWorkflowOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)

	t.Run("owned, not waited for by its node", func(t *testing.T) {
		if code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, parentWorkflow("owner", "echo hi", ""))); code != 0 {
			t.Fatalf("submit exited %d\n%s\n%s", code, out, errOut)
		}
		kids := childrenOf(t, cs, ns, "owner")
		if len(kids) != 1 {
			t.Fatalf("children %v, want one", kids)
		}
		// The node succeeded at the create, as in Argo; the process still
		// drove the child to its end before it exited.
		if kid := getJSON(t, ns, kids[0]); kid.Status.Phase != watch.Succeeded {
			t.Errorf("child %s is %s when submit returned, want Succeeded", kids[0], kid.Status.Phase)
		}
		if got := logsOf(t, ns, kids[0]); !strings.Contains(got, "hi") {
			t.Errorf("child's logs %q, want hi", got)
		}
		// setOwnerReference: deleting the parent deletes the child.
		if code, _, errOut := onCluster(t, ns, "delete", "owner"); code != 0 {
			t.Fatalf("delete: %s", errOut)
		}
		waitFor(t, 60*time.Second, func() bool {
			_, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), kids[0], metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		})
	})

	t.Run("failed child fails the waiting node", func(t *testing.T) {
		code, _, _ := onCluster(t, ns, "submit", writeTemp(t, parentWorkflow("waits", "exit 3", waitForChild)))
		if code != ExitFailed {
			t.Errorf("submit exited %d, want %d", code, ExitFailed)
		}
		doc := getJSON(t, ns, "waits")
		node := nodeByName(doc, "waits")
		if want := "failure condition 'status.phase in (Error,Failed)' evaluated true"; doc.Status.Phase != watch.Failed || node == nil || node.Message != want {
			t.Errorf("phase %s, node %+v; want Failed with %q", doc.Status.Phase, node, want)
		}
	})
}

// waitOnYAML is Argo's k8s-wait-wf example, made to run in a few seconds:
// it starts a workflow, waits on it with a get, then deletes it.
const waitOnYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: waits-on}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: start, template: start}
    - - name: wait
        template: wait
        arguments: {parameters: [{name: wf, value: "{{steps.start.outputs.parameters.name}}"}]}
    - - name: remove
        template: remove
        arguments: {parameters: [{name: wf, value: "{{steps.start.outputs.parameters.name}}"}]}
  - name: start
    resource:
      action: create
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: sleep-}
        spec:
          entrypoint: sleep
          templates:
          - name: sleep
            container: {image: busybox, command: [sleep, "3"]}
    outputs:
      parameters:
      - name: name
        valueFrom: {jsonPath: '{.metadata.name}'}
  - name: wait
    inputs: {parameters: [{name: wf}]}
    resource:
      action: get
      successCondition: status.phase == Succeeded
      failureCondition: status.phase in (Failed, Error)
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: "{{inputs.parameters.wf}}"}
  - name: remove
    inputs: {parameters: [{name: wf}]}
    resource:
      action: delete
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: "{{inputs.parameters.wf}}"}
`

// TestWaitOnAWorkflowOnCluster: a get waits on the workflow a create
// started until it Succeeded; a delete removes it with its Jobs.
func TestWaitOnAWorkflowOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	if code, out, errOut := onCluster(t, ns, "submit", writeTemp(t, waitOnYAML)); code != 0 {
		t.Fatalf("submit exited %d\n%s\n%s", code, out, errOut)
	}
	doc := getJSON(t, ns, "waits-on")
	start, wait := nodeByName(doc, ".start"), nodeByName(doc, ".wait")
	if start == nil || wait == nil {
		t.Fatalf("nodes %+v", doc.Status.Nodes)
	}
	kid := start.Outputs.Parameters["name"]
	// The wait began before the child ended, and ended after it did.
	if wait.FinishedAt == nil || wait.FinishedAt.Sub(*start.FinishedAt) < 2*time.Second {
		t.Errorf("wait ended at %v, start at %v: it did not wait for the 3 s child", wait.FinishedAt, start.FinishedAt)
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Get(context.Background(), kid, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("child %s after the delete: %v, want not found", kid, err)
	}
	waitFor(t, 60*time.Second, func() bool { return len(jobsOf(t, cs, ns, kid)) == 0 })
}

// TestChildWorkflowSurvivesTakeover kills the driver while the child it
// drives runs; the next driver of the parent drives both to their end,
// with the child created and run once.
func TestChildWorkflowSurvivesTakeover(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	bin := buildBinary(t)
	if code, _, errOut := onCluster(t, ns, "submit", writeTemp(t, parentWorkflow("taken", "sleep 8; echo done", waitForChild)), "--driver=none"); code != 0 {
		t.Fatalf("submit --driver=none: %s", errOut)
	}
	first := exec.Command(bin, "watch", "taken", "--kubeconfig", testcluster.Kubeconfig(t), "-n", ns)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	t.Cleanup(func() { _ = first.Process.Kill() })
	var kid string
	waitFor(t, 90*time.Second, func() bool {
		kids := childrenOf(t, cs, ns, "taken")
		if len(kids) == 1 && len(jobsOf(t, cs, ns, kids[0])) == 1 {
			kid = kids[0]
		}
		return kid != ""
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if code, out, errOut := onCluster(t, ns, "watch", "taken"); code != 0 {
		t.Fatalf("watch after the kill exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if doc := getJSON(t, ns, "taken"); doc.Status.Phase != watch.Succeeded {
		t.Errorf("parent %s: %s, want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	if doc := getJSON(t, ns, kid); doc.Status.Phase != watch.Succeeded {
		t.Errorf("child %s: %s, want Succeeded", doc.Status.Phase, doc.Status.Message)
	}
	if kids := childrenOf(t, cs, ns, "taken"); len(kids) != 1 {
		t.Errorf("children %v, want the one", kids)
	}
	if jobs := jobsOf(t, cs, ns, kid); len(jobs) != 1 {
		t.Errorf("child's Jobs %v, want one", jobs)
	}
}
