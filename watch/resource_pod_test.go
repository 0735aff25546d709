package watch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestResourcePod: a resource template that names {{pod.name}} first gets
// a pod, as Argo's runs in one; the driver acts once the Job controller
// has named it, with that name, and the node's phase is the action's.
func TestResourcePod(t *testing.T) {
	w := workflow(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    resource:
      action: patch
      manifest: |
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{pod.name}}
          annotations: {node: "{{node.name}}"}
`)
	obs := Observed{Jobs: map[string]PodResult{}, Resources: map[string]ResourceState{}, Now: t0}
	job := compile.JobName("wf", "main", "wf")

	// No Job yet: it is asked for, nothing is acted on.
	status, actions := Evaluate(w, obs)
	if len(actions.Create) != 1 || actions.Create[0].Job.Name != job || len(actions.Resources) != 0 {
		t.Fatalf("first evaluation: creates %v, acts %v; want the Job %s alone", actions.Create, actions.Resources, job)
	}
	main := actions.Create[0].Job.Spec.Template.Spec.Containers[0]
	if diff := cmp.Diff([]string{"/kubectl-wf-executor", "noop"}, main.Command); diff != "" || main.Image != compile.ExecutorImage {
		t.Errorf("the pod runs %s %v, want the executor's noop (-want +got):\n%s", main.Image, main.Command, diff)
	}
	if got := status.Nodes[status.Root].Phase; got != Pending {
		t.Errorf("node phase %s, want Pending", got)
	}

	// The Job exists, its pod not yet: still nothing to act on.
	obs.Jobs[job] = PodResult{Phase: Pending}
	if status, actions = Evaluate(w, obs); len(actions.Create)+len(actions.Resources) != 0 || status.Nodes[status.Root].Phase != Pending {
		t.Fatalf("Job without a pod: creates %v, acts %v, phase %s; want nothing and Pending", actions.Create, actions.Resources, status.Nodes[status.Root].Phase)
	}

	// Its pod is named: the driver acts with that name.
	obs.Jobs[job] = PodResult{Phase: Pending, Pod: job + "-x7k2q"}
	status, actions = Evaluate(w, obs)
	if len(actions.Create) != 0 || len(actions.Resources) != 1 {
		t.Fatalf("pod named: creates %v, acts %v; want one action", actions.Create, actions.Resources)
	}
	want := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + job + "-x7k2q\n  annotations: {node: \"wf\"}\n"
	if diff := cmp.Diff(want, actions.Resources[0].Template.Resource.Manifest); diff != "" {
		t.Errorf("manifest acted on (-want +got):\n%s", diff)
	}
	if got := status.Nodes[status.Root].Pod; got != job+"-x7k2q" {
		t.Errorf("node's pod %q, want the Job's", got)
	}

	// The action's end is the node's, whatever the pod did.
	obs.Jobs[job] = PodResult{Phase: Succeeded, Pod: job + "-x7k2q"}
	obs.Resources["wf"] = ResourceState{Phase: Succeeded, StartedAt: t0, FinishedAt: &t0}
	if status, _ = Evaluate(w, obs); status.Phase != Succeeded || status.Nodes[status.Root].Pod != job+"-x7k2q" {
		t.Errorf("workflow %s %q, pod %q; want Succeeded, and the node's pod", status.Phase, status.Message, status.Nodes[status.Root].Pod)
	}

	// A pod that could not be made fails the node with its reason.
	delete(obs.Resources, "wf")
	obs.Jobs[job] = PodResult{Phase: Error, Message: "main: ErrImagePull: not found"}
	if status, _ = Evaluate(w, obs); status.Phase != Error || status.Nodes[status.Root].Message != "main: ErrImagePull: not found" {
		t.Errorf("workflow %s, node %q; want Error with the pod's reason", status.Phase, status.Nodes[status.Root].Message)
	}
}
