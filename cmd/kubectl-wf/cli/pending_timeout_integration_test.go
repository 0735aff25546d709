package cli

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/internal/testcluster"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// TestPendingTimeoutOnCluster: a pod that cannot be scheduled stays
// Pending; at its pendingTimeout the node fails with Argo's "timeout",
// the workflow fails, and the Job is stopped so its pod goes.
func TestPendingTimeoutOnCluster(t *testing.T) {
	cs, _ := testcluster.Client(t)
	ns := testcluster.Namespace(t, cs)
	file := writeTemp(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: unschedulable}
spec:
  entrypoint: main
  templates:
  - name: main
    pendingTimeout: 5s
    nodeSelector: {kubectl-wf.dev/no-such-node: "true"}
    container: {image: busybox, command: ["true"]}
`)
	start := time.Now()
	if code, out, errOut := onCluster(t, ns, "submit", file); code != ExitFailed {
		t.Fatalf("submit exited %d, want %d\n%s%s", code, ExitFailed, out, errOut)
	}
	took := time.Since(start)
	doc := getJSON(t, ns, "unschedulable")
	root := nodeByName(doc, "unschedulable")
	if doc.Status.Phase != watch.Failed || root == nil || root.Phase != watch.Failed || root.Message != "timeout" {
		t.Fatalf("workflow %s, node %+v; want Failed with the node's message timeout", doc.Status.Phase, root)
	}
	// Counted from the Job's creationTimestamp, which has whole seconds
	// (as Argo's node startedAt has).
	if took < 4*time.Second {
		t.Errorf("submit ended after %v, before the 5s pendingTimeout", took)
	}
	job, err := cs.BatchV1().Jobs(ns).Get(context.Background(), root.Job, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Spec.Suspend == nil || !*job.Spec.Suspend {
		t.Errorf("Job %s not suspended: its pending pod would stay", job.Name)
	}
}
