package watch

import (
	"context"
	"testing"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

// The workflow's PodDisruptionBudget exists while it runs, selecting its
// pods, owned by the workflow object, and is deleted once it has ended.
func TestDrivePodDisruptionBudget(t *testing.T) {
	cs := fake.NewClientset()
	createWorkflow(t, cs, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf, namespace: ns}
spec:
  entrypoint: main
  podDisruptionBudget: {minAvailable: 9999}
  templates:
  - name: main
    container: {image: busybox}
`)
	var created, deleted int
	cs.PrependReactor("create", "poddisruptionbudgets", func(a clienttesting.Action) (bool, runtime.Object, error) {
		pdb := a.(clienttesting.CreateAction).GetObject().(*policyv1.PodDisruptionBudget)
		created++
		if pdb.Name != "wf" || pdb.Spec.Selector.MatchLabels["kubectl-wf.dev/workflow"] != "wf" || pdb.Spec.MinAvailable.IntValue() != 9999 ||
			len(pdb.OwnerReferences) != 1 || pdb.OwnerReferences[0].UID != "uid-1" {
			t.Errorf("PodDisruptionBudget %+v", pdb)
		}
		return false, nil, nil
	})
	cs.PrependReactor("delete", "poddisruptionbudgets", func(clienttesting.Action) (bool, runtime.Object, error) {
		deleted++
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fakeKubelet(ctx, t, cs, "ns")
	status, err := Drive(ctx, cs, Config{Namespace: "ns", Name: "wf", Identity: "test"})
	if err != nil || status.Phase != Succeeded {
		t.Fatalf("Drive: %v, %+v", err, status)
	}
	if created != 1 || deleted != 1 {
		t.Errorf("PodDisruptionBudget created %d times, deleted %d times; want 1 and 1", created, deleted)
	}
}
